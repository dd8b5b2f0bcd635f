// SPDX-License-Identifier: GPL-2.0-or-later
// EE1004-v SPD EEPROM with TSE2004av temperature sensor (DDR4), after the onsemi N34C04,
// Microchip AT34C04 and the Linux ee1004 driver (reference sections 4.1-4.3).
#include "emu/chip.hpp"
#include "emu/jc42.hpp"

namespace ddrspd::emu {

namespace {

constexpr std::size_t spd_size = 512;
constexpr std::size_t spd_page = 256;
constexpr std::size_t write_page = 16;
constexpr std::size_t protect_block = 128;

// RPSn (read) and SWPn (write) share one 7-bit address per block.
int block_of_command(std::uint8_t addr) {
    switch (addr) {
    case 0x31:
        return 0;
    case 0x34:
        return 1;
    case 0x35:
        return 2;
    case 0x30:
        return 3;
    default:
        return -1;
    }
}

constexpr std::uint8_t cwp_addr = 0x33;
constexpr std::uint8_t spa0 = 0x36; // also RPA when read
constexpr std::uint8_t spa1 = 0x37;

// ST STTS2004 identity as listed in jc42.c.
constexpr std::uint16_t sensor_manid = 0x104A;
constexpr std::uint16_t sensor_devid = 0x2201;

class Ee1004 final : public Chip {
public:
    Ee1004(std::uint8_t addr, double temperature_c)
        : Chip(addr), core_(spd_size, write_page),
          sensor_(sensor_manid, sensor_devid, temperature_c) {}

    std::string kind() const override { return "ddr4"; }
    std::vector<std::uint8_t> claimed() const override { return {base(), sensor_addr()}; }

    bool on_address(std::uint8_t addr, bool read, const Env& env) override {
        fn_ = Fn::none;
        bytes_ = 0;
        if (addr == sensor_addr()) {
            // The sensor is a separate function and keeps answering during a write cycle.
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
        if ((addr & 0x78) != 0x30) {
            return false;
        }
        return read ? status_read(addr) : command_write(addr);
    }

    bool on_write(std::uint8_t byte, const Env&) override {
        ++bytes_;
        switch (fn_) {
        case Fn::memory:
            return memory_write(byte);
        case Fn::sensor:
            return sensor_.write(byte);
        case Fn::spa:
        case Fn::swp:
        case Fn::cwp:
            // Dummy word address + dummy data byte; nothing more is expected.
            return bytes_ <= 2;
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
            return 0xFF; // RPS/RPA carry their answer in the ACK; SDA stays released.
        }
        // The address counter is 8 bits wide: sequential reads wrap inside the SPD page.
        std::uint8_t value = core_.mem[static_cast<std::size_t>(page_) * spd_page + pointer_];
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
        case Fn::swp:
        case Fn::cwp:
            // Set/clear take effect only after the full frame and a STOP, as a write cycle.
            if (stop && bytes_ >= 2) {
                protection_ = fn_ == Fn::cwp ? 0U : protection_ | 1U << command_block_;
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
        page_ = 0;
        pointer_ = 0;
        fn_ = Fn::none;
    }

    std::vector<std::uint8_t>& memory() override { return core_.mem; }
    void set_vhv(bool on) override { vhv_ = on; }
    void set_protection(unsigned mask) override {
        if (mask > 0xF) {
            unsupported("write-protect block above 3 (EE1004 blocks are 0-3)");
        }
        protection_ = mask;
    }
    unsigned protection() const override { return protection_; }
    int ee1004_page() const override { return page_; }
    void set_temperature(double c) override { sensor_.set_temperature(c); }

private:
    enum class Fn { none, memory, sensor, spa, swp, cwp, status };

    std::uint8_t sensor_addr() const { return static_cast<std::uint8_t>(0x18 | (base() & 7)); }

    // RPS0-3: ACK = block not protected; RPA: ACK = page 0. No VHV needed on DDR4 parts.
    bool status_read(std::uint8_t addr) {
        fn_ = Fn::status;
        if (int block = block_of_command(addr); block >= 0) {
            return (protection_ & 1U << block) == 0;
        }
        if (addr == spa0) {
            return page_ == 0;
        }
        return false;
    }

    bool command_write(std::uint8_t addr) {
        if (addr == spa0 || addr == spa1) {
            // Volatile page select, takes effect at once on every EE1004 on the bus.
            page_ = addr == spa1 ? 1 : 0;
            fn_ = Fn::spa;
            return true;
        }
        // SWPn/CWP need VHV on this device's SA0; without it the device does not respond.
        if (!vhv_) {
            return false;
        }
        if (int block = block_of_command(addr); block >= 0) {
            command_block_ = static_cast<unsigned>(block);
            fn_ = Fn::swp;
            return true;
        }
        if (addr == cwp_addr) {
            fn_ = Fn::cwp;
            return true;
        }
        return false;
    }

    bool memory_write(std::uint8_t byte) {
        std::size_t page_base = static_cast<std::size_t>(page_) * spd_page;
        if (bytes_ == 1) {
            pointer_ = byte;
            core_.begin_write(page_base + byte);
            return true;
        }
        // Protected block: device and word address are ACKed, data is NACKed, no cycle.
        if ((protection_ & 1U << (core_.next_offset() / protect_block)) != 0) {
            return false;
        }
        core_.latch(byte);
        return true;
    }

    EepromCore core_;
    Jc42 sensor_;
    int page_ = 0;
    std::uint8_t pointer_ = 0;
    unsigned protection_ = 0;
    bool vhv_ = false;
    Fn fn_ = Fn::none;
    unsigned bytes_ = 0;
    unsigned command_block_ = 0;
};

} // namespace

std::unique_ptr<Chip> make_ee1004(std::uint8_t addr, double temperature_c) {
    return std::make_unique<Ee1004>(addr, temperature_c);
}

} // namespace ddrspd::emu
