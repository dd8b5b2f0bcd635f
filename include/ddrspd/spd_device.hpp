// SPDX-License-Identifier: GPL-2.0-or-later
// An SPD EEPROM on a bus at 0x50-0x57: identify, read, write (diff-only, verified), protect.
#pragma once

#include <ddrspd/bus.hpp>
#include <ddrspd/image.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddrspd {

// Progress callback: done and total in bytes of the current phase ("read", "write", "verify").
using Progress = std::function<void(std::string_view phase, std::size_t done, std::size_t total)>;

enum class SpdKind { None, DDR3, DDR4, DDR5, Unknown };
std::string_view to_string(SpdKind k) noexcept;

struct SpdProbe {
    std::uint8_t addr = 0;
    SpdKind kind = SpdKind::None;
    bool temp_sensor = false; // TSE at 0x18 | (addr & 7) answered
    std::optional<double> temperature_c;
};

// Scans 0x50-0x57 with read-only transactions (never writes; DDR4 is told from DDR3 by byte 2
// of page 0, DDR5 hubs also by MR0/MR1 = 0x51 0x18). Returns one entry per address that
// answered, in address order. Nothing is sent to 0x30-0x37 unless every device reads as DDR4;
// then RPA (a read at 0x36) must ACK, as only an EE1004 in page 0 does, else they are all
// reported Unknown. So an ambiguous byte 2 - a blank EEPROM, a DDR4 image in a plain EEPROM,
// or a DDR4 module left in SPD page 1 by another program - is reported as Unknown.
std::vector<SpdProbe> scan_spd(Bus& bus);

struct WriteOptions {
    bool only_changed = true; // write only 16-byte pages that differ
    unsigned max_retries = 2; // rewrite pages that fail verification this many times
    std::uint32_t poll_interval_us = 200;
    std::uint32_t poll_timeout_us = 25000;
    Progress progress;
};

struct WriteResult {
    std::vector<std::size_t> pages_written; // byte offsets of 16-byte pages written
    std::size_t bytes_written = 0;
    bool verified = false;
    std::vector<std::pair<std::size_t, std::size_t>> mismatches; // [first, last] still differing
};

class SpdDevice {
public:
    // Identifies the device (throws BusError/NackError when nothing answers at addr).
    SpdDevice(Bus& bus, std::uint8_t addr);
    // The same, for a blank or damaged SPD whose contents name no memory type: the caller (a
    // user who knows the module) asserts DDR3 or DDR4. Used only when identification finds
    // SpdKind::Unknown; contents naming another type throw RefusedError. DDR4 is believed only
    // when every other SPD device on the bus is DDR4 and an EE1004 answers RPA (a read at 0x36;
    // nothing is written to 0x30-0x37 to find out).
    SpdDevice(Bus& bus, std::uint8_t addr, SpdKind assumed);
    ~SpdDevice(); // restores EE1004 page 0 if this object switched pages (never throws)

    SpdKind kind() const noexcept;
    std::uint8_t addr() const noexcept;
    std::size_t size() const noexcept; // 256 (DDR3) or 512 (DDR4); 1024 DDR5 (read only)

    Image read(const Progress& progress = {});

    // Writes `target` (must be size() bytes and match kind(), else RefusedError). Refuses with
    // RefusedError naming the blocks when a target page lies in a protected block. Pages that
    // differ are written with page writes + ACK polling (bounded), then the whole device is read
    // back once and compared; differing pages are retried. EE1004 page 0 is restored on every
    // exit path.
    WriteResult write(const Image& target, const WriteOptions& opts = {});

    // Write-protection status per block: EE1004 blocks 0-3 via RPS0-3 (true = protected);
    // DDR3: one block (bytes 0-127, RSWP, needs VHV to read: returns nullopt without) and PSWP.
    std::vector<std::optional<bool>> protection(bool vhv_confirmed = false);
    bool permanent_protection(); // DDR3 PSWP status (read probe at 0x30|n); false on DDR4
    // SWPn for each block in the mask / CWP. Require vhv_confirmed (else RefusedError explaining
    // the 7-10 V on SA0 requirement). Never sets DDR3 PSWP.
    void set_protection(unsigned block_mask, bool vhv_confirmed);
    void clear_protection(bool vhv_confirmed);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ddrspd
