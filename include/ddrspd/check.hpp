// SPDX-License-Identifier: GPL-2.0-or-later
// Validation of an image: findings as data, never exceptions.
#pragma once

#include <ddrspd/crc.hpp>
#include <ddrspd/image.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddrspd {

enum class Severity { Info, Warning, Error };
std::string_view to_string(Severity s) noexcept; // "info", "warning", "error"

struct Finding {
    Severity severity;
    std::string code;              // stable, kebab-case, e.g. "crc-mismatch"; see check.cpp table
    std::optional<std::size_t> offset; // byte offset the finding is about, if any
    std::string message;           // one human sentence, no trailing period
};

struct Report {
    std::vector<CrcBlock> crc;     // as crc_blocks()
    std::vector<Finding> findings;
    // No finding of severity Error.
    bool ok() const noexcept;
};

// Stable codes (add, never rename):
//  empty-image, unknown-memory-type, unsupported-memory-type, truncated (offset = first missing
//  byte; message names the missing CRC blocks/areas), bytes-used-exceeds-data,
//  invalid-byte0 (reserved size encoding), crc-mismatch (offset = stored_at), crc-missing
//  (block not present), crc-zero (stored CRC 0x0000 over non-zero data, e.g. coreboot
//  spd_tools), invalid-timebase, jep106-parity (offset = count or code byte),
//  jep106-unknown, part-number-nonprintable, timing-inconsistent (e.g. tRC < tRAS + tRP),
//  zero-timing (a required timing is 0), blank-image (all 0x00 or all 0xFF).
Report check(const Image& img);

struct SpdInfo;
// The same report for a caller that already has `info` = decode(img) of this very image
// (spd-check prints both): the timing checks use it instead of decoding a second time.
Report check(const Image& img, const SpdInfo& info);

} // namespace ddrspd
