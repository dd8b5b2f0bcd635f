// SPDX-License-Identifier: GPL-2.0-or-later
// Small vocabulary types shared by the whole API.
#pragma once

#include <cstdint>
#include <string_view>

namespace ddrspd {

// SPD byte 2, "DRAM device type" (JEDEC key byte). Only DDR3, DDR4 and DDR5 are supported;
// the others are named so messages can say what a file is.
enum class MemoryType : std::uint8_t {
    Unknown = 0x00,
    FPM = 0x01,
    EDO = 0x02,
    PipelinedNibble = 0x03,
    SDR = 0x04,
    ROM = 0x05,
    DDRSGRAM = 0x06,
    DDR = 0x07,
    DDR2 = 0x08,
    DDR2FBDIMM = 0x09,
    DDR2FBDIMMProbe = 0x0A,
    DDR3 = 0x0B,
    DDR4 = 0x0C,
    DDR4E = 0x0E,
    LPDDR3 = 0x0F,
    LPDDR4 = 0x10,
    LPDDR4X = 0x11,
    DDR5 = 0x12,
    LPDDR5 = 0x13,
    DDR5NVDIMMP = 0x14,
    LPDDR5X = 0x15,
};

// Memory type from the raw byte-2 value (unassigned values map to Unknown).
MemoryType memory_type_from_byte(std::uint8_t b) noexcept;

// "DDR3", "DDR4", "DDR5", "LPDDR4X", ... or "unknown".
std::string_view to_string(MemoryType t) noexcept;

// True for the generations this library decodes and writes (DDR3, DDR4, DDR5 for checks).
bool is_supported(MemoryType t) noexcept;

// Nominal EEPROM size for the type: 256 (<= DDR3), 512 (DDR4), 1024 (DDR5), 0 if unknown.
std::size_t nominal_size(MemoryType t) noexcept;

} // namespace ddrspd
