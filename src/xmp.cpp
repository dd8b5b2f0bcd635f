// SPDX-License-Identifier: GPL-2.0-or-later
// Intel XMP 1.x (DDR3, bytes 176-254) and XMP 2.0 (DDR4, bytes 384-486). Layouts from
// spd-reference.md section 2.5 (Intel MrcSpdData.h); XMP has no CRC.
#include "decode_util.hpp"

#include <fmt/format.h>

namespace ddrspd::detail {
namespace {

constexpr std::uint8_t xmp_id0 = 0x0C, xmp_id1 = 0x4A;

std::string version_string(std::uint8_t b) {
    return fmt::format("{}.{}", b >> 4, b & 0x0F);
}

// Profiles are listed when enabled, or when a disabled slot still carries a tCK.
bool profile_present(std::uint8_t org, int index, std::uint8_t tck_byte) {
    return (org & (1u << index)) != 0 || tck_byte != 0;
}

XmpProfile ddr3_profile(const Image& img, const SpdInfo& info, int index) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };
    const std::size_t p = 185 + 35 * static_cast<std::size_t>(index);
    XmpProfile x;
    x.number = index + 1;
    x.enabled = (b(178) & (1u << index)) != 0;
    // VDD: bits 6:5 whole volts, bits 4:0 in 50 mV steps.
    x.voltage = ((b(p) >> 5) & 0x03) + (b(p) & 0x1F) * 0.05;

    // Per-profile MTB at 180/181 (profile 1) and 182/183 (profile 2). Byte 184 holds the FTB
    // in XMP 1.3 (same encoding as SPD byte 9) [S: Intel MRC]; when it is empty the
    // module's own FTB applies.
    const std::uint8_t dividend = b(180 + 2 * static_cast<std::size_t>(index));
    const std::uint8_t divisor = b(181 + 2 * static_cast<std::size_t>(index));
    if (dividend == 0 || divisor == 0)
        return x;
    const double mtb_ps = 1000.0 * dividend / divisor;
    const double ftb_ps =
        (b(184) & 0x0F) ? static_cast<double>(b(184) >> 4) / (b(184) & 0x0F) : info.ftb_ps;
    const auto t = [&](unsigned mtb_units, std::uint8_t fine_byte = 0) {
        return (mtb_units * mtb_ps + fine(fine_byte) * ftb_ps) / 1000.0;
    };

    x.tck_ns = t(b(p + 1), b(p + 26));
    x.speed_mts = speed_grade_mts(x.tck_ns);
    x.cas_latencies = cas_from_mask(le16(img, p + 3), 15, 4);
    const double tck = x.tck_ns;
    const double taa = t(b(p + 2), b(p + 27));
    x.cl = cl_at(x.cas_latencies, clocks(taa, tck, Rounding::DDR3));

    auto& v = x.timings;
    const Rounding r = Rounding::DDR3;
    add_timing(v, "tAA", taa, tck, r);
    add_timing(v, "tRCD", t(b(p + 7), b(p + 29)), tck, r);
    add_timing(v, "tRP", t(b(p + 6), b(p + 28)), tck, r);
    add_timing(v, "tRAS", t(((b(p + 9) & 0x0Fu) << 8) | b(p + 10)), tck, r);
    add_timing(v, "tRC", t(((b(p + 9) & 0xF0u) << 4) | b(p + 11), b(p + 30)), tck, r);
    add_timing(v, "tRFC1", t(le16(img, p + 14)), tck, r);
    add_timing(v, "tRRD", t(b(p + 17)), tck, r);
    add_timing(v, "tWR", t(b(p + 8)), tck, r);
    add_timing(v, "tWTR", t(b(p + 20)), tck, r);
    add_timing(v, "tRTP", t(b(p + 16)), tck, r);
    add_timing(v, "tFAW", t(((b(p + 18) & 0x0Fu) << 8) | b(p + 19)), tck, r);
    return x;
}

XmpProfile ddr4_profile(const Image& img, int index) {
    const auto b = [&](std::size_t i) { return img.at_or_zero(i); };
    const std::size_t p = 393 + 47 * static_cast<std::size_t>(index);
    XmpProfile x;
    x.number = index + 1;
    x.enabled = (b(386) & (1u << index)) != 0;
    // VDD: bit 7 whole volts, bits 6:0 hundredths (1.35 V = 0xA3).
    x.voltage = (b(p) >> 7) + (b(p) & 0x7F) / 100.0;

    // Timebase byte per profile (388, 389), encoded like SPD byte 17: only 125 ps / 1 ps.
    if ((b(388 + static_cast<std::size_t>(index)) & 0x0F) != 0)
        return x;
    const auto t = [](unsigned mtb_units, std::uint8_t fine_byte = 0) {
        return (mtb_units * 125.0 + fine(fine_byte)) / 1000.0;
    };

    x.tck_ns = t(b(p + 3), b(p + 38));
    x.speed_mts = speed_grade_mts(x.tck_ns);
    const std::uint8_t top = b(p + 7);
    const std::uint32_t mask = b(p + 4) | (unsigned{b(p + 5)} << 8) | (unsigned{b(p + 6)} << 16) |
                               (unsigned{top & 0x3Fu} << 24);
    x.cas_latencies = cas_from_mask(mask, 30, (top & 0x80) ? 23 : 7);
    const double tck = x.tck_ns;
    const double taa = t(b(p + 8), b(p + 37));
    x.cl = cl_at(x.cas_latencies, clocks(taa, tck, Rounding::DDR4));

    auto& v = x.timings;
    const Rounding r = Rounding::DDR4;
    add_timing(v, "tAA", taa, tck, r);
    add_timing(v, "tRCD", t(b(p + 9), b(p + 36)), tck, r);
    add_timing(v, "tRP", t(b(p + 10), b(p + 35)), tck, r);
    add_timing(v, "tRAS", t(((b(p + 11) & 0x0Fu) << 8) | b(p + 12)), tck, r);
    add_timing(v, "tRC", t(((b(p + 11) & 0xF0u) << 4) | b(p + 13), b(p + 34)), tck, r);
    add_timing(v, "tRFC1", t(le16(img, p + 14)), tck, r);
    add_timing(v, "tRFC2", t(le16(img, p + 16)), tck, r);
    add_timing(v, "tRFC4", t(le16(img, p + 18)), tck, r);
    add_timing(v, "tRRD_S", t(b(p + 22), b(p + 33)), tck, r);
    add_timing(v, "tRRD_L", t(b(p + 23), b(p + 32)), tck, r);
    add_timing(v, "tFAW", t(((b(p + 20) & 0x0Fu) << 8) | b(p + 21)), tck, r);
    return x;
}

} // namespace

void decode_xmp_ddr3(const Image& img, SpdInfo& info) {
    if (img.at_or_zero(176) != xmp_id0 || img.at_or_zero(177) != xmp_id1)
        return;
    info.xmp_version = version_string(img.at_or_zero(179));
    for (int i = 0; i < 2; ++i)
        if (profile_present(img.at_or_zero(178), i, img.at_or_zero(186 + 35 * std::size_t(i))))
            info.xmp.push_back(ddr3_profile(img, info, i));
}

void decode_xmp_ddr4(const Image& img, SpdInfo& info) {
    if (img.at_or_zero(384) != xmp_id0 || img.at_or_zero(385) != xmp_id1)
        return;
    info.xmp_version = version_string(img.at_or_zero(387));
    for (int i = 0; i < 2; ++i)
        if (profile_present(img.at_or_zero(386), i, img.at_or_zero(396 + 47 * std::size_t(i))))
            info.xmp.push_back(ddr4_profile(img, i));
}

} // namespace ddrspd::detail
