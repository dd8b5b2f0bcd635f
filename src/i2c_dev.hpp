// SPDX-License-Identifier: GPL-2.0-or-later
// Internal: the Linux i2c-dev backend (/dev/i2c-N) and the sysfs lookups around it.
// Kernel headers stay in i2c_dev.cpp; this header is plain C++.
//
// sysfs is read below $DDRSPD_SYSFS_ROOT when set (tests), else below /sys.
#pragma once

#include "bus_lock.hpp"

#include <ddrspd/bus.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ddrspd {

std::filesystem::path sysfs_root();

struct I2cAdapter {
    int number = -1;
    std::string name; // /sys/class/i2c-adapter/i2c-N/name, trailing newline removed
};

// The adapters sysfs lists, by number (empty when sysfs has none).
std::vector<I2cAdapter> list_i2c_adapters();

// "1", "/dev/i2c-1" or an adapter name (exact match) -> bus number.
// Throws UsageError naming the spec (and listing the adapters when a name matches none).
int resolve_i2c_bus(std::string_view spec);

// The kernel driver bound to addr on bus N, from the <sysfs>/bus/i2c/devices/N-00AA/driver link.
std::optional<std::string> bound_driver(int bus, int addr);

// What an i2c-dev call was doing when it failed, for the errno mapping.
enum class I2cOp {
    open,     // open("/dev/i2c-N")
    funcs,    // I2C_FUNCS
    claim,    // I2C_SLAVE / I2C_SLAVE_FORCE
    transfer, // I2C_RDWR / I2C_SMBUS
};

// The one errno -> exception mapping of the backend. `bus_desc` is Bus::describe() (or the
// device path while opening), addr -1 when no device is involved, `what` the operation
// ("read of 32 bytes"). NACKs (ENXIO, EREMOTEIO, EIO) become NackError; everything else
// BusError with strerror and a hint where one helps (ENOENT, EACCES, EBUSY).
[[noreturn]] void throw_i2c_error(int err, I2cOp op, int bus, const std::string& bus_desc, int addr,
                                  std::string_view what);

// A bus on /dev/i2c-N. Full-I2C adapters (Raspberry Pi bcm2835/RP1, i2c-gpio) get I2C_RDWR
// combined transfers of up to 256 read bytes; SMBus-only adapters (PC i801/piix4) get the
// SMBus calls documented in bus.hpp. Not thread-safe.
class I2cDevBus final : public Bus {
public:
    // Opens /dev/i2c-N and reads its functionality. force: I2C_SLAVE_FORCE instead of
    // I2C_SLAVE. lock, when given, is held until the bus is destroyed.
    I2cDevBus(int bus, bool force, std::optional<BusLock> lock = std::nullopt);
    ~I2cDevBus() override;

    void write(std::uint8_t addr, std::span<const std::uint8_t> data) override;
    void write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                    std::span<std::uint8_t> rd) override;
    void read(std::uint8_t addr, std::span<std::uint8_t> rd) override;
    const AdapterCaps& caps() const override { return caps_; }
    std::string describe() const override { return desc_; }
    Clock& clock() override { return system_clock(); }

    int number() const noexcept { return bus_; }
    unsigned long functionality() const noexcept { return funcs_; } // I2C_FUNCS mask

private:
    void claim(std::uint8_t addr);
    [[noreturn]] void fail(int err, int addr, std::string_view what) const;
    void require(unsigned long func, std::uint8_t addr, std::string_view what) const;
    void check_size(std::size_t n, std::size_t max, std::string_view what) const;
    void rdwr_write(std::uint8_t addr, std::span<const std::uint8_t> data);
    void smbus_write(std::uint8_t addr, std::span<const std::uint8_t> data);
    void smbus_write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                          std::span<std::uint8_t> rd);
    void smbus_receive(std::uint8_t addr, std::span<std::uint8_t> rd);

    std::optional<BusLock> lock_; // first member: released after the device is closed
    int bus_;
    bool force_;
    int fd_ = -1;
    int claimed_ = -1; // address of the last successful I2C_SLAVE
    unsigned long funcs_ = 0;
    AdapterCaps caps_;
    std::string desc_;
};

} // namespace ddrspd
