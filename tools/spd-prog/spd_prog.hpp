// SPDX-License-Identifier: GPL-2.0-or-later
// spd-prog: read, write, verify and write-protect the SPD EEPROM of a memory module on an I2C
// bus. The options are bound into Config (main.cpp); each subcommand is one run_* function
// working on a Session (the opened bus and the --json document).
#pragma once

#include "../common.hpp"
#include "../prog_common.hpp"

#include <ddrspd/image.hpp>
#include <ddrspd/spd_device.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prog {

namespace tools = ddrspd::tools;

enum class Command { Detect, Read, Write, Verify, Diff, FixCrc, WpStatus, WpSet, WpClear };

struct Config {
    // Global options (accepted before or after the subcommand).
    std::string bus = "1";
    std::string addr_text; // -a, as typed
    int slot = -1;         // -s
    bool json = false;
    bool yes = false;
    bool verbose = false;
    bool quiet = false;

    Command command = Command::Detect;
    std::string command_name = "detect";

    // read
    std::string output; // -o; empty = standard output
    std::string format = "raw";
    // write / verify / diff
    std::string file;
    // writing subcommands
    std::string backup;
    bool no_backup = false;
    bool dry_run = false;
    bool fix_crc = false;
    bool force = false;
    std::string type; // write --type: ddr3/ddr4 for a blank or damaged module; empty = detect
    // wp
    bool vhv = false;
    std::vector<unsigned> blocks;

    // Set by validate().
    std::uint8_t addr = 0x50;
};

// Cross-option checks; resolves addr. Throws ddrspd::UsageError.
void validate(Config& cfg);

tools::Exit run(const Config& cfg);

// What every subcommand works with.
class Session {
public:
    // Opens the bus. `input` is the image FILE, loaded before the bus is opened (and its lock
    // taken): in "spd-prog read | ... | spd-prog write -" the writer must not hold the bus
    // while it waits for the reader.
    Session(const Config& config, std::optional<ddrspd::Image> input);

    const Config& cfg;
    std::optional<ddrspd::Image> input;
    // Set once a write is confirmed; declared before `bus` so that it is released only after
    // the bus is closed.
    std::optional<SignalBlocker> no_interrupts;
    BusHandle bus;
    nlohmann::ordered_json doc; // the --json document (printed by run())

    // Informational line on stderr ("spd-prog: ..."), unless --quiet or --json.
    void info(std::string_view message) const;
    // Only with --verbose.
    void detail(std::string_view message) const;
    void warn(std::string_view message);
    // Human output on stdout (not in --json mode).
    void out(std::string_view text) const;
    bool progress_enabled() const;

    // "the DDR4 SPD at 0x50 on emu:ddr4@0x50=x.bin"
    std::string where(const ddrspd::SpdDevice& dev) const;

    // Adds bus_stats to the document; prints them on stderr in text mode when `print` (or
    // --verbose) and the bus keeps statistics. Then closes the bus (errors propagate).
    void finish(bool print_stats);

private:
    nlohmann::ordered_json warnings_ = nlohmann::ordered_json::array();
};

tools::Exit run_detect(Session& s);
tools::Exit run_read(Session& s);
tools::Exit run_verify(Session& s, bool show_fields);
tools::Exit run_write(Session& s);
tools::Exit run_fix_crc(Session& s);
tools::Exit run_wp_status(Session& s);
tools::Exit run_wp_change(Session& s, bool set);

// --- Shared by the subcommands ---

// MemoryType a device of this kind holds (Unknown for None/Unknown).
ddrspd::MemoryType memory_type_of(ddrspd::SpdKind k) noexcept;

// Number of SPD devices that answer on the bus (scan_spd), and whether DDR3 and DDR4 are
// mixed.
struct BusCensus {
    std::size_t modules = 0;
    bool ddr3 = false;
    bool ddr4 = false;
};
BusCensus census(ddrspd::Bus& bus);

// Refuses (RefusedError) images that do not fit the device; fixes or overrides CRCs as the
// options say. Returns the list of what --force overrode (for the report).
std::vector<std::string> check_image_for_device(Session& s, const ddrspd::SpdDevice& dev,
                                                ddrspd::Image& img, std::string_view name);

// The safe write: plan, protection check, confirmation, backup, diff-only write, verify,
// report. `current` is what the module holds now.
tools::Exit write_image(Session& s, ddrspd::SpdDevice& dev, const ddrspd::Image& current,
                        const ddrspd::Image& target, std::string_view source);

// Loads an image file ("-" = stdin) in any dump format the library parses.
ddrspd::Image load_image(const std::string& path);

} // namespace prog
