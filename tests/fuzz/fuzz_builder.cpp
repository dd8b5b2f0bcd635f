// SPDX-License-Identifier: GPL-2.0-or-later
// The builder: parse_description() + build_image() on arbitrary text, and set_field() with
// arbitrary names and values on DDR3/DDR4/DDR5 images.
// Input: [mode] then either description text (mode bit 0 = 0) or, for set_field, an optional
// raw image ([len lo][len hi][bytes], mode bits 1-2 = 3) followed by "name=value" lines.
// Oracles: only UsageError/FormatError are thrown; a built or edited image keeps its size and
// has every present CRC block right after every edit, and decode()/check() accept the final
// image without throwing (once per input: decode and check are fuzz_decode's own targets, and
// running them after every line made this target ~6x slower).
#include "fuzz_common.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/error.hpp>

#include <string>
#include <vector>

using namespace ddrspd;

namespace {

void require_crcs(const Image& img) {
    for (const CrcBlock& b : crc_blocks(img))
        FUZZ_REQUIRE(!b.present || b.ok);
}

void require_consistent(const Image& img) {
    require_crcs(img);
    (void)decode(img);
    (void)check(img);
}

const Image& built(MemoryType type) {
    static const Image ddr4 = [] {
        ModuleDescription d;
        d.xmp = {{{"voltage", 1.35}, {"tck", 0.625}}};
        return build_image(d);
    }();
    static const Image ddr3 = [] {
        ModuleDescription d;
        d.type = MemoryType::DDR3;
        d.tck_ns = 1.5;
        d.rows = 15;
        d.die_density_mbit = 4096;
        return build_image(d);
    }();
    return type == MemoryType::DDR3 ? ddr3 : ddr4;
}

void fuzz_description(std::string_view text) {
    ModuleDescription d;
    try {
        d = parse_description(text, "fuzz.desc");
    } catch (const FormatError&) {
        return;
    }
    Image img;
    try {
        img = build_image(d);
    } catch (const UsageError&) {
        return;
    }
    FUZZ_REQUIRE(img.memory_type() == d.type);
    FUZZ_REQUIRE(img.size() == img.expected_size());
    require_consistent(img);
}

void fuzz_set_field(std::uint8_t mode, fuzz::Reader& in) {
    Image img;
    switch ((mode >> 1) & 3) {
    case 0:
        img = built(MemoryType::DDR4);
        break;
    case 1:
        img = built(MemoryType::DDR3);
        break;
    case 2: {
        std::vector<std::uint8_t> bytes(1024, 0);
        bytes[0] = 0x30;
        bytes[1] = 0x10;
        bytes[2] = 0x12;
        img = Image(std::move(bytes));
        break;
    }
    default: {
        const auto raw = in.bytes(in.u16() % 1100);
        img = Image(std::vector<std::uint8_t>(raw.begin(), raw.end()));
        break;
    }
    }
    std::string_view text = fuzz::as_text(in.rest());
    bool edited = false;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const auto eq = line.find('=');
        const std::string_view name = line.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : line.substr(eq + 1);
        const std::size_t size_before = img.size();
        try {
            set_field(img, name, value);
        } catch (const UsageError&) {
            FUZZ_REQUIRE(img.size() == size_before);
            continue;
        }
        FUZZ_REQUIRE(img.size() == size_before);
        require_crcs(img);
        edited = true;
    }
    if (edited)
        require_consistent(img);
    try {
        (void)list_fields(img);
    } catch (const UsageError&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    const std::uint8_t mode = in.byte();
    if ((mode & 1) == 0)
        fuzz_description(fuzz::as_text(in.rest()));
    else
        fuzz_set_field(mode, in);
    return 0;
}
