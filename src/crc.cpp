// SPDX-License-Identifier: GPL-2.0-or-later
#include <ddrspd/crc.hpp>

#include <array>

namespace ddrspd {

namespace {

// CRC-16/XMODEM, MSB first (spd-reference.md 1.1).
constexpr std::array<std::uint16_t, 256> make_table() {
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        unsigned crc = i << 8;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1;
        table[i] = static_cast<std::uint16_t>(crc);
    }
    return table;
}

constexpr auto crc_table = make_table();

struct BlockSpec {
    const char* name;
    std::size_t first;
    std::size_t last;
    std::size_t stored_at;
};

// JEDEC CRC blocks per generation (spd-reference.md 1.2).
constexpr BlockSpec ddr3_short{"base", 0, 116, 126}; // byte 0 bit 7 = 1: serial not covered
constexpr BlockSpec ddr3_long{"base", 0, 125, 126};
constexpr BlockSpec ddr4_base{"base", 0, 125, 126};
constexpr BlockSpec ddr4_block1{"block1", 128, 253, 254};
constexpr BlockSpec ddr5_base{"base", 0, 509, 510};

CrcBlock evaluate(const Image& img, const BlockSpec& spec) {
    CrcBlock b{spec.name, spec.first, spec.last, spec.stored_at, false, 0, 0, false};
    const auto& bytes = img.bytes();
    // The computed value is useful even when only the CRC bytes are missing.
    if (bytes.size() > spec.last)
        b.computed = crc16(std::span(bytes).subspan(spec.first, spec.last - spec.first + 1));
    b.present = bytes.size() >= spec.stored_at + 2;
    if (b.present) {
        b.stored =
            static_cast<std::uint16_t>(bytes[spec.stored_at] | (bytes[spec.stored_at + 1] << 8));
        b.ok = b.stored == b.computed;
    }
    return b;
}

} // namespace

std::uint16_t crc16(std::span<const std::uint8_t> data) noexcept {
    std::uint16_t crc = 0;
    for (const std::uint8_t byte : data)
        crc = static_cast<std::uint16_t>((crc << 8) ^ crc_table[((crc >> 8) ^ byte) & 0xFF]);
    return crc;
}

std::vector<CrcBlock> crc_blocks(const Image& img) {
    switch (img.memory_type()) {
    case MemoryType::DDR3:
        return {evaluate(img, (img[0] & 0x80) ? ddr3_short : ddr3_long)};
    case MemoryType::DDR4:
        return {evaluate(img, ddr4_base), evaluate(img, ddr4_block1)};
    case MemoryType::DDR5:
        return {evaluate(img, ddr5_base)};
    default:
        return {};
    }
}

int fix_crcs(Image& img) {
    int fixed = 0;
    for (const CrcBlock& b : crc_blocks(img)) {
        if (!b.present || b.ok)
            continue;
        img[b.stored_at] = static_cast<std::uint8_t>(b.computed & 0xFF);
        img[b.stored_at + 1] = static_cast<std::uint8_t>(b.computed >> 8);
        ++fixed;
    }
    return fixed;
}

} // namespace ddrspd
