// SPDX-License-Identifier: GPL-2.0-or-later
#include "eeprom_io.hpp"

#include <ddrspd/error.hpp>

#include <algorithm>
#include <array>
#include <cerrno>

#include <fmt/format.h>

namespace ddrspd::detail {

AckPoller::AckPoller(Bus& bus, std::uint32_t interval_us, std::uint32_t timeout_us)
    : bus_(bus), interval_us_(interval_us), timeout_us_(timeout_us) {}

void AckPoller::wait_ready(std::uint8_t addr) {
    Clock& clock = bus_.clock();
    const std::uint64_t t0 = clock.now_us();
    // Wake two probes before the previous cycle ended: a cycle as long as the last one is then
    // caught by back-to-back probes, within one probe of its end.
    const bool learned = last_cycle_us_ > 0;
    if (learned && last_cycle_us_ > 2 * probe_us_)
        clock.sleep_us(last_cycle_us_ - 2 * probe_us_);
    for (;;) {
        const std::uint64_t start = clock.now_us();
        ++probes_;
        if (bus_.probe(addr)) {
            last_cycle_us_ = start - t0;
            return;
        }
        const std::uint64_t end = clock.now_us();
        probe_us_ = end - start;
        const std::uint64_t elapsed = end - t0;
        if (elapsed >= timeout_us_) {
            throw BusError(fmt::format("{}: device at {} did not acknowledge within {} ms after "
                                       "a write (write cycle not finished, or the device is gone)",
                                       bus_.describe(), hex_addr(addr), timeout_us_ / 1000.0),
                           ETIMEDOUT, addr);
        }
        const bool near_end = learned && elapsed < last_cycle_us_ + interval_us_;
        if (!near_end && interval_us_ > 0)
            clock.sleep_us(std::min<std::uint64_t>(interval_us_, timeout_us_ - elapsed));
    }
}

void write_frame(Bus& bus, std::uint8_t addr, std::span<const std::uint8_t> frame,
                 AckPoller& poll) {
    try {
        bus.write(addr, frame);
    } catch (const NackError&) {
        poll.wait_ready(addr); // throws when the device is gone
        bus.write(addr, frame);
    }
    poll.wait_ready(addr);
}

std::size_t max_read(const Bus& bus) {
    const std::size_t m = bus.caps().max_read;
    return m == 0 ? 32 : m;
}

std::size_t max_write_data(const Bus& bus, unsigned addr_bytes) {
    std::size_t m = bus.caps().max_write;
    if (m == 0)
        m = 33; // SMBus I2C-block write: command byte + 32
    if (m <= addr_bytes) {
        throw BusError(fmt::format("{}: the adapter cannot write {} word-address byte(s) plus data "
                                   "in one transfer (max_write = {})",
                                   bus.describe(), addr_bytes, m),
                       EOPNOTSUPP, -1);
    }
    return m - addr_bytes;
}

void read_chunked(Bus& bus, std::uint8_t addr, unsigned addr_bytes, std::size_t word,
                  std::span<std::uint8_t> out, std::size_t boundary,
                  const std::function<void(std::size_t)>& on_chunk) {
    const std::size_t limit = max_read(bus);
    std::size_t done = 0;
    while (done < out.size()) {
        const std::size_t w = word + done;
        const std::size_t n = std::min({out.size() - done, limit, boundary - w % boundary});
        std::array<std::uint8_t, 2> wr{};
        if (addr_bytes == 2) {
            wr = {static_cast<std::uint8_t>(w >> 8), static_cast<std::uint8_t>(w)};
        } else {
            wr[0] = static_cast<std::uint8_t>(w);
        }
        const std::span<const std::uint8_t> word_addr(wr.data(), addr_bytes);
        try {
            bus.write_read(addr, word_addr, out.subspan(done, n));
        } catch (const NackError&) {
            bus.write_read(addr, word_addr, out.subspan(done, n)); // once: a glitch is not absence
        }
        done += n;
        if (on_chunk)
            on_chunk(n);
    }
}

std::vector<std::pair<std::size_t, std::size_t>> mismatch_ranges(std::span<const std::uint8_t> a,
                                                                 std::span<const std::uint8_t> b,
                                                                 std::size_t base) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] == b[i])
            continue;
        if (!out.empty() && out.back().second + 1 == base + i)
            out.back().second = base + i;
        else
            out.emplace_back(base + i, base + i);
    }
    return out;
}

void rethrow_with_context(const std::string& context) {
    try {
        throw;
    } catch (const NackError& e) {
        throw NackError(fmt::format("{}: {}", context, e.what()), e.errno_value(), e.addr());
    } catch (const BusError& e) {
        throw BusError(fmt::format("{}: {}", context, e.what()), e.errno_value(), e.addr());
    }
}

} // namespace ddrspd::detail
