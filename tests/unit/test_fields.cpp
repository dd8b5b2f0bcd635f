// SPDX-License-Identifier: GPL-2.0-or-later
// list_fields() / set_field(): names, values, byte-exact edits (only the field's bytes and the
// CRC bytes change), XMP creation, errors naming the field or value, unsupported types.
#include "require_error.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <set>
#include <string>

#include <catch2/catch.hpp>

using namespace ddrspd;

namespace {

using Offsets = std::set<std::size_t>;

ModuleDescription ddr4_description() {
    ModuleDescription d;
    d.type = MemoryType::DDR4;
    d.module_type = "UDIMM";
    d.die_density_mbit = 8192;
    d.device_width = 8;
    d.ranks = 2;
    d.rows = 16;
    d.columns = 10;
    d.tck_ns = 0.75;
    d.cas_latencies = {9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    d.timings = {{"tAA", 14.25}, {"tRCD", 14.25}, {"tRP", 14.25},  {"tRAS", 32},
                 {"tRC", 46.25}, {"tRFC1", 350},  {"tRFC2", 260},  {"tRFC4", 160},
                 {"tFAW", 21},   {"tRRD_S", 3},   {"tRRD_L", 4.9}, {"tCCD_L", 5},
                 {"tWR", 15},    {"tWTR_S", 2.5}, {"tWTR_L", 7.5}};
    d.rank1_mirrored = true;
    d.manufacturer = "Micron Technology";
    d.dram_manufacturer = "Micron Technology";
    d.year = 2019;
    d.week = 12;
    d.serial = 0x2112ABCD;
    d.part_number = "DDRSPD-D4U2666-16G";
    d.revision = 0x01;
    return d;
}

ModuleDescription ddr4_xmp_description() {
    ModuleDescription d = ddr4_description();
    d.xmp = {{{"voltage", 1.35},
              {"tck", 0.625},
              {"tAA", 10},
              {"tRCD", 11.25},
              {"tRP", 11.25},
              {"tRAS", 22.5},
              {"tRC", 33.75}},
             {{"voltage", 1.25}, {"tck", 0.682}, {"tAA", 12.5}}};
    return d;
}

ModuleDescription ddr3_description() {
    ModuleDescription d;
    d.type = MemoryType::DDR3;
    d.module_type = "UDIMM";
    d.die_density_mbit = 4096;
    d.device_width = 8;
    d.ranks = 2;
    d.rows = 16;
    d.columns = 10;
    d.tck_ns = 1.25;
    d.cas_latencies = {5, 6, 7, 8, 9, 10, 11};
    d.timings = {{"tAA", 13.75}, {"tRCD", 13.75}, {"tRP", 13.75}, {"tRAS", 35},
                 {"tRC", 48.75}, {"tRFC1", 260},  {"tWR", 15},    {"tRRD", 6},
                 {"tWTR", 7.5},  {"tRTP", 7.5},   {"tFAW", 30}};
    d.manufacturer = "Kingston";
    d.dram_manufacturer = "SK Hynix";
    d.year = 2014;
    d.week = 37;
    d.part_number = "DDRSPD-D3U1600-8G";
    d.revision = 0x0102;
    d.xmp = {{{"voltage", 1.5},
              {"tck", 1.071},
              {"tAA", 9.639},
              {"tRCD", 10.71},
              {"tRP", 9.639},
              {"tRAS", 26.75},
              {"tRC", 36.389}},
             {{"voltage", 1.65}, {"tck", 0.938}, {"tAA", 9.38}}};
    return d;
}

Offsets diff(const Image& a, const Image& b) {
    Offsets out;
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i])
            out.insert(i);
    return out;
}

struct Edit {
    const char* name;
    const char* value;
    Offsets bytes; // the field's bytes (JESD21-C / XMP layout, spd-reference.md 2.2-2.5)
};

// Applies each edit to a fresh copy of `img` and requires that exactly the field's bytes (or
// a subset, when a byte already held the new value) plus CRC bytes changed, that the change
// is not empty, that every CRC is valid and that list_fields() shows the new value.
void require_edits(const Image& img, const std::vector<Edit>& edits, const Offsets& crc_bytes) {
    for (const Edit& e : edits) {
        INFO("set_field " << e.name << " = " << e.value);
        Image edited = img;
        set_field(edited, e.name, e.value);
        const Offsets changed = diff(img, edited);
        Offsets field_changes;
        for (std::size_t i : changed) {
            INFO("changed byte " << i);
            CHECK((e.bytes.count(i) != 0 || crc_bytes.count(i) != 0));
            if (e.bytes.count(i) != 0)
                field_changes.insert(i);
        }
        CHECK_FALSE(field_changes.empty());
        for (const CrcBlock& b : crc_blocks(edited))
            CHECK(b.ok);
        const auto fields = list_fields(edited);
        const auto it = std::find_if(fields.begin(), fields.end(),
                                     [&](const FieldInfo& f) { return f.name == e.name; });
        REQUIRE(it != fields.end());
        CHECK(it->value == e.value);
    }
}

const FieldInfo& field(const std::vector<FieldInfo>& fields, const std::string& name) {
    const auto it = std::find_if(fields.begin(), fields.end(),
                                 [&](const FieldInfo& f) { return f.name == name; });
    if (it == fields.end())
        FAIL("no field " << name);
    return *it;
}

Image ddr5_image() {
    std::vector<std::uint8_t> b(1024, 0);
    b[0] = 0x30; // 1024 bytes
    b[1] = 0x10;
    b[2] = 0x12; // DDR5
    b[3] = 0x02; // UDIMM
    Image img(std::move(b));
    fix_crcs(img);
    return img;
}

} // namespace

TEST_CASE("list_fields: DDR4 names, units and current values", "[fields]") {
    const Image img = build_image(ddr4_xmp_description());
    const auto fields = list_fields(img);
    std::set<std::string> names;
    for (const FieldInfo& f : fields) {
        INFO(f.name);
        CHECK_FALSE(f.help.empty());
        names.insert(f.name);
    }
    for (const char* n :
         {"part_number",  "serial",       "date",        "manufacturer", "dram_manufacturer",
          "location",     "revision",     "speed",       "tck",          "cas_latencies",
          "tAA",          "tRCD",         "tRP",         "tRAS",         "tRC",
          "tRFC1",        "tRFC2",        "tRFC4",       "tRRD_S",       "tRRD_L",
          "tCCD_L",       "tWR",          "tWTR_S",      "tWTR_L",       "tFAW",
          "xmp1.enabled", "xmp1.voltage", "xmp1.speed",  "xmp1.tck",     "xmp1.cas_latencies",
          "xmp1.tAA",     "xmp1.tRCD",    "xmp1.tRP",    "xmp1.tRAS",    "xmp1.tRC",
          "xmp1.tRFC1",   "xmp1.tFAW",    "xmp1.tRRD_S", "xmp2.voltage", "xmp2.tck",
          "xmp2.tAA",     "xmp2.enabled"}) {
        INFO(n);
        CHECK(names.count(n) == 1);
    }
    CHECK(names.count("tRRD") == 0); // DDR3 only
    CHECK(field(fields, "part_number").value == "DDRSPD-D4U2666-16G");
    CHECK(field(fields, "serial").value == "0x2112ABCD");
    CHECK(field(fields, "date").value == "2019-W12");
    CHECK(field(fields, "manufacturer").value == "0x802C");
    CHECK_THAT(field(fields, "manufacturer").help, Catch::Contains("Micron"));
    CHECK(field(fields, "speed").value == "2666");
    CHECK(field(fields, "speed").unit == "MT/s");
    CHECK(field(fields, "tck").value == "0.75");
    CHECK(field(fields, "tck").unit == "ns");
    CHECK(field(fields, "cas_latencies").value == "9,10,11,12,13,14,15,16,17,18,19,20");
    CHECK(field(fields, "tAA").value == "14.25");
    CHECK(field(fields, "tRRD_L").value == "4.9");
    CHECK(field(fields, "tRFC1").value == "350");
    CHECK(field(fields, "revision").value == "0x01");
    CHECK(field(fields, "xmp1.voltage").value == "1.35");
    CHECK(field(fields, "xmp1.voltage").unit == "V");
    CHECK(field(fields, "xmp1.speed").value == "3200");
    CHECK(field(fields, "xmp1.tAA").value == "10");
    CHECK(field(fields, "xmp1.enabled").value == "yes");
    CHECK(field(fields, "xmp2.tck").value == "0.682");
    CHECK(field(fields, "xmp2.speed").value == "2933");
}

TEST_CASE("list_fields: DDR3 names and values", "[fields]") {
    const auto fields = list_fields(build_image(ddr3_description()));
    CHECK(field(fields, "tRRD").value == "6");
    CHECK(field(fields, "tRFC1").value == "260");
    CHECK(field(fields, "revision").value == "0x0102");
    CHECK(field(fields, "speed").value == "1600");
    CHECK(field(fields, "xmp1.speed").value == "1866");
    CHECK(field(fields, "xmp1.voltage").value == "1.50");
    CHECK(field(fields, "xmp2.voltage").value == "1.65");
    CHECK(field(fields, "xmp1.tCWL").unit == "ns");
    const auto has = [&](const char* n) {
        return std::any_of(fields.begin(), fields.end(),
                           [&](const FieldInfo& f) { return f.name == n; });
    };
    CHECK_FALSE(has("tRRD_S"));
    CHECK_FALSE(has("tRFC2"));
}

TEST_CASE("every listed value round-trips through set_field unchanged", "[fields]") {
    for (const Image& img : {build_image(ddr4_xmp_description()), build_image(ddr3_description()),
                             build_image(ddr4_description())}) {
        for (const FieldInfo& f : list_fields(img)) {
            if (f.value.empty())
                continue; // absent XMP section
            INFO(f.name << " = " << f.value);
            Image copy = img;
            set_field(copy, f.name, f.value);
            CHECK(copy.bytes() == img.bytes());
        }
    }
}

TEST_CASE("set_field DDR4: only the field's bytes and CRC bytes change", "[fields]") {
    const Image img = build_image(ddr4_xmp_description());
    const Offsets crc{126, 127, 254, 255};
    // clang-format off
    require_edits(img, {
        {"part_number", "NEW-PART-1", {329, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339, 340,
                                       341, 342, 343, 344, 345, 346, 347, 348}},
        {"serial", "0xDEADBEEF", {325, 326, 327, 328}},
        {"date", "2024-W09", {323, 324}},
        {"manufacturer", "0x80CE", {320, 321}},
        {"dram_manufacturer", "0x80AD", {350, 351}},
        {"location", "0x0A", {322}},
        {"revision", "0x05", {349}},
        {"speed", "3200", {18, 125}},
        {"tck", "0.833", {18, 125}},
        {"cas_latencies", "10,11,12,13,14,15,16,17,18,19,20,21,22", {20, 21, 22, 23}},
        {"tAA", "13.75", {24, 123}},
        {"tRCD", "13.5", {25, 122}},
        {"tRP", "13.32", {26, 121}},
        {"tRAS", "33", {27, 28}},
        {"tRC", "47.25", {27, 29, 120}},
        {"tRFC1", "550", {30, 31}},
        {"tRFC2", "350", {32, 33}},
        {"tRFC4", "260", {34, 35}},
        {"tFAW", "30", {36, 37}},
        {"tRRD_S", "5.3", {38, 119}},
        {"tRRD_L", "6.4", {39, 118}},
        {"tCCD_L", "5.625", {40, 117}},
        {"tWR", "16.25", {41, 42}},
        {"tWTR_S", "3.75", {43, 44}},
        {"tWTR_L", "8.75", {43, 45}},
        {"xmp1.enabled", "no", {386}},
        {"xmp1.voltage", "1.40", {393}},
        {"xmp1.speed", "3600", {396, 431}},
        {"xmp1.tck", "0.556", {396, 431}},
        {"xmp1.cas_latencies", "14,15,16,17,18", {397, 398, 399, 400}},
        {"xmp1.tAA", "10.5", {401, 430}},
        {"xmp1.tRCD", "10.556", {402, 429}},
        {"xmp1.tRP", "10.556", {403, 428}},
        {"xmp1.tRAS", "23", {404, 405}},
        {"xmp1.tRC", "35.5", {404, 406, 427}},
        {"xmp1.tRFC1", "312", {407, 408}},
        {"xmp1.tRFC2", "192", {409, 410}},
        {"xmp1.tRFC4", "132", {411, 412}},
        {"xmp1.tFAW", "15", {413, 414}},
        {"xmp1.tRRD_S", "2.222", {415, 426}},
        {"xmp1.tRRD_L", "3.333", {416, 425}},
        {"xmp2.enabled", "no", {386}},
        {"xmp2.voltage", "1.20", {440}},
        {"xmp2.tck", "0.75", {443, 478}},
        {"xmp2.tAA", "13.32", {448, 477}},
        {"xmp2.tRRD_L", "3.333", {463, 472}},
    }, crc);
    // clang-format on
    const SpdInfo s = [&] {
        Image e = img;
        set_field(e, "tAA", "13.32");
        set_field(e, "serial", "305419896");
        set_field(e, "manufacturer", "Samsung");
        return decode(e);
    }();
    CHECK(s.timing("tAA")->ns == Approx(13.32).margin(1e-9));
    CHECK(s.serial == 0x12345678);
    CHECK(s.manufacturer.count_byte == 0x80);
    CHECK(s.manufacturer.code_byte == 0xCE);
}

TEST_CASE("set_field DDR3: only the field's bytes and CRC bytes change", "[fields]") {
    const Image img = build_image(ddr3_description());
    const Offsets crc{126, 127};
    // clang-format off
    require_edits(img, {
        {"part_number", "KVR16N11/8", {128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138,
                                       139, 140, 141, 142, 143, 144, 145}},
        {"serial", "0x0BADF00D", {122, 123, 124, 125}},
        {"date", "2015-W28", {120, 121}},
        {"manufacturer", "0x04CD", {117, 118}},
        {"dram_manufacturer", "0x80CE", {148, 149}},
        {"location", "0x04", {119}},
        {"revision", "0x0203", {146, 147}},
        {"speed", "1866", {12, 34}},
        {"tck", "1.5", {12, 34}},
        {"cas_latencies", "6,7,8,9,10,11,12,13", {14, 15}},
        {"tAA", "13.125", {16, 35}},
        {"tWR", "16.25", {17}},
        {"tRCD", "13.91", {18, 36}},
        {"tRRD", "7.5", {19}},
        {"tRP", "13.91", {20, 37}},
        {"tRAS", "34", {21, 22}},
        {"tRC", "49.125", {21, 23, 38}},
        {"tRFC1", "350", {24, 25}},
        {"tWTR", "8.75", {26}},
        {"tRTP", "8.75", {27}},
        {"tFAW", "40", {28, 29}},
        {"xmp1.enabled", "no", {178}},
        {"xmp1.voltage", "1.65", {185}},
        {"xmp1.speed", "2133", {186, 211}},
        {"xmp1.tAA", "10.312", {187, 212}},
        {"xmp1.cas_latencies", "9,10,11", {188, 189}},
        {"xmp1.tCWL", "10.5", {190}},
        {"xmp1.tRP", "10.5", {191, 213}},
        {"xmp1.tRCD", "11", {192, 214}},
        {"xmp1.tWR", "16.25", {193}},
        {"xmp1.tRAS", "30", {194, 195}},
        {"xmp1.tRC", "40.5", {194, 196, 215}},
        {"xmp1.tRFC1", "300", {199, 200}},
        {"xmp1.tRTP", "8.75", {201}},
        {"xmp1.tRRD", "6.25", {202}},
        {"xmp1.tFAW", "32.5", {203, 204}},
        {"xmp1.tWTR", "8.75", {205}},
        {"xmp2.enabled", "no", {178}},
        {"xmp2.voltage", "1.60", {220}},
        {"xmp2.tck", "0.833", {221, 246}},
        {"xmp2.tAA", "9.163", {222, 247}},
    }, crc);
    // clang-format on
}

TEST_CASE("set_field recomputes a CRC that covers the edited bytes", "[fields]") {
    ModuleDescription d = ddr3_description();
    d.crc_excludes_serial = false; // DDR3 CRC over 0-125 includes the serial number
    Image img = build_image(d);
    const Image before = img;
    set_field(img, "serial", "0x0BADF00D");
    const Offsets changed = diff(before, img);
    CHECK(changed.count(122) + changed.count(123) + changed.count(124) + changed.count(125) == 4);
    CHECK((changed.count(126) || changed.count(127)));
    REQUIRE(crc_blocks(img).size() == 1);
    CHECK(crc_blocks(img)[0].ok);
    // The 0-116 variant leaves the CRC alone for the same edit.
    Image excl = build_image(ddr3_description());
    const Image excl_before = excl;
    set_field(excl, "serial", "0x0BADF00D");
    CHECK(diff(excl_before, excl) == Offsets{122, 123, 124, 125});
}

TEST_CASE("set_field: names are case-insensitive", "[fields]") {
    Image img = build_image(ddr4_description());
    set_field(img, "TAA", "13.75");
    set_field(img, "Part_Number", "X");
    CHECK(decode(img).timing("tAA")->ns == Approx(13.75));
    CHECK(decode(img).part_number == "X");
}

TEST_CASE("set_field creates an absent XMP section from the JEDEC values", "[fields][xmp]") {
    SECTION("DDR4") {
        Image img = build_image(ddr4_description());
        REQUIRE(decode(img).xmp.empty());
        const auto before = list_fields(img);
        CHECK(field(before, "xmp1.voltage").value.empty());
        CHECK_THAT(field(before, "xmp1.voltage").help, Catch::Contains("creates"));
        set_field(img, "xmp1.voltage", "1.35");
        const SpdInfo s = decode(img);
        REQUIRE(s.xmp.size() == 1);
        CHECK(s.xmp_version == "2.0");
        CHECK(s.xmp[0].enabled);
        CHECK(s.xmp[0].voltage == Approx(1.35));
        CHECK(s.xmp[0].tck_ns == Approx(0.75));
        CHECK(s.xmp[0].cas_latencies == s.cas_latencies);
        for (const Timing& t : s.xmp[0].timings) {
            INFO(t.name);
            REQUIRE(s.timing(t.name) != nullptr);
            CHECK(t.ns == Approx(s.timing(t.name)->ns));
        }
        set_field(img, "xmp1.speed", "3200");
        CHECK(decode(img).xmp[0].speed_mts == 3200);
        const Report r = check(img);
        CHECK(r.ok());
    }
    SECTION("DDR3, second profile only") {
        ModuleDescription d = ddr3_description();
        d.xmp.clear();
        Image img = build_image(d);
        set_field(img, "xmp2.speed", "1866");
        const SpdInfo s = decode(img);
        REQUIRE(s.xmp.size() == 1);
        CHECK(s.xmp[0].number == 2);
        CHECK(s.xmp[0].enabled);
        CHECK(s.xmp[0].voltage == Approx(1.5));
        CHECK(s.xmp[0].speed_mts == 1866);
        CHECK(s.xmp_version == "1.3");
        CHECK(img[176] == 0x0C);
        CHECK(img[177] == 0x4A);
        CHECK(img[178] == 0x02);
        CHECK(check(img).ok());
    }
}

TEST_CASE("set_field errors name the field or the value; the image stays untouched",
          "[fields][errors]") {
    const Image ddr4 = build_image(ddr4_xmp_description());
    const Image ddr3 = build_image(ddr3_description());
    const auto bad = [](const Image& img, const char* name, const char* value,
                        const std::string& needle) {
        INFO(name << " = " << value);
        Image copy = img;
        require_error([&] { set_field(copy, name, value); }, needle);
        CHECK(copy.bytes() == img.bytes());
    };
    bad(ddr4, "tFOO", "1", "tFOO");
    bad(ddr4, "tFOO", "1", "tAA"); // lists valid names
    bad(ddr4, "tRRD", "6", "tRRD");
    bad(ddr3, "tRRD_S", "3", "tRRD_S");
    bad(ddr4, "tAA", "abc", "tAA");
    bad(ddr4, "tAA", "abc", "abc");
    bad(ddr4, "tAA", "-1", "tAA");
    bad(ddr4, "tAA", "40", "tAA"); // 320 MTB units
    bad(ddr4, "tRAS", "32.1", "tRAS");
    bad(ddr4, "tck", "2.0", "tck");
    bad(ddr4, "speed", "fast", "speed");
    bad(ddr4, "date", "2024-13", "date");
    bad(ddr4, "date", "2024-W54", "date");
    bad(ddr4, "serial", "0x1FFFFFFFF", "serial");
    bad(ddr4, "serial", "-5", "serial");
    bad(ddr4, "manufacturer", "No Such Vendor Anywhere", "manufacturer");
    bad(ddr4, "manufacturer", "0x80CF", "0x80CF");
    bad(ddr4, "part_number", "ABCDEFGHIJKLMNOPQRSTU", "part_number");
    bad(ddr3, "part_number", "ABCDEFGHIJKLMNOPQRS", "part_number");
    bad(ddr4, "location", "300", "location");
    bad(ddr4, "revision", "0x100", "revision");
    bad(ddr4, "cas_latencies", "3,4", "cas_latencies");
    bad(ddr4, "cas_latencies", "", "cas_latencies");
    bad(ddr3, "cas_latencies", "19", "cas_latencies");
    bad(ddr4, "xmp1.voltage", "1.355", "xmp1.voltage");
    bad(ddr3, "xmp1.voltage", "1.52", "xmp1.voltage");
    bad(ddr4, "xmp1.enabled", "maybe", "xmp1.enabled");
    bad(ddr4, "xmp3.tck", "1", "xmp3.tck");
}

TEST_CASE("set_field on DDR5: manufacturing fields only", "[fields][ddr5]") {
    const Image img = ddr5_image();
    // clang-format off
    require_edits(img, {
        {"part_number", "M323R1GB4BB0-CQKOL", {521, 522, 523, 524, 525, 526, 527, 528, 529, 530,
            531, 532, 533, 534, 535, 536, 537, 538, 539, 540, 541, 542, 543, 544, 545, 546, 547,
            548, 549, 550}},
        {"serial", "0x01020304", {517, 518, 519, 520}},
        {"date", "2023-W44", {515, 516}},
        {"manufacturer", "0x80CE", {512, 513}},
        {"dram_manufacturer", "0x80CE", {552, 553}},
        {"location", "0x01", {514}},
        {"revision", "0x03", {551}},
    }, {});
    // clang-format on
    Image copy = img;
    require_error([&] { set_field(copy, "tAA", "16"); }, "tAA");
    require_error([&] { set_field(copy, "speed", "4800"); }, "speed");
    for (const FieldInfo& f : list_fields(img))
        CHECK(f.name.find("xmp") == std::string::npos);
}

TEST_CASE("set_field / list_fields refuse unsupported types", "[fields]") {
    std::vector<std::uint8_t> ddr2(256, 0);
    ddr2[0] = 0x80;
    ddr2[1] = 0x08;
    ddr2[2] = 0x08; // DDR2
    Image img(ddr2);
    require_error([&] { set_field(img, "part_number", "X"); }, "DDR2");
    require_error([&] { (void)list_fields(img); }, "DDR2");
    Image blank(std::vector<std::uint8_t>(256, 0xFF));
    require_error([&] { set_field(blank, "serial", "1"); }, "unknown");
    Image empty;
    require_error([&] { set_field(empty, "serial", "1"); }, "unknown");
}

TEST_CASE("truncated images: fields past the end are not listed and cannot be set", "[fields]") {
    Image img = build_image(ddr4_description());
    img.bytes().resize(256);
    const auto fields = list_fields(img);
    CHECK(std::none_of(fields.begin(), fields.end(),
                       [](const FieldInfo& f) { return f.name == "part_number"; }));
    CHECK(std::any_of(fields.begin(), fields.end(),
                      [](const FieldInfo& f) { return f.name == "tAA"; }));
    require_error([&] { set_field(img, "part_number", "X"); }, "256-byte");
    set_field(img, "tAA", "13.75");
    CHECK(decode(img).timing("tAA")->ns == Approx(13.75));
}
