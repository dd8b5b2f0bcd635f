// SPDX-License-Identifier: GPL-2.0-or-later
#include "emu/jc42.hpp"

#include <cmath>

namespace ddrspd::emu {

namespace {

constexpr unsigned reg_cap = 0x00;
constexpr unsigned reg_config = 0x01;
constexpr unsigned reg_critical = 0x04;
constexpr unsigned reg_temp = 0x05;
constexpr unsigned reg_manid = 0x06;
constexpr unsigned reg_devid = 0x07;

// Capabilities: alarm+critical, +-1 C accuracy, extended range, 0.0625 C resolution, SMBus
// timeout. jc42.c only requires bits 15:8 clear; the exact low bits are a typical TSE2004av
// value [U].
constexpr std::uint16_t capabilities = 0x003F;

constexpr std::uint16_t alarm_crit = 1U << 15;
constexpr std::uint16_t alarm_high = 1U << 14;
constexpr std::uint16_t alarm_low = 1U << 13;

// 13-bit two's complement in 1/16 C (limit registers only use bits 12:2).
int sixteenths(std::uint16_t reg) {
    int v = reg & 0x1FFF;
    return (v & 0x1000) != 0 ? v - 0x2000 : v;
}

} // namespace

Jc42::Jc42(std::uint16_t manid, std::uint16_t devid, double temperature_c)
    : manid_(manid), devid_(devid), temp_c_(temperature_c) {}

void Jc42::power_on() noexcept {
    rw_ = {};
    pointer_ = 0;
    index_ = 0;
}

bool Jc42::write(std::uint8_t byte) noexcept {
    switch (index_++) {
    case 0:
        pointer_ = byte;
        return true;
    case 1:
        msb_ = byte;
        return true;
    case 2:
        if (pointer_ >= reg_config && pointer_ <= reg_critical) {
            auto value = static_cast<std::uint16_t>(msb_ << 8 | byte);
            // Limits keep bits 12:2 only (0.25 C steps); config bits 15:11 are reserved.
            rw_[pointer_] = pointer_ == reg_config ? value & 0x07FF : value & 0x1FFC;
        }
        return true;
    default:
        return false;
    }
}

std::uint8_t Jc42::read() noexcept {
    std::uint16_t value = reg(pointer_);
    bool msb = index_++ % 2 == 0;
    return static_cast<std::uint8_t>(msb ? value >> 8 : value & 0xFF);
}

std::uint16_t Jc42::reg(unsigned r) const noexcept {
    switch (r) {
    case reg_cap:
        return capabilities;
    case reg_temp:
        return ambient();
    case reg_manid:
        return manid_;
    case reg_devid:
        return devid_;
    default:
        return r < rw_.size() ? rw_[r] : 0;
    }
}

std::uint16_t Jc42::ambient() const noexcept {
    auto t = static_cast<int>(std::lround(temp_c_ * 16.0));
    auto value = static_cast<std::uint16_t>(t & 0x1FFF);
    // Alarm bits compare against the limit registers whatever the event configuration.
    if (t >= sixteenths(rw_[reg_critical])) {
        value |= alarm_crit;
    }
    if (t > sixteenths(rw_[2])) {
        value |= alarm_high;
    }
    if (t < sixteenths(rw_[3])) {
        value |= alarm_low;
    }
    return value;
}

} // namespace ddrspd::emu
