// SPDX-License-Identifier: GPL-2.0-or-later
// Dump readers and writers. The sample texts are verbatim outputs of the real tools
// (hexdump/xxd from bsdextrautils/xxd on Debian 12; i2cdump and eeprog -x printed exactly as
// i2c-tools' i2cdump.c and eeprog.c do) for one synthetic DDR3 image, built below from the
// bytes of spd-reference.md T2.
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace ddrspd;
namespace fs = std::filesystem;

namespace {

// T2 bytes 0-127, part number "PSD34G13332" space padded, 0xFF from 176.
std::vector<std::uint8_t> t2_image() {
    std::vector<std::uint8_t> b(256, 0x00);
    const std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> rows = {
        {0x00,
         {0x92, 0x10, 0x0b, 0x02, 0x03, 0x19, 0x00, 0x09, 0x03, 0x52, 0x01, 0x08, 0x0c, 0x00, 0x3c,
          0x00}},
        {0x10,
         {0x69, 0x78, 0x69, 0x30, 0x69, 0x11, 0x20, 0x89, 0x00, 0x05, 0x3c, 0x3c, 0x00, 0xf0, 0x83,
          0x01}},
        {0x30,
         {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x11, 0x01,
          0x01}},
        {0x70,
         {0x00, 0x00, 0x00, 0x00, 0x00, 0x85, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd,
          0xba}},
    };
    for (const auto& [at, row] : rows)
        std::copy(row.begin(), row.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
    const std::string pn = "PSD34G13332       ";
    std::copy(pn.begin(), pn.end(), b.begin() + 128);
    std::fill(b.begin() + 176, b.end(), 0xFF);
    return b;
}

std::vector<std::uint8_t> prefix(std::size_t n) {
    auto b = t2_image();
    b.resize(n);
    return b;
}

// hexdump -C t2.bin
const char* const hexdump_c =
    R"(00000000  92 10 0b 02 03 19 00 09  03 52 01 08 0c 00 3c 00  |.........R....<.|
00000010  69 78 69 30 69 11 20 89  00 05 3c 3c 00 f0 83 01  |ixi0i. ...<<....|
00000020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000030  00 00 00 00 00 00 00 00  00 00 00 00 0f 11 01 01  |................|
00000040  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000070  00 00 00 00 00 85 02 02  00 00 00 00 00 00 fd ba  |................|
00000080  50 53 44 33 34 47 31 33  33 33 32 20 20 20 20 20  |PSD34G13332     |
00000090  20 20 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |  ..............|
000000a0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
000000b0  ff ff ff ff ff ff ff ff  ff ff ff ff ff ff ff ff  |................|
*
00000100
)";

// hexdump -C -v t2-100.bin (first 100 bytes)
const char* const hexdump_cv_100 =
    R"(00000000  92 10 0b 02 03 19 00 09  03 52 01 08 0c 00 3c 00  |.........R....<.|
00000010  69 78 69 30 69 11 20 89  00 05 3c 3c 00 f0 83 01  |ixi0i. ...<<....|
00000020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000030  00 00 00 00 00 00 00 00  00 00 00 00 0f 11 01 01  |................|
00000040  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000050  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
00000060  00 00 00 00                                       |....|
00000064
)";

// xxd t2.bin
const char* const xxd_default =
    R"(00000000: 9210 0b02 0319 0009 0352 0108 0c00 3c00  .........R....<.
00000010: 6978 6930 6911 2089 0005 3c3c 00f0 8301  ixi0i. ...<<....
00000020: 0000 0000 0000 0000 0000 0000 0000 0000  ................
00000030: 0000 0000 0000 0000 0000 0000 0f11 0101  ................
00000040: 0000 0000 0000 0000 0000 0000 0000 0000  ................
00000050: 0000 0000 0000 0000 0000 0000 0000 0000  ................
00000060: 0000 0000 0000 0000 0000 0000 0000 0000  ................
00000070: 0000 0000 0085 0202 0000 0000 0000 fdba  ................
00000080: 5053 4433 3447 3133 3333 3220 2020 2020  PSD34G13332     
00000090: 2020 0000 0000 0000 0000 0000 0000 0000    ..............
000000a0: 0000 0000 0000 0000 0000 0000 0000 0000  ................
000000b0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000c0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000d0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000e0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000f0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
)";

// xxd -a t2.bin (autoskip: '*' for repeated zero lines)
const char* const xxd_a = R"(00000000: 9210 0b02 0319 0009 0352 0108 0c00 3c00  .........R....<.
00000010: 6978 6930 6911 2089 0005 3c3c 00f0 8301  ixi0i. ...<<....
00000020: 0000 0000 0000 0000 0000 0000 0000 0000  ................
00000030: 0000 0000 0000 0000 0000 0000 0f11 0101  ................
00000040: 0000 0000 0000 0000 0000 0000 0000 0000  ................
*
00000070: 0000 0000 0085 0202 0000 0000 0000 fdba  ................
00000080: 5053 4433 3447 3133 3333 3220 2020 2020  PSD34G13332     
00000090: 2020 0000 0000 0000 0000 0000 0000 0000    ..............
000000a0: 0000 0000 0000 0000 0000 0000 0000 0000  ................
000000b0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000c0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000d0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000e0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
000000f0: ffff ffff ffff ffff ffff ffff ffff ffff  ................
)";

// xxd -g1 t2-100.bin
const char* const xxd_g1_100 =
    R"(00000000: 92 10 0b 02 03 19 00 09 03 52 01 08 0c 00 3c 00  .........R....<.
00000010: 69 78 69 30 69 11 20 89 00 05 3c 3c 00 f0 83 01  ixi0i. ...<<....
00000020: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
00000030: 00 00 00 00 00 00 00 00 00 00 00 00 0f 11 01 01  ................
00000040: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
00000050: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
00000060: 00 00 00 00                                      ....
)";

// i2cdump -y 1 0x50 b
const char* const i2cdump_full =
    R"(     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef
00: 92 10 0b 02 03 19 00 09 03 52 01 08 0c 00 3c 00    ??????.??R???.<.
10: 69 78 69 30 69 11 20 89 00 05 3c 3c 00 f0 83 01    ixi0i? ?.?<<.???
20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
30: 00 00 00 00 00 00 00 00 00 00 00 00 0f 11 01 01    ............????
40: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
50: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
60: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
70: 00 00 00 00 00 85 02 02 00 00 00 00 00 00 fd ba    .....???......??
80: 50 53 44 33 34 47 31 33 33 33 32 20 20 20 20 20    PSD34G13332     
90: 20 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00      ..............
a0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
b0: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff    ................
c0: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff    ................
d0: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff    ................
e0: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff    ................
f0: ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff    ................
)";

// i2cdump -y -r 0-99 1 0x50 b (blank cells after the range)
const char* const i2cdump_r99 =
    R"(     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef
00: 92 10 0b 02 03 19 00 09 03 52 01 08 0c 00 3c 00    ??????.??R???.<.
10: 69 78 69 30 69 11 20 89 00 05 3c 3c 00 f0 83 01    ixi0i? ?.?<<.???
20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
30: 00 00 00 00 00 00 00 00 00 00 00 00 0f 11 01 01    ............????
40: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
50: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00    ................
60: 00 00 00 00                                        ....            
)";

// eeprog -x -r 0:256 (leading blank line, "|" after the address, gap after 8 bytes)
const char* const eeprog_x = R"(
 0000|  92 10 0b 02 03 19 00 09   03 52 01 08 0c 00 3c 00 
 0010|  69 78 69 30 69 11 20 89   00 05 3c 3c 00 f0 83 01 
 0020|  00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00 
 0030|  00 00 00 00 00 00 00 00   00 00 00 00 0f 11 01 01 
 0040|  00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00 
 0050|  00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00 
 0060|  00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00 
 0070|  00 00 00 00 00 85 02 02   00 00 00 00 00 00 fd ba 
 0080|  50 53 44 33 34 47 31 33   33 33 32 20 20 20 20 20 
 0090|  20 20 00 00 00 00 00 00   00 00 00 00 00 00 00 00 
 00a0|  00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00 
 00b0|  ff ff ff ff ff ff ff ff   ff ff ff ff ff ff ff ff 
 00c0|  ff ff ff ff ff ff ff ff   ff ff ff ff ff ff ff ff 
 00d0|  ff ff ff ff ff ff ff ff   ff ff ff ff ff ff ff ff 
 00e0|  ff ff ff ff ff ff ff ff   ff ff ff ff ff ff ff ff 
 00f0|  ff ff ff ff ff ff ff ff   ff ff ff ff ff ff ff ff 

)";

// coreboot .spd.hex style: comments, 8 bytes a line, upper case
const char* const plain_100 = R"(# Test module: DDR3 sample (first 100 bytes)
92 10 0B 02 03 19 00 09
03 52 01 08 0C 00 3C 00
69 78 69 30 69 11 20 89
00 05 3C 3C 00 F0 83 01
00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00
# bytes 48-55
00 00 00 00 00 00 00 00
00 00 00 00 0F 11 01 01
00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00
00 00 00 00
)";

std::string parse_error(std::string_view text, DumpFormat f = DumpFormat::Auto) {
    try {
        parse_dump(text, "test.hex", f);
    } catch (const FormatError& e) {
        return e.what();
    }
    FAIL("no FormatError for: " << text);
    return {};
}

// Messages are one line: "NAME: line N: what" (or "NAME: what" when no line applies).
void require_message(const std::string& msg, int line, const std::string& needle) {
    INFO(msg);
    CHECK(msg.find('\n') == std::string::npos);
    if (line > 0)
        CHECK(msg.rfind("test.hex: line " + std::to_string(line) + ": ", 0) == 0);
    else
        CHECK(msg.rfind("test.hex: ", 0) == 0);
    CHECK(msg.find(needle) != std::string::npos);
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "ddrspd-test-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void spit(const fs::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary);
    out << data;
}

// Runs fn with file descriptor `target` (0 or 1) redirected to `path`.
template <typename Fn>
void with_fd_redirected(int target, const fs::path& path, int flags, Fn fn) {
    std::fflush(stdout);
    const int saved = ::dup(target);
    REQUIRE(saved >= 0);
    const int fd = ::open(path.c_str(), flags, 0644);
    REQUIRE(fd >= 0);
    ::dup2(fd, target);
    ::close(fd);
    try {
        fn();
    } catch (...) {
        ::dup2(saved, target);
        ::close(saved);
        throw;
    }
    std::fflush(stdout);
    ::dup2(saved, target);
    ::close(saved);
}

} // namespace

TEST_CASE("format names round-trip", "[dumpfile]") {
    for (const auto f : {DumpFormat::Auto, DumpFormat::Raw, DumpFormat::I2cdump,
                         DumpFormat::HexdumpC, DumpFormat::Xxd, DumpFormat::PlainHex})
        CHECK(dump_format_from_string(to_string(f)) == f);
    CHECK(dump_format_from_string("hexdump-c") == DumpFormat::HexdumpC);
    CHECK(dump_format_from_string("plain") == DumpFormat::PlainHex);
    CHECK_THROWS_AS(dump_format_from_string("srec"), UsageError);
    CHECK_THROWS_WITH(dump_format_from_string("srec"), Catch::Contains("'srec'"));
}

TEST_CASE("real tool outputs are detected and read exactly", "[dumpfile]") {
    const auto full = t2_image();
    const auto first100 = prefix(100);
    struct Sample {
        const char* what;
        const char* text;
        DumpFormat format;
        std::vector<std::uint8_t> bytes;
    };
    const Sample samples[] = {
        {"hexdump -C", hexdump_c, DumpFormat::HexdumpC, full},
        {"hexdump -C -v, short last line", hexdump_cv_100, DumpFormat::HexdumpC, first100},
        {"xxd", xxd_default, DumpFormat::Xxd, full},
        {"xxd -a", xxd_a, DumpFormat::Xxd, full},
        {"xxd -g1, short last line", xxd_g1_100, DumpFormat::Xxd, first100},
        {"i2cdump", i2cdump_full, DumpFormat::I2cdump, full},
        {"i2cdump -r 0-99", i2cdump_r99, DumpFormat::I2cdump, first100},
        {"eeprog -x", eeprog_x, DumpFormat::PlainHex, full},
        {"coreboot .spd.hex", plain_100, DumpFormat::PlainHex, first100},
    };
    for (const Sample& s : samples) {
        INFO(s.what);
        const ParsedDump auto_parsed = parse_dump(s.text, "test.hex");
        CHECK(auto_parsed.format == s.format);
        CHECK(auto_parsed.image.bytes() == s.bytes);
        // The same text with the format forced.
        CHECK(parse_dump(s.text, "test.hex", s.format).image.bytes() == s.bytes);
        // Windows line ends change nothing.
        std::string crlf;
        for (const char c : std::string(s.text)) {
            if (c == '\n')
                crlf += '\r';
            crlf += c;
        }
        CHECK(parse_dump(crlf, "test.hex").image.bytes() == s.bytes);
    }
}

TEST_CASE("raw binary is detected and read as is", "[dumpfile]") {
    const auto full = t2_image();
    const std::string raw(full.begin(), full.end());
    const ParsedDump p = parse_dump(raw, "test.bin");
    CHECK(p.format == DumpFormat::Raw);
    CHECK(p.image.bytes() == full);
    // Forcing raw reads text byte by byte.
    CHECK(parse_dump("92 10", "x", DumpFormat::Raw).image.size() == 5);
    // A blank 0xFF EEPROM is binary, not text.
    const std::string ff(256, '\xFF');
    CHECK(parse_dump(ff, "ff.bin").format == DumpFormat::Raw);
}

TEST_CASE("plain hex variants", "[dumpfile]") {
    SECTION("address columns with colon, pipe or none") {
        for (const char* text :
             {"0000: 92 10 0b\n0003: 02 03\n", "0000| 92 10 0b\n0003| 02 03\n",
              "000 92 10 0b\n003 02 03\n", "00000000 92 10 0b\n00000003 02 03\n"}) {
            INFO(text);
            CHECK(parse_dump(text, "t").image.bytes() ==
                  std::vector<std::uint8_t>{0x92, 0x10, 0x0b, 0x02, 0x03});
        }
    }
    SECTION("i2cdump rows without the header line") {
        const std::string grid =
            std::string(i2cdump_full).substr(std::string(i2cdump_full).find('\n') + 1);
        const ParsedDump p = parse_dump(grid, "t");
        CHECK(p.format == DumpFormat::I2cdump);
        CHECK(p.image.bytes() == t2_image());
    }
    SECTION("i2cdump with the prompt it prints without -y") {
        const std::string text = std::string("$ sudo i2cdump 1 0x50 b\n"
                                             "WARNING! This program can confuse your I2C bus, "
                                             "cause data loss and worse!\n"
                                             "I will probe file /dev/i2c-1, address 0x50, mode "
                                             "byte\nContinue? [Y/n] y\n") +
                                 i2cdump_full;
        CHECK(parse_dump(text, "t").image.bytes() == t2_image());
    }
    SECTION("inline comments and blank lines") {
        CHECK(parse_dump("\n92 10 # key bytes\n\n0b\n", "t").image.bytes() ==
              std::vector<std::uint8_t>{0x92, 0x10, 0x0b});
    }
}

TEST_CASE("bad input is a one-line FormatError naming file and line", "[dumpfile]") {
    require_message(parse_error(""), 0, "empty");
    require_message(parse_error("# only a comment\n\n"), 0, "no data");
    require_message(parse_error("ddrspd\n======\n\nA toolkit for SPD EEPROMs.\n"), 1,
                    "not a recognised dump");
    // UTF-8 prose is text, not a raw image.
    require_message(parse_error("SPD \xE2\x80\x94 notes\n"), 1, "not a recognised dump");
    require_message(parse_error("92 10 0b\n02 3 19\n"), 2, "odd number of hex digits");
    require_message(parse_error("92 10 0b\n02 zz 19\n"), 2, "'zz' is not a hex byte");
    require_message(parse_error("92 10 0b\n02 0319\n"), 2, "group of 4 hex digits");
    require_message(parse_error("0000: 92 10\n0001: 0b\n"), 2, "overlaps");
    require_message(parse_error("0000: 92 10\n0004: 0b\n"), 2, "gap");
    require_message(parse_error("0010: 92 10\n"), 1, "starts at address 0x10");
    require_message(parse_error("0000: 92 10\n0b 02\n"), 2, "address column");
    require_message(parse_error("00 92 10 0b 02 03 19 00 09 03 52 01 08 0c 00 3c 00\n"), 1,
                    "address column");

    SECTION("hexdump -C") {
        std::string swapped = hexdump_cv_100;
        // Move line 2 ("00000010 ...") after line 3.
        const auto l1 = swapped.find('\n') + 1;
        const auto l2 = swapped.find('\n', l1) + 1;
        const auto l3 = swapped.find('\n', l2) + 1;
        swapped = swapped.substr(0, l1) + swapped.substr(l2, l3 - l2) +
                  swapped.substr(l1, l2 - l1) + swapped.substr(l3);
        require_message(parse_error(swapped), 2, "gap");
        require_message(parse_error(swapped, DumpFormat::HexdumpC), 2, "gap");

        require_message(parse_error("00000000  92 10 0b 02 03 19 00 09  03 52 01 08 0c 00 3c 00  "
                                    "|................|\n*\n"),
                        0, "'*' repeat at the end");
        require_message(parse_error("00000000  92 10  |..|\n00000002\n00000000  92  |.|\n"), 3,
                        "after the final address line");
        require_message(parse_error("00000000  92 1g  |..|\n"), 1, "'1g' is not a hex byte");
        // A '*' that would expand far beyond any SPD is refused without allocating.
        require_message(parse_error("00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  "
                                    "|................|\n*\n10000000\n"),
                        3, "larger than any SPD");
    }
    SECTION("xxd") {
        require_message(parse_error("00000000: 010b1192 00001a03  ........\n"), 1, "8 hex digits");
        require_message(parse_error("00000000: 9210 0b0  ...\n"), 1, "3 hex digits");
    }
    SECTION("i2cdump") {
        std::string failed = i2cdump_full;
        failed.replace(failed.find("30: ") + 4 + 3 * 5, 2, "XX");
        require_message(parse_error(failed), 5, "byte 0x35 reads 'XX'");
        std::string garbled = i2cdump_full;
        garbled.replace(garbled.find("20: ") + 4, 2, "0g");
        require_message(parse_error(garbled), 4, "byte 0x20");
        std::string tail = std::string(i2cdump_full) + "\nsome notes\n";
        require_message(parse_error(tail), 19, "after the end of the i2cdump grid");
    }
    SECTION("too much data") {
        std::string big;
        for (int i = 0; i < 2049; ++i)
            big += "00 ";
        require_message(parse_error(big), 1, "larger than any SPD");
        CHECK_THROWS_WITH(parse_dump(std::string(4096, '\x01'), "test.bin"),
                          Catch::Contains("larger than any SPD"));
        CHECK(parse_dump(std::string(2048, '\x01'), "test.bin").image.size() == 2048);
    }
    SECTION("forced format that does not fit") {
        require_message(parse_error(plain_100, DumpFormat::Xxd), 2, "expected an xxd line");
        require_message(parse_error(xxd_default, DumpFormat::HexdumpC), 1,
                        "expected a hexdump -C line");
        require_message(parse_error(hexdump_c, DumpFormat::I2cdump), 1,
                        "expected the i2cdump header");
        require_message(parse_error(xxd_default, DumpFormat::PlainHex), 1, "group of 4 hex digits");
    }
}

TEST_CASE("format_i2cdump prints i2cdump's grid", "[dumpfile]") {
    CHECK(format_i2cdump(t2_image()) == i2cdump_full);
    CHECK(format_i2cdump(prefix(100)) == i2cdump_r99);

    // Longer images continue with rows 100:, 110: ... and read back.
    std::vector<std::uint8_t> ddr4(512);
    for (std::size_t i = 0; i < ddr4.size(); ++i)
        ddr4[i] = static_cast<std::uint8_t>(i * 7 + 3);
    const std::string text = format_i2cdump(ddr4);
    CHECK(text.find("\n100: ") != std::string::npos);
    CHECK(text.find("\n1f0: ") != std::string::npos);
    const ParsedDump back = parse_dump(text, "t");
    CHECK(back.format == DumpFormat::I2cdump);
    CHECK(back.image.bytes() == ddr4);
}

TEST_CASE("read_input and load_dump", "[dumpfile]") {
    TempDir dir;
    const auto full = t2_image();

    SECTION("a regular file") {
        spit(dir.path / "a.hex", hexdump_c);
        CHECK(read_input((dir.path / "a.hex").string()) == hexdump_c);
        CHECK(load_dump((dir.path / "a.hex").string()).image.bytes() == full);
    }
    SECTION("missing file") {
        const std::string p = (dir.path / "nope.bin").string();
        CHECK_THROWS_AS(read_input(p), FileError);
        CHECK_THROWS_WITH(read_input(p), p + ": No such file or directory");
    }
    SECTION("directory") {
        CHECK_THROWS_WITH(read_input(dir.path.string()), dir.path.string() + ": is a directory");
    }
    SECTION("too large") {
        const fs::path p = dir.path / "big.bin";
        spit(p, std::string(max_input_size + 1, 'x'));
        CHECK_THROWS_AS(read_input(p.string()), FileError);
        CHECK_THROWS_WITH(read_input(p.string()), Catch::Contains("too large"));
        spit(p, std::string(max_input_size, 'x'));
        CHECK(read_input(p.string()).size() == max_input_size);
        // A device that never ends is cut off too.
        CHECK_THROWS_WITH(read_input("/dev/zero"), Catch::Contains("too large"));
    }
    SECTION("unreadable") {
        const fs::path p = dir.path / "secret.bin";
        spit(p, "x");
        ::chmod(p.c_str(), 0);
        if (::geteuid() != 0) // root reads anything
            CHECK_THROWS_WITH(read_input(p.string()), p.string() + ": Permission denied");
    }
    SECTION("stdin") {
        spit(dir.path / "in.hex", xxd_default);
        ParsedDump p;
        with_fd_redirected(STDIN_FILENO, dir.path / "in.hex", O_RDONLY,
                           [&] { p = load_dump("-"); });
        CHECK(p.format == DumpFormat::Xxd);
        CHECK(p.image.bytes() == full);
    }
    SECTION("regular files whose size says less than they hold") {
        // procfs files report size 0: the read must go on past what fstat said.
        if (fs::exists("/proc/self/status")) {
            const std::string status = read_input("/proc/self/status");
            CHECK(status.rfind("Name:", 0) == 0);
            CHECK(status.back() == '\n');
        }
        // A file of exactly one byte, and of exactly the 8 KiB a read takes at a time.
        spit(dir.path / "one.bin", "\x92");
        CHECK(read_input((dir.path / "one.bin").string()) == "\x92");
        const std::string block(8192, 'a');
        spit(dir.path / "block.txt", block);
        CHECK(read_input((dir.path / "block.txt").string()) == block);
    }
    SECTION("empty file names the file") {
        spit(dir.path / "empty.bin", "");
        const std::string p = (dir.path / "empty.bin").string();
        CHECK_THROWS_AS(load_dump(p), FormatError);
        CHECK_THROWS_WITH(load_dump(p), p + ": empty file");
    }
}

TEST_CASE("write_file_atomic", "[dumpfile]") {
    TempDir dir;
    const auto full = t2_image();
    const fs::path out = dir.path / "out.bin";
    const auto files = [&] {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(dir.path))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    };

    SECTION("new file, then replaced keeping its mode") {
        write_file_atomic(out.string(), full);
        CHECK(slurp(out) == std::string(full.begin(), full.end()));
        ::chmod(out.c_str(), 0640);
        write_file_atomic(out.string(), std::string_view("hello"));
        CHECK(slurp(out) == "hello");
        struct stat st {};
        REQUIRE(::stat(out.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0640);
        CHECK(files() == std::vector<std::string>{"out.bin"}); // no temp file left
    }
    SECTION("through a symlink the target is replaced") {
        spit(dir.path / "real.bin", "old");
        fs::create_symlink("real.bin", dir.path / "link.bin");
        write_file_atomic((dir.path / "link.bin").string(), std::string_view("new"));
        CHECK(fs::is_symlink(dir.path / "link.bin"));
        CHECK(slurp(dir.path / "real.bin") == "new");
    }
    SECTION("errors") {
        CHECK_THROWS_AS(write_file_atomic(dir.path.string(), full), FileError);
        CHECK_THROWS_WITH(write_file_atomic(dir.path.string(), full),
                          dir.path.string() + ": is a directory");
        const std::string in_missing_dir = (dir.path / "no" / "x.bin").string();
        CHECK_THROWS_WITH(write_file_atomic(in_missing_dir, full),
                          Catch::Contains(in_missing_dir) &&
                              Catch::Contains("No such file or directory"));
        CHECK_THROWS_WITH(write_file_atomic("/dev/null", full),
                          Catch::Contains("not a regular file"));
    }
    SECTION("'-' is standard output") {
        const fs::path captured = dir.path / "stdout.txt";
        with_fd_redirected(STDOUT_FILENO, captured, O_WRONLY | O_CREAT | O_TRUNC,
                           [&] { write_file_atomic("-", std::string_view("to stdout\n")); });
        CHECK(slurp(captured) == "to stdout\n");
    }
}

TEST_CASE("parse_dump never throws anything but FormatError (fuzz)", "[dumpfile][fuzz]") {
    std::mt19937 rng(20240611);
    const std::vector<std::string> seeds = {hexdump_c,   hexdump_cv_100, xxd_default,
                                            xxd_a,       xxd_g1_100,     i2cdump_full,
                                            i2cdump_r99, eeprog_x,       plain_100};
    const std::string alphabet = "0123456789abcdefABCDEFXx:|*# \n\t\r.-";
    const auto pick = [&](std::size_t n) {
        return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
    };
    int parsed = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string input;
        if (i % 10 == 0) { // random bytes
            input.resize(pick(3000));
            for (char& c : input)
                c = static_cast<char>(pick(256));
        } else { // mutated real dump
            input = seeds[pick(seeds.size())];
            const std::size_t edits = 1 + pick(8);
            for (std::size_t e = 0; e < edits && !input.empty(); ++e) {
                const std::size_t at = pick(input.size());
                switch (pick(4)) {
                case 0:
                    input[at] = alphabet[pick(alphabet.size())];
                    break;
                case 1:
                    input.erase(at, 1 + pick(40));
                    break;
                case 2:
                    input.insert(at, 1, alphabet[pick(alphabet.size())]);
                    break;
                default:
                    input.insert(at, input.substr(pick(input.size()), pick(60)));
                    break;
                }
            }
        }
        for (const auto f : {DumpFormat::Auto, DumpFormat::Raw, DumpFormat::I2cdump,
                             DumpFormat::HexdumpC, DumpFormat::Xxd, DumpFormat::PlainHex}) {
            try {
                const ParsedDump p = parse_dump(input, "fuzz", f);
                CHECK(p.format != DumpFormat::Auto);
                CHECK(!p.image.empty());
                CHECK(p.image.size() <= max_image_size);
                ++parsed;
            } catch (const FormatError& e) {
                const std::string msg = e.what();
                if (msg.rfind("fuzz: ", 0) != 0 || msg.find('\n') != std::string::npos)
                    FAIL("bad message: " << msg);
            }
        }
    }
    CHECK(parsed > 100); // the mutations leave some dumps valid
}

// hexdump -C output exactly as the tool prints it takes a one-pass reader; anything else goes
// to the general reader, which also reports every error. A leading comment line sends the same
// text to the general reader, so the two can be compared on the same input.
namespace {

std::string with_comment(const std::string& text) {
    return "# general reader\n" + text;
}

// The FormatError message of parse_dump, "" when it parses.
std::string outcome(const std::string& text, DumpFormat f, ParsedDump& parsed) {
    try {
        parsed = parse_dump(text, "t", f);
        return "";
    } catch (const FormatError& e) {
        return e.what();
    }
}

// "t: line N: ..." with N lowered by one (for messages about the text behind the comment).
std::string line_before(const std::string& msg) {
    const std::string tag = "t: line ";
    if (msg.rfind(tag, 0) != 0)
        return msg;
    const std::size_t end = msg.find(':', tag.size());
    const int n = std::stoi(msg.substr(tag.size(), end - tag.size()));
    return tag + std::to_string(n - 1) + msg.substr(end);
}

void require_same_as_general_reader(const std::string& text, DumpFormat f) {
    INFO("input:\n" << text);
    ParsedDump direct{}, general{};
    const std::string direct_error = outcome(text, f, direct);
    const std::string general_error = outcome(with_comment(text), f, general);
    REQUIRE(direct_error == line_before(general_error));
    if (direct_error.empty()) {
        REQUIRE(direct.format == general.format);
        REQUIRE(direct.image.bytes() == general.image.bytes());
    }
}

} // namespace

TEST_CASE("hexdump -C edge cases read like the general reader does", "[dumpfile]") {
    const std::string line0 =
        "00000000  92 10 0b 02 03 19 00 09  03 52 01 08 0c 00 3c 00  |.........R....<.|\n";
    const std::vector<std::uint8_t> row0{0x92, 0x10, 0x0b, 0x02, 0x03, 0x19, 0x00, 0x09,
                                         0x03, 0x52, 0x01, 0x08, 0x0c, 0x00, 0x3c, 0x00};
    const auto repeated = [&](std::size_t times) {
        std::vector<std::uint8_t> b;
        for (std::size_t i = 0; i < times; ++i)
            b.insert(b.end(), row0.begin(), row0.end());
        return b;
    };
    struct Case {
        const char* what;
        std::string text;
        std::vector<std::uint8_t> bytes; // empty: a FormatError
        DumpFormat detected = DumpFormat::HexdumpC;
    };
    std::string values17;
    for (int i = 0; i < 17; ++i)
        values17 += "00 ";
    const Case cases[] = {
        {"final address without a line end", line0 + "00000010", row0},
        {"spaces after the final address", line0 + "00000010   \n", row0},
        {"no final address line", line0, row0},
        {"upper-case digits",
         "00000000  92 10 0B 02  |....|\n00000004\n",
         {0x92, 0x10, 0x0b, 0x02}},
        {"'*' and the final address", line0 + "*\n00000030\n", repeated(3)},
        {"'*' without a line end", line0 + "*", {}},
        {"'*' that is not a whole row", line0 + "*\n00000018\n", {}},
        {"seven-digit addresses", "0000000  92 10  |..|\n0000002\n", {0x92, 0x10}},
        {"tab before the ASCII column", "00000000  92 10\t|..|\n00000002\n", {0x92, 0x10}},
        {"no ASCII column (auto-detection reads it as plain hex)",
         "00000000  92 10\n00000002\n",
         {0x92, 0x10},
         DumpFormat::PlainHex},
        {"UTF-8 in the ASCII column", "00000000  c3 a9  |\xC3\xA9|\n00000002\n", {0xc3, 0xa9}},
        {"'i2cdump' in the first ASCII column",
         "00000000  69 32 63 64 75 6d 70 00  |i2cdump.|\n00000008\n",
         {0x69, 0x32, 0x63, 0x64, 0x75, 0x6d, 0x70, 0x00}},
        {"blank line after the final address", line0 + "00000010\n\n", row0},
        {"text after the final address", line0 + "00000010\nmore\n", {}},
        {"17 values", "00000000  " + values17 + " |.|\n", {}},
        {"a row without bytes", "00000000  |.|\n00000000\n", {}},
        {"three-digit byte", "00000000  920 10  |..|\n", {}},
        {"address gap", line0 + "00000020\n", {}},
        {"address with nine digits", "000000000  92  |.|\n", {}},
        {"full row with a byte glued to the ASCII column",
         "00000000  92 10 0b 02 03 19 00 09  03 52 01 08 0c 00 3c 00|.........R....<.|\n", row0},
        {"full row with a letter before the ASCII column",
         "00000000  92 10 0b 02 03 19 00 09  03 52 01 08 0c 00 3c 00 x|.........R....<.|\n",
         {}},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        for (const auto f : {DumpFormat::Auto, DumpFormat::HexdumpC}) {
            require_same_as_general_reader(c.text, f);
            if (c.bytes.empty()) {
                CHECK_THROWS_AS(parse_dump(c.text, "t", f), FormatError);
            } else {
                const ParsedDump p = parse_dump(c.text, "t", f);
                CHECK(p.format == (f == DumpFormat::Auto ? c.detected : f));
                CHECK(p.image.bytes() == c.bytes);
            }
        }
    }
}

TEST_CASE("hexdump -C read in one pass equals the general reader (fuzz)", "[dumpfile][fuzz]") {
    std::mt19937 rng(20261121);
    const std::vector<std::string> seeds = {hexdump_c, hexdump_cv_100};
    const std::string alphabet = "0123456789abcdefABCDEF|* \n\t\r.#";
    const auto pick = [&](std::size_t n) {
        return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
    };
    int parsed = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string input = seeds[pick(seeds.size())];
        const std::size_t edits = pick(4);
        for (std::size_t e = 0; e < edits && !input.empty(); ++e) {
            const std::size_t at = pick(input.size());
            switch (pick(4)) {
            case 0:
                input[at] = alphabet[pick(alphabet.size())];
                break;
            case 1:
                input.erase(at, 1 + pick(3));
                break;
            case 2:
                input.insert(at, 1, alphabet[pick(alphabet.size())]);
                break;
            default: // duplicate or drop a whole line
                const std::size_t start =
                    input.rfind('\n', at) == std::string::npos ? 0 : input.rfind('\n', at) + 1;
                const std::size_t stop = input.find('\n', at);
                const std::string line = input.substr(
                    start, stop == std::string::npos ? std::string::npos : stop - start + 1);
                if (pick(2) == 0)
                    input.insert(start, line);
                else
                    input.erase(start, line.size());
                break;
            }
        }
        for (const auto f : {DumpFormat::Auto, DumpFormat::HexdumpC}) {
            require_same_as_general_reader(input, f);
            try {
                parse_dump(input, "t", f);
                ++parsed;
            } catch (const FormatError&) {
            }
        }
    }
    CHECK(parsed > 1000); // most inputs stay valid, so the accepting side is exercised
}
