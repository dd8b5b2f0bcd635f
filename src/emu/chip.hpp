// SPDX-License-Identifier: GPL-2.0-or-later
// Internal: the chip models behind EmulatedBus.
//
// The bus drives chips byte by byte as the wire would. Every present chip sees every address
// byte and decides itself whether to ACK, so bus-global commands (EE1004 SPA0/SPA1, RPS, RPA)
// and address aliasing (a write to 0x36 is Set-PSWP for a DDR3 module strapped at 0x56) fall
// out of the model instead of being special-cased. Only the chips that ACKed an address byte
// see the rest of that message; read data is wired-AND, ACKs are wired-OR.
#pragma once

#include <ddrspd/bus.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ddrspd::emu {

// What a chip may know about the bus while it handles one byte.
struct Env {
    std::uint64_t now_ns = 0;    // simulated time at the start of the current bus event
    std::uint64_t twr_ns = 0;    // self-timed write cycle for cycles started now
    bool repeated_start = false; // the current address byte follows Sr, not START
    BusStats* stats = nullptr;   // where write cycles and wear are counted
};

// An EEPROM array with a page write buffer and a self-timed write cycle. Bytes latched during
// a write message are programmed only when that message ends with STOP (a repeated START
// aborts the write); the chip then stays busy for tWR.
class EepromCore {
public:
    EepromCore(std::size_t size, std::size_t page_size);

    std::vector<std::uint8_t> mem;

    std::size_t page_size() const noexcept { return page_; }
    void set_page_size(std::size_t page) noexcept { page_ = page; }
    bool busy(const Env& env) const noexcept { return env.now_ns < busy_until_; }

    // The word address of a write message: data bytes go to offset, offset + 1, ... wrapping
    // inside offset's page (the high address bits never increment during a page write).
    void begin_write(std::size_t offset);
    std::size_t next_offset() const noexcept;
    void latch(std::uint8_t value);
    bool pending() const noexcept { return !latched_.empty(); }
    std::size_t last_offset() const noexcept { return last_; }
    void discard() noexcept;

    // STOP after a write: programs the latched bytes and starts the write cycle (no-op when
    // nothing was latched). Wear is counted per (base, 16-byte unit) touched.
    void commit(std::uint8_t base, const Env& env);
    // A write cycle that programs no array bytes (protection registers, PSWP).
    void start_cycle(const Env& env);
    // Power cycle: the page buffer is lost, a write cycle in progress is abandoned.
    void power_on() noexcept;

private:
    std::size_t page_;
    std::size_t start_ = 0;
    std::size_t count_ = 0;
    std::size_t last_ = 0;
    std::map<std::size_t, std::uint8_t> latched_;
    std::uint64_t busy_until_ = 0;
};

class Chip {
public:
    explicit Chip(std::uint8_t base) : base_(base) {}
    virtual ~Chip() = default;
    Chip(const Chip&) = delete;
    Chip& operator=(const Chip&) = delete;

    // The address the chip was added at: its identity for the EmulatedBus API.
    std::uint8_t base() const noexcept { return base_; }
    virtual std::string kind() const = 0; // "ddr4", "24c16": the spec's device name
    // Addresses no other chip may also be added at (memory and sensor addresses; the shared
    // 0x30-0x37 command space is not claimed).
    virtual std::vector<std::uint8_t> claimed() const = 0;

    // Wire events. on_address returns the chip's ACK; only a chip that ACKed gets the
    // following on_write/on_read calls and the on_end that closes the message (stop = false
    // for a repeated START).
    virtual bool on_address(std::uint8_t addr, bool read, const Env& env) = 0;
    virtual bool on_write(std::uint8_t byte, const Env& env) = 0;
    virtual std::uint8_t on_read(const Env& env) = 0;
    virtual void on_end(bool stop, const Env& env) = 0;
    // Plugged back in: volatile state returns to its power-up values.
    virtual void power_on() = 0;

    virtual std::vector<std::uint8_t>& memory() = 0;
    virtual void set_vhv(bool on);
    virtual void set_protection(unsigned mask);
    virtual unsigned protection() const { return 0; }
    virtual bool pswp() const { return false; }
    virtual void set_pswp() {}
    virtual int ee1004_page() const { return -1; }
    virtual void set_page_size(std::size_t bytes);
    virtual void set_temperature(double) {}

protected:
    [[noreturn]] void unsupported(std::string_view what) const;

private:
    std::uint8_t base_;
};

// Factories. Addresses are checked by the bus before these are called.
std::unique_ptr<Chip> make_ee1004(std::uint8_t addr, double temperature_c);
std::unique_ptr<Chip> make_ee1002(std::uint8_t addr, double temperature_c);
std::unique_ptr<Chip> make_spd5118(std::uint8_t addr, double temperature_c);

struct At24Model {
    std::string_view name;
    std::size_t size;
    unsigned addr_bytes;         // word address bytes
    std::size_t page_size;       // typical page write buffer
    unsigned block_bits;         // high address bits carried in the device address
    unsigned block_shift;        // position of those bits in the device address
    bool read_rolls_over_blocks; // sequential read continues into the next block
};
const std::vector<At24Model>& at24_models();
const At24Model* find_at24(std::string_view name); // nullptr when unknown
std::unique_ptr<Chip> make_at24(const At24Model& model, std::uint8_t addr);

} // namespace ddrspd::emu
