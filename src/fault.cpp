// SPDX-License-Identifier: GPL-2.0-or-later
#include "emu/spec.hpp"

#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <random>
#include <set>
#include <string>

#include <fmt/format.h>

namespace ddrspd {

namespace {

constexpr std::string_view fault_options = "seed, nack_nth, nack_p, eagain_p, timeout_p, flip_p, "
                                           "vanish_nth, vanish_addr, slow_twr_us, kill_nth";

[[noreturn]] void bad_option(std::string_view item, std::string_view why) {
    throw UsageError(fmt::format("fault option '{}': {}", item, why));
}

std::uint64_t parse_count(std::string_view item, std::string_view value, std::uint64_t max) {
    auto n = emu::parse_number(value);
    if (!n || *n > max) {
        bad_option(item, fmt::format("'{}' is not a number in 0..{}", value, max));
    }
    return *n;
}

double parse_probability(std::string_view item, std::string_view value) {
    std::string text(value);
    char* end = nullptr;
    double p = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(p >= 0.0 && p <= 1.0)) {
        bad_option(item, fmt::format("'{}' is not a probability in 0..1", value));
    }
    return p;
}

std::string format_plan(const FaultPlan& p) {
    std::string s = fmt::format("seed={}", p.seed);
    auto add = [&s](std::string_view key, auto value, bool on) {
        if (on) {
            s += fmt::format(",{}={}", key, value);
        }
    };
    add("nack_nth", p.nack_nth, p.nack_nth != 0);
    add("nack_p", p.nack_p, p.nack_p > 0);
    add("eagain_p", p.eagain_p, p.eagain_p > 0);
    add("timeout_p", p.timeout_p, p.timeout_p > 0);
    add("flip_p", p.flip_p, p.flip_p > 0);
    add("vanish_nth", p.vanish_nth, p.vanish_nth != 0);
    add("vanish_addr", hex_addr(p.vanish_addr), p.vanish_addr >= 0);
    add("slow_twr_us", p.slow_twr_us, p.slow_twr_us != 0);
    add("kill_nth", p.kill_nth, p.kill_nth != 0);
    return s;
}

EmulatedBus* find_emulated(Bus& bus) {
    if (auto* emu = dynamic_cast<EmulatedBus*>(&bus)) {
        return emu;
    }
    if (auto* fault = dynamic_cast<FaultBus*>(&bus)) {
        return find_emulated(fault->inner());
    }
    return nullptr;
}

} // namespace

FaultPlan parse_fault_plan(std::string_view opts) {
    FaultPlan plan;
    while (!opts.empty()) {
        auto comma = opts.find(',');
        std::string_view item = opts.substr(0, comma);
        auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            bad_option(item, fmt::format("expected OPTION=VALUE (options: {})", fault_options));
        }
        std::string_view key = item.substr(0, eq);
        std::string_view value = item.substr(eq + 1);
        if (key == "seed") {
            plan.seed = parse_count(item, value, UINT64_MAX);
        } else if (key == "nack_nth") {
            plan.nack_nth = parse_count(item, value, UINT64_MAX);
        } else if (key == "nack_p") {
            plan.nack_p = parse_probability(item, value);
        } else if (key == "eagain_p") {
            plan.eagain_p = parse_probability(item, value);
        } else if (key == "timeout_p") {
            plan.timeout_p = parse_probability(item, value);
        } else if (key == "flip_p") {
            plan.flip_p = parse_probability(item, value);
        } else if (key == "vanish_nth") {
            plan.vanish_nth = parse_count(item, value, UINT64_MAX);
        } else if (key == "vanish_addr") {
            plan.vanish_addr = static_cast<int>(parse_count(item, value, 0x7F));
        } else if (key == "kill_nth") {
            plan.kill_nth = parse_count(item, value, UINT64_MAX);
        } else if (key == "slow_twr_us") {
            plan.slow_twr_us = static_cast<std::uint32_t>(parse_count(item, value, 10000000));
        } else {
            bad_option(item, fmt::format("unknown option '{}' (options: {})", key, fault_options));
        }
        if (comma == std::string_view::npos) {
            break;
        }
        opts.remove_prefix(comma + 1);
        if (opts.empty()) {
            bad_option("", "empty option after a trailing comma");
        }
    }
    return plan;
}

struct FaultBus::Impl {
    std::unique_ptr<Bus> inner;
    FaultPlan plan;
    std::mt19937_64 rng;
    EmulatedBus* emu = nullptr;
    std::uint64_t transfers = 0;
    std::uint64_t faults = 0;
    std::set<int> vanished; // addresses we NACK ourselves (the inner bus cannot unplug them)

    double uniform() { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
    bool draw(double p) { return p > 0 && uniform() < p; }

    std::string describe() const {
        return fmt::format("fault:{}:{}", format_plan(plan), inner->describe());
    }

    int nack_errno() const { return inner->caps().full_i2c ? EREMOTEIO : ENXIO; }

    // An injected error still costs the address phase on the wire (START, 9 clocks, STOP:
    // about 110 us at 100 kHz). Without it a NACK would take no simulated time and a poller
    // that retries back to back until a deadline would never reach it.
    void charge_address_phase() const {
        if (emu != nullptr) {
            emu->clock().sleep_us(110);
        }
    }

    [[noreturn]] void nack(std::uint8_t addr, const std::string& why) const {
        charge_address_phase();
        throw NackError(fmt::format("no device answered at {} on {} (injected fault: {})",
                                    hex_addr(addr), describe(), why),
                        nack_errno(), addr);
    }

    // The device at `who` disappears (its module unplugged). A plain write to it that is in
    // flight is cut after half its bytes, which the EEPROM programs: a half-written page.
    void vanish(std::uint8_t addr, std::span<const std::uint8_t> write_data) {
        int who = plan.vanish_addr >= 0 ? plan.vanish_addr : addr;
        ++faults;
        std::string cut;
        if (who == addr && emu != nullptr && write_data.size() >= 2) {
            std::size_t half = (write_data.size() + 1) / 2;
            try {
                inner->write(addr, write_data.first(half));
                cut = fmt::format(", write cut after {} of {} bytes", half, write_data.size());
            } catch (const NackError&) {
                cut = ", write not accepted";
            }
        }
        bool unplugged = false;
        if (emu != nullptr) {
            try {
                emu->set_present(static_cast<std::uint8_t>(who), false);
                unplugged = true;
            } catch (const UsageError&) {
                // not a device's base address: NACK it here instead
            }
        }
        if (!unplugged) {
            vanished.insert(who);
        }
        if (who == addr) {
            nack(addr, fmt::format("device vanished at transfer {}{}", transfers, cut));
        }
    }

    [[noreturn]] void kill_process() {
        if (emu != nullptr) {
            try {
                emu->close();
            } catch (...) { // NOLINT(bugprone-empty-catch): dying anyway, as a killed tool would
            }
        }
        std::raise(SIGKILL);
        std::abort(); // not reached: SIGKILL cannot be caught
    }

    void before(std::uint8_t addr, std::span<const std::uint8_t> write_data) {
        std::uint64_t n = ++transfers;
        if (plan.kill_nth != 0 && n == plan.kill_nth) {
            kill_process();
        }
        if (plan.vanish_nth != 0 && n == plan.vanish_nth) {
            vanish(addr, write_data);
        }
        if (vanished.count(addr) != 0) {
            nack(addr, fmt::format("device gone since transfer {}", plan.vanish_nth));
        }
        if (plan.nack_nth != 0 && n == plan.nack_nth) {
            ++faults;
            nack(addr, fmt::format("NACK on transfer {}", n));
        }
        if (draw(plan.nack_p)) {
            ++faults;
            nack(addr, fmt::format("random NACK on transfer {}", n));
        }
        if (draw(plan.eagain_p)) {
            ++faults;
            charge_address_phase();
            throw BusError(fmt::format("arbitration lost at {} on {} (injected fault on transfer "
                                       "{})",
                                       hex_addr(addr), describe(), n),
                           EAGAIN, addr);
        }
        if (draw(plan.timeout_p)) {
            ++faults;
            charge_address_phase();
            throw BusError(fmt::format("transfer to {} on {} timed out (injected fault on "
                                       "transfer {})",
                                       hex_addr(addr), describe(), n),
                           ETIMEDOUT, addr);
        }
    }

    void after_read(std::span<std::uint8_t> rd) {
        if (rd.empty() || !draw(plan.flip_p)) {
            return;
        }
        ++faults;
        const auto index = static_cast<std::size_t>(rng() % rd.size());
        rd[index] = static_cast<std::uint8_t>(rd[index] ^ 1U << (rng() % 8));
    }
};

FaultBus::FaultBus(std::unique_ptr<Bus> inner, FaultPlan plan) : impl_(std::make_unique<Impl>()) {
    if (!inner) {
        throw UsageError("fault: no inner bus");
    }
    impl_->inner = std::move(inner);
    impl_->plan = plan;
    impl_->rng.seed(plan.seed);
    impl_->emu = find_emulated(*impl_->inner);
    for (double p : {plan.nack_p, plan.eagain_p, plan.timeout_p, plan.flip_p}) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw UsageError(fmt::format("fault: probability {} is not in 0..1", p));
        }
    }
    if (plan.slow_twr_us != 0) {
        if (impl_->emu == nullptr) {
            throw UsageError(fmt::format("fault option slow_twr_us needs an emulated bus inside "
                                         "(emu:...), not {}",
                                         impl_->inner->describe()));
        }
        impl_->emu->set_twr_us(plan.slow_twr_us);
    }
}

FaultBus::~FaultBus() = default;

Bus& FaultBus::inner() noexcept {
    return *impl_->inner;
}
std::uint64_t FaultBus::transfers() const noexcept {
    return impl_->transfers;
}
std::uint64_t FaultBus::faults_injected() const noexcept {
    return impl_->faults;
}

void FaultBus::write(std::uint8_t addr, std::span<const std::uint8_t> data) {
    impl_->before(addr, data);
    impl_->inner->write(addr, data);
}

void FaultBus::write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                          std::span<std::uint8_t> rd) {
    impl_->before(addr, {});
    impl_->inner->write_read(addr, wr, rd);
    impl_->after_read(rd);
}

void FaultBus::read(std::uint8_t addr, std::span<std::uint8_t> rd) {
    impl_->before(addr, {});
    impl_->inner->read(addr, rd);
    impl_->after_read(rd);
}

const AdapterCaps& FaultBus::caps() const {
    return impl_->inner->caps();
}
std::string FaultBus::describe() const {
    return impl_->describe();
}
Clock& FaultBus::clock() {
    return impl_->inner->clock();
}
std::optional<BusStats> FaultBus::stats() const {
    return impl_->inner->stats();
}

} // namespace ddrspd
