// SPDX-License-Identifier: GPL-2.0-or-later
// spd-prog command line: options into Config, checks, then run().
#include "spd_prog.hpp"

#include <ddrspd/error.hpp>

#include <fmt/format.h>

namespace prog {
namespace {

constexpr std::string_view examples = R"(Examples:
  spd-prog detect                                  list the modules on /dev/i2c-1
  spd-prog read -o module.bin                      save the SPD at 0x50
  spd-prog read | spd-check -                      check the module's SPD
  spd-prog -s 1 write new.bin                      write slot 1 (asks first; backs up)
  spd-prog read | spd-check --fix - | spd-prog write - --yes
  spd-prog --bus emu:ddr4@0x50=copy.bin detect     rehearse on an emulated module)";

void add_global(CLI::App& app, Config& cfg) {
    app.add_option("-b,--bus", cfg.bus,
                   "I2C bus: number, /dev/i2c-N, adapter name, emu:... or fault:...")
        ->capture_default_str();
    auto* addr = app.add_option("-a,--addr", cfg.addr_text, "SPD address 0x50-0x57 (default 0x50)");
    auto* slot = app.add_option("-s,--slot", cfg.slot, "slot 0-7 (address 0x50 + slot)");
    addr->excludes(slot);
    app.add_flag("--json", cfg.json, "print one JSON document on standard output");
    app.add_flag("-y,--yes", cfg.yes, "do not ask for confirmation (needed without a terminal)");
    auto* v = app.add_flag("-v,--verbose", cfg.verbose, "more detail on stderr (bus statistics)");
    auto* q = app.add_flag("-q,--quiet", cfg.quiet, "only errors on stderr");
    v->excludes(q);
}

void add_write_safety(CLI::App* sub, Config& cfg) {
    sub->add_flag("--dry-run", cfg.dry_run, "show what would be written; touch nothing");
    auto* backup = sub->add_option("--backup", cfg.backup,
                                   "back up the current contents to PATH "
                                   "(default: spd-0xNN-YYYYmmdd-HHMMSS.bin here)");
    auto* no_backup = sub->add_flag("--no-backup", cfg.no_backup, "do not back up (not advised)");
    backup->excludes(no_backup);
}

void add_options(CLI::App& app, Config& cfg) {
    // Global options are accepted after the subcommand too: unknown options fall through to
    // the parent.
    app.fallthrough();
    app.require_subcommand(1);
    add_global(app, cfg);

    auto select = [&cfg](CLI::App* sub, Command c, std::string name) {
        sub->parse_complete_callback([&cfg, c, name] {
            cfg.command = c;
            cfg.command_name = name;
        });
    };

    auto* detect = app.add_subcommand("detect", "list the SPD EEPROMs at 0x50-0x57");
    select(detect, Command::Detect, "detect");

    auto* read = app.add_subcommand("read", "read the whole SPD (raw bytes to stdout by default)");
    select(read, Command::Read, "read");
    read->add_option("-o,--output", cfg.output, "write to FILE instead of standard output");
    read->add_option("--format", cfg.format, "raw or hex (an i2cdump grid)")
        ->check(CLI::IsMember({"raw", "hex"}))
        ->capture_default_str();

    auto* write = app.add_subcommand("write", "write an image (FILE, - = stdin) to the module");
    select(write, Command::Write, "write");
    write->add_option("FILE", cfg.file, "image file (raw or a text dump); - reads stdin")
        ->required();
    write->add_flag("--fix-crc", cfg.fix_crc, "recompute the image's CRCs before writing");
    write->add_flag("--force", cfg.force, "write an image whose CRCs are wrong");
    write
        ->add_option("--type", cfg.type,
                     "the module is DDR3 or DDR4: only for a blank or damaged SPD whose "
                     "contents name no type (restoring a backup)")
        ->check(CLI::IsMember({"ddr3", "ddr4"}));
    add_write_safety(write, cfg);

    auto* verify =
        app.add_subcommand("verify", "compare the module with FILE (exit 1 if not equal)");
    select(verify, Command::Verify, "verify");
    verify->add_option("FILE", cfg.file, "image file; - reads stdin")->required();

    auto* diff = app.add_subcommand("diff", "show field and byte differences module -> FILE");
    select(diff, Command::Diff, "diff");
    diff->add_option("FILE", cfg.file, "image file; - reads stdin")->required();

    auto* fix = app.add_subcommand("fix-crc", "recompute the module's CRCs, write the CRC pages");
    select(fix, Command::FixCrc, "fix-crc");
    add_write_safety(fix, cfg);

    auto* wp = app.add_subcommand("wp", "write protection: status, set BLOCK..., clear");
    wp->require_subcommand(1);
    auto* status = wp->add_subcommand("status", "protection state of each block");
    select(status, Command::WpStatus, "wp status");
    status->add_flag("--vhv", cfg.vhv, "high voltage is on SA0 (needed to read DDR3 RSWP)");
    auto* set = wp->add_subcommand("set", "protect blocks (needs the high-voltage switch)");
    select(set, Command::WpSet, "wp set");
    set->add_option("BLOCK", cfg.blocks, "block numbers: DDR4 0-3 (128 bytes each), DDR3 0")
        ->required()
        ->check(CLI::Range(0u, 3u));
    set->add_flag("--vhv", cfg.vhv, "confirm 7-10 V is applied to SA0 (adapter switch on)");
    set->add_flag("--dry-run", cfg.dry_run, "show what would be done; touch nothing");
    auto* clear = wp->add_subcommand("clear", "remove all block protection (needs high voltage)");
    select(clear, Command::WpClear, "wp clear");
    clear->add_flag("--vhv", cfg.vhv, "confirm 7-10 V is applied to SA0 (adapter switch on)");
    clear->add_flag("--dry-run", cfg.dry_run, "show what would be done; touch nothing");

    tools::setup_app(app, exit_status_table() + "\n" + std::string(examples));
}

} // namespace

void validate(Config& cfg) {
    if (!cfg.addr_text.empty()) {
        const int a = parse_i2c_addr(cfg.addr_text, "--addr");
        if (a < 0x50 || a > 0x57)
            throw ddrspd::UsageError(
                fmt::format("--addr {}: spd-prog only talks to SPD EEPROMs at 0x50-0x57 "
                            "(use eeprom-dump for other EEPROMs)",
                            cfg.addr_text));
        cfg.addr = static_cast<std::uint8_t>(a);
    } else if (cfg.slot >= 0) {
        if (cfg.slot > 7)
            throw ddrspd::UsageError(fmt::format("--slot {}: slots are 0-7", cfg.slot));
        cfg.addr = static_cast<std::uint8_t>(0x50 + cfg.slot);
    }
    if (cfg.bus.empty())
        throw ddrspd::UsageError("--bus: empty bus name (try 1, /dev/i2c-1 or emu:...)");
    if (cfg.command == Command::Read && (cfg.output.empty() || cfg.output == "-") &&
        cfg.format == "raw" && !cfg.json && tools::is_terminal(stdout))
        throw ddrspd::UsageError("refusing to write raw bytes to a terminal: use -o FILE, "
                                 "--format hex, or a pipe (spd-prog read | spd-check -)");
    if (cfg.file == "-" && cfg.output == "-")
        throw ddrspd::UsageError("standard input and output cannot both be used for data");
}

} // namespace prog

int main(int argc, char** argv) {
    CLI::App app{"Read, write, verify and write-protect the SPD EEPROM of a memory module",
                 "spd-prog"};
    prog::Config cfg;
    prog::add_options(app, cfg);
    return prog::tools::run_main(app, argc, argv, [&] {
        prog::validate(cfg);
        return prog::run(cfg);
    });
}
