// SPDX-License-Identifier: GPL-2.0-or-later
// Private: read-only identification of SPD devices at 0x50-0x57 (spd-reference.md sections 4-6).
#pragma once

#include <ddrspd/bus.hpp>
#include <ddrspd/spd_device.hpp>
#include <ddrspd/types.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ddrspd::detail {

inline constexpr std::uint8_t kFirstSpd = 0x50;
inline constexpr std::uint8_t kLastSpd = 0x57;

// The SPD generation an image of this memory type belongs to (Unknown for the others).
SpdKind kind_of(MemoryType t);

// From bytes 0-3 as read at offset 0. An SPD5118 hub in its default legacy mode answers
// offsets 0-1 with MR0/MR1 = 0x51 0x18 (0x08: hub without sensor), not with SPD bytes.
SpdKind classify(std::span<const std::uint8_t, 4> head);

// Bytes of the device: 256 (DDR3 and unknown: the legacy view), 512 (DDR4), 1024 (DDR5).
std::size_t device_size(SpdKind k);

struct Found {
    std::uint8_t addr;
    SpdKind kind;
    std::uint8_t byte2;
};

// Read-only: one-byte read probes (up to `tries`, since a NACK may be a glitch and a module
// missed here is a module whose safety is not considered), then a random read of bytes 0-3.
std::optional<Found> identify(Bus& bus, std::uint8_t addr, int tries);

// identify() at every address 0x50-0x57.
std::vector<Found> scan_found(Bus& bus, int tries);

// Only when every device in `found` reads as DDR4 (nothing else may be sent to 0x36): asks
// RPA, up to 3 times, for the ACK that only an EE1004 in page 0 gives. Without it the "DDR4"
// bytes came from a plain EEPROM holding a DDR4 image, or from page 1 of a module another
// program left there: all of them are downgraded to Unknown. Returns true when RPA ACKed.
bool confirm_ee1004(Bus& bus, std::vector<Found>& found);

// jc42 ambient temperature register (big endian): bits 12:0 two's complement, 1/16 degC.
double jc42_celsius(std::uint8_t msb, std::uint8_t lsb);

} // namespace ddrspd::detail
