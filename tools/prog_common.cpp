// SPDX-License-Identifier: GPL-2.0-or-later
#include "prog_common.hpp"

#include <ddrspd/crc.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/open.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <pthread.h>
#include <unistd.h>

#include <fmt/format.h>

namespace prog {

using ddrspd::Image;

// --- Comparing ---

std::vector<ByteRange> diff_ranges(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                                   std::size_t base) {
    std::vector<ByteRange> out;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const bool differs = i >= a.size() || i >= b.size() || a[i] != b[i];
        if (!differs)
            continue;
        if (!out.empty() && out.back().second + 1 == base + i)
            out.back().second = base + i;
        else
            out.emplace_back(base + i, base + i);
    }
    return out;
}

std::size_t range_bytes(const std::vector<ByteRange>& ranges) {
    std::size_t n = 0;
    for (const auto& [first, last] : ranges)
        n += last - first + 1;
    return n;
}

std::string format_ranges(const std::vector<ByteRange>& ranges, std::size_t space,
                          std::size_t max_items) {
    std::size_t top = space > 0 ? space - 1 : 0;
    for (const auto& r : ranges)
        top = std::max(top, r.second);
    int width = 3;
    while (width < 8 && (top >> (4 * width)) != 0)
        ++width;
    std::string out;
    std::size_t shown = 0;
    for (const auto& [first, last] : ranges) {
        if (shown++ == max_items) {
            out += fmt::format(", ... and {} more ranges", ranges.size() - max_items);
            break;
        }
        if (!out.empty())
            out += ", ";
        out += fmt::format("0x{:0{}x}", first, width);
        if (last != first)
            out += fmt::format("-0x{:0{}x}", last, width);
    }
    return out;
}

nlohmann::ordered_json ranges_json(const std::vector<ByteRange>& ranges) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& [first, last] : ranges)
        out.push_back({{"first", first}, {"last", last}, {"bytes", last - first + 1}});
    return out;
}

std::vector<std::size_t> changed_pages(std::span<const std::uint8_t> a,
                                       std::span<const std::uint8_t> b, std::size_t page_size,
                                       std::size_t base) {
    std::vector<std::size_t> pages;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] == b[i])
            continue;
        const std::size_t page = (base + i) / page_size * page_size;
        if (pages.empty() || pages.back() != page)
            pages.push_back(page);
    }
    return pages;
}

namespace {

std::string ns(double v) {
    return fmt::format("{:.3f} ns", v);
}

std::string join(const std::vector<int>& v) {
    std::string out;
    for (int x : v)
        out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v)
        out += (out.empty() ? "" : ", ") + x;
    return out;
}

std::string manufacturer(const ddrspd::Manufacturer& m) {
    if (!m.defined)
        return "undefined";
    return fmt::format("{} ({})", m.name, m.id());
}

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

} // namespace

std::vector<Field> spd_fields(const Image& img) {
    const ddrspd::SpdInfo s = ddrspd::decode(img);
    std::vector<Field> f;
    auto add = [&f](std::string name, std::string value) {
        f.push_back({std::move(name), std::move(value)});
    };
    add("memory type", std::string(ddrspd::to_string(s.type)));
    add("SPD revision", s.spd_revision);
    add("bytes used", std::to_string(s.bytes_used));
    add("bytes total", std::to_string(s.bytes_total));
    add("module type", s.module_type);
    add("hybrid", yes_no(s.hybrid));
    add("capacity", fmt::format("{} MB", s.capacity_mb));
    add("ranks", std::to_string(s.ranks));
    add("device width", fmt::format("x{}", s.device_width));
    add("bus width", fmt::format("{} bits", s.bus_width));
    add("ECC", yes_no(s.ecc));
    add("banks", std::to_string(s.banks));
    add("bank groups", std::to_string(s.bank_groups));
    add("row address bits", std::to_string(s.rows));
    add("column address bits", std::to_string(s.columns));
    add("die density", fmt::format("{} Mbit", s.die_density_mbit));
    add("package", s.package);
    add("dies", std::to_string(s.die_count));
    add("voltages", join(s.voltages));
    add("thermal sensor", yes_no(s.thermal_sensor));
    add("height", fmt::format("{} mm", s.height_mm));
    add("thickness front", fmt::format("{} mm", s.thickness_front_mm));
    add("thickness back", fmt::format("{} mm", s.thickness_back_mm));
    add("raw card", s.raw_card);
    add("rank 1 mirrored", yes_no(s.rank1_mirrored));
    if (s.register_manufacturer)
        add("register manufacturer", manufacturer(*s.register_manufacturer));
    if (s.register_revision >= 0)
        add("register revision", fmt::format("0x{:02x}", s.register_revision));
    add("tCK min", ns(s.tck_ns));
    if (s.tck_max_ns != 0)
        add("tCK max", ns(s.tck_max_ns));
    add("speed", s.speed_name.empty() ? fmt::format("{} MT/s", s.speed_mts)
                                      : fmt::format("{} ({})", s.speed_name, s.pc_name));
    add("CAS latencies", join(s.cas_latencies));
    add("CL", std::to_string(s.cl));
    for (const auto& t : s.timings)
        add(t.name + " min", ns(t.ns));
    add("MTB", fmt::format("{} ps", s.mtb_ps));
    add("FTB", fmt::format("{} ps", s.ftb_ps));
    add("manufacturer", manufacturer(s.manufacturer));
    add("DRAM manufacturer", manufacturer(s.dram_manufacturer));
    add("location", std::to_string(s.location));
    add("date", s.date.valid ? s.date.iso() : "invalid");
    add("serial", fmt::format("0x{:08X}", s.serial));
    add("part number", s.part_number);
    add("revision", fmt::format("0x{:04X}", s.revision));
    if (!s.xmp_version.empty())
        add("XMP version", s.xmp_version);
    for (const auto& x : s.xmp) {
        const std::string p = fmt::format("XMP{} ", x.number);
        add(p + "enabled", yes_no(x.enabled));
        add(p + "voltage", fmt::format("{:.3f} V", x.voltage));
        add(p + "tCK", ns(x.tck_ns));
        add(p + "speed", fmt::format("{} MT/s", x.speed_mts));
        add(p + "CAS latencies", join(x.cas_latencies));
        add(p + "CL", std::to_string(x.cl));
        for (const auto& t : x.timings)
            add(p + t.name + " min", ns(t.ns));
    }
    for (const auto& c : ddrspd::crc_blocks(img)) {
        const std::string name = fmt::format("CRC {} (bytes {}-{})", c.name, c.first, c.last);
        add(name,
            c.present ? fmt::format("0x{:04X} ({})", c.stored, c.ok ? "ok" : "wrong") : "missing");
    }
    return f;
}

std::vector<FieldChange> diff_fields(const Image& before, const Image& after) {
    const auto a = spd_fields(before);
    const auto b = spd_fields(after);
    std::map<std::string, std::string> old_values;
    for (const auto& f : a)
        old_values.emplace(f.name, f.value);
    std::vector<FieldChange> out;
    std::map<std::string, bool> seen;
    for (const auto& f : b) {
        seen[f.name] = true;
        auto it = old_values.find(f.name);
        if (it == old_values.end())
            out.push_back({f.name, "", f.value});
        else if (it->second != f.value)
            out.push_back({f.name, it->second, f.value});
    }
    for (const auto& f : a)
        if (!seen.contains(f.name))
            out.push_back({f.name, f.value, ""});
    return out;
}

std::string format_change(const FieldChange& c) {
    const auto show = [](const std::string& v) { return v.empty() ? std::string("(none)") : v; };
    return fmt::format("{} {} -> {}", c.name, show(c.before), show(c.after));
}

nlohmann::ordered_json fields_json(const std::vector<FieldChange>& changes) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& c : changes)
        out.push_back({{"field", c.name}, {"old", c.before}, {"new", c.after}});
    return out;
}

// --- Terminal ---

bool stdin_is_tty() {
    return ::isatty(STDIN_FILENO) == 1;
}
bool stdout_is_tty() {
    return ::isatty(STDOUT_FILENO) == 1;
}
bool stderr_is_tty() {
    return ::isatty(STDERR_FILENO) == 1;
}

bool confirm_or_refuse(std::string_view question, bool assume_yes, std::string_view yes_option) {
    if (assume_yes)
        return true;
    if (!stdin_is_tty())
        throw ddrspd::RefusedError(
            fmt::format("refusing to write without confirmation: standard input is not a terminal "
                        "(add {} to confirm from a script)",
                        yes_option));
    fmt::print(stderr, "{} [y/N] ", question);
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer))
        answer.clear();
    std::string a;
    for (char ch : answer)
        if (!std::isspace(static_cast<unsigned char>(ch)))
            a += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (a == "y" || a == "yes")
        return true;
    throw ddrspd::RefusedError("not confirmed: nothing was written");
}

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled) {}

ProgressBar::~ProgressBar() {
    finish();
}

ddrspd::Progress ProgressBar::callback() {
    if (!enabled_)
        return {};
    return [this](std::string_view phase, std::size_t done, std::size_t total) {
        update(phase, done, total);
    };
}

void ProgressBar::update(std::string_view phase, std::size_t done, std::size_t total) {
    using namespace std::chrono;
    const auto now = steady_clock::now();
    if (!started_) {
        started_ = true;
        start_ = now;
    }
    // Short operations draw nothing: a bar that flashes for 50 ms is noise.
    if (now - start_ < milliseconds(500))
        return;
    if (shown_ && done != total && now - last_draw_ < milliseconds(80))
        return;
    last_draw_ = now;
    shown_ = true;
    constexpr std::size_t width = 30;
    const std::size_t filled = total == 0 ? width : std::min(width, done * width / total);
    fmt::print(stderr, "\r{:<6} [{:#<{}}{:-<{}}] {:>7}/{:<7}", phase, "", filled, "",
               width - filled, done, total);
    std::fflush(stderr);
}

void ProgressBar::finish() {
    if (shown_) {
        fmt::print(stderr, "\r\033[K");
        std::fflush(stderr);
        shown_ = false;
    }
    started_ = false;
}

SignalBlocker::SignalBlocker() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT})
        sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
}

SignalBlocker::~SignalBlocker() {
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

// --- Backups ---

std::string default_backup_path(std::string_view prefix, int addr) {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const std::string stem = fmt::format("{}-0x{:02x}-{}", prefix, addr, stamp);
    std::string path = stem + ".bin";
    for (int n = 2; std::filesystem::exists(path); ++n)
        path = fmt::format("{}-{}.bin", stem, n);
    return path;
}

// --- Bus ---

std::string format_stats(const ddrspd::BusStats& s) {
    return fmt::format("{} transactions, {} bytes on the wire, {} write cycles, {:.3f} ms "
                       "simulated bus time",
                       s.transactions, s.bytes_on_wire, s.write_cycles,
                       static_cast<double>(s.simulated_time_us) / 1000.0);
}

nlohmann::ordered_json stats_json(const ddrspd::BusStats& s) {
    return {{"simulated_time_us", s.simulated_time_us},
            {"transactions", s.transactions},
            {"bytes_on_wire", s.bytes_on_wire},
            {"write_cycles", s.write_cycles}};
}

BusHandle::BusHandle(std::unique_ptr<ddrspd::Bus> bus) : bus_(std::move(bus)) {}

BusHandle::~BusHandle() {
    if (closed_ || !bus_)
        return;
    try {
        ddrspd::close_bus(*bus_);
    } catch (const std::exception& e) {
        fmt::print(stderr, "warning: while closing {}: {}\n", bus_->describe(), e.what());
    }
}

void BusHandle::close() {
    if (closed_)
        return;
    closed_ = true;
    ddrspd::close_bus(*bus_);
}

int parse_i2c_addr(std::string_view text, std::string_view what) {
    std::string_view digits = text;
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        digits.remove_prefix(2);
        base = 16;
    } else if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'b' || digits[1] == 'B')) {
        digits.remove_prefix(2);
        base = 2;
    }
    int value = -1;
    const auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 0 ||
        value > 0x7f)
        throw ddrspd::UsageError(
            fmt::format("{}: '{}' is not a 7-bit I2C address (0x00-0x7f)", what, text));
    return value;
}

std::size_t parse_size(std::string_view text, std::string_view what) {
    std::string_view digits = text;
    std::size_t mult = 1;
    for (std::string_view suffix : {"KiB", "k", "K"}) {
        if (digits.size() > suffix.size() && digits.ends_with(suffix)) {
            digits.remove_suffix(suffix.size());
            mult = 1024;
            break;
        }
    }
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        digits.remove_prefix(2);
        base = 16;
    }
    // At most 1 TiB, and no more than size_t holds (32 bits on armhf).
    constexpr std::uint64_t max_bytes = std::min<std::uint64_t>(std::uint64_t{1} << 40, SIZE_MAX);
    std::size_t value = 0;
    const auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        value > max_bytes / mult)
        throw ddrspd::UsageError(
            fmt::format("{}: '{}' is not a byte count (examples: 256, 0x100, 32k)", what, text));
    return value * mult;
}

std::string hex_grid(std::span<const std::uint8_t> bytes, std::size_t base) {
    std::string out = "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef\n";
    // Rows are aligned like i2cdump's: a start in mid-row leaves the leading cells blank.
    const std::size_t first_row = base / 16 * 16;
    const std::size_t end = base + bytes.size();
    for (std::size_t row = first_row; row < end; row += 16) {
        std::string hex = fmt::format("{:02x}: ", row);
        std::string ascii;
        for (std::size_t a = row; a < row + 16; ++a) {
            if (a < base || a >= end) {
                hex += "   ";
                ascii += ' ';
                continue;
            }
            const std::uint8_t b = bytes[a - base];
            hex += fmt::format("{:02x} ", b);
            // i2cdump's ASCII column: '.' for 00/ff, '?' for other non-printables.
            ascii += (b == 0x00 || b == 0xFF) ? '.' : (b < 32 || b >= 127) ? '?' : char(b);
        }
        out += hex + "   " + ascii + "\n";
    }
    return out;
}

std::vector<std::uint8_t> read_binary(const std::string& path, std::size_t max_bytes) {
    const bool is_stdin = path == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
    const std::string name = is_stdin ? "standard input" : path;
    if (f == nullptr)
        throw ddrspd::FileError(fmt::format("{}: {}", name, std::strerror(errno)));
    std::vector<std::uint8_t> data;
    std::uint8_t buf[65536];
    bool too_large = false;
    while (true) {
        const std::size_t n = std::fread(buf, 1, sizeof buf, f);
        data.insert(data.end(), buf, buf + n);
        if (data.size() > max_bytes) {
            too_large = true;
            break;
        }
        if (n < sizeof buf)
            break;
    }
    const bool failed = std::ferror(f) != 0;
    const int err = errno;
    if (!is_stdin)
        std::fclose(f);
    if (failed)
        throw ddrspd::FileError(fmt::format("{}: read error: {}", name, std::strerror(err)));
    if (too_large)
        throw ddrspd::FileError(
            fmt::format("{}: larger than {} bytes (the whole target)", name, max_bytes));
    return data;
}

std::string exit_status_table() {
    return "Exit status:\n"
           "  0  success (written and verified, identical, listed)\n"
           "  1  verify or compare found a difference\n"
           "  2  usage error (bad option, address outside the allowed range)\n"
           "  3  device or I/O error (nothing answers, bus error, unreadable file; detect: no "
           "module)\n"
           "  4  refused or aborted: write protection, wrong memory type or size, bad CRC, no "
           "confirmation\n";
}

std::string shell_quote(std::string_view word) {
    const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
    });
    if (safe)
        return std::string(word);
    std::string out = "'";
    for (char c : word)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string format_size(std::size_t bytes) {
    if (bytes >= 1024 && bytes % 1024 == 0)
        return fmt::format("{} KiB", bytes / 1024);
    return fmt::format("{} bytes", bytes);
}

} // namespace prog
