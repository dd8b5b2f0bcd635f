// SPDX-License-Identifier: GPL-2.0-or-later
#include "render.hpp"

#include <ddrspd/types.hpp>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace ddrspd::spdcheck {

namespace {

// The report of one file is built here and written with one fwrite: ten lines per file
// over thousands of files make per-line stdio calls show up in profiles.
using Text = fmt::memory_buffer;

using tools::hex16;
using tools::hex32;
using tools::hex8;

void append(Text& out, std::string_view s) {
    out.append(s.data(), s.data() + s.size());
}

// `s` left-aligned in `width` columns, as "{:<width}" prints it; without fmt's column
// counting for plain ASCII (every label here), which showed in profiles.
void padded(Text& out, std::string_view s, std::size_t width) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            fmt::format_to(fmt::appender(out), "{:<{}}", s, width);
            return;
        }
    }
    append(out, s);
    for (std::size_t n = s.size(); n < width; ++n)
        out.push_back(' ');
}

// Starts a summary line; the caller writes the value and the '\n'. Summary lines have short
// labels, so the values line up close to them.
void start_line(Text& out, std::string_view label) {
    append(out, "  ");
    padded(out, label, 10);
}

// Decode sections: label column wide enough for "Module manufacturer".
void row(Text& out, std::string_view label, std::string_view value) {
    append(out, "  ");
    padded(out, label, 22);
    append(out, value);
    out.push_back('\n');
}

void line(Text& out, std::string_view label, std::string_view value) {
    start_line(out, label);
    append(out, value);
    out.push_back('\n');
}

void section(Text& out, std::string_view title) {
    fmt::format_to(fmt::appender(out), FMT_COMPILE("== {}\n"), title);
}

std::string text_of(const Text& t) {
    return std::string(t.data(), t.size());
}

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

std::string ns(double v) {
    return fmt::format("{:.3f} ns", v);
}

// The summary is written piece by piece into the file's buffer (the *_to functions), with no
// string per piece: it is most of spd-check's work per file in the default mode.

void manufacturer_to(Text& out, const Manufacturer& m) {
    if (!m.defined) {
        append(out, m.name.empty() ? "undefined" : m.name);
        return;
    }
    // "{} ({})" with m.id(), without the string id() makes.
    fmt::format_to(fmt::appender(out), FMT_COMPILE("{} (0x{:02X}{:02X})"), m.name, m.count_byte,
                   m.code_byte);
    if (!m.count_parity_ok || !m.code_parity_ok)
        append(out, ", parity error");
}

std::string manufacturer(const Manufacturer& m) {
    Text t;
    manufacturer_to(t, m);
    return text_of(t);
}

// "0-125: 0x19B6 ok", "128-253: stored 0xDF74, computed 0x9F0A, BAD", "0-509: missing ..."
void crc_state_to(Text& out, const CrcBlock& c) {
    if (!c.present)
        fmt::format_to(fmt::appender(out),
                       FMT_COMPILE("{}-{}: missing (image ends before byte {})"), c.first, c.last,
                       c.stored_at + 1);
    else if (c.ok)
        fmt::format_to(fmt::appender(out), FMT_COMPILE("{}-{}: 0x{:04X} ok"), c.first, c.last,
                       c.stored);
    else
        fmt::format_to(fmt::appender(out),
                       FMT_COMPILE("{}-{}: stored 0x{:04X}, computed 0x{:04X}, BAD"), c.first,
                       c.last, c.stored, c.computed);
}

std::string crc_state(const CrcBlock& c) {
    Text t;
    crc_state_to(t, c);
    return text_of(t);
}

void finding_to(Text& out, const Finding& f) {
    append(out, f.code);
    if (f.offset)
        fmt::format_to(fmt::appender(out), FMT_COMPILE(" at byte {}"), *f.offset);
    append(out, ": ");
    append(out, f.message);
}

std::string finding_line(const Finding& f) {
    Text t;
    finding_to(t, f);
    return text_of(t);
}

// "OK", "FAIL (2 errors, 1 warning)"
void verdict_to(Text& out, const Outcome& o) {
    int errors = 0;
    int warnings = 0;
    for (const Finding& f : o.report.findings) {
        errors += f.severity == Severity::Error ? 1 : 0;
        warnings += f.severity == Severity::Warning ? 1 : 0;
    }
    append(out, errors > 0 ? "FAIL" : "OK"); // Report::ok(): no finding of severity Error
    if (errors == 0 && warnings == 0)
        return;
    append(out, " (");
    if (errors > 0)
        fmt::format_to(fmt::appender(out), FMT_COMPILE("{} error{}"), errors,
                       errors == 1 ? "" : "s");
    if (errors > 0 && warnings > 0)
        append(out, ", ");
    if (warnings > 0)
        fmt::format_to(fmt::appender(out), FMT_COMPILE("{} warning{}"), warnings,
                       warnings == 1 ? "" : "s");
    out.push_back(')');
}

void type_line_to(Text& out, const Outcome& o) {
    MemoryType type = o.image.memory_type();
    if (!o.info) {
        fmt::format_to(fmt::appender(out), FMT_COMPILE("{} (byte 2 = 0x{:02X}, not supported)"),
                       to_string(type), o.image.at_or_zero(2));
        return;
    }
    const SpdInfo& i = *o.info;
    append(out, to_string(type));
    if (!i.module_type.empty()) {
        out.push_back(' ');
        append(out, i.module_type);
    }
    if (i.capacity_mb > 0)
        fmt::format_to(fmt::appender(out), FMT_COMPILE(", {} MB"), i.capacity_mb);
    if (i.ranks > 0)
        fmt::format_to(fmt::appender(out), FMT_COMPILE(", {} rank{}"), i.ranks,
                       i.ranks == 1 ? "" : "s");
    if (i.device_width > 0)
        fmt::format_to(fmt::appender(out), FMT_COMPILE(", x{}"), i.device_width);
    if (i.ecc)
        append(out, ", ECC");
}

void speed_to(Text& out, const SpdInfo& i) {
    if (i.speed_mts == 0) {
        append(out, "unknown");
        return;
    }
    if (i.speed_name.empty())
        fmt::format_to(fmt::appender(out), FMT_COMPILE("{} MT/s"), i.speed_mts);
    else
        append(out, i.speed_name);
    if (!i.pc_name.empty())
        fmt::format_to(fmt::appender(out), FMT_COMPILE(" ({})"), i.pc_name);
    if (i.cl > 0)
        fmt::format_to(fmt::appender(out), FMT_COMPILE(", CL {}"), i.cl);
}

std::string speed_line(const SpdInfo& i) {
    Text t;
    speed_to(t, i);
    return text_of(t);
}

void print_summary(Text& out, const Outcome& o) {
    append(out, o.file == "-" ? std::string_view("(standard input)") : o.file); // display_name
    append(out, ": ");
    verdict_to(out, o);
    out.push_back('\n');
    start_line(out, "type");
    type_line_to(out, o);
    out.push_back('\n');
    if (o.info) {
        start_line(out, "speed");
        speed_to(out, *o.info);
        out.push_back('\n');
        start_line(out, "maker");
        manufacturer_to(out, o.info->manufacturer);
        out.push_back('\n');
        line(out, "part", o.info->part_number.empty() ? "(none)" : o.info->part_number);
    }
    start_line(out, "size");
    fmt::format_to(fmt::appender(out), FMT_COMPILE("{} bytes"), o.image.size());
    if (std::size_t used = o.image.declared_used(); used > 0)
        fmt::format_to(fmt::appender(out), FMT_COMPILE(" ({} used, {} total declared)"), used,
                       o.image.declared_total());
    fmt::format_to(fmt::appender(out), FMT_COMPILE(", {} format\n"), to_string(o.format));
    for (const CrcBlock& c : o.report.crc) {
        start_line(out, "crc");
        append(out, c.name);
        out.push_back(' ');
        crc_state_to(out, c);
        out.push_back('\n');
    }
    for (const Finding& f : o.report.findings) {
        if (f.severity != Severity::Info) {
            start_line(out, to_string(f.severity));
            finding_to(out, f);
            out.push_back('\n');
        }
    }
    for (const CrcChange& c : o.crc_fixed)
        line(out, "fixed", fmt::format("{} CRC {} -> {}", c.name, hex16(c.from), hex16(c.to)));
    for (const auto& [name, value] : o.fields_set)
        line(out, "set", fmt::format("{} = {}", name, value));
    if (!o.written.empty())
        line(out, "written", o.written == "-" ? "(standard output)" : o.written);
    if (!o.write_note.empty())
        line(out, "written", o.write_note);
}

// A JEDEC (BCD) date, or the plain-binary reading some vendors write, marked as such.
std::string date_text(const Date& d) {
    if (d.valid)
        return d.iso();
    if (d.binary)
        return fmt::format("{:04}-W{:02} (stored in binary, not BCD)", d.year, d.week);
    return "undefined";
}

std::string join_ints(const std::vector<int>& v) {
    return v.empty() ? std::string("none") : fmt::format("{}", fmt::join(v, " "));
}

void print_timings(Text& out, const std::vector<Timing>& timings, std::string_view indent = "") {
    for (const Timing& t : timings) {
        std::string label = fmt::format("{}{}", indent, t.name);
        if (t.clocks > 0)
            row(out, label, fmt::format("{:>11}  {:>4} clocks", ns(t.ns), t.clocks));
        else
            row(out, label, fmt::format("{:>11}", ns(t.ns)));
    }
}

std::string timing_clocks(const SpdInfo& i, std::string_view name) {
    const Timing* t = i.timing(name);
    return t != nullptr && t->clocks > 0 ? std::to_string(t->clocks) : "?";
}

void print_decode(Text& out, const Outcome& o) {
    const SpdInfo& i = *o.info;

    section(out, "Module");
    row(out, "Memory type",
        fmt::format("{}, SPD revision {}", to_string(i.type),
                    i.spd_revision.empty() ? "?" : i.spd_revision));
    row(out, "Bytes used / total", fmt::format("{} / {}", i.bytes_used, i.bytes_total));
    row(out, "Module type", i.module_type.empty() ? "unknown" : i.module_type);
    row(out, "Hybrid", yes_no(i.hybrid));
    row(out, "Capacity", fmt::format("{} MB", i.capacity_mb));

    section(out, "Organisation");
    row(out, "Ranks", std::to_string(i.ranks));
    row(out, "Device width", fmt::format("x{}", i.device_width));
    row(out, "Bus width", fmt::format("{} bits{}", i.bus_width, i.ecc ? " + ECC" : ""));
    if (i.bank_groups > 0)
        row(out, "Banks", fmt::format("{} ({} bank groups)", i.banks, i.bank_groups));
    else
        row(out, "Banks", std::to_string(i.banks));
    row(out, "Addressing", fmt::format("{} rows, {} columns", i.rows, i.columns));
    row(out, "Die density", fmt::format("{} Mbit", i.die_density_mbit));
    row(out, "Package",
        fmt::format("{} ({} die{})", i.package.empty() ? "?" : i.package, i.die_count,
                    i.die_count == 1 ? "" : "s"));
    row(out, "Rank 1 mirrored", yes_no(i.rank1_mirrored));

    section(out, "Speed and CAS latency");
    row(out, "Speed grade", speed_line(i));
    row(out, "tCKmin", ns(i.tck_ns));
    if (i.tck_max_ns > 0)
        row(out, "tCKmax", ns(i.tck_max_ns));
    row(out, "CAS latencies", join_ints(i.cas_latencies));
    if (i.cl > 0 || !i.timings.empty())
        row(out, "CL-tRCD-tRP-tRAS",
            fmt::format("{}-{}-{}-{}", i.cl > 0 ? std::to_string(i.cl) : "?",
                        timing_clocks(i, "tRCD"), timing_clocks(i, "tRP"),
                        timing_clocks(i, "tRAS")));
    if (i.mtb_ps > 0)
        row(out, "Timebases", fmt::format("MTB {} ps, FTB {} ps", i.mtb_ps, i.ftb_ps));
    for (const SpeedBin& b : i.standard_speeds)
        row(out, fmt::format("At {} MT/s", b.speed_mts),
            fmt::format("{}-{}-{}-{}", b.cl > 0 ? std::to_string(b.cl) : "?", b.trcd, b.trp,
                        b.tras));

    section(out, "Timings (minimum, clocks at tCKmin)");
    if (i.timings.empty())
        fmt::format_to(fmt::appender(out), FMT_COMPILE("  (not decoded for {})\n"),
                       to_string(i.type));
    print_timings(out, i.timings);

    section(out, "Voltage, thermal and features");
    row(out, "Voltages",
        i.voltages.empty() ? std::string("none") : fmt::format("{}", fmt::join(i.voltages, ", ")));
    row(out, "Thermal sensor", yes_no(i.thermal_sensor));
    row(out, "Features",
        i.features.empty() ? std::string("none") : fmt::format("{}", fmt::join(i.features, ", ")));
    if (!i.max_activate_count.empty())
        row(out, "Max activate count", i.max_activate_count);

    section(out, "Mechanical");
    row(out, "Height", fmt::format("{} mm", i.height_mm));
    row(out, "Thickness",
        fmt::format("front {} mm, back {} mm", i.thickness_front_mm, i.thickness_back_mm));
    row(out, "Raw card", i.raw_card.empty() ? "?" : i.raw_card);

    if (i.register_manufacturer || i.register_revision >= 0) {
        section(out, "Register");
        if (i.register_manufacturer)
            row(out, "Manufacturer", manufacturer(*i.register_manufacturer));
        if (i.register_revision >= 0)
            row(out, "Revision", hex8(static_cast<std::uint8_t>(i.register_revision)));
    }

    section(out, "Manufacturing");
    row(out, "Module manufacturer", manufacturer(i.manufacturer));
    row(out, "DRAM manufacturer", manufacturer(i.dram_manufacturer));
    row(out, "Location", i.location >= 0 ? hex8(static_cast<std::uint8_t>(i.location)) : "?");
    row(out, "Date", date_text(i.date));
    row(out, "Serial", hex32(i.serial));
    row(out, "Part number", i.part_number.empty() ? "(none)" : i.part_number);
    row(out, "Revision", hex16(i.revision));

    if (!i.xmp_version.empty() || !i.xmp.empty()) {
        section(out, fmt::format("XMP {}", i.xmp_version));
        for (const XmpProfile& p : i.xmp) {
            row(out, fmt::format("Profile {}", p.number),
                fmt::format("{}, {:.3f} V, tCK {}, {} MT/s, CL {}",
                            p.enabled ? "enabled" : "disabled", p.voltage, ns(p.tck_ns),
                            p.speed_mts, p.cl));
            row(out, "  CAS latencies", join_ints(p.cas_latencies));
            print_timings(out, p.timings, "  ");
        }
    }
}

void print_findings(Text& out, const Outcome& o) {
    section(out, "CRC");
    if (o.report.crc.empty())
        row(out, "(none)", "no JEDEC CRC for this memory type");
    for (const CrcBlock& c : o.report.crc)
        row(out, c.name, crc_state(c));
    section(out, "Findings");
    if (o.report.findings.empty())
        fmt::format_to(fmt::appender(out), FMT_COMPILE("  (none)\n"));
    for (const Finding& f : o.report.findings)
        row(out, to_string(f.severity), finding_line(f));
}

void print_fields(Text& out, const Outcome& o) {
    section(out, "Editable fields (--set NAME=VALUE)");
    if (o.fields.empty())
        row(out, "(none)", "not a supported memory type");
    for (const FieldInfo& f : o.fields) {
        std::string value = f.unit.empty() ? f.value : fmt::format("{} {}", f.value, f.unit);
        fmt::format_to(fmt::appender(out), FMT_COMPILE("  {:<22}{:<28}{}\n"), f.name, value,
                       f.help);
    }
}

} // namespace

void print_text(std::FILE* stream, const Outcome& o, const Config& cfg) {
    if (!o.checked)
        return; // could not be read: the diagnostic on stderr says why
    Text out;
    print_summary(out, o);
    if (cfg.decode) {
        if (o.info)
            print_decode(out, o);
        print_findings(out, o);
    }
    if (cfg.list_fields)
        print_fields(out, o);
    std::fwrite(out.data(), 1, out.size(), stream);
}

} // namespace ddrspd::spdcheck
