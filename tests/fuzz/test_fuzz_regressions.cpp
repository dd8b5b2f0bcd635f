// SPDX-License-Identifier: GPL-2.0-or-later
// Regression tests for inputs the fuzz targets (tests/fuzz/fuzz_*.cpp) found or that pin the
// properties those targets check. Each case names the target and what went wrong.
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
