// SPDX-License-Identifier: GPL-2.0-or-later
// Internal: "emu:..." spec grammar (documented in include/ddrspd/emulator.hpp) and the image
// files behind emulated devices.
#pragma once

#include <ddrspd/emulator.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ddrspd::emu {

struct DeviceItem {
    std::string item; // the spec item, for messages
    std::string kind; // "ddr4", "24c02"...
    std::uint8_t addr = 0;
    std::optional<std::string> file;
};

// vhv=ADDR, wp=ADDR:BLOCKS, page=ADDR:N
struct AddrItem {
    std::string item;
    std::uint8_t addr = 0;
    unsigned value = 0;
};

struct Spec {
    EmuOptions opts;
    std::vector<DeviceItem> devices;
    std::vector<AddrItem> vhv;
    std::vector<AddrItem> wp;
    std::vector<AddrItem> page;
};

// Grammar only (device names are checked by the bus). Throws UsageError naming the item.
Spec parse_spec(std::string_view spec);

// "0x50", "80", "0b1010000" is not accepted: hex with 0x, else decimal.
std::optional<std::uint64_t> parse_number(std::string_view text);

// nullopt when the file does not exist; FileError when it cannot be read.
std::optional<std::vector<std::uint8_t>> read_file_if_exists(const std::string& path);
// temp file in the same directory + rename; FileError naming the file on failure.
void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);
bool file_exists(const std::string& path);

} // namespace ddrspd::emu
