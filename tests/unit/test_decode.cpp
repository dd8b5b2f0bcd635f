// SPDX-License-Identifier: GPL-2.0-or-later
// decode(): golden values from spd-reference.md (T2, T4), from decode-dimms' output for corpus
// files (oracle/*.txt), and from module labels for XMP; plus garbage that must not crash.
#include <ddrspd/decode.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace ddrspd;

namespace {

// Bytes given as (offset, values...) runs over a zero-filled image.
Image make_image(std::size_t size,
                 std::initializer_list<std::pair<std::size_t, std::vector<std::uint8_t>>> runs) {
    std::vector<std::uint8_t> bytes(size, 0);
    for (const auto& [off, values] : runs)
        for (std::size_t i = 0; i < values.size(); ++i)
            bytes.at(off + i) = values[i];
    return Image(std::move(bytes));
}

// T2: Patriot PSD34G13332, 4 GB DDR3-1333 UDIMM (spd-reference.md section 1.4).
Image patriot_t2() {
    Image img = make_image(256, {
                                    {0x00,
                                     {0x92, 0x10, 0x0b, 0x02, 0x03, 0x19, 0x00, 0x09, 0x03, 0x52,
                                      0x01, 0x08, 0x0c, 0x00, 0x3c, 0x00}},
                                    {0x10,
                                     {0x69, 0x78, 0x69, 0x30, 0x69, 0x11, 0x20, 0x89, 0x00, 0x05,
                                      0x3c, 0x3c, 0x00, 0xf0, 0x83, 0x01}},
                                    {0x3c, {0x0f, 0x11, 0x01, 0x01}},
                                    {0x70,
                                     {0x00, 0x00, 0x00, 0x00, 0x00, 0x85, 0x02, 0x02, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0xfd, 0xba}},
                                });
    const std::string part = "PSD34G13332";
    for (std::size_t i = 0; i < part.size(); ++i)
        img[0x80 + i] = static_cast<std::uint8_t>(part[i]);
    return img;
}

std::optional<Image> corpus_image(const std::string& name) {
    const char* dir = std::getenv("DDRSPD_CORPUS");
    if (!dir) {
        WARN("DDRSPD_CORPUS not set; skipping corpus golden values");
        return std::nullopt;
    }
    const std::filesystem::path path = std::filesystem::path(dir) / "bin" / (name + ".bin");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        WARN("corpus file " << path.string() << " not found; skipping");
        return std::nullopt;
    }
    return Image(std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {}));
}

struct Expect {
    const char* name;
    double ns;
    int clocks;
};

void check_timings(const std::vector<Timing>& got, std::initializer_list<Expect> want) {
    REQUIRE(got.size() == want.size());
    std::size_t i = 0;
    for (const Expect& e : want) {
        INFO(e.name);
        CHECK(got[i].name == e.name);
        CHECK(got[i].ns == Approx(e.ns).margin(0.0005));
        CHECK(got[i].clocks == e.clocks);
        ++i;
    }
}

void check_speeds(const std::vector<SpeedBin>& got, std::initializer_list<SpeedBin> want) {
    REQUIRE(got.size() == want.size());
    std::size_t i = 0;
    for (const SpeedBin& w : want) {
        INFO(w.speed_mts);
        CHECK(got[i].speed_mts == w.speed_mts);
        CHECK(got[i].cl == w.cl);
        CHECK(got[i].trcd == w.trcd);
        CHECK(got[i].trp == w.trp);
        CHECK(got[i].tras == w.tras);
        ++i;
    }
}

} // namespace

TEST_CASE("speed grades snap to JEDEC names", "[decode]") {
    CHECK(speed_grade_mts(2.5) == 800);
    CHECK(speed_grade_mts(1.875) == 1066);
    CHECK(speed_grade_mts(1.5) == 1333);
    CHECK(speed_grade_mts(1.25) == 1600);
    CHECK(speed_grade_mts(1.071) == 1866);
    CHECK(speed_grade_mts(0.938) == 2133);
    CHECK(speed_grade_mts(0.833) == 2400);
    CHECK(speed_grade_mts(0.75) == 2666);
    CHECK(speed_grade_mts(0.682) == 2933);
    CHECK(speed_grade_mts(0.625) == 3200);
    // Overclocking rates that are multiples of 100 MT/s.
    CHECK(speed_grade_mts(0.667) == 3000);
    CHECK(speed_grade_mts(0.555) == 3600);
    // DDR5 tCK is stored in whole ps.
    CHECK(speed_grade_mts(0.416) == 4800);
    CHECK(speed_grade_mts(0.357) == 5600);
    CHECK(speed_grade_mts(0.312) == 6400);
    // Off-grid values are truncated, not snapped.
    CHECK(speed_grade_mts(1.0) == 2000);
    CHECK(speed_grade_mts(1.1) == 1818);
    CHECK(speed_grade_mts(0) == 0);
    CHECK(speed_grade_mts(-1.5) == 0);
    CHECK(speed_grade_mts(NAN) == 0);
}

TEST_CASE("Date::iso", "[decode]") {
    Date d;
    CHECK(d.iso().empty());
    d.valid = true;
    d.year = 2015;
    d.week = 7;
    CHECK(d.iso() == "2015-W07");
}

TEST_CASE("manufacturing dates: BCD, binary fallback, unwritten", "[decode]") {
    Image img = patriot_t2();
    const auto date_of = [&](std::uint8_t year, std::uint8_t week) {
        img[120] = year;
        img[121] = week;
        return decode(img).date;
    };
    Date d = date_of(0x15, 0x33);
    CHECK(d.valid);
    CHECK_FALSE(d.binary);
    CHECK(d.iso() == "2015-W33");
    // Corsair writes binary: 0x0C 0x2A = 2012 week 42 (decode-dimms reads it the same way).
    d = date_of(0x0C, 0x2A);
    CHECK_FALSE(d.valid);
    CHECK(d.binary);
    CHECK(d.year == 2012);
    CHECK(d.week == 42);
    CHECK(d.iso().empty());
    d = date_of(0x00, 0x00);
    CHECK_FALSE(d.valid);
    CHECK_FALSE(d.binary);
    d = date_of(0xFF, 0xFF);
    CHECK_FALSE(d.valid);
    CHECK_FALSE(d.binary);
    d = date_of(0x21, 0x54); // week 54 in BCD, 84 in binary
    CHECK_FALSE(d.valid);
    CHECK_FALSE(d.binary);
}

TEST_CASE("T2: Patriot DDR3-1333 UDIMM", "[decode][ddr3]") {
    const SpdInfo s = decode(patriot_t2());
    CHECK(s.type == MemoryType::DDR3);
    CHECK(s.spd_revision == "1.0");
    CHECK(s.bytes_used == 176);
    CHECK(s.bytes_total == 256);
    CHECK(s.module_type == "UDIMM");
    CHECK_FALSE(s.hybrid);
    CHECK(s.capacity_mb == 4096);
    CHECK(s.ranks == 2);
    CHECK(s.device_width == 8);
    CHECK(s.bus_width == 64);
    CHECK_FALSE(s.ecc);
    CHECK(s.banks == 8);
    CHECK(s.bank_groups == 0);
    CHECK(s.rows == 15);
    CHECK(s.columns == 10);
    CHECK(s.die_density_mbit == 2048);
    CHECK(s.package == "monolithic");
    CHECK(s.die_count == 1);
    CHECK(s.voltages == std::vector<std::string>{"1.5 V"});
    CHECK_FALSE(s.thermal_sensor);
    CHECK(s.max_activate_count == "untested");
    CHECK(s.features ==
          std::vector<std::string>{"RZQ/6", "RZQ/7", "DLL-off", "extended temperature"});
    CHECK(s.height_mm == 30);
    CHECK(s.thickness_front_mm == 2);
    CHECK(s.thickness_back_mm == 2);
    CHECK(s.raw_card == "B");
    CHECK(s.rank1_mirrored);
    CHECK_FALSE(s.register_manufacturer.has_value());
    CHECK(s.register_revision == -1);

    CHECK(s.mtb_ps == Approx(125));
    CHECK(s.ftb_ps == Approx(2.5));
    CHECK(s.tck_ns == Approx(1.5));
    CHECK(s.speed_mts == 1333);
    CHECK(s.speed_name == "DDR3-1333");
    CHECK(s.pc_name == "PC3-10600");
    CHECK(s.cas_latencies == std::vector<int>{6, 7, 8, 9});
    CHECK(s.cl == 9);
    check_timings(s.timings, {{"tAA", 13.125, 9},
                              {"tRCD", 13.125, 9},
                              {"tRP", 13.125, 9},
                              {"tRAS", 36, 24},
                              {"tRC", 49.125, 33},
                              {"tRFC1", 160, 107},
                              {"tRRD", 6, 4},
                              {"tWR", 15, 10},
                              {"tWTR", 7.5, 5},
                              {"tRTP", 7.5, 5},
                              {"tFAW", 30, 20}});
    check_speeds(s.standard_speeds, {{1333, 9, 9, 9, 24}, {1066, 7, 7, 7, 20}, {800, 6, 6, 6, 15}});
    REQUIRE(s.timing("tRAS") != nullptr);
    CHECK(s.timing("tRAS")->clocks == 24);
    CHECK(s.timing("tRRD_S") == nullptr);

    CHECK(s.manufacturer.name == "Patriot Memory");
    CHECK(s.manufacturer.valid());
    CHECK(s.dram_manufacturer.name == "Undefined");
    CHECK(s.location == 2);
    CHECK_FALSE(s.date.valid);
    CHECK(s.serial == 0);
    CHECK(s.part_number == "PSD34G13332");
    CHECK(s.revision == 0);
    CHECK(s.xmp.empty());
    CHECK(s.xmp_version.empty());
}

TEST_CASE("DDR3 voltages, package and raw cards", "[decode][ddr3]") {
    Image img = patriot_t2();
    img[6] = 0x03;  // not 1.5 V operable, 1.35 V operable
    img[33] = 0xA2; // non-monolithic, die code 2 (= 2 dies), single-load stack (3DS)
    img[62] = 0x14; // card index 20
    SpdInfo s = decode(img);
    CHECK(s.voltages == std::vector<std::string>{"1.35 V"});
    CHECK(s.package == "3DS, 2 dies");
    CHECK(s.die_count == 2);
    CHECK(s.raw_card == "AA");

    img[62] = 0x80; // extension bit: AM
    img[60] = 0x4F; // height 30 mm, revision 2 from the height byte
    CHECK(decode(img).raw_card == "AM rev 2");
    img[62] = 0x1F;
    CHECK(decode(img).raw_card == "ZZ");
    img[62] = 0x23; // D, revision 1 from bits 6:5
    img[60] = 0x0F;
    CHECK(decode(img).raw_card == "D rev 1");
}

TEST_CASE("DDR3 with an invalid timebase decodes the rest", "[decode][ddr3]") {
    Image img = patriot_t2();
    img[11] = 0x00; // as in corpus ddr3-corsair-cmx8gx3m2a1333c9
    const SpdInfo s = decode(img);
    CHECK(s.tck_ns == 0);
    CHECK(s.speed_mts == 0);
    CHECK(s.speed_name.empty());
    CHECK(s.pc_name.empty());
    CHECK(s.timings.empty());
    CHECK(s.cl == 0);
    CHECK(s.cas_latencies == std::vector<int>{6, 7, 8, 9});
    CHECK(s.capacity_mb == 4096);
    CHECK(s.part_number == "PSD34G13332");

    img[11] = 0x08;
    img[9] = 0x50; // FTB divisor 0
    CHECK(decode(img).timings.empty());
}

TEST_CASE("corpus DDR3 SO-DIMM (Kingston 9905594-017.A00LF)", "[decode][ddr3][corpus]") {
    const auto img = corpus_image("ddr3-kingston-9905594-017.a00lf");
    if (!img)
        return;
    const SpdInfo s = decode(*img);
    // Expected values: oracle/ddr3-kingston-9905594-017.a00lf.txt (decode-dimms 4.3).
    CHECK(s.type == MemoryType::DDR3);
    CHECK(s.spd_revision == "1.1");
    CHECK(s.module_type == "SO-DIMM");
    CHECK(s.speed_mts == 1333);
    CHECK(s.pc_name == "PC3-10600");
    CHECK(s.capacity_mb == 2048);
    CHECK(s.banks == 8);
    CHECK(s.rows == 15);
    CHECK(s.columns == 10);
    CHECK(s.bus_width == 64);
    CHECK(s.ranks == 1);
    CHECK(s.device_width == 16);
    CHECK(s.cas_latencies == std::vector<int>{5, 6, 7, 8, 9});
    CHECK(s.tck_ns == Approx(1.5));
    check_timings(s.timings, {{"tAA", 13.125, 9},
                              {"tRCD", 13.125, 9},
                              {"tRP", 13.125, 9},
                              {"tRAS", 36, 24},
                              {"tRC", 49.125, 33},
                              {"tRFC1", 260, 174},
                              {"tRRD", 7.5, 5},
                              {"tWR", 15, 10},
                              {"tWTR", 7.5, 5},
                              {"tRTP", 7.5, 5},
                              {"tFAW", 45, 30}});
    CHECK(s.voltages == std::vector<std::string>{"1.5 V", "1.35 V"});
    CHECK_FALSE(s.thermal_sensor);
    CHECK(s.package == "monolithic");
    CHECK(s.height_mm == 30);
    CHECK(s.thickness_front_mm == 2);
    CHECK(s.thickness_back_mm == 2);
    CHECK(s.raw_card == "C rev 3");
    CHECK_FALSE(s.rank1_mirrored);
    CHECK(s.manufacturer.name == "Kingston");
    CHECK(s.location == 0x05);
    CHECK(s.date.iso() == "2015-W33");
    CHECK(s.serial == 0x511E61C6);
    CHECK(s.part_number == "9905594-017.A00LF");
}

TEST_CASE("corpus DDR3 RDIMM (Samsung M393B2G70EB0-CMA)", "[decode][ddr3][corpus]") {
    const auto img = corpus_image("ddr3-samsung-m393b2g70eb0-cma-337f57ea");
    if (!img)
        return;
    const SpdInfo s = decode(*img);
    // Expected values: oracle/ddr3-samsung-m393b2g70eb0-cma-337f57ea.txt.
    CHECK(s.module_type == "RDIMM");
    CHECK(s.speed_mts == 1866);
    CHECK(s.speed_name == "DDR3-1866");
    CHECK(s.pc_name == "PC3-14900");
    CHECK(s.capacity_mb == 16384);
    CHECK(s.rows == 16);
    CHECK(s.columns == 11);
    CHECK(s.ranks == 2);
    CHECK(s.device_width == 4);
    CHECK(s.ecc);
    CHECK(s.cas_latencies == std::vector<int>{6, 7, 8, 9, 10, 11, 13});
    CHECK(s.cl == 13);
    CHECK(s.tck_ns == Approx(1.071).margin(0.0005));
    REQUIRE(s.timing("tRAS") != nullptr);
    CHECK(s.timing("tAA")->clocks == 13);
    CHECK(s.timing("tRCD")->clocks == 13);
    CHECK(s.timing("tRP")->clocks == 13);
    CHECK(s.timing("tRAS")->ns == Approx(34));
    CHECK(s.timing("tRAS")->clocks == 32);
    CHECK(s.timing("tFAW")->ns == Approx(27));
    CHECK(s.thermal_sensor);
    CHECK(s.raw_card == "E rev 2");
    REQUIRE(s.register_manufacturer.has_value());
    CHECK(s.register_manufacturer->name == "Inphi Corporation");
    CHECK(s.register_revision == 0x31);
    CHECK(s.manufacturer.name == "Samsung");
    CHECK(s.dram_manufacturer.name == "Samsung");
    CHECK(s.date.iso() == "2016-W38");
    CHECK(s.serial == 0x337F57EA);
    CHECK(s.part_number == "M393B2G70EB0-CMA");
}

TEST_CASE("corpus DDR4 3DS LRDIMM (Micron 144ASQ16G72LSZ-2S9E1)", "[decode][ddr4][corpus]") {
    const auto img = corpus_image("ddr4-micron-144asq16g72lsz-2s9e1");
    if (!img)
        return;
    const SpdInfo s = decode(*img);
    // Expected values: oracle/ddr4-micron-144asq16g72lsz-2s9e1.txt.
    CHECK(s.type == MemoryType::DDR4);
    CHECK(s.spd_revision == "1.2");
    CHECK(s.bytes_used == 384);
    CHECK(s.bytes_total == 512);
    CHECK(s.module_type == "LRDIMM");
    CHECK(s.speed_mts == 2933);
    CHECK(s.speed_name == "DDR4-2933");
    CHECK(s.pc_name == "PC4-23400");
    CHECK(s.capacity_mb == 131072);
    CHECK(s.banks == 16);
    CHECK(s.bank_groups == 4);
    CHECK(s.rows == 17);
    CHECK(s.columns == 10);
    CHECK(s.device_width == 4);
    CHECK(s.ranks == 2);
    CHECK(s.bus_width == 64);
    CHECK(s.ecc);
    CHECK(s.package == "3DS, 4 dies");
    CHECK(s.die_count == 4);
    CHECK(s.cas_latencies == std::vector<int>{14, 16, 18, 20, 22, 24, 25});
    CHECK(s.cl == 24);
    CHECK(s.tck_ns == Approx(0.682));
    CHECK(s.tck_max_ns == Approx(1.5));
    check_timings(s.timings, {{"tAA", 16.370, 24},
                              {"tRCD", 14.060, 21},
                              {"tRP", 14.060, 21},
                              {"tRAS", 32, 47},
                              {"tRC", 46.060, 68},
                              {"tRFC1", 350, 514},
                              {"tRFC2", 260, 382},
                              {"tRFC4", 160, 235},
                              {"tRRD_S", 2.7, 4},
                              {"tRRD_L", 4.9, 8},
                              {"tCCD_L", 5, 8},
                              {"tWR", 15, 22},
                              {"tWTR_S", 2.5, 4},
                              {"tWTR_L", 7.5, 11},
                              {"tFAW", 10.875, 16}});
    check_speeds(s.standard_speeds, {{2933, 24, 21, 21, 47},
                                     {2666, 22, 19, 19, 43},
                                     {2400, 20, 17, 17, 39},
                                     {2133, 18, 15, 15, 35},
                                     {1866, 16, 14, 14, 30},
                                     {1600, 14, 12, 12, 26}});
    CHECK(s.voltages == std::vector<std::string>{"1.2 V"});
    CHECK(s.thermal_sensor);
    CHECK(s.max_activate_count == "unlimited");
    // decode-dimms does not print the endurant bit; byte 11 is 0x03 in the hex dump.
    CHECK(s.features == std::vector<std::string>{"PPR", "soft PPR", "1.2 V endurant"});
    CHECK(s.height_mm == 32);
    CHECK(s.thickness_front_mm == 2);
    CHECK(s.thickness_back_mm == 2);
    CHECK(s.raw_card == "B rev 1");
    CHECK(s.manufacturer.name == "Micron Technology");
    CHECK(s.dram_manufacturer.name == "Micron Technology");
    CHECK(s.location == 0x0F);
    CHECK(s.date.iso() == "2019-W41");
    CHECK(s.serial == 0x2432128C);
    CHECK(s.part_number == "144ASQ16G72LSZ-2S9E1");
    CHECK(s.revision == 0x31);
}

TEST_CASE("corpus DDR3 XMP 1.3 (G.Skill F3-2400C11-4GAB)", "[decode][xmp][corpus]") {
    const auto img = corpus_image("ddr3-gskill-f3-2400c11-4gab");
    if (!img)
        return;
    const SpdInfo s = decode(*img);
    // JEDEC base (decode-dimms): DDR3-1600. The XMP profile is the label: DDR3-2400
    // 11-13-13-31 at 1.65 V (byte 184 = 0x11: XMP FTB 1 ps).
    CHECK(s.speed_mts == 1600);
    CHECK(s.xmp_version == "1.3");
    REQUIRE(s.xmp.size() == 1);
    const XmpProfile& x = s.xmp[0];
    CHECK(x.number == 1);
    CHECK(x.enabled);
    CHECK(x.voltage == Approx(1.65));
    CHECK(x.tck_ns == Approx(0.833));
    CHECK(x.speed_mts == 2400);
    CHECK(x.cas_latencies == std::vector<int>{11});
    CHECK(x.cl == 11);
    check_timings(x.timings, {{"tAA", 8.711, 11},
                              {"tRCD", 10.296, 13},
                              {"tRP", 10.296, 13},
                              {"tRAS", 25.375, 31},
                              {"tRC", 36.222, 44},
                              {"tRFC1", 260, 312},
                              {"tRRD", 5, 6},
                              {"tWR", 13.25, 16},
                              {"tWTR", 7.5, 9},
                              {"tRTP", 7.5, 9},
                              {"tFAW", 23, 28}});
}

TEST_CASE("DDR4 XMP 2.0 profile", "[decode][xmp][ddr4]") {
    // DDR4-2400 base with a DDR4-3200 16-18-18-38 1.35 V profile 1 and an empty profile 2.
    Image img = make_image(
        512,
        {
            {0,
             {0x23, 0x11, 0x0C, 0x02, 0x45, 0x21, 0x00, 0x08, 0x00, 0x60, 0x00, 0x03, 0x01, 0x03}},
            {17, {0x00, 0x07, 0x0D, 0xF8, 0x0F, 0x00, 0x00}},
            {125, {0xD6}},
            {384, {0x0C, 0x4A, 0x01, 0x20, 0x00, 0x00}},
            {393,
             {0xA3, 0x00, 0x00, 0x05, 0x7E, 0x00, 0x00, 0x00, 0x50, 0x5A, 0x5A, 0x10, 0xBE, 0x18}},
            {407, {0x30, 0x11, 0xF0, 0x0A, 0x20, 0x08, 0x00, 0xA8, 0x28, 0x38}},
        });
    const SpdInfo s = decode(img);
    CHECK(s.speed_mts == 2400);
    CHECK(s.cas_latencies == std::vector<int>{10, 11, 12, 13, 14, 15, 16, 17, 18});
    CHECK(s.xmp_version == "2.0");
    REQUIRE(s.xmp.size() == 1);
    const XmpProfile& x = s.xmp[0];
    CHECK(x.enabled);
    CHECK(x.voltage == Approx(1.35));
    CHECK(x.tck_ns == Approx(0.625));
    CHECK(x.speed_mts == 3200);
    CHECK(x.cas_latencies == std::vector<int>{8, 9, 10, 11, 12, 13});
    // tAA 10 ns = 16 clocks, but profile 1 only lists CL8-13: no CL fits.
    CHECK(x.cl == 0);
    check_timings(x.timings, {{"tAA", 10, 16},
                              {"tRCD", 11.25, 18},
                              {"tRP", 11.25, 18},
                              {"tRAS", 23.75, 38},
                              {"tRC", 35, 56},
                              {"tRFC1", 550, 880},
                              {"tRFC2", 350, 560},
                              {"tRFC4", 260, 416},
                              {"tRRD_S", 5, 8},
                              {"tRRD_L", 7, 12},
                              {"tFAW", 21, 34}});

    img[397] = 0x00;
    img[398] = 0x0A; // bits 9 and 11: CL16, CL18
    const SpdInfo s2 = decode(img);
    REQUIRE(s2.xmp.size() == 1);
    CHECK(s2.xmp[0].cas_latencies == std::vector<int>{16, 18});
    CHECK(s2.xmp[0].cl == 16);

    img[388] = 0x04; // reserved timebase: profile listed, timings left empty
    const SpdInfo s3 = decode(img);
    REQUIRE(s3.xmp.size() == 1);
    CHECK(s3.xmp[0].voltage == Approx(1.35));
    CHECK(s3.xmp[0].tck_ns == 0);
    CHECK(s3.xmp[0].timings.empty());
}

TEST_CASE("T4: DDR5-5600 32 GB UDIMM (editor sample)", "[decode][ddr5]") {
    // Non-zero bytes 0-0xEF of edlf/DDR5SPDEditor "Sample DDR5 5600.spd" (spd-reference.md 1.4).
    Image img = make_image(
        1024, {
                  {0x00, {0x30, 0x10, 0x12, 0x02, 0x04, 0x00, 0x20, 0x62}},
                  {0x10, {0x00, 0x00, 0x00, 0x00, 0x65, 0x01, 0xF2, 0x03, 0x72, 0xAD}},
                  {0xE0, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x33, 0x01, 0x85, 0x08, 0x22}},
              });
    const SpdInfo s = decode(img);
    CHECK(s.type == MemoryType::DDR5);
    CHECK(s.bytes_total == 1024);
    CHECK(s.module_type == "UDIMM");
    CHECK(s.capacity_mb == 32768);
    CHECK(s.ranks == 2);
    CHECK(s.device_width == 8);
    CHECK(s.bus_width == 64);
    CHECK_FALSE(s.ecc);
    CHECK(s.die_density_mbit == 16384);
    CHECK(s.package == "monolithic");
    CHECK(s.bank_groups == 8);
    CHECK(s.banks == 32);
    CHECK(s.rows == 16);
    CHECK(s.columns == 10);
    CHECK(s.tck_ns == Approx(0.357));
    CHECK(s.speed_mts == 5600);
    CHECK(s.speed_name == "DDR5-5600");
    CHECK(s.pc_name == "PC5-44800");
    CHECK(s.manufacturer.name == "Undefined");
    CHECK(s.part_number.empty());

    // Asymmetric: odd ranks use the second SDRAM type (8 Gb here).
    img[234] = 0x48;
    img[8] = 0x02;
    img[10] = 0x20;
    CHECK(decode(img).capacity_mb == 16384 + 8192);
}

TEST_CASE("corpus DDR5 identity (Samsung M323R1GB4BB0-CQKOL)", "[decode][ddr5][corpus]") {
    const auto img = corpus_image("ddr5-samsung-m323r1gb4bb0-cqkol");
    if (!img)
        return;
    const SpdInfo s = decode(*img);
    // decode-dimms has no DDR5 decoder; values read by hand from hex/…cqkol.hex bytes 0-7,
    // 20-21, 234-235 and 512-550, and the part number's 8 GB 1Rx16 DDR5-4800 meaning.
    CHECK(s.type == MemoryType::DDR5);
    CHECK(s.module_type == "UDIMM");
    CHECK(s.capacity_mb == 8192);
    CHECK(s.device_width == 16);
    CHECK(s.ranks == 1);
    CHECK(s.speed_mts == 4800);
    CHECK(s.manufacturer.name == "Samsung");
    CHECK(s.dram_manufacturer.name == "Samsung");
    CHECK(s.location == 0x04);
    CHECK(s.date.iso() == "2022-W41");
    CHECK(s.serial == 0x42B2BF08);
    CHECK(s.part_number == "M323R1GB4BB0-CQKOL");
}

TEST_CASE("short and empty images", "[decode]") {
    CHECK(decode(Image()).type == MemoryType::Unknown);
    CHECK(decode(Image({0x92, 0x10})).type == MemoryType::Unknown);

    Image t2 = patriot_t2();
    t2.bytes().resize(128); // mfg IDs present, part number gone
    const SpdInfo s = decode(t2);
    CHECK(s.manufacturer.name == "Patriot Memory");
    CHECK(s.part_number.empty());
    CHECK(s.dram_manufacturer.name == "Undefined");
    CHECK(s.capacity_mb == 4096);

    t2.bytes().resize(119);
    CHECK(decode(t2).location == -1);
}

TEST_CASE("garbage never throws and never yields NaN", "[decode]") {
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<std::size_t> len(0, 1024);
    const std::uint8_t types[] = {0x0B, 0x0C, 0x12, 0x0E, 0x00, 0xFF};
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::uint8_t> bytes(len(rng));
        for (auto& b : bytes)
            b = static_cast<std::uint8_t>(byte(rng));
        if (bytes.size() > 2)
            bytes[2] = types[round % std::size(types)];
        // Make XMP headers common so the profile decoders see garbage too.
        const std::size_t xmp = round % 2 ? 176 : 384;
        if (bytes.size() > xmp + 1) {
            bytes[xmp] = 0x0C;
            bytes[xmp + 1] = 0x4A;
        }
        SpdInfo s;
        REQUIRE_NOTHROW(s = decode(Image(bytes)));
        REQUIRE(std::isfinite(s.tck_ns));
        for (const Timing& t : s.timings) {
            REQUIRE(std::isfinite(t.ns));
            REQUIRE(t.clocks >= 0);
        }
        for (const XmpProfile& x : s.xmp) {
            REQUIRE(std::isfinite(x.tck_ns));
            REQUIRE(std::isfinite(x.voltage));
            for (const Timing& t : x.timings)
                REQUIRE(std::isfinite(t.ns));
        }
    }
}
