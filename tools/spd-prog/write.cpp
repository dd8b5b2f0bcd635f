// SPDX-License-Identifier: GPL-2.0-or-later
// spd-prog write and fix-crc: the safe write (checks, plan, confirmation, backup, diff-only
// page writes, verification, report).
#include "spd_prog.hpp"

#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>

#include <chrono>

#include <fmt/format.h>

namespace prog {
namespace {

constexpr std::size_t spd_page = 16;  // EE1002/EE1004 page write buffer
constexpr std::size_t wp_block = 128; // EE1004 protection block; DDR3 RSWP covers block 0

std::string join_blocks(const std::vector<std::size_t>& blocks) {
    std::string out;
    for (auto b : blocks)
        out += fmt::format("{}{} (bytes {}-{})", out.empty() ? "" : ", ", b, b * wp_block,
                           b * wp_block + wp_block - 1);
    return out;
}

std::string page_list(const std::vector<std::size_t>& pages) {
    std::string out;
    for (auto p : pages)
        out += fmt::format("{}0x{:03x}", out.empty() ? "" : " ", p);
    return out;
}

// Refuses when a changed page lies in a block known to be protected. With several EE1004 on
// the bus RPS answers are wired-AND: "protected" (NACK from all) is reliable, "writable" is
// not, so only a warning is possible then.
void check_protection(Session& s, ddrspd::SpdDevice& dev, const std::vector<std::size_t>& pages) {
    std::vector<std::size_t> touched;
    for (auto p : pages)
        if (touched.empty() || touched.back() != p / wp_block)
            touched.push_back(p / wp_block);
    const BusCensus bus = census(*s.bus);
    std::vector<std::size_t> protected_blocks;
    if (dev.kind() == ddrspd::SpdKind::DDR4) {
        const auto status = dev.protection();
        for (auto b : touched)
            if (b < status.size() && status[b].value_or(false))
                protected_blocks.push_back(b);
        if (protected_blocks.empty() && bus.modules > 1)
            s.warn(fmt::format("write protection is ambiguous with {} modules on the bus; a "
                               "protected block would make the write fail",
                               bus.modules));
    } else if (dev.kind() == ddrspd::SpdKind::DDR3 && touched.front() == 0) {
        if (bus.modules == 1 && dev.permanent_protection())
            throw ddrspd::RefusedError(fmt::format(
                "{} is permanently write-protected (PSWP): bytes 0-127 can never be written "
                "again; pages to write: {}",
                s.where(dev), page_list(pages)));
        // Reading DDR3 RSWP needs high voltage; without it a protected block shows up as a
        // failed write, reported by the library.
    }
    if (!protected_blocks.empty())
        throw ddrspd::RefusedError(fmt::format(
            "{}: block{} {} write-protected; nothing was written. Clearing protection needs the "
            "adapter's high-voltage switch: spd-prog wp clear --vhv",
            s.where(dev), protected_blocks.size() == 1 ? "" : "s", join_blocks(protected_blocks)));
}

std::string changes_text(const std::vector<ByteRange>& ranges,
                         const std::vector<std::size_t>& pages,
                         const std::vector<FieldChange>& fields) {
    std::string text = fmt::format("{} byte{} in {} page{} of 16: {}\n", range_bytes(ranges),
                                   range_bytes(ranges) == 1 ? "" : "s", pages.size(),
                                   pages.size() == 1 ? "" : "s", format_ranges(ranges));
    for (const auto& c : fields)
        text += "  " + format_change(c) + "\n";
    return text;
}

} // namespace

std::vector<std::string> check_image_for_device(Session& s, const ddrspd::SpdDevice& dev,
                                                ddrspd::Image& img, std::string_view name) {
    std::vector<std::string> overridden;
    const ddrspd::MemoryType want = memory_type_of(dev.kind());
    if (dev.kind() == ddrspd::SpdKind::DDR5)
        throw ddrspd::RefusedError(
            fmt::format("{}: writing DDR5 SPD hubs is not supported (read, verify and diff work)",
                        s.where(dev)));
    if (want == ddrspd::MemoryType::Unknown)
        throw ddrspd::RefusedError(fmt::format(
            "{}: cannot tell whether the EEPROM at {} is a DDR3 or DDR4 SPD (byte 2 of its "
            "contents names neither: a blank or damaged SPD, or a DDR4 module left in page 1 by "
            "another program: power-cycle it). Nothing was written. If you know the module's "
            "type (e.g. to restore a backup), give --type ddr3 or --type ddr4",
            s.bus->describe(), ddrspd::hex_addr(dev.addr())));
    // The chip cannot hold an image of another generation: never overridable.
    if (img.memory_type() != want)
        throw ddrspd::RefusedError(
            fmt::format("{} is a {} image (byte 2 = 0x{:02x}) but {} holds {}; nothing was written "
                        "(--force does not override a memory type mismatch)",
                        name, ddrspd::to_string(img.memory_type()), img.at_or_zero(2), s.where(dev),
                        ddrspd::to_string(want)));
    if (img.size() != dev.size())
        throw ddrspd::RefusedError(fmt::format(
            "{} has {} bytes but {} holds {}; nothing was written (--force does not override "
            "a size mismatch)",
            name, img.size(), s.where(dev), dev.size()));

    std::vector<std::string> bad;
    for (const auto& c : ddrspd::crc_blocks(img))
        if (!c.ok)
            bad.push_back(c.present ? fmt::format("{} (bytes {}-{}: stored 0x{:04X}, computed "
                                                  "0x{:04X})",
                                                  c.name, c.first, c.last, c.stored, c.computed)
                                    : fmt::format("{} (missing)", c.name));
    if (!bad.empty()) {
        std::string list;
        for (const auto& b : bad)
            list += (list.empty() ? "" : ", ") + b;
        if (s.cfg.fix_crc) {
            const int fixed = ddrspd::fix_crcs(img);
            s.info(fmt::format("--fix-crc: recomputed {} CRC{} of {}: {}", fixed,
                               fixed == 1 ? "" : "s", name, list));
            s.doc["crc_fixed"] = fixed;
        } else if (s.cfg.force) {
            overridden.push_back("wrong CRC: " + list);
            s.warn(fmt::format("--force: writing {} although its CRC is wrong: {}", name, list));
        } else {
            throw ddrspd::RefusedError(fmt::format(
                "{}: CRC wrong in {}; a module with a bad SPD CRC may not be used by the BIOS. "
                "Nothing was written. Use --fix-crc to recompute the CRCs, or --force to write "
                "the image as it is",
                name, list));
        }
    }
    // Other errors in the image are worth a warning, not a refusal: the user may be repairing
    // exactly such a module.
    for (const auto& f : ddrspd::check(img).findings)
        if (f.severity == ddrspd::Severity::Error && f.code.rfind("crc-", 0) != 0)
            s.warn(fmt::format("{}: {} [{}]", name, f.message, f.code));
    s.doc["overridden"] = overridden;
    return overridden;
}

tools::Exit write_image(Session& s, ddrspd::SpdDevice& dev, const ddrspd::Image& current,
                        const ddrspd::Image& target, std::string_view source) {
    const auto ranges = diff_ranges(current.bytes(), target.bytes());
    const auto pages = changed_pages(current.bytes(), target.bytes(), spd_page);
    const auto fields = diff_fields(current, target);
    s.doc["addr"] = ddrspd::hex_addr(dev.addr());
    s.doc["kind"] = std::string(ddrspd::to_string(dev.kind()));
    s.doc["dry_run"] = s.cfg.dry_run;
    s.doc["pages"] = pages;
    s.doc["bytes"] = pages.size() * spd_page;
    s.doc["changes"] = {{"bytes", range_bytes(ranges)},
                        {"ranges", ranges_json(ranges)},
                        {"fields", fields_json(fields)}};
    if (pages.empty()) {
        s.doc["written"] = false;
        s.out(fmt::format("nothing to write: {} already holds {}\n", s.where(dev), source));
        return tools::Exit::Ok;
    }
    check_protection(s, dev, pages);

    const std::string plan =
        fmt::format("{} page{} ({} bytes) at {}", pages.size(), pages.size() == 1 ? "" : "s",
                    pages.size() * spd_page, page_list(pages));
    if (s.cfg.dry_run) {
        s.doc["written"] = false;
        s.out(fmt::format("dry run: would write {} of {} from {}\n", plan, s.where(dev), source) +
              changes_text(ranges, pages, fields));
        return tools::Exit::Ok;
    }
    if (!s.cfg.yes && tools::is_terminal(stdin))
        fmt::print(stderr, "About to write {} of {}:\n{}", plan, s.where(dev),
                   changes_text(ranges, pages, fields));
    confirm_or_refuse(fmt::format("Write {} to {}?", source, s.where(dev)), s.cfg.yes);
    s.no_interrupts.emplace();

    if (!s.cfg.no_backup) {
        const std::string path =
            s.cfg.backup.empty() ? default_backup_path("spd", dev.addr()) : s.cfg.backup;
        ddrspd::write_file_atomic(path, std::span<const std::uint8_t>(current.bytes()));
        s.doc["backup"] = path;
        s.info(fmt::format("backup of the current SPD: {} (undo: spd-prog -b {} -a {} write {})",
                           path, shell_quote(s.cfg.bus), ddrspd::hex_addr(dev.addr()),
                           shell_quote(path)));
    } else {
        s.doc["backup"] = nullptr;
    }

    const auto before = s.bus->stats();
    const auto t0 = std::chrono::steady_clock::now();
    ddrspd::WriteOptions opts;
    ProgressBar bar(s.progress_enabled());
    opts.progress = bar.callback();
    const ddrspd::WriteResult r = dev.write(target, opts);
    bar.finish();
    const auto wall_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    s.doc["written"] = true;
    s.doc["pages_written"] = r.pages_written;
    s.doc["bytes_written"] = r.bytes_written;
    s.doc["verified"] = r.verified;
    s.doc["mismatches"] = ranges_json(r.mismatches);
    s.doc["wall_time_us"] = wall_us;
    if (const auto after = s.bus->stats(); after && before)
        s.detail(fmt::format(
            "write: {:.3f} ms simulated bus time, {:.3f} ms wall time",
            static_cast<double>(after->simulated_time_us - before->simulated_time_us) / 1000.0,
            static_cast<double>(wall_us) / 1000.0));
    if (!r.verified) {
        tools::diag("verify FAILED after writing {}: {} still differ{}", s.where(dev),
                    format_ranges(r.mismatches),
                    s.doc["backup"].is_null() ? std::string()
                                              : fmt::format("; the old contents are in {}",
                                                            s.doc["backup"].get<std::string>()));
        return tools::Exit::Failed;
    }
    s.out(fmt::format("wrote {} page{} ({} bytes) of {}, verified\n", r.pages_written.size(),
                      r.pages_written.size() == 1 ? "" : "s", r.bytes_written, s.where(dev)) +
          changes_text(ranges, pages, fields));
    return tools::Exit::Ok;
}

tools::Exit run_write(Session& s) {
    ddrspd::Image target = s.input.value();
    const std::string name = s.cfg.file == "-" ? "standard input" : s.cfg.file;
    const auto assumed = s.cfg.type == "ddr3"   ? ddrspd::SpdKind::DDR3
                         : s.cfg.type == "ddr4" ? ddrspd::SpdKind::DDR4
                                                : ddrspd::SpdKind::None;
    ddrspd::SpdDevice dev(*s.bus, s.cfg.addr, assumed);
    if (assumed != ddrspd::SpdKind::None)
        s.doc["type_asserted"] = s.cfg.type;
    s.doc["file"] = s.cfg.file;
    check_image_for_device(s, dev, target, name);
    ProgressBar bar(s.progress_enabled());
    const ddrspd::Image current =
        read_consistent([&] { return dev.read(bar.callback()); }, s.where(dev), dev.addr());
    bar.finish();
    return write_image(s, dev, current, target, name);
}

tools::Exit run_fix_crc(Session& s) {
    ddrspd::SpdDevice dev(*s.bus, s.cfg.addr);
    ProgressBar bar(s.progress_enabled());
    const ddrspd::Image current =
        read_consistent([&] { return dev.read(bar.callback()); }, s.where(dev), dev.addr());
    bar.finish();
    ddrspd::Image target = current;
    const int fixed = ddrspd::fix_crcs(target);
    s.doc["crc_fixed"] = fixed;
    if (fixed == 0) {
        s.doc["addr"] = ddrspd::hex_addr(dev.addr());
        s.doc["written"] = false;
        if (ddrspd::crc_blocks(current).empty())
            throw ddrspd::RefusedError(fmt::format(
                "{}: the contents are not a DDR3/DDR4 SPD (byte 2 = 0x{:02x}); no CRC to fix",
                s.where(dev), current.at_or_zero(2)));
        s.out(fmt::format("CRCs of {} are already correct; nothing written\n", s.where(dev)));
        return tools::Exit::Ok;
    }
    check_image_for_device(s, dev, target, "the CRC-fixed image");
    return write_image(s, dev, current, target, "the recomputed CRCs");
}

} // namespace prog
