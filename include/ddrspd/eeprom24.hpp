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

// The built-in table (data, src/chips.cpp). find throws UsageError listing valid names.
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
    // restores the window afterwards. See the man page for the risks.
    std::size_t detect_page_size(std::size_t max_candidate = 256);

private:
    Bus& bus_;
    std::uint8_t base_;
    ChipModel model_;
    ArrayOptions opts_;
};

} // namespace ddrspd
