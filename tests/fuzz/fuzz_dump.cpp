// SPDX-License-Identifier: GPL-2.0-or-later
// parse_dump() with every DumpFormat. Input: [format selector] [file content...].
// Oracles: only FormatError may be thrown; a parsed image is at most max_image_size bytes,
// reports a concrete format, and survives a format_i2cdump() -> parse_dump() round trip.
#include "fuzz_common.hpp"

#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>

#include <array>

using namespace ddrspd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    static constexpr std::array formats{DumpFormat::Auto,    DumpFormat::Raw,
                                        DumpFormat::I2cdump, DumpFormat::HexdumpC,
                                        DumpFormat::Xxd,     DumpFormat::PlainHex};
    const DumpFormat format = formats[in.byte() % formats.size()];
    const std::string_view text = fuzz::as_text(in.rest());

    ParsedDump parsed;
    try {
        parsed = parse_dump(text, "fuzz.txt", format);
    } catch (const FormatError&) {
        return 0;
    }
    FUZZ_REQUIRE(parsed.format != DumpFormat::Auto);
    FUZZ_REQUIRE(format == DumpFormat::Auto || parsed.format == format);
    FUZZ_REQUIRE(parsed.image.size() <= max_image_size);
    FUZZ_REQUIRE(!parsed.image.empty());

    // What we print, we must read back unchanged.
    const std::string grid = format_i2cdump(parsed.image.bytes());
    const ParsedDump again = parse_dump(grid, "roundtrip.txt", DumpFormat::I2cdump);
    FUZZ_REQUIRE(again.image.bytes() == parsed.image.bytes());
    return 0;
}
