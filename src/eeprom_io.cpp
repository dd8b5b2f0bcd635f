// SPDX-License-Identifier: GPL-2.0-or-later
#include "eeprom_io.hpp"

#include <ddrspd/error.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>

#include <fmt/format.h>

namespace ddrspd::detail {

AckPoller::AckPoller(Bus& bus, std::uint32_t interval_us, std::uint32_t timeout_us)
    : bus_(bus), interval_us_(interval_us), timeout_us_(timeout_us) {}

struct AckPoller::Cycle {
    std::uint8_t addr;
    std::uint64_t t0; // the write's STOP (learning) or the start of polling
    bool learning;    // t0 is the STOP of a write this poller sent: delays mean something
    std::optional<std::uint64_t> busy;  // latest delay after t0 seen busy
    std::optional<std::uint64_t> ready; // first delay after t0 seen ready
};

std::uint64_t AckPoller::first_delay() const {
    if (!hi_)
        return 0;
    // About one SCL clock on an emulated bus (a NACKed probe is 11 clocks); on a real bus the
    // probe includes the system call, which also bounds how precisely a sleep can aim.
    const std::uint64_t resolution = std::max<std::uint64_t>(probe_us_ / 8, 1);
    if (*hi_ > lo_ + resolution)
        return lo_ + (*hi_ - lo_) / 2;
    return *hi_;
}

// After a busy answer: fail at the timeout, else sleep until the next attempt.
void AckPoller::next_attempt(const Cycle& c) {
    Clock& clock = bus_.clock();
    const std::uint64_t elapsed = clock.now_us() - c.t0;
    if (elapsed >= timeout_us_)
        timed_out(c.addr);
    const std::uint64_t left = timeout_us_ - elapsed;
    if (c.learning && hi_ && elapsed < *hi_) {
        clock.sleep_us(std::min(*hi_ - elapsed, left)); // a cycle as long as the longest seen
        return;
    }
    // Just past the longest cycle seen: back to back; beyond it, or unknown: every interval.
    const bool near_end = c.learning && hi_ && elapsed < *hi_ + interval_us_;
    if (!near_end && interval_us_ > 0)
        clock.sleep_us(std::min<std::uint64_t>(interval_us_, left));
}

bool AckPoller::probe(std::uint8_t addr, Cycle& c) {
    Clock& clock = bus_.clock();
    const std::uint64_t start = clock.now_us();
    ++probes_;
    if (bus_.probe(addr)) {
        if (!c.ready)
            c.ready = start - c.t0;
        return true;
    }
    probe_us_ = clock.now_us() - start;
    c.busy = start - c.t0;
    return false;
}

void AckPoller::learn(const Cycle& c) {
    if (!c.learning || !c.ready)
        return;
    if (!hi_ || (c.busy && *c.busy >= *hi_)) {
        // The first cycle, or one longer than any before: its own bracket.
        hi_ = *c.ready;
        lo_ = c.busy.value_or(0);
    } else {
        hi_ = std::min(*hi_, *c.ready);
        lo_ = std::max(lo_, c.busy.value_or(0));
    }
    if (lo_ >= *hi_)
        lo_ = 0;
}

void AckPoller::timed_out(std::uint8_t addr) const {
    throw BusError(fmt::format("{}: device at {} did not acknowledge within {} ms after "
                               "a write (write cycle not finished, or the device is gone)",
                               bus_.describe(), hex_addr(addr), timeout_us_ / 1000.0),
                   ETIMEDOUT, addr);
}

// Observations start now, or, for the cycle a write left running, at that write: then wait
// first for the shortest cycle seen so far.
AckPoller::Cycle AckPoller::begin(std::uint8_t addr) {
    Clock& clock = bus_.clock();
    Cycle c{addr, clock.now_us(), false, {}, {}};
    if (pending_) {
        c.t0 = pending_t0_;
        c.learning = true;
        pending_ = false;
        const std::uint64_t at = c.t0 + first_delay();
        if (clock.now_us() < at)
            clock.sleep_us(at - clock.now_us());
    }
    return c;
}

void AckPoller::wait_ready(std::uint8_t addr) {
    if (pending_ && pending_addr_ != addr)
        settle();
    Cycle c = begin(addr);
    while (!probe(addr, c))
        next_attempt(c);
    learn(c);
}

void AckPoller::settle() {
    if (pending_)
        wait_ready(pending_addr_);
}

void AckPoller::write(std::uint8_t addr, std::span<const std::uint8_t> frame) {
    // Sending the frame itself only pays off once the cycle length is roughly known.
    if (pending_ && (pending_addr_ != addr || !hi_))
        settle();
    Cycle c = begin(addr);
    Clock& clock = bus_.clock();
    bool idle_seen = false;
    bool guessed = false;
    std::optional<std::uint64_t> unclassified; // a NACKed attempt, busy if a retry goes through
    for (;;) {
        const std::uint64_t start = clock.now_us();
        try {
            bus_.write(addr, frame);
        } catch (const NackError&) {
            if (idle_seen)
                throw; // NACKed twice by an idle device: it refuses the data
            const std::uint64_t delay = start - c.t0;
            if (c.learning && !guessed && hi_ && delay < *hi_) {
                // A bisection attempt, most likely early: go again at the top of the bracket
                // (the probe that classifies a NACK comes with the next one).
                guessed = true;
                unclassified = delay;
                if (clock.now_us() < c.t0 + *hi_)
                    clock.sleep_us(c.t0 + *hi_ - clock.now_us());
                continue;
            }
            if (probe(addr, c)) {
                // Idle now: the cycle ended in between, a glitch, or a data NACK. Once more.
                idle_seen = true;
                unclassified = start - c.t0;
                continue;
            }
            next_attempt(c); // busy (or gone): nothing was written
            continue;
        }
        if (!c.ready)
            c.ready = start - c.t0;
        if (unclassified) // the retry went through: that NACK was the cycle (or a glitch)
            c.busy = std::max(c.busy.value_or(0), *unclassified);
        break;
    }
    learn(c);
    pending_ = true;
    pending_addr_ = addr;
    pending_t0_ = clock.now_us();
}

std::size_t max_read(const Bus& bus) {
    const std::size_t m = bus.caps().max_read;
    return m == 0 ? 32 : m;
}

std::size_t max_write_data(const Bus& bus, unsigned addr_bytes) {
    std::size_t m = bus.caps().max_write;
    if (m == 0)
        m = 33; // SMBus I2C-block write: command byte + 32
    if (m <= addr_bytes) {
        throw BusError(fmt::format("{}: the adapter cannot write {} word-address byte(s) plus data "
                                   "in one transfer (max_write = {})",
                                   bus.describe(), addr_bytes, m),
                       EOPNOTSUPP, -1);
    }
    return m - addr_bytes;
}

void read_chunked(Bus& bus, std::uint8_t addr, unsigned addr_bytes, std::size_t word,
                  std::span<std::uint8_t> out, std::size_t boundary,
                  const std::function<void(std::size_t)>& on_chunk) {
    const std::size_t limit = max_read(bus);
    std::size_t done = 0;
    while (done < out.size()) {
        const std::size_t w = word + done;
        const std::size_t n = std::min({out.size() - done, limit, boundary - w % boundary});
        std::array<std::uint8_t, 2> wr{};
        if (addr_bytes == 2) {
            wr = {static_cast<std::uint8_t>(w >> 8), static_cast<std::uint8_t>(w)};
        } else {
            wr[0] = static_cast<std::uint8_t>(w);
        }
        const std::span<const std::uint8_t> word_addr(wr.data(), addr_bytes);
        try {
            bus.write_read(addr, word_addr, out.subspan(done, n));
        } catch (const NackError&) {
            bus.write_read(addr, word_addr, out.subspan(done, n)); // once: a glitch is not absence
        }
        done += n;
        if (on_chunk)
            on_chunk(n);
    }
}

std::vector<std::pair<std::size_t, std::size_t>> mismatch_ranges(std::span<const std::uint8_t> a,
                                                                 std::span<const std::uint8_t> b,
                                                                 std::size_t base) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] == b[i])
            continue;
        if (!out.empty() && out.back().second + 1 == base + i)
            out.back().second = base + i;
        else
            out.emplace_back(base + i, base + i);
    }
    return out;
}

void rethrow_with_context(const std::string& context) {
    try {
        throw;
    } catch (const NackError& e) {
        throw NackError(fmt::format("{}: {}", context, e.what()), e.errno_value(), e.addr());
    } catch (const BusError& e) {
        throw BusError(fmt::format("{}: {}", context, e.what()), e.errno_value(), e.addr());
    }
}

} // namespace ddrspd::detail
