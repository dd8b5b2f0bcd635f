// SPDX-License-Identifier: GPL-2.0-or-later
// decode(): dispatch by memory type, plus the helpers every generation shares.
#include "decode_util.hpp"

#include <array>
#include <bit>
#include <cmath>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace ddrspd {

std::string Date::iso() const {
    return valid ? fmt::format(FMT_COMPILE("{:04}-W{:02}"), year, week) : std::string();
}

const Timing* SpdInfo::timing(std::string_view name) const noexcept {
    for (const Timing& t : timings)
        if (t.name == name)
            return &t;
    return nullptr;
}

int speed_grade_mts(double tck_ns) noexcept {
    const double tck = detail::nominal_tck(tck_ns);
    if (!(tck > 0))
        return 0;
    const double rate = 2000.0 / tck;
    if (!(rate < 1e6))
        return 0;
    // JEDEC names truncate: DDR3-1333 is 1333.33 MT/s, DDR4-2666 is 2666.67 MT/s.
    return static_cast<int>(std::floor(rate + 1e-6));
}

SpdInfo decode(const Image& img) {
    SpdInfo info;
    info.type = img.memory_type();
    info.bytes_used = img.declared_used();
    info.bytes_total = img.declared_total();
    if (img.size() > 1)
        info.spd_revision = detail::revision_string(img[1]);
    if (info.type == MemoryType::DDR3 || info.type == MemoryType::DDR4) {
        // Room for what they always hold: growing these one element at a time was a good
        // part of decode()'s time in spd-check over many files.
        info.timings.reserve(16);
        info.voltages.reserve(3);
        info.features.reserve(8);
    }
    switch (info.type) {
    case MemoryType::DDR3:
        detail::decode_ddr3(img, info);
        detail::decode_xmp_ddr3(img, info);
        break;
    case MemoryType::DDR4:
        detail::decode_ddr4(img, info);
        detail::decode_xmp_ddr4(img, info);
        break;
    case MemoryType::DDR5:
        detail::decode_ddr5(img, info);
        break;
    default:
        break;
    }
    return info;
}

namespace detail {

double nominal_tck(double tck_ns) noexcept {
    if (!(tck_ns > 0) || !std::isfinite(tck_ns))
        return 0;
    const double rate = 2000.0 / tck_ns;
    // JEDEC grades are multiples of 400/3 MT/s (tCK = 15/n ns); overclocking profiles also
    // use multiples of 100 MT/s (DDR4-3000, DDR5-6200). Stored tCK is rounded to 1 ps.
    for (const double step : {400.0 / 3.0, 100.0}) {
        const double n = std::round(rate / step);
        if (n < 1)
            continue;
        const double grid = 2000.0 / (n * step);
        if (std::abs(grid - tck_ns) <= 0.001 + 1e-9)
            return grid;
    }
    return tck_ns;
}

namespace {

// clocks() for a tCK already passed through nominal_tck().
int clocks_at_nominal(double t_ns, double tck, Rounding r) noexcept {
    if (!(t_ns > 0) || !(tck > 0))
        return 0;
    const double ratio = t_ns / tck;
    const double c = r == Rounding::DDR4 ? std::ceil(ratio - 0.025) : std::ceil(ratio - 1e-6);
    if (!(c >= 0 && c < 1e6))
        return 0;
    return static_cast<int>(c);
}

} // namespace

int clocks(double t_ns, double tck_ns, Rounding r) noexcept {
    return clocks_at_nominal(t_ns, nominal_tck(tck_ns), r);
}

void add_timing(std::vector<Timing>& out, const char* name, double t_ns, double tck_ns,
                Rounding r) {
    if (t_ns == 0)
        return;
    if (out.capacity() == 0)
        out.reserve(16);
    out.push_back(Timing{name, t_ns, clocks(t_ns, tck_ns, r)});
}

std::vector<int> cas_from_mask(std::uint64_t mask, int nbits, int base, int step) {
    std::vector<int> out;
    out.reserve(static_cast<std::size_t>(std::popcount(mask)));
    for (int i = 0; i < nbits; ++i)
        if (mask & (std::uint64_t{1} << i))
            out.push_back(base + i * step);
    return out;
}

int cl_at(const std::vector<int>& cas, int min_clocks) noexcept {
    if (min_clocks <= 0)
        return 0;
    for (int cl : cas)
        if (cl >= min_clocks)
            return cl;
    return 0;
}

std::string ascii_field(const Image& img, std::size_t off, std::size_t len) {
    std::string s;
    for (std::size_t i = off; i < off + len && i < img.size(); ++i) {
        const std::uint8_t c = img[i];
        if (c < 0x20 || c >= 0x7F)
            break;
        s += static_cast<char>(c);
    }
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s;
}

std::uint32_t serial_at(const Image& img, std::size_t off) noexcept {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
        v = (v << 8) | img.at_or_zero(off + i);
    return v;
}

Manufacturer manufacturer_at(const Image& img, std::size_t off) {
    return decode_manufacturer(img.at_or_zero(off), img.at_or_zero(off + 1));
}

Date bcd_date(std::uint8_t year, std::uint8_t week) noexcept {
    Date d;
    const auto bcd_ok = [](std::uint8_t b) { return (b >> 4) <= 9 && (b & 0x0F) <= 9; };
    const auto bcd = [](std::uint8_t b) { return (b >> 4) * 10 + (b & 0x0F); };
    if (bcd_ok(year) && bcd_ok(week) && bcd(week) >= 1 && bcd(week) <= 53) {
        d.valid = true;
        d.year = 2000 + bcd(year);
        d.week = bcd(week);
    } else if (year <= 99 && week >= 1 && week <= 53) {
        // Not JEDEC, but some vendors (Corsair among them) store plain binary.
        d.binary = true;
        d.year = 2000 + year;
        d.week = week;
    }
    return d;
}

std::string revision_string(std::uint8_t b) {
    if (b == 0xFF)
        return {};
    return fmt::format(FMT_COMPILE("{}.{}"), b >> 4, b & 0x0F);
}

std::string raw_card_name(std::uint8_t card, std::uint8_t height_byte) {
    static constexpr std::string_view letters = "ABCDEFGHJKLMNPRTUVWY";
    unsigned ref = card & 0x1F;
    if (ref == 0x1F)
        return "ZZ"; // no JEDEC reference design
    if (card & 0x80)
        ref += 0x1F;
    // The height byte's bits 7:5 extend the revision past the 2 bits in the card byte.
    unsigned rev = height_byte >> 5;
    if (rev == 0)
        rev = (card >> 5) & 0x03;
    // 0..19 = A..Y, then two letters: 20 = AA, 30 = AL, 31 (extension bit) = AM ... 61 = CB.
    std::string name;
    if (ref >= letters.size())
        name += letters[ref / letters.size() - 1];
    name += letters[ref % letters.size()];
    if (rev != 0)
        name += fmt::format(FMT_COMPILE(" rev {}"), rev);
    return name;
}

std::string package_name(bool monolithic, bool three_ds, int dies) {
    if (monolithic)
        return "monolithic";
    return fmt::format(FMT_COMPILE("{}, {} {}"), three_ds ? "3DS" : "non-monolithic", dies,
                       dies == 1 ? "die" : "dies");
}

void set_speed(SpdInfo& info, int gen) {
    info.speed_mts = speed_grade_mts(info.tck_ns);
    if (info.speed_mts <= 0)
        return;
    info.speed_name = fmt::format(FMT_COMPILE("DDR{}-{}"), gen, info.speed_mts);
    if (info.bus_width > 0) {
        const long long rate = static_cast<long long>(info.speed_mts) * info.bus_width / 8;
        info.pc_name = fmt::format(FMT_COMPILE("PC{}-{}"), gen, rate / 100 * 100);
    }
}

void set_standard_speeds(SpdInfo& info, std::initializer_list<double> standard_tcks, Rounding r) {
    const Timing *taa = info.timing("tAA"), *trcd = info.timing("tRCD");
    const Timing *trp = info.timing("tRP"), *tras = info.timing("tRAS");
    const double tck_min = nominal_tck(info.tck_ns);
    const double tck_max = nominal_tck(info.tck_max_ns);
    if (!taa || !(tck_min > 0))
        return;
    // nominal_tck() once per speed rather than once per timing.
    const auto at = [&](const Timing* t, double nominal) {
        return t ? clocks_at_nominal(t->ns, nominal, r) : 0;
    };
    info.standard_speeds.reserve(standard_tcks.size());
    for (const double tck : standard_tcks) {
        if (tck < tck_min - 1e-9 || (tck_max > 0 && tck > tck_max + 1e-9))
            continue;
        const double nominal = nominal_tck(tck);
        SpeedBin bin;
        bin.cl = cl_at(info.cas_latencies, at(taa, nominal));
        if (bin.cl == 0)
            continue;
        bin.speed_mts = speed_grade_mts(tck);
        bin.trcd = at(trcd, nominal);
        bin.trp = at(trp, nominal);
        bin.tras = at(tras, nominal);
        info.standard_speeds.push_back(bin);
    }
}

std::string mac_name(unsigned code) {
    static constexpr std::array<const char*, 9> names{
        "untested", "700K", "600K", "500K", "400K", "300K", "200K", "", "unlimited"};
    return code < names.size() ? names[code] : "";
}

} // namespace detail
} // namespace ddrspd
