// SPDX-License-Identifier: GPL-2.0-or-later
// What spd-prog and eeprom-dump share beyond tools/common.hpp: comparing images (byte ranges
// and decoded fields), the write safety steps (plan, confirmation, backup), progress on a
// terminal, bus statistics, and closing the bus on every path.
#pragma once

#include <ddrspd/bus.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/image.hpp>
#include <ddrspd/spd_device.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace prog {

// --- Comparing ---

// Inclusive [first, last] byte offsets.
using ByteRange = std::pair<std::size_t, std::size_t>;

// Ranges where a and b differ, offsets shifted by `base`. When the sizes differ, the tail of
// the longer one counts as differing.
std::vector<ByteRange> diff_ranges(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                                   std::size_t base = 0);
std::size_t range_bytes(const std::vector<ByteRange>& ranges);
// "0x07e-0x07f, 0x140": as many digits as the last address of a `space`-byte address space
// needs (at least 3), so all offsets of one device line up. After `max_items` ranges the rest
// is summarised ("... and 500 more ranges"); JSON output lists them all.
std::string format_ranges(const std::vector<ByteRange>& ranges, std::size_t space = 512,
                          std::size_t max_items = 16);
nlohmann::ordered_json ranges_json(const std::vector<ByteRange>& ranges);

// Start addresses of the page_size-aligned pages (aligned in the address space where a and b
// start at `base`) in which a and b differ; only the common length is compared.
std::vector<std::size_t> changed_pages(std::span<const std::uint8_t> a,
                                       std::span<const std::uint8_t> b, std::size_t page_size,
                                       std::size_t base = 0);

// One decoded field, named for people ("tAA min", "part number") with its display value.
struct Field {
    std::string name;
    std::string value;
};
// Every field decode() yields for the image (plus the CRC blocks), in a stable order.
std::vector<Field> spd_fields(const ddrspd::Image& img);

struct FieldChange {
    std::string name;
    std::string before; // "" when the field does not exist in the old image
    std::string after;  // "" when it does not exist in the new image
};
// Field-by-field difference of decode(before) and decode(after): "tAA min 13.750 ns ->
// 12.500 ns".
std::vector<FieldChange> diff_fields(const ddrspd::Image& before, const ddrspd::Image& after);
std::string format_change(const FieldChange& c);
nlohmann::ordered_json fields_json(const std::vector<FieldChange>& changes);

// --- Terminal ---

bool stdin_is_tty();
bool stdout_is_tty();
bool stderr_is_tty();

// Asks `question` on stderr ("... [y/N] ") and reads one line from stdin; only "y"/"yes"
// (any case) confirm. Returns immediately with true when assume_yes. Throws RefusedError
// when stdin is not a terminal (naming `yes_option`) or the answer is not yes.
bool confirm_or_refuse(std::string_view question, bool assume_yes,
                       std::string_view yes_option = "--yes");

// A progress bar on stderr for operations that last longer than about half a second; draws
// nothing unless enabled (stderr is a terminal and not --quiet).
class ProgressBar {
public:
    explicit ProgressBar(bool enabled);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    ddrspd::Progress callback();
    // Erases the bar (if drawn). Called by the destructor too.
    void finish();

private:
    void update(std::string_view phase, std::size_t done, std::size_t total);

    bool enabled_;
    bool started_ = false;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

// Holds off SIGINT, SIGTERM, SIGHUP and SIGQUIT while it lives: a write, once confirmed, is
// finished, verified and the bus closed (EE1004 back on page 0, emulated images written back)
// before a Ctrl-C takes effect. The destructor unblocks them; a pending one then acts.
class SignalBlocker {
public:
    SignalBlocker();
    ~SignalBlocker();
    SignalBlocker(const SignalBlocker&) = delete;
    SignalBlocker& operator=(const SignalBlocker&) = delete;

private:
    sigset_t old_;
};

// --- Backups ---

// "PREFIX-0x50-20250131-142501.bin" in the current directory; adds "-2", "-3"... when a file
// of that name exists already.
std::string default_backup_path(std::string_view prefix, int addr);

// --- Bus ---

// "12 transactions, 1234 bytes on the wire, 2 write cycles, 45.300 ms simulated bus time"
std::string format_stats(const ddrspd::BusStats& s);
nlohmann::ordered_json stats_json(const ddrspd::BusStats& s);

// Owns an opened bus and closes it with close_bus() exactly once: close() on the success path
// (errors propagate: an emulated image that cannot be written back is a failure), the
// destructor on failure paths (errors are swallowed: the first error is the one to report).
class BusHandle {
public:
    explicit BusHandle(std::unique_ptr<ddrspd::Bus> bus);
    ~BusHandle();
    BusHandle(const BusHandle&) = delete;
    BusHandle& operator=(const BusHandle&) = delete;

    ddrspd::Bus& operator*() const noexcept { return *bus_; }
    ddrspd::Bus* operator->() const noexcept { return bus_.get(); }
    void close();

private:
    std::unique_ptr<ddrspd::Bus> bus_;
    bool closed_ = false;
};

// Parses "0x50", "80", "0b1010000" as a 7-bit I2C address; throws UsageError naming `what`.
int parse_i2c_addr(std::string_view text, std::string_view what);

// Parses a byte count or offset: "4096", "0x1000", "4k"/"4K"/"4KiB" (x1024). Throws
// UsageError naming `what`.
std::size_t parse_size(std::string_view text, std::string_view what);

// The i2cdump grid (header line, "00: xx ..." rows, ASCII column) of bytes that start at
// address `base`; identical to ddrspd::format_i2cdump() for base 0.
std::string hex_grid(std::span<const std::uint8_t> bytes, std::size_t base = 0);

// Reads a whole binary file ("-" = standard input); refuses more than max_bytes. Throws
// FileError naming the path.
std::vector<std::uint8_t> read_binary(const std::string& path, std::size_t max_bytes);

// The "Exit status:" table of spd-prog and eeprom-dump for --help (same codes as every
// ddrspd tool; the meanings are the programming tools' own).
std::string exit_status_table();

// A word as a POSIX shell reads it back: unchanged when safe, else in single quotes.
std::string shell_quote(std::string_view word);

// Size with a unit suffix for people: 512 -> "512 bytes", 32768 -> "32 KiB".
std::string format_size(std::size_t bytes);

// Reads until two consecutive reads agree (at most max_reads reads), so a bit flipped on the wire
// can end up neither in a backup nor in the plan of what to write. Throws BusError naming
// `what` when the reads never agree (loose contact, noisy bus).
template <class Read>
auto read_consistent(Read&& read, const std::string& what, int addr, unsigned max_reads = 4)
    -> decltype(read()) {
    auto previous = read();
    for (unsigned n = 1; n < max_reads; ++n) {
        auto again = read();
        if (again == previous)
            return again;
        previous = std::move(again);
    }
    throw ddrspd::BusError(what + ": " + std::to_string(max_reads) +
                               " reads of the device gave different data each time; check the "
                               "wiring and the module's seating, then try again",
                           EIO, addr);
}

} // namespace prog
