// SPDX-License-Identifier: GPL-2.0-or-later
// Internal: JC-42.4 temperature sensor function of a TSE2002av/TSE2004av SPD chip.
#pragma once

#include <array>
#include <cstdint>

namespace ddrspd::emu {

class Jc42 {
public:
    // manid/devid as read from registers 0x06/0x07 (jc42.c: TSE2004 devid = 0x22xx).
    Jc42(std::uint16_t manid, std::uint16_t devid, double temperature_c);

    void set_temperature(double c) noexcept { temp_c_ = c; }
    void power_on() noexcept;

    // One message: the first written byte is the register pointer, then MSB, LSB of a 16-bit
    // big-endian register. Reads return MSB, LSB of the pointed register (repeating).
    void begin() noexcept { index_ = 0; }
    bool write(std::uint8_t byte) noexcept;
    std::uint8_t read() noexcept;

    std::uint16_t reg(unsigned r) const noexcept;

private:
    std::uint16_t ambient() const noexcept;

    std::uint16_t manid_;
    std::uint16_t devid_;
    double temp_c_;
    std::array<std::uint16_t, 5> rw_{}; // 0x00 (unused), config, upper, lower, critical
    std::uint8_t pointer_ = 0;
    unsigned index_ = 0; // bytes seen in this message
    std::uint8_t msb_ = 0;
};

} // namespace ddrspd::emu
