// SPDX-License-Identifier: GPL-2.0-or-later
#include "emu/chip.hpp"

#include <ddrspd/error.hpp>

#include <set>

#include <fmt/format.h>

namespace ddrspd::emu {

EepromCore::EepromCore(std::size_t size, std::size_t page_size)
    : mem(size, 0xFF), page_(page_size) {}

void EepromCore::begin_write(std::size_t offset) {
    discard();
    start_ = offset;
}

std::size_t EepromCore::next_offset() const noexcept {
    std::size_t page_base = start_ - start_ % page_;
    return page_base + (start_ + count_) % page_;
}

void EepromCore::latch(std::uint8_t value) {
    last_ = next_offset();
    latched_[last_] = value;
    ++count_;
}

void EepromCore::discard() noexcept {
    latched_.clear();
    count_ = 0;
}

void EepromCore::commit(std::uint8_t base, const Env& env) {
    if (latched_.empty()) {
        return;
    }
    std::set<std::size_t> units;
    for (const auto& [offset, value] : latched_) {
        mem[offset] = value;
        units.insert(offset / 16);
    }
    for (std::size_t unit : units) {
        ++env.stats->page_write_cycles[{base, static_cast<int>(unit)}];
    }
    discard();
    start_cycle(env);
}

void EepromCore::start_cycle(const Env& env) {
    busy_until_ = env.now_ns + env.twr_ns;
    ++env.stats->write_cycles;
}

void EepromCore::power_on() noexcept {
    discard();
    busy_until_ = 0;
}

void Chip::unsupported(std::string_view what) const {
    throw UsageError(fmt::format("emulated {} at {} has no {}", kind(), hex_addr(base_), what));
}

void Chip::set_vhv(bool) {
    unsupported("high-voltage (VHV) commands");
}
void Chip::set_protection(unsigned) {
    unsupported("write protection");
}
void Chip::set_page_size(std::size_t) {
    unsupported("configurable page size");
}

} // namespace ddrspd::emu
