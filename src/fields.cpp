// SPDX-License-Identifier: GPL-2.0-or-later
// Named field editing: list_fields() and set_field() over the layout tables in encode_util.hpp.
#include "encode_util.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/jep106.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace ddrspd {

using namespace detail;

namespace {

enum class Kind {
    Text,         // space-padded ASCII
    Serial,       // 4 bytes, most significant first
    Date,         // BCD year, BCD week
    Manufacturer, // JEP106 count byte, code byte
    Byte,         // one raw byte
    Revision,     // 1 or 2 bytes, most significant first
    Time,         // MTB + fine, ns
    Speed,        // a tCK field shown and set in MT/s
    Cas,          // CAS latency bitmap
    XmpVoltage,
    XmpEnabled,
};

struct Field {
    std::string name;
    std::string unit;
    std::string help;
    Kind kind;
    std::size_t at;      // first byte (section start for Time/Speed)
    std::size_t len = 0; // Text / Revision length
    const TimeLayout* time = nullptr;
    int profile = -1; // XMP profile index; -1 for base fields
};

std::string timing_help(std::string_view name) {
    static const std::map<std::string_view, std::string_view> help{
        {"tAA", "minimum CAS latency time"},
        {"tRCD", "minimum RAS to CAS delay"},
        {"tRP", "minimum row precharge time"},
        {"tRAS", "minimum active to precharge time"},
        {"tRC", "minimum active to active/refresh time"},
        {"tRFC1", "minimum refresh recovery time"},
        {"tRFC2", "minimum refresh recovery time (2x mode)"},
        {"tRFC4", "minimum refresh recovery time (4x mode)"},
        {"tFAW", "minimum four activate window"},
        {"tRRD", "minimum row active to row active delay"},
        {"tRRD_S", "minimum activate to activate delay, different bank group"},
        {"tRRD_L", "minimum activate to activate delay, same bank group"},
        {"tCCD_L", "minimum CAS to CAS delay, same bank group"},
        {"tWR", "minimum write recovery time"},
        {"tWTR", "minimum write to read time"},
        {"tWTR_S", "minimum write to read time, different bank group"},
        {"tWTR_L", "minimum write to read time, same bank group"},
        {"tRTP", "minimum read to precharge time"},
        {"tCWL", "minimum CAS write latency time"},
    };
    const auto it = help.find(name);
    return it == help.end() ? std::string(name) : std::string(it->second);
}

void add_mfg_fields(std::vector<Field>& f, const MfgLayout& m) {
    f.push_back({"part_number", "",
                 fmt::format("module part number ({} ASCII characters)", m.part_number_len),
                 Kind::Text, m.part_number, m.part_number_len});
    f.push_back({"serial", "", "module serial number (0x hex or decimal)", Kind::Serial, m.serial});
    f.push_back({"date", "", "manufacturing date (YYYY-Www)", Kind::Date, m.date});
    f.push_back({"manufacturer", "", "module manufacturer (JEP106 name or 0xBBCC)",
                 Kind::Manufacturer, m.manufacturer});
    f.push_back({"dram_manufacturer", "", "DRAM manufacturer (JEP106 name or 0xBBCC)",
                 Kind::Manufacturer, m.dram_manufacturer});
    f.push_back(
        {"location", "", "manufacturing location (vendor-specific byte)", Kind::Byte, m.location});
    f.push_back(
        {"revision", "", "module revision code", Kind::Revision, m.revision, m.revision_len});
}

std::vector<Field> make_fields(MemoryType type) {
    std::vector<Field> f;
    if (type == MemoryType::DDR5) {
        add_mfg_fields(f, mfg_ddr5);
        return f;
    }
    const GenLayout* g = gen_layout(type);
    add_mfg_fields(f, *g->mfg);
    f.push_back({"speed", "MT/s", "maximum data rate (sets tCKmin)", Kind::Speed, 0, 0, &g->tck});
    f.push_back({"tck", "ns", "minimum clock cycle time tCKmin", Kind::Time, 0, 0, &g->tck});
    f.push_back({"cas_latencies", "", "supported CAS latencies (e.g. 9,10,11)", Kind::Cas, g->cas});
    for (const TimeLayout& t : g->timings)
        f.push_back({std::string(t.name), "ns", timing_help(t.name), Kind::Time, 0, 0, &t});
    const XmpLayout& x = *g->xmp;
    for (int p = 0; p < 2; ++p) {
        const std::size_t base = x.profile[static_cast<std::size_t>(p)];
        const std::string pre = fmt::format("xmp{}.", p + 1);
        const std::string what = fmt::format("XMP profile {} ", p + 1);
        f.push_back({pre + "enabled", "", what + "enable bit", Kind::XmpEnabled, x.header + 2u, 0,
                     nullptr, p});
        f.push_back(
            {pre + "voltage", "V", what + "module VDD", Kind::XmpVoltage, base, 0, nullptr, p});
        f.push_back({pre + "speed", "MT/s", what + "data rate (sets tCK)", Kind::Speed, base, 0,
                     &x.tck, p});
        f.push_back({pre + "tck", "ns", what + "clock cycle time", Kind::Time, base, 0, &x.tck, p});
        f.push_back({pre + "cas_latencies", "", what + "supported CAS latencies", Kind::Cas,
                     base + x.cas, 0, nullptr, p});
        for (const TimeLayout& t : x.timings)
            f.push_back({pre + std::string(t.name), "ns", what + timing_help(t.name), Kind::Time,
                         base, 0, &t, p});
    }
    return f;
}

// The tables are built once per type (thread-safe statics): a script that sets dozens of
// fields, or a fuzzer, would otherwise rebuild ~80 fields and their help texts per call.
const std::vector<Field>& fields_for(MemoryType type) {
    switch (type) {
    case MemoryType::DDR3: {
        static const std::vector<Field> ddr3 = make_fields(MemoryType::DDR3);
        return ddr3;
    }
    case MemoryType::DDR4: {
        static const std::vector<Field> ddr4 = make_fields(MemoryType::DDR4);
        return ddr4;
    }
    case MemoryType::DDR5: {
        static const std::vector<Field> ddr5 = make_fields(MemoryType::DDR5);
        return ddr5;
    }
    default:
        throw UsageError(fmt::format("cannot edit fields of a {} image (DDR3 and DDR4; DDR5 "
                                     "manufacturing fields only)",
                                     to_string(type)));
    }
}

bool same_name(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

// Last byte a field reads or writes.
std::size_t field_end(const Field& f, MemoryType type) {
    switch (f.kind) {
    case Kind::Text:
    case Kind::Revision:
        return f.at + f.len - 1;
    case Kind::Serial:
        return f.at + 3;
    case Kind::Date:
    case Kind::Manufacturer:
        return f.at + 1;
    case Kind::Cas:
        return f.at + cas_bytes(type) - 1;
    case Kind::Time:
    case Kind::Speed: {
        const auto bytes = time_bytes(f.at, *f.time);
        return *std::max_element(bytes.begin(), bytes.end());
    }
    case Kind::Byte:
    case Kind::XmpVoltage:
    case Kind::XmpEnabled:
        break;
    }
    return f.at;
}

bool has_xmp_header(const Image& img, const XmpLayout& x) {
    return img.at_or_zero(x.header) == 0x0C && img.at_or_zero(x.header + 1u) == 0x4A;
}

std::string get_value(const Image& img, const Field& f, MemoryType type) {
    const auto& b = img.bytes();
    if (f.profile >= 0 && !has_xmp_header(img, *gen_layout(type)->xmp))
        return "";
    switch (f.kind) {
    case Kind::Text: {
        std::string s;
        for (std::size_t i = 0; i < f.len && b[f.at + i] >= 0x20 && b[f.at + i] <= 0x7E; ++i)
            s += static_cast<char>(b[f.at + i]);
        return s.erase(s.find_last_not_of(' ') + 1);
    }
    case Kind::Serial:
        return fmt::format("0x{:02X}{:02X}{:02X}{:02X}", b[f.at], b[f.at + 1], b[f.at + 2],
                           b[f.at + 3]);
    case Kind::Date: {
        const int y = from_bcd(b[f.at]), w = from_bcd(b[f.at + 1]);
        if (y < 0 || w < 1 || w > 53)
            return "";
        return fmt::format("{}-W{:02}", 2000 + y, w);
    }
    case Kind::Manufacturer:
        return fmt::format("0x{:02X}{:02X}", b[f.at], b[f.at + 1]);
    case Kind::Byte:
        return fmt::format("0x{:02X}", b[f.at]);
    case Kind::Revision:
        return f.len == 2 ? fmt::format("0x{:02X}{:02X}", b[f.at], b[f.at + 1])
                          : fmt::format("0x{:02X}", b[f.at]);
    case Kind::Time:
        return format_ns(get_time(b, f.at, *f.time));
    case Kind::Speed: {
        const double tck = get_time(b, f.at, *f.time);
        return tck > 0 ? fmt::format("{}", speed_grade_mts(tck)) : "";
    }
    case Kind::Cas: {
        std::string s;
        for (int cl : get_cas(b, f.at, type))
            s += fmt::format("{}{}", s.empty() ? "" : ",", cl);
        return s;
    }
    case Kind::XmpVoltage:
        return fmt::format("{:.2f}", decode_xmp_voltage(type, b[f.at]));
    case Kind::XmpEnabled:
        return (b[f.at] >> f.profile) & 1 ? "yes" : "no";
    }
    return "";
}

std::string with_current_name(const Image& img, const Field& f, std::string help) {
    if (f.kind != Kind::Manufacturer)
        return help;
    const Manufacturer m = decode_manufacturer(img[f.at], img[f.at + 1]);
    return fmt::format("{}; now {}", help, m.name);
}

// XMP section created for a set_field on an image without one: header as build_image()
// writes it, the profile seeded from the JEDEC base values (generation's default voltage).
void create_xmp_profile(Image& img, const GenLayout& g, int profile) {
    auto& b = img.bytes();
    const XmpLayout& x = *g.xmp;
    const bool ddr3 = g.type == MemoryType::DDR3;
    if (!has_xmp_header(img, x))
        put_xmp_header(b, x);
    const std::size_t base = x.profile[static_cast<std::size_t>(profile)];
    const auto first = b.begin() + static_cast<std::ptrdiff_t>(base);
    if (std::any_of(first, first + x.profile_size, [](std::uint8_t v) { return v != 0; }))
        return;
    b[base] = encode_xmp_voltage(g.type, ddr3 ? 1.5 : 1.2, "voltage");
    const double tck = get_time(b, 0, g.tck);
    put_time(b, base, x.tck, tck, "tck");
    put_cas(b, base + x.cas, g.type, get_cas(b, g.cas, g.type), "cas_latencies");
    for (const TimeLayout& t : x.timings) {
        if (const TimeLayout* jedec = find_time(g.timings, t.name)) {
            put_time(b, base, t, get_time(b, 0, *jedec), t.name);
        } else if (t.name == "tCWL") {
            put_time(b, base, t, ddr3_tcwl_ns(tck), t.name);
        }
    }
    b[x.header + 2] = static_cast<std::uint8_t>(b[x.header + 2] | (1u << profile));
}

void set_value(Image& img, const Field& f, MemoryType type, std::string_view value) {
    auto& b = img.bytes();
    const std::string& name = f.name;
    value = trim(value);
    switch (f.kind) {
    case Kind::Text:
        put_text(b, f.at, f.len, value, name);
        return;
    case Kind::Serial: {
        const long long v = parse_int(value, name);
        if (v < 0 || v > 0xFFFFFFFFLL)
            throw UsageError(fmt::format("{}: {} does not fit 32 bits", name, value));
        for (std::size_t i = 0; i < 4; ++i)
            b[f.at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
        return;
    }
    case Kind::Date: {
        int y = 0, w = 0;
        if (value.size() == 8 && value[4] == '-' && value[5] == 'W') {
            y = static_cast<int>(parse_int(value.substr(0, 4), name));
            w = static_cast<int>(parse_int(value.substr(6), name));
        }
        if (y < 2000 || y > 2099 || w < 1 || w > 53)
            throw UsageError(fmt::format(
                "{}: \"{}\" is not a date YYYY-Www (years 2000..2099, weeks 01..53)", name, value));
        b[f.at] = to_bcd(y % 100);
        b[f.at + 1] = to_bcd(w);
        return;
    }
    case Kind::Manufacturer: {
        const auto [count, code] = parse_manufacturer(value, name);
        b[f.at] = count;
        b[f.at + 1] = code;
        return;
    }
    case Kind::Byte:
    case Kind::Revision: {
        const long long v = parse_int(value, name);
        const long long max = f.kind == Kind::Revision && f.len == 2 ? 0xFFFF : 0xFF;
        if (v < 0 || v > max)
            throw UsageError(fmt::format("{}: {} is out of range (0..0x{:X})", name, value, max));
        if (f.len == 2) {
            b[f.at] = static_cast<std::uint8_t>(v >> 8);
            b[f.at + 1] = static_cast<std::uint8_t>(v & 0xFF);
        } else {
            b[f.at] = static_cast<std::uint8_t>(v);
        }
        return;
    }
    case Kind::Time:
    case Kind::Speed: {
        double ns = 0;
        if (f.kind == Kind::Speed) {
            const long long mts = parse_int(value, name);
            ns = tck_for_speed(static_cast<int>(std::clamp(mts, 0LL, 100000LL)), name);
        } else {
            ns = parse_double(value, name);
        }
        if (!(ns > 0))
            throw UsageError(fmt::format("{}: must be greater than 0", name));
        if (type == MemoryType::DDR4 && f.time->name == "tCK" && ns > 1.6)
            throw UsageError(fmt::format("{}: {} ns is longer than the DDR4 maximum tCK (1.6 ns)",
                                         name, format_ns(ns)));
        put_time(b, f.at, *f.time, ns, name);
        return;
    }
    case Kind::Cas:
        put_cas(b, f.at, type, parse_int_list(value, name), name);
        return;
    case Kind::XmpVoltage:
        b[f.at] = encode_xmp_voltage(type, parse_double(value, name), name);
        return;
    case Kind::XmpEnabled: {
        const auto bit = static_cast<std::uint8_t>(1u << f.profile);
        b[f.at] =
            static_cast<std::uint8_t>(parse_bool(value, name) ? (b[f.at] | bit) : (b[f.at] & ~bit));
        return;
    }
    }
}

} // namespace

std::vector<FieldInfo> list_fields(const Image& img) {
    const MemoryType type = img.memory_type();
    const std::vector<Field>& fields = fields_for(type);
    const bool xmp_absent =
        type != MemoryType::DDR5 && !has_xmp_header(img, *gen_layout(type)->xmp);
    std::vector<FieldInfo> out;
    for (const Field& f : fields) {
        if (field_end(f, type) >= img.size())
            continue; // truncated image: the field is not there
        std::string help = with_current_name(img, f, f.help);
        if (f.profile >= 0 && xmp_absent)
            help += " (no XMP section yet; setting a value creates it)";
        out.push_back({f.name, f.unit, get_value(img, f, type), help});
    }
    return out;
}

void set_field(Image& img, std::string_view name, std::string_view value) {
    const MemoryType type = img.memory_type();
    const std::vector<Field>& fields = fields_for(type);
    const std::string_view wanted = trim(name);
    const auto it = std::find_if(fields.begin(), fields.end(),
                                 [&](const Field& f) { return same_name(f.name, wanted); });
    if (it == fields.end()) {
        std::string valid;
        for (const Field& f : fields)
            if (f.profile < 0)
                valid += fmt::format("{}{}", valid.empty() ? "" : ", ", f.name);
        if (type != MemoryType::DDR5)
            valid += ", xmp1.*, xmp2.*";
        throw UsageError(
            fmt::format("unknown field \"{}\" for {} (valid: {})", name, to_string(type), valid));
    }
    const Field& f = *it;
    // An XMP edit may create the whole profile.
    const std::size_t last =
        f.profile < 0 ? field_end(f, type)
                      : gen_layout(type)->xmp->profile[static_cast<std::size_t>(f.profile)] +
                            gen_layout(type)->xmp->profile_size - 1u;
    if (last >= img.size())
        throw UsageError(fmt::format("{}: byte {} is beyond the end of the {}-byte image "
                                     "(truncated?)",
                                     f.name, last, img.size()));
    Image edited = img; // all or nothing: a bad value leaves the image untouched
    if (f.profile >= 0)
        create_xmp_profile(edited, *gen_layout(type), f.profile);
    set_value(edited, f, type, value);
    fix_crcs(edited);
    img = std::move(edited);
}

} // namespace ddrspd
