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
//
// The lock (opts.lock) is an flock() on DIR/ddrspd-i2c-N.lock for /dev/i2c-N, and on one
// DIR/ddrspd-emu-NAME-HASH.lock per image file of an emu: spec (none without files), held
// until the Bus is destroyed; a timeout throws BusError naming the file and its holder's pid.
// Environment: DDRSPD_LOCK_DIR sets DIR (default /run/lock, or /tmp when that is not
// writable); DDRSPD_SYSFS_ROOT replaces /sys for adapter names and bound drivers (tests).
std::unique_ptr<Bus> open_bus(std::string_view spec, const OpenOptions& opts = {});

// Closes cleanly: for an emulated bus (possibly inside fault:) writes changed images back.
void close_bus(Bus& bus);

} // namespace ddrspd
