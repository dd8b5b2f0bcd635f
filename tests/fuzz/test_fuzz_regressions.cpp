// SPDX-License-Identifier: GPL-2.0-or-later
// Regression tests for inputs the fuzz targets (tests/fuzz/fuzz_*.cpp) found or that pin the
// properties those targets check. Each case names the target and what went wrong.
#include "../unit/require_error.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace ddrspd;

TEST_CASE("fuzz_dump: the largest image survives the i2cdump round trip", "[fuzz]") {
    std::vector<std::uint8_t> bytes(max_image_size);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(i * 7);
    const auto parsed = parse_dump(format_i2cdump(bytes), "big.txt", DumpFormat::I2cdump);
    CHECK(parsed.image.bytes() == bytes);
}

TEST_CASE("fuzz_decode: 3-byte images of every supported type decode and check", "[fuzz]") {
    for (const std::uint8_t type : {std::uint8_t{0x0B}, std::uint8_t{0x0C}, std::uint8_t{0x12}}) {
        const Image img(std::vector<std::uint8_t>{0xFF, 0xFF, type});
        const SpdInfo info = decode(img);
        CHECK(info.type == img.memory_type());
        const Report report = check(img);
        CHECK_FALSE(report.ok());
    }
}

TEST_CASE("fuzz_emulator: a read longer than any chip stays a bus answer", "[fuzz]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50);
    std::vector<std::uint8_t> rd(1099);
    const std::uint8_t offset = 0;
    try {
        bus.write_read(0x50, {&offset, 1}, rd);
    } catch (const BusError&) {
        // a length limit of the adapter is fine; anything else is not
    }
    CHECK(bus.contents(0x50).size() == 512);
}

namespace {

// The crash input's description without its garbage (plus CL10, which the default tAA needs);
// extra replaces "speed = 1333" when it sets tck_ns.
ModuleDescription ddr3_description(const std::string& extra) {
    const std::string speed = extra.starts_with("tck_ns") ? "" : "speed = 1333\n";
    return parse_description("type = DDR3\nmodule_type = UDIMM\ndie_density_mbit = 1024\n"
                             "device_width = 8\nranks = 1\nbus_width = 64\nbanks = 8\n"
                             "rows = 16\ncolumns = 10\ncas_latencies = 5,6,7,8,9,10\n" +
                                 speed + extra,
                             "fuzz.desc");
}

} // namespace

// Found by the session 3 campaign (crash-7d7cc6aa...): a time far beyond what its field holds
// made std::llround() leave the range of long long; the resulting negative count slipped past
// the "too large" check, and cl_needed() then converted an out-of-range double to int (UBSan
// float-cast-overflow; without UBSan a garbage tAA byte and a CAS check that always passed).
TEST_CASE("fuzz_builder: a huge time is refused as too large, not stored", "[fuzz]") {
    for (const char* v : {"1444444444444444444444444444444443.53", "1e300", "9.3e18", "40"}) {
        INFO(v);
        require_error([&] { (void)build_image(ddr3_description(fmt::format("tAA = {}\n", v))); },
                      "tAA: ");
        require_error([&] { (void)build_image(ddr3_description(fmt::format("tAA = {}\n", v))); },
                      "too large");
    }
    Image img = build_image(ddr3_description(""));
    const Image before = img;
    for (const char* field : {"tAA", "tRFC1", "tck", "xmp1.tAA"}) {
        INFO(field);
        require_error([&] { set_field(img, field, "1e300"); }, "too large");
        CHECK(img.bytes() == before.bytes());
    }
}

TEST_CASE("fuzz_builder: a time too small to store is refused, not stored as 0", "[fuzz]") {
    require_error([] { (void)build_image(ddr3_description("tck_ns = 1e-300\n")); },
                  "tck_ns: 1e-300 ns is too small");
    require_error([] { (void)build_image(ddr3_description("tRCD = 0.0001\n")); },
                  "tRCD: 0.0001 ns is too small");
    Image img = build_image(ddr3_description(""));
    const Image before = img;
    require_error([&] { set_field(img, "tck", "0.0000001"); }, "too small");
    CHECK(img.bytes() == before.bytes());
}

// The range check now runs before rounding: the largest storable time must still be accepted
// and the next picosecond refused (DDR3 tAA: one MTB byte, 255 x 0.125 ns, plus a fine byte).
TEST_CASE("fuzz_builder: the range check before rounding keeps the exact limit", "[fuzz]") {
    const Image base = build_image(ddr3_description(""));
    for (const char* v : {"31.875", "31.8754"}) {
        INFO(v);
        Image img = base;
        set_field(img, "tAA", v);
        CHECK(decode(img).timing("tAA")->ns == Approx(31.875));
    }
    for (const char* v : {"31.8755", "31.876"}) {
        Image img = base;
        require_error([&] { set_field(img, "tAA", v); }, "tAA: " + std::string(v) +
                                                             " ns is too large for this field "
                                                             "(max 31.875 ns)");
    }
}
