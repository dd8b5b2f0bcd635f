// SPDX-License-Identifier: GPL-2.0-or-later
// The 24xx I2C EEPROM model table (data). Sizes, word-address widths and device-address block
// bits from Linux at24.c/at24.yaml; page sizes are the usual Microchip 24xx / Atmel AT24 values
// (spd-reference.md section 7.1), the same as the emulator's (src/emu/at24.cpp). Where vendors
// differ the smaller page is listed: a power-of-two page that divides the real one is always
// safe for aligned writes.
#include <ddrspd/eeprom24.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace ddrspd {

const std::vector<ChipModel>& chip_models() {
    // name, bytes, address bytes, page, block bits in the device address, their position
    static const std::vector<ChipModel> table = {
        {"24c01", 128, 1, 8, 0, 0},        // ST M24C01: 16
        {"24c02", 256, 1, 8, 0, 0},        // ST M24C02, onsemi CAT24C02: 16
        {"24c04", 512, 1, 16, 1, 0},       // a8 in A0
        {"24c08", 1024, 1, 16, 2, 0},      // a9..a8 in A1..A0
        {"24c16", 2048, 1, 16, 3, 0},      // a10..a8 in A2..A0
        {"24c32", 4096, 2, 32, 0, 0},      //
        {"24c64", 8192, 2, 32, 0, 0},      //
        {"24c128", 16384, 2, 64, 0, 0},    //
        {"24c256", 32768, 2, 64, 0, 0},    // Fairchild FM24C256: 64
        {"24c512", 65536, 2, 128, 0, 0},   //
        {"24c1024", 131072, 2, 256, 1, 0}, // AT24C1024: a16 in A0
        {"24cm01", 131072, 2, 256, 1, 0},  // AT24CM01, ST M24M01
        {"24c1025", 131072, 2, 128, 1, 2}, // Microchip 24xx1025: a16 in A2 (0x50 + 0x54)
        {"24cm02", 262144, 2, 256, 2, 0},  // AT24CM02, ST M24M02: a17..a16 in A1..A0
    };
    return table;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "32768", "32k", "32KiB" -> bytes; 0 when s is not a size.
std::size_t parse_size(std::string_view s) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end == s.data())
        return 0;
    std::string unit =
        lower(std::string_view(end, static_cast<std::size_t>(s.data() + s.size() - end)));
    if (unit.empty())
        return value;
    if (unit == "k" || unit == "kib" || unit == "kb")
        return value * 1024;
    return 0;
}

} // namespace

// Accepts a model name ("24c256", case-insensitive, an "at" or "m" vendor prefix is ignored:
// "AT24C256", "M24C02") or a size in bytes ("32768", "32k"); a size picks the first model of
// that size, which has the smaller page where two share a size.
const ChipModel& find_chip(std::string_view name) {
    std::string key = lower(name);
    for (std::string_view prefix : {"at", "m"}) {
        if (key.starts_with(prefix) && key.size() > prefix.size() &&
            key.compare(prefix.size(), 2, "24") == 0) {
            key.erase(0, prefix.size());
            break;
        }
    }
    const auto& table = chip_models();
    for (const auto& m : table) {
        if (m.name == key)
            return m;
    }
    if (std::size_t size = parse_size(key); size != 0) {
        for (const auto& m : table) {
            if (m.size == size)
                return m;
        }
    }
    std::string names;
    for (const auto& m : table)
        names += (names.empty() ? "" : ", ") + m.name;
    throw UsageError(fmt::format("unknown EEPROM chip '{}'; valid models: {} (or a size in "
                                 "bytes, e.g. 32768 or 32k)",
                                 name, names));
}

} // namespace ddrspd
