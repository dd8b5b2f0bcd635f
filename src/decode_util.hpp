// SPDX-License-Identifier: GPL-2.0-or-later
// Internal helpers shared by the per-generation decoders (decode_ddr3/4/5.cpp, xmp.cpp).
#pragma once

#include <ddrspd/decode.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace ddrspd::detail {

// Per-generation decoders; each fills the fields it knows and leaves the rest at defaults.
void decode_ddr3(const Image& img, SpdInfo& info);
void decode_ddr4(const Image& img, SpdInfo& info);
void decode_ddr5(const Image& img, SpdInfo& info);
void decode_xmp_ddr3(const Image& img, SpdInfo& info);
void decode_xmp_ddr4(const Image& img, SpdInfo& info);

// How a generation turns a minimum time into clocks.
enum class Rounding {
    DDR3, // ceil(t / tCK), with a tiny epsilon against floating-point noise
    DDR4, // ceil(t / tCK - 0.025), the JEDEC DDR4 guard band (decode-dimms does the same)
};

// tCK snapped to the JEDEC grid (2000 / rate for rates that are multiples of 400/3 or 100 MT/s)
// when within 1 ps of it, else tck_ns unchanged. 0 for non-positive input.
double nominal_tck(double tck_ns) noexcept;

// Clocks needed for t_ns at tck_ns; 0 when either is not positive.
int clocks(double t_ns, double tck_ns, Rounding r) noexcept;

// Appends a timing (skipped when t_ns is 0: the field is absent).
void add_timing(std::vector<Timing>& out, const char* name, double t_ns, double tck_ns, Rounding r);

// CAS latencies from a bitmap: bit i -> base + i * step, for i < nbits, ascending.
std::vector<int> cas_from_mask(std::uint64_t mask, int nbits, int base, int step = 1);

// Smallest latency in cas (ascending) >= min_clocks; 0 when none.
int cl_at(const std::vector<int>& cas, int min_clocks) noexcept;

// Signed fine-timebase byte.
inline int fine(std::uint8_t b) noexcept {
    return static_cast<std::int8_t>(b);
}

// Little-endian 16-bit value at off (missing bytes read as 0).
inline unsigned le16(const Image& img, std::size_t off) noexcept {
    return img.at_or_zero(off) | (unsigned{img.at_or_zero(off + 1)} << 8);
}

// Printable ASCII from [off, off+len), stopping at the first non-printable byte, with
// trailing spaces removed.
std::string ascii_field(const Image& img, std::size_t off, std::size_t len);

// Big-endian 32-bit serial number at off.
std::uint32_t serial_at(const Image& img, std::size_t off) noexcept;

// JEP106 ID stored as (count, code) at off, off+1.
Manufacturer manufacturer_at(const Image& img, std::size_t off);

// BCD year (20xx) and week; non-BCD bytes that make sense as binary set Date::binary.
Date bcd_date(std::uint8_t year, std::uint8_t week) noexcept;

// "E.A" from an SPD revision byte; empty for 0xFF (not written).
std::string revision_string(std::uint8_t b);

// JEDEC reference raw card name from the card byte and the extension bits (bits 7:5 of
// the height byte): "A", "B rev 1", "AB rev 2", "ZZ".
std::string raw_card_name(std::uint8_t card, std::uint8_t height_byte);

// Package description and die count: "monolithic", "non-monolithic, 2 dies", "3DS, 4 dies".
std::string package_name(bool monolithic, bool three_ds, int dies);

// Fills speed_mts, speed_name and pc_name from tck_ns and bus_width for DDR<gen>.
void set_speed(SpdInfo& info, int gen);

// Fills standard_speeds for the standard tCKs (fastest first) between tCKmin and tCKmax
// (tck_max_ns 0 = no limit), from tAA/tRCD/tRP/tRAS and the CAS list.
void set_standard_speeds(SpdInfo& info, std::initializer_list<double> standard_tcks, Rounding r);

// Maximum activate count from its 4-bit code (DDR3 byte 41, DDR4 byte 7); "" if reserved.
std::string mac_name(unsigned code);

} // namespace ddrspd::detail
