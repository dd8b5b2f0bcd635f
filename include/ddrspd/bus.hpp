// SPDX-License-Identifier: GPL-2.0-or-later
// The hardware seam: one I2C bus, real (i2c-dev) or emulated. Everything above it is pure C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

namespace ddrspd {

// What the adapter can do. Drivers chunk their transfers by max_read/max_write.
struct AdapterCaps {
    bool full_i2c = false;       // I2C_FUNC_I2C: arbitrary combined transfers (I2C_RDWR)
    bool smbus_block_read = false;  // SMBus I2C-block read: [cmd] Sr read <= 32
    bool smbus_block_write = false; // SMBus I2C-block write: [cmd] + <= 32 bytes
    bool smbus_byte_data = false;   // SMBus read/write byte data
    bool smbus_byte = false;        // SMBus send/receive byte
    std::size_t max_read = 0;  // most bytes one read transfer may return
    std::size_t max_write = 0; // most bytes one write transfer may carry (word address included)
};

// Time as the bus sees it. Real buses use the system clock; the emulator a simulated one, so
// waiting (ACK-poll intervals, timeouts) costs simulated, not wall, time.
class Clock {
public:
    virtual ~Clock() = default;
    virtual std::uint64_t now_us() = 0;
    virtual void sleep_us(std::uint64_t us) = 0;
};

// The process-wide monotonic wall clock.
Clock& system_clock();

// Counters an emulated bus keeps (a real bus has none).
struct BusStats {
    std::uint64_t simulated_time_us = 0;
    std::uint64_t transactions = 0;  // START..STOP sequences, NACKed ones included
    std::uint64_t bytes_on_wire = 0; // address bytes + data bytes, ACKed or not
    std::uint64_t write_cycles = 0;  // internal EEPROM write cycles started
    // Wear: write cycles per (7-bit device address, 16-byte page index in the device).
    std::map<std::pair<int, int>, std::uint64_t> page_write_cycles;
};

class Bus {
public:
    virtual ~Bus() = default;
    Bus() = default;
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    // START addr+W data... STOP. data may be empty only for callers that know the address is
    // safe to address-write (the library never quick-writes to 0x30-0x37 or 0x50-0x57).
    virtual void write(std::uint8_t addr, std::span<const std::uint8_t> data) = 0;

    // START addr+W wr... Sr addr+R rd... STOP (a random read). wr is non-empty.
    // On SMBus-only adapters: wr.size() == 1 maps to I2C-block read (rd <= 32) or read byte data
    // (rd == 1); wr.size() == 2 to write-byte-data + receive-byte loop (not atomic).
    virtual void write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                            std::span<std::uint8_t> rd) = 0;

    // START addr+R rd... STOP (current-address read).
    virtual void read(std::uint8_t addr, std::span<std::uint8_t> rd) = 0;

    // Address check that writes nothing: a one-byte read. True when the device ACKs.
    // Errors other than NACK propagate as BusError.
    virtual bool probe(std::uint8_t addr);

    virtual const AdapterCaps& caps() const = 0;
    // "/dev/i2c-1 (bcm2835 (i2c@7e804000))", "emu:ddr4@0x50=mod.bin" - used in every message.
    virtual std::string describe() const = 0;
    virtual Clock& clock() = 0;
    virtual std::optional<BusStats> stats() const { return std::nullopt; }
};

// "0x50"
std::string hex_addr(int addr);

} // namespace ddrspd
