// SPDX-License-Identifier: GPL-2.0-or-later
// DDR5 SPD (JESD400-5): identity, organisation and speed only; byte map in spd-reference.md
// section 2.4. Timings are not decoded yet.
#include "decode_util.hpp"

#include <array>

namespace ddrspd::detail {
namespace {

// Byte 3 bits 3:0.
constexpr std::array<const char*, 16> module_names{
    "",      "RDIMM", "UDIMM", "SO-DIMM",     "LRDIMM", "CUDIMM", "CSODIMM", "MRDIMM",
    "CAMM2", "",      "DDIMM", "Solder-down", "",       "",       "",        "",
};

// Bytes 4/8 bits 4:0: density per die (0 = no second SDRAM type).
constexpr std::array<std::uint32_t, 9> density_mbit{0,     4096,  8192,  12288, 16384,
                                                    24576, 32768, 49152, 65536};

// Bytes 4/8 bits 7:5: dies per package (1 = DDP, 2.. = 2H/4H/8H/16H 3DS). [S: illumos]
constexpr std::array<int, 6> dies_per_package{1, 2, 2, 4, 8, 16};

// One SDRAM type as described by bytes 4-7 (first) or 8-11 (second).
struct Sdram {
    std::uint32_t density_mbit = 0;
    int dies = 0;
    unsigned package_code = 0;
    int io_width = 0;
    int rows = 0, columns = 0;
    int bank_groups = 0, banks_per_group = 0;
};

Sdram sdram_at(const Image& img, std::size_t off) {
    Sdram s;
    const std::uint8_t dp = img.at_or_zero(off), addr = img.at_or_zero(off + 1);
    const std::uint8_t io = img.at_or_zero(off + 2), bg = img.at_or_zero(off + 3);
    if (const unsigned d = dp & 0x1F; d < density_mbit.size())
        s.density_mbit = density_mbit[d];
    s.package_code = dp >> 5;
    if (s.package_code < dies_per_package.size())
        s.dies = dies_per_package[s.package_code];
    if (const unsigned w = io >> 5; w <= 3)
        s.io_width = 4 << w;
    s.rows = 16 + (addr & 0x1F);
    s.columns = 10 + (addr >> 5);
    s.bank_groups = 1 << (bg >> 5);
    s.banks_per_group = 1 << (bg & 0x07);
    return s;
}

// MB one rank of this SDRAM type contributes across all sub-channels.
std::uint64_t rank_mb(const Sdram& s, int sub_channels, int subchannel_width) {
    if (!s.density_mbit || !s.dies || !s.io_width || subchannel_width < s.io_width)
        return 0;
    return std::uint64_t{s.density_mbit} / 8 * static_cast<unsigned>(s.dies) *
           static_cast<unsigned>(subchannel_width / s.io_width) *
           static_cast<unsigned>(sub_channels);
}

} // namespace

void decode_ddr5(const Image& img, SpdInfo& info) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };
    info.module_type = module_names[b(3) & 0x0F];
    info.hybrid = (b(3) & 0x80) != 0;

    const Sdram first = sdram_at(img, 4);
    const Sdram second = sdram_at(img, 8);
    info.die_density_mbit = first.density_mbit;
    info.die_count = first.dies ? first.dies : 1;
    info.package = package_name(first.package_code == 0, first.package_code >= 2, info.die_count);
    info.device_width = first.io_width;
    info.rows = first.rows;
    info.columns = first.columns;
    info.bank_groups = first.bank_groups;
    info.banks = first.bank_groups * first.banks_per_group;

    if ((b(16) >> 4) == 0)
        info.voltages.emplace_back("1.1 V");

    // Capacity per JESD400-5 as quoted by the decode-dimms DDR5 patch [S]. Byte 234: bit 6 rank mix
    // (odd ranks use the second SDRAM type), bits 5:3 ranks - 1 per sub-channel. Byte 235: bits 6:5
    // sub-channels - 1, bits 4:3 ECC, bits 2:0 width.
    const bool asymmetric = (b(234) & 0x40) != 0;
    info.ranks = ((b(234) >> 3) & 0x07) + 1;
    const int sub_channels = ((b(235) >> 5) & 0x03) + 1;
    const unsigned w = b(235) & 0x07;
    const int subchannel_width = w <= 3 ? 8 << w : 0;
    info.bus_width = sub_channels * subchannel_width;
    info.ecc = ((b(235) >> 3) & 0x03) != 0;
    for (int r = 0; r < info.ranks; ++r)
        info.capacity_mb +=
            rank_mb(asymmetric && (r % 2) ? second : first, sub_channels, subchannel_width);

    info.tck_ns = le16(img, 20) / 1000.0;
    info.tck_max_ns = le16(img, 22) / 1000.0;
    set_speed(info, 5);
    std::uint64_t cas_mask = 0;
    for (std::size_t i = 0; i < 5; ++i)
        cas_mask |= std::uint64_t{b(24 + i)} << (8 * i);
    info.cas_latencies = cas_from_mask(cas_mask, 40, 20, 2);

    // Height, thickness and raw card as in DDR4 bytes 128-130 [U: same encoding assumed].
    if (!info.module_type.empty()) {
        info.height_mm = (b(230) & 0x1F) + 15;
        info.thickness_front_mm = (b(231) & 0x0F) + 1;
        info.thickness_back_mm = (b(231) >> 4) + 1;
        info.raw_card = raw_card_name(b(232), b(230));
    }

    info.manufacturer = manufacturer_at(img, 512);
    if (img.size() > 514)
        info.location = img[514];
    info.date = bcd_date(b(515), b(516));
    info.serial = serial_at(img, 517);
    info.part_number = ascii_field(img, 521, 30);
    info.revision = b(551);
    info.dram_manufacturer = manufacturer_at(img, 552);
}

} // namespace ddrspd::detail
