// SPDX-License-Identifier: GPL-2.0-or-later
// check(): every finding has a stable code (see check.hpp) and a severity:
//   error   - empty-image, blank-image, unknown-memory-type, unsupported-memory-type,
//             truncated, crc-mismatch, crc-missing, crc-zero, invalid-timebase
//   warning - invalid-byte0 (reserved encoding), bytes-used-exceeds-data, jep106-parity,
//             jep106-unknown, part-number-nonprintable, timing-inconsistent, zero-timing
//   info    - invalid-byte0 when DDR3 leaves the EEPROM size "undefined" (coreboot images),
//             part-number-nonprintable when the name is only padded with 0x00/0xFF
// A stored CRC of 0000 over data whose CRC is not 0000 gives both crc-mismatch (every bad
// CRC has that code) and crc-zero (the likely cause: a generator that never computed it).
#include <ddrspd/check.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/jep106.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace ddrspd {

namespace {

struct Area {
    std::size_t first;
    std::size_t last;
    const char* name;
};

// Regions named in "truncated" messages (spd-reference.md 2.2-2.4).
constexpr Area ddr3_areas[] = {
    {0, 59, "general configuration"},
    {60, 116, "module-specific section"},
    {117, 125, "module ID (manufacturer, date, serial)"},
    {126, 127, "base CRC"},
    {128, 145, "part number"},
    {146, 149, "revision and DRAM manufacturer"},
    {150, 175, "manufacturer-specific data"},
    {176, 255, "end-user area (XMP)"},
};
constexpr Area ddr4_areas[] = {
    {0, 125, "base configuration"},
    {126, 127, "base CRC"},
    {128, 253, "module-specific block"},
    {254, 255, "block1 CRC"},
    {256, 319, "hybrid extended area"},
    {320, 383, "manufacturing data (manufacturer, date, serial, part number)"},
    {384, 511, "end-user area (XMP)"},
};
constexpr Area ddr5_areas[] = {
    {0, 127, "base configuration"},
    {128, 509, "module-specific data"},
    {510, 511, "base CRC"},
    {512, 639, "manufacturing data (manufacturer, date, serial, part number)"},
    {640, 1023, "end-user area (XMP, EXPO)"},
};

// A timing and the byte that holds it (its MTB/ps value; fine offsets are elsewhere).
struct TimingAt {
    const char* name;
    std::size_t offset;
};

struct Layout {
    std::span<const Area> areas;
    std::size_t module_mfr; // JEP106 count byte; code byte follows
    std::size_t dram_mfr;
    std::size_t part_number;
    std::size_t part_length;
    std::size_t tck;                  // tCKmin
    std::size_t cas;                  // first byte of the CAS latency bitmap
    std::array<TimingAt, 6> required; // tAA tRCD tRP tRAS tRC tRFC
    double cl_guard;                  // clocks forgiven before rounding tAA/tCK up
    bool even_cl_only;                // DDR5 CLs are even: any supported CL >= required will do
};

// Rounding guards: DDR4 as decode-dimms ("per DDR4 specifications"); DDR3 only absorbs
// floating-point noise; DDR5 uses the 0.3 % guard band of JESD400-5 [S].
constexpr Layout ddr3_layout{
    ddr3_areas,
    117,
    148,
    128,
    18,
    12,
    14,
    {{{"tAA", 16}, {"tRCD", 18}, {"tRP", 20}, {"tRAS", 22}, {"tRC", 23}, {"tRFC1", 24}}},
    0.01,
    false};
constexpr Layout ddr4_layout{
    ddr4_areas,
    320,
    350,
    329,
    20,
    18,
    20,
    {{{"tAA", 24}, {"tRCD", 25}, {"tRP", 26}, {"tRAS", 28}, {"tRC", 29}, {"tRFC1", 30}}},
    0.025,
    false};
constexpr Layout ddr5_layout{
    ddr5_areas,
    512,
    552,
    521,
    30,
    20,
    24,
    {{{"tAA", 30}, {"tRCD", 32}, {"tRP", 34}, {"tRAS", 36}, {"tRC", 38}, {"tRFC1", 42}}},
    0.0,
    true};

const Layout* layout_for(MemoryType t) noexcept {
    switch (t) {
    case MemoryType::DDR3:
        return &ddr3_layout;
    case MemoryType::DDR4:
        return &ddr4_layout;
    case MemoryType::DDR5:
        return &ddr5_layout;
    default:
        return nullptr;
    }
}

class Findings {
public:
    void add(Severity s, std::string code, std::optional<std::size_t> offset, std::string msg) {
        if (list_.empty())
            list_.reserve(8);
        list_.push_back({s, std::move(code), offset, std::move(msg)});
    }
    std::vector<Finding> take() { return std::move(list_); }

private:
    std::vector<Finding> list_;
};

bool blank(const Image& img, std::uint8_t value) {
    return std::all_of(img.bytes().begin(), img.bytes().end(),
                       [value](std::uint8_t b) { return b == value; });
}

std::string range(std::size_t first, std::size_t last) {
    return first == last ? fmt::format(FMT_COMPILE("{}"), first)
                         : fmt::format(FMT_COMPILE("{}-{}"), first, last);
}

void check_size(const Image& img, const Layout& layout, Findings& out) {
    const std::uint8_t b0 = img[0];
    const MemoryType type = img.memory_type();
    const unsigned total_bits = (b0 >> 4) & 0x7;
    if (img.declared_total() == 0) {
        if (type == MemoryType::DDR3 && total_bits == 0)
            out.add(Severity::Info, "invalid-byte0", 0,
                    fmt::format(
                        FMT_COMPILE("byte 0 = 0x{:02X} leaves the EEPROM size undefined; assuming "
                                    "{} bytes"),
                        b0, img.expected_size()));
        else
            out.add(Severity::Warning, "invalid-byte0", 0,
                    fmt::format(
                        FMT_COMPILE("byte 0 = 0x{:02X} declares a reserved EEPROM size (bits 6:4 = "
                                    "{}); assuming {} bytes"),
                        b0, total_bits, img.expected_size()));
    }
    if (type != MemoryType::DDR5 && img.declared_used() == 0)
        out.add(Severity::Warning, "invalid-byte0", 0,
                fmt::format(
                    FMT_COMPILE("byte 0 = 0x{:02X} declares a reserved number of bytes used (bits "
                                "3:0 = {})"),
                    b0, b0 & 0x0F));
    if (img.declared_total() != 0 && img.declared_used() > img.declared_total())
        out.add(
            Severity::Warning, "invalid-byte0", 0,
            fmt::format(FMT_COMPILE("byte 0 = 0x{:02X} declares {} bytes used of only {} in total"),
                        b0, img.declared_used(), img.declared_total()));

    const std::size_t used = img.declared_used();
    if (used > img.size())
        out.add(
            Severity::Warning, "bytes-used-exceeds-data", 0,
            fmt::format(FMT_COMPILE("byte 0 declares {} bytes used but the image holds only {}"),
                        used, img.size()));

    const std::size_t expected = img.expected_size();
    if (img.size() >= expected)
        return;
    std::vector<std::string> missing;
    for (const Area& a : layout.areas) {
        if (a.last < img.size())
            continue;
        missing.push_back(
            a.first >= img.size()
                ? fmt::format(FMT_COMPILE("{} {}"), a.name, range(a.first, a.last))
                : fmt::format(FMT_COMPILE("{} {} (incomplete)"), a.name, range(a.first, a.last)));
    }
    const std::size_t covered = layout.areas.back().last + 1;
    if (expected > covered)
        missing.push_back(fmt::format(FMT_COMPILE("bytes {}"),
                                      range(std::max(covered, img.size()), expected - 1)));
    out.add(Severity::Error, "truncated", img.size(),
            fmt::format(FMT_COMPILE("image ends at byte {} of {}; missing: {}"), img.size(),
                        expected, fmt::join(missing, ", ")));
}

void check_crcs(const Image& img, const std::vector<CrcBlock>& blocks, Findings& out) {
    for (const CrcBlock& b : blocks) {
        if (b.present && b.ok)
            continue;
        const std::string covered = range(b.first, b.last);
        if (!b.present) {
            out.add(
                Severity::Error, "crc-missing", b.stored_at,
                fmt::format(FMT_COMPILE("the {} CRC of bytes {} cannot be checked: the image ends "
                                        "before bytes {}-{}"),
                            b.name, covered, b.stored_at, b.stored_at + 1));
            continue;
        }
        if (b.ok)
            continue;
        out.add(Severity::Error, "crc-mismatch", b.stored_at,
                fmt::format(FMT_COMPILE("{} CRC of bytes {} is 0x{:04X} but 0x{:04X} is stored"),
                            b.name, covered, b.computed, b.stored));
        if (b.stored != 0)
            continue;
        std::string hint;
        // coreboot's DDR5 templates carry a DDR4-style CRC of 0-125 at 126-127.
        if (img.memory_type() == MemoryType::DDR5 && b.name == "base" && img.size() > 127) {
            const std::uint16_t low = crc16(std::span(img.bytes()).first(126));
            if (low != 0 && (img[126] | (img[127] << 8)) == low)
                hint = "; bytes 126-127 hold a DDR4-style CRC of bytes 0-125 instead";
        }
        out.add(Severity::Error, "crc-zero", b.stored_at,
                fmt::format(
                    FMT_COMPILE("stored {} CRC is 0000: the image was probably generated without a "
                                "CRC (coreboot spd_tools does this){}"),
                    b.name, hint));
    }
}

// Returns false when timings cannot be decoded at all.
bool check_timebase(const Image& img, Findings& out) {
    bool ok = true;
    switch (img.memory_type()) {
    case MemoryType::DDR3:
        if (img.size() > 9 && (img[9] & 0x0F) == 0) {
            out.add(Severity::Error, "invalid-timebase", 9,
                    fmt::format(
                        FMT_COMPILE("fine timebase divisor (byte 9 = 0x{:02X}, low nibble) is 0"),
                        img[9]));
            ok = false;
        }
        if (img.size() > 11 && (img[10] == 0 || img[11] == 0)) {
            const std::size_t at = img[10] == 0 ? 10 : 11;
            out.add(Severity::Error, "invalid-timebase", at,
                    fmt::format(FMT_COMPILE("medium timebase {}/{} ns (bytes 10/11) has a zero {}"),
                                img[10], img[11], at == 10 ? "dividend" : "divisor"));
            ok = false;
        }
        return ok;
    case MemoryType::DDR4:
        if (img.size() > 17 && img[17] != 0) {
            out.add(
                Severity::Error, "invalid-timebase", 17,
                fmt::format(
                    FMT_COMPILE("timebases byte 17 = 0x{:02X}; only 0x00 (MTB 125 ps, FTB 1 ps) "
                                "is defined"),
                    img[17]));
            return false;
        }
        return true;
    default:
        return true; // DDR5 stores picoseconds
    }
}

void check_manufacturer(const Image& img, std::size_t at, const char* what, Findings& out) {
    if (img.size() <= at + 1)
        return;
    const Manufacturer m = decode_manufacturer(img[at], img[at + 1]);
    if (!m.defined)
        return;
    if (!m.count_parity_ok || !m.code_parity_ok) {
        const std::size_t bad = m.count_parity_ok ? at + 1 : at;
        out.add(
            Severity::Warning, "jep106-parity", bad,
            fmt::format(FMT_COMPILE("{} ID {:02X} {:02X} (bytes {}-{}) fails the JEP106 odd-parity "
                                    "check in its {} byte"),
                        what, img[at], img[at + 1], at, at + 1,
                        m.count_parity_ok ? "code" : "continuation-count"));
        return;
    }
    if (!m.known)
        out.add(Severity::Warning, "jep106-unknown", at,
                fmt::format(
                    FMT_COMPILE("{} ID {:02X} {:02X} (bank {}, code 0x{:02X}) is not in the JEP106 "
                                "table"),
                    what, img[at], img[at + 1], m.bank, m.code));
}

void check_part_number(const Image& img, const Layout& layout, Findings& out) {
    const std::size_t first = layout.part_number;
    if (img.size() < first + layout.part_length)
        return;
    const auto field = std::span(img.bytes()).subspan(first, layout.part_length);
    const auto printable = [](std::uint8_t b) { return b >= 0x20 && b < 0x7F; };
    if (std::all_of(field.begin(), field.end(), printable))
        return;
    // Unset (all 00 / all FF) is not a defect of the name.
    if (std::all_of(field.begin(), field.end(), [](std::uint8_t b) { return b == 0; }) ||
        std::all_of(field.begin(), field.end(), [](std::uint8_t b) { return b == 0xFF; }))
        return;
    const auto bad = std::find_if_not(field.begin(), field.end(), printable);
    const std::size_t at = first + static_cast<std::size_t>(bad - field.begin());
    const bool padding_only =
        std::all_of(bad, field.end(), [](std::uint8_t b) { return b == 0x00 || b == 0xFF; });
    if (padding_only)
        out.add(
            Severity::Info, "part-number-nonprintable", at,
            fmt::format(
                FMT_COMPILE("part number (bytes {}) is padded with 0x{:02X} from byte {} instead "
                            "of spaces"),
                range(first, first + layout.part_length - 1), *bad, at));
    else
        out.add(Severity::Warning, "part-number-nonprintable", at,
                fmt::format(
                    FMT_COMPILE("part number (bytes {}) holds the non-printable byte 0x{:02X} at "
                                "byte {}"),
                    range(first, first + layout.part_length - 1), *bad, at));
}

// DDR5 timings are plain little-endian picoseconds (tRFC1 in ns), used when decode() gives
// only the identity fields for DDR5.
std::vector<Timing> ddr5_timings(const Image& img) {
    const auto le16 = [&](std::size_t at) {
        return static_cast<unsigned>(img.at_or_zero(at) | (img.at_or_zero(at + 1) << 8));
    };
    std::vector<Timing> out;
    for (const TimingAt& t : ddr5_layout.required) {
        const double scale = std::string_view(t.name) == "tRFC1" ? 1.0 : 0.001;
        out.push_back({t.name, le16(t.offset) * scale, 0});
    }
    return out;
}

const Timing* find_timing(const std::vector<Timing>& timings, std::string_view name) noexcept {
    for (const Timing& t : timings)
        if (t.name == name)
            return &t;
    return nullptr;
}

void check_timings(const Image& img, const Layout& layout, const SpdInfo& info, Findings& out) {
    std::vector<Timing> ddr5;
    if (info.timings.empty() && img.memory_type() == MemoryType::DDR5)
        ddr5 = ddr5_timings(img);
    const std::vector<Timing>& timings = ddr5.empty() ? info.timings : ddr5;
    const auto timing = [&](std::string_view name) { return find_timing(timings, name); };
    const auto present = [&](std::size_t offset) { return offset < img.size(); };

    // decode() leaves zero timings out of the list, so absent means zero.
    if (present(layout.tck) && !(info.tck_ns > 0))
        out.add(
            Severity::Warning, "zero-timing", layout.tck,
            fmt::format(FMT_COMPILE("tCKmin (byte {}) is 0: no speed can be derived"), layout.tck));
    for (const TimingAt& t : layout.required) {
        const Timing* found = timing(t.name);
        if (present(t.offset) && !(found && found->ns > 0))
            out.add(Severity::Warning, "zero-timing", t.offset,
                    fmt::format(FMT_COMPILE("{} (byte {}) is 0"), t.name, t.offset));
    }

    const Timing* tras = timing("tRAS");
    const Timing* trp = timing("tRP");
    const Timing* trc = timing("tRC");
    if (tras && trp && trc && tras->ns > 0 && trp->ns > 0 && trc->ns > 0 &&
        trc->ns + 0.0005 < tras->ns + trp->ns)
        out.add(Severity::Warning, "timing-inconsistent", layout.required[4].offset,
                fmt::format(
                    FMT_COMPILE("tRC {:.3f} ns is shorter than tRAS + tRP = {:.3f} + {:.3f} ns"),
                    trc->ns, tras->ns, trp->ns));

    const Timing* taa = timing("tAA");
    if (!taa || !(taa->ns > 0) || !(info.tck_ns > 0))
        return;
    if (info.cas_latencies.empty()) {
        out.add(Severity::Warning, "timing-inconsistent", layout.cas,
                fmt::format(FMT_COMPILE("no CAS latency is marked as supported (bytes from {})"),
                            layout.cas));
        return;
    }
    const double ratio = taa->ns / info.tck_ns;
    const int needed =
        static_cast<int>(std::ceil(layout.even_cl_only ? ratio * 0.997 : ratio - layout.cl_guard));
    const auto& cls = info.cas_latencies;
    const bool fits = layout.even_cl_only ? std::any_of(cls.begin(), cls.end(),
                                                        [&](int cl) { return cl >= needed; })
                                          : std::find(cls.begin(), cls.end(), needed) != cls.end();
    if (!fits)
        out.add(Severity::Warning, "timing-inconsistent", layout.cas,
                fmt::format(
                    FMT_COMPILE("tAA {:.3f} ns at tCK {:.3f} ns needs CL {}, which is not in the "
                                "supported CAS latencies ({})"),
                    taa->ns, info.tck_ns, needed, fmt::join(cls, ", ")));
}

} // namespace

std::string_view to_string(Severity s) noexcept {
    switch (s) {
    case Severity::Info:
        return "info";
    case Severity::Warning:
        return "warning";
    case Severity::Error:
        return "error";
    }
    return "error";
}

bool Report::ok() const noexcept {
    return std::none_of(findings.begin(), findings.end(),
                        [](const Finding& f) { return f.severity == Severity::Error; });
}

namespace {

// `info` is decode(img) when the caller has it, else nullptr (decoded here if needed).
Report check_image(const Image& img, const SpdInfo* info) {
    Report report;
    Findings out;
    if (img.empty()) {
        out.add(Severity::Error, "empty-image", std::nullopt, "the image holds no bytes");
        report.findings = out.take();
        return report;
    }
    for (const std::uint8_t value : {std::uint8_t{0x00}, std::uint8_t{0xFF}}) {
        if (blank(img, value)) {
            out.add(Severity::Error, "blank-image", 0,
                    fmt::format(FMT_COMPILE("all {} bytes are 0x{:02X}{}"), img.size(), value,
                                value == 0xFF ? " (erased or absent EEPROM)" : ""));
            report.findings = out.take();
            return report;
        }
    }
    if (img.size() < 3) {
        out.add(Severity::Error, "truncated", img.size(),
                fmt::format(FMT_COMPILE("image ends at byte {}, before the memory type (byte 2)"),
                            img.size()));
        report.findings = out.take();
        return report;
    }
    const MemoryType type = img.memory_type();
    const Layout* layout = layout_for(type);
    if (type == MemoryType::Unknown) {
        out.add(
            Severity::Error, "unknown-memory-type", 2,
            fmt::format(FMT_COMPILE("byte 2 = 0x{:02X} is not an assigned memory type"), img[2]));
    } else if (!layout) {
        out.add(Severity::Error, "unsupported-memory-type", 2,
                fmt::format(
                    FMT_COMPILE("byte 2 = 0x{:02X} is {}; only DDR3, DDR4 and DDR5 are supported"),
                    img[2], to_string(type)));
    }
    if (!layout) {
        report.findings = out.take();
        return report;
    }

    report.crc = crc_blocks(img);
    check_size(img, *layout, out);
    check_crcs(img, report.crc, out);
    const bool timebase_ok = check_timebase(img, out);
    check_manufacturer(img, layout->module_mfr, "module manufacturer", out);
    check_manufacturer(img, layout->dram_mfr, "DRAM manufacturer", out);
    check_part_number(img, *layout, out);
    if (timebase_ok) {
        if (info) {
            check_timings(img, *layout, *info, out);
        } else {
            const SpdInfo decoded = decode(img);
            check_timings(img, *layout, decoded, out);
        }
    }
    report.findings = out.take();
    return report;
}

} // namespace

Report check(const Image& img) {
    return check_image(img, nullptr);
}

Report check(const Image& img, const SpdInfo& info) {
    return check_image(img, &info);
}

} // namespace ddrspd
