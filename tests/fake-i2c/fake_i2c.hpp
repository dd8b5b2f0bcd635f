// SPDX-License-Identifier: GPL-2.0-or-later
// A fake Linux i2c-dev adapter (/dev/i2c-N) for tests, served by any ddrspd::Bus (normally an
// EmulatedBus) through umockdev's LD_PRELOAD ioctl handlers.
//
// Programs under libumockdev-preload open /dev/i2c-N as usual; their I2C_FUNCS, I2C_SLAVE(_FORCE),
// I2C_RDWR, I2C_SMBUS ioctls and plain read()/write() reach this process's handler thread,
// which replays them on the backend bus the way an adapter driver would: full-I2C adapters
// (like i2c-bcm2835) take combined messages, SMBus-only adapters (like i2c-i801) refuse what
// their functionality mask lacks with EOPNOTSUPP. NACKs come back as the adapter's errno
// (bcm2835: EREMOTEIO, i801: ENXIO). sysfs gets /sys/class/i2c-adapter/i2c-N/name and, for
// addresses marked busy, /sys/bus/i2c/devices/N-00AA/driver (I2C_SLAVE then fails with EBUSY).
//
// Only dynamically linked glibc programs see the fake (no static binaries, no raw syscall()).
// The emulated chips run in simulated time; the fake advances it to keep up with wall-clock
// time between transfers, so a write cycle lasts as long for the program as on hardware.
#pragma once

#include <ddrspd/bus.hpp>

#include <map>
#include <memory>
#include <string>

namespace fakei2c {

struct AdapterConfig {
    int bus = 1;
    std::string name;                // /sys/class/i2c-adapter/i2c-N/name
    unsigned long funcs = 0;         // I2C_FUNCS mask
    int nack_errno = 0;              // errno of an address or data NACK
    std::map<int, std::string> busy; // address -> kernel driver bound there
    bool deny = false; // device node mode 000: EACCES for programs without CAP_DAC_OVERRIDE
};

// Raspberry Pi 0-4: I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL, NACK = EREMOTEIO.
AdapterConfig bcm2835_adapter(int bus);
// PC SMBus controller: quick, byte, byte data, word data, I2C block; no I2C_FUNC_I2C;
// NACK = ENXIO.
AdapterConfig i801_adapter(int bus);

// A umockdev testbed: a private /sys and /dev for programs under libumockdev-preload. Sets
// $UMOCKDEV_DIR while it lives (children inherit it).
class Testbed {
public:
    Testbed();
    ~Testbed();
    Testbed(const Testbed&) = delete;
    Testbed& operator=(const Testbed&) = delete;

    std::string root() const;                     // the directory behind /sys and /dev
    void* handle() const noexcept { return tb_; } // UMockdevTestbed*

private:
    void* tb_;
};

class FakeAdapter {
public:
    // Creates /dev/i2c-N and its sysfs entries in testbed and serves them from backend.
    // backend and testbed must outlive the adapter.
    FakeAdapter(Testbed& testbed, AdapterConfig config, ddrspd::Bus& backend);
    ~FakeAdapter();
    FakeAdapter(const FakeAdapter&) = delete;
    FakeAdapter& operator=(const FakeAdapter&) = delete;

    // Reconfiguration between transfers (never while a program is mid-transfer).
    void set_funcs(unsigned long funcs);
    void set_nack_errno(int err);
    void set_busy(int addr, const std::string& driver); // also writes the sysfs driver link
    void clear_busy(int addr);
    void fail_next(int err, unsigned count = 1); // the next transfers fail with -err

    // How often each kernel interface was used: "I2C_RDWR", "I2C_SLAVE", "I2C_SLAVE_FORCE",
    // "I2C_FUNCS", "SMBUS_QUICK", "SMBUS_BYTE_READ", "SMBUS_BYTE_DATA_WRITE",
    // "SMBUS_WORD_DATA_WRITE", "SMBUS_I2C_BLOCK_READ", "read()", "write()", ...
    std::map<std::string, unsigned> counts() const;
    void reset_counts();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// True when libumockdev-preload is mapped into this process.
bool preload_active();

// Re-executes the program with libumockdev-preload in LD_PRELOAD unless it is already
// active. Returns only when it is; exits 77 (meson's "skipped") with a message on stderr
// when it cannot be loaded.
void ensure_preload(char** argv);

} // namespace fakei2c
