// SPDX-License-Identifier: GPL-2.0-or-later
// Generic 24xx I2C EEPROM arrays: 1-8 identical chips at contiguous addresses.
#pragma once

#include <ddrspd/bus.hpp>
#include <ddrspd/spd_device.hpp>

#include <cstdint>
#include <string>
#include <span>
#include <string_view>
#include <vector>

namespace ddrspd {

struct ChipModel {
    std::string name;          // "24c02", "24c256", "24cm02"
    std::size_t size = 0;      // bytes per chip
    unsigned addr_bytes = 1;   // word address bytes
    std::size_t page_size = 8; // typical page size
    unsigned addr_bits_in_devaddr = 0; // block bits taken from the device address
    unsigned devaddr_shift = 0;        // bit position of those bits in the device address
};

// The built-in table (data, src/chips.cpp). find throws UsageError listing valid names; it
// takes a model name (case-insensitive, an "AT"/"M" vendor prefix is ignored) or a size in
// bytes ("32768", "32k": the first model of that size).
const std::vector<ChipModel>& chip_models();
const ChipModel& find_chip(std::string_view name);

struct ArrayOptions {
    unsigned chips = 1;        // identical chips at addr, addr + stride, ...
    std::size_t page_size = 0; // 0 = model default
};

class Eeprom24 {
public:
    Eeprom24(Bus& bus, std::uint8_t base_addr, const ChipModel& model, ArrayOptions opts = {});

    std::size_t size() const noexcept; // whole array
    std::size_t page_size() const noexcept;

    std::vector<std::uint8_t> read(std::size_t offset, std::size_t length,
                                   const Progress& progress = {});
    // Diff-only page writes, ACK polling, read-back verify, bounded retries.
    WriteResult write(std::size_t offset, std::span<const std::uint8_t> data,
                      const WriteOptions& opts = {});

    // Opt-in destructive page-size detection on the last page-aligned window of the array;
    // restores the window afterwards. Method: back up the last L bytes (L = the largest power of
    // two <= max_candidate that the chip's address block and the adapter's write size allow),
    // write L distinct bytes there in one transfer and read them back: a page P < L wraps, so
    // the window starts with the last P bytes written and the rest is unchanged, which gives P.
    // The backup is then rewritten in P-byte pages and verified. Returns P and uses it for
    // later writes; when nothing wrapped it returns L, only a lower bound (16 on SMBus-only
    // adapters).
    // RISKS: the window's old contents are lost if the restore fails (power loss, bus error; on
    // an error a restore with byte writes is attempted before rethrowing); it costs one write
    // cycle per page of the window; a write-protected chip throws with nothing changed; a chip
    // whose roll-over is not the simple wrap (ST: "implementation dependent") throws after the
    // restore. Never use it on SPD EEPROMs (fixed 16-byte pages, contents that matter, command
    // addresses); prefer the datasheet's page size whenever the chip is known.
    std::size_t detect_page_size(std::size_t max_candidate = 256);

private:
    Bus& bus_;
    std::uint8_t base_;
    ChipModel model_;
    ArrayOptions opts_;
};

} // namespace ddrspd
