// SPDX-License-Identifier: GPL-2.0-or-later
// The real-dump corpus ($DDRSPD_CORPUS, see its README.md) against our readers, CRCs and
// checks. Exits 77 (meson: skipped) when the corpus is not there.
#define CATCH_CONFIG_RUNNER
#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace ddrspd;
namespace fs = std::filesystem;

namespace {

fs::path corpus;

std::vector<std::vector<std::string>> read_tsv(const fs::path& p) {
    std::ifstream in(p);
    REQUIRE(in);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, '\t'))
            cells.push_back(cell);
        if (!line.empty() && line.back() == '\t')
            cells.emplace_back();
        rows.push_back(cells);
    }
    return rows;
}

// Rows as maps from the header's column names.
std::vector<std::map<std::string, std::string>> read_table(const fs::path& p) {
    const auto rows = read_tsv(p);
    REQUIRE(rows.size() > 1);
    std::vector<std::map<std::string, std::string>> out;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        std::map<std::string, std::string> m;
        for (std::size_t c = 0; c < rows[0].size(); ++c)
            m[rows[0][c]] = c < rows[r].size() ? rows[r][c] : std::string();
        out.push_back(m);
    }
    return out;
}

Image load_bin(const fs::path& p) {
    return load_dump(p.string(), DumpFormat::Raw).image;
}

// ORACLE.tsv's indep_crc form: "OK (0-116)", "BAD (0-509)".
std::string verdict(const CrcBlock& b) {
    return std::string(b.ok ? "OK" : "BAD") + " (" + std::to_string(b.first) + "-" +
           std::to_string(b.last) + ")";
}

std::string describe(const Report& r) {
    std::string all;
    for (const Finding& f : r.findings)
        all += std::string(to_string(f.severity)) + " " + f.code + " @" +
               (f.offset ? std::to_string(*f.offset) : "-") + ": " + f.message + "\n";
    return all;
}

std::multiset<std::string> codes(const Report& r) {
    std::multiset<std::string> out;
    for (const Finding& f : r.findings)
        out.insert(f.code);
    return out;
}

const Finding* find(const Report& r, std::string_view code) {
    for (const Finding& f : r.findings)
        if (f.code == code)
            return &f;
    return nullptr;
}

} // namespace

TEST_CASE("CRC verdicts equal the independent oracle for every corpus file", "[corpus][crc]") {
    const auto rows = read_table(corpus / "ORACLE.tsv");
    CHECK(rows.size() == 86);
    for (const auto& row : rows) {
        INFO(row.at("file"));
        const Image img = load_bin(corpus / row.at("file"));
        CHECK(to_string(img.memory_type()) == row.at("indep_type"));
        const auto blocks = crc_blocks(img);
        REQUIRE(!blocks.empty());
        REQUIRE(blocks[0].present);
        CHECK(verdict(blocks[0]) == row.at("indep_crc"));
        if (img.memory_type() == MemoryType::DDR4) {
            REQUIRE(blocks.size() == 2);
            REQUIRE(blocks[1].present);
            CHECK((blocks[1].ok ? "OK" : "BAD") == row.at("indep_crc_block1"));
        } else {
            CHECK(blocks.size() == 1);
            CHECK(row.at("indep_crc_block1").empty());
        }
        // check() reports exactly the bad blocks.
        const Report r = check(img);
        std::size_t bad = 0;
        for (const CrcBlock& b : blocks)
            bad += b.ok ? 0 : 1;
        CHECK(codes(r).count("crc-mismatch") == bad);
        CHECK(r.crc.size() == blocks.size());
    }
}

TEST_CASE("T3: coreboot spd_tools DDR4 set-0 spd-1", "[corpus][crc]") {
    const Image img = load_bin(corpus / "bin/ddr4-coreboot-spd_tools-ddr4-set-0-spd-1.bin");
    CHECK(crc16(std::span(img.bytes()).first(126)) == 0x6214);
    const Report r = check(img);
    INFO(describe(r));
    const Finding* zero = find(r, "crc-zero");
    REQUIRE(zero != nullptr);
    CHECK(zero->offset == 126u);
    CHECK_FALSE(r.ok());
    Image fixed = img;
    CHECK(fix_crcs(fixed) == 1);
    CHECK(fixed[126] == 0x14);
    CHECK(fixed[127] == 0x62);
}

TEST_CASE("every hexdump -C -v file reads back as its binary", "[corpus][dumpfile]") {
    int compared = 0;
    for (const fs::path& dir : {corpus, corpus / "broken"}) {
        for (const auto& entry : fs::directory_iterator(dir / "hex")) {
            const fs::path hex = entry.path();
            const fs::path bin = dir / "bin" / hex.filename().replace_extension(".bin");
            INFO(hex.string());
            REQUIRE(fs::exists(bin));
            if (fs::file_size(bin) == 0) { // broken/empty-0: both are refused
                CHECK_THROWS_AS(load_dump(hex.string()), FormatError);
                CHECK_THROWS_AS(load_dump(bin.string()), FormatError);
                continue;
            }
            const ParsedDump text = load_dump(hex.string());
            CHECK(text.format == DumpFormat::HexdumpC);
            const ParsedDump raw = load_dump(bin.string());
            CHECK(raw.format == DumpFormat::Raw);
            CHECK(text.image.bytes() == raw.image.bytes());
            // And our i2cdump grid of the same bytes reads back too.
            CHECK(parse_dump(format_i2cdump(raw.image.bytes()), "grid").image.bytes() ==
                  raw.image.bytes());
            ++compared;
        }
    }
    CHECK(compared == 86 + 25);
}

// decode-dimms -x reads our grid of a 512-byte DDR4 image (rows 100: to 1f0:) exactly as the
// corpus hexdump of the same bytes. Runs only where i2c-tools' decode-dimms is installed.
TEST_CASE("decode-dimms reads format_i2cdump output", "[corpus][dumpfile]") {
    const fs::path tool = "/usr/bin/decode-dimms";
    if (!fs::exists(tool)) {
        WARN("decode-dimms not installed; comparison skipped");
        return;
    }
    const std::string name = "ddr4-samsung-m378a2k43eb1-cwe";
    const Image img = load_bin(corpus / "bin" / (name + ".bin"));
    REQUIRE(img.size() == 512);
    const fs::path grid = fs::temp_directory_path() / ("ddrspd-grid-" + std::to_string(::getpid()));
    write_file_atomic(grid.string(), format_i2cdump(img.bytes()));
    const auto run = [&](const fs::path& file) {
        const std::string cmd = tool.string() + " -x '" + file.string() + "' 2>&1";
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            std::size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
                out.append(buf, n);
            ::pclose(p);
        }
        // Drop the line naming the input file.
        std::string kept;
        std::stringstream ss(out);
        for (std::string line; std::getline(ss, line);)
            if (line.rfind("Decoding EEPROM", 0) != 0)
                kept += line + "\n";
        return kept;
    };
    const std::string from_grid = run(grid);
    const std::string from_hex = run(corpus / "hex" / (name + ".hex"));
    fs::remove(grid);
    CHECK(from_grid.find("Part Number                                      M378A2K43EB1-CWE") !=
          std::string::npos);
    CHECK(from_grid.find("EEPROM CRC of bytes 128-253                      OK (0xDF74)") !=
          std::string::npos);
    CHECK(from_grid == from_hex);
}

TEST_CASE("known corpus quirks", "[corpus][check]") {
    SECTION("Corsair CMX8GX3M2A1333C9: MTB divisor 0") {
        const Report r = check(load_bin(corpus / "bin/ddr3-corsair-cmx8gx3m2a1333c9.bin"));
        INFO(describe(r));
        const Finding* f = find(r, "invalid-timebase");
        REQUIRE(f != nullptr);
        CHECK(f->offset == 11u);
        CHECK(f->severity == Severity::Error);
        CHECK(codes(r).count("zero-timing") == 0); // no timings derived from a bad timebase
    }
    SECTION("HOT GRIZZLY reseller rewrite: JEP106 parity") {
        const Report r = check(load_bin(corpus / "bin/ddr4-jedec14f7-hot-grizzly.bin"));
        INFO(describe(r));
        const Finding* f = find(r, "jep106-parity");
        REQUIRE(f != nullptr);
        CHECK(f->severity == Severity::Warning);
        CHECK((f->offset == 320u || f->offset == 321u));
        CHECK(r.ok()); // CRCs are fine; a parity slip is a warning
    }
    SECTION("128-byte DDR3 files are truncated, not padded") {
        for (const char* name : {"bin/ddr3-coreboot-pcengines-apu2-hynix-2g-1333.bin",
                                 "bin/ddr3-coreboot-pcengines-apu2-hynix-4g-1333-ecc.bin",
                                 "bin/ddr3-coreboot-gizmosphere-gizmo2-micron_mt41j128m16jt.bin"}) {
            const Image img = load_bin(corpus / name);
            REQUIRE(img.size() == 128);
            const Report r = check(img);
            INFO(name << "\n" << describe(r));
            const Finding* f = find(r, "truncated");
            REQUIRE(f != nullptr);
            CHECK(f->offset == 128u);
            CHECK(f->message.find("part number 128-145") != std::string::npos);
            CHECK(r.crc.at(0).present);
        }
    }
    SECTION("512-byte DDR5 with a DDR4-style CRC") {
        const Report r =
            check(load_bin(corpus / "bin/ddr5-coreboot-intel-adlrvp-adlrvp_ddr5_mr.bin"));
        INFO(describe(r));
        REQUIRE(find(r, "truncated") != nullptr);
        CHECK(find(r, "truncated")->offset == 512u);
        REQUIRE(find(r, "crc-zero") != nullptr);
        CHECK(find(r, "crc-zero")->message.find("DDR4-style") != std::string::npos);
    }
}

TEST_CASE("broken/ files get the verdict BROKEN.tsv gives", "[corpus][check]") {
    struct Expect {
        std::multiset<std::string> crc; // exactly these crc-* codes
        std::set<std::string> also;     // and at least these
        std::optional<std::size_t> truncated_at;
        bool ok;
    };
    // Verdicts of BROKEN.tsv's expected_verdict column, as codes.
    const std::map<std::string, Expect> expected = {
        {"ddr3-crc-stored-bitflip", {{"crc-mismatch"}, {}, {}, false}},
        {"ddr3-data-bitflip-byte62", {{"crc-mismatch"}, {}, {}, false}},
        {"ddr3-serial-bitflip-uncovered", {{}, {}, {}, true}},
        {"ddr4-crc-stored-bitflip", {{"crc-mismatch"}, {}, {}, false}},
        {"ddr4-data-bitflip-byte20", {{"crc-mismatch"}, {}, {}, false}},
        {"ddr4-block1-bitflip-byte128", {{"crc-mismatch"}, {}, {}, false}},
        {"ddr4-mfg-bitflip-byte330", {{}, {}, {}, true}},
        {"ddr5-crc-stored-bitflip", {{"crc-mismatch"}, {}, {}, false}},
        {"ddr5-data-bitflip-byte230", {{"crc-mismatch"}, {}, {}, false}},
        {"ddr3-truncated-128", {{}, {"truncated"}, 128, false}},
        {"ddr3-truncated-100", {{"crc-missing"}, {"truncated"}, 100, false}},
        {"ddr4-truncated-256", {{}, {"truncated"}, 256, false}},
        {"ddr4-truncated-128", {{"crc-missing"}, {"truncated"}, 128, false}},
        {"ddr4-truncated-383", {{}, {"truncated", "bytes-used-exceeds-data"}, 383, false}},
        {"ddr5-truncated-512", {{}, {"truncated"}, 512, false}},
        {"ddr5-truncated-200", {{"crc-missing"}, {"truncated"}, 200, false}},
        // Read as DDR4, block 1 (128-253) stores 0000.
        {"ddr3-type-says-ddr4-crcbad",
         {{"crc-mismatch", "crc-mismatch", "crc-zero"}, {"invalid-timebase"}, {}, false}},
        {"ddr3-type-says-ddr4-crcfixed",
         {{"crc-mismatch", "crc-mismatch", "crc-zero"}, {"invalid-timebase"}, {}, false}},
        {"ddr4-type-says-ddr3-crcfixed", {{}, {"invalid-timebase"}, {}, false}},
        // DDR5 bytes hold 0000 where DDR4 keeps both CRCs.
        {"ddr5-type-says-ddr4-crcfixed",
         {{"crc-mismatch", "crc-mismatch", "crc-zero", "crc-zero"}, {"invalid-byte0"}, {}, false}},
        {"ddr4-type-0xff-crcfixed", {{}, {"unknown-memory-type"}, {}, false}},
        {"ddr4-type-0x0d-reserved-crcfixed", {{}, {"unknown-memory-type"}, {}, false}},
        {"blank-ff-256", {{}, {"blank-image"}, {}, false}},
        {"blank-00-512", {{}, {"blank-image"}, {}, false}},
        {"ddr3-real-truncated-126-rigred", {{"crc-missing"}, {"truncated"}, 126, false}},
    };
    const auto rows = read_table(corpus / "broken/BROKEN.tsv");
    CHECK(rows.size() == expected.size() + 1); // + empty-0
    for (const auto& row : rows) {
        const fs::path file =
            corpus / "broken" / fs::path(row.at("file")).lexically_relative("broken");
        const std::string stem = file.stem().string();
        INFO(stem << ": " << row.at("expected_verdict"));
        if (stem == "empty-0") {
            CHECK_THROWS_WITH(load_dump(file.string()), Catch::Contains("empty file"));
            const Report r = check(Image());
            CHECK(codes(r) == std::multiset<std::string>{"empty-image"});
            continue;
        }
        REQUIRE(expected.count(stem) == 1);
        const Expect& e = expected.at(stem);
        const Report r = check(load_bin(file));
        INFO(describe(r));
        std::multiset<std::string> crc;
        for (const std::string& c : codes(r))
            if (c.rfind("crc-", 0) == 0)
                crc.insert(c);
        CHECK(crc == e.crc);
        for (const std::string& c : e.also)
            CHECK(codes(r).count(c) > 0);
        if (e.truncated_at) {
            REQUIRE(find(r, "truncated") != nullptr);
            CHECK(find(r, "truncated")->offset == e.truncated_at);
        } else {
            CHECK(find(r, "truncated") == nullptr);
        }
        CHECK(r.ok() == e.ok);
    }
}

TEST_CASE("no corpus image has an error check() cannot explain", "[corpus][check]") {
    // Errors in the main corpus are only CRC problems, truncation and the one bad timebase.
    const std::set<std::string> explained = {"crc-mismatch", "crc-zero", "crc-missing", "truncated",
                                             "invalid-timebase"};
    for (const auto& entry : fs::directory_iterator(corpus / "bin")) {
        const Report r = check(load_bin(entry.path()));
        INFO(entry.path().filename().string() << "\n" << describe(r));
        for (const Finding& f : r.findings)
            if (f.severity == Severity::Error)
                CHECK(explained.count(f.code) == 1);
    }
}

int main(int argc, char* argv[]) {
    const char* env = std::getenv("DDRSPD_CORPUS");
    if (!env || !fs::is_regular_file(fs::path(env) / "ORACLE.tsv")) {
        std::fprintf(stderr,
                     "SKIP: corpus not found (set DDRSPD_CORPUS to the folder holding "
                     "ORACLE.tsv; now %s)\n",
                     env ? env : "unset");
        return 77;
    }
    corpus = env;
    return Catch::Session().run(argc, argv);
}
