// SPDX-License-Identifier: GPL-2.0-or-later
// tools/prog_common: byte ranges, changed pages, the hex grid, sizes and the field diff that
// spd-prog prints after a write. Expected values are written out here.
#include "prog_common.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/error.hpp>

#include <vector>

#include <catch2/catch.hpp>

using prog::ByteRange;

TEST_CASE("diff_ranges merges neighbours and counts a size difference") {
    const std::vector<std::uint8_t> a = {1, 2, 3, 4, 5, 6};
    const std::vector<std::uint8_t> b = {1, 9, 9, 4, 5, 7, 8};
    const auto r = prog::diff_ranges(a, b);
    REQUIRE(r == std::vector<ByteRange>{{1, 2}, {5, 6}});
    CHECK(prog::range_bytes(r) == 4);
    CHECK(prog::diff_ranges(a, b, 0x100) == std::vector<ByteRange>{{0x101, 0x102}, {0x105, 0x106}});
    CHECK(prog::diff_ranges(a, a).empty());
}

TEST_CASE("format_ranges pads to the address space and summarises long lists") {
    CHECK(prog::format_ranges({{0x7e, 0x7f}, {0x140, 0x140}}) == "0x07e-0x07f, 0x140");
    CHECK(prog::format_ranges({{0x10, 0x10}}, 32768) == "0x0010");
    std::vector<ByteRange> many;
    for (std::size_t i = 0; i < 20; ++i)
        many.emplace_back(i * 2, i * 2);
    const std::string s = prog::format_ranges(many, 256, 3);
    CHECK(s == "0x000, 0x002, 0x004, ... and 17 more ranges");
}

TEST_CASE("changed_pages uses absolute page boundaries") {
    std::vector<std::uint8_t> a(64, 0), b(64, 0);
    b[0] = 1;  // page 0
    b[17] = 1; // page 16
    b[18] = 1; // same page
    b[63] = 1; // page 48
    CHECK(prog::changed_pages(a, b, 16) == std::vector<std::size_t>{0, 16, 48});
    // Data starting at 0x1004 with 8-byte pages: byte 0 is in page 0x1000, byte 4 in 0x1008.
    std::vector<std::uint8_t> c(8, 0), d(8, 0);
    d[0] = 1;
    d[4] = 1;
    CHECK(prog::changed_pages(c, d, 8, 0x1004) == std::vector<std::size_t>{0x1000, 0x1008});
}

TEST_CASE("hex_grid is the i2cdump layout, with a base address") {
    std::vector<std::uint8_t> bytes(18);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(0x41 + i);
    bytes[1] = 0x00;
    bytes[2] = 0x07;
    const std::string header =
        "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef\n";
    const std::string blank_cells(14 * 3, ' ');
    CHECK(prog::hex_grid(bytes) ==
          header + "00: 41 00 07 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50    A.?DEFGHIJKLMNOP\n" +
              "10: 51 52 " + blank_cells + "   QR" + std::string(14, ' ') + "\n");
    // Starting in mid-row leaves the leading cells blank; the row address has 3 digits.
    CHECK(prog::hex_grid(std::vector<std::uint8_t>{0xff, 0x30}, 0x10e) ==
          header + "100: " + blank_cells + "ff 30    " + std::string(14, ' ') + ".0\n");
}

TEST_CASE("parse_size and parse_i2c_addr") {
    CHECK(prog::parse_size("4096", "x") == 4096);
    CHECK(prog::parse_size("0x100", "x") == 256);
    CHECK(prog::parse_size("4k", "x") == 4096);
    CHECK(prog::parse_size("32KiB", "x") == 32768);
    CHECK_THROWS_AS(prog::parse_size("12q", "x"), ddrspd::UsageError);
    CHECK_THROWS_AS(prog::parse_size("", "x"), ddrspd::UsageError);
    CHECK(prog::parse_i2c_addr("0x50", "a") == 0x50);
    CHECK(prog::parse_i2c_addr("81", "a") == 81);
    CHECK_THROWS_AS(prog::parse_i2c_addr("0x80", "a"), ddrspd::UsageError);
    CHECK_THROWS_AS(prog::parse_i2c_addr("0x5g", "a"), ddrspd::UsageError);
}

TEST_CASE("diff_fields names what changed, in people's words") {
    ddrspd::ModuleDescription d; // DDR4 by default
    d.part_number = "BEFORE";
    d.timings["tAA"] = 13.75;
    const ddrspd::Image before = ddrspd::build_image(d);
    ddrspd::Image after = before;
    ddrspd::set_field(after, "tAA", "12.5");
    ddrspd::set_field(after, "part_number", "AFTER");
    const auto changes = prog::diff_fields(before, after);
    auto find = [&](std::string_view name) -> const prog::FieldChange* {
        for (const auto& c : changes)
            if (c.name == name)
                return &c;
        return nullptr;
    };
    const auto* taa = find("tAA min");
    REQUIRE(taa != nullptr);
    CHECK(prog::format_change(*taa) == "tAA min 13.750 ns -> 12.500 ns");
    const auto* part = find("part number");
    REQUIRE(part != nullptr);
    CHECK(part->before == "BEFORE");
    CHECK(part->after == "AFTER");
    // tAA is in the base block: its CRC changed; the part number is outside the CRC blocks.
    CHECK(find("CRC base (bytes 0-125)") != nullptr);
    CHECK(find("CRC block1 (bytes 128-253)") == nullptr);
    CHECK(find("tRCD min") == nullptr);
    CHECK(prog::diff_fields(before, before).empty());
}

TEST_CASE("shell_quote") {
    CHECK(prog::shell_quote("emu:ddr4@0x50=/tmp/a.bin") == "emu:ddr4@0x50=/tmp/a.bin");
    CHECK(prog::shell_quote("bcm2835 (i2c@7e804000)") == "'bcm2835 (i2c@7e804000)'");
    CHECK(prog::shell_quote("it's") == "'it'\\''s'");
    CHECK(prog::shell_quote("") == "''");
}
