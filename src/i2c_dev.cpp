// SPDX-License-Identifier: GPL-2.0-or-later
// The only file in ddrspd that includes kernel headers (and libi2c).
#include "i2c_dev.hpp"

#include <ddrspd/error.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/ioctl.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>

extern "C" { // i2c-tools 4.3's header has no C++ guard
#include <i2c/smbus.h>
}

namespace ddrspd {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kRdwrMaxRead = 256;
// A 256-byte page (24cm02) behind a 2-byte word address.
constexpr std::size_t kRdwrMaxWrite = 256 + 2;
constexpr std::size_t kSmbusBlockMax = I2C_SMBUS_BLOCK_MAX;

struct FuncName {
    unsigned long bit;
    std::string_view name;
};

constexpr std::array kFuncNames = {
    FuncName{I2C_FUNC_I2C, "I2C_FUNC_I2C"},
    FuncName{I2C_FUNC_SMBUS_QUICK, "I2C_FUNC_SMBUS_QUICK"},
    FuncName{I2C_FUNC_SMBUS_READ_BYTE, "I2C_FUNC_SMBUS_READ_BYTE"},
    FuncName{I2C_FUNC_SMBUS_WRITE_BYTE, "I2C_FUNC_SMBUS_WRITE_BYTE"},
    FuncName{I2C_FUNC_SMBUS_READ_BYTE_DATA, "I2C_FUNC_SMBUS_READ_BYTE_DATA"},
    FuncName{I2C_FUNC_SMBUS_WRITE_BYTE_DATA, "I2C_FUNC_SMBUS_WRITE_BYTE_DATA"},
    FuncName{I2C_FUNC_SMBUS_READ_WORD_DATA, "I2C_FUNC_SMBUS_READ_WORD_DATA"},
    FuncName{I2C_FUNC_SMBUS_WRITE_WORD_DATA, "I2C_FUNC_SMBUS_WRITE_WORD_DATA"},
    FuncName{I2C_FUNC_SMBUS_READ_I2C_BLOCK, "I2C_FUNC_SMBUS_READ_I2C_BLOCK"},
    FuncName{I2C_FUNC_SMBUS_WRITE_I2C_BLOCK, "I2C_FUNC_SMBUS_WRITE_I2C_BLOCK"},
};

// "I2C_FUNC_SMBUS_WRITE_BYTE_DATA or I2C_FUNC_SMBUS_WRITE_I2C_BLOCK"
std::string func_names(unsigned long mask) {
    std::string out;
    for (const auto& f : kFuncNames) {
        if ((mask & f.bit) == 0)
            continue;
        if (!out.empty())
            out += " or ";
        out += f.name;
    }
    return out;
}

std::optional<std::string> read_first_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line))
        return std::nullopt;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    return line;
}

// Decimal digits only, without sign or spaces; small enough to be a bus number.
std::optional<int> parse_bus_number(std::string_view text) {
    if (text.empty() || text.size() > 6)
        return std::nullopt;
    int n = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

std::string adapter_list() {
    const auto adapters = list_i2c_adapters();
    if (adapters.empty())
        return fmt::format("sysfs lists no I2C adapters in {}",
                           (sysfs_root() / "class/i2c-adapter").string());
    std::string out = "adapters:";
    for (const auto& a : adapters)
        out += fmt::format(" {} \"{}\"", a.number, a.name);
    return out;
}

std::string sysfs_client(int bus, int addr) {
    return fmt::format("{}-{:04x}", bus, addr);
}

// Why I2C_SLAVE said EBUSY, and what the user can do about it.
std::string busy_message(int bus, const std::string& bus_desc, int addr) {
    const std::string client = sysfs_client(bus, addr);
    const auto driver = bound_driver(bus, addr);
    std::string msg;
    bool ee1004 = false;
    if (driver == "dummy") {
        // ee1004 registers placeholder clients at its page-select addresses 0x36/0x37; they
        // disappear with the ee1004 devices, not by unbinding "dummy".
        std::string unbind;
        for (int spd = 0x50; spd <= 0x57; ++spd) {
            if (bound_driver(bus, spd) == "ee1004")
                unbind += fmt::format("{}echo {} > /sys/bus/i2c/drivers/ee1004/unbind",
                                      unbind.empty() ? "" : "; ", sysfs_client(bus, spd));
        }
        msg = fmt::format("{} on {} is reserved by the kernel (a \"dummy\" client; the ee1004 "
                          "driver holds 0x36/0x37 for SPD page selection); ",
                          hex_addr(addr), bus_desc);
        msg += unbind.empty() ? fmt::format("unbind the driver that registered it first (see "
                                            "/sys/bus/i2c/devices/{})",
                                            client)
                              : fmt::format("unbind ee1004 from the SPD EEPROMs first: {}", unbind);
        ee1004 = true;
    } else if (driver) {
        msg = fmt::format("{} on {} is in use by the kernel driver {}; unbind it first: echo {} > "
                          "/sys/bus/i2c/drivers/{}/unbind (rebind later by writing the same "
                          "name to .../{}/bind)",
                          hex_addr(addr), bus_desc, *driver, client, *driver, *driver);
        ee1004 = *driver == "ee1004";
    } else {
        msg = fmt::format("{} on {} is in use by a kernel driver (see /sys/bus/i2c/devices/{}); "
                          "unbind it first",
                          hex_addr(addr), bus_desc, client);
        ee1004 = (addr >= 0x50 && addr <= 0x57) || addr == 0x36 || addr == 0x37;
    }
    msg += ", or force access with --force (I2C_SLAVE_FORCE), which races with the driver";
    if (ee1004)
        msg += "; forcing past ee1004 desynchronises its cached SPD page (the kernel then reads "
               "the wrong page until the driver is reloaded)";
    return msg;
}

// -errno from libi2c, errno from ioctl(): both normalised to a positive errno or 0.
int rdwr(int fd, i2c_msg* msgs, unsigned n) {
    i2c_rdwr_ioctl_data data{msgs, n};
    const int ret = ::ioctl(fd, I2C_RDWR, &data);
    if (ret < 0)
        return errno;
    // The kernel returns the number of messages transferred; fewer means the rest never ran.
    return static_cast<unsigned>(ret) == n ? 0 : EIO;
}

} // namespace

fs::path sysfs_root() {
    if (const char* env = std::getenv("DDRSPD_SYSFS_ROOT"); env != nullptr && *env != '\0')
        return env;
    return "/sys";
}

std::vector<I2cAdapter> list_i2c_adapters() {
    std::vector<I2cAdapter> out;
    std::error_code ec;
    for (fs::directory_iterator it(sysfs_root() / "class/i2c-adapter", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string entry = it->path().filename().string();
        if (!entry.starts_with("i2c-"))
            continue;
        const auto number = parse_bus_number(std::string_view(entry).substr(4));
        if (!number)
            continue;
        out.push_back({*number, read_first_line(it->path() / "name").value_or("")});
    }
    std::sort(out.begin(), out.end(),
              [](const I2cAdapter& a, const I2cAdapter& b) { return a.number < b.number; });
    return out;
}

int resolve_i2c_bus(std::string_view spec) {
    if (spec.empty())
        throw UsageError("empty bus spec: expected a bus number (1), /dev/i2c-N, an adapter name, "
                         "emu:... or fault:OPTS:INNER");
    if (auto n = parse_bus_number(spec))
        return *n;
    constexpr std::string_view dev_prefix = "/dev/i2c-";
    if (spec.starts_with(dev_prefix)) {
        if (auto n = parse_bus_number(spec.substr(dev_prefix.size())))
            return *n;
        throw UsageError(fmt::format("bus spec '{}': expected /dev/i2c-N with a decimal N", spec));
    }
    std::vector<int> matches;
    for (const auto& a : list_i2c_adapters())
        if (a.name == spec)
            matches.push_back(a.number);
    if (matches.size() == 1)
        return matches.front();
    if (matches.size() > 1)
        throw UsageError(fmt::format("bus spec '{}' names several adapters (buses {}); use the "
                                     "bus number",
                                     spec, fmt::join(matches, ", ")));
    throw UsageError(fmt::format("bus spec '{}' is not a bus number, /dev/i2c-N, adapter name "
                                 "(exact match), emu:... or fault:OPTS:INNER ({})",
                                 spec, adapter_list()));
}

std::optional<std::string> bound_driver(int bus, int addr) {
    std::error_code ec;
    const fs::path link =
        fs::read_symlink(sysfs_root() / "bus/i2c/devices" / sysfs_client(bus, addr) / "driver", ec);
    if (ec || link.filename().empty())
        return std::nullopt;
    return link.filename().string();
}

void throw_i2c_error(int err, I2cOp op, int bus, const std::string& bus_desc, int addr,
                     std::string_view what) {
    const std::string reason = std::strerror(err);
    // ENODEV: i2c-stub (and some SMBus drivers) for an address with no chip behind it.
    if (op == I2cOp::transfer &&
        (err == ENXIO || err == EREMOTEIO || err == EIO || err == ENODEV))
        throw NackError(fmt::format("no device answered at {} on {} ({}: {})", hex_addr(addr),
                                    bus_desc, what, reason),
                        err, addr);
    if (op == I2cOp::open && (err == ENOENT || err == ENODEV || err == ENXIO))
        throw BusError(fmt::format("cannot open {}: {}. On a Raspberry Pi enable the bus with "
                                   "dtparam=i2c_arm=on in /boot/firmware/config.txt (older "
                                   "systems: /boot/config.txt) and reboot; load the i2c-dev "
                                   "module with 'sudo modprobe i2c-dev' (list it in /etc/modules "
                                   "to load it at boot) ({})",
                                   bus_desc, reason, adapter_list()),
                       err, -1);
    if (op == I2cOp::open && (err == EACCES || err == EPERM))
        throw BusError(fmt::format("cannot open {}: {}. Run as root, or add your user to the i2c "
                                   "group ('sudo usermod -aG i2c $USER', then log in again); "
                                   "where there is no such group, a udev rule creates it: "
                                   "SUBSYSTEM==\"i2c-dev\", GROUP=\"i2c\", MODE=\"0660\" in "
                                   "/etc/udev/rules.d/60-i2c.rules",
                                   bus_desc, reason),
                       err, -1);
    if (op == I2cOp::funcs && (err == ENOTTY || err == EINVAL))
        throw BusError(fmt::format("{} is not an i2c-dev device (I2C_FUNCS: {})", bus_desc, reason),
                       err, -1);
    if (op == I2cOp::claim && err == EBUSY)
        throw BusError(busy_message(bus, bus_desc, addr), err, addr);
    if (addr >= 0)
        throw BusError(
            fmt::format("{} at {} on {} failed: {}", what, hex_addr(addr), bus_desc, reason), err,
            addr);
    throw BusError(fmt::format("{} on {} failed: {}", what, bus_desc, reason), err, -1);
}

I2cDevBus::I2cDevBus(int bus, bool force, std::optional<BusLock> lock)
    : lock_(std::move(lock)), bus_(bus), force_(force) {
    const std::string path = fmt::format("/dev/i2c-{}", bus);
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0)
        throw_i2c_error(errno, I2cOp::open, bus, path, -1, "open");
    desc_ = path;
    if (auto name = read_first_line(sysfs_root() / "class/i2c-adapter" /
                                    fmt::format("i2c-{}", bus) / "name");
        name && !name->empty())
        desc_ += fmt::format(" ({})", *name);

    if (::ioctl(fd_, I2C_FUNCS, &funcs_) < 0) {
        const int err = errno;
        ::close(fd_);
        throw_i2c_error(err, I2cOp::funcs, bus, desc_, -1, "I2C_FUNCS");
    }
    const auto has = [this](unsigned long bit) { return (funcs_ & bit) != 0; };
    caps_.full_i2c = has(I2C_FUNC_I2C);
    caps_.smbus_block_read = has(I2C_FUNC_SMBUS_READ_I2C_BLOCK);
    caps_.smbus_block_write = has(I2C_FUNC_SMBUS_WRITE_I2C_BLOCK);
    caps_.smbus_byte_data = (funcs_ & I2C_FUNC_SMBUS_BYTE_DATA) == I2C_FUNC_SMBUS_BYTE_DATA;
    caps_.smbus_byte = (funcs_ & I2C_FUNC_SMBUS_BYTE) == I2C_FUNC_SMBUS_BYTE;
    if (caps_.full_i2c) {
        caps_.max_read = kRdwrMaxRead;
        caps_.max_write = kRdwrMaxWrite;
        return;
    }
    const unsigned long reads = I2C_FUNC_SMBUS_READ_I2C_BLOCK | I2C_FUNC_SMBUS_READ_BYTE_DATA;
    if (!has(reads)) {
        ::close(fd_);
        throw BusError(fmt::format("{} cannot read EEPROMs: the adapter supports neither plain I2C "
                                   "transfers (lacks I2C_FUNC_I2C) nor SMBus reads with a word "
                                   "address (lacks {}); functionality 0x{:08x}",
                                   desc_, func_names(reads), funcs_),
                       EOPNOTSUPP, -1);
    }
    caps_.max_read = caps_.smbus_block_read ? kSmbusBlockMax : 1;
    caps_.max_write = caps_.smbus_block_write               ? kSmbusBlockMax + 1
                      : has(I2C_FUNC_SMBUS_WRITE_WORD_DATA) ? 3
                      : has(I2C_FUNC_SMBUS_WRITE_BYTE_DATA) ? 2
                      : has(I2C_FUNC_SMBUS_WRITE_BYTE)      ? 1
                                                            : 0;
}

I2cDevBus::~I2cDevBus() {
    if (fd_ >= 0)
        ::close(fd_);
}

void I2cDevBus::fail(int err, int addr, std::string_view what) const {
    throw_i2c_error(err, I2cOp::transfer, bus_, desc_, addr, what);
}

void I2cDevBus::require(unsigned long any_of, std::uint8_t addr, std::string_view what) const {
    if ((funcs_ & any_of) != 0)
        return;
    throw BusError(fmt::format("{} cannot do a {} at {}: the SMBus-only adapter lacks {} "
                               "(functionality 0x{:08x})",
                               desc_, what, hex_addr(addr), func_names(any_of), funcs_),
                   EOPNOTSUPP, addr);
}

// Beyond what the protocol can carry is the caller's mistake (UsageError). On SMBus adapters,
// sizes the protocol allows but this adapter lacks the transaction for get the BusError of
// require() instead, which names the missing functionality.
void I2cDevBus::check_size(std::size_t n, std::size_t max, std::string_view what) const {
    if (n > max)
        throw UsageError(fmt::format("{} of {} bytes exceeds the {}-byte limit per transfer of {}",
                                     what, n, max, desc_));
}

void I2cDevBus::claim(std::uint8_t addr) {
    if (addr > 0x7f)
        throw UsageError(
            fmt::format("{} is not a 7-bit I2C address (on {})", hex_addr(addr), desc_));
    if (claimed_ == addr)
        return;
    // I2C_RDWR would not need this (its messages carry the address and the kernel skips the
    // busy check), but claiming first means a bound kernel driver is never raced silently.
    const unsigned long request = force_ ? I2C_SLAVE_FORCE : I2C_SLAVE;
    if (::ioctl(fd_, request, static_cast<unsigned long>(addr)) < 0)
        throw_i2c_error(errno, I2cOp::claim, bus_, desc_, addr,
                        force_ ? "I2C_SLAVE_FORCE" : "I2C_SLAVE");
    claimed_ = addr;
}

void I2cDevBus::write(std::uint8_t addr, std::span<const std::uint8_t> data) {
    check_size(data.size(), caps_.full_i2c ? caps_.max_write : kSmbusBlockMax + 1, "write");
    claim(addr);
    if (caps_.full_i2c)
        rdwr_write(addr, data);
    else
        smbus_write(addr, data);
}

void I2cDevBus::write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                           std::span<std::uint8_t> rd) {
    if (wr.empty() || rd.empty())
        throw UsageError(fmt::format("random read at {} on {} needs a word address and at least "
                                     "one byte to read",
                                     hex_addr(addr), desc_));
    check_size(wr.size(), caps_.full_i2c ? caps_.max_write : kSmbusBlockMax + 1, "word address");
    check_size(rd.size(), caps_.full_i2c ? caps_.max_read : kSmbusBlockMax, "read");
    claim(addr);
    if (!caps_.full_i2c) {
        smbus_write_read(addr, wr, rd);
        return;
    }
    std::array<i2c_msg, 2> msgs{{
        {addr, 0, static_cast<__u16>(wr.size()), const_cast<std::uint8_t*>(wr.data())},
        {addr, I2C_M_RD, static_cast<__u16>(rd.size()), rd.data()},
    }};
    if (int err = rdwr(fd_, msgs.data(), 2))
        fail(err, addr,
             fmt::format("I2C_RDWR read of {} bytes at word address 0x{:02x}", rd.size(),
                         fmt::join(wr, "")));
}

void I2cDevBus::read(std::uint8_t addr, std::span<std::uint8_t> rd) {
    if (rd.empty())
        throw UsageError(fmt::format("read at {} on {} of zero bytes", hex_addr(addr), desc_));
    check_size(rd.size(), caps_.full_i2c ? caps_.max_read : kSmbusBlockMax, "read");
    claim(addr);
    if (!caps_.full_i2c) {
        smbus_receive(addr, rd);
        return;
    }
    i2c_msg msg{addr, I2C_M_RD, static_cast<__u16>(rd.size()), rd.data()};
    if (int err = rdwr(fd_, &msg, 1))
        fail(err, addr, fmt::format("I2C_RDWR read of {} bytes", rd.size()));
}

void I2cDevBus::rdwr_write(std::uint8_t addr, std::span<const std::uint8_t> data) {
    i2c_msg msg{addr, 0, static_cast<__u16>(data.size()), const_cast<std::uint8_t*>(data.data())};
    if (int err = rdwr(fd_, &msg, 1))
        fail(err, addr, fmt::format("I2C_RDWR write of {} bytes", data.size()));
}

// Each write shape maps to the one SMBus transaction that puts exactly those bytes on the wire.
void I2cDevBus::smbus_write(std::uint8_t addr, std::span<const std::uint8_t> data) {
    const auto has = [this](unsigned long bit) { return (funcs_ & bit) != 0; };
    const std::size_t n = data.size();
    int ret = 0;
    std::string what;
    if (n == 0) {
        require(I2C_FUNC_SMBUS_QUICK, addr, "quick write");
        what = "SMBus quick write";
        ret = i2c_smbus_write_quick(fd_, I2C_SMBUS_WRITE);
    } else if (n == 1) {
        require(I2C_FUNC_SMBUS_WRITE_BYTE, addr, "one-byte write (send byte)");
        what = "SMBus send byte";
        ret = i2c_smbus_write_byte(fd_, data[0]);
    } else if (n == 2 && has(I2C_FUNC_SMBUS_WRITE_BYTE_DATA)) {
        what = "SMBus write byte data";
        ret = i2c_smbus_write_byte_data(fd_, data[0], data[1]);
    } else if (n == 3 && !has(I2C_FUNC_SMBUS_WRITE_I2C_BLOCK) &&
               has(I2C_FUNC_SMBUS_WRITE_WORD_DATA)) {
        // SMBus words go low byte first: exactly data[1], data[2] on the wire.
        what = "SMBus write word data";
        ret = i2c_smbus_write_word_data(fd_, data[0], static_cast<__u16>(data[1] | (data[2] << 8)));
    } else {
        require(I2C_FUNC_SMBUS_WRITE_I2C_BLOCK | (n == 2 ? I2C_FUNC_SMBUS_WRITE_BYTE_DATA : 0UL) |
                    (n == 3 ? I2C_FUNC_SMBUS_WRITE_WORD_DATA : 0UL),
                addr, fmt::format("{}-byte write", n));
        what = fmt::format("SMBus I2C-block write of {} bytes", n - 1);
        ret =
            i2c_smbus_write_i2c_block_data(fd_, data[0], static_cast<__u8>(n - 1), data.data() + 1);
    }
    if (ret < 0)
        fail(-ret, addr, what);
}

void I2cDevBus::smbus_write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                                 std::span<std::uint8_t> rd) {
    if (wr.size() == 1) {
        if (rd.size() == 1 && (funcs_ & I2C_FUNC_SMBUS_READ_BYTE_DATA) != 0) {
            const int ret = i2c_smbus_read_byte_data(fd_, wr[0]);
            if (ret < 0)
                fail(-ret, addr, fmt::format("SMBus read byte data at {}", hex_addr(wr[0])));
            rd[0] = static_cast<std::uint8_t>(ret);
            return;
        }
        require(I2C_FUNC_SMBUS_READ_I2C_BLOCK, addr, fmt::format("{}-byte read", rd.size()));
        const std::string what =
            fmt::format("SMBus I2C-block read of {} bytes at {}", rd.size(), hex_addr(wr[0]));
        const int ret =
            i2c_smbus_read_i2c_block_data(fd_, wr[0], static_cast<__u8>(rd.size()), rd.data());
        if (ret < 0)
            fail(-ret, addr, what);
        if (static_cast<std::size_t>(ret) != rd.size())
            throw BusError(
                fmt::format("{} at {} on {} returned {} bytes", what, hex_addr(addr), desc_, ret),
                EPROTO, addr);
        return;
    }
    if (wr.size() == 2) {
        // The eeprog trick for 2-byte word addresses: "write byte data" puts both address
        // bytes on the wire without data (no write cycle), then receive-byte reads
        // sequentially. Not atomic: the bus lock keeps other ddrspd processes out meanwhile.
        require(I2C_FUNC_SMBUS_WRITE_BYTE_DATA, addr, "2-byte word address (write byte data)");
        require(I2C_FUNC_SMBUS_READ_BYTE, addr, "receive byte");
        const int ret = i2c_smbus_write_byte_data(fd_, wr[0], wr[1]);
        if (ret < 0)
            fail(-ret, addr,
                 fmt::format("SMBus write byte data (word address 0x{:02x}{:02x})", wr[0], wr[1]));
        smbus_receive(addr, rd);
        return;
    }
    throw BusError(fmt::format("{} cannot send a {}-byte word address before a read at {}: the "
                               "adapter is SMBus-only (lacks I2C_FUNC_I2C)",
                               desc_, wr.size(), hex_addr(addr)),
                   EOPNOTSUPP, addr);
}

void I2cDevBus::smbus_receive(std::uint8_t addr, std::span<std::uint8_t> rd) {
    require(I2C_FUNC_SMBUS_READ_BYTE, addr, "receive byte");
    for (auto& byte : rd) {
        const int ret = i2c_smbus_read_byte(fd_);
        if (ret < 0)
            fail(-ret, addr, "SMBus receive byte");
        byte = static_cast<std::uint8_t>(ret);
    }
}

} // namespace ddrspd
