// SPDX-License-Identifier: GPL-2.0-or-later
// I2cDevBus against a fake /dev/i2c-N (umockdev) whose chips are ddrspd's own emulator: the
// real ioctl code paths, without hardware or root.
//
// Runs itself under libumockdev-preload (re-exec), so it has its own main (exit 77 when
// umockdev is unavailable). Test cases tagged [.launched] run only under fake-i2c-run (see
// test_fake_i2c_run.sh): they use the fake bus $FAKE_I2C_BUS backed by $FAKE_I2C_IMAGE.
#define CATCH_CONFIG_RUNNER
#include "fake_i2c.hpp"

#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/open.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <sys/fsuid.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <linux/i2c.h>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes pattern(std::size_t n, unsigned seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::uint8_t>(i * 37 + seed * 11 + 5);
    return b;
}

ddrspd::OpenOptions no_lock() {
    ddrspd::OpenOptions o;
    o.lock = false;
    return o;
}

// The fake adapter with a DDR4 SPD at 0x50 and a 24c32 (2-byte word addresses) at 0x51.
struct Rig {
    fakei2c::Testbed tb;
    ddrspd::EmulatedBus emu;
    std::unique_ptr<fakei2c::FakeAdapter> fake;
    Bytes ddr4 = pattern(512, 1);
    Bytes at24 = pattern(4096, 2);

    explicit Rig(const fakei2c::AdapterConfig& cfg) {
        emu.add_ddr4(0x50, ddr4);
        emu.add_24xx("24c32", 0x51, at24);
        fake = std::make_unique<fakei2c::FakeAdapter>(tb, cfg, emu);
    }
};

std::unique_ptr<ddrspd::Bus> open(int bus, const ddrspd::OpenOptions& opts = {}) {
    return ddrspd::open_bus(std::to_string(bus), opts);
}

// What the SPD driver does: SPA0/SPA1 page selection, chunked random reads, end on page 0.
Bytes read_ddr4(ddrspd::Bus& bus) {
    Bytes out(512);
    const std::size_t chunk = bus.caps().max_read;
    for (unsigned page = 0; page < 2; ++page) {
        bus.write(page == 0 ? 0x36 : 0x37, std::array<std::uint8_t, 1>{0});
        for (std::size_t off = 0; off < 256; off += chunk) {
            const std::size_t n = std::min(chunk, 256 - off);
            bus.write_read(0x50, std::array{static_cast<std::uint8_t>(off)},
                           std::span(out).subspan(page * 256 + off, n));
        }
    }
    bus.write(0x36, std::array<std::uint8_t, 1>{0});
    return out;
}

// ACK polling after a write, in wall-clock time.
void wait_ready(ddrspd::Bus& bus, std::uint8_t addr) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!bus.probe(addr)) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
}

template <typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

} // namespace

TEST_CASE("full-I2C adapter: I2C_RDWR combined transfers, 256-byte reads", "[i2c_dev]") {
    Rig rig(fakei2c::bcm2835_adapter(5));
    auto bus = open(5);
    CHECK(bus->describe() == "/dev/i2c-5 (bcm2835 (i2c@7e804000))");
    const auto& caps = bus->caps();
    CHECK(caps.full_i2c);
    CHECK(caps.max_read == 256);
    CHECK(caps.max_write == 258);
    CHECK(caps.smbus_block_read);

    rig.fake->reset_counts();
    CHECK(read_ddr4(*bus) == rig.ddr4);
    auto counts = rig.fake->counts();
    CHECK(counts["I2C_RDWR"] == 5); // SPA0, read 256, SPA1, read 256, SPA0
    CHECK(counts["SMBUS_I2C_BLOCK_READ"] == 0);
    CHECK(counts["I2C_SLAVE_FORCE"] == 0);

    SECTION("page writes and 2-byte word addresses") {
        const Bytes page = pattern(16, 9);
        Bytes frame{0x20};
        frame.insert(frame.end(), page.begin(), page.end());
        bus->write(0x50, frame);
        wait_ready(*bus, 0x50);
        Bytes back(16);
        bus->write_read(0x50, std::array<std::uint8_t, 1>{0x20}, back);
        CHECK(back == page);
        CHECK(rig.emu.contents(0x50) == [&] {
            Bytes want = rig.ddr4;
            std::copy(page.begin(), page.end(), want.begin() + 0x20);
            return want;
        }());

        Bytes wide(256);
        bus->write_read(0x51, std::array<std::uint8_t, 2>{0x0f, 0x00}, wide);
        CHECK(Bytes(rig.at24.begin() + 0xf00, rig.at24.end()) == wide);
        Bytes two(2);
        bus->read(0x51, two); // current address: right after the previous read
        CHECK(two == Bytes{rig.at24[0], rig.at24[1]});
    }
    SECTION("sizes beyond the caps are usage errors, nothing is sent") {
        rig.fake->reset_counts();
        Bytes big(257);
        CHECK_THROWS_AS(bus->read(0x50, big), ddrspd::UsageError);
        CHECK(rig.fake->counts()["I2C_RDWR"] == 0);
    }
}

TEST_CASE("SMBus-only adapter (i801-like): I2C-block transfers of at most 32 bytes", "[i2c_dev]") {
    Rig rig(fakei2c::i801_adapter(6));
    auto bus = open(6);
    const auto& caps = bus->caps();
    CHECK_FALSE(caps.full_i2c);
    CHECK(caps.smbus_block_read);
    CHECK(caps.smbus_block_write);
    CHECK(caps.smbus_byte_data);
    CHECK(caps.smbus_byte);
    CHECK(caps.max_read == 32);
    CHECK(caps.max_write == 33);

    rig.fake->reset_counts();
    CHECK(read_ddr4(*bus) == rig.ddr4);
    auto counts = rig.fake->counts();
    CHECK(counts["I2C_RDWR"] == 0);
    CHECK(counts["SMBUS_I2C_BLOCK_READ"] == 16);
    CHECK(counts["SMBUS_BYTE_WRITE"] == 3); // SPA0, SPA1, SPA0 as "send byte" like ee1004.c

    // One 16-byte page with an I2C-block write, one byte with write byte data.
    const Bytes page = pattern(16, 4);
    Bytes frame{0x40};
    frame.insert(frame.end(), page.begin(), page.end());
    bus->write(0x50, frame);
    wait_ready(*bus, 0x50);
    bus->write(0x50, std::array<std::uint8_t, 2>{0x7f, 0xa5});
    wait_ready(*bus, 0x50);
    Bytes want = rig.ddr4;
    std::copy(page.begin(), page.end(), want.begin() + 0x40);
    want[0x7f] = 0xa5;
    CHECK(rig.emu.contents(0x50) == want);
    counts = rig.fake->counts();
    CHECK(counts["SMBUS_I2C_BLOCK_WRITE"] == 1);
    CHECK(counts["SMBUS_BYTE_DATA_WRITE"] == 1);

    // 2-byte word address: write byte data (both address bytes) + receive byte per byte.
    rig.fake->reset_counts();
    Bytes wide(32);
    bus->write_read(0x51, std::array<std::uint8_t, 2>{0x0a, 0xb0}, wide);
    CHECK(Bytes(rig.at24.begin() + 0xab0, rig.at24.begin() + 0xad0) == wide);
    counts = rig.fake->counts();
    CHECK(counts["SMBUS_BYTE_DATA_WRITE"] == 1);
    CHECK(counts["SMBUS_BYTE_READ"] == 32);

    // What SMBus cannot express is refused before anything reaches the bus.
    rig.fake->reset_counts();
    Bytes three(4);
    const std::string msg = message_of([&] {
        bus->write_read(0x51, std::array<std::uint8_t, 3>{0, 0, 0}, three);
    });
    CHECK_THAT(msg, Contains("/dev/i2c-6") && Contains("3-byte word address"));
    CHECK(rig.fake->counts().empty());
}

TEST_CASE("SMBus adapter without I2C-block transfers: byte-data fallbacks", "[i2c_dev]") {
    auto cfg = fakei2c::i801_adapter(7);
    cfg.funcs &= ~static_cast<unsigned long>(I2C_FUNC_SMBUS_I2C_BLOCK);
    Rig rig(cfg);
    auto bus = open(7);
    const auto& caps = bus->caps();
    CHECK_FALSE(caps.smbus_block_read);
    CHECK_FALSE(caps.smbus_block_write);
    CHECK(caps.max_read == 1);
    CHECK(caps.max_write == 3); // word data carries a 2-byte address + 1 data byte

    rig.fake->reset_counts();
    Bytes first(1);
    bus->write_read(0x50, std::array<std::uint8_t, 1>{0x10}, first);
    CHECK(first[0] == rig.ddr4[0x10]);
    CHECK(rig.fake->counts()["SMBUS_BYTE_DATA_READ"] == 1);
    // Caps say 1 byte per read; asking for more names the missing adapter function.
    Bytes two(2);
    try {
        bus->write_read(0x50, std::array<std::uint8_t, 1>{0}, two);
        FAIL("read 2 bytes");
    } catch (const ddrspd::BusError& e) {
        CHECK(e.errno_value() == EOPNOTSUPP);
        CHECK_THAT(std::string(e.what()),
                   Contains("/dev/i2c-7") && Contains("I2C_FUNC_SMBUS_READ_I2C_BLOCK"));
    }
    Bytes too_many(33);
    CHECK_THROWS_AS(bus->write_read(0x50, std::array<std::uint8_t, 1>{0}, too_many),
                    ddrspd::UsageError);

    bus->write(0x50, std::array<std::uint8_t, 2>{0x11, 0x5a});
    wait_ready(*bus, 0x50);
    bus->write(0x51, std::array<std::uint8_t, 3>{0x01, 0x23, 0xc3}); // 24c32 byte 0x123
    wait_ready(*bus, 0x51);
    CHECK(rig.emu.contents(0x50)[0x11] == 0x5a);
    CHECK(rig.emu.contents(0x51)[0x123] == 0xc3);
    auto counts = rig.fake->counts();
    CHECK(counts["SMBUS_BYTE_DATA_WRITE"] == 1);
    CHECK(counts["SMBUS_WORD_DATA_WRITE"] == 1);
    CHECK(counts["SMBUS_I2C_BLOCK_WRITE"] == 0);
}

TEST_CASE("an adapter that can neither do I2C nor SMBus reads is refused", "[i2c_dev]") {
    auto cfg = fakei2c::i801_adapter(8);
    cfg.funcs = I2C_FUNC_SMBUS_QUICK | I2C_FUNC_SMBUS_BYTE;
    Rig rig(cfg);
    try {
        open(8);
        FAIL("opened");
    } catch (const ddrspd::BusError& e) {
        CHECK(e.errno_value() == EOPNOTSUPP);
        const std::string msg = e.what();
        CHECK_THAT(msg, Contains("/dev/i2c-8 (SMBus I801 adapter at efa0)"));
        CHECK_THAT(msg, Contains("I2C_FUNC_I2C"));
        CHECK_THAT(msg, Contains("I2C_FUNC_SMBUS_READ_I2C_BLOCK"));
        CHECK_THAT(msg, Contains("I2C_FUNC_SMBUS_READ_BYTE_DATA"));
    }
}

TEST_CASE("EBUSY names the bound driver and how to unbind it", "[i2c_dev]") {
    auto cfg = fakei2c::bcm2835_adapter(3);
    cfg.busy = {{0x50, "ee1004"}, {0x36, "dummy"}, {0x52, "at24"}};
    Rig rig(cfg);
    auto bus = open(3);
    Bytes one(1);
    try {
        bus->write_read(0x50, std::array<std::uint8_t, 1>{0}, one);
        FAIL("no EBUSY");
    } catch (const ddrspd::BusError& e) {
        CHECK(e.errno_value() == EBUSY);
        CHECK(e.addr() == 0x50);
        const std::string msg = e.what();
        CHECK_THAT(msg, Contains("0x50 on /dev/i2c-3"));
        CHECK_THAT(msg, Contains("kernel driver ee1004"));
        CHECK_THAT(msg, Contains("echo 3-0050 > /sys/bus/i2c/drivers/ee1004/unbind"));
        CHECK_THAT(msg, Contains("--force"));
        CHECK_THAT(msg, Contains("desynchronises its cached SPD page"));
    }
    // ee1004's page-select placeholders: the fix is unbinding ee1004 from the SPD address.
    const std::string spa = message_of([&] { bus->write(0x36, std::array<std::uint8_t, 1>{0}); });
    CHECK_THAT(spa, Contains("\"dummy\""));
    CHECK_THAT(spa, Contains("echo 3-0050 > /sys/bus/i2c/drivers/ee1004/unbind"));
    // Other drivers: no ee1004 warning.
    const std::string at24 = message_of([&] { bus->probe(0x52); });
    CHECK_THAT(at24, Contains("kernel driver at24") &&
                         Contains("echo 3-0052 > /sys/bus/i2c/drivers/at24/unbind"));
    CHECK_THAT(at24, !Contains("ee1004"));

    SECTION("the sysfs root can be overridden") {
        const fs::path root = fs::path(rig.tb.root()) / "alt-sys";
        fs::create_directories(root / "bus/i2c/devices/3-0050");
        fs::create_symlink("../../../bus/i2c/drivers/spd5118",
                           root / "bus/i2c/devices/3-0050/driver");
        ::setenv("DDRSPD_SYSFS_ROOT", root.c_str(), 1);
        const std::string msg = message_of([&] { bus->probe(0x50); });
        ::unsetenv("DDRSPD_SYSFS_ROOT");
        CHECK_THAT(msg, Contains("kernel driver spd5118"));
    }
    SECTION("force uses I2C_SLAVE_FORCE and reads") {
        ddrspd::OpenOptions opts;
        opts.force = true;
        bus.reset();
        auto forced = open(3, opts);
        forced->write_read(0x50, std::array<std::uint8_t, 1>{0}, one);
        CHECK(one[0] == rig.ddr4[0]);
        CHECK(rig.fake->counts()["I2C_SLAVE_FORCE"] == 1);
    }
    SECTION("unbound again: plain I2C_SLAVE works") {
        rig.fake->clear_busy(0x50);
        bus->write_read(0x50, std::array<std::uint8_t, 1>{0}, one);
        CHECK(one[0] == rig.ddr4[0]);
    }
}

TEST_CASE("NACK errnos become NackError, other errnos BusError", "[i2c_dev]") {
    auto errno_value = GENERATE(ENXIO, EREMOTEIO, EIO);
    auto cfg = fakei2c::bcm2835_adapter(4);
    cfg.nack_errno = errno_value;
    Rig rig(cfg);
    auto bus = open(4);
    CHECK(bus->probe(0x50));
    CHECK_FALSE(bus->probe(0x57));
    Bytes buf(8);
    try {
        bus->write_read(0x57, std::array<std::uint8_t, 1>{0}, buf);
        FAIL("no NACK");
    } catch (const ddrspd::NackError& e) {
        CHECK(e.errno_value() == errno_value);
        CHECK(e.addr() == 0x57);
        CHECK_THAT(std::string(e.what()),
                   Contains("no device answered at 0x57 on /dev/i2c-4 (bcm2835 (i2c@7e804000))"));
    }

    rig.fake->fail_next(ETIMEDOUT);
    try {
        bus->write_read(0x50, std::array<std::uint8_t, 1>{0}, buf);
        FAIL("no error");
    } catch (const ddrspd::NackError&) {
        FAIL("a timeout is not a NACK");
    } catch (const ddrspd::BusError& e) {
        CHECK(e.errno_value() == ETIMEDOUT);
        CHECK(e.addr() == 0x50);
        const std::string msg = e.what();
        CHECK_THAT(msg, Contains("0x50") && Contains("/dev/i2c-4") &&
                            Contains(std::strerror(ETIMEDOUT)));
    }
    bus->write_read(0x50, std::array<std::uint8_t, 1>{0}, buf);
    CHECK(Bytes(rig.ddr4.begin(), rig.ddr4.begin() + 8) == buf);
}

TEST_CASE("EACCES on open gives the i2c group / udev hint", "[i2c_dev]") {
    auto cfg = fakei2c::bcm2835_adapter(9);
    cfg.deny = true;
    Rig rig(cfg);
    int err = 0;
    std::string msg;
    // root passes any permission check; drop it for this thread's file accesses only.
    std::thread t([&] {
        if (::geteuid() == 0) {
            ::setfsuid(65534);
        }
        try {
            open(9, no_lock());
        } catch (const ddrspd::BusError& e) {
            err = e.errno_value();
            msg = e.what();
        }
    });
    t.join();
    CHECK(err == EACCES);
    CHECK_THAT(msg, Contains("/dev/i2c-9"));
    CHECK_THAT(msg, Contains("i2c group"));
    CHECK_THAT(msg, Contains("udev"));
}

TEST_CASE("adapter names resolve through sysfs", "[i2c_dev]") {
    Rig full(fakei2c::bcm2835_adapter(1));
    fakei2c::FakeAdapter smbus(full.tb, fakei2c::i801_adapter(2), full.emu);
    auto pi = ddrspd::open_bus("bcm2835 (i2c@7e804000)");
    CHECK(pi->describe() == "/dev/i2c-1 (bcm2835 (i2c@7e804000))");
    CHECK(pi->caps().full_i2c);
    auto pc = ddrspd::open_bus("SMBus I801 adapter at efa0");
    CHECK(pc->describe() == "/dev/i2c-2 (SMBus I801 adapter at efa0)");
    CHECK_FALSE(pc->caps().full_i2c);
    const std::string msg = message_of([] { ddrspd::open_bus("bcm2835"); });
    CHECK_THAT(msg, Contains("'bcm2835'") && Contains("1 \"bcm2835 (i2c@7e804000)\"") &&
                        Contains("2 \"SMBus I801 adapter at efa0\""));
}

TEST_CASE("two opens of the same bus serialise on the bus lock", "[i2c_dev]") {
    Rig rig(fakei2c::bcm2835_adapter(5));
    ddrspd::OpenOptions quick;
    quick.lock_timeout_ms = 50;
    auto first = ddrspd::open_bus("/dev/i2c-5", quick);
    const std::string msg = message_of([&] { ddrspd::open_bus("bcm2835 (i2c@7e804000)", quick); });
    CHECK_THAT(msg, Contains("ddrspd-i2c-5.lock") && Contains("pid " + std::to_string(::getpid())));
    first.reset();
    CHECK(ddrspd::open_bus("5", quick)->probe(0x50));
}

// Run by test_fake_i2c_run.sh under fake-i2c-run: the launcher's bus, from another process.
TEST_CASE("launched: DDR4 image through fake-i2c-run", "[.launched]") {
    const char* bus_env = std::getenv("FAKE_I2C_BUS");
    const char* image_env = std::getenv("FAKE_I2C_IMAGE");
    REQUIRE(bus_env != nullptr);
    REQUIRE(image_env != nullptr);
    std::ifstream in(image_env, std::ios::binary);
    const Bytes image{std::istreambuf_iterator<char>(in), {}};
    REQUIRE(image.size() == 512);

    auto bus = ddrspd::open_bus(bus_env);
    CHECK(read_ddr4(*bus) == image);
    // The launcher writes the image file back after we exit; the script checks these bytes.
    Bytes frame{0x30};
    for (std::uint8_t i = 0; i < 16; ++i)
        frame.push_back(static_cast<std::uint8_t>(0xe0 + i));
    bus->write(0x50, frame);
    wait_ready(*bus, 0x50);
    const std::string busy = message_of([&] { bus->probe(0x51); });
    CHECK_THAT(busy, Contains("kernel driver at24"));
}

int main(int argc, char** argv) {
    fakei2c::ensure_preload(argv);
    // Keep the bus locks of these tests away from /run/lock.
    std::string own_lock_dir;
    if (std::getenv("DDRSPD_LOCK_DIR") == nullptr) {
        own_lock_dir = (fs::temp_directory_path() / "ddrspd-fake-i2c-XXXXXX").string();
        if (::mkdtemp(own_lock_dir.data()) == nullptr)
            return 1;
        ::setenv("DDRSPD_LOCK_DIR", own_lock_dir.c_str(), 1);
    }
    const int rc = Catch::Session().run(argc, argv);
    if (!own_lock_dir.empty())
        fs::remove_all(own_lock_dir);
    return rc;
}
