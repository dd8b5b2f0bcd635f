// SPDX-License-Identifier: GPL-2.0-or-later
// Chip-accurate emulated I2C bus: EE1004 (DDR4 SPD + TSE2004 sensor), EE1002/TSE2002 (DDR3
// SPD), 24xx EEPROMs. A product feature: every tool accepts "emu:..." as a bus.
//
// Spec grammar (comma-separated items after "emu:"; extend, never break):
//   DEVICE@ADDR[=FILE]   device at a 7-bit address, contents from FILE (raw bytes; blank 0xFF
//                        if absent or no file given). DEVICE: ddr4, ddr3, ddr5 (read-only hub
//                        stub reporting type only), 24c01 ... 24c512, 24c1024, 24cm01, 24cm02.
//                        Written back to FILE at close() only when contents changed.
//   hz=N                 bus clock (default 100000)
//   twr_us=N             self-timed write cycle (default 5000)
//   smbus=1              SMBus-only adapter flavour (like i801); default full I2C (like bcm2835)
//   vhv=ADDR             high voltage applied on SA0 of the SPD device at ADDR (enables
//                        SWP/CWP; DDR3 RSWP set/clear/read)
//   wp=ADDR:BLOCKS       initial EE1004 write protection, BLOCKS like "0+1" (or DDR3 "0")
//   temp=C               temperature reported by TSE sensors (default 30.0)
// DDR3 PSWP state is stored in FILE.pswp (created when set; its presence makes the chip's
// protectable half, bytes 0-127, read-only forever).
//
// Extensions:
//   24c1025              Microchip 24xx1025: block bit at device-address bit 2 (0x50 + 0x54),
//                        sequential reads stay inside a 64 KiB block.
//   page=ADDR:N          page write buffer of the 24xx at ADDR (power of two; e.g. 16 for ST
//                        M24C02 instead of the typical 8).
//   wp=ADDR:0            on a 24xx: the WP pin is high (whole array; data bytes NACKed).
//
// Chip behaviour (spd-reference.md sections 4, 5, 7, 9):
// - Every chip is self-timed: after a write STOP it NACKs its address for twr_us; a write
//   ended by a repeated START is discarded. Page writes wrap inside the page.
// - ddr4 = EE1004 + TSE2004av sensor at 0x18 | (ADDR & 7). SPA0/SPA1 (writes to 0x36/0x37)
//   switch every EE1004 on the bus; RPA/RPS0-3 answer by ACK/NACK; SWP0-3/CWP need VHV and
//   the dummy address + data bytes. A write into a protected block NACKs its data bytes.
// - ddr3 = EE1002 + TSE2002av sensor. Any write that reaches 0x30 | (ADDR & 7), even a quick
//   write, sets PSWP (so a 0x36 SPA0 hits a DDR3 at 0x56). RSWP and PSWP protect bytes
//   0x00-0x7F; bytes 0x80-0xFF stay writable, as on the AT34C02D/CAT34C02.
// - Read data of several devices answering one address is wired-AND, ACKs wired-OR.
// - Timing: START, repeated START and STOP cost one SCL period, every byte 9; sleep_us on
//   clock() advances the simulated time only.
#pragma once

#include <ddrspd/bus.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ddrspd {

struct EmuOptions {
    std::uint32_t hz = 100000;
    std::uint32_t twr_us = 5000;
    bool smbus_only = false;
    double temperature_c = 30.0;
};

class EmulatedBus : public Bus {
public:
    explicit EmulatedBus(EmuOptions opts = {});
    ~EmulatedBus() override;

    // Parses "emu:..." (the prefix is optional) and loads device files. Throws UsageError for
    // grammar errors, FileError for unreadable files.
    static std::unique_ptr<EmulatedBus> from_spec(std::string_view spec);

    // Devices. contents shorter than the chip is padded with 0xFF; longer throws UsageError.
    void add_ddr4(std::uint8_t addr, std::vector<std::uint8_t> contents = {});
    void add_ddr3(std::uint8_t addr, std::vector<std::uint8_t> contents = {});
    void add_24xx(std::string_view model, std::uint8_t addr, std::vector<std::uint8_t> contents = {});
    void attach_file(std::uint8_t addr, std::string path); // write-back target for close()

    // Chip state, for tests and for the tools' statistics.
    std::vector<std::uint8_t> contents(std::uint8_t addr) const;
    void set_contents(std::uint8_t addr, std::vector<std::uint8_t> bytes); // no timing, no wear
    void set_vhv(std::uint8_t addr, bool on);
    void set_protection(std::uint8_t addr, unsigned block_mask); // EE1004 blocks 0-3; DDR3 bit0
    unsigned protection(std::uint8_t addr) const;
    bool pswp_set(std::uint8_t addr) const;      // DDR3 permanent protection triggered
    int ee1004_page() const; // bus-global page (0/1): of the lowest present EE1004; 0 if none
    void set_twr_us(std::uint32_t us);
    // Module unplugged (NACKs everything, sensor included) / plugged back (power-up state:
    // EE1004 page 0, write cycle and page buffer lost).
    void set_present(std::uint8_t addr, bool present);

    // Every transfer ever seen (addr and R/W), for tests asserting what was never sent.
    // One entry per message: a write_read logs its write and its read part.
    struct Transfer {
        std::uint8_t addr;
        bool read;
        std::size_t bytes; // data bytes clocked after the address byte
        bool acked;        // the address byte was ACKed
    };
    const std::vector<Transfer>& log() const noexcept;

    // Writes changed contents back to attached files (atomically). Idempotent.
    void close();

    // Bus
    void write(std::uint8_t addr, std::span<const std::uint8_t> data) override;
    void write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                    std::span<std::uint8_t> rd) override;
    void read(std::uint8_t addr, std::span<std::uint8_t> rd) override;
    const AdapterCaps& caps() const override;
    std::string describe() const override;
    Clock& clock() override;
    std::optional<BusStats> stats() const override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ddrspd
