// SPDX-License-Identifier: GPL-2.0-or-later
// Bus specs -> buses: "1", "/dev/i2c-1", an adapter name, "emu:...", "fault:OPTS:INNER".
#include "bus_lock.hpp"
#include "i2c_dev.hpp"

#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>
#include <ddrspd/open.hpp>

#include <utility>
#include <vector>

#include <fmt/format.h>

namespace ddrspd {

namespace {

// Holds the locks of an emulated bus for as long as the bus lives. The bus is destroyed
// (and its images written back) before the locks are released.
class LockedBus final : public Bus {
public:
    LockedBus(std::vector<BusLock> locks, std::unique_ptr<Bus> inner)
        : locks_(std::move(locks)), inner_(std::move(inner)) {}
    ~LockedBus() override { inner_.reset(); }

    Bus& inner() noexcept { return *inner_; }
    // Puts a decorator between the locks and the bus.
    template <typename Wrap>
    void wrap(Wrap&& wrap_inner) {
        inner_ = wrap_inner(std::move(inner_));
    }

    void write(std::uint8_t addr, std::span<const std::uint8_t> data) override {
        inner_->write(addr, data);
    }
    void write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                    std::span<std::uint8_t> rd) override {
        inner_->write_read(addr, wr, rd);
    }
    void read(std::uint8_t addr, std::span<std::uint8_t> rd) override { inner_->read(addr, rd); }
    bool probe(std::uint8_t addr) override { return inner_->probe(addr); }
    const AdapterCaps& caps() const override { return inner_->caps(); }
    std::string describe() const override { return inner_->describe(); }
    Clock& clock() override { return inner_->clock(); }
    std::optional<BusStats> stats() const override { return inner_->stats(); }

private:
    std::vector<BusLock> locks_;
    std::unique_ptr<Bus> inner_;
};

std::vector<BusLock> take_locks(const std::vector<std::string>& names, std::string_view guarded,
                                const OpenOptions& opts) {
    std::vector<BusLock> locks;
    if (!opts.lock)
        return locks;
    for (const auto& name : names)
        locks.push_back(BusLock::acquire(name, opts.lock_timeout_ms, guarded));
    return locks;
}

// Grammar errors from the emulator/fault parsers name the item; add the whole spec.
[[noreturn]] void rethrow_usage(std::string_view spec, const UsageError& e) {
    throw UsageError(fmt::format("bus spec '{}': {}", spec, e.what()));
}

std::unique_ptr<Bus> open_emu(std::string_view spec, const OpenOptions& opts) {
    std::vector<std::string> names;
    try {
        names = emu_lock_names(spec);
    } catch (const UsageError& e) {
        rethrow_usage(spec, e);
    }
    // Lock before loading: another process may be in the middle of rewriting the image.
    auto locks = take_locks(names, spec, opts);
    std::unique_ptr<Bus> bus;
    try {
        bus = EmulatedBus::from_spec(spec);
    } catch (const UsageError& e) {
        rethrow_usage(spec, e);
    }
    if (locks.empty())
        return bus;
    return std::make_unique<LockedBus>(std::move(locks), std::move(bus));
}

std::unique_ptr<Bus> open_fault(std::string_view spec, const OpenOptions& opts) {
    const std::string_view rest = spec.substr(std::string_view("fault:").size());
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos || colon + 1 == rest.size())
        throw UsageError(fmt::format("bus spec '{}': expected fault:OPTS:INNER, e.g. "
                                     "fault:seed=7,nack_nth=12:emu:ddr4@0x50=m.bin",
                                     spec));
    FaultPlan plan;
    try {
        plan = parse_fault_plan(rest.substr(0, colon));
    } catch (const UsageError& e) {
        rethrow_usage(spec, e);
    }
    auto inner = open_bus(rest.substr(colon + 1), opts);
    // FaultBus looks for an EmulatedBus inside (slow_twr_us): hand it the bare bus and keep
    // the locks outside.
    const auto with_faults = [&plan](std::unique_ptr<Bus> bus) -> std::unique_ptr<Bus> {
        return std::make_unique<FaultBus>(std::move(bus), plan);
    };
    if (auto* locked = dynamic_cast<LockedBus*>(inner.get())) {
        locked->wrap(with_faults);
        return inner;
    }
    return with_faults(std::move(inner));
}

} // namespace

std::unique_ptr<Bus> open_bus(std::string_view spec, const OpenOptions& opts) {
    if (spec.starts_with("fault:"))
        return open_fault(spec, opts);
    if (spec.starts_with("emu:"))
        return open_emu(spec, opts);
    const int bus = resolve_i2c_bus(spec);
    std::optional<BusLock> lock;
    if (opts.lock)
        lock = BusLock::acquire(i2c_lock_name(bus), opts.lock_timeout_ms,
                                fmt::format("/dev/i2c-{}", bus));
    return std::make_unique<I2cDevBus>(bus, opts.force, std::move(lock));
}

void close_bus(Bus& bus) {
    if (auto* locked = dynamic_cast<LockedBus*>(&bus))
        close_bus(locked->inner());
    else if (auto* fault = dynamic_cast<FaultBus*>(&bus))
        close_bus(fault->inner());
    else if (auto* emu = dynamic_cast<EmulatedBus*>(&bus))
        emu->close();
}

} // namespace ddrspd
