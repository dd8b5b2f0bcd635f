// SPDX-License-Identifier: GPL-2.0-or-later
// CRC-16/XMODEM and the JEDEC CRC blocks. Vectors from spd-reference.md section 1.4.
#include <ddrspd/crc.hpp>

#include <string_view>

#include <catch2/catch.hpp>

using namespace ddrspd;

namespace {

using Rows = std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>>;

std::vector<std::uint8_t> from_rows(std::size_t size, const Rows& rows) {
    std::vector<std::uint8_t> b(size, 0);
    for (const auto& [at, row] : rows)
        std::copy(row.begin(), row.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
    return b;
}

// T2: Patriot PSD34G13332 DDR3, bytes 0-127 (byte 0 = 0x92: CRC covers 0-116).
std::vector<std::uint8_t> t2() {
    return from_rows(256, {
                              {0x00,
                               {0x92, 0x10, 0x0b, 0x02, 0x03, 0x19, 0x00, 0x09, 0x03, 0x52, 0x01,
                                0x08, 0x0c, 0x00, 0x3c, 0x00}},
                              {0x10,
                               {0x69, 0x78, 0x69, 0x30, 0x69, 0x11, 0x20, 0x89, 0x00, 0x05, 0x3c,
                                0x3c, 0x00, 0xf0, 0x83, 0x01}},
                              {0x30,
                               {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x0f, 0x11, 0x01, 0x01}},
                              {0x70,
                               {0x00, 0x00, 0x00, 0x00, 0x00, 0x85, 0x02, 0x02, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0xfd, 0xba}},
                          });
}

// T4: edlf/DDR5SPDEditor "Sample DDR5 5600.spd", the non-zero bytes of 0-511.
std::vector<std::uint8_t> t4() {
    return from_rows(1024, {
                               {0x000,
                                {0x30, 0x10, 0x12, 0x02, 0x04, 0x00, 0x20, 0x62, 0x00, 0x00, 0x00,
                                 0x00, 0x60, 0x00, 0x00, 0x00}},
                               {0x010,
                                {0x00, 0x00, 0x00, 0x00, 0x65, 0x01, 0xF2, 0x03, 0x72, 0xAD, 0x00,
                                 0x00, 0x00, 0x00, 0x2C, 0x40}},
                               {0x020,
                                {0x2C, 0x40, 0x2C, 0x40, 0x00, 0x7D, 0x2C, 0xBD, 0x30, 0x75, 0x27,
                                 0x01, 0xA0, 0x00, 0x82, 0x00}},
                               {0x040,
                                {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x88, 0x13, 0x08, 0x88, 0x13,
                                 0x08, 0x20, 0x4E, 0x20, 0x10}},
                               {0x050,
                                {0x27, 0x10, 0xA4, 0x2C, 0x20, 0x10, 0x27, 0x10, 0xC4, 0x09, 0x04,
                                 0x4C, 0x1D, 0x0C, 0x00, 0x00}},
                               {0x0C0,
                                {0x10, 0x00, 0x00, 0x00, 0x80, 0x12, 0x00, 0x00, 0x82, 0x12, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00}},
                               {0x0E0,
                                {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x33, 0x01, 0x85, 0x08,
                                 0x22, 0x00, 0x00, 0x00, 0x00}},
                               {0x1F0,
                                {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x9F, 0x9E}},
                           });
}

// A DDR4 image with arbitrary data in both CRC blocks and wrong CRCs.
Image ddr4_sample() {
    std::vector<std::uint8_t> b(512);
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<std::uint8_t>(i * 13 + 1);
    b[0] = 0x23;
    b[2] = 0x0C;
    return Image(b);
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

} // namespace

TEST_CASE("crc16 is CRC-16/XMODEM", "[crc]") {
    CHECK(crc16(bytes_of("123456789")) == 0x31C3);
    CHECK(crc16(std::vector<std::uint8_t>(126, 0)) == 0x0000);
    CHECK(crc16({}) == 0x0000);
    CHECK(crc16(bytes_of("A")) == 0x58E5);
}

TEST_CASE("T2: DDR3 with byte 0 bit 7 set covers 0-116", "[crc]") {
    const auto b = t2();
    CHECK(crc16(std::span(b).first(117)) == 0xBAFD);
    CHECK(crc16(std::span(b).first(126)) == 0x98FA); // the wrong range gives another value

    const auto blocks = crc_blocks(Image(b));
    REQUIRE(blocks.size() == 1);
    const CrcBlock& base = blocks[0];
    CHECK(base.name == "base");
    CHECK(base.first == 0);
    CHECK(base.last == 116);
    CHECK(base.stored_at == 126);
    CHECK(base.present);
    CHECK(base.stored == 0xBAFD);
    CHECK(base.computed == 0xBAFD);
    CHECK(base.ok);

    // Byte 0 bit 7 clear: the range grows to 0-125 and the stored CRC no longer fits.
    auto wide = b;
    wide[0] = 0x12;
    const auto w = crc_blocks(Image(wide));
    REQUIRE(w.size() == 1);
    CHECK(w[0].last == 125);
    CHECK_FALSE(w[0].ok);
}

TEST_CASE("T3: coreboot spd_tools DDR4 bytes 0-125", "[crc]") {
    // The first 16 bytes are the published ones; the vector over the whole block is checked
    // against the real file in test_crc_corpus.
    const std::vector<std::uint8_t> first16 = {0x23, 0x11, 0x0C, 0x03, 0x45, 0x21, 0x00, 0x08,
                                               0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00};
    Image img(first16);
    img.bytes().resize(128);
    const auto blocks = crc_blocks(img);
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0].present);
    CHECK_FALSE(blocks[1].present); // 128 bytes: block 1 and its CRC are missing
    CHECK(blocks[1].name == "block1");
    CHECK(blocks[1].first == 128);
    CHECK(blocks[1].last == 253);
    CHECK(blocks[1].stored_at == 254);
}

TEST_CASE("T4: DDR5 covers 0-509", "[crc]") {
    const auto b = t4();
    CHECK(crc16(std::span(b).first(510)) == 0x9E9F);
    const auto blocks = crc_blocks(Image(b));
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].first == 0);
    CHECK(blocks[0].last == 509);
    CHECK(blocks[0].stored_at == 510);
    CHECK(blocks[0].stored == 0x9E9F);
    CHECK(blocks[0].ok);

    // 512 bytes still hold the CRC; 511 do not.
    CHECK(crc_blocks(Image({b.begin(), b.begin() + 512}))[0].ok);
    const auto cut = crc_blocks(Image({b.begin(), b.begin() + 511}));
    CHECK_FALSE(cut[0].present);
    CHECK_FALSE(cut[0].ok);
    CHECK(cut[0].computed == 0x9E9F); // the covered bytes are all there
}

TEST_CASE("crc_blocks for other types is empty", "[crc]") {
    CHECK(crc_blocks(Image()).empty());
    CHECK(crc_blocks(Image({0x92, 0x10})).empty());
    std::vector<std::uint8_t> ddr2(256, 0);
    ddr2[2] = 0x08;
    CHECK(crc_blocks(Image(ddr2)).empty());
    ddr2[2] = 0x0D; // reserved
    CHECK(crc_blocks(Image(ddr2)).empty());
}

TEST_CASE("fix_crcs rewrites only the CRC bytes", "[crc]") {
    Image img = ddr4_sample();
    const auto before = img.bytes();
    const auto blocks = crc_blocks(img);
    REQUIRE(blocks.size() == 2);
    REQUIRE_FALSE(blocks[0].ok);
    REQUIRE_FALSE(blocks[1].ok);

    CHECK(fix_crcs(img) == 2);
    for (std::size_t i = 0; i < img.size(); ++i) {
        if (i == 126 || i == 127 || i == 254 || i == 255)
            continue;
        INFO("byte " << i);
        REQUIRE(img[i] == before[i]);
    }
    const std::uint16_t base = crc16(std::span(before).first(126));
    const std::uint16_t block1 = crc16(std::span(before).subspan(128, 126));
    CHECK(img[126] == (base & 0xFF));
    CHECK(img[127] == (base >> 8));
    CHECK(img[254] == (block1 & 0xFF));
    CHECK(img[255] == (block1 >> 8));
    for (const CrcBlock& b : crc_blocks(img))
        CHECK(b.ok);
    CHECK(fix_crcs(img) == 0); // nothing left to fix

    // Only the block that is wrong is touched.
    img[200] ^= 0x01;
    const auto after_flip = img.bytes();
    CHECK(fix_crcs(img) == 1);
    CHECK(img[126] == after_flip[126]);
    CHECK(img[127] == after_flip[127]);
}

TEST_CASE("fix_crcs leaves absent blocks alone", "[crc]") {
    Image img = ddr4_sample();
    img.bytes().resize(200); // block 1 cut
    const auto before = img.bytes();
    CHECK(fix_crcs(img) == 1);
    CHECK(img.size() == 200);
    CHECK(crc_blocks(img)[0].ok);
    CHECK(std::equal(img.bytes().begin() + 128, img.bytes().end(), before.begin() + 128));

    Image tiny({0x92, 0x10, 0x0B});
    CHECK(fix_crcs(tiny) == 0);
    CHECK(tiny.size() == 3);
}
