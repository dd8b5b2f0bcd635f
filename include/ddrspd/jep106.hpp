// SPDX-License-Identifier: GPL-2.0-or-later
// JEP106 manufacturer identification codes (table is data: src/jep106.tsv).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ddrspd {

// True when b has an odd number of 1 bits (JEP106 parity).
bool odd_parity(std::uint8_t b) noexcept;

struct Manufacturer {
    std::uint8_t count_byte = 0; // raw SPD byte: continuation count with parity in bit 7
    std::uint8_t code_byte = 0;  // raw SPD byte: code with parity in bit 7
    unsigned bank = 0;           // 1-based bank (count + 1)
    std::uint8_t code = 0;       // 7-bit code (1..126)
    bool count_parity_ok = false;
    bool code_parity_ok = false;
    bool defined = false;        // false for 00 00 / FF FF (field left empty)
    bool known = false;          // found in the table
    std::string name;            // table name; "Unknown (bank B, code 0xCC)"; "Undefined"; "Invalid"

    bool valid() const noexcept { return defined && count_parity_ok && code_parity_ok && known; }
    // "0x80CE"-style id (count byte then code byte).
    std::string id() const;
};

// Decodes the DDR3/DDR4/DDR5 two-byte form (count byte, code byte).
Manufacturer decode_manufacturer(std::uint8_t count_byte, std::uint8_t code_byte);

// Table lookup by 1-based bank and 7-bit code; empty view when unknown.
std::string_view jep106_name(unsigned bank, std::uint8_t code) noexcept;

// Reverse lookup for editors: case-insensitive exact name match, else unique prefix/substring
// match. Returns the (count, code) SPD bytes with parity. Throws UsageError when not found or
// ambiguous (the message lists candidates).
std::pair<std::uint8_t, std::uint8_t> jep106_find(std::string_view name);

// Number of table entries (for tests).
std::size_t jep106_size() noexcept;

} // namespace ddrspd
