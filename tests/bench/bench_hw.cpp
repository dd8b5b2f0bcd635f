// SPDX-License-Identifier: GPL-2.0-or-later
// bench_hw: the drivers on the emulated bus, in simulated time, side by side with two naive
// write strategies and against the physical limit. Prints figures; asserts nothing.
//
// Physical limit ("data limit"): 9 SCL clocks per payload byte, plus one tWR per page written,
// plus (write+verify) the clocks of one full read. The "wire limit" adds the unavoidable frame
// bytes (device address, word address, START/STOP) of the fewest transfers the adapter allows,
// so (driver / wire limit) is the overhead the driver itself adds. The "floor" is this driver's
// own transfers (measured with tWR = 0) plus one tWR per write cycle, less the START clock
// that overlaps each cycle's end: what the driver would take if it knew every cycle's end
// exactly (approximate: within about one clock per cycle). No polling strategy gets
// measurably below it without dropping transfers.
//
// Why "write+verify <= 1.05x data limit" cannot be met at 100 kHz with tWR 3 ms (DDR4, 32
// pages; clocks of 10 us; spd-reference.md section 9):
//   data limit  = 2 x 512 x 9 = 9216 clocks (92.16 ms) + 32 x 3 ms = 188.16 ms
//   1.05x allows 9.41 ms = 941 clocks of overhead in total.
//   Frames the wire needs anyway: per page S + addr + word + P = 20 clocks, x 32 = 640;
//   two 256-byte random reads, 30 each = 60; SPA1 + SPA0, 20 each = 40         -> 740
//   Mandatory safety transfers before writing: busy check 20; bus rescan (mixed-bus refusal):
//   own probe 20 + ID read 66 + 7 absent addresses x 11 + RPA 20 = 183; RPS of 4 blocks 80;
//   RPA confirming each page switch 11 + 20                                    -> 314
//   Two cycles end in an ACKed probe (before SPA1, before the verify read): 2 x 20 = 40
//   Minus the START of each of 34 transfers that overlaps a cycle's end:        -> -34
//   = 1060 clocks = 10.60 ms > 9.41 ms: at least 1.056x even with perfect timing. With tWR 5 ms
//   the allowance is 12.61 ms (floor 1.042x); at 400 kHz the same 1060 clocks are 2.65 ms. On
//   SMBus-only adapters the 32-byte reads alone put the wire limit at 1.062x (100 kHz, 3 ms).
#include <ddrspd/eeprom24.hpp>
#include <ddrspd/emulator.hpp>
#include <ddrspd/spd_device.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

using namespace ddrspd;

namespace {

constexpr std::uint32_t kFixedSleepUs = 10000; // what naive tools wait after every write

struct Config {
    std::uint32_t hz;
    std::uint32_t twr_us;
    bool smbus;
};

struct Run {
    double ms = 0;
    std::uint64_t cycles = 0;
};

// What the target of a row is.
enum class Target { None, Ratio, OneCycle };

struct Limits {
    double data_ms;
    double wire_ms;
};

std::vector<std::uint8_t> ddr4_image(unsigned seed) {
    std::vector<std::uint8_t> b(512);
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<std::uint8_t>(i * 7 + seed);
    b[0] = 0x23;
    b[1] = 0x11;
    b[2] = 0x0C;
    return b;
}

std::vector<std::uint8_t> eeprom_image(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::uint8_t>(i * 13 + seed + i / 256);
    return b;
}

EmuOptions options(const Config& c) {
    EmuOptions o;
    o.hz = c.hz;
    o.twr_us = c.twr_us;
    o.smbus_only = c.smbus;
    return o;
}

// Simulated time and write cycles spent in f.
Run measure(EmulatedBus& bus, const std::function<void()>& f) {
    const auto before = *bus.stats();
    f();
    const auto after = *bus.stats();
    return {static_cast<double>(after.simulated_time_us - before.simulated_time_us) / 1000.0,
            after.write_cycles - before.write_cycles};
}

double clocks_ms(const Config& c, double clocks) {
    return clocks * 1000.0 / c.hz;
}

// Minimal frames. A random read: S addr word.. Sr addr data.. P; a write: S addr word.. data.. P.
double read_frame_clocks(std::size_t word_bytes, std::size_t data) {
    return 9.0 * static_cast<double>(2 + word_bytes + data) + 3;
}
double write_frame_clocks(std::size_t word_bytes, std::size_t data) {
    return 9.0 * static_cast<double>(1 + word_bytes + data) + 2;
}

// Wire clocks of reading n bytes in 256-byte blocks of a device (word_bytes 1 or 2).
double read_wire_clocks(const Config& c, std::size_t n, std::size_t word_bytes) {
    if (!c.smbus)
        return static_cast<double>(n / 256) * read_frame_clocks(word_bytes, 256);
    if (word_bytes == 1)
        return static_cast<double>(n / 32) * read_frame_clocks(1, 32);
    // SMBus, 2-byte address: write byte data (pointer) + one receive byte per data byte.
    return static_cast<double>(n / 32) * (write_frame_clocks(2, 0) + 32 * (9.0 * 2 + 2));
}

constexpr double kSpaClocks = 9.0 * 2 + 2; // SPA0/SPA1: S addr dummy P

// The naive strategies: write `bytes` at the given offsets (DDR4: 512-byte space with page
// switching; else a 2-byte-address 24xx), sleeping a fixed 10 ms after every write, then read
// everything back once.
void naive_write(EmulatedBus& bus, std::uint8_t addr, bool ddr4,
                 const std::vector<std::uint8_t>& img, const std::vector<std::size_t>& offsets,
                 std::size_t chunk) {
    int page = 0;
    auto select = [&](int p) {
        if (!ddr4 || p == page)
            return;
        const std::array<std::uint8_t, 1> dummy{0};
        bus.write(p == 0 ? 0x36 : 0x37, dummy);
        page = p;
    };
    for (auto off : offsets) {
        std::vector<std::uint8_t> frame;
        if (ddr4) {
            select(static_cast<int>(off / 256));
            frame.push_back(static_cast<std::uint8_t>(off));
        } else {
            frame.push_back(static_cast<std::uint8_t>(off >> 8));
            frame.push_back(static_cast<std::uint8_t>(off));
        }
        frame.insert(frame.end(), img.begin() + static_cast<std::ptrdiff_t>(off),
                     img.begin() + static_cast<std::ptrdiff_t>(off + chunk));
        bus.write(addr, frame);
        bus.clock().sleep_us(kFixedSleepUs);
    }
    // Verify: one full read, the same way the driver reads.
    const std::size_t max_read = bus.caps().max_read;
    const std::size_t words = ddr4 ? 1 : 2;
    std::vector<std::uint8_t> back(img.size());
    for (std::size_t off = 0; off < img.size();) {
        select(static_cast<int>(off / 256));
        const std::size_t n = std::min(max_read, 256 - off % 256);
        std::array<std::uint8_t, 2> w{static_cast<std::uint8_t>(off >> 8),
                                      static_cast<std::uint8_t>(off)};
        if (words == 1)
            w[0] = static_cast<std::uint8_t>(off);
        bus.write_read(addr, std::span<const std::uint8_t>(w.data(), words),
                       std::span(back).subspan(off, n));
        off += n;
    }
    select(0);
}

// Offsets of chunk-sized pieces of [0, size) that differ between a and b.
std::vector<std::size_t> changed(const std::vector<std::uint8_t>& a,
                                 const std::vector<std::uint8_t>& b, std::size_t chunk) {
    std::vector<std::size_t> out;
    for (std::size_t off = 0; off < a.size(); off += chunk) {
        if (!std::equal(a.begin() + static_cast<std::ptrdiff_t>(off),
                        a.begin() + static_cast<std::ptrdiff_t>(off + chunk),
                        b.begin() + static_cast<std::ptrdiff_t>(off)))
            out.push_back(off);
    }
    return out;
}

struct Row {
    std::string name;
    Limits limit;
    Run driver;
    double floor_ms = 0;
    Target target = Target::None;
    double max_ratio = 0;
    std::optional<Run> bytes;
    std::optional<Run> pages;
};

enum class Op { Read, FullWrite, FullWriteCold, CrcFix, CrcFixCold, Eeprom };

Row run(const Config& c, Op op) {
    const auto old_img = ddr4_image(1);
    auto new_img = ddr4_image(2);
    if (op == Op::CrcFix || op == Op::CrcFixCold) {
        new_img = old_img;
        new_img[126] ^= 0x5A; // the base CRC, bytes 126-127: one 16-byte page
        new_img[127] ^= 0xA5;
    }
    const double twr_ms = c.twr_us / 1000.0;
    const double read512_wire = read_wire_clocks(c, 512, 1) + 2 * kSpaClocks;
    Row row;

    // The driver's transfers alone (tWR 0), plus each cycle waited exactly: the floor.
    auto floor_of = [&](const Config& cfg, const std::function<Run(const Config&)>& f) {
        Config zero = cfg;
        zero.twr_us = 0;
        const Run r = f(zero);
        const double clock_ms = 1000.0 / cfg.hz / 1000.0;
        return r.ms + static_cast<double>(r.cycles) * (cfg.twr_us / 1000.0 - clock_ms);
    };
    auto spd_driver_at = [&](const Config& cfg, bool full, bool cold) {
        EmulatedBus bus(options(cfg));
        bus.add_ddr4(0x50, old_img);
        SpdDevice dev(bus, 0x50);
        if (!cold)
            dev.read(); // the tool flow: read (backup, edit), then write
        WriteOptions wo;
        wo.only_changed = !full;
        return measure(bus, [&] { dev.write(Image(new_img), wo); });
    };
    auto spd_driver = [&](bool full, bool cold) {
        row.floor_ms =
            floor_of(c, [&](const Config& cfg) { return spd_driver_at(cfg, full, cold); });
        return spd_driver_at(c, full, cold);
    };
    auto spd_naive = [&](std::size_t chunk) {
        EmulatedBus bus(options(c));
        bus.add_ddr4(0x50, old_img);
        const auto offs = changed(old_img, new_img, chunk);
        return measure(bus, [&] { naive_write(bus, 0x50, true, new_img, offs, chunk); });
    };

    switch (op) {
    case Op::Read: {
        row.name = "DDR4 read, 512 B";
        row.limit = {clocks_ms(c, 512 * 9.0), clocks_ms(c, read512_wire)};
        auto read_at = [&](const Config& cfg) {
            EmulatedBus bus(options(cfg));
            bus.add_ddr4(0x50, old_img);
            SpdDevice dev(bus, 0x50);
            return measure(bus, [&] { dev.read(); });
        };
        row.driver = read_at(c);
        row.floor_ms = row.driver.ms;
        row.target = Target::Ratio;
        row.max_ratio = c.smbus ? 1.12 : 1.05;
        return row;
    }
    case Op::FullWrite:
    case Op::FullWriteCold: {
        const bool cold = op == Op::FullWriteCold;
        row.name = cold ? "DDR4 write+verify, diff, cold" : "DDR4 write+verify, 32 pages";
        row.limit = {clocks_ms(c, 2 * 512 * 9.0) + 32 * twr_ms,
                     clocks_ms(c, 32 * write_frame_clocks(1, 16) + read512_wire) + 32 * twr_ms};
        row.driver = spd_driver(!cold, cold);
        if (!cold) { // cold: the data limit leaves out the read that finds the diff
            row.target = Target::Ratio;
            row.max_ratio = 1.05;
        }
        row.bytes = spd_naive(1);
        row.pages = spd_naive(16);
        return row;
    }
    case Op::CrcFix:
    case Op::CrcFixCold: {
        const bool cold = op == Op::CrcFixCold;
        row.name = cold ? "DDR4 CRC fix, 1 page, cold" : "DDR4 CRC fix, 1 page";
        row.limit = {clocks_ms(c, (16 + 512) * 9.0) + twr_ms,
                     clocks_ms(c, write_frame_clocks(1, 16) + read512_wire) + twr_ms};
        row.driver = spd_driver(false, cold);
        row.target = Target::OneCycle;
        row.bytes = spd_naive(1);
        row.pages = spd_naive(16);
        return row;
    }
    case Op::Eeprom: {
        constexpr std::size_t size = 32768, page = 64;
        row.name = "24c256 write+verify, 32 KiB";
        const auto img = eeprom_image(size, 3);
        // SMBus carries at most 31 data bytes after a 2-byte word address: 3 cycles per page.
        const double frames_per_page = c.smbus ? 3 : 1;
        const double page_wire = c.smbus ? write_frame_clocks(2, 31) * 2 + write_frame_clocks(2, 2)
                                         : write_frame_clocks(2, page);
        row.limit = {clocks_ms(c, 2 * size * 9.0) + (size / page) * twr_ms,
                     clocks_ms(c, (size / page) * page_wire + read_wire_clocks(c, size, 2)) +
                         (size / page) * frames_per_page * twr_ms};
        auto write_at = [&](const Config& cfg) {
            EmulatedBus bus(options(cfg));
            bus.add_24xx("24c256", 0x50, eeprom_image(size, 200));
            Eeprom24 e(bus, 0x50, find_chip("24c256"));
            WriteOptions wo;
            wo.only_changed = false;
            return measure(bus, [&] { e.write(0, img, wo); });
        };
        row.driver = write_at(c);
        row.floor_ms = floor_of(c, write_at);
        for (std::size_t chunk : {std::size_t{1}, std::size_t{16}}) {
            EmulatedBus bus(options(c));
            bus.add_24xx("24c256", 0x50, eeprom_image(size, 200));
            const auto offs = changed(eeprom_image(size, 200), img, chunk);
            auto r = measure(bus, [&] { naive_write(bus, 0x50, false, img, offs, chunk); });
            (chunk == 1 ? row.bytes : row.pages) = r;
        }
        return row;
    }
    }
    return row;
}

std::string cell(const std::optional<Run>& r, const Limits& l) {
    if (!r)
        return fmt::format("{:>26}", "-");
    return fmt::format("{:>10.1f} {:>6.2f}x {:>7}", r->ms, r->ms / l.data_ms, r->cycles);
}

} // namespace

int main() {
    const std::vector<Config> configs = {
        {100000, 5000, false}, {100000, 3000, false}, {400000, 5000, false}, {400000, 3000, false},
        {100000, 5000, true},  {100000, 3000, true},  {400000, 5000, true},  {400000, 3000, true},
    };
    const std::vector<Op> ops = {Op::Read,   Op::FullWrite,  Op::FullWriteCold,
                                 Op::CrcFix, Op::CrcFixCold, Op::Eeprom};

    fmt::print("bench_hw: simulated time on the emulated bus (ms), ratio to the data limit, write "
               "cycles\n");
    fmt::print("data limit = 9 clocks per payload byte + one tWR per page written (+ one full read "
               "for write+verify)\n");
    fmt::print("wire limit = data limit + the frame bytes of the fewest transfers the adapter "
               "allows\n");
    fmt::print(
        "floor      = the driver's own transfers (run with tWR 0) + every write cycle waited "
        "exactly (x data; +-1 clock per cycle)\n");
    fmt::print("target     = write+verify <= 1.05x data; read <= 1.05x (I2C) / 1.12x (SMBus); a "
               "one-page change = 1 write cycle\n");
    fmt::print("baselines get the diff for free: they write the changed bytes / 16-byte pages, "
               "sleep 10 ms after each write, then read everything back once\n\n");
    const std::string header = fmt::format(
        "{:<6} {:>4} {:>4} | {:<29} | {:>8} {:>8} | {:>10} {:>7} {:>7} {:>7} {:>7} | {:<30} | "
        "{:>26} | {:>26}",
        "bus", "kHz", "tWR", "operation", "data ms", "wire ms", "driver ms", "x data", "x wire",
        "x floor", "cycles", "target", "byte writes + 10 ms (x, cyc)",
        "16-B pages + 10 ms (x, cyc)");
    fmt::print("{}\n{}\n", header, std::string(header.size(), '-'));

    int met = 0, missed = 0, impossible = 0;
    for (const auto& c : configs) {
        for (auto op : ops) {
            const Row r = run(c, op);
            const double xd = r.driver.ms / r.limit.data_ms;
            const double xw = r.driver.ms / r.limit.wire_ms;
            const double xf = r.floor_ms / r.limit.data_ms;
            std::string verdict = "-";
            bool ok = true;
            if (r.target == Target::Ratio) {
                ok = xd <= r.max_ratio;
                verdict = fmt::format("<= {:.2f}x: {}", r.max_ratio, ok ? "met" : "NOT met");
                if (!ok && xf > r.max_ratio)
                    verdict += " (floor above)";
            } else if (r.target == Target::OneCycle) {
                ok = r.driver.cycles == 1;
                verdict = fmt::format("1 cycle: {}", ok ? "met" : "NOT met");
            }
            if (r.target != Target::None) {
                met += ok;
                missed += !ok;
                impossible += !ok && r.target == Target::Ratio && xf > r.max_ratio;
            }
            fmt::print("{:<6} {:>4} {:>4} | {:<29} | {:>8.2f} {:>8.2f} | {:>10.2f} {:>6.3f}x "
                       "{:>6.3f}x {:>6.3f}x {:>7} | {:<30} | {} | {}\n",
                       c.smbus ? "SMBus" : "I2C", c.hz / 1000, fmt::format("{}ms", c.twr_us / 1000),
                       r.name, r.limit.data_ms, r.limit.wire_ms, r.driver.ms, xd, xw, xf,
                       r.driver.cycles, verdict, cell(r.bytes, r.limit), cell(r.pages, r.limit));
        }
        fmt::print("\n");
    }
    fmt::print("targets: {} met, {} not met ({} of them below a floor above the target: not "
               "reachable without dropping safety transfers, see the comment at the top of "
               "bench_hw.cpp)\n",
               met, missed, impossible);
    return 0;
}
