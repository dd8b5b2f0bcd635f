// SPDX-License-Identifier: GPL-2.0-or-later
#include "encode_util.hpp"

#include <ddrspd/error.hpp>
#include <ddrspd/jep106.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace ddrspd::detail {

const GenLayout* gen_layout(MemoryType t) noexcept {
    switch (t) {
    case MemoryType::DDR3:
        return &layout_ddr3;
    case MemoryType::DDR4:
        return &layout_ddr4;
    default:
        return nullptr;
    }
}

const TimeLayout* find_time(std::span<const TimeLayout> table, std::string_view name) noexcept {
    if (name == "tRFC")
        name = "tRFC1";
    for (const TimeLayout& t : table)
        if (t.name == name)
            return &t;
    return nullptr;
}

namespace {

unsigned max_count(const TimeLayout& t) noexcept {
    if (t.hi < 0)
        return 0xFF;
    return t.hi_mask == 0xFF ? 0xFFFF : 0xFFF;
}

} // namespace

void put_time(std::span<std::uint8_t> b, std::size_t base, const TimeLayout& t, double ns,
              std::string_view field) {
    if (!std::isfinite(ns) || ns < 0)
        throw UsageError(fmt::format("{}: {} ns is not a valid time", field, ns));
    // Range before rounding: beyond long long, llround()'s result is unspecified (on x86 a
    // negative count, which once got past a range check made after it; found by fuzz_builder).
    // Below the limit + 0.5 ps the rounded time is at most max_count whole MTBs.
    const double max_ns = max_count(t) * 0.125;
    if (!(ns * 1000.0 < max_ns * 1000.0 + 0.5))
        throw UsageError(fmt::format("{}: {} ns is too large for this field (max {} ns)", field, ns,
                                     format_ns(max_ns)));
    const long long ps = std::llround(ns * 1000.0);
    if (ps == 0 && ns > 0)
        throw UsageError(fmt::format("{}: {} ns is too small to store (the smallest time is "
                                     "0.001 ns)",
                                     field, ns));
    long long count = (ps + mtb_ps - 1) / mtb_ps;
    long long fine = ps - count * mtb_ps; // in (-125, 0]
    if (t.fine < 0 && fine != 0)
        throw UsageError(fmt::format(
            "{}: {} ns cannot be stored exactly: this field has no fine offset, use a multiple "
            "of 0.125 ns (e.g. {} or {})",
            field, format_ns(ns), format_ns(static_cast<double>(count - 1) * 0.125),
            format_ns(static_cast<double>(count) * 0.125)));
    const auto c = static_cast<unsigned>(count);
    b[base + t.lsb] = static_cast<std::uint8_t>(c & 0xFF);
    if (t.hi >= 0) {
        std::uint8_t& hi = b[base + static_cast<std::size_t>(t.hi)];
        const unsigned upper = c >> 8;
        switch (t.hi_mask) {
        case 0x0F:
            hi = static_cast<std::uint8_t>((hi & 0xF0) | upper);
            break;
        case 0xF0:
            hi = static_cast<std::uint8_t>((hi & 0x0F) | (upper << 4));
            break;
        default:
            hi = static_cast<std::uint8_t>(upper);
            break;
        }
    }
    if (t.fine >= 0)
        b[base + static_cast<std::size_t>(t.fine)] =
            static_cast<std::uint8_t>(static_cast<std::int8_t>(fine));
}

double get_time(std::span<const std::uint8_t> b, std::size_t base, const TimeLayout& t) {
    unsigned count = b[base + t.lsb];
    if (t.hi >= 0) {
        const std::uint8_t hi = b[base + static_cast<std::size_t>(t.hi)];
        switch (t.hi_mask) {
        case 0x0F:
            count |= (hi & 0x0Fu) << 8;
            break;
        case 0xF0:
            count |= (hi & 0xF0u) << 4;
            break;
        default:
            count |= unsigned{hi} << 8;
            break;
        }
    }
    long long ps = static_cast<long long>(count) * mtb_ps;
    if (t.fine >= 0)
        ps += static_cast<std::int8_t>(b[base + static_cast<std::size_t>(t.fine)]);
    return static_cast<double>(ps) / 1000.0;
}

std::vector<std::size_t> time_bytes(std::size_t base, const TimeLayout& t) {
    std::vector<std::size_t> v{base + t.lsb};
    if (t.hi >= 0)
        v.push_back(base + static_cast<std::size_t>(t.hi));
    if (t.fine >= 0)
        v.push_back(base + static_cast<std::size_t>(t.fine));
    return v;
}

void put_cas(std::span<std::uint8_t> b, std::size_t at, MemoryType t, const std::vector<int>& cls,
             std::string_view field) {
    if (cls.empty())
        throw UsageError(fmt::format("{}: at least one CAS latency is needed", field));
    const auto [lo, hi] = std::minmax_element(cls.begin(), cls.end());
    std::uint32_t mask = 0;
    if (t == MemoryType::DDR3) {
        if (*lo < 4 || *hi > 18)
            throw UsageError(fmt::format("{}: DDR3 CAS latencies must be 4..18", field));
        for (int cl : cls)
            mask |= 1u << (cl - 4);
        b[at] = static_cast<std::uint8_t>(mask & 0xFF);
        b[at + 1] = static_cast<std::uint8_t>(mask >> 8);
        return;
    }
    int base = 7;
    if (*hi > 36) {
        // JESD21-C Annex L: byte 23 bit 7 selects the high range CL 23..52.
        if (*lo < 23 || *hi > 52)
            throw UsageError(
                fmt::format("{}: DDR4 CAS latencies must all be in 7..36 or all in 23..52", field));
        base = 23;
        mask |= 0x80000000u;
    } else if (*lo < 7) {
        throw UsageError(fmt::format("{}: DDR4 CAS latencies must be 7..36 (or 23..52)", field));
    }
    for (int cl : cls)
        mask |= 1u << (cl - base);
    for (std::size_t i = 0; i < 4; ++i)
        b[at + i] = static_cast<std::uint8_t>(mask >> (8 * i));
}

std::vector<int> get_cas(std::span<const std::uint8_t> b, std::size_t at, MemoryType t) {
    std::vector<int> cls;
    if (t == MemoryType::DDR3) {
        const unsigned mask = b[at] | (unsigned{b[at + 1]} << 8);
        for (int i = 0; i < 15; ++i)
            if (mask & (1u << i))
                cls.push_back(4 + i);
        return cls;
    }
    std::uint32_t mask = 0;
    for (std::size_t i = 0; i < 4; ++i)
        mask |= std::uint32_t{b[at + i]} << (8 * i);
    const int base = (mask & 0x80000000u) ? 23 : 7;
    for (int i = 0; i < 30; ++i)
        if (mask & (1u << i))
            cls.push_back(base + i);
    return cls;
}

std::uint8_t encode_xmp_voltage(MemoryType t, double volts, std::string_view field) {
    const bool ddr3 = t == MemoryType::DDR3;
    const double step = ddr3 ? 0.05 : 0.01;
    const double steps = volts / step;
    const long long n = std::llround(steps);
    const long long per_volt = ddr3 ? 20 : 100;
    if (!std::isfinite(volts) || volts <= 0 || std::fabs(steps - static_cast<double>(n)) > 1e-6 ||
        n / per_volt > (ddr3 ? 3 : 1))
        throw UsageError(fmt::format("{}: {} V cannot be stored (XMP {} takes {} in steps of {} V)",
                                     field, volts, ddr3 ? "1.x" : "2.0",
                                     ddr3 ? "0.05..3.95 V" : "0.01..1.99 V", step));
    const auto whole = static_cast<unsigned>(n / per_volt);
    const auto frac = static_cast<unsigned>(n % per_volt);
    return static_cast<std::uint8_t>(ddr3 ? (whole << 5) | frac : (whole << 7) | frac);
}

double decode_xmp_voltage(MemoryType t, std::uint8_t b) noexcept {
    if (t == MemoryType::DDR3)
        return ((b >> 5) & 0x3) + (b & 0x1F) * 0.05;
    return (b >> 7) + (b & 0x7F) * 0.01;
}

void put_xmp_header(std::span<std::uint8_t> b, const XmpLayout& x) {
    std::fill(b.begin() + x.header, b.begin() + x.profile[0], std::uint8_t{0});
    b[x.header] = 0x0C;
    b[x.header + 1] = 0x4A;
    b[x.header + 3] = x.revision;
    if (x.header == xmp_ddr3.header) {
        // Profile 1 and 2 MTB 1/8 ns, FTB 1 ps (bytes 180..184).
        const std::array<std::uint8_t, 5> timebases{0x01, 0x08, 0x01, 0x08, 0x11};
        std::copy(timebases.begin(), timebases.end(), b.begin() + x.header + 4);
    }
}

double ddr3_tcwl_ns(double tck) {
    // CWL 5 at tCK >= 2.5 ns, one more for each faster JESD79-3 speed bin.
    constexpr std::array<double, 7> faster{1.875, 1.5, 1.25, 1.07, 0.935, 0.833, 0.75};
    int cwl = 5;
    for (double bin : faster)
        cwl += tck + 0.0005 < bin ? 1 : 0;
    return std::ceil(cwl * tck / 0.125 - 1e-9) * 0.125;
}

std::uint8_t to_bcd(int v) noexcept {
    return static_cast<std::uint8_t>(((v / 10) % 10) << 4 | (v % 10));
}

int from_bcd(std::uint8_t b) noexcept {
    if ((b >> 4) > 9 || (b & 0x0F) > 9)
        return -1;
    return (b >> 4) * 10 + (b & 0x0F);
}

std::pair<std::uint8_t, std::uint8_t> parse_manufacturer(std::string_view value,
                                                         std::string_view field) {
    value = trim(value);
    if (value.size() == 6 && (value.starts_with("0x") || value.starts_with("0X"))) {
        unsigned id = 0;
        const auto* first = value.data() + 2;
        const auto [p, ec] = std::from_chars(first, value.data() + value.size(), id, 16);
        if (ec == std::errc{} && p == value.data() + value.size()) {
            const auto count = static_cast<std::uint8_t>(id >> 8);
            const auto code = static_cast<std::uint8_t>(id & 0xFF);
            if (!odd_parity(count) || !odd_parity(code) || (code & 0x7F) == 0 ||
                (code & 0x7F) == 0x7F)
                throw UsageError(fmt::format(
                    "{}: {} is not a valid JEP106 id (both bytes need odd parity in bit 7, "
                    "e.g. 0x80CE for Samsung)",
                    field, value));
            return {count, code};
        }
    }
    if (value.empty())
        throw UsageError(
            fmt::format("{}: empty manufacturer (give a JEP106 name or 0xBBCC)", field));
    try {
        return jep106_find(value);
    } catch (const UsageError& e) {
        throw UsageError(fmt::format("{}: {}", field, e.what()));
    }
}

void put_text(std::span<std::uint8_t> b, std::size_t at, std::size_t len, std::string_view text,
              std::string_view field) {
    if (text.size() > len)
        throw UsageError(fmt::format("{}: \"{}\" is {} characters, the field holds {}", field, text,
                                     text.size(), len));
    for (char c : text)
        if (c < 0x20 || c > 0x7E)
            throw UsageError(fmt::format("{}: only printable ASCII is allowed", field));
    for (std::size_t i = 0; i < len; ++i)
        b[at + i] = static_cast<std::uint8_t>(i < text.size() ? text[i] : ' ');
}

double tck_for_speed(int mts, std::string_view field) {
    if (mts < 200 || mts > 10000)
        throw UsageError(fmt::format("{}: {} MT/s is out of range", field, mts));
    // JEDEC data rates are multiples of 800/3 MT/s where they are not round hundreds.
    // tCK = 7.5 / n ns for rate n x 800/3; computed that way 2133 gives 937.5 ps exactly,
    // which rounds to the 0.938 ns real DDR4-2133 SPDs hold.
    const double n = std::round(mts * 3.0 / 800.0);
    if (n > 0 && std::fabs(n * 800.0 / 3.0 - mts) < 1.0)
        return std::round(7500.0 / n) / 1000.0;
    return std::round(2.0e6 / mts) / 1000.0;
}

std::string format_ns(double ns) {
    std::string s = fmt::format("{:.3f}", ns);
    while (s.back() == '0')
        s.pop_back();
    if (s.back() == '.')
        s.pop_back();
    return s;
}

std::string lower(std::string_view s) {
    std::string l(s);
    std::transform(l.begin(), l.end(), l.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return l;
}

std::string_view trim(std::string_view s) noexcept {
    const auto ws = " \t\r\n";
    const auto first = s.find_first_not_of(ws);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(ws) - first + 1);
}

double parse_double(std::string_view s, std::string_view field) {
    s = trim(s);
    double v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v))
        throw UsageError(fmt::format("{}: \"{}\" is not a number", field, s));
    return v;
}

long long parse_int(std::string_view s, std::string_view field) {
    s = trim(s);
    int radix = 10;
    std::string_view digits = s;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        radix = 16;
        digits = s.substr(2);
    }
    long long v = 0;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, radix);
    if (digits.empty() || ec != std::errc{} || p != digits.data() + digits.size())
        throw UsageError(fmt::format("{}: \"{}\" is not an integer", field, s));
    return v;
}

std::vector<int> parse_int_list(std::string_view s, std::string_view field) {
    std::vector<int> out;
    s = trim(s);
    while (!s.empty()) {
        const auto comma = s.find(',');
        const std::string_view item = trim(s.substr(0, comma));
        const long long v = parse_int(item, field);
        if (v < 0 || v > 255)
            throw UsageError(fmt::format("{}: {} is out of range", field, v));
        out.push_back(static_cast<int>(v));
        if (comma == std::string_view::npos)
            break;
        s = s.substr(comma + 1);
        if (trim(s).empty())
            throw UsageError(fmt::format("{}: trailing comma", field));
    }
    if (out.empty())
        throw UsageError(fmt::format("{}: empty list", field));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool parse_bool(std::string_view s, std::string_view field) {
    s = trim(s);
    const std::string l = lower(s);
    if (l == "1" || l == "true" || l == "yes" || l == "on")
        return true;
    if (l == "0" || l == "false" || l == "no" || l == "off")
        return false;
    throw UsageError(
        fmt::format("{}: \"{}\" is not a boolean (true/false, yes/no, 1/0)", field, s));
}

} // namespace ddrspd::detail
