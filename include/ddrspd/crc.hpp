// SPDX-License-Identifier: GPL-2.0-or-later
// JEDEC SPD CRC-16 (CRC-16/XMODEM: poly 0x1021, init 0, no reflection), per-block.
#pragma once

#include <ddrspd/image.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ddrspd {

std::uint16_t crc16(std::span<const std::uint8_t> data) noexcept;

struct CrcBlock {
    std::string name;     // "base", "block1" (DDR4 128-253)
    std::size_t first;    // first covered byte
    std::size_t last;     // last covered byte (inclusive)
    std::size_t stored_at; // LSB position; MSB at stored_at + 1
    bool present;         // false when the image is too short to hold the block and its CRC
    std::uint16_t stored; // valid only if present
    std::uint16_t computed;
    bool ok;              // present && stored == computed
};

// Every JEDEC CRC block for the image's memory type, base block first:
//  DDR3: 0-116 (byte 0 bit 7 = 1) or 0-125 -> 126/127
//  DDR4: 0-125 -> 126/127, 128-253 -> 254/255
//  DDR5: 0-509 -> 510/511
// Empty for other types.
std::vector<CrcBlock> crc_blocks(const Image& img);

// Rewrites only the CRC bytes of present blocks whose stored value is wrong.
// Returns the number of blocks fixed.
int fix_crcs(Image& img);

} // namespace ddrspd
