// SPDX-License-Identifier: GPL-2.0-or-later
// build_image(): a JEDEC-valid DDR3/DDR4 SPD image from a ModuleDescription.
#include "encode_util.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include <fmt/format.h>

namespace ddrspd {

using namespace detail;

namespace {

enum class Family { Unbuffered, Registered, LoadReduced, Clocked };

struct ModuleType {
    std::string_view name;
    std::uint8_t code; // byte 3 bits 3:0
    Family family;
};

// clang-format off
// JESD21-C Annex K byte 3 (decode-dimms names).
constexpr std::array<ModuleType, 13> ddr3_module_types{{
    {"RDIMM", 1, Family::Registered},         {"UDIMM", 2, Family::Unbuffered},
    {"SO-DIMM", 3, Family::Unbuffered},       {"Micro-DIMM", 4, Family::Unbuffered},
    {"Mini-RDIMM", 5, Family::Registered},    {"Mini-UDIMM", 6, Family::Unbuffered},
    {"Mini-CDIMM", 7, Family::Clocked},       {"72b-SO-UDIMM", 8, Family::Unbuffered},
    {"72b-SO-RDIMM", 9, Family::Registered},  {"72b-SO-CDIMM", 10, Family::Clocked},
    {"LRDIMM", 11, Family::LoadReduced},      {"16b-SO-DIMM", 12, Family::Unbuffered},
    {"32b-SO-DIMM", 13, Family::Unbuffered},
}};
// JESD21-C Annex L byte 3.
constexpr std::array<ModuleType, 10> ddr4_module_types{{
    {"RDIMM", 1, Family::Registered},         {"UDIMM", 2, Family::Unbuffered},
    {"SO-DIMM", 3, Family::Unbuffered},       {"LRDIMM", 4, Family::LoadReduced},
    {"Mini-RDIMM", 5, Family::Registered},    {"Mini-UDIMM", 6, Family::Unbuffered},
    {"72b-SO-RDIMM", 8, Family::Registered},  {"72b-SO-UDIMM", 9, Family::Unbuffered},
    {"16b-SO-DIMM", 12, Family::Unbuffered},  {"32b-SO-DIMM", 13, Family::Unbuffered},
}};

// Die density code (byte 4 bits 3:0) -> Mbit. DDR4 adds 32 Gb and the odd 12/24 Gb codes.
constexpr std::array<std::uint32_t, 10> density_mbit{256, 512, 1024, 2048, 4096, 8192, 16384,
                                                     32768, 12288, 24576};

// Refresh recovery by die density (JESD79-3 / JESD79-4 speed-independent values), ns.
struct RefreshDefaults { std::uint32_t mbit; double trfc1, trfc2, trfc4; };
constexpr std::array<RefreshDefaults, 8> refresh_defaults{{
    {512, 90, 0, 0},      {1024, 110, 0, 0},    {2048, 160, 110, 90},  {4096, 260, 160, 110},
    {8192, 350, 260, 160}, {12288, 550, 350, 260}, {16384, 550, 350, 260}, {32768, 550, 350, 260},
}};
// clang-format on

// Reference raw card letters (decode-dimms ddr3_reference_card()).
constexpr std::string_view raw_card_letters = "ABCDEFGHJKLMNPRTUVWY";

const ModuleType& find_module_type(MemoryType t, std::string_view name) {
    const std::span<const ModuleType> table = t == MemoryType::DDR3
                                                  ? std::span<const ModuleType>(ddr3_module_types)
                                                  : std::span<const ModuleType>(ddr4_module_types);
    std::string wanted = lower(name);
    if (wanted == "sodimm")
        wanted = "so-dimm";
    std::string names;
    for (const ModuleType& m : table) {
        if (lower(m.name) == wanted)
            return m;
        names += names.empty() ? "" : ", ";
        names += m.name;
    }
    throw UsageError(fmt::format("module_type: \"{}\" is not a {} module type (valid: {})", name,
                                 to_string(t), names));
}

// The code n with value == base << n, n <= max_code.
int shift_code(long long value, long long base, int max_code, std::string_view field,
               std::string_view valid) {
    for (int n = 0; n <= max_code; ++n)
        if ((base << n) == value)
            return n;
    throw UsageError(fmt::format("{}: {} is not possible (valid: {})", field, value, valid));
}

// "A", "B rev 1", "AB rev 2", "ZZ" -> card byte; revisions above 3 go to `height_ext` (bits
// 7:5 of the height byte). After Y come AA..AY, BA.., the names decode() gives.
std::uint8_t encode_raw_card(std::string_view text, std::uint8_t& height_ext) {
    height_ext = 0;
    const std::string_view s = trim(text);
    if (s == "ZZ")
        return 0x1F;
    const auto space = s.find(' ');
    const std::string_view letters = s.substr(0, space);
    int rev = 0;
    if (space != std::string_view::npos) {
        std::string_view rest = trim(s.substr(space));
        if (rest.starts_with("revision"))
            rest = trim(rest.substr(8));
        else if (rest.starts_with("rev"))
            rest = trim(rest.substr(3));
        else
            rest = {};
        long long r = -1;
        try {
            r = rest.empty() ? -1 : parse_int(rest, "raw_card");
        } catch (const UsageError&) {
        }
        if (r < 0 || r > 7)
            throw UsageError(fmt::format(
                "raw_card: \"{}\" is not a raw card (e.g. \"A\", \"B rev 1\"; revision 0..7)",
                text));
        rev = static_cast<int>(r);
    }
    const auto n = raw_card_letters.size();
    std::size_t ref = std::string_view::npos;
    if (letters.size() == 1) {
        ref = raw_card_letters.find(letters[0]);
    } else if (letters.size() == 2) {
        const auto hi = raw_card_letters.find(letters[0]);
        const auto lo = raw_card_letters.find(letters[1]);
        if (hi != std::string_view::npos && lo != std::string_view::npos)
            ref = (hi + 1) * n + lo;
    }
    // 0..30 fit bits 4:0 (0x1F is ZZ); 31..61 use the extension bit 7.
    if (ref == std::string_view::npos || ref > 61)
        throw UsageError(fmt::format(
            "raw_card: \"{}\" is not a reference raw card (A..Y without I O Q S X Z, AA..CB, "
            "or ZZ; then \"rev N\")",
            text));
    auto card = static_cast<std::uint8_t>(ref <= 30 ? ref : 0x80 | (ref - 31));
    if (rev > 3)
        height_ext = static_cast<std::uint8_t>(rev << 5);
    else
        card = static_cast<std::uint8_t>(card | (rev << 5));
    return card;
}

// Voltage list entry ("1.35 V", "1.35V", "1.35") -> millivolts.
int parse_voltage(std::string_view v) {
    std::string_view s = trim(v);
    if (s.ends_with("V") || s.ends_with("v"))
        s = trim(s.substr(0, s.size() - 1));
    return static_cast<int>(std::lround(parse_double(s, "voltages") * 1000));
}

std::uint8_t encode_voltages(MemoryType t, const std::vector<std::string>& volts) {
    if (volts.empty())
        return t == MemoryType::DDR3 ? 0x00 : 0x03; // 1.5 V / 1.2 V operable and endurant
    bool v150 = false, v135 = false, v125 = false;
    for (const std::string& v : volts) {
        const int mv = parse_voltage(v);
        if (t == MemoryType::DDR4) {
            if (mv != 1200)
                throw UsageError(fmt::format("voltages: DDR4 modules run at 1.2 V, not {}", v));
            continue;
        }
        if (mv == 1500)
            v150 = true;
        else if (mv == 1350)
            v135 = true;
        else if (mv == 1250)
            v125 = true;
        else
            throw UsageError(
                fmt::format("voltages: {} is not a DDR3 voltage (1.5 V, 1.35 V, 1.25 V)", v));
    }
    if (t == MemoryType::DDR4)
        return 0x03;
    // Byte 6 bit 0 set means "NOT operable at 1.5 V".
    return static_cast<std::uint8_t>((v150 ? 0 : 1) | (v135 ? 2 : 0) | (v125 ? 4 : 0));
}

// Clocks for tAA as the decoder rounds them: DDR4 with the JEDEC 0.025 guard band, DDR3
// plain (only floating-point noise absorbed).
// Capped far above any CAS latency SPD can list (DDR4's highest is 52), so that a tiny tCK can
// never make the conversion to int overflow.
int cl_needed(MemoryType t, double taa, double tck) {
    const double cl = std::ceil(taa / tck - (t == MemoryType::DDR4 ? 0.025 : 1e-6));
    return cl < 1000 ? static_cast<int>(cl) : 1000;
}

// Slowest JEDEC clock of the generation, for the lowest default CAS latency.
double slowest_tck(MemoryType t) {
    return t == MemoryType::DDR3 ? 2.5 : 1.6;
}

std::vector<int> cl_range(int lo, int hi) {
    std::vector<int> v;
    for (int cl = lo; cl <= hi; ++cl)
        v.push_back(cl);
    return v;
}

void check_cas_covers(MemoryType t, const std::vector<int>& cls, double taa, double tck,
                      std::string_view field) {
    const int need = cl_needed(t, taa, tck);
    if (std::none_of(cls.begin(), cls.end(), [need](int cl) { return cl >= need; }))
        throw UsageError(
            fmt::format("{}: no CAS latency reaches CL{} needed for tAA {} ns at tCK {} ns", field,
                        need, format_ns(taa), format_ns(tck)));
}

// Typical JEDEC minimum times for the timings a description leaves out: max(ns, nCK x tCK).
struct TimingDefault {
    std::string_view name;
    double ns;
    int nck;
};

std::map<std::string, double> resolve_timings(const ModuleDescription& d, const GenLayout& g) {
    std::map<std::string, double> t;
    for (const auto& [name, ns] : d.timings) {
        const TimeLayout* l = find_time(g.timings, name);
        if (l == nullptr) {
            std::string valid;
            for (const TimeLayout& x : g.timings)
                valid += fmt::format("{}{}", valid.empty() ? "" : ", ", x.name);
            throw UsageError(fmt::format("timings.{}: not a {} timing (valid: {})", name,
                                         to_string(g.type), valid));
        }
        if (!(ns > 0))
            throw UsageError(fmt::format("{}: must be greater than 0 ns", name));
        t[std::string(l->name)] = ns;
    }
    const bool ddr3 = g.type == MemoryType::DDR3;
    const int page_kb = d.device_width == 16 ? 2 : 1; // x4 / x8 use 512 B / 1 KB pages
    const auto rfc =
        std::find_if(refresh_defaults.begin(), refresh_defaults.end(),
                     [&](const RefreshDefaults& r) { return r.mbit >= d.die_density_mbit; });
    const RefreshDefaults& r = rfc == refresh_defaults.end() ? refresh_defaults.back() : *rfc;
    std::vector<TimingDefault> defaults;
    if (ddr3) {
        defaults = {
            {"tAA", 13.75, 0},    {"tRCD", 13.75, 0}, {"tRP", 13.75, 0},
            {"tRAS", 35, 0},      {"tWR", 15, 0},     {"tRRD", page_kb == 2 ? 7.5 : 6, 4},
            {"tWTR", 7.5, 4},     {"tRTP", 7.5, 4},   {"tFAW", page_kb == 2 ? 40.0 : 30.0, 0},
            {"tRFC1", r.trfc1, 0}};
    } else {
        const double faw = d.device_width == 4 ? 13 : page_kb == 2 ? 30 : 21;
        defaults = {{"tAA", 13.75, 0},
                    {"tRCD", 13.75, 0},
                    {"tRP", 13.75, 0},
                    {"tRAS", 32, 0},
                    {"tWR", 15, 0},
                    {"tRRD_S", page_kb == 2 ? 5.3 : 3.3, 4},
                    {"tRRD_L", page_kb == 2 ? 6.4 : 4.9, 4},
                    {"tCCD_L", 5, 5},
                    {"tWTR_S", 2.5, 2},
                    {"tWTR_L", 7.5, 4},
                    {"tFAW", faw, d.device_width == 4 ? 16 : 20},
                    {"tRFC1", r.trfc1, 0},
                    {"tRFC2", r.trfc2, 0},
                    {"tRFC4", r.trfc4, 0}};
    }
    for (const TimingDefault& def : defaults) {
        if (t.count(std::string(def.name)) != 0)
            continue;
        const double ns = std::max(def.ns, def.nck * d.tck_ns);
        // Round up to the MTB (no fine byte on most of these) or to 1 ps.
        const TimeLayout* l = find_time(g.timings, def.name);
        const double step = l->fine < 0 ? 0.125 : 0.001;
        t[std::string(def.name)] = std::ceil(ns / step - 1e-9) * step;
    }
    if (t.count("tRC") == 0)
        t["tRC"] = t["tRAS"] + t["tRP"];
    if (t["tRC"] + 1e-9 < t["tRAS"] + t["tRP"])
        throw UsageError(fmt::format("tRC: {} ns is less than tRAS + tRP ({} ns)",
                                     format_ns(t["tRC"]), format_ns(t["tRAS"] + t["tRP"])));
    return t;
}

struct Builder {
    const ModuleDescription& d;
    const GenLayout& g;
    std::vector<std::uint8_t> b;
    bool ddr3() const { return g.type == MemoryType::DDR3; }

    void organisation(const ModuleType& mt) {
        const int density = [&] {
            const int max_code = ddr3() ? 6 : 9;
            for (int n = 0; n <= max_code; ++n)
                if (density_mbit[static_cast<std::size_t>(n)] == d.die_density_mbit)
                    return n;
            throw UsageError(fmt::format(
                "die_density_mbit: {} is not a {} die density (valid: 256 .. {} in powers of 2{})",
                d.die_density_mbit, to_string(g.type), ddr3() ? 16384 : 32768,
                ddr3() ? "" : ", 12288, 24576"));
        }();
        const int width = shift_code(d.device_width, 4, 3, "device_width", "4, 8, 16, 32");
        const int bus = shift_code(d.bus_width, 8, 3, "bus_width", "8, 16, 32, 64");
        if (d.device_width > d.bus_width)
            throw UsageError("device_width: wider than bus_width");
        const int max_ranks = ddr3() ? 4 : 8;
        if (d.ranks < 1 || d.ranks > max_ranks)
            throw UsageError(fmt::format("ranks: {} is not possible (1..{})", d.ranks, max_ranks));
        if (d.rows < 12 || d.rows > (ddr3() ? 19 : 18))
            throw UsageError(fmt::format("rows: {} row address bits is not possible (12..{})",
                                         d.rows, ddr3() ? 19 : 18));
        if (d.columns < 9 || d.columns > 12)
            throw UsageError(
                fmt::format("columns: {} column address bits is not possible (9..12)", d.columns));
        const auto org = static_cast<std::uint8_t>(((d.ranks - 1) << 3) | width);
        const auto bus_byte = static_cast<std::uint8_t>((d.ecc ? 0x08 : 0) | bus);
        const auto addr = static_cast<std::uint8_t>(((d.rows - 12) << 3) | (d.columns - 9));
        b[3] = mt.code;
        b[5] = addr;
        if (ddr3()) {
            const int banks = shift_code(d.banks, 8, 3, "banks", "8, 16, 32, 64");
            b[4] = static_cast<std::uint8_t>((banks << 4) | density);
            b[7] = org;
            b[8] = bus_byte;
        } else {
            const int bg = shift_code(d.bank_groups, 1, 2, "bank_groups", "1, 2, 4");
            const int ba = shift_code(d.banks_per_group, 4, 1, "banks_per_group", "4, 8");
            b[4] = static_cast<std::uint8_t>((bg << 6) | (ba << 4) | density);
            b[12] = org;
            b[13] = bus_byte;
        }
    }

    void key_bytes() {
        if (ddr3()) {
            b[0] = d.crc_excludes_serial ? 0x92 : 0x12; // 176 of 256 bytes used
            b[1] = 0x11;                                // SPD revision 1.1
            b[2] = 0x0B;
            b[9] = 0x11;  // FTB 1 ps
            b[10] = 0x01; // MTB 1/8 ns
            b[11] = 0x08;
            b[30] = 0x83; // RZQ/6, RZQ/7, DLL-off
            b[31] = 0x05; // extended temperature range, ASR
        } else {
            b[0] = 0x23; // 384 of 512 bytes used
            b[1] = 0x11; // SPD revision 1.1
            b[2] = 0x0C;
            b[7] = 0x08;  // unlimited MAC
            b[9] = 0x60;  // PPR one row per bank group, soft PPR
            b[17] = 0x00; // MTB 125 ps, FTB 1 ps
        }
    }

    void speed_and_timings() {
        if (!(d.tck_ns > 0))
            throw UsageError("tck_ns: must be greater than 0");
        if (!ddr3() && d.tck_ns > 1.6)
            throw UsageError(fmt::format(
                "tck_ns: {} ns is longer than the DDR4 maximum tCK (1.6 ns)", format_ns(d.tck_ns)));
        put_time(b, 0, g.tck, d.tck_ns, "tck_ns");
        if (!ddr3())
            put_time(b, 0, ddr4_tck_max, 1.6, "tCKmax");
        const auto t = resolve_timings(d, g);
        for (const auto& [name, ns] : t)
            put_time(b, 0, *find_time(g.timings, name), ns, name);
        std::vector<int> cls = d.cas_latencies;
        const double taa = t.at("tAA");
        if (cls.empty())
            cls = cl_range(cl_needed(g.type, taa, slowest_tck(g.type)),
                           cl_needed(g.type, taa, d.tck_ns));
        check_cas_covers(g.type, cls, taa, d.tck_ns, "cas_latencies");
        put_cas(b, g.cas, g.type, cls, "cas_latencies");
        timings = t;
        cas = cls;
    }

    void module_specific(const ModuleType& mt) {
        const std::size_t at = ddr3() ? 60 : 128;
        if (d.height_mm < 15 || d.height_mm > 45)
            throw UsageError(fmt::format("height_mm: {} is not possible (15..45)", d.height_mm));
        for (auto [v, name] : {std::pair{d.thickness_front_mm, "thickness_front_mm"},
                               std::pair{d.thickness_back_mm, "thickness_back_mm"}})
            if (v < 1 || v > 16)
                throw UsageError(fmt::format("{}: {} is not possible (1..16)", name, v));
        std::uint8_t ext = 0;
        const std::uint8_t card = encode_raw_card(d.raw_card, ext);
        b[at] = static_cast<std::uint8_t>(ext | (d.height_mm - 15));
        b[at + 1] = static_cast<std::uint8_t>(((d.thickness_back_mm - 1) << 4) |
                                              (d.thickness_front_mm - 1));
        b[at + 2] = card;

        const bool buffered = mt.family == Family::Registered || mt.family == Family::LoadReduced;
        if (!buffered && (!d.register_manufacturer.empty() || d.register_revision != 0))
            throw UsageError(fmt::format(
                "register_manufacturer: a {} has no register (only RDIMM/LRDIMM)", mt.name));
        if (d.register_revision < 0 || d.register_revision > 0xFF)
            throw UsageError(
                fmt::format("register_revision: {} is not a byte", d.register_revision));
        if (d.rank1_mirrored && d.ranks < 2)
            throw UsageError("rank1_mirrored: needs at least 2 ranks");
        const auto mirror = static_cast<std::uint8_t>(d.rank1_mirrored ? 1 : 0);
        if (mt.family == Family::Unbuffered) {
            b[at + 3] = mirror; // DDR3 byte 63 / DDR4 byte 131 bit 0
            return;
        }
        if (mt.family == Family::Clocked) {
            if (d.rank1_mirrored)
                throw UsageError("rank1_mirrored: not defined for clocked DIMMs");
            return;
        }
        std::pair<std::uint8_t, std::uint8_t> reg{0, 0};
        if (!d.register_manufacturer.empty())
            reg = parse_manufacturer(d.register_manufacturer, "register_manufacturer");
        const auto rev = static_cast<std::uint8_t>(d.register_revision);
        const auto dram_rows = static_cast<std::uint8_t>(d.ranks > 2 ? 2 : 1);
        if (ddr3()) {
            b[65] = reg.first;
            b[66] = reg.second;
            if (mt.family == Family::Registered) {
                if (d.rank1_mirrored)
                    throw UsageError("rank1_mirrored: DDR3 RDIMMs have no mirroring field");
                b[63] = static_cast<std::uint8_t>((dram_rows << 2) | 1); // rows, 1 register
                b[67] = rev;
            } else {
                b[63] = static_cast<std::uint8_t>((dram_rows << 2) | mirror); // odd ranks
                b[64] = rev;                                                  // buffer revision
            }
        } else {
            b[131] = static_cast<std::uint8_t>((dram_rows << 2) | 1);
            b[133] = reg.first;
            b[134] = reg.second;
            b[135] = rev;
            b[136] = mirror; // address mapping from register to DRAM
        }
    }

    void manufacturing() {
        const MfgLayout& m = *g.mfg;
        auto put_mfr = [&](std::size_t at, const std::string& name, std::string_view field) {
            if (name.empty())
                return;
            const auto [count, code] = parse_manufacturer(name, field);
            b[at] = count;
            b[at + 1] = code;
        };
        put_mfr(m.manufacturer, d.manufacturer, "manufacturer");
        put_mfr(m.dram_manufacturer, d.dram_manufacturer, "dram_manufacturer");
        if (d.location < 0 || d.location > 0xFF)
            throw UsageError(fmt::format("location: {} is not a byte", d.location));
        b[m.location] = static_cast<std::uint8_t>(d.location);
        if (!(d.year == 0 && d.week == 0)) {
            if (d.year < 2000 || d.year > 2099)
                throw UsageError(fmt::format("year: {} is not possible (2000..2099)", d.year));
            if (d.week < 1 || d.week > 53)
                throw UsageError(fmt::format("week: {} is not possible (1..53)", d.week));
            b[m.date] = to_bcd(d.year % 100);
            b[m.date + 1] = to_bcd(d.week);
        }
        for (std::size_t i = 0; i < 4; ++i)
            b[m.serial + i] = static_cast<std::uint8_t>(d.serial >> (24 - 8 * i));
        put_text(b, m.part_number, m.part_number_len, d.part_number, "part_number");
        if (m.revision_len == 1 && d.revision > 0xFF)
            throw UsageError(
                fmt::format("revision: 0x{:X} does not fit the one-byte DDR4 field", d.revision));
        if (m.revision_len == 2) {
            b[m.revision] = static_cast<std::uint8_t>(d.revision >> 8);
            b[m.revision + 1] = static_cast<std::uint8_t>(d.revision & 0xFF);
        } else {
            b[m.revision] = static_cast<std::uint8_t>(d.revision);
        }
    }

    void xmp() {
        if (d.xmp.empty())
            return;
        const XmpLayout& x = *g.xmp;
        if (d.xmp.size() > 2)
            throw UsageError(fmt::format("xmp: {} profiles given, XMP holds 2", d.xmp.size()));
        put_xmp_header(b, x);
        for (std::size_t i = 0; i < d.xmp.size(); ++i)
            profile(x, i);
    }

    void profile(const XmpLayout& x, std::size_t i) {
        const std::string p = fmt::format("xmp{}", i + 1);
        const std::map<std::string, double>& m = d.xmp[i];
        const std::size_t base = x.profile[i];
        std::map<std::string, double> t;
        double tck = 0, volts = 0;
        bool enabled = true;
        for (const auto& [key, value] : m) {
            const std::string field = fmt::format("{}.{}", p, key);
            if (key == "tck") {
                tck = value;
            } else if (key == "voltage") {
                volts = value;
            } else if (key == "enabled") {
                enabled = value != 0;
            } else if (const TimeLayout* l = find_time(x.timings, key)) {
                if (!(value > 0))
                    throw UsageError(fmt::format("{}: must be greater than 0 ns", field));
                t[std::string(l->name)] = value;
            } else {
                std::string valid = "voltage, tck, enabled";
                for (const TimeLayout& l2 : x.timings)
                    valid += fmt::format(", {}", l2.name);
                throw UsageError(fmt::format("{}: not an XMP {} value (valid: {})", field,
                                             ddr3() ? "1.x" : "2.0", valid));
            }
        }
        if (!(tck > 0))
            throw UsageError(fmt::format("{}.tck: required (the profile's tCKmin in ns)", p));
        if (!(volts > 0))
            throw UsageError(fmt::format("{}.voltage: required (the profile's VDD in V)", p));
        b[base] = encode_xmp_voltage(g.type, volts, p + ".voltage");
        put_time(b, base, x.tck, tck, p + ".tck");
        for (const TimeLayout& l : x.timings) {
            const std::string name(l.name);
            if (t.count(name) == 0) {
                if (name == "tCWL")
                    t[name] = ddr3_tcwl_ns(tck);
                else
                    t[name] = timings.at(name);
            }
            put_time(b, base, l, t[name], fmt::format("{}.{}", p, name));
        }
        if (t["tRC"] + 1e-9 < t["tRAS"] + t["tRP"])
            throw UsageError(fmt::format("{}.tRC: less than tRAS + tRP", p));
        std::vector<int> cls;
        if (i < d.xmp_cas_latencies.size())
            cls = d.xmp_cas_latencies[i];
        if (cls.empty())
            cls = cl_range(cas.front(), std::max(cas.back(), cl_needed(g.type, t["tAA"], tck)));
        check_cas_covers(g.type, cls, t["tAA"], tck, p + ".cas_latencies");
        put_cas(b, base + x.cas, g.type, cls, p + ".cas_latencies");
        if (enabled)
            b[x.header + 2] = static_cast<std::uint8_t>(b[x.header + 2] | (1u << i));
    }

    std::map<std::string, double> timings;
    std::vector<int> cas;
};

} // namespace

Image build_image(const ModuleDescription& d) {
    const GenLayout* g = gen_layout(d.type);
    if (g == nullptr)
        throw UsageError(
            fmt::format("type: cannot build {} images (DDR3 or DDR4)", to_string(d.type)));
    Builder bld{d, *g, std::vector<std::uint8_t>(nominal_size(d.type), 0), {}, {}};
    const ModuleType& mt = find_module_type(d.type, d.module_type);
    bld.key_bytes();
    bld.organisation(mt);
    bld.b[d.type == MemoryType::DDR3 ? 6 : 11] = encode_voltages(d.type, d.voltages);
    bld.b[d.type == MemoryType::DDR3 ? 32 : 14] = d.thermal_sensor ? 0x80 : 0x00;
    bld.speed_and_timings();
    bld.module_specific(mt);
    bld.manufacturing();
    bld.xmp();
    Image img(std::move(bld.b));
    fix_crcs(img);
    return img;
}

} // namespace ddrspd
