// SPDX-License-Identifier: GPL-2.0-or-later
// Bus specs, sysfs lookups and the per-bus lock (no hardware, no umockdev: sysfs comes from
// a temporary tree through $DDRSPD_SYSFS_ROOT, locks go to $DDRSPD_LOCK_DIR).
#include "bus_lock.hpp"
#include "i2c_dev.hpp"

#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>
#include <ddrspd/open.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

namespace {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "ddrspd-test-open-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name))
            old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A sysfs tree like a Raspberry Pi with a PC SMBus adapter added.
struct FakeSysfs {
    TempDir dir;
    ScopedEnv env{"DDRSPD_SYSFS_ROOT", dir.path().string()};
    FakeSysfs() {
        write_file(dir.path() / "class/i2c-adapter/i2c-1/name", "bcm2835 (i2c@7e804000)\n");
        write_file(dir.path() / "class/i2c-adapter/i2c-20/name", "SMBus I801 adapter at efa0\n");
        write_file(dir.path() / "class/i2c-adapter/i2c-22/name", "twin\n");
        write_file(dir.path() / "class/i2c-adapter/i2c-23/name", "twin\n");
        write_file(dir.path() / "class/i2c-adapter/i2c-250/name", "ghost adapter\n");
        write_file(dir.path() / "class/i2c-adapter/not-an-adapter/name", "x\n");
        fs::create_directories(dir.path() / "bus/i2c/drivers/ee1004");
        fs::create_directories(dir.path() / "bus/i2c/devices/1-0050");
        fs::create_symlink("../../../../bus/i2c/drivers/ee1004",
                           dir.path() / "bus/i2c/devices/1-0050/driver");
    }
};

template <typename F>
std::string usage_message(F&& f) {
    try {
        f();
    } catch (const ddrspd::UsageError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("wrong exception type: ") + e.what();
    }
    return "(no exception)";
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
        .count();
}

} // namespace

TEST_CASE("bus numbers and device paths", "[open]") {
    CHECK(ddrspd::resolve_i2c_bus("1") == 1);
    CHECK(ddrspd::resolve_i2c_bus("0") == 0);
    CHECK(ddrspd::resolve_i2c_bus("007") == 7);
    CHECK(ddrspd::resolve_i2c_bus("/dev/i2c-12") == 12);
    CHECK(ddrspd::i2c_lock_name(1) == "ddrspd-i2c-1.lock");
}

TEST_CASE("malformed specs are usage errors naming the spec", "[open]") {
    TempDir empty_sysfs;
    ScopedEnv env("DDRSPD_SYSFS_ROOT", empty_sysfs.path().string());
    CHECK_THAT(usage_message([] { ddrspd::open_bus(""); }), Contains("empty bus spec"));
    for (const char* spec : {"-1", "1x", " 1", "0x1", "/dev/i2c-", "/dev/i2c-1a", "/dev/i2c--1",
                             "12345678", "i2c-1", "/dev/i2c/1"}) {
        INFO(spec);
        const std::string msg = usage_message([&] { ddrspd::open_bus(spec); });
        CHECK_THAT(msg, Contains(std::string("'") + spec + "'"));
    }
    CHECK_THAT(usage_message([] { ddrspd::open_bus("bcm2835"); }),
               Contains("sysfs lists no I2C adapters"));
}

TEST_CASE("adapter names resolve through sysfs, exact match only", "[open]") {
    FakeSysfs sysfs;
    const auto adapters = ddrspd::list_i2c_adapters();
    REQUIRE(adapters.size() == 5);
    CHECK(adapters[0].number == 1);
    CHECK(adapters[0].name == "bcm2835 (i2c@7e804000)");
    CHECK(adapters[4].number == 250);

    CHECK(ddrspd::resolve_i2c_bus("bcm2835 (i2c@7e804000)") == 1);
    CHECK(ddrspd::resolve_i2c_bus("SMBus I801 adapter at efa0") == 20);
    const std::string partial = usage_message([] { ddrspd::resolve_i2c_bus("bcm2835"); });
    CHECK_THAT(partial, Contains("'bcm2835'") && Contains("1 \"bcm2835 (i2c@7e804000)\"") &&
                            Contains("20 \"SMBus I801 adapter at efa0\""));
    CHECK_THAT(usage_message([] { ddrspd::resolve_i2c_bus("twin"); }),
               Contains("'twin'") && Contains("buses 22, 23"));
}

TEST_CASE("the kernel driver bound to an address comes from sysfs", "[open]") {
    FakeSysfs sysfs;
    CHECK(ddrspd::bound_driver(1, 0x50) == "ee1004");
    CHECK(ddrspd::bound_driver(1, 0x51) == std::nullopt);
    CHECK(ddrspd::bound_driver(2, 0x50) == std::nullopt);
}

TEST_CASE("a missing bus: ENOENT with the Raspberry Pi hint", "[open]") {
    if (fs::exists("/dev/i2c-250")) {
        WARN("this machine has a /dev/i2c-250: not checked");
        return;
    }
    FakeSysfs sysfs;
    TempDir locks;
    ScopedEnv lock_env("DDRSPD_LOCK_DIR", locks.path().string());
    for (const char* spec : {"250", "/dev/i2c-250", "ghost adapter"}) {
        INFO(spec);
        try {
            ddrspd::open_bus(spec);
            FAIL("opened");
        } catch (const ddrspd::BusError& e) {
            CHECK(e.errno_value() == ENOENT);
            CHECK(e.addr() == -1);
            const std::string msg = e.what();
            CHECK_THAT(msg, StartsWith("cannot open /dev/i2c-250"));
            CHECK_THAT(msg, Contains("dtparam=i2c_arm=on"));
            CHECK_THAT(msg, Contains("modprobe i2c-dev"));
            CHECK_THAT(msg, Contains("250 \"ghost adapter\""));
        }
    }
    // The lock is taken under the bus's name, whichever way the bus is named.
    auto held = ddrspd::BusLock::acquire("ddrspd-i2c-250.lock", 0, "test");
    ddrspd::OpenOptions quick;
    quick.lock_timeout_ms = 20;
    try {
        ddrspd::open_bus("ghost adapter", quick);
        FAIL("opened while locked");
    } catch (const ddrspd::BusError& e) {
        CHECK(e.errno_value() == EBUSY);
        CHECK_THAT(std::string(e.what()),
                   Contains("/dev/i2c-250 is in use") && Contains("ddrspd-i2c-250.lock"));
    }
}

TEST_CASE("emulator lock names follow the image files", "[open][lock]") {
    TempDir dir;
    const std::string a = (dir.path() / "a.bin").string();
    const std::string b = (dir.path() / "sub/b.bin").string();
    CHECK(ddrspd::emu_lock_names("emu:ddr4@0x50").empty());
    CHECK(ddrspd::emu_lock_names("emu:ddr4@0x50,hz=400000").empty());

    const auto one = ddrspd::emu_lock_names("emu:ddr4@0x50=" + a);
    REQUIRE(one.size() == 1);
    CHECK_THAT(one[0], StartsWith("ddrspd-emu-a.bin-") && EndsWith(".lock"));
    // The same file spelled differently, with other items around it, shares the lock.
    const std::string a2 = (dir.path() / "sub/../a.bin").string();
    CHECK(ddrspd::emu_lock_names("emu:twr_us=100,ddr4@0x52=" + a2) == one);
    const auto two = ddrspd::emu_lock_names("emu:24c02@0x51=" + b + ",ddr4@0x50=" + a);
    REQUIRE(two.size() == 2);
    CHECK(std::is_sorted(two.begin(), two.end()));
    CHECK(std::find(two.begin(), two.end(), one[0]) != two.end());
    // Same base name in another directory: another file, another lock.
    const std::string other = (dir.path() / "sub/a.bin").string();
    CHECK(ddrspd::emu_lock_names("emu:ddr4@0x50=" + other) != one);
    CHECK_THROWS_AS(ddrspd::emu_lock_names("emu:ddr4@zz"), ddrspd::UsageError);
}

TEST_CASE("the bus lock is exclusive and names its holder", "[lock]") {
    TempDir dir;
    ScopedEnv env("DDRSPD_LOCK_DIR", dir.path().string());
    CHECK(ddrspd::lock_dir() == dir.path());
    const fs::path file = dir.path() / "ddrspd-test.lock";
    {
        auto held = ddrspd::BusLock::acquire("ddrspd-test.lock", 0, "test bus");
        CHECK(held.path() == file.string());
        CHECK(read_file(file) == std::to_string(::getpid()) + "\n");
        const auto start = std::chrono::steady_clock::now();
        try {
            ddrspd::BusLock::acquire("ddrspd-test.lock", 120, "test bus");
            FAIL("locked twice");
        } catch (const ddrspd::BusError& e) {
            CHECK(e.errno_value() == EBUSY);
            const std::string msg = e.what();
            CHECK_THAT(msg, Contains("test bus is in use"));
            CHECK_THAT(msg, Contains(file.string()));
            CHECK_THAT(msg, Contains("pid " + std::to_string(::getpid())));
            CHECK_THAT(msg, Contains("120 ms"));
        }
        CHECK(elapsed_ms(start) >= 120);
        auto moved = std::move(held);
        CHECK_THROWS_AS(ddrspd::BusLock::acquire("ddrspd-test.lock", 0, "test bus"),
                        ddrspd::BusError);
    }
    CHECK_FALSE(fs::exists(file)); // removed on release
    auto again = ddrspd::BusLock::acquire("ddrspd-test.lock", 0, "test bus");
    CHECK(again.path() == file.string());
}

TEST_CASE("a waiter on a released (removed) lock file locks the new one", "[lock]") {
    TempDir dir;
    ScopedEnv env("DDRSPD_LOCK_DIR", dir.path().string());
    std::optional<ddrspd::BusLock> first = ddrspd::BusLock::acquire("ddrspd-w.lock", 0, "bus");
    std::optional<ddrspd::BusLock> second;
    // The waiter opens the file now, and gets its flock only after `first` removed it.
    std::thread waiter([&] { second = ddrspd::BusLock::acquire("ddrspd-w.lock", 5000, "bus"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    first.reset();
    waiter.join();
    REQUIRE(second.has_value());
    CHECK(fs::exists(dir.path() / "ddrspd-w.lock"));
    // Exclusion still holds: the waiter owns the file that is at the path now.
    CHECK_THROWS_AS(ddrspd::BusLock::acquire("ddrspd-w.lock", 0, "bus"), ddrspd::BusError);
}

TEST_CASE("the bus lock is shared between processes", "[lock]") {
    TempDir dir;
    ScopedEnv env("DDRSPD_LOCK_DIR", dir.path().string());
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Hold the lock for 300 ms, then exit (the kernel releases it).
        try {
            auto lock = ddrspd::BusLock::acquire("ddrspd-shared.lock", 0, "shared bus");
            (void)!::write(ready[1], "x", 1);
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    ::close(ready[1]);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);

    try {
        ddrspd::BusLock::acquire("ddrspd-shared.lock", 20, "shared bus");
        FAIL("locked while the child holds it");
    } catch (const ddrspd::BusError& e) {
        CHECK_THAT(std::string(e.what()), Contains("pid " + std::to_string(child)));
    }
    const auto start = std::chrono::steady_clock::now();
    auto lock = ddrspd::BusLock::acquire("ddrspd-shared.lock", 5000, "shared bus");
    CHECK(elapsed_ms(start) < 5000);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("emu: and fault: specs are dispatched", "[open]") {
    auto emu = ddrspd::open_bus("emu:ddr4@0x50");
    REQUIRE(dynamic_cast<ddrspd::EmulatedBus*>(emu.get()) != nullptr);
    CHECK(emu->probe(0x50));
    CHECK_FALSE(emu->probe(0x51));

    auto faulty = ddrspd::open_bus("fault:seed=3:emu:ddr4@0x50");
    REQUIRE(dynamic_cast<ddrspd::FaultBus*>(faulty.get()) != nullptr);
    CHECK(faulty->probe(0x50));

    for (const std::string& spec : std::vector<std::string>{
             "fault:", "fault:seed=1", "fault:seed=1:", "fault:bogus=1:emu:ddr4@0x50",
             "emu:nonsense@0x50", "emu:ddr4@0x50,hz=fast"}) {
        INFO(spec);
        CHECK_THAT(usage_message([&] { ddrspd::open_bus(spec); }), Contains("'" + spec + "'"));
    }
    CHECK_THAT(usage_message([] { ddrspd::open_bus("fault:seed=1:emu:ddr4@0x99"); }),
               Contains("emu:ddr4@0x99"));
}

TEST_CASE("emulated images: locked while open, written back by close_bus", "[open][lock]") {
    TempDir dir;
    ScopedEnv env("DDRSPD_LOCK_DIR", dir.path().string());
    const fs::path image = dir.path() / "module.bin";
    write_file(image, std::string(512, '\x11'));
    const std::string spec = "emu:ddr4@0x50=" + image.string();
    ddrspd::OpenOptions quick;
    quick.lock_timeout_ms = 30;

    auto bus = ddrspd::open_bus("fault:seed=1:" + spec, quick);
    // Another open of the same image, however spelled, waits for the lock and gives up.
    for (const std::string& other :
         {spec, "emu:ddr4@0x51=" + (dir.path() / "x/../module.bin").string()}) {
        INFO(other);
        try {
            ddrspd::open_bus(other, quick);
            FAIL("opened twice");
        } catch (const ddrspd::BusError& e) {
            CHECK(e.errno_value() == EBUSY);
            CHECK_THAT(std::string(e.what()), Contains("ddrspd-emu-module.bin-"));
        }
    }
    ddrspd::OpenOptions unlocked = quick;
    unlocked.lock = false;
    CHECK(ddrspd::open_bus(spec, unlocked)->probe(0x50));

    bus->write(0x50, std::array<std::uint8_t, 3>{0x10, 0xaa, 0xbb});
    while (!bus->probe(0x50)) {
    }
    ddrspd::close_bus(*bus);
    const std::string written = read_file(image);
    REQUIRE(written.size() == 512);
    CHECK(written[0x0f] == '\x11');
    CHECK(written[0x10] == '\xaa');
    CHECK(written[0x11] == '\xbb');
    bus.reset();
    CHECK(ddrspd::open_bus(spec, quick)->probe(0x50));
    // The locks stay outside the fault layer: it still finds the emulator inside.
    auto slow = ddrspd::open_bus("fault:slow_twr_us=20000:" + spec, quick);
    CHECK(dynamic_cast<ddrspd::FaultBus*>(slow.get()) == nullptr); // wrapped by the locks
    CHECK(slow->probe(0x50));
}

TEST_CASE("the lock directory defaults to /run/lock, else /tmp", "[lock]") {
    const char* saved = std::getenv("DDRSPD_LOCK_DIR");
    const std::optional<std::string> old = saved ? std::optional<std::string>(saved) : std::nullopt;
    ::unsetenv("DDRSPD_LOCK_DIR");
    const fs::path dir = ddrspd::lock_dir();
    if (old)
        ::setenv("DDRSPD_LOCK_DIR", old->c_str(), 1);
    CHECK((dir == "/run/lock" || dir == "/tmp"));
    if (::access("/run/lock", W_OK | X_OK) == 0)
        CHECK(dir == "/run/lock");
}
