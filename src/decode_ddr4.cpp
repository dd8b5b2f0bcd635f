// SPDX-License-Identifier: GPL-2.0-or-later
// DDR4 SPD (JESD21-C Annex L), byte map in spd-reference.md section 2.3.
#include "decode_util.hpp"

#include <array>

namespace ddrspd::detail {
namespace {

enum class Family { None, Unbuffered, Registered, LoadReduced };

struct ModuleKind {
    const char* name;
    Family family;
};

// Byte 3 bits 3:0 (0 = extended type, 15 = no base memory, others reserved).
constexpr std::array<ModuleKind, 16> module_kinds{{
    {"", Family::None},
    {"RDIMM", Family::Registered},
    {"UDIMM", Family::Unbuffered},
    {"SO-DIMM", Family::Unbuffered},
    {"LRDIMM", Family::LoadReduced},
    {"Mini-RDIMM", Family::Registered},
    {"Mini-UDIMM", Family::Unbuffered},
    {"", Family::None},
    {"72b-SO-RDIMM", Family::Registered},
    {"72b-SO-UDIMM", Family::Unbuffered},
    {"", Family::None},
    {"", Family::None},
    {"16b-SO-DIMM", Family::Unbuffered},
    {"32b-SO-DIMM", Family::Unbuffered},
    {"", Family::None},
    {"", Family::None},
}};

// Byte 4 bits 3:0; not a plain shift (8 = 12 Gb, 9 = 24 Gb).
constexpr std::array<std::uint32_t, 10> density_mbit{256,  512,   1024,  2048,  4096,
                                                     8192, 16384, 32768, 12288, 24576};

void decode_geometry(const Image& img, SpdInfo& info) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };

    if (const unsigned bg = b(4) >> 6; bg <= 2)
        info.bank_groups = 1 << bg;
    if (const unsigned ba = (b(4) >> 4) & 0x03; ba <= 1 && info.bank_groups)
        info.banks = info.bank_groups * (4 << ba);
    if (const unsigned d = b(4) & 0x0F; d < density_mbit.size())
        info.die_density_mbit = density_mbit[d];
    info.rows = 12 + ((b(5) >> 3) & 0x07);
    info.columns = 9 + (b(5) & 0x07);

    const bool monolithic = !(b(6) & 0x80);
    const bool three_ds = (b(6) & 0x03) == 2;
    info.die_count = ((b(6) >> 4) & 0x07) + 1;
    info.package = package_name(monolithic, three_ds, info.die_count);

    if (b(11) & 0x01)
        info.voltages.emplace_back("1.2 V");

    info.max_activate_count = mac_name(b(7) & 0x0F);
    if ((b(9) >> 6) == 1) // one row per bank group; other values reserved
        info.features.emplace_back("PPR");
    if (b(9) & 0x20)
        info.features.emplace_back("soft PPR");
    if (b(11) & 0x02)
        info.features.emplace_back("1.2 V endurant");
    if (b(12) & 0x40)
        info.features.emplace_back("asymmetric ranks");

    if (const unsigned w = b(12) & 0x07; w <= 3)
        info.device_width = 4 << w;
    info.ranks = ((b(12) >> 3) & 0x07) + 1;
    if (const unsigned w = b(13) & 0x07; w <= 3)
        info.bus_width = 8 << w;
    info.ecc = ((b(13) >> 3) & 0x03) == 1;
    info.thermal_sensor = (b(14) & 0x80) != 0;

    // Each 3DS package holds die_count logical ranks per package rank.
    if (info.die_density_mbit && info.device_width && info.bus_width)
        info.capacity_mb = std::uint64_t{info.die_density_mbit} / 8 *
                           static_cast<unsigned>(info.bus_width / info.device_width) *
                           static_cast<unsigned>(info.ranks) *
                           static_cast<unsigned>(three_ds ? info.die_count : 1);
}

void decode_timings(const Image& img, SpdInfo& info) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };
    // Byte 17: only MTB = 125 ps and FTB = 1 ps are defined.
    if ((b(17) & 0x0F) != 0)
        return;
    info.mtb_ps = 125;
    info.ftb_ps = 1;
    const auto t = [](unsigned mtb_units, std::uint8_t fine_byte = 0) {
        return (mtb_units * 125.0 + fine(fine_byte)) / 1000.0;
    };

    info.tck_ns = t(b(18), b(125));
    info.tck_max_ns = t(b(19), b(124));
    const double tck = info.tck_ns;
    const double taa = t(b(24), b(123));
    info.cl = cl_at(info.cas_latencies, clocks(taa, tck, Rounding::DDR4));

    auto& v = info.timings;
    const Rounding r = Rounding::DDR4;
    add_timing(v, "tAA", taa, tck, r);
    add_timing(v, "tRCD", t(b(25), b(122)), tck, r);
    add_timing(v, "tRP", t(b(26), b(121)), tck, r);
    add_timing(v, "tRAS", t(((b(27) & 0x0Fu) << 8) | b(28)), tck, r);
    add_timing(v, "tRC", t(((b(27) & 0xF0u) << 4) | b(29), b(120)), tck, r);
    add_timing(v, "tRFC1", t(le16(img, 30)), tck, r);
    add_timing(v, "tRFC2", t(le16(img, 32)), tck, r);
    add_timing(v, "tRFC4", t(le16(img, 34)), tck, r);
    add_timing(v, "tRRD_S", t(b(38), b(119)), tck, r);
    add_timing(v, "tRRD_L", t(b(39), b(118)), tck, r);
    add_timing(v, "tCCD_L", t(b(40), b(117)), tck, r);
    add_timing(v, "tWR", t(((b(41) & 0x0Fu) << 8) | b(42)), tck, r);
    add_timing(v, "tWTR_S", t(((b(43) & 0x0Fu) << 8) | b(44)), tck, r);
    add_timing(v, "tWTR_L", t(((b(43) & 0xF0u) << 4) | b(45)), tck, r);
    add_timing(v, "tFAW", t(((b(36) & 0x0Fu) << 8) | b(37)), tck, r);
    set_standard_speeds(
        info, {15.0 / 24, 15.0 / 22, 15.0 / 20, 15.0 / 18, 15.0 / 16, 15.0 / 14, 15.0 / 12}, r);
}

void decode_module_specific(const Image& img, SpdInfo& info, Family family) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };
    info.height_mm = (b(128) & 0x1F) + 15;
    info.thickness_front_mm = (b(129) & 0x0F) + 1;
    info.thickness_back_mm = (b(129) >> 4) + 1;
    info.raw_card = raw_card_name(b(130), b(128));
    if (family == Family::Unbuffered) {
        info.rank1_mirrored = (b(131) & 0x01) != 0;
        return;
    }
    // RDIMM and LRDIMM: register ID at 133-134, revision at 135, byte 136 bit 0 = address
    // mapping from register to DRAM mirrored for odd ranks [U: byte 136 is from memory of
    // Annex L, not in spd-reference.md; decode-dimms does not decode it].
    info.register_manufacturer = manufacturer_at(img, 133);
    if (b(135) != 0xFF)
        info.register_revision = b(135);
    info.rank1_mirrored = (b(136) & 0x01) != 0;
}

} // namespace

void decode_ddr4(const Image& img, SpdInfo& info) {
    const std::uint8_t b3 = img.at_or_zero(3);
    const ModuleKind kind = module_kinds[b3 & 0x0F];
    info.module_type = kind.name;
    info.hybrid = (b3 & 0x80) != 0;

    decode_geometry(img, info);
    const std::uint8_t b23 = img.at_or_zero(23);
    const std::uint32_t cas_mask = img.at_or_zero(20) | (unsigned{img.at_or_zero(21)} << 8) |
                                   (unsigned{img.at_or_zero(22)} << 16) |
                                   (unsigned{b23 & 0x3Fu} << 24);
    info.cas_latencies = cas_from_mask(cas_mask, 30, (b23 & 0x80) ? 23 : 7);
    decode_timings(img, info);
    set_speed(info, 4);
    if (kind.family != Family::None)
        decode_module_specific(img, info, kind.family);

    info.manufacturer = manufacturer_at(img, 320);
    if (img.size() > 322)
        info.location = img[322];
    info.date = bcd_date(img.at_or_zero(323), img.at_or_zero(324));
    info.serial = serial_at(img, 325);
    info.part_number = ascii_field(img, 329, 20);
    info.revision = img.at_or_zero(349);
    info.dram_manufacturer = manufacturer_at(img, 350);
}

} // namespace ddrspd::detail
