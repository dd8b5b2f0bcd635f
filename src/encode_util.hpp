// SPDX-License-Identifier: GPL-2.0-or-later
// Private: where the DDR3/DDR4 fields that builder.cpp writes and fields.cpp edits live, as
// tables (spd-reference.md sections 2.2, 2.3, 2.5), and the encoders shared by both.
#pragma once

#include <ddrspd/types.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddrspd::detail {

inline constexpr int mtb_ps = 125; // the only medium timebase DDR3/DDR4 define

// A minimum time: medium-timebase count (8, 12 or 16 bits) plus an optional signed fine
// correction byte in 1 ps units. Offsets are relative to the section start (0 for the base
// section, the profile start for XMP).
struct TimeLayout {
    std::string_view name;
    std::uint16_t lsb;        // bits 7:0 of the MTB count
    std::int16_t hi = -1;     // byte holding the upper bits, -1 if none
    std::uint8_t hi_mask = 0; // 0x0F: bits 11:8 in the low nibble, 0xF0: in the high
                              // nibble, 0xFF: bits 15:8 (16-bit little-endian count)
    std::int16_t fine = -1;   // fine correction byte, -1 if none
};

// clang-format off
// JESD21-C Annex K (DDR3), bytes 12..38.
inline constexpr TimeLayout ddr3_tck{"tCK", 12, -1, 0, 34};
inline constexpr std::array<TimeLayout, 11> ddr3_timings{{
    {"tAA",   16, -1, 0,    35},
    {"tWR",   17},
    {"tRCD",  18, -1, 0,    36},
    {"tRRD",  19},
    {"tRP",   20, -1, 0,    37},
    {"tRAS",  22, 21, 0x0F},
    {"tRC",   23, 21, 0xF0, 38},
    {"tRFC1", 24, 25, 0xFF},
    {"tWTR",  26},
    {"tRTP",  27},
    {"tFAW",  29, 28, 0x0F},
}};

// JESD21-C Annex L (DDR4), bytes 18..45 and fine offsets 117..125.
inline constexpr TimeLayout ddr4_tck{"tCK", 18, -1, 0, 125};
inline constexpr TimeLayout ddr4_tck_max{"tCKmax", 19, -1, 0, 124};
inline constexpr std::array<TimeLayout, 15> ddr4_timings{{
    {"tAA",    24, -1, 0,    123},
    {"tRCD",   25, -1, 0,    122},
    {"tRP",    26, -1, 0,    121},
    {"tRAS",   28, 27, 0x0F},
    {"tRC",    29, 27, 0xF0, 120},
    {"tRFC1",  30, 31, 0xFF},
    {"tRFC2",  32, 33, 0xFF},
    {"tRFC4",  34, 35, 0xFF},
    {"tFAW",   37, 36, 0x0F},
    {"tRRD_S", 38, -1, 0,    119},
    {"tRRD_L", 39, -1, 0,    118},
    {"tCCD_L", 40, -1, 0,    117},
    {"tWR",    42, 41, 0x0F},
    {"tWTR_S", 44, 43, 0x0F},
    {"tWTR_L", 45, 43, 0xF0},
}};

// Intel XMP 1.x (DDR3) profile, offsets from the profile start (185 / 220).
inline constexpr TimeLayout xmp3_tck{"tCK", 1, -1, 0, 26};
inline constexpr std::array<TimeLayout, 12> xmp3_timings{{
    {"tAA",   2,  -1, 0,    27},
    {"tCWL",  5},
    {"tRP",   6,  -1, 0,    28},
    {"tRCD",  7,  -1, 0,    29},
    {"tWR",   8},
    {"tRAS",  10, 9,  0x0F},
    {"tRC",   11, 9,  0xF0, 30},
    {"tRFC1", 14, 15, 0xFF},
    {"tRTP",  16},
    {"tRRD",  17},
    {"tFAW",  19, 18, 0x0F},
    {"tWTR",  20},
}};

// Intel XMP 2.0 (DDR4) profile, offsets from the profile start (393 / 440).
inline constexpr TimeLayout xmp4_tck{"tCK", 3, -1, 0, 38};
inline constexpr std::array<TimeLayout, 11> xmp4_timings{{
    {"tAA",    8,  -1, 0,    37},
    {"tRCD",   9,  -1, 0,    36},
    {"tRP",    10, -1, 0,    35},
    {"tRAS",   12, 11, 0x0F},
    {"tRC",    13, 11, 0xF0, 34},
    {"tRFC1",  14, 15, 0xFF},
    {"tRFC2",  16, 17, 0xFF},
    {"tRFC4",  18, 19, 0xFF},
    {"tFAW",   21, 20, 0x0F},
    {"tRRD_S", 22, -1, 0,    33},
    {"tRRD_L", 23, -1, 0,    32},
}};
// clang-format on

// Where one generation keeps its XMP section.
struct XmpLayout {
    std::uint16_t header;                 // 0x0C 0x4A id, then enable bits, revision
    std::array<std::uint16_t, 2> profile; // profile starts
    std::uint16_t profile_size;
    std::uint8_t revision; // value written to header + 3
    TimeLayout tck;
    std::uint16_t cas; // CAS bitmap offset in the profile
    std::span<const TimeLayout> timings;
};
inline constexpr XmpLayout xmp_ddr3{176, {185, 220}, 35, 0x13, xmp3_tck, 3, xmp3_timings};
inline constexpr XmpLayout xmp_ddr4{384, {393, 440}, 47, 0x20, xmp4_tck, 4, xmp4_timings};

// Module and manufacturing data of one generation.
struct MfgLayout {
    std::uint16_t manufacturer; // 2 bytes: continuation count, code
    std::uint16_t location;
    std::uint16_t date;   // BCD year, BCD week
    std::uint16_t serial; // 4 bytes, most significant first (as decode-dimms prints it)
    std::uint16_t part_number;
    std::uint8_t part_number_len;
    std::uint16_t revision;
    std::uint8_t revision_len; // 2 (DDR3, big-endian) or 1
    std::uint16_t dram_manufacturer;
};
inline constexpr MfgLayout mfg_ddr3{117, 119, 120, 122, 128, 18, 146, 2, 148};
inline constexpr MfgLayout mfg_ddr4{320, 322, 323, 325, 329, 20, 349, 1, 350};
inline constexpr MfgLayout mfg_ddr5{512, 514, 515, 517, 521, 30, 551, 1, 552};

// Base-section layout of one generation (DDR3 or DDR4).
struct GenLayout {
    MemoryType type;
    TimeLayout tck;
    std::span<const TimeLayout> timings;
    std::uint16_t cas; // CAS bitmap (2 bytes DDR3, 4 bytes DDR4)
    const XmpLayout* xmp;
    const MfgLayout* mfg;
};
inline constexpr GenLayout layout_ddr3{MemoryType::DDR3, ddr3_tck, ddr3_timings, 14,
                                       &xmp_ddr3,        &mfg_ddr3};
inline constexpr GenLayout layout_ddr4{MemoryType::DDR4, ddr4_tck, ddr4_timings, 20,
                                       &xmp_ddr4,        &mfg_ddr4};

// nullptr for types other than DDR3/DDR4.
const GenLayout* gen_layout(MemoryType t) noexcept;
// The layout entry named `name` (case-sensitive; "tRFC" finds "tRFC1"), or nullptr.
const TimeLayout* find_time(std::span<const TimeLayout> table, std::string_view name) noexcept;

// --- Encoders. Each throws UsageError naming `field` when the value cannot be stored. ---

// Time in ns -> bytes: MTB count rounded up, negative fine correction (coreboot spd_tools and
// real SPDs do the same). Fields without a fine byte need a multiple of 0.125 ns.
void put_time(std::span<std::uint8_t> b, std::size_t base, const TimeLayout& t, double ns,
              std::string_view field);
double get_time(std::span<const std::uint8_t> b, std::size_t base, const TimeLayout& t);
// Bytes put_time() may change.
std::vector<std::size_t> time_bytes(std::size_t base, const TimeLayout& t);

// CAS latency bitmaps: DDR3 2 bytes, bit i = CL 4 + i; DDR4 4 bytes, bit i = CL 7 + i, or
// CL 23 + i when bit 31 is set.
void put_cas(std::span<std::uint8_t> b, std::size_t at, MemoryType t, const std::vector<int>& cls,
             std::string_view field);
std::vector<int> get_cas(std::span<const std::uint8_t> b, std::size_t at, MemoryType t);
inline constexpr std::size_t cas_bytes(MemoryType t) noexcept {
    return t == MemoryType::DDR3 ? 2 : 4;
}

// XMP VDD byte: DDR3 bits 6:5 volts + bits 4:0 x 0.05 V; DDR4 bit 7 volts + bits 6:0 x 0.01 V.
std::uint8_t encode_xmp_voltage(MemoryType t, double volts, std::string_view field);
double decode_xmp_voltage(MemoryType t, std::uint8_t b) noexcept;

// XMP id (0x0C 0x4A), revision and timebases, as build_image() writes them; enable bits 0.
void put_xmp_header(std::span<std::uint8_t> b, const XmpLayout& x);
// JESD79-3 CAS write latency for a DDR3 clock, as a time rounded up to the MTB (XMP 1.x tCWL).
double ddr3_tcwl_ns(double tck);

// Two-digit BCD.
std::uint8_t to_bcd(int v) noexcept;
int from_bcd(std::uint8_t b) noexcept; // -1 when not BCD

// JEP106 name (see jep106_find) or "0xBBCC" (count byte, code byte with odd parity).
std::pair<std::uint8_t, std::uint8_t> parse_manufacturer(std::string_view value,
                                                         std::string_view field);

// Space-padded printable ASCII of at most `len` characters.
void put_text(std::span<std::uint8_t> b, std::size_t at, std::size_t len, std::string_view text,
              std::string_view field);

// tCK for a data rate in MT/s; 1333/1866/2133/2666/2933 mean the JEDEC thirds (1333.33...).
// Rounded to 1 ps.
double tck_for_speed(int mts, std::string_view field);

// "13.75", "0.833", "350": at most three decimals, trailing zeros dropped.
std::string format_ns(double ns);

// Parsing helpers for text values; throw UsageError naming `field`.
double parse_double(std::string_view s, std::string_view field);
long long parse_int(std::string_view s, std::string_view field); // decimal or 0x hex
std::vector<int> parse_int_list(std::string_view s, std::string_view field);
bool parse_bool(std::string_view s, std::string_view field);
std::string_view trim(std::string_view s) noexcept;
std::string lower(std::string_view s);

} // namespace ddrspd::detail
