// SPDX-License-Identifier: GPL-2.0-or-later
// check(): one synthetic image per generation that passes, then one defect at a time.
#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/types.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <string>

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

void put_text(std::vector<std::uint8_t>& b, std::size_t at, std::string_view s) {
    std::copy(s.begin(), s.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
}

// spd-reference.md T2 (Patriot DDR3-1333, CRC 0xBAFD over 0-116), part number space padded.
// tCK 1.5 ns, tAA 13.125 ns (CL 9; CL 6-9 supported), tRAS 36 + tRP 13.125 = tRC 49.125 ns.
Image ddr3() {
    auto b = from_rows(256, {
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
    put_text(b, 128, "PSD34G13332       ");
    return Image(b);
}

// DDR4-1600 UDIMM: tCK 1.25 ns, tAA/tRCD/tRP 13.75 ns (CL 11; CL 10-12 supported),
// tRAS 35 ns, tRC 48.75 ns, tRFC1 350 ns; height/thickness set; Samsung IDs; CRCs
// fixed.
Image ddr4() {
    auto b = from_rows(512, {
                                {0,
                                 {0x23, 0x11, 0x0C, 0x02, 0x45, 0x21, 0x00, 0x08, 0x00, 0x60, 0x00,
                                  0x03, 0x01, 0x0B, 0x80, 0x00}},
                                {16,
                                 {0x00, 0x00, 0x0A, 0x1A, 0x38, 0x00, 0x00, 0x00, 0x6E, 0x6E, 0x6E,
                                  0x11, 0x18, 0x86, 0xF0, 0x0A}},
                                {128, {0x11, 0x11}},
                                {320, {0x80, 0xCE}},
                                {350, {0x80, 0xCE}},
                            });
    put_text(b, 329, "M378A1K43BB1-CPB    ");
    Image img(b);
    fix_crcs(img);
    return img;
}

// spd-reference.md T4 (DDR5-5600 sample, CRC 0x9E9F): tCK 357 ps, tAA 16.428 ns -> CL 46.
Image ddr5() {
    return Image(from_rows(1024, {
                                     {0x000,
                                      {0x30, 0x10, 0x12, 0x02, 0x04, 0x00, 0x20, 0x62, 0x00, 0x00,
                                       0x00, 0x00, 0x60, 0x00, 0x00, 0x00}},
                                     {0x010,
                                      {0x00, 0x00, 0x00, 0x00, 0x65, 0x01, 0xF2, 0x03, 0x72, 0xAD,
                                       0x00, 0x00, 0x00, 0x00, 0x2C, 0x40}},
                                     {0x020,
                                      {0x2C, 0x40, 0x2C, 0x40, 0x00, 0x7D, 0x2C, 0xBD, 0x30, 0x75,
                                       0x27, 0x01, 0xA0, 0x00, 0x82, 0x00}},
                                     {0x040,
                                      {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x88, 0x13, 0x08, 0x88,
                                       0x13, 0x08, 0x20, 0x4E, 0x20, 0x10}},
                                     {0x050,
                                      {0x27, 0x10, 0xA4, 0x2C, 0x20, 0x10, 0x27, 0x10, 0xC4, 0x09,
                                       0x04, 0x4C, 0x1D, 0x0C, 0x00, 0x00}},
                                     {0x0C0,
                                      {0x10, 0x00, 0x00, 0x00, 0x80, 0x12, 0x00, 0x00, 0x82, 0x12,
                                       0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
                                     {0x0E0,
                                      {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x33, 0x01, 0x85,
                                       0x08, 0x22, 0x00, 0x00, 0x00, 0x00}},
                                     {0x1FE, {0x9F, 0x9E}},
                                 }));
}

// The image with bytes changed and its CRCs made right again, so only the change shows.
Image with(Image img, std::initializer_list<std::pair<std::size_t, std::uint8_t>> changes,
           bool refix = true) {
    for (const auto& [at, value] : changes)
        img[at] = value;
    if (refix)
        fix_crcs(img);
    return img;
}

Image truncated(Image img, std::size_t size) {
    img.bytes().resize(size);
    return img;
}

std::vector<std::string> codes(const Report& r) {
    std::vector<std::string> out;
    for (const Finding& f : r.findings)
        out.push_back(f.code);
    return out;
}

const Finding* find(const Report& r, std::string_view code) {
    for (const Finding& f : r.findings)
        if (f.code == code)
            return &f;
    return nullptr;
}

std::string describe(const Report& r) {
    std::string all;
    for (const Finding& f : r.findings)
        all += std::string(to_string(f.severity)) + " " + f.code + " @" +
               (f.offset ? std::to_string(*f.offset) : "-") + ": " + f.message + "\n";
    return all;
}

// Findings and CRC blocks as text, to compare two reports whole.
std::string describe_all(const Report& r) {
    std::string all = describe(r);
    for (const CrcBlock& c : r.crc)
        all += c.name + " " + std::to_string(c.first) + "-" + std::to_string(c.last) + " @" +
               std::to_string(c.stored_at) + " " + std::to_string(c.present) + " " +
               std::to_string(c.stored) + " " + std::to_string(c.computed) + " " +
               std::to_string(c.ok) + "\n";
    return all;
}

// Exactly these codes (in any order, repeats counted).
void require_codes(const Report& r, std::vector<std::string> expected) {
    auto got = codes(r);
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
    INFO(describe(r));
    REQUIRE(got == expected);
}

void require_finding(const Report& r, std::string_view code, Severity s,
                     std::optional<std::size_t> offset, std::string_view in_message = {}) {
    INFO(describe(r));
    const Finding* f = find(r, code);
    REQUIRE(f != nullptr);
    CHECK(f->severity == s);
    CHECK(f->offset == offset);
    CHECK(f->message.find(in_message) != std::string::npos);
    CHECK(!f->message.empty());
    CHECK(f->message.back() != '.');
    CHECK(f->message.find('\n') == std::string::npos);
}

const std::set<std::string> documented = {
    "empty-image",
    "unknown-memory-type",
    "unsupported-memory-type",
    "truncated",
    "bytes-used-exceeds-data",
    "invalid-byte0",
    "crc-mismatch",
    "crc-missing",
    "crc-zero",
    "invalid-timebase",
    "jep106-parity",
    "jep106-unknown",
    "part-number-nonprintable",
    "timing-inconsistent",
    "zero-timing",
    "blank-image",
};

} // namespace

TEST_CASE("severity names", "[check]") {
    CHECK(to_string(Severity::Info) == "info");
    CHECK(to_string(Severity::Warning) == "warning");
    CHECK(to_string(Severity::Error) == "error");
}

TEST_CASE("clean images of each generation pass", "[check]") {
    for (const Image& img : {ddr3(), ddr4(), ddr5()}) {
        const Report r = check(img);
        INFO(describe(r));
        CHECK(r.findings.empty());
        CHECK(r.ok());
        CHECK(!r.crc.empty());
        for (const CrcBlock& b : r.crc)
            CHECK(b.ok);
    }
    CHECK(check(ddr4()).crc.size() == 2);
}

TEST_CASE("ok() is false only for errors", "[check]") {
    Report r;
    CHECK(r.ok());
    r.findings.push_back({Severity::Warning, "zero-timing", 16, "tAA (byte 16) is 0"});
    r.findings.push_back({Severity::Info, "invalid-byte0", 0, "x"});
    CHECK(r.ok());
    r.findings.push_back({Severity::Error, "crc-mismatch", 126, "x"});
    CHECK_FALSE(r.ok());
}

TEST_CASE("empty, blank and too short images", "[check]") {
    const Report empty = check(Image());
    require_codes(empty, {"empty-image"});
    require_finding(empty, "empty-image", Severity::Error, std::nullopt);
    CHECK(empty.crc.empty());

    const Report ff = check(Image(std::vector<std::uint8_t>(256, 0xFF)));
    require_codes(ff, {"blank-image"});
    require_finding(ff, "blank-image", Severity::Error, 0, "0xFF");
    CHECK_FALSE(ff.ok());

    const Report zero = check(Image(std::vector<std::uint8_t>(512, 0x00)));
    require_codes(zero, {"blank-image"});
    require_finding(zero, "blank-image", Severity::Error, 0, "0x00");

    const Report two = check(Image({0x92, 0x10}));
    require_codes(two, {"truncated"});
    require_finding(two, "truncated", Severity::Error, 2, "byte 2");
}

TEST_CASE("memory types that cannot be checked", "[check]") {
    for (const std::uint8_t type : {std::uint8_t{0x0D}, std::uint8_t{0xFF}, std::uint8_t{0x00}}) {
        const Report r = check(with(ddr4(), {{2, type}}, false));
        require_codes(r, {"unknown-memory-type"});
        require_finding(r, "unknown-memory-type", Severity::Error, 2);
        CHECK(r.crc.empty());
    }
    const Report ddr2 = check(with(ddr3(), {{2, 0x08}}, false));
    require_codes(ddr2, {"unsupported-memory-type"});
    require_finding(ddr2, "unsupported-memory-type", Severity::Error, 2, "DDR2");
    const Report lp = check(with(ddr4(), {{2, 0x11}}, false));
    require_finding(lp, "unsupported-memory-type", Severity::Error, 2, "LPDDR4X");
}

TEST_CASE("CRC findings", "[check]") {
    SECTION("DDR3 stored CRC wrong") {
        const Report r = check(with(ddr3(), {{126, 0xFC}}, false));
        require_codes(r, {"crc-mismatch"});
        require_finding(r, "crc-mismatch", Severity::Error, 126, "0-116");
        CHECK_FALSE(r.ok());
    }
    SECTION("DDR4 block 1 only") {
        const Report r = check(with(ddr4(), {{200, 0x55}}, false));
        require_codes(r, {"crc-mismatch"});
        require_finding(r, "crc-mismatch", Severity::Error, 254, "block1");
        CHECK(r.crc[0].ok);
        CHECK_FALSE(r.crc[1].ok);
    }
    SECTION("DDR5") {
        const Report r = check(with(ddr5(), {{230, 0x01}}, false));
        require_codes(r, {"crc-mismatch"});
        require_finding(r, "crc-mismatch", Severity::Error, 510, "0-509");
    }
    SECTION("CRC left at 0000 (coreboot spd_tools) is a mismatch and crc-zero") {
        const Report r = check(with(ddr4(), {{126, 0}, {127, 0}}, false));
        require_codes(r, {"crc-mismatch", "crc-zero"});
        require_finding(r, "crc-zero", Severity::Error, 126, "0000");
    }
    SECTION("DDR5 with a DDR4-style CRC at 126-127") {
        Image img = with(ddr5(), {{510, 0}, {511, 0}}, false);
        const std::uint16_t low = crc16(std::span(img.bytes()).first(126));
        img[126] = static_cast<std::uint8_t>(low & 0xFF);
        img[127] = static_cast<std::uint8_t>(low >> 8);
        const Report r = check(img);
        require_codes(r, {"crc-mismatch", "crc-zero"});
        require_finding(r, "crc-zero", Severity::Error, 510, "DDR4-style");
    }
}

TEST_CASE("truncated images", "[check]") {
    SECTION("DDR4 128 bytes: block 1 CRC missing") {
        const Report r = check(truncated(ddr4(), 128));
        require_codes(r, {"truncated", "crc-missing", "bytes-used-exceeds-data"});
        require_finding(r, "truncated", Severity::Error, 128, "module-specific block 128-253");
        require_finding(r, "crc-missing", Severity::Error, 254, "block1");
        require_finding(r, "bytes-used-exceeds-data", Severity::Warning, 0, "384");
        CHECK(r.crc[0].ok);
        CHECK_FALSE(r.crc[1].present);
    }
    SECTION("DDR4 383 bytes: part of the manufacturing data") {
        const Report r = check(truncated(ddr4(), 383));
        require_codes(r, {"truncated", "bytes-used-exceeds-data"});
        require_finding(r, "truncated", Severity::Error, 383, "(incomplete)");
    }
    SECTION("DDR3 100 bytes: no CRC") {
        const Report r = check(truncated(ddr3(), 100));
        require_codes(r, {"truncated", "crc-missing", "bytes-used-exceeds-data"});
        require_finding(r, "truncated", Severity::Error, 100, "part number 128-145");
    }
    SECTION("DDR5 512 bytes: CRC fine, manufacturing data missing") {
        const Report r = check(truncated(ddr5(), 512));
        require_codes(r, {"truncated", "bytes-used-exceeds-data"});
        require_finding(r, "truncated", Severity::Error, 512, "part number) 512-639");
        CHECK(r.crc[0].ok);
    }
}

TEST_CASE("byte 0", "[check]") {
    const Report reserved = check(with(ddr4(), {{0, 0x33}}));
    require_codes(reserved, {"invalid-byte0"});
    require_finding(reserved, "invalid-byte0", Severity::Warning, 0, "reserved");

    const Report used_gt_total = check(with(ddr4(), {{0, 0x14}}));
    require_codes(used_gt_total, {"invalid-byte0"});
    require_finding(used_gt_total, "invalid-byte0", Severity::Warning, 0, "512 bytes used");

    // coreboot's DDR3 images say "128 used, total undefined": noted, not a defect.
    const Report undefined_total = check(with(ddr3(), {{0, 0x01}}));
    require_codes(undefined_total, {"invalid-byte0"});
    require_finding(undefined_total, "invalid-byte0", Severity::Info, 0, "undefined");
    CHECK(undefined_total.ok());
}

TEST_CASE("timebases", "[check]") {
    SECTION("DDR3 MTB divisor 0 (Corsair CMX8GX3M2A1333C9) does not divide by zero") {
        const Report r = check(with(ddr3(), {{11, 0x00}}));
        require_codes(r, {"invalid-timebase"});
        require_finding(r, "invalid-timebase", Severity::Error, 11, "divisor");
    }
    SECTION("DDR3 MTB dividend 0") {
        require_finding(check(with(ddr3(), {{10, 0x00}})), "invalid-timebase", Severity::Error, 10,
                        "dividend");
    }
    SECTION("DDR3 FTB divisor 0") {
        const Report r = check(with(ddr3(), {{9, 0x50}}));
        require_codes(r, {"invalid-timebase"});
        require_finding(r, "invalid-timebase", Severity::Error, 9);
    }
    SECTION("DDR4 byte 17") {
        const Report r = check(with(ddr4(), {{17, 0x01}}));
        require_codes(r, {"invalid-timebase"});
        require_finding(r, "invalid-timebase", Severity::Error, 17, "0x01");
    }
}

TEST_CASE("JEP106 manufacturer IDs", "[check]") {
    SECTION("continuation count with even parity") {
        const Report r = check(with(ddr3(), {{117, 0x05}}));
        require_codes(r, {"jep106-parity"});
        require_finding(r, "jep106-parity", Severity::Warning, 117, "module manufacturer");
        CHECK(r.ok());
    }
    SECTION("code byte with even parity") {
        const Report r = check(with(ddr4(), {{321, 0x4E}}));
        require_codes(r, {"jep106-parity"});
        require_finding(r, "jep106-parity", Severity::Warning, 321, "code");
    }
    SECTION("DRAM manufacturer") {
        const Report r = check(with(ddr4(), {{350, 0x00}}));
        require_codes(r, {"jep106-parity"});
        require_finding(r, "jep106-parity", Severity::Warning, 350, "DRAM manufacturer");
    }
    SECTION("valid parity, not in the table (bank 20)") {
        const Report r = check(with(ddr3(), {{117, 0x13}, {118, 0x01}}));
        require_codes(r, {"jep106-unknown"});
        require_finding(r, "jep106-unknown", Severity::Warning, 117, "bank 20");
    }
    SECTION("unset IDs are not findings") {
        CHECK(check(with(ddr4(), {{320, 0}, {321, 0}, {350, 0xFF}, {351, 0xFF}})).findings.empty());
    }
}

TEST_CASE("part number", "[check]") {
    const Report bad = check(with(ddr3(), {{130, 0x01}}));
    require_codes(bad, {"part-number-nonprintable"});
    require_finding(bad, "part-number-nonprintable", Severity::Warning, 130, "0x01");

    const Report padded =
        check(with(ddr3(), {{139, 0}, {140, 0}, {141, 0}, {142, 0}, {143, 0}, {144, 0}, {145, 0}}));
    require_codes(padded, {"part-number-nonprintable"});
    require_finding(padded, "part-number-nonprintable", Severity::Info, 139, "padded");

    Image unset = ddr4();
    std::fill(unset.bytes().begin() + 329, unset.bytes().begin() + 349, 0);
    CHECK(check(unset).findings.empty());
}

TEST_CASE("timings", "[check]") {
    SECTION("tRC shorter than tRAS + tRP") {
        const Report r = check(with(ddr3(), {{23, 0x80}})); // tRC 48 ns
        require_codes(r, {"timing-inconsistent"});
        require_finding(r, "timing-inconsistent", Severity::Warning, 23, "tRC");
        CHECK(r.ok());
    }
    SECTION("DDR4 tRC too short") {
        const Report r = check(with(ddr4(), {{29, 0x70}})); // tRC 46 ns < 35 + 13.75
        require_codes(r, {"timing-inconsistent"});
        require_finding(r, "timing-inconsistent", Severity::Warning, 29, "tRC");
    }
    SECTION("CL needed at tCKmin is not supported") {
        const Report r = check(with(ddr3(), {{14, 0x5C}})); // CL 6, 7, 8, 10: CL 9 missing
        require_codes(r, {"timing-inconsistent"});
        require_finding(r, "timing-inconsistent", Severity::Warning, 14, "CL 9");
    }
    SECTION("DDR4 CL") {
        const Report r = check(with(ddr4(), {{20, 0x28}})); // CL 10, 12: CL 11 missing
        require_codes(r, {"timing-inconsistent"});
        require_finding(r, "timing-inconsistent", Severity::Warning, 20, "CL 11");
    }
    SECTION("DDR5: an even CL above the exact one is enough") {
        CHECK(check(ddr5()).findings.empty());              // needs 46, which is listed
        const Report r = check(with(ddr5(), {{25, 0x0D}})); // highest CL 42
        require_codes(r, {"timing-inconsistent"});
        require_finding(r, "timing-inconsistent", Severity::Warning, 24, "CL 46");
    }
    SECTION("no CAS latency at all") {
        const Report r = check(with(ddr3(), {{14, 0x00}, {15, 0x00}}));
        require_codes(r, {"timing-inconsistent"});
        require_finding(r, "timing-inconsistent", Severity::Warning, 14, "no CAS latency");
    }
    SECTION("zero tAA") {
        const Report r = check(with(ddr3(), {{16, 0x00}}));
        require_codes(r, {"zero-timing"});
        require_finding(r, "zero-timing", Severity::Warning, 16, "tAA");
    }
    SECTION("zero tCK") {
        const Report r = check(with(ddr4(), {{18, 0x00}}));
        require_finding(r, "zero-timing", Severity::Warning, 18, "tCK");
        CHECK(r.ok());
    }
}

TEST_CASE("every documented code has a case that produces it", "[check]") {
    const Image cases[] = {
        Image(),
        Image(std::vector<std::uint8_t>(256, 0xFF)),
        with(ddr4(), {{2, 0x0D}}, false),
        with(ddr3(), {{2, 0x08}}, false),
        truncated(ddr4(), 128), // truncated, crc-missing, bytes-used-exceeds-data
        with(ddr4(), {{0, 0x33}}),
        with(ddr4(), {{126, 0}, {127, 0}}, false), // crc-mismatch, crc-zero
        with(ddr3(), {{11, 0}}),
        with(ddr3(), {{117, 0x05}}),
        with(ddr3(), {{117, 0x13}, {118, 0x01}}),
        with(ddr3(), {{130, 0x01}}),
        with(ddr3(), {{23, 0x80}}),
        with(ddr3(), {{16, 0x00}}),
    };
    std::set<std::string> seen;
    for (const Image& img : cases)
        for (const Finding& f : check(img).findings)
            seen.insert(f.code);
    CHECK(seen == documented);
}

TEST_CASE("check() with the caller's decode gives the same report", "[check]") {
    for (const Image& img : {ddr3(), ddr4(), ddr5(), truncated(ddr4(), 100)}) {
        const Report own = check(img);
        const Report given = check(img, decode(img));
        INFO(describe_all(own));
        CHECK(describe_all(given) == describe_all(own));
        CHECK(given.ok() == own.ok());
    }
}

TEST_CASE("check() never throws on random or mutated images (fuzz)", "[check][fuzz]") {
    std::mt19937 rng(7);
    const auto pick = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    const Image bases[] = {ddr3(), ddr4(), ddr5()};
    const std::uint8_t types[] = {0x0B, 0x0C, 0x12, 0x08, 0x0D, 0xFF, 0x00};
    const std::size_t max_offset = 2048;
    for (int i = 0; i < 4000; ++i) {
        Image img;
        if (i % 4 == 0) { // random bytes with a plausible type byte
            img.bytes().resize(pick(1100));
            for (auto& b : img.bytes())
                b = static_cast<std::uint8_t>(pick(256));
            if (img.size() > 2)
                img[2] = types[pick(std::size(types))];
        } else { // a valid image with bytes flipped and maybe cut
            img = bases[pick(std::size(bases))];
            const std::size_t flips = 1 + pick(16);
            for (std::size_t k = 0; k < flips; ++k)
                img[pick(img.size())] = static_cast<std::uint8_t>(pick(256));
            if (pick(3) == 0)
                img.bytes().resize(pick(img.size() + 1));
            if (pick(2) == 0)
                fix_crcs(img);
        }
        Report r;
        try {
            r = check(img);
            // Given the decode, check() reports exactly what it finds decoding itself.
            if (is_supported(img.memory_type()))
                REQUIRE(describe_all(check(img, decode(img))) == describe_all(r));
        } catch (const std::exception& e) {
            FAIL("check() threw: " << e.what());
        }
        for (const Finding& f : r.findings) {
            if (!documented.count(f.code))
                FAIL("undocumented code " << f.code);
            if (f.message.empty() || f.message.back() == '.' ||
                f.message.find('\n') != std::string::npos)
                FAIL("bad message: '" << f.message << "'");
            if (f.offset && *f.offset >= max_offset)
                FAIL(f.code << " offset " << *f.offset);
        }
    }
    SUCCEED();
}
