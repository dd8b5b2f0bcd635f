// SPDX-License-Identifier: GPL-2.0-or-later
// SPD5118 hub (DDR5), a read-only stub: enough for identification and reading the NVM in
// legacy 1-byte addressing mode (reference section 6.1-6.2). NVM and protection writes are
// NACKed; 2-byte addressing (MR11 bit 3) is not modelled and NACKed too.
#include "emu/chip.hpp"

#include <array>
#include <cmath>

namespace ddrspd::emu {

namespace {

constexpr std::size_t nvm_size = 1024;
constexpr std::size_t nvm_page = 128;
constexpr std::uint8_t mr_legacy = 11;
constexpr std::uint8_t mr_temp = 49;

class Spd5118 final : public Chip {
public:
    Spd5118(std::uint8_t addr, double temperature_c)
        : Chip(addr), nvm_(nvm_size, 0xFF), temp_c_(temperature_c) {
        power_on();
    }

    std::string kind() const override { return "ddr5"; }
    std::vector<std::uint8_t> claimed() const override { return {base()}; }

    bool on_address(std::uint8_t addr, bool read, const Env& env) override {
        if (addr != base()) {
            return false;
        }
        // A read that starts with a fresh START (not Sr) resets the pointer: data comes from
        // address 0 (Linux spd5118.c comment).
        if (read && !env.repeated_start) {
            pointer_ = 0;
        }
        bytes_ = 0;
        return true;
    }

    bool on_write(std::uint8_t byte, const Env&) override {
        if (bytes_++ == 0) {
            pointer_ = byte;
            return true;
        }
        if (pointer_ != mr_legacy || (byte & 0x08) != 0 || bytes_ > 2) {
            return false; // read-only stub: only the page pointer is writable
        }
        regs_[mr_legacy] = byte & 0x07;
        return true;
    }

    std::uint8_t on_read(const Env&) override {
        if ((pointer_ & 0x80) != 0) {
            std::size_t page = regs_[mr_legacy] & 0x07U;
            std::uint8_t value = nvm_[page * nvm_page + (pointer_ & 0x7F)];
            pointer_ = static_cast<std::uint8_t>(0x80 | ((pointer_ + 1) & 0x7F));
            return value;
        }
        std::uint8_t value = reg(pointer_);
        pointer_ = static_cast<std::uint8_t>((pointer_ + 1) & 0x7F);
        return value;
    }

    void on_end(bool, const Env&) override {}

    void power_on() override {
        regs_ = {};
        regs_[0] = 0x51; // MR0/MR1: SPD5118 hub with temperature sensor
        regs_[1] = 0x18;
        regs_[2] = 0x00; // revision 1.0
        regs_[3] = 0x80; // vendor: IDT/Renesas (bank 1, odd parity), a common hub maker
        regs_[4] = 0xB3;
        regs_[5] = 0x03; // hub + temperature sensor
        regs_[6] = 0x52; // write recovery 5 ms
        pointer_ = 0;
    }

    std::vector<std::uint8_t>& memory() override { return nvm_; }
    void set_temperature(double c) override { temp_c_ = c; }

private:
    std::uint8_t reg(std::uint8_t mr) const {
        if (mr == mr_temp || mr == mr_temp + 1) {
            // 16-bit little endian, bits 12:2 = 0.25 C two's complement.
            auto raw = static_cast<std::uint16_t>((std::lround(temp_c_ * 4.0) << 2) & 0x1FFC);
            return static_cast<std::uint8_t>(mr == mr_temp ? raw & 0xFF : raw >> 8);
        }
        return regs_[mr];
    }

    std::vector<std::uint8_t> nvm_;
    std::array<std::uint8_t, 128> regs_{};
    double temp_c_;
    std::uint8_t pointer_ = 0;
    unsigned bytes_ = 0;
};

} // namespace

std::unique_ptr<Chip> make_spd5118(std::uint8_t addr, double temperature_c) {
    return std::make_unique<Spd5118>(addr, temperature_c);
}

} // namespace ddrspd::emu
