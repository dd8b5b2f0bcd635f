// SPDX-License-Identifier: GPL-2.0-or-later
// Private helpers shared by the SPD and 24xx drivers: ACK polling, chunked random reads, page
// diffs and verification ranges.
#pragma once

#include <ddrspd/bus.hpp>
#include <ddrspd/spd_device.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ddrspd::detail {

// Waits for an EEPROM's self-timed write cycle by ACK polling, bounded by a timeout on
// bus.clock(). Probes are one-byte reads at the device address (never a quick-write).
//
// A page write sent through write() leaves its cycle running. The next write() to
// the same device then polls with its own address phase (spd-reference.md 8.5): it sleeps until
// the cycle is expected to end and sends the frame; an address NACK means "busy, nothing
// written". Anything else that addresses the device must call settle() first.
//
// The expected end is learned, never assumed from a datasheet: [lo, hi] brackets the cycle
// length (STOP to the next START) by the latest delays seen busy and ready. While the bracket
// is wider than about one SCL clock, the first attempt after a cycle aims at its middle (a
// bisection across cycles), then at its top. A longer cycle is simply polled longer, and the
// bracket moves up to the longest cycle seen; the first cycle of an operation is polled every
// interval_us with probes.
class AckPoller {
public:
    AckPoller(Bus& bus, std::uint32_t interval_us, std::uint32_t timeout_us);

    // Polls addr until it ACKs. Right after a write() to addr this waits for that cycle
    // (learning from it); otherwise call it right after the write's STOP. Throws BusError
    // (ETIMEDOUT) naming addr and the bus when it still NACKs after the timeout.
    void wait_ready(std::uint8_t addr);
    // Waits for the cycle write() left running, if any.
    void settle();

    // One write transfer (word address + data); its write cycle is left running. If a cycle
    // of the same device is pending, the frame's own address phase polls for its end. A NACK
    // is ambiguous (i2c-dev cannot tell an address NACK from a data NACK), so a read probe
    // decides: NACK = still busy, nothing written -> retry, bounded by the timeout; ACK = the
    // device is idle -> the frame is retried once, and a second NACK propagates as NackError:
    // the device refuses the data (a write-protected block).
    void write(std::uint8_t addr, std::span<const std::uint8_t> frame);

    std::uint64_t probes() const noexcept { return probes_; }

private:
    struct Cycle; // observations of one write cycle
    Cycle begin(std::uint8_t addr);
    std::uint64_t first_delay() const;
    void next_attempt(const Cycle& c);
    bool probe(std::uint8_t addr, Cycle& c);
    void learn(const Cycle& c);
    [[noreturn]] void timed_out(std::uint8_t addr) const;

    Bus& bus_;
    std::uint32_t interval_us_;
    std::uint32_t timeout_us_;
    bool pending_ = false; // a cycle started by write() may still run
    std::uint8_t pending_addr_ = 0;
    std::uint64_t pending_t0_ = 0;    // its STOP
    std::uint64_t lo_ = 0;            // a delay after STOP seen busy (0: none)
    std::optional<std::uint64_t> hi_; // a delay after STOP seen ready
    std::uint64_t probe_us_ = 0;      // duration of one NACKed probe
    std::uint64_t probes_ = 0;
};

// Random reads (word address written, repeated START, read) of out.size() bytes starting at
// word address `word` of device `addr`, in chunks of at most max_read bytes that never cross
// a multiple of `boundary` (256 for 1-byte word addresses). addr_bytes is 1 or 2.
// A NACKed chunk is tried once more. on_chunk(bytes) is called after each chunk.
void read_chunked(Bus& bus, std::uint8_t addr, unsigned addr_bytes, std::size_t word,
                  std::span<std::uint8_t> out, std::size_t boundary,
                  const std::function<void(std::size_t)>& on_chunk = {});

// The adapter's read limit, with 0 (unknown) treated as the SMBus block size.
std::size_t max_read(const Bus& bus);
// Most data bytes one write transfer can carry after addr_bytes of word address.
std::size_t max_write_data(const Bus& bus, unsigned addr_bytes);

// [first, last] byte offsets (base + index) where a and b differ, merged into runs.
std::vector<std::pair<std::size_t, std::size_t>> mismatch_ranges(std::span<const std::uint8_t> a,
                                                                 std::span<const std::uint8_t> b,
                                                                 std::size_t base = 0);

// Inside a catch block: rethrows the current BusError/NackError (same type, errno and
// address) with context prepended to its message; anything else is rethrown unchanged.
[[noreturn]] void rethrow_with_context(const std::string& context);

} // namespace ddrspd::detail
