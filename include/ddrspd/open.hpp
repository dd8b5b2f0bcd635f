// SPDX-License-Identifier: GPL-2.0-or-later
// Opening a bus from a user's spec.
#pragma once

#include <ddrspd/bus.hpp>

#include <memory>
#include <string_view>

namespace ddrspd {

struct OpenOptions {
    bool force = false;        // I2C_SLAVE_FORCE when a kernel driver owns the address
    bool lock = true;          // take the per-bus advisory lock for the lifetime of the Bus
    unsigned lock_timeout_ms = 10000;
};

// Accepted specs: "1", "/dev/i2c-1", an adapter name from /sys/class/i2c-adapter/*/name
// (exact match), "emu:..." (see emulator.hpp), "fault:OPTS:INNER" (see fault.hpp).
// Throws UsageError for malformed specs, BusError/FileError with a hint when the bus cannot
// be opened (ENOENT: dtparam=i2c_arm=on + modprobe i2c-dev; EACCES: i2c group/udev rule).
std::unique_ptr<Bus> open_bus(std::string_view spec, const OpenOptions& opts = {});

// Closes cleanly: for an emulated bus (possibly inside fault:) writes changed images back.
void close_bus(Bus& bus);

} // namespace ddrspd
