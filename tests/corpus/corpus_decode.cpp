// SPDX-License-Identifier: GPL-2.0-or-later
// corpus_decode: decode every image of $DDRSPD_CORPUS and compare with decode-dimms 4.3, the
// reference decoder: the columns of ORACLE.tsv for every file, and for DDR3/DDR4 the timings
// and module fields it prints in oracle/<name>.c.txt. decode-dimms is not always right; each
// known difference is listed below with the reason, and a listed difference that no longer
// occurs is an error too, so the list stays honest. Exit 77 (skip) without the corpus.
#include <ddrspd/decode.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

using namespace ddrspd;
namespace fs = std::filesystem;

namespace {

// file: a corpus file stem, or a prefix ending in '*'. field: an ORACLE.tsv column or an
// oracle text label (see compare_*), or "*" for every field of that file.
struct KnownError {
    std::string_view file;
    std::string_view field;
    std::string_view reason;
};

constexpr std::string_view no_ddr5 =
    "decode-dimms 4.3 has no DDR5 decoder: it checks a DDR4-style CRC and runs the SDR/DDR "
    "decoder on bytes 64-98; we decode JESD400-5 (values checked in test_decode)";
constexpr std::string_view swapped_byte0 =
    "decode-dimms swaps the byte-0 nibbles for DDR3 (right only for 0x92); we use the JEDEC "
    "meaning (bits 3:0 used, bits 6:4 total)";

constexpr std::string_view short_ddr3 =
    "the file has 128 bytes; decode-dimms skips the manufacturing data because bytes 128-175 "
    "are missing, we decode bytes 117-125, which are present";

const KnownError known_errors[] = {
    {"ddr5-*", "*", no_ddr5},
    {"ddr3-crucial-blt8g3d1869dt1tx0", "dd_bytes_written", swapped_byte0},
    {"ddr3-crucial-blt8g3d1869dt1tx0", "dd_bytes_total", swapped_byte0},
    {"ddr3-coreboot-facebook-fbg1701-fsiitigwhqqf", "dd_bytes_total", swapped_byte0},
    {"ddr3-coreboot-facebook-fbg1701-mt41k512m16ha-125", "dd_bytes_total", swapped_byte0},
    {"ddr3-coreboot-gizmosphere-gizmo2-micron_mt41j128m16jt", "dd_bytes_written", swapped_byte0},
    {"ddr3-coreboot-gizmosphere-gizmo2-micron_mt41j128m16jt", "dd_bytes_total", swapped_byte0},
    {"ddr3-coreboot-pcengines-apu2-*", "*",
     "byte 0 = 0x01 (< 4) makes decode-dimms treat the file as Rambus: unknown type, "
     "checksum 0-62, nothing decoded; byte 2 = 0x0B is DDR3"},
    {"ddr3-corsair-cmx8gx3m2a1333c9", "dd_size",
     "byte 11 (MTB divisor) is 0: decode-dimms stops before the geometry; we leave the "
     "timings empty but still decode the size from bytes 4, 7 and 8"},
    {"ddr3-coreboot-gizmosphere-gizmo2-micron_mt41j128m16jt", "dd_manufacturer", short_ddr3},
    {"ddr3-coreboot-gizmosphere-gizmo2-micron_mt41j128m16jt", "dd_serial", short_ddr3},
    {"ddr3-coreboot-gizmosphere-gizmo2-micron_mt41j128m16jt", "dd_mfg_date", short_ddr3},
};

// DDR5 has no decode-dimms reference: expected values read by hand from hex/<name>.hex
// (bytes 3-11, 20-21, 234-235, 512-550) and cross-checked with the part numbers' capacity
// and speed (M425R1GB4BB0 8 GB, M425R2GA3BB0 16 GB, AQD-D5V16GR48 16 GB DDR5-4800...).
struct Ddr5Expect {
    std::string_view file, module_type;
    std::uint64_t capacity_mb;
    int speed_mts;
    std::string_view manufacturer, part_number, date;
    std::uint32_t serial;
};

const Ddr5Expect ddr5_expected[] = {
    {"ddr5-adata-aqd-d5v16gr48-sb", "RDIMM", 16384, 4800, "A-DATA Technology", "AQD-D5V16GR48-SB",
     "", 0x13576428},
    {"ddr5-coreboot-intel-adlrvp-adlrvp_ddr5_mr", "SO-DIMM", 16384, 4800, "Undefined", "", "", 0},
    {"ddr5-coreboot-system76-mtl-m425r1gb4bb0-cqkod", "SO-DIMM", 8192, 4800, "Samsung",
     "M425R1GB4BB0-CQKOD", "", 0},
    {"ddr5-coreboot-system76-mtl-m425r1gb4pb0-cwmod", "SO-DIMM", 8192, 5600, "Samsung",
     "M425R1GB4PB0-CWMOD", "", 0},
    {"ddr5-samsung-m323r1gb4bb0-cqkol", "UDIMM", 8192, 4800, "Samsung", "M323R1GB4BB0-CQKOL",
     "2022-W41", 0x42B2BF08},
    {"ddr5-samsung-m425r2ga3bb0-cwmod", "SO-DIMM", 16384, 5600, "Samsung", "M425R2GA3BB0-CWMOD",
     "2023-W49", 0x200C42E9},
    {"ddr5-teamgroup-ud5-6000-0104eeff", "UDIMM", 16384, 4800, "Team Group Inc.", "UD5-6000",
     "2023-W37", 0x0104EEFF},
};

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

bool file_matches(std::string_view pattern, std::string_view file) {
    if (!pattern.empty() && pattern.back() == '*')
        return file.starts_with(pattern.substr(0, pattern.size() - 1));
    return pattern == file;
}

class Tally {
public:
    // Records one comparison; no value from decode-dimms means nothing to compare with.
    void compare(const std::string& file, const std::string& field, const std::string& ours,
                 const std::optional<std::string>& theirs) {
        auto& c = counts_[field];
        if (!theirs) {
            ++c.skipped;
            return;
        }
        const KnownError* known = find_known(file, field);
        if (ours == *theirs) {
            ++c.matched;
            return;
        }
        if (known) {
            ++c.known;
            used_.insert(known_key(*known));
            return;
        }
        ++c.failed;
        ++failures_;
        fmt::print("MISMATCH {}: {}: ours \"{}\", decode-dimms \"{}\"\n", file, field, ours,
                   *theirs);
    }

    int report() const {
        int matched = 0, known = 0, failed = 0, skipped = 0;
        fmt::print("\n{:<44} {:>7} {:>7} {:>7} {:>7}\n", "field", "match", "known", "FAIL",
                   "no ref");
        for (const auto& [field, c] : counts_) {
            fmt::print("{:<44} {:>7} {:>7} {:>7} {:>7}\n", field, c.matched, c.known, c.failed,
                       c.skipped);
            matched += c.matched;
            known += c.known;
            failed += c.failed;
            skipped += c.skipped;
        }
        fmt::print("{:<44} {:>7} {:>7} {:>7} {:>7}\n", "TOTAL", matched, known, failed, skipped);
        int stale = 0;
        for (const KnownError& k : known_errors)
            if (!used_.contains(known_key(k))) {
                fmt::print("STALE known error (never needed): {} / {}\n", k.file, k.field);
                ++stale;
            }
        fmt::print("{} fields matched (decode-dimms; hand-read values for DDR5), {} known "
                   "decode-dimms errors, {} unexplained mismatches, {} stale known errors\n",
                   matched, known, failed, stale);
        return failed + stale;
    }

private:
    struct Counts {
        int matched = 0, known = 0, failed = 0, skipped = 0;
    };

    static std::string known_key(const KnownError& k) {
        return fmt::format("{}/{}", k.file, k.field);
    }

    static const KnownError* find_known(const std::string& file, const std::string& field) {
        for (const KnownError& k : known_errors)
            if (file_matches(k.file, file) && (k.field == field || k.field == "*"))
                return &k;
        return nullptr;
    }

    std::map<std::string, Counts> counts_;
    std::set<std::string> used_;
    int failures_ = 0;
};

// ---- formatting our values the way decode-dimms prints them ----

// decode-dimms falls back to plain binary for non-BCD dates, as we do (Date::binary).
std::string dd_date(const Date& d) {
    if (d.valid)
        return d.iso();
    return d.binary ? fmt::format("{:04}-W{:02}", d.year, d.week) : std::string();
}

// decode-dimms prints "Undefined" for an empty part number, spaces for an all-space one.
std::optional<std::string> dd_part(std::optional<std::string> v) {
    if (v && v->empty())
        v = "Undefined";
    return v;
}

std::string dd_manufacturer(const Manufacturer& m) {
    if (!m.defined)
        return "Undefined";
    std::string s = m.name == "Invalid" ? "Invalid" : m.known ? m.name : "Unknown";
    if (!m.count_parity_ok)
        s += "? (Invalid parity)";
    return s;
}

std::string dd_ns(const SpdInfo& s, const char* name) {
    const Timing* t = s.timing(name);
    return fmt::format("{:.3f} ns", t ? t->ns : 0.0);
}

std::string dd_clocks(const SpdInfo& s) {
    const auto c = [&](const char* n) {
        const Timing* t = s.timing(n);
        return t ? t->clocks : 0;
    };
    return fmt::format("{}-{}-{}-{}", c("tAA"), c("tRCD"), c("tRP"), c("tRAS"));
}

std::string dd_cas(const std::vector<int>& cas) {
    std::string out;
    for (auto it = cas.rbegin(); it != cas.rend(); ++it)
        out += fmt::format("{}{}T", out.empty() ? "" : ", ", *it);
    return out.empty() ? "None" : out;
}

std::string dd_revision_number(int r) {
    const int h = r >> 4, l = r & 0x0F;
    if (h == 0)
        return fmt::format("{}", l);
    if (h < 0xA)
        return fmt::format("{}.{}", h, l);
    return fmt::format("{}{}", static_cast<char>('A' + h - 0xA), l);
}

std::string dd_raw_card(const std::string& card) {
    if (card == "ZZ" || card.empty())
        return card;
    const auto pos = card.find(" rev ");
    if (pos == std::string::npos)
        return card + " revision 0";
    return card.substr(0, pos) + " revision " + card.substr(pos + 5);
}

// decode-dimms' "Package Type" / "SDRAM Device Type" in our vocabulary.
std::string our_package(const std::string& dd, MemoryType type) {
    if (type == MemoryType::DDR3)
        return dd == "Standard Monolithic" ? "monolithic" : "non-monolithic";
    int dies = 1;
    if (const auto p = dd.find('('); p != std::string::npos)
        dies = std::atoi(dd.c_str() + p + 1);
    if (dd.starts_with("Monolithic"))
        return "monolithic";
    return fmt::format("{}, {} {}", dd.starts_with("3DS") ? "3DS" : "non-monolithic", dies,
                       dies == 1 ? "die" : "dies");
}

std::string dd_location(int loc) {
    if (loc < 0 || loc == 0x00 || loc == 0xFF)
        return "";
    const char c = static_cast<char>(loc);
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
        return std::string(1, c);
    return fmt::format("0x{:02X}", loc);
}

// ---- comparisons ----

void compare_tsv(Tally& t, const std::string& file, const SpdInfo& s,
                 const std::map<std::string, std::string>& row) {
    const auto col = [&](const char* name) -> std::optional<std::string> {
        const auto it = row.find(name);
        if (it == row.end())
            return std::nullopt;
        return it->second;
    };
    const auto cmp = [&](const char* field, const std::string& ours) {
        t.compare(file, field, ours, col(field));
    };
    const auto num_or_empty = [](auto v) { return v ? fmt::format("{}", v) : std::string(); };

    cmp("dd_memory_type", s.type == MemoryType::Unknown
                              ? std::string("Unknown")
                              : fmt::format("{} SDRAM", to_string(s.type)));
    cmp("dd_module_type", s.module_type);
    cmp("dd_size", s.capacity_mb ? fmt::format("{} MB", s.capacity_mb) : "");
    cmp("dd_max_speed",
        s.speed_mts ? fmt::format("{} MT/s ({})", s.speed_mts, s.pc_name) : std::string());
    cmp("dd_manufacturer", dd_manufacturer(s.manufacturer));
    // decode-dimms prints the DRAM maker only when bytes are written.
    cmp("dd_dram_manufacturer",
        s.dram_manufacturer.defined ? dd_manufacturer(s.dram_manufacturer) : "");
    t.compare(file, "dd_part_number", s.part_number.empty() ? "Undefined" : s.part_number,
              dd_part(col("dd_part_number")));
    cmp("dd_serial",
        (s.serial == 0 || s.serial == 0xFFFFFFFF) ? "" : fmt::format("0x{:08X}", s.serial));
    // Dates that are neither BCD nor binary are printed as raw hex by decode-dimms.
    std::optional<std::string> date = col("dd_mfg_date");
    if (date && date->starts_with("0x"))
        date = "";
    t.compare(file, "dd_mfg_date", dd_date(s.date), date);
    cmp("dd_spd_revision", s.spd_revision);
    cmp("dd_bytes_written", num_or_empty(s.bytes_used));
    cmp("dd_bytes_total", num_or_empty(s.bytes_total));
}

std::map<std::string, std::string> parse_oracle_text(const fs::path& path) {
    std::map<std::string, std::string> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() <= 49 || line.starts_with("#") || line.starts_with("---"))
            continue;
        const std::string label = trim(std::string_view(line).substr(0, 49));
        if (!label.empty() && !out.contains(label))
            out.emplace(label, trim(std::string_view(line).substr(49)));
    }
    return out;
}

void compare_text(Tally& t, const std::string& file, const SpdInfo& s,
                  const std::map<std::string, std::string>& dd) {
    const bool ddr3 = s.type == MemoryType::DDR3;
    const auto value = [&](const std::string& label) -> std::optional<std::string> {
        const auto it = dd.find(label);
        if (it == dd.end())
            return std::nullopt;
        return it->second;
    };
    // Printed by decode-dimms whenever it reaches that section.
    const auto cmp = [&](const std::string& label, const std::string& ours) {
        t.compare(file, label, ours, value(label));
    };
    // Printed only when non-empty; absent means "" once the section was reached.
    const auto cmp_cond = [&](const std::string& label, const std::string& section_label,
                              const std::string& ours) {
        std::optional<std::string> v = value(label);
        if (!v && dd.contains(section_label))
            v = "";
        t.compare(file, label, ours, v);
    };

    cmp("Banks x Rows x Columns x Bits",
        fmt::format("{} x {} x {} x {}", s.banks, s.rows, s.columns, s.bus_width));
    cmp("Ranks", fmt::format("{}", s.ranks));
    cmp("SDRAM Device Width", fmt::format("{} bits", s.device_width));
    cmp("Primary Bus Width", fmt::format("{} bits", s.bus_width));
    cmp_cond("Bus Width Extension", "Primary Bus Width", s.ecc ? "8 bits" : "");
    cmp(ddr3 ? "tCL-tRCD-tRP-tRAS" : "AA-RCD-RP-RAS (cycles)", dd_clocks(s));
    cmp(ddr3 ? "Supported CAS Latencies (tCL)" : "Supported CAS Latencies",
        dd_cas(s.cas_latencies));
    cmp(ddr3 ? "Minimum Cycle Time (tCK)" : "Minimum Cycle Time (tCKmin)",
        fmt::format("{:.3f} ns", s.tck_ns));
    cmp("Minimum CAS Latency Time (tAA)", dd_ns(s, "tAA"));
    cmp("Minimum Row Precharge Delay (tRP)", dd_ns(s, "tRP"));
    cmp("Minimum Active to Precharge Delay (tRAS)", dd_ns(s, "tRAS"));
    cmp("Minimum Active to Auto-Refresh Delay (tRC)", dd_ns(s, "tRC"));
    cmp("Minimum Four Activate Window Delay (tFAW)", dd_ns(s, "tFAW"));
    if (ddr3) {
        cmp("Minimum Write Recovery time (tWR)", dd_ns(s, "tWR"));
        cmp("Minimum RAS# to CAS# Delay (tRCD)", dd_ns(s, "tRCD"));
        cmp("Minimum Row Active to Row Active Delay (tRRD)", dd_ns(s, "tRRD"));
        cmp("Minimum Recovery Delay (tRFC)", dd_ns(s, "tRFC1"));
        cmp("Minimum Write to Read CMD Delay (tWTR)", dd_ns(s, "tWTR"));
        cmp("Minimum Read to Pre-charge CMD Delay (tRTP)", dd_ns(s, "tRTP"));
        const auto has = [&](const char* v) {
            return std::find(s.voltages.begin(), s.voltages.end(), v) != s.voltages.end();
        };
        // decode-dimms prints bit 0 ("NOT 1.5 V operable") as "1.5V tolerant".
        std::string volts = has("1.5 V") ? "1.5V" : "1.5V tolerant";
        if (has("1.35 V"))
            volts += ", 1.35V";
        if (has("1.25 V"))
            volts += ", 1.2X V";
        cmp("Operable voltages", volts);
        cmp("Module Thermal Sensor", s.thermal_sensor ? "Yes" : "No");
        if (const auto v = value("SDRAM Device Type"))
            t.compare(file, "SDRAM Device Type",
                      s.package == "monolithic" ? "monolithic" : "non-monolithic",
                      our_package(*v, s.type));
    } else {
        cmp("Maximum Cycle Time (tCKmax)", fmt::format("{:.3f} ns", s.tck_max_ns));
        cmp("Minimum RAS to CAS Delay (tRCD)", dd_ns(s, "tRCD"));
        cmp("Minimum Recovery Delay (tRFC1)", dd_ns(s, "tRFC1"));
        cmp("Minimum Recovery Delay (tRFC2)", dd_ns(s, "tRFC2"));
        cmp("Minimum Recovery Delay (tRFC4)", dd_ns(s, "tRFC4"));
        cmp("Minimum Row Active to Row Active Delay (tRRD_S)", dd_ns(s, "tRRD_S"));
        cmp("Minimum Row Active to Row Active Delay (tRRD_L)", dd_ns(s, "tRRD_L"));
        cmp("Minimum CAS to CAS Delay (tCCD_L)", dd_ns(s, "tCCD_L"));
        const char* section = "Minimum CAS to CAS Delay (tCCD_L)";
        const auto opt_ns = [&](const char* n) {
            return s.timing(n) ? dd_ns(s, n) : std::string();
        };
        cmp_cond("Minimum Write Recovery Time (tWR)", section, opt_ns("tWR"));
        cmp_cond("Minimum Write to Read Time (tWTR_S)", section, opt_ns("tWTR_S"));
        cmp_cond("Minimum Write to Read Time (tWTR_L)", section, opt_ns("tWTR_L"));
        std::optional<std::string> volts = value("Module Nominal Voltage");
        if (volts && volts->starts_with("Unknown"))
            volts = "";
        t.compare(file, "Module Nominal Voltage", s.voltages.empty() ? "" : s.voltages.front(),
                  volts);
        cmp("Thermal Sensor", s.thermal_sensor ? "TSE2004 compliant" : "No");
        if (const auto v = value("Package Type"))
            t.compare(file, "Package Type", s.package, our_package(*v, s.type));
    }

    const auto has = [&](const char* f) {
        return std::find(s.features.begin(), s.features.end(), f) != s.features.end();
    };
    const auto yes_no = [&](const char* f) { return std::string(has(f) ? "Yes" : "No"); };
    std::string mac = s.max_activate_count;
    if (!mac.empty() && std::isdigit(static_cast<unsigned char>(mac[0])))
        mac.insert(mac.size() - 1, " "); // "700K" -> "700 K"
    else if (!mac.empty())
        mac[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(mac[0])));
    cmp_cond("Maximum Activate Count (MAC)", "Primary Bus Width", mac);
    if (ddr3) {
        cmp("RZQ/6 supported?", yes_no("RZQ/6"));
        cmp("RZQ/7 supported?", yes_no("RZQ/7"));
        cmp("DLL-Off Mode supported?", yes_no("DLL-off"));
        cmp("Operating temperature range",
            has("extended temperature") ? "0-95 degrees C" : "0-85 degrees C");
        cmp_cond("Refresh Rate in extended temp range", "Operating temperature range",
                 !has("extended temperature")                ? ""
                 : has("1X refresh at extended temperature") ? "1X"
                                                             : "2X");
        cmp("Auto Self-Refresh?", yes_no("ASR"));
        cmp("On-Die Thermal Sensor readout?", yes_no("on-die thermal sensor"));
        cmp("Partial Array Self-Refresh?", yes_no("PASR"));
        // decode-dimms reads the LRDIMM heat spreader from byte 63; we only decode the
        // RDIMM byte 64 bit 7.
        if (s.module_type.ends_with("RDIMM") && s.module_type != "LRDIMM")
            cmp("Heat spreader", yes_no("heat spreader"));
    } else {
        cmp("Post Package Repair", has("PPR") ? "One row per bank group" : "Not supported");
        cmp_cond("Soft PPR", "Post Package Repair",
                 !has("PPR")       ? ""
                 : has("soft PPR") ? "Supported"
                                   : "Not Supported");
        cmp_cond("Rank Mix", "Ranks",
                 s.ranks < 2               ? ""
                 : has("asymmetric ranks") ? "Asymmetrical"
                                           : "Symmetrical");
    }
    // Timings at standard speeds; decode-dimms names them by int(2000 / tCK).
    const std::string prefix = ddr3 ? "tCL-tRCD-tRP-tRAS" : "AA-RCD-RP-RAS (cycles)";
    const std::vector<int> standard =
        ddr3 ? std::vector<int>{2133, 1866, 1600, 1333, 1066, 800}
             : std::vector<int>{3200, 2933, 2666, 2400, 2133, 1866, 1600};
    for (const int mts : standard) {
        std::string ours;
        for (const SpeedBin& b : s.standard_speeds)
            if (b.speed_mts == mts)
                ours = fmt::format("{}-{}-{}-{}", b.cl, b.trcd, b.trp, b.tras);
        cmp_cond(fmt::format("{} as DDR{}-{}", prefix, ddr3 ? 3 : 4, mts), prefix, ours);
    }

    std::string height = fmt::format("{} mm", s.height_mm);
    if (!ddr3 && s.height_mm == 15)
        height = "15 mm or less";
    if (!ddr3 && s.height_mm == 46)
        height = "more than 45 mm";
    cmp("Module Height", height);
    cmp("Module Thickness",
        fmt::format("{} mm front, {} mm back", s.thickness_front_mm, s.thickness_back_mm));
    cmp("Module Reference Card", dd_raw_card(s.raw_card));
    if (ddr3)
        cmp("Rank 1 Mapping", s.rank1_mirrored ? "Mirrored" : "Standard");
    if (s.register_manufacturer)
        cmp("Register manufacturer", dd_manufacturer(*s.register_manufacturer));
    const std::string reg_rev =
        s.register_revision >= 0 ? dd_revision_number(s.register_revision) : "";
    cmp(s.module_type == "LRDIMM" ? "Buffer Revision" : "Register revision", reg_rev);

    cmp("Module Manufacturer", dd_manufacturer(s.manufacturer));
    cmp_cond("DRAM Manufacturer", "Module Manufacturer",
             s.dram_manufacturer.defined ? dd_manufacturer(s.dram_manufacturer) : "");
    cmp_cond("Manufacturing Location Code", "Module Manufacturer", dd_location(s.location));
    std::optional<std::string> date = value("Manufacturing Date");
    if (date && date->starts_with("0x"))
        date = "";
    if (!date && dd.contains("Module Manufacturer"))
        date = "";
    t.compare(file, "Manufacturing Date", dd_date(s.date), date);
    cmp_cond("Assembly Serial Number", "Module Manufacturer",
             (s.serial == 0 || s.serial == 0xFFFFFFFF) ? "" : fmt::format("0x{:08X}", s.serial));
    t.compare(file, "Part Number", s.part_number.empty() ? "Undefined" : s.part_number,
              dd_part(value("Part Number")));
    const bool rev_written =
        ddr3 ? (s.revision != 0 && s.revision != 0xFFFF) : (s.revision != 0 && s.revision != 0xFF);
    cmp_cond("Revision Code", "Module Manufacturer",
             !rev_written ? ""
             : ddr3       ? fmt::format("0x{:04X}", s.revision)
                          : fmt::format("0x{:02X}", s.revision));
    cmp("SPD Revision", s.spd_revision);
}

void compare_ddr5(Tally& t, const std::string& file, const SpdInfo& s) {
    const auto it = std::find_if(std::begin(ddr5_expected), std::end(ddr5_expected),
                                 [&](const Ddr5Expect& e) { return e.file == file; });
    if (it == std::end(ddr5_expected)) {
        t.compare(file, "ddr5: listed in this test", "no", std::string("yes"));
        return;
    }
    t.compare(file, "ddr5: module type", s.module_type, std::string(it->module_type));
    t.compare(file, "ddr5: size", fmt::format("{}", s.capacity_mb),
              fmt::format("{}", it->capacity_mb));
    t.compare(file, "ddr5: speed", fmt::format("{}", s.speed_mts),
              fmt::format("{}", it->speed_mts));
    t.compare(file, "ddr5: manufacturer", s.manufacturer.name, std::string(it->manufacturer));
    t.compare(file, "ddr5: part number", s.part_number, std::string(it->part_number));
    t.compare(file, "ddr5: date", s.date.iso(), std::string(it->date));
    t.compare(file, "ddr5: serial", fmt::format("0x{:08X}", s.serial),
              fmt::format("0x{:08X}", it->serial));
}

std::vector<std::uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::map<std::string, std::string>> read_tsv(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::vector<std::map<std::string, std::string>> rows;
    std::string line;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, '\t'))
            cells.push_back(cell);
        if (header.empty()) {
            header = cells;
            continue;
        }
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size(); ++i)
            row[header[i]] = i < cells.size() ? cells[i] : "";
        rows.push_back(std::move(row));
    }
    return rows;
}

int run(const fs::path& corpus) {
    Tally tally;
    const auto rows = read_tsv(corpus / "ORACLE.tsv");
    int files = 0, text_files = 0;
    for (const auto& row : rows) {
        const fs::path bin = corpus / row.at("file");
        const std::string name = bin.stem().string();
        const SpdInfo s = decode(Image(read_file(bin)));
        ++files;
        compare_tsv(tally, name, s, row);

        if (s.type == MemoryType::DDR5) {
            compare_ddr5(tally, name, s);
            continue;
        }
        if (s.type != MemoryType::DDR3 && s.type != MemoryType::DDR4)
            continue;
        fs::path text = corpus / "oracle" / (name + ".c.txt");
        if (!fs::exists(text))
            text = corpus / "oracle" / (name + ".txt");
        const auto dd = parse_oracle_text(text);
        // Only when decode-dimms decoded the same generation (not the Rambus path).
        const auto type = dd.find("Fundamental Memory type");
        if (type == dd.end() || type->second != fmt::format("{} SDRAM", to_string(s.type)))
            continue;
        ++text_files;
        compare_text(tally, name, s, dd);
    }

    // Negative cases: every broken image decodes without throwing; part numbers where
    // decode-dimms (-c) could read one.
    int broken = 0;
    for (const auto& row : read_tsv(corpus / "broken" / "BROKEN.tsv")) {
        const fs::path bin = corpus / row.at("file");
        const SpdInfo s = decode(Image(read_file(bin)));
        ++broken;
        const std::string dd_part = row.at("dd_part_number_with_-c");
        const std::string dd_type = row.at("dd_memory_type_with_-c");
        if (!dd_part.empty() && dd_part != "Undefined" &&
            dd_type == fmt::format("{} SDRAM", to_string(s.type)))
            tally.compare("broken/" + bin.stem().string(), "broken: part number", s.part_number,
                          dd_part);
    }

    fmt::print("decoded {} corpus files ({} with decode-dimms text compared) and {} broken "
               "images\n",
               files, text_files, broken);
    return tally.report() == 0 ? 0 : 1;
}

} // namespace

int main() {
    const char* dir = std::getenv("DDRSPD_CORPUS");
    if (!dir || !fs::exists(fs::path(dir) / "ORACLE.tsv")) {
        fmt::print("SKIP: corpus not found (set DDRSPD_CORPUS to a directory with "
                   "ORACLE.tsv; now {})\n",
                   dir ? dir : "unset");
        return 77;
    }
    try {
        return run(dir);
    } catch (const std::exception& e) {
        fmt::print(stderr, "corpus_decode: {}\n", e.what());
        return 1;
    }
}
