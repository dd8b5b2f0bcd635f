// SPDX-License-Identifier: GPL-2.0-or-later
// EE1002(A) SPD EEPROM with TSE2002av temperature sensor (DDR3), after the Microchip AT34C02D,
// onsemi CAT34C02 and ST M34E02 (reference section 5).
#include "emu/chip.hpp"
#include "emu/jc42.hpp"

namespace ddrspd::emu {

namespace {

constexpr std::size_t spd_size = 256;
constexpr std::size_t write_page = 16;
constexpr std::size_t protected_half = 128; // RSWP and PSWP cover bytes 0x00-0x7F only

constexpr std::uint8_t set_rswp_addr = 0x31;   // with VHV on SA0; also Read RSWP
constexpr std::uint8_t clear_rswp_addr = 0x33; // with VHV on SA0

// ST STTS2002 identity as listed in jc42.c.
constexpr std::uint16_t sensor_manid = 0x104A;
constexpr std::uint16_t sensor_devid = 0x0300;

class Ee1002 final : public Chip {
public:
    Ee1002(std::uint8_t addr, double temperature_c)
        : Chip(addr), core_(spd_size, write_page),
          sensor_(sensor_manid, sensor_devid, temperature_c) {}

    std::string kind() const override { return "ddr3"; }
    std::vector<std::uint8_t> claimed() const override { return {base(), sensor_addr()}; }

    bool on_address(std::uint8_t addr, bool read, const Env& env) override {
        fn_ = Fn::none;
        bytes_ = 0;
        if (addr == sensor_addr()) {
            fn_ = Fn::sensor;
            sensor_.begin();
            return true;
        }
        if (core_.busy(env)) {
            return false;
        }
        if (addr == base()) {
            fn_ = Fn::memory;
            return true;
        }
        // With VHV on SA0 the chip decodes the reversible-protection commands; their device
        // select codes take precedence over the PSWP address they share (0x31 for SA = 1).
        if (vhv_ && (addr == set_rswp_addr || addr == clear_rswp_addr)) {
            if (read) {
                fn_ = Fn::status;
                return addr == set_rswp_addr && !rswp_;
            }
            fn_ = addr == set_rswp_addr ? Fn::set_rswp : Fn::clear_rswp;
            return true;
        }
        if (addr == pswp_addr()) {
            if (read) {
                fn_ = Fn::status;
                return !pswp_; // ACK = not set
            }
            if (pswp_) {
                return false;
            }
            // Set PSWP needs normal logic levels only: any write that reaches this address is
            // taken as the command. Modelled strictly (a quick write with no dummy bytes
            // counts) so tests catch every write the library sends here.
            pswp_ = true;
            fn_ = Fn::set_pswp;
            return true;
        }
        return false;
    }

    bool on_write(std::uint8_t byte, const Env&) override {
        ++bytes_;
        switch (fn_) {
        case Fn::memory:
            return memory_write(byte);
        case Fn::sensor:
            return sensor_.write(byte);
        case Fn::set_pswp:
        case Fn::set_rswp:
        case Fn::clear_rswp:
            return bytes_ <= 2; // dummy word address + dummy data
        case Fn::none:
        case Fn::status:
            break;
        }
        return false;
    }

    std::uint8_t on_read(const Env&) override {
        if (fn_ == Fn::sensor) {
            return sensor_.read();
        }
        if (fn_ != Fn::memory) {
            return 0xFF;
        }
        std::uint8_t value = core_.mem[pointer_];
        pointer_ = static_cast<std::uint8_t>(pointer_ + 1);
        return value;
    }

    void on_end(bool stop, const Env& env) override {
        switch (fn_) {
        case Fn::memory:
            if (stop && core_.pending()) {
                pointer_ = static_cast<std::uint8_t>(core_.last_offset() + 1);
                core_.commit(base(), env);
            }
            core_.discard();
            break;
        case Fn::set_pswp:
            if (stop) {
                core_.start_cycle(env);
            }
            break;
        case Fn::set_rswp:
        case Fn::clear_rswp:
            if (stop && bytes_ >= 2) {
                rswp_ = fn_ == Fn::set_rswp;
                core_.start_cycle(env);
            }
            break;
        default:
            break;
        }
        fn_ = Fn::none;
    }

    void power_on() override {
        core_.power_on();
        sensor_.power_on();
        pointer_ = 0;
        fn_ = Fn::none;
    }

    std::vector<std::uint8_t>& memory() override { return core_.mem; }
    void set_vhv(bool on) override { vhv_ = on; }
    void set_protection(unsigned mask) override {
        if (mask > 1) {
            unsupported("write-protect block other than 0 (DDR3 protects bytes 0-127 only)");
        }
        rswp_ = mask != 0;
    }
    unsigned protection() const override { return rswp_ || pswp_ ? 1U : 0U; }
    bool pswp() const override { return pswp_; }
    void set_pswp() override { pswp_ = true; }
    void set_temperature(double c) override { sensor_.set_temperature(c); }

private:
    enum class Fn { none, memory, sensor, status, set_pswp, set_rswp, clear_rswp };

    std::uint8_t sensor_addr() const { return static_cast<std::uint8_t>(0x18 | (base() & 7)); }
    std::uint8_t pswp_addr() const { return static_cast<std::uint8_t>(0x30 | (base() & 7)); }

    bool memory_write(std::uint8_t byte) {
        if (bytes_ == 1) {
            pointer_ = byte;
            core_.begin_write(byte);
            return true;
        }
        if ((rswp_ || pswp_) && core_.next_offset() < protected_half) {
            return false; // data NACKed, no write cycle
        }
        core_.latch(byte);
        return true;
    }

    EepromCore core_;
    Jc42 sensor_;
    std::uint8_t pointer_ = 0;
    bool rswp_ = false;
    bool pswp_ = false;
    bool vhv_ = false;
    Fn fn_ = Fn::none;
    unsigned bytes_ = 0;
};

} // namespace

std::unique_ptr<Chip> make_ee1002(std::uint8_t addr, double temperature_c) {
    return std::make_unique<Ee1002>(addr, temperature_c);
}

} // namespace ddrspd::emu
