// SPDX-License-Identifier: GPL-2.0-or-later
// eeprom-dump: read, write and verify generic 24xx I2C EEPROM arrays (and read SPDs as plain
// bytes), with the same safety steps as spd-prog.
#include "common.hpp"
#include "prog_common.hpp"

#include <ddrspd/dumpfile.hpp>
#include <ddrspd/eeprom24.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/open.hpp>
#include <ddrspd/spd_device.hpp>

#include <chrono>
#include <optional>

#include <fmt/format.h>

namespace prog {
namespace {

namespace tools = ddrspd::tools;

enum class Mode { Read, Write, Verify, DetectPageSize, ListChips };

struct Config {
    std::string bus = "1";
    std::string addr_text = "0x50";
    std::string chip;
    unsigned chips = 1;
    std::string page_size_text;
    std::string offset_text;
    std::string length_text;
    std::string bank_text;
    std::string bank_size_text;
    std::string output;
    std::string format; // empty: hex on a terminal, raw otherwise
    std::string write_file;
    std::string verify_file;
    bool detect_page_size = false;
    bool list_chips = false;
    bool yes = false;
    bool dry_run = false;
    bool json = false;
    bool verbose = false;
    bool quiet = false;
    bool no_backup = false;
    std::string backup;

    // Set by validate().
    Mode mode = Mode::Read;
    std::uint8_t addr = 0x50;
    std::size_t page_size = 0;
    std::optional<std::size_t> offset;
    std::optional<std::size_t> length;
    bool spd = false;         // --chip spd-ddr3 / spd-ddr4
    std::size_t capacity = 0; // bytes the chip(s) hold
    ddrspd::SpdKind spd_kind = ddrspd::SpdKind::None;
};

constexpr std::string_view examples = R"(Examples:
  eeprom-dump -a 0x50 --chip 24c256                 hex grid of the whole 32 KiB chip
  eeprom-dump --chip 24c256 -o chip.bin             save it
  eeprom-dump --chip 24c256 --offset 0x100 --length 64
  eeprom-dump --chip 24c02 --write new.bin          write (asks; backs up; changed pages only)
  eeprom-dump --chip spd-ddr4 | spd-check -         the SPD bytes of a DDR4 module
  eeprom-dump --list-chips)";

void add_options(CLI::App& app, Config& cfg) {
    app.add_option("-b,--bus", cfg.bus,
                   "I2C bus: number, /dev/i2c-N, adapter name, emu:... or fault:...")
        ->capture_default_str();
    app.add_option("-a,--addr", cfg.addr_text, "address of the (first) chip")
        ->capture_default_str();
    app.add_option("--chip", cfg.chip,
                   "chip model: 24c01 ... 24c512, 24c1024, 24cm01, 24cm02, "
                   "spd-ddr3, spd-ddr4 (see --list-chips)");
    app.add_option("--chips", cfg.chips, "identical chips at consecutive addresses")
        ->check(CLI::Range(1u, 8u))
        ->capture_default_str();
    app.add_option("--page-size", cfg.page_size_text,
                   "write page size in bytes (default: model's)");
    auto* offset = app.add_option("--offset", cfg.offset_text, "first byte (default 0)");
    auto* length =
        app.add_option("--length", cfg.length_text, "number of bytes (default: to the end)");
    auto* bank = app.add_option("--bank", cfg.bank_text, "bank N of --bank-size bytes");
    auto* bank_size = app.add_option("--bank-size", cfg.bank_size_text, "bank size in bytes");
    bank->needs(bank_size);
    bank_size->needs(bank);
    bank->excludes(offset)->excludes(length);
    app.add_option("-o,--output", cfg.output, "write the data to FILE instead of stdout");
    app.add_option("--format", cfg.format, "hex (i2cdump grid) or raw; default hex on a terminal")
        ->check(CLI::IsMember({"raw", "hex"}));
    auto* write = app.add_option("--write", cfg.write_file, "write FILE (raw bytes; - = stdin)");
    auto* verify =
        app.add_option("--verify", cfg.verify_file, "compare with FILE (exit 1 if not equal)");
    auto* detect =
        app.add_flag("--detect-page-size", cfg.detect_page_size,
                     "find the page size by a destructive, restoring test (needs --yes)");
    auto* list = app.add_flag("--list-chips", cfg.list_chips, "list the known chip models");
    write->excludes(verify)->excludes(detect)->excludes(list);
    verify->excludes(detect)->excludes(list);
    detect->excludes(list);
    app.add_flag("-y,--yes", cfg.yes, "do not ask for confirmation (needed without a terminal)");
    app.add_flag("--dry-run", cfg.dry_run, "with --write: show what would be written");
    auto* backup = app.add_option("--backup", cfg.backup,
                                  "with --write: back up the bytes to be written over to PATH");
    auto* no_backup = app.add_flag("--no-backup", cfg.no_backup, "with --write: no backup");
    backup->excludes(no_backup);
    app.add_flag("--json", cfg.json, "print one JSON document on standard output");
    auto* v = app.add_flag("-v,--verbose", cfg.verbose, "more detail on stderr (bus statistics)");
    auto* q = app.add_flag("-q,--quiet", cfg.quiet, "only errors on stderr");
    v->excludes(q);
    tools::setup_app(app, exit_status_table() + "\n" + std::string(examples));
}

void validate(Config& cfg) {
    cfg.mode = cfg.list_chips             ? Mode::ListChips
               : cfg.detect_page_size     ? Mode::DetectPageSize
               : !cfg.write_file.empty()  ? Mode::Write
               : !cfg.verify_file.empty() ? Mode::Verify
                                          : Mode::Read;
    if (cfg.mode == Mode::ListChips)
        return;
    if (cfg.chip.empty())
        throw ddrspd::UsageError("--chip is required (e.g. --chip 24c256; --list-chips shows all)");
    const int a = parse_i2c_addr(cfg.addr_text, "--addr");
    // 24xx EEPROMs use the device type code 1010: 0x50-0x57 is the whole range.
    if (a < 0x50 || a > 0x57)
        throw ddrspd::UsageError(
            fmt::format("--addr {}: 24xx and SPD EEPROMs answer at 0x50-0x57 only", cfg.addr_text));
    cfg.addr = static_cast<std::uint8_t>(a);
    if (cfg.chip == "spd-ddr3" || cfg.chip == "spd-ddr4") {
        cfg.spd = true;
        cfg.spd_kind = cfg.chip == "spd-ddr3" ? ddrspd::SpdKind::DDR3 : ddrspd::SpdKind::DDR4;
        if (cfg.mode == Mode::Write || cfg.mode == Mode::DetectPageSize)
            throw ddrspd::UsageError(
                "eeprom-dump only reads and verifies SPDs: write them with spd-prog, which checks "
                "the image (type, size, CRC) and the module's write protection");
        if (cfg.chips != 1 || !cfg.page_size_text.empty())
            throw ddrspd::UsageError("--chips and --page-size do not apply to SPD EEPROMs");
        cfg.capacity = cfg.spd_kind == ddrspd::SpdKind::DDR3 ? 256 : 512;
    } else {
        cfg.capacity = ddrspd::find_chip(cfg.chip).size * cfg.chips; // UsageError: valid names
    }
    if (!cfg.page_size_text.empty()) {
        cfg.page_size = parse_size(cfg.page_size_text, "--page-size");
        if (cfg.page_size == 0 || (cfg.page_size & (cfg.page_size - 1)) != 0 || cfg.page_size > 256)
            throw ddrspd::UsageError(fmt::format(
                "--page-size {}: must be a power of two from 1 to 256", cfg.page_size_text));
    }
    if (!cfg.offset_text.empty())
        cfg.offset = parse_size(cfg.offset_text, "--offset");
    if (!cfg.length_text.empty())
        cfg.length = parse_size(cfg.length_text, "--length");
    if (!cfg.bank_text.empty()) {
        const std::size_t bank = parse_size(cfg.bank_text, "--bank");
        const std::size_t size = parse_size(cfg.bank_size_text, "--bank-size");
        if (size == 0)
            throw ddrspd::UsageError("--bank-size must not be 0");
        cfg.offset = bank * size;
        cfg.length = size;
    }
    if (cfg.length && *cfg.length == 0)
        throw ddrspd::UsageError("--length must not be 0");
    const bool writing = cfg.mode == Mode::Write || cfg.mode == Mode::DetectPageSize;
    if (!writing && (cfg.dry_run || !cfg.backup.empty() || cfg.no_backup))
        throw ddrspd::UsageError("--dry-run, --backup and --no-backup go with --write");
    if (cfg.mode != Mode::Read && !cfg.output.empty())
        throw ddrspd::UsageError("-o goes with reading (no --write/--verify/--detect-page-size)");
    if (cfg.format.empty())
        cfg.format =
            (cfg.output.empty() || cfg.output == "-") && tools::is_terminal(stdout) ? "hex" : "raw";
    if (cfg.mode == Mode::Read && (cfg.output.empty() || cfg.output == "-") &&
        cfg.format == "raw" && !cfg.json && tools::is_terminal(stdout))
        throw ddrspd::UsageError("refusing to write raw bytes to a terminal: use -o FILE, "
                                 "--format hex, or a pipe");
}

// An SPD read as plain bytes, or a 24xx array: the one thing eeprom-dump talks to.
class Target {
public:
    Target(ddrspd::Bus& bus, const Config& cfg) {
        if (cfg.spd) {
            spd_.emplace(bus, cfg.addr);
            if (spd_->kind() != cfg.spd_kind)
                throw ddrspd::RefusedError(
                    fmt::format("the SPD at {} on {} is {}, not {} (use --chip spd-{})",
                                ddrspd::hex_addr(cfg.addr), bus.describe(),
                                ddrspd::to_string(spd_->kind()), ddrspd::to_string(cfg.spd_kind),
                                spd_->kind() == ddrspd::SpdKind::DDR3 ? "ddr3" : "ddr4"));
        } else {
            model_ = ddrspd::find_chip(cfg.chip);
            array_.emplace(bus, cfg.addr, model_, ddrspd::ArrayOptions{cfg.chips, cfg.page_size});
        }
    }
    std::size_t size() const { return spd_ ? spd_->size() : array_->size(); }
    std::size_t page_size() const { return spd_ ? 16 : array_->page_size(); }
    std::vector<std::uint8_t> read(std::size_t offset, std::size_t length,
                                   const ddrspd::Progress& progress) {
        if (array_)
            return array_->read(offset, length, progress);
        const auto all = spd_->read(progress).bytes();
        return {all.begin() + static_cast<std::ptrdiff_t>(offset),
                all.begin() + static_cast<std::ptrdiff_t>(offset + length)};
    }
    ddrspd::Eeprom24& array() { return *array_; }

private:
    ddrspd::ChipModel model_;
    std::optional<ddrspd::SpdDevice> spd_;
    std::optional<ddrspd::Eeprom24> array_;
};

class Runner {
public:
    // `file` (of --write/--verify) is read before the bus is opened and locked, so a pipeline
    // "eeprom-dump ... | tool | eeprom-dump --write -" cannot deadlock on the bus lock.
    Runner(const Config& c, std::vector<std::uint8_t> file)
        : cfg(c), file_data(std::move(file)), bus(ddrspd::open_bus(c.bus)) {
        doc["version"] = 1;
        doc["bus"] = bus->describe();
        doc["addr"] = ddrspd::hex_addr(cfg.addr);
        doc["chip"] = cfg.chip;
        if (cfg.verbose)
            tools::diag("bus {}", bus->describe());
    }

    tools::Exit run() {
        Target t(*bus, cfg);
        const std::size_t offset = cfg.offset.value_or(0);
        if (offset >= t.size())
            throw ddrspd::UsageError(
                fmt::format("--offset 0x{:x}: the {} is {} bytes", offset, what(), t.size()));
        const std::size_t length = cfg.length.value_or(t.size() - offset);
        if (offset + length > t.size())
            throw ddrspd::UsageError(
                fmt::format("bytes 0x{:x}-0x{:x} lie outside the {} ({} bytes)", offset,
                            offset + length - 1, what(), t.size()));
        doc["chips"] = cfg.chips;
        doc["size"] = t.size();
        doc["page_size"] = t.page_size();
        doc["offset"] = offset;
        switch (cfg.mode) {
        case Mode::Read:
            doc["mode"] = "read";
            return read(t, offset, length);
        case Mode::Verify:
            doc["mode"] = "verify";
            return verify(t, offset);
        case Mode::Write:
            doc["mode"] = "write";
            return write(t, offset);
        case Mode::DetectPageSize:
            doc["mode"] = "detect-page-size";
            return detect(t);
        case Mode::ListChips:
            break;
        }
        return tools::Exit::Usage;
    }

    void finish(bool wrote) {
        if (const auto st = bus->stats()) {
            doc["bus_stats"] = stats_json(*st);
            if ((wrote || cfg.verbose) && !cfg.quiet && !cfg.json)
                tools::diag("bus statistics: {}", format_stats(*st));
        }
        bus.close();
    }

    const Config& cfg;
    std::vector<std::uint8_t> file_data;
    std::optional<SignalBlocker> no_interrupts; // released after the bus is closed
    BusHandle bus;
    nlohmann::ordered_json doc;

private:
    std::string what() const {
        return cfg.spd          ? fmt::format("{} SPD", cfg.chip.substr(4))
               : cfg.chips == 1 ? cfg.chip
                                : fmt::format("array of {} x {}", cfg.chips, cfg.chip);
    }

    std::string where() const {
        return fmt::format("the {} at {} on {}", what(), ddrspd::hex_addr(cfg.addr),
                           bus->describe());
    }

    void info(std::string_view message) const {
        if (!cfg.quiet && !cfg.json)
            tools::diag_line(message);
    }

    std::vector<std::uint8_t> read_region(Target& t, std::size_t offset, std::size_t length) {
        ProgressBar bar(!cfg.quiet && tools::is_terminal(stderr));
        auto data = t.read(offset, length, bar.callback());
        bar.finish();
        return data;
    }

    tools::Exit read(Target& t, std::size_t offset, std::size_t length) {
        const auto data = read_region(t, offset, length);
        doc["length"] = length;
        doc["format"] = cfg.format;
        const std::string encoded =
            cfg.format == "hex" ? hex_grid(data, offset) : std::string(data.begin(), data.end());
        if (cfg.output.empty() || cfg.output == "-") {
            if (cfg.json) {
                std::string hex;
                for (auto b : data)
                    hex += fmt::format("{:02x}", b);
                doc["data"] = hex;
            } else {
                tools::write_output("-", encoded);
            }
        } else {
            tools::write_output(cfg.output, encoded);
            doc["output"] = cfg.output;
            info(fmt::format("read {} bytes from {} into {}", length, where(), cfg.output));
        }
        return tools::Exit::Ok;
    }

    tools::Exit verify(Target& t, std::size_t offset) {
        const auto& file = file_data;
        if (file.empty())
            throw ddrspd::FileError(fmt::format("{}: empty file", cfg.verify_file));
        if (cfg.length && *cfg.length != file.size())
            throw ddrspd::UsageError(fmt::format("--length {} but {} has {} bytes", *cfg.length,
                                                 cfg.verify_file, file.size()));
        if (offset + file.size() > t.size())
            throw ddrspd::UsageError(
                fmt::format("{} ({} bytes) at offset 0x{:x} does not fit the {}", cfg.verify_file,
                            file.size(), offset, what()));
        const auto data = read_region(t, offset, file.size());
        const auto ranges = diff_ranges(data, file, offset);
        doc["file"] = cfg.verify_file;
        doc["length"] = file.size();
        doc["identical"] = ranges.empty();
        doc["differing_bytes"] = range_bytes(ranges);
        doc["ranges"] = ranges_json(ranges);
        if (ranges.empty()) {
            if (!cfg.json)
                fmt::print("{} bytes at offset 0x{:x} of {} match {}\n", file.size(), offset,
                           where(), cfg.verify_file);
            return tools::Exit::Ok;
        }
        if (!cfg.json)
            fmt::print("{} byte{} differ: {}\n", range_bytes(ranges),
                       range_bytes(ranges) == 1 ? "" : "s", format_ranges(ranges, t.size()));
        return tools::Exit::Failed;
    }

    tools::Exit write(Target& t, std::size_t offset) {
        const auto& data = file_data;
        const std::string name = cfg.write_file == "-" ? "standard input" : cfg.write_file;
        if (data.empty())
            throw ddrspd::FileError(fmt::format("{}: empty file", name));
        if (cfg.length && *cfg.length != data.size())
            throw ddrspd::UsageError(
                fmt::format("--length {} but {} has {} bytes", *cfg.length, name, data.size()));
        if (offset + data.size() > t.size())
            throw ddrspd::UsageError(
                fmt::format("{} ({} bytes) at offset 0x{:x} does not fit the {}", name, data.size(),
                            offset, what()));
        const auto current =
            read_consistent([&] { return read_region(t, offset, data.size()); }, where(), cfg.addr);
        const auto ranges = diff_ranges(current, data, offset);
        const std::size_t page = t.page_size();
        const auto pages = changed_pages(current, data, page, offset);
        doc["file"] = cfg.write_file;
        doc["length"] = data.size();
        doc["dry_run"] = cfg.dry_run;
        doc["pages"] = pages;
        doc["changes"] = {{"bytes", range_bytes(ranges)}, {"ranges", ranges_json(ranges)}};
        const std::string summary = fmt::format(
            "{} byte{} differ{} in {} page{} of {}: {}", range_bytes(ranges),
            range_bytes(ranges) == 1 ? "" : "s", range_bytes(ranges) == 1 ? "s" : "", pages.size(),
            pages.size() == 1 ? "" : "s", page, format_ranges(ranges, t.size()));
        if (pages.empty()) {
            doc["written"] = false;
            if (!cfg.json)
                fmt::print("nothing to write: {} already holds {}\n", where(), name);
            return tools::Exit::Ok;
        }
        if (cfg.dry_run) {
            doc["written"] = false;
            if (!cfg.json)
                fmt::print("dry run: would write {} to {}\n{}\n", name, where(), summary);
            return tools::Exit::Ok;
        }
        if (!cfg.yes && tools::is_terminal(stdin))
            fmt::print(stderr, "About to write {} to {}:\n{}\n", name, where(), summary);
        confirm_or_refuse(fmt::format("Write {} to {}?", name, where()), cfg.yes);
        no_interrupts.emplace();
        if (!cfg.no_backup) {
            const std::string path =
                cfg.backup.empty() ? default_backup_path("eeprom", cfg.addr) : cfg.backup;
            ddrspd::write_file_atomic(path, std::span<const std::uint8_t>(current));
            doc["backup"] = path;
            info(fmt::format(
                "backup of bytes 0x{:x}-0x{:x}: {} (undo: eeprom-dump -b {} -a {} --chip {}{} "
                "--offset 0x{:x} --write {})",
                offset, offset + data.size() - 1, path, shell_quote(cfg.bus),
                ddrspd::hex_addr(cfg.addr), cfg.chip,
                cfg.chips == 1 ? "" : fmt::format(" --chips {}", cfg.chips), offset,
                shell_quote(path)));
        } else {
            doc["backup"] = nullptr;
        }
        ddrspd::WriteOptions opts;
        ProgressBar bar(!cfg.quiet && tools::is_terminal(stderr));
        opts.progress = bar.callback();
        const auto t0 = std::chrono::steady_clock::now();
        const ddrspd::WriteResult r = t.array().write(offset, data, opts);
        bar.finish();
        doc["written"] = true;
        doc["pages_written"] = r.pages_written;
        doc["bytes_written"] = r.bytes_written;
        doc["verified"] = r.verified;
        doc["mismatches"] = ranges_json(r.mismatches);
        doc["wall_time_us"] = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
        if (!r.verified) {
            tools::diag("verify FAILED after writing {}: {} still differ", where(),
                        format_ranges(r.mismatches, t.size()));
            return tools::Exit::Failed;
        }
        if (!cfg.json)
            fmt::print("wrote {} page{} ({} bytes) of {}, verified\n{}\n", r.pages_written.size(),
                       r.pages_written.size() == 1 ? "" : "s", r.bytes_written, where(), summary);
        return tools::Exit::Ok;
    }

    tools::Exit detect(Target& t) {
        if (!cfg.yes)
            throw ddrspd::RefusedError(
                "--detect-page-size overwrites the last page-sized window of the chip with a test "
                "pattern and then restores it; a power cut or bus error in between loses that "
                "data. Back the chip up first (eeprom-dump -o FILE) and add --yes to go ahead");
        no_interrupts.emplace();
        const std::size_t size = t.array().detect_page_size();
        doc["detected_page_size"] = size;
        if (!cfg.json)
            fmt::print("page size of {}: {} bytes\n", where(), size);
        return tools::Exit::Ok;
    }
};

tools::Exit list_chips(const Config& cfg) {
    auto arr = nlohmann::ordered_json::array();
    std::string text =
        fmt::format("{:<10} {:>10} {:>13} {:>10}\n", "chip", "size", "address bytes", "page size");
    for (const auto& m : ddrspd::chip_models()) {
        arr.push_back({{"name", m.name},
                       {"size", m.size},
                       {"addr_bytes", m.addr_bytes},
                       {"page_size", m.page_size}});
        text += fmt::format("{:<10} {:>10} {:>13} {:>10}\n", m.name, format_size(m.size),
                            m.addr_bytes, m.page_size);
    }
    text += fmt::format("{:<10} {:>10} {:>13} {:>10}\n", "spd-ddr3", "256 bytes", 1, 16);
    text += fmt::format("{:<10} {:>10} {:>13} {:>10}\n", "spd-ddr4", "512 bytes", 1, 16);
    if (cfg.json)
        fmt::print("{}\n", tools::json_dump({{"version", 1}, {"chips", arr}}));
    else
        fmt::print("{}", text);
    return tools::Exit::Ok;
}

tools::Exit run(const Config& cfg) {
    if (cfg.mode == Mode::ListChips)
        return list_chips(cfg);
    std::optional<Runner> r;
    try {
        std::vector<std::uint8_t> file;
        if (cfg.mode == Mode::Write)
            file = read_binary(cfg.write_file, cfg.capacity);
        else if (cfg.mode == Mode::Verify)
            file = read_binary(cfg.verify_file, cfg.capacity);
        r.emplace(cfg, std::move(file));
        tools::Exit result = r->run();
        r->finish(cfg.mode == Mode::Write && !cfg.dry_run);
        r->doc["exit"] = tools::code(result);
        if (cfg.json)
            fmt::print("{}\n", tools::json_dump(r->doc));
        return result;
    } catch (const std::exception& e) {
        if (cfg.json) {
            nlohmann::ordered_json doc = r ? r->doc : nlohmann::ordered_json{{"version", 1}};
            if (r)
                if (const auto st = r->bus->stats())
                    doc["bus_stats"] = stats_json(*st);
            doc["exit"] = tools::code(tools::exit_for(e));
            doc["error"] = e.what();
            fmt::print("{}\n", tools::json_dump(doc));
        }
        throw;
    }
}

} // namespace
} // namespace prog

int main(int argc, char** argv) {
    CLI::App app{"Read, write and verify 24xx I2C EEPROMs (and read SPDs as plain bytes)",
                 "eeprom-dump"};
    prog::Config cfg;
    prog::add_options(app, cfg);
    return ddrspd::tools::run_main(app, argc, argv, [&] {
        prog::validate(cfg);
        return prog::run(cfg);
    });
}
