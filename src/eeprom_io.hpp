// SPDX-License-Identifier: GPL-2.0-or-later
// Private helpers shared by the SPD and 24xx drivers: ACK polling, chunked random reads, page
// diffs and verification ranges.
#pragma once

#include <ddrspd/bus.hpp>
#include <ddrspd/spd_device.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ddrspd::detail {

// Waits for an EEPROM's self-timed write cycle by ACK polling: one-byte reads at the device
// address (never a quick-write) until it ACKs, bounded by a timeout on bus.clock().
//
// The first cycle of an operation is polled every interval_us. Later cycles sleep until a
// little before the completion time observed on the previous cycle and then probe back to
// back, so the wait ends within one probe of the real end of the cycle while sending only a
// few probes. Nothing assumes a datasheet tWR: a longer cycle is simply polled longer.
class AckPoller {
public:
    AckPoller(Bus& bus, std::uint32_t interval_us, std::uint32_t timeout_us);

    // Call right after the write's STOP. Returns when addr ACKs; throws BusError (ETIMEDOUT)
    // naming addr and the bus when it still NACKs after the timeout.
    void wait_ready(std::uint8_t addr);

    std::uint64_t probes() const noexcept { return probes_; }

private:
    Bus& bus_;
    std::uint32_t interval_us_;
    std::uint32_t timeout_us_;
    std::uint64_t last_cycle_us_ = 0; // observed STOP-to-ACK time of the previous cycle
    std::uint64_t probe_us_ = 0;      // duration of one NACKed probe
    std::uint64_t probes_ = 0;
};

// One write transfer (word address + data), then ACK polling for its write cycle. A NACK is
// retried once, after the device is ready again (a glitch, or a cycle still running); a second
// NACK propagates as NackError: the device refuses the data (a write-protected block).
void write_frame(Bus& bus, std::uint8_t addr, std::span<const std::uint8_t> frame, AckPoller& poll);

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
