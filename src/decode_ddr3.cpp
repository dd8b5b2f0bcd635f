// SPDX-License-Identifier: GPL-2.0-or-later
// DDR3 SPD (JESD21-C Annex K), byte map in spd-reference.md section 2.2.
#include "decode_util.hpp"

#include <array>

namespace ddrspd::detail {
namespace {

enum class Family { None, Unbuffered, Registered, Clocked, LoadReduced };

struct ModuleKind {
    const char* name;
    Family family;
};

// Byte 3 bits 3:0.
constexpr std::array<ModuleKind, 14> module_kinds{{
    {"", Family::None}, // undefined
    {"RDIMM", Family::Registered},
    {"UDIMM", Family::Unbuffered},
    {"SO-DIMM", Family::Unbuffered},
    {"Micro-DIMM", Family::Unbuffered},
    {"Mini-RDIMM", Family::Registered},
    {"Mini-UDIMM", Family::Unbuffered},
    {"Mini-CDIMM", Family::Clocked},
    {"72b-SO-UDIMM", Family::Unbuffered},
    {"72b-SO-RDIMM", Family::Registered},
    {"72b-SO-CDIMM", Family::Clocked},
    {"LRDIMM", Family::LoadReduced},
    {"16b-SO-DIMM", Family::Unbuffered},
    {"32b-SO-DIMM", Family::Unbuffered},
}};

void decode_geometry(const Image& img, SpdInfo& info) {
    const std::uint8_t b4 = img.at_or_zero(4), b5 = img.at_or_zero(5);
    const std::uint8_t b7 = img.at_or_zero(7), b8 = img.at_or_zero(8);

    if (const unsigned ba = (b4 >> 4) & 0x07; ba <= 3)
        info.banks = 8 << ba;
    if (const unsigned d = b4 & 0x0F; d <= 6)
        info.die_density_mbit = 256u << d;
    info.rows = 12 + ((b5 >> 3) & 0x07);
    info.columns = 9 + (b5 & 0x07);
    if (const unsigned w = b7 & 0x07; w <= 3)
        info.device_width = 4 << w;
    if (const unsigned r = (b7 >> 3) & 0x07; r <= 3)
        info.ranks = static_cast<int>(r) + 1;
    else if (r == 4)
        info.ranks = 8;
    if (const unsigned w = b8 & 0x07; w <= 3)
        info.bus_width = 8 << w;
    info.ecc = ((b8 >> 3) & 0x03) == 1;

    if (info.die_density_mbit && info.device_width && info.bus_width && info.ranks)
        info.capacity_mb = std::uint64_t{info.die_density_mbit} / 8 *
                           static_cast<unsigned>(info.bus_width / info.device_width) *
                           static_cast<unsigned>(info.ranks);

    const std::uint8_t b6 = img.at_or_zero(6);
    // Bit 0 set means NOT operable at 1.5 V (decode-dimms reads it as "1.5V tolerant").
    if (!(b6 & 0x01))
        info.voltages.emplace_back("1.5 V");
    if (b6 & 0x02)
        info.voltages.emplace_back("1.35 V");
    if (b6 & 0x04)
        info.voltages.emplace_back("1.25 V");

    info.thermal_sensor = (img.at_or_zero(32) & 0x80) != 0;
    info.max_activate_count = mac_name(img.at_or_zero(41) & 0x0F);

    // Byte 33: die count codes 1-4 = 1/2/4/8 dies; signal loading in bits 1:0 as in DDR4
    // byte 6 [S: spd-reference.md; decode-dimms reads bits 3:2].
    const std::uint8_t b33 = img.at_or_zero(33);
    const unsigned die_code = (b33 >> 4) & 0x07;
    info.die_count = (die_code >= 1 && die_code <= 4) ? 1 << (die_code - 1) : 1;
    info.package = package_name(!(b33 & 0x80), (b33 & 0x03) == 2, info.die_count);
}

void decode_features(const Image& img, SpdInfo& info) {
    const std::uint8_t b30 = img.at_or_zero(30), b31 = img.at_or_zero(31);
    const struct {
        bool set;
        const char* name;
    } flags[] = {
        {(b30 & 0x01) != 0, "RZQ/6"},
        {(b30 & 0x02) != 0, "RZQ/7"},
        {(b30 & 0x80) != 0, "DLL-off"},
        {(b31 & 0x01) != 0, "extended temperature"},
        // Bit 1 only means something in the extended range: 1X instead of 2X refresh.
        {(b31 & 0x03) == 0x03, "1X refresh at extended temperature"},
        {(b31 & 0x04) != 0, "ASR"},
        {(b31 & 0x08) != 0, "on-die thermal sensor"},
        {(b31 & 0x80) != 0, "PASR"},
    };
    for (const auto& f : flags)
        if (f.set)
            info.features.emplace_back(f.name);
}

void decode_timings(const Image& img, SpdInfo& info) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };
    // MTB = byte10/byte11 ns, FTB = byte9 bits 7:4 / bits 3:0 ps; anything else is undecodable.
    if ((b(9) & 0x0F) == 0 || b(10) == 0 || b(11) == 0)
        return;
    info.mtb_ps = 1000.0 * b(10) / b(11);
    info.ftb_ps = static_cast<double>(b(9) >> 4) / (b(9) & 0x0F);
    const auto t = [&](unsigned mtb_units, std::uint8_t fine_byte = 0) {
        return (mtb_units * info.mtb_ps + fine(fine_byte) * info.ftb_ps) / 1000.0;
    };

    info.tck_ns = t(b(12), b(34));
    const double tck = info.tck_ns;
    const double taa = t(b(16), b(35));
    info.cl = cl_at(info.cas_latencies, clocks(taa, tck, Rounding::DDR3));

    auto& v = info.timings;
    const Rounding r = Rounding::DDR3;
    add_timing(v, "tAA", taa, tck, r);
    add_timing(v, "tRCD", t(b(18), b(36)), tck, r);
    add_timing(v, "tRP", t(b(20), b(37)), tck, r);
    add_timing(v, "tRAS", t(((b(21) & 0x0Fu) << 8) | b(22)), tck, r);
    add_timing(v, "tRC", t(((b(21) & 0xF0u) << 4) | b(23), b(38)), tck, r);
    add_timing(v, "tRFC1", t(le16(img, 24)), tck, r);
    add_timing(v, "tRRD", t(b(19)), tck, r);
    add_timing(v, "tWR", t(b(17)), tck, r);
    add_timing(v, "tWTR", t(b(26)), tck, r);
    add_timing(v, "tRTP", t(b(27)), tck, r);
    add_timing(v, "tFAW", t(((b(28) & 0x0Fu) << 8) | b(29)), tck, r);
    set_standard_speeds(info, {7.5 / 8, 7.5 / 7, 1.25, 1.5, 1.875, 2.5}, r);
}

void decode_module_specific(const Image& img, SpdInfo& info, Family family) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };
    info.height_mm = (b(60) & 0x1F) + 15;
    info.thickness_front_mm = (b(61) & 0x0F) + 1;
    info.thickness_back_mm = (b(61) >> 4) + 1;
    info.raw_card = raw_card_name(b(62), b(60));
    switch (family) {
    case Family::Unbuffered:
        info.rank1_mirrored = (b(63) & 0x01) != 0;
        break;
    case Family::Registered:
        info.register_manufacturer = manufacturer_at(img, 65);
        if (b(67) != 0xFF)
            info.register_revision = b(67);
        if (b(64) & 0x80)
            info.features.emplace_back("heat spreader");
        break;
    case Family::LoadReduced:
        // Byte 63 bits 1:0 = 1: odd ranks mirrored; byte 64 is the memory buffer revision.
        info.rank1_mirrored = (b(63) & 0x03) == 1;
        info.register_manufacturer = manufacturer_at(img, 65);
        if (b(64) != 0xFF)
            info.register_revision = b(64);
        break;
    default:
        break;
    }
}

} // namespace

void decode_ddr3(const Image& img, SpdInfo& info) {
    const ModuleKind kind = (img.at_or_zero(3) & 0x0F) < module_kinds.size()
                                ? module_kinds[img.at_or_zero(3) & 0x0F]
                                : ModuleKind{"", Family::None};
    info.module_type = kind.name;

    decode_geometry(img, info);
    decode_features(img, info);
    info.cas_latencies = cas_from_mask(le16(img, 14), 15, 4);
    decode_timings(img, info);
    set_speed(info, 3);
    if (kind.family != Family::None)
        decode_module_specific(img, info, kind.family);

    info.manufacturer = manufacturer_at(img, 117);
    if (img.size() > 119)
        info.location = img[119];
    info.date = bcd_date(img.at_or_zero(120), img.at_or_zero(121));
    info.serial = serial_at(img, 122);
    info.part_number = ascii_field(img, 128, 18);
    info.revision = static_cast<std::uint16_t>((img.at_or_zero(146) << 8) | img.at_or_zero(147));
    info.dram_manufacturer = manufacturer_at(img, 148);
}

} // namespace ddrspd::detail
