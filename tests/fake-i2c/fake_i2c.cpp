// SPDX-License-Identifier: GPL-2.0-or-later
// The fake i2c-dev adapter. Test code: it includes the kernel's i2c headers to speak the
// ioctl ABI; the library itself keeps them in src/i2c_dev.cpp.
#include "fake_i2c.hpp"

#include <ddrspd/error.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <span>
#include <string_view>
#include <sys/stat.h>
#include <system_error>
#include <umockdev.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>

namespace fakei2c {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAddrKey = "fake-i2c-addr";
constexpr unsigned kAddrSet = 0x10000;   // marks "I2C_SLAVE was called" in the per-fd data
constexpr std::size_t kMaxMsgLen = 8192; // i2c-dev's limit per message

void complete(UMockdevIoctlClient* c, long res) {
    if (res < 0)
        umockdev_ioctl_client_complete(c, -1, static_cast<int>(-res));
    else
        umockdev_ioctl_client_complete(c, res, 0);
}

// Copies the client memory a pointer at `offset` of parent points to; nullptr on failure.
UMockdevIoctlData* resolve(UMockdevIoctlData* parent, std::size_t offset, std::size_t len) {
    GError* err = nullptr;
    UMockdevIoctlData* d = umockdev_ioctl_data_resolve(parent, offset, len, &err);
    if (d == nullptr)
        g_clear_error(&err);
    return d;
}

unsigned long raw_arg(UMockdevIoctlData* arg) {
    unsigned long raw = 0;
    std::memcpy(&raw, arg->data, std::min(sizeof raw, static_cast<std::size_t>(arg->data_len)));
    return raw;
}

std::uint8_t client_addr(UMockdevIoctlClient* c) {
    return static_cast<std::uint8_t>(GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(c), kAddrKey)) &
                                     0x7f);
}

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

std::string client_name(int bus, int addr) {
    return fmt::format("{}-{:04x}", bus, addr);
}

struct Msg {
    std::uint8_t addr;
    bool read;
    std::vector<std::uint8_t> data;
};

} // namespace

struct FakeAdapter::Impl {
    Testbed& tb;
    AdapterConfig cfg;
    ddrspd::Bus& backend;
    std::string devnode;
    UMockdevIoctlBase* handler = nullptr;

    mutable std::mutex mu;
    std::map<std::string, unsigned> counts;
    int fail_errno = 0;
    unsigned fail_count = 0;

    bool simulated = false; // backend runs on simulated time
    std::chrono::steady_clock::time_point wall0;
    std::uint64_t sim0 = 0;

    Impl(Testbed& t, AdapterConfig c, ddrspd::Bus& b)
        : tb(t), cfg(std::move(c)), backend(b), devnode(fmt::format("/dev/i2c-{}", cfg.bus)) {}

    fs::path sys() const { return fs::path(tb.root()) / "sys"; }

    void write_busy_link(int addr, const std::string& driver) const {
        const fs::path drivers = sys() / "bus/i2c/drivers" / driver;
        const fs::path dev = sys() / "bus/i2c/devices" / client_name(cfg.bus, addr);
        fs::create_directories(drivers);
        fs::create_directories(dev);
        std::error_code ec;
        fs::remove(dev / "driver", ec);
        fs::create_symlink(fs::path("../../drivers") / driver, dev / "driver");
    }

    // Moves simulated time forward by the wall time that passed since the previous call, so a
    // chip's write cycle takes (at least) real time for the program talking to the fake: a
    // program that waits 5 ms really sees a 5 ms write cycle end, however much simulated time
    // earlier transfers cost. (Keeping simulated >= wall time since the start instead made a
    // cycle after a long read end only after the read's simulated lead had passed in real
    // time, past the drivers' 25 ms polling bound.)
    void sync_clock() {
        if (!simulated)
            return;
        const auto now = std::chrono::steady_clock::now();
        const auto elapsed = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now - wall0).count());
        wall0 = now;
        if (elapsed > 0)
            backend.clock().sleep_us(elapsed);
    }

    // One transaction on the backend: 0 or -errno as the adapter driver would return it.
    long call(const std::function<void()>& op) {
        if (fail_count > 0) {
            --fail_count;
            return -fail_errno;
        }
        sync_clock();
        try {
            op();
            return 0;
        } catch (const ddrspd::NackError&) {
            return -cfg.nack_errno;
        } catch (const ddrspd::BusError& e) {
            return -(e.errno_value() > 0 ? e.errno_value() : EIO);
        } catch (const ddrspd::UsageError&) {
            return -EINVAL;
        } catch (const std::exception&) {
            return -EIO;
        }
    }

    long probe(std::uint8_t addr) {
        return call([&] {
            if (!backend.probe(addr))
                throw ddrspd::NackError("NACK", ENXIO, addr);
        });
    }

    // The message shapes a Bus can express; i2c-bcm2835 itself allows only one read message,
    // and only as the last one.
    long transfer(std::vector<Msg>& msgs) {
        if (msgs.size() == 1 && !msgs[0].read)
            return call([&] { backend.write(msgs[0].addr, msgs[0].data); });
        if (msgs.size() == 1 && msgs[0].data.empty())
            return probe(msgs[0].addr);
        if (msgs.size() == 1)
            return call([&] { backend.read(msgs[0].addr, msgs[0].data); });
        if (msgs.size() == 2 && !msgs[0].read && msgs[1].read && !msgs[0].data.empty() &&
            !msgs[1].data.empty() && msgs[0].addr == msgs[1].addr)
            return call([&] { backend.write_read(msgs[0].addr, msgs[0].data, msgs[1].data); });
        return -EOPNOTSUPP;
    }

    long ioctl_slave(UMockdevIoctlClient* c, unsigned long addr, bool force) {
        ++counts[force ? "I2C_SLAVE_FORCE" : "I2C_SLAVE"];
        if (addr > 0x7f)
            return -EINVAL;
        if (!force && cfg.busy.count(static_cast<int>(addr)) != 0)
            return -EBUSY;
        g_object_set_data(G_OBJECT(c), kAddrKey,
                          GUINT_TO_POINTER(static_cast<unsigned>(addr) | kAddrSet));
        return 0;
    }

    long ioctl_funcs(UMockdevIoctlData* arg) {
        ++counts["I2C_FUNCS"];
        UMockdevIoctlData* d = resolve(arg, 0, sizeof(unsigned long));
        if (d == nullptr)
            return -EFAULT;
        std::memcpy(d->data, &cfg.funcs, sizeof cfg.funcs);
        g_object_unref(d);
        return 0;
    }

    long ioctl_rdwr(UMockdevIoctlData* arg) {
        ++counts["I2C_RDWR"];
        if ((cfg.funcs & I2C_FUNC_I2C) == 0)
            return -EOPNOTSUPP;
        UMockdevIoctlData* rd = resolve(arg, 0, sizeof(i2c_rdwr_ioctl_data));
        if (rd == nullptr)
            return -EFAULT;
        i2c_rdwr_ioctl_data head{};
        std::memcpy(&head, rd->data, sizeof head);
        const unsigned n = head.nmsgs;
        if (n == 0 || n > I2C_RDWR_IOCTL_MAX_MSGS) {
            g_object_unref(rd);
            return -EINVAL;
        }
        UMockdevIoctlData* md =
            resolve(rd, offsetof(i2c_rdwr_ioctl_data, msgs), n * sizeof(i2c_msg));
        std::vector<UMockdevIoctlData*> bufs(n, nullptr);
        std::vector<Msg> msgs;
        long res = md != nullptr ? 0 : -EFAULT;
        for (unsigned i = 0; res == 0 && i < n; ++i) {
            i2c_msg m{};
            std::memcpy(&m, md->data + i * sizeof(i2c_msg), sizeof m);
            if (m.len > kMaxMsgLen || (m.flags & ~I2C_M_RD) != 0) {
                res = (m.flags & ~I2C_M_RD) != 0 ? -EOPNOTSUPP : -EINVAL;
                break;
            }
            if (m.len > 0) {
                bufs[i] = resolve(md, i * sizeof(i2c_msg) + offsetof(i2c_msg, buf), m.len);
                if (bufs[i] == nullptr) {
                    res = -EFAULT;
                    break;
                }
            }
            Msg msg{static_cast<std::uint8_t>(m.addr & 0x7f), (m.flags & I2C_M_RD) != 0, {}};
            if (bufs[i] != nullptr)
                msg.data.assign(bufs[i]->data, bufs[i]->data + m.len);
            msgs.push_back(std::move(msg));
        }
        if (res == 0)
            res = transfer(msgs);
        if (res == 0) {
            for (unsigned i = 0; i < n; ++i)
                if (msgs[i].read && bufs[i] != nullptr)
                    std::memcpy(bufs[i]->data, msgs[i].data.data(), msgs[i].data.size());
            res = n;
        }
        for (auto* b : bufs)
            if (b != nullptr)
                g_object_unref(b);
        if (md != nullptr)
            g_object_unref(md);
        g_object_unref(rd);
        return res;
    }

    // SMBus over the backend, as the kernel's i2c_smbus_xfer_emulated() puts it on the wire.
    long smbus(std::uint8_t addr, bool rd, std::uint8_t cmd, std::uint32_t size,
               i2c_smbus_data* d) {
        unsigned long need = 0;
        std::string name;
        switch (size) {
        case I2C_SMBUS_QUICK:
            need = I2C_FUNC_SMBUS_QUICK;
            name = "SMBUS_QUICK";
            break;
        case I2C_SMBUS_BYTE:
            need = rd ? I2C_FUNC_SMBUS_READ_BYTE : I2C_FUNC_SMBUS_WRITE_BYTE;
            name = "SMBUS_BYTE";
            break;
        case I2C_SMBUS_BYTE_DATA:
            need = rd ? I2C_FUNC_SMBUS_READ_BYTE_DATA : I2C_FUNC_SMBUS_WRITE_BYTE_DATA;
            name = "SMBUS_BYTE_DATA";
            break;
        case I2C_SMBUS_WORD_DATA:
            need = rd ? I2C_FUNC_SMBUS_READ_WORD_DATA : I2C_FUNC_SMBUS_WRITE_WORD_DATA;
            name = "SMBUS_WORD_DATA";
            break;
        case I2C_SMBUS_PROC_CALL:
            need = I2C_FUNC_SMBUS_PROC_CALL;
            name = "SMBUS_PROC_CALL";
            break;
        case I2C_SMBUS_BLOCK_DATA:
            need = rd ? I2C_FUNC_SMBUS_READ_BLOCK_DATA : I2C_FUNC_SMBUS_WRITE_BLOCK_DATA;
            name = "SMBUS_BLOCK_DATA";
            break;
        case I2C_SMBUS_I2C_BLOCK_BROKEN:
        case I2C_SMBUS_I2C_BLOCK_DATA:
            need = rd ? I2C_FUNC_SMBUS_READ_I2C_BLOCK : I2C_FUNC_SMBUS_WRITE_I2C_BLOCK;
            name = "SMBUS_I2C_BLOCK";
            break;
        default:
            return -EOPNOTSUPP;
        }
        if (size != I2C_SMBUS_QUICK && size != I2C_SMBUS_PROC_CALL)
            name += rd ? "_READ" : "_WRITE";
        ++counts[name];
        if ((cfg.funcs & need) == 0)
            return -EOPNOTSUPP;
        const bool needs_data = !(size == I2C_SMBUS_QUICK || (size == I2C_SMBUS_BYTE && !rd));
        if (needs_data && d == nullptr)
            return -EINVAL;

        switch (size) {
        case I2C_SMBUS_QUICK:
            if (rd)
                return probe(addr);
            return call([&] { backend.write(addr, {}); });
        case I2C_SMBUS_BYTE:
            if (rd)
                return call([&] { backend.read(addr, std::span(&d->byte, 1)); });
            return call([&] { backend.write(addr, std::array{cmd}); });
        case I2C_SMBUS_BYTE_DATA:
            if (rd)
                return call(
                    [&] { backend.write_read(addr, std::array{cmd}, std::span(&d->byte, 1)); });
            return call([&] { backend.write(addr, std::array{cmd, d->byte}); });
        case I2C_SMBUS_WORD_DATA:
        case I2C_SMBUS_PROC_CALL: {
            std::array<std::uint8_t, 2> in{};
            const std::array<std::uint8_t, 3> out{cmd, static_cast<std::uint8_t>(d->word & 0xff),
                                                  static_cast<std::uint8_t>(d->word >> 8)};
            long res = 0;
            if (size == I2C_SMBUS_PROC_CALL)
                res = call([&] { backend.write_read(addr, out, in); });
            else if (rd)
                res = call([&] { backend.write_read(addr, std::array{cmd}, in); });
            else
                return call([&] { backend.write(addr, out); });
            if (res == 0)
                d->word = static_cast<__u16>(in[0] | (in[1] << 8));
            return res;
        }
        case I2C_SMBUS_BLOCK_DATA: {
            if (rd)
                return -EOPNOTSUPP; // needs I2C_M_RECV_LEN; no ddrspd code uses it
            const std::size_t len = d->block[0];
            if (len == 0 || len > I2C_SMBUS_BLOCK_MAX)
                return -EINVAL;
            std::vector<std::uint8_t> out{cmd, d->block[0]};
            out.insert(out.end(), d->block + 1, d->block + 1 + len);
            return call([&] { backend.write(addr, out); });
        }
        default: { // I2C block, "broken" or not
            // i2c-dev turns a BROKEN read into a 32-byte read (libi2c uses it for len 32).
            const std::size_t len =
                size == I2C_SMBUS_I2C_BLOCK_BROKEN && rd ? I2C_SMBUS_BLOCK_MAX : d->block[0];
            if (len == 0 || len > I2C_SMBUS_BLOCK_MAX)
                return -EINVAL;
            if (rd) {
                const long res = call([&] {
                    backend.write_read(addr, std::array{cmd}, std::span(d->block + 1, len));
                });
                if (res == 0)
                    d->block[0] = static_cast<__u8>(len);
                return res;
            }
            std::vector<std::uint8_t> out{cmd};
            out.insert(out.end(), d->block + 1, d->block + 1 + len);
            return call([&] { backend.write(addr, out); });
        }
        }
    }

    long ioctl_smbus(UMockdevIoctlClient* c, UMockdevIoctlData* arg) {
        UMockdevIoctlData* ad = resolve(arg, 0, sizeof(i2c_smbus_ioctl_data));
        if (ad == nullptr)
            return -EFAULT;
        i2c_smbus_ioctl_data req{};
        std::memcpy(&req, ad->data, sizeof req);
        UMockdevIoctlData* dd =
            req.data != nullptr
                ? resolve(ad, offsetof(i2c_smbus_ioctl_data, data), sizeof(i2c_smbus_data))
                : nullptr;
        long res = 0;
        if (req.data != nullptr && dd == nullptr)
            res = -EFAULT;
        else if (req.read_write != I2C_SMBUS_READ && req.read_write != I2C_SMBUS_WRITE)
            res = -EINVAL;
        else
            res = smbus(client_addr(c), req.read_write == I2C_SMBUS_READ, req.command, req.size,
                        dd != nullptr ? reinterpret_cast<i2c_smbus_data*>(dd->data) : nullptr);
        if (dd != nullptr)
            g_object_unref(dd);
        g_object_unref(ad);
        return res;
    }

    // Runs on umockdev's handler thread.
    static gboolean on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
        auto* impl = static_cast<Impl*>(self);
        std::lock_guard lock(impl->mu);
        UMockdevIoctlData* arg = umockdev_ioctl_client_get_arg(c);
        long res = -ENOTTY;
        switch (umockdev_ioctl_client_get_request(c)) {
        case I2C_RETRIES:
        case I2C_TIMEOUT:
        case I2C_PEC:
            res = 0;
            break;
        case I2C_TENBIT:
            res = raw_arg(arg) != 0 ? -EINVAL : 0;
            break;
        case I2C_SLAVE:
            res = impl->ioctl_slave(c, raw_arg(arg), false);
            break;
        case I2C_SLAVE_FORCE:
            res = impl->ioctl_slave(c, raw_arg(arg), true);
            break;
        case I2C_FUNCS:
            res = impl->ioctl_funcs(arg);
            break;
        case I2C_RDWR:
            res = impl->ioctl_rdwr(arg);
            break;
        case I2C_SMBUS:
            res = impl->ioctl_smbus(c, arg);
            break;
        default:
            break;
        }
        complete(c, res);
        return TRUE;
    }

    // read()/write() on the fd: one message to the I2C_SLAVE address (needs I2C_FUNC_I2C).
    static gboolean on_rw(UMockdevIoctlClient* c, gpointer self, bool rd) {
        auto* impl = static_cast<Impl*>(self);
        std::lock_guard lock(impl->mu);
        ++impl->counts[rd ? "read()" : "write()"];
        UMockdevIoctlData* buf = umockdev_ioctl_client_get_arg(c);
        const auto len = static_cast<std::size_t>(buf->data_len);
        long res = 0;
        if ((impl->cfg.funcs & I2C_FUNC_I2C) == 0)
            res = -EOPNOTSUPP;
        else if (len > kMaxMsgLen)
            res = -EINVAL;
        else {
            std::vector<Msg> msgs{{client_addr(c), rd, std::vector<std::uint8_t>(len)}};
            if (!rd)
                std::memcpy(msgs[0].data.data(), buf->data, len);
            res = impl->transfer(msgs);
            if (res == 0 && rd)
                std::memcpy(buf->data, msgs[0].data.data(), len);
            if (res == 0)
                res = static_cast<long>(len);
        }
        complete(c, res);
        return TRUE;
    }
    static gboolean on_read(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
        return on_rw(c, self, true);
    }
    static gboolean on_write(UMockdevIoctlBase*, UMockdevIoctlClient* c, gpointer self) {
        return on_rw(c, self, false);
    }
};

AdapterConfig bcm2835_adapter(int bus) {
    AdapterConfig cfg;
    cfg.bus = bus;
    cfg.name = "bcm2835 (i2c@7e804000)";
    cfg.funcs = I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
    cfg.nack_errno = EREMOTEIO;
    return cfg;
}

AdapterConfig i801_adapter(int bus) {
    AdapterConfig cfg;
    cfg.bus = bus;
    cfg.name = "SMBus I801 adapter at efa0";
    cfg.funcs = I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE | I2C_FUNC_SMBUS_BYTE_DATA |
                I2C_FUNC_SMBUS_WORD_DATA | I2C_FUNC_SMBUS_I2C_BLOCK;
    cfg.nack_errno = ENXIO;
    return cfg;
}

Testbed::Testbed() : tb_(umockdev_testbed_new()) {}

Testbed::~Testbed() {
    g_object_unref(static_cast<UMockdevTestbed*>(tb_));
}

std::string Testbed::root() const {
    gchar* dir = umockdev_testbed_get_root_dir(static_cast<UMockdevTestbed*>(tb_));
    std::string out = dir;
    g_free(dir);
    return out;
}

FakeAdapter::FakeAdapter(Testbed& testbed, AdapterConfig config, ddrspd::Bus& backend)
    : impl_(std::make_unique<Impl>(testbed, std::move(config), backend)) {
    Impl& im = *impl_;
    const int n = im.cfg.bus;
    // "N: i2c-N=00" makes the node a regular file (without contents umockdev creates a pty);
    // every ioctl, read and write on it goes to our handler.
    const std::string record =
        fmt::format("P: /devices/platform/fake-i2c.{0}/i2c-{0}/i2c-dev/i2c-{0}\n"
                    "N: i2c-{0}=00\n"
                    "E: SUBSYSTEM=i2c-dev\nE: DEVNAME=/dev/i2c-{0}\nE: MAJOR=89\nE: MINOR={0}\n"
                    "A: name={1}\nA: dev=89:{0}\n",
                    n, im.cfg.name);
    auto* tb = static_cast<UMockdevTestbed*>(testbed.handle());
    GError* err = nullptr;
    if (!umockdev_testbed_add_from_string(tb, record.c_str(), &err)) {
        const std::string msg = err != nullptr ? err->message : "unknown error";
        g_clear_error(&err);
        throw std::runtime_error("umockdev: cannot add " + im.devnode + ": " + msg);
    }
    write_text(im.sys() / fmt::format("class/i2c-adapter/i2c-{}/name", n), im.cfg.name + "\n");
    for (const auto& [addr, driver] : im.cfg.busy)
        im.write_busy_link(addr, driver);

    im.simulated = backend.stats().has_value();
    im.wall0 = std::chrono::steady_clock::now();
    im.sim0 = backend.clock().now_us();

    im.handler = umockdev_ioctl_base_new();
    g_signal_connect(im.handler, "handle-ioctl", G_CALLBACK(&Impl::on_ioctl), &im);
    g_signal_connect(im.handler, "handle-read", G_CALLBACK(&Impl::on_read), &im);
    g_signal_connect(im.handler, "handle-write", G_CALLBACK(&Impl::on_write), &im);
    if (!umockdev_testbed_attach_ioctl(tb, im.devnode.c_str(), im.handler, &err)) {
        const std::string msg = err != nullptr ? err->message : "unknown error";
        g_clear_error(&err);
        g_object_unref(im.handler);
        throw std::runtime_error("umockdev: cannot attach " + im.devnode + ": " + msg);
    }
    if (im.cfg.deny) {
        // The node refuses everyone but root; the testbed directories and the ioctl socket
        // stay open so that the preload library of an unprivileged program gets as far as
        // open() and reports EACCES instead of dying on its socket.
        const fs::path root = testbed.root();
        for (const auto* dir : {"", "dev", "ioctl", "ioctl/dev"})
            ::chmod((root / dir).c_str(), 0755);
        ::chmod((root / "ioctl" / im.devnode.substr(1)).c_str(), 0777);
        ::chmod((root / im.devnode.substr(1)).c_str(), 0);
    }
}

FakeAdapter::~FakeAdapter() {
    umockdev_testbed_detach_ioctl(static_cast<UMockdevTestbed*>(impl_->tb.handle()),
                                  impl_->devnode.c_str(), nullptr);
    g_object_unref(impl_->handler);
}

void FakeAdapter::set_funcs(unsigned long funcs) {
    std::lock_guard lock(impl_->mu);
    impl_->cfg.funcs = funcs;
}

void FakeAdapter::set_nack_errno(int err) {
    std::lock_guard lock(impl_->mu);
    impl_->cfg.nack_errno = err;
}

void FakeAdapter::set_busy(int addr, const std::string& driver) {
    std::lock_guard lock(impl_->mu);
    impl_->cfg.busy[addr] = driver;
    impl_->write_busy_link(addr, driver);
}

void FakeAdapter::clear_busy(int addr) {
    std::lock_guard lock(impl_->mu);
    impl_->cfg.busy.erase(addr);
    std::error_code ec;
    fs::remove(impl_->sys() / "bus/i2c/devices" / client_name(impl_->cfg.bus, addr) / "driver", ec);
}

void FakeAdapter::fail_next(int err, unsigned count) {
    std::lock_guard lock(impl_->mu);
    impl_->fail_errno = err;
    impl_->fail_count = count;
}

std::map<std::string, unsigned> FakeAdapter::counts() const {
    std::lock_guard lock(impl_->mu);
    return impl_->counts;
}

void FakeAdapter::reset_counts() {
    std::lock_guard lock(impl_->mu);
    impl_->counts.clear();
}

bool preload_active() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find("libumockdev-preload") != std::string::npos)
            return true;
    return false;
}

void ensure_preload(char** argv) {
    if (preload_active())
        return;
    if (std::getenv("FAKE_I2C_REEXEC") != nullptr) {
        std::fprintf(stderr,
                     "%s: libumockdev-preload.so.0 could not be preloaded (install "
                     "umockdev and libumockdev0): skipping\n",
                     argv[0]);
        std::exit(77);
    }
    std::string preload = "libumockdev-preload.so.0";
    if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && *old != '\0')
        preload += std::string(":") + old;
    ::setenv("LD_PRELOAD", preload.c_str(), 1);
    ::setenv("FAKE_I2C_REEXEC", "1", 1);
    ::execv("/proc/self/exe", argv);
    std::fprintf(stderr, "%s: cannot re-execute under libumockdev-preload: %s: skipping\n", argv[0],
                 std::strerror(errno));
    std::exit(77);
}

} // namespace fakei2c
