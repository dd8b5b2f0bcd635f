// SPDX-License-Identifier: GPL-2.0-or-later
// Seeded fault injection around any Bus (emulated or real), for tests and fault campaigns.
//
// Spec grammar, for tools: "fault:OPT,OPT,...:INNER-SPEC", e.g.
//   fault:seed=7,nack_nth=12:emu:ddr4@0x50=m.bin
// OPT: seed=N, nack_nth=N (NACK the Nth transfer, 1-based), nack_p=P (probability),
//      eagain_p=P (arbitration lost), timeout_p=P (ETIMEDOUT), flip_p=P (one bit flipped in a
//      read byte), vanish_nth=N (device gone from transfer N on: it NACKs everything; a write
//      in flight is cut after half its data), slow_twr_us=N (emulated write cycle set to N),
//      vanish_addr=ADDR (the device that vanishes at vanish_nth; default: that transfer's),
//      kill_nth=N (the process is killed by SIGKILL instead of doing transfer N: a tool killed
//      between two transfers; an emulated bus inside is closed first, writing its images back
//      as a real EEPROM keeps what it was sent).
// A transfer is one call of write, write_read or read. Injected NACKs, EAGAIN and ETIMEDOUT
// are thrown before the inner bus sees the transfer.
#pragma once

#include <ddrspd/bus.hpp>
#include <ddrspd/emulator.hpp>

#include <cstdint>
#include <memory>
#include <string_view>

namespace ddrspd {

struct FaultPlan {
    std::uint64_t seed = 1;
    std::uint64_t nack_nth = 0; // 0 = off
    double nack_p = 0;
    double eagain_p = 0;
    double timeout_p = 0;
    double flip_p = 0;
    std::uint64_t vanish_nth = 0;  // 0 = off
    int vanish_addr = -1;          // -1 = the address of transfer vanish_nth
    std::uint32_t slow_twr_us = 0; // 0 = off (needs an EmulatedBus inside)
    std::uint64_t kill_nth = 0;    // 0 = off
};

FaultPlan parse_fault_plan(std::string_view opts); // "seed=7,nack_nth=12"; UsageError

class FaultBus : public Bus {
public:
    FaultBus(std::unique_ptr<Bus> inner, FaultPlan plan);
    ~FaultBus() override;

    Bus& inner() noexcept;
    std::uint64_t transfers() const noexcept; // transfers seen so far
    std::uint64_t faults_injected() const noexcept;

    void write(std::uint8_t addr, std::span<const std::uint8_t> data) override;
    void write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                    std::span<std::uint8_t> rd) override;
    void read(std::uint8_t addr, std::span<std::uint8_t> rd) override;
    const AdapterCaps& caps() const override;
    std::string describe() const override;
    Clock& clock() override;
    std::optional<BusStats> stats() const override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ddrspd
