// SPDX-License-Identifier: GPL-2.0-or-later
// make_dumps SRC_DIR OUT_DIR: builds every SRC_DIR/*.desc into OUT_DIR/<name>.bin, writes the
// broken variants listed below into OUT_DIR/broken/ and an i2cdump text copy of one image.
// Not installed; dumps/README.md says what each file is, check_dumps.py keeps them in sync.
#include <ddrspd/builder.hpp>
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace fs = std::filesystem;
using namespace ddrspd;

namespace {

enum class Mutation {
    FlipBits, // bytes[offset] ^= value, CRCs left as they were
    SetByte,  // bytes[offset] = value, CRCs left as they were
    Truncate, // keep the first `offset` bytes
    Fill,     // `offset` bytes of `value`, no source
};

struct Variant {
    std::string_view file;   // under broken/
    std::string_view source; // .desc name without extension; empty for Fill
    Mutation mutation;
    std::size_t offset;
    std::uint8_t value;
};

// clang-format off
constexpr std::array<Variant, 8> variants{{
    // tAA (byte 24) 14.25 -> 14.375 ns without updating the base CRC at 126-127.
    {"ddr4-udimm-2666-16g-bad-base-crc.bin", "ddr4-udimm-2666-16g", Mutation::FlipBits, 24, 0x01},
    // Stored block-1 CRC LSB (byte 254) corrupted; bytes 128-253 intact.
    {"ddr4-udimm-2666-16g-bad-block1-crc.bin", "ddr4-udimm-2666-16g", Mutation::FlipBits, 254, 0x01},
    // Stored CRC MSB (byte 127) corrupted.
    {"ddr3-udimm-1600-8g-bad-crc.bin", "ddr3-udimm-1600-8g", Mutation::FlipBits, 127, 0x80},
    // First EE1004 page only: manufacturing data and XMP area missing.
    {"ddr4-udimm-2666-16g-truncated-256.bin", "ddr4-udimm-2666-16g", Mutation::Truncate, 256, 0},
    // Ends inside the base block: CRC bytes 126-127 missing.
    {"ddr3-udimm-1600-8g-truncated-100.bin", "ddr3-udimm-1600-8g", Mutation::Truncate, 100, 0},
    // Key byte 2 says DDR3 (0x0B) on DDR4 data.
    {"ddr4-udimm-2666-16g-type-ddr3.bin", "ddr4-udimm-2666-16g", Mutation::SetByte, 2, 0x0B},
    // Erased EEPROM / absent device (reads 0xFF) and a zeroed one.
    {"blank-ff-512.bin", "", Mutation::Fill, 512, 0xFF},
    {"blank-00-256.bin", "", Mutation::Fill, 256, 0x00},
}};
// clang-format on

// An i2cdump-format text copy (what `i2cdump -y 1 0x50` prints for a DDR3 module).
constexpr std::string_view i2cdump_source = "ddr3-udimm-1600-8g";

std::vector<std::uint8_t> mutate(const Variant& v, const std::map<std::string, Image>& built) {
    if (v.mutation == Mutation::Fill)
        return std::vector<std::uint8_t>(v.offset, v.value);
    const auto it = built.find(std::string(v.source));
    if (it == built.end())
        throw UsageError(fmt::format("broken/{}: no {}.desc to start from", v.file, v.source));
    std::vector<std::uint8_t> b = it->second.bytes();
    if (v.offset >= b.size())
        throw UsageError(fmt::format("broken/{}: offset {} is past the {}-byte image", v.file,
                                     v.offset, b.size()));
    switch (v.mutation) {
    case Mutation::FlipBits:
        b[v.offset] ^= v.value;
        break;
    case Mutation::SetByte:
        b[v.offset] = v.value;
        break;
    case Mutation::Truncate:
        b.resize(v.offset);
        break;
    case Mutation::Fill:
        break;
    }
    return b;
}

int run(const fs::path& src, const fs::path& out) {
    std::vector<fs::path> descs;
    for (const auto& e : fs::directory_iterator(src))
        if (e.is_regular_file() && e.path().extension() == ".desc")
            descs.push_back(e.path());
    std::sort(descs.begin(), descs.end());
    if (descs.empty())
        throw UsageError(fmt::format("{}: no .desc files", src.string()));

    fs::create_directories(out / "broken");
    std::map<std::string, Image> built;
    for (const fs::path& p : descs) {
        const std::string text = read_input(p.string());
        const Image img = build_image(parse_description(text, p.filename().string()));
        const std::string name = p.stem().string();
        write_file_atomic((out / (name + ".bin")).string(), img.bytes());
        built.emplace(name, img);
    }
    for (const Variant& v : variants)
        write_file_atomic((out / "broken" / std::string(v.file)).string(), mutate(v, built));
    const auto dump = built.find(std::string(i2cdump_source));
    if (dump == built.end())
        throw UsageError(fmt::format("no {}.desc for the i2cdump copy", i2cdump_source));
    write_file_atomic((out / (std::string(i2cdump_source) + ".i2cdump.txt")).string(),
                      std::string_view(format_i2cdump(dump->second.bytes())));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fputs("usage: make_dumps SRC_DIR OUT_DIR\n", stderr);
        return 2;
    }
    try {
        return run(argv[1], argv[2]);
    } catch (const std::exception& e) {
        fmt::print(stderr, "make_dumps: {}\n", e.what());
        return 1;
    }
}
