// SPDX-License-Identifier: GPL-2.0-or-later
// 24xx EEPROM arrays over the emulated bus: model table, addressing across chips and blocks,
// page-bounded diff-only writes, ACK polling, SMBus-only adapters, page-size detection.
#include <ddrspd/eeprom24.hpp>
#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

using namespace ddrspd;
using Catch::Matchers::Contains;

namespace {

std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::uint8_t>((i * 31 + seed + i / 251) & 0xFF);
    return v;
}

std::uint64_t cycles(const Bus& bus) {
    return bus.stats()->write_cycles;
}

// Concatenated contents of the chips added at the given addresses.
std::vector<std::uint8_t> joined(const EmulatedBus& bus, std::initializer_list<int> addrs) {
    std::vector<std::uint8_t> all;
    for (int a : addrs) {
        auto c = bus.contents(static_cast<std::uint8_t>(a));
        all.insert(all.end(), c.begin(), c.end());
    }
    return all;
}

} // namespace

TEST_CASE("chip model table") {
    const auto& t = chip_models();
    CHECK(t.size() >= 13);
    const auto& c256 = find_chip("24c256");
    CHECK(c256.size == 32768);
    CHECK(c256.addr_bytes == 2);
    CHECK(c256.page_size == 64);
    CHECK(c256.addr_bits_in_devaddr == 0);
    const auto& c16 = find_chip("24C16");
    CHECK(c16.size == 2048);
    CHECK(c16.addr_bytes == 1);
    CHECK(c16.page_size == 16);
    CHECK(c16.addr_bits_in_devaddr == 3);
    CHECK(find_chip("24c04").addr_bits_in_devaddr == 1);
    CHECK(find_chip("24c01").size == 128);
    CHECK(find_chip("24c512").page_size == 128);
    CHECK(find_chip("24cm02").size == 262144);
    CHECK(find_chip("24cm02").addr_bits_in_devaddr == 2);
    CHECK(find_chip("24c1024").addr_bits_in_devaddr == 1);
    CHECK(find_chip("AT24C02").name == "24c02");
    CHECK(find_chip("m24c64").name == "24c64");
    CHECK(find_chip("32k").name == "24c256");
    CHECK(find_chip("8192").name == "24c64");
    try {
        find_chip("24c03");
        FAIL("no exception");
    } catch (const UsageError& e) {
        CHECK_THAT(e.what(), Contains("24c03") && Contains("24c02") && Contains("24cm02"));
    }
    CHECK_THROWS_AS(find_chip("1234"), UsageError);
}

TEST_CASE("array geometry is checked") {
    EmulatedBus bus;
    const auto& c04 = find_chip("24c04");
    CHECK_THROWS_AS(Eeprom24(bus, 0x50, c04, {0, 0}), UsageError);
    CHECK_THROWS_AS(Eeprom24(bus, 0x50, c04, {9, 0}), UsageError);
    CHECK_THROWS_AS(Eeprom24(bus, 0x51, c04, {1, 0}), UsageError); // a8 lives in A0
    CHECK_THROWS_AS(Eeprom24(bus, 0x50, c04, {5, 0}), UsageError); // needs 10 addresses
    CHECK_THROWS_AS(Eeprom24(bus, 0x50, find_chip("24c16"), {2, 0}), UsageError);
    CHECK_THROWS_AS(Eeprom24(bus, 0x40, find_chip("24c02"), {1, 0}), UsageError);
    CHECK_THROWS_AS(Eeprom24(bus, 0x50, find_chip("24c02"), {1, 24}), UsageError);
    Eeprom24 four(bus, 0x50, c04, {4, 0});
    CHECK(four.size() == 2048);
    CHECK(four.page_size() == 16);
    Eeprom24 custom(bus, 0x50, find_chip("24c256"), {1, 32});
    CHECK(custom.page_size() == 32);
}

TEST_CASE("single 24c02: read, write, verify, windows") {
    EmulatedBus bus;
    const auto img = pattern(256, 1);
    bus.add_24xx("24c02", 0x53, img);
    Eeprom24 e(bus, 0x53, find_chip("24c02"));
    CHECK(e.size() == 256);
    CHECK(e.read(0, 256) == img);
    CHECK(e.read(250, 6) == std::vector<std::uint8_t>(img.begin() + 250, img.end()));
    CHECK_THROWS_AS(e.read(250, 7), UsageError);

    // An odd window crossing pages: writes must split at 8-byte pages or the chip wraps.
    std::vector<std::size_t> seen;
    CHECK(e.read(0, 256, [&](std::string_view ph, std::size_t done, std::size_t total) {
        CHECK(ph == "read");
        CHECK(total == 256);
        seen.push_back(done);
    }) == img);
    CHECK(seen.back() == 256);
    CHECK(std::is_sorted(seen.begin(), seen.end()));

    const auto data = pattern(21, 77);
    std::vector<std::string> phases;
    WriteOptions wo;
    wo.progress = [&](std::string_view ph, std::size_t done, std::size_t total) {
        CHECK(done <= total);
        if (phases.empty() || phases.back() != ph)
            phases.emplace_back(ph);
    };
    const auto r = e.write(5, data, wo);
    CHECK(phases == std::vector<std::string>{"read", "write", "verify"});
    CHECK(r.verified);
    auto expect = img;
    std::copy(data.begin(), data.end(), expect.begin() + 5);
    CHECK(bus.contents(0x53) == expect);
    CHECK(r.pages_written == std::vector<std::size_t>{5, 8, 16, 24});
    CHECK(r.bytes_written == 21);
    CHECK_THROWS_AS(e.write(255, std::vector<std::uint8_t>(2, 0)), UsageError);
}

TEST_CASE("diff-only: one changed byte is one write cycle") {
    EmulatedBus bus;
    const auto img = pattern(32768, 2);
    bus.add_24xx("24c256", 0x50, img);
    Eeprom24 e(bus, 0x50, find_chip("24c256"));
    auto data = std::vector<std::uint8_t>(img.begin() + 1000, img.begin() + 3000);
    data[1500] ^= 0x10; // offset 2500, page 2496
    const auto r = e.write(1000, data);
    CHECK(r.verified);
    CHECK(r.pages_written == std::vector<std::size_t>{2496});
    CHECK(cycles(bus) == 1);
    CHECK(bus.contents(0x50)[2500] == (img[2500] ^ 0x10));
}

TEST_CASE("arrays of small chips with block bits: 24c04 x 4 and 24c16 x 1") {
    {
        EmulatedBus bus;
        for (int a : {0x50, 0x52, 0x54, 0x56})
            bus.add_24xx("24c04", static_cast<std::uint8_t>(a));
        Eeprom24 e(bus, 0x50, find_chip("24c04"), {4, 0});
        REQUIRE(e.size() == 2048);
        const auto img = pattern(2048, 3);
        const auto r = e.write(0, img);
        CHECK(r.verified);
        CHECK(joined(bus, {0x50, 0x52, 0x54, 0x56}) == img);
        CHECK(e.read(0, 2048) == img);
        // A window across the chip boundary (0x50 block 1 -> 0x52 block 0).
        CHECK(e.read(500, 30) == std::vector<std::uint8_t>(img.begin() + 500, img.begin() + 530));
        CHECK(cycles(bus) == 2048 / 16);
    }
    {
        EmulatedBus bus;
        bus.add_24xx("24c16", 0x50);
        Eeprom24 e(bus, 0x50, find_chip("24c16"));
        const auto img = pattern(2048, 4);
        CHECK(e.write(0, img).verified);
        CHECK(bus.contents(0x50) == img);
        // Reads stop at each 256-byte block (one device address each).
        const auto before = bus.log().size();
        CHECK(e.read(200, 400) == std::vector<std::uint8_t>(img.begin() + 200, img.begin() + 600));
        std::vector<int> read_addrs;
        for (std::size_t i = before; i < bus.log().size(); ++i) {
            if (bus.log()[i].read)
                read_addrs.push_back(bus.log()[i].addr);
        }
        CHECK(read_addrs == std::vector<int>{0x50, 0x51, 0x52});
    }
}

TEST_CASE("arrays of 1 to 8 chips") {
    for (unsigned n = 1; n <= 8; ++n) {
        EmulatedBus bus;
        for (unsigned i = 0; i < n; ++i)
            bus.add_24xx("24c01", static_cast<std::uint8_t>(0x50 + i));
        Eeprom24 e(bus, 0x50, find_chip("24c01"), {n, 0});
        REQUIRE(e.size() == 128 * n);
        const auto img = pattern(e.size(), n);
        CHECK(e.write(0, img).verified);
        std::vector<std::uint8_t> all;
        for (unsigned i = 0; i < n; ++i) {
            auto c = bus.contents(static_cast<std::uint8_t>(0x50 + i));
            all.insert(all.end(), c.begin(), c.end());
        }
        CHECK(all == img);
    }
    EmulatedBus bus;
    bus.add_24xx("24c08", 0x50);
    bus.add_24xx("24c08", 0x54);
    Eeprom24 e(bus, 0x50, find_chip("24c08"), {2, 0});
    const auto img = pattern(2048, 9);
    CHECK(e.write(0, img).verified);
    CHECK(joined(bus, {0x50, 0x54}) == img);
}

TEST_CASE("big chips: 24c256 x 2, 24cm02, and a chip without read rollover") {
    {
        EmulatedBus bus;
        bus.add_24xx("24c256", 0x50);
        bus.add_24xx("24c256", 0x51);
        Eeprom24 e(bus, 0x50, find_chip("24c256"), {2, 0});
        const auto data = pattern(300, 5);
        CHECK(e.write(32768 - 100, data).verified); // across the chip boundary
        CHECK(e.read(32768 - 100, 300) == data);
        CHECK(bus.contents(0x51)[199] == data[299]);
    }
    {
        EmulatedBus bus;
        bus.add_24xx("24cm02", 0x54);
        Eeprom24 e(bus, 0x54, find_chip("24cm02"));
        const auto data = pattern(600, 6);
        const std::size_t at = 3 * 65536 - 300; // block 2 -> 3 (0x56 -> 0x57)
        CHECK(e.write(at, data).verified);
        CHECK(e.read(at, 600) == data);
        CHECK(bus.contents(0x54)[at] == data[0]);
    }
    {
        EmulatedBus bus;
        const auto img = pattern(131072, 7);
        bus.add_24xx("24c1025", 0x50, img); // blocks at 0x50 and 0x54, no rollover
        Eeprom24 e(bus, 0x50, find_chip("24c1025"));
        CHECK(e.read(65536 - 40, 80) ==
              std::vector<std::uint8_t>(img.begin() + 65536 - 40, img.begin() + 65536 + 40));
    }
}

TEST_CASE("bank windows inside a larger chip") {
    EmulatedBus bus;
    const auto img = pattern(32768, 8);
    bus.add_24xx("24c256", 0x50, img);
    Eeprom24 e(bus, 0x50, find_chip("24c256"));
    const std::size_t bank = 3, bank_size = 4096;
    CHECK(e.read(bank * bank_size, bank_size) ==
          std::vector<std::uint8_t>(img.begin() + 3 * 4096, img.begin() + 4 * 4096));
    const auto data = pattern(bank_size, 99);
    CHECK(e.write(bank * bank_size, data).verified);
    auto expect = img;
    std::copy(data.begin(), data.end(), expect.begin() + 3 * 4096);
    CHECK(bus.contents(0x50) == expect);
}

TEST_CASE("SMBus-only adapter: 1-byte chips in blocks of 32, 2-byte chips in 31-byte writes") {
    EmuOptions o;
    o.smbus_only = true;
    {
        EmulatedBus bus(o);
        bus.add_24xx("24c16", 0x50);
        Eeprom24 e(bus, 0x50, find_chip("24c16"));
        const auto img = pattern(2048, 10);
        CHECK(e.write(0, img).verified);
        CHECK(e.read(0, 2048) == img);
    }
    {
        EmulatedBus bus(o);
        bus.add_24xx("24c256", 0x50);
        Eeprom24 e(bus, 0x50, find_chip("24c256"));
        const auto data = pattern(640, 11);
        const auto r = e.write(64 * 10, data);
        CHECK(r.verified);
        CHECK(e.read(640, 640) == data);
        // 10 pages of 64 bytes, each in chunks of 31 + 31 + 2: three write cycles per page.
        CHECK(cycles(bus) == 30);
        for (const auto& t : bus.log()) {
            if (!t.read)
                CHECK(t.bytes <= 33);
        }
    }
}

TEST_CASE("ACK polling ends within a probe of the write cycle, with few probes") {
    EmulatedBus bus; // 100 kHz, tWR 5 ms
    bus.add_24xx("24c256", 0x50);
    Eeprom24 e(bus, 0x50, find_chip("24c256"));
    const auto data = pattern(64 * 20, 21);
    WriteOptions wo;
    wo.only_changed = false;
    const auto before = bus.log().size();
    const auto t0 = bus.stats()->simulated_time_us;
    CHECK(e.write(0, data, wo).verified);
    const auto spent = static_cast<double>(bus.stats()->simulated_time_us - t0);
    std::size_t nacked_probes = 0;
    for (std::size_t i = before; i < bus.log().size(); ++i)
        nacked_probes += bus.log()[i].read && !bus.log()[i].acked;
    // 20 cycles of 5 ms; frames of 2 + 64 bytes; one read-back of 1280 bytes.
    const double frames_us = 20 * (9 * 67 + 2) * 10.0;
    const double read_us = 5 * (9 * 260 + 3) * 10.0;
    CHECK(spent > 20 * 5000 + frames_us + read_us);
    // Per cycle: the final probe (20 clocks) and at most ~2 probes of overshoot, bar the first.
    CHECK(spent < 20 * 5000 + frames_us + read_us + 20 * 200 + 20 * 220 + 400);
    // The first cycle is polled every 200 us (~16 probes), later ones from just before the end.
    CHECK(nacked_probes < 16 + 19 * 3);
}

TEST_CASE("write-protected chip: refused, nothing written") {
    EmulatedBus bus;
    const auto img = pattern(256, 12);
    bus.add_24xx("24c02", 0x50, img);
    bus.set_protection(0x50, 1); // WP pin
    Eeprom24 e(bus, 0x50, find_chip("24c02"));
    try {
        e.write(0, pattern(256, 13));
        FAIL("no exception");
    } catch (const RefusedError& err) {
        CHECK_THAT(err.what(), Contains("0x50") && Contains("Nothing was written"));
    }
    CHECK(bus.contents(0x50) == img);
    CHECK(cycles(bus) == 0);
}

TEST_CASE("a data NACK met while polling with the next page write is a refusal, not busy") {
    EmulatedBus bus; // 100 kHz, tWR 5 ms
    const auto img = pattern(256, 30);
    bus.add_24xx("24c02", 0x50, img);
    Eeprom24 e(bus, 0x50, find_chip("24c02"));
    const auto target = pattern(256, 31);
    WriteOptions wo;
    wo.only_changed = false;
    int pages = 0;
    wo.progress = [&](std::string_view phase, std::size_t, std::size_t) {
        if (phase == "write" && ++pages == 4)
            bus.set_protection(0x50, 1); // WP goes high during the 4th page's write cycle
    };
    const auto t0 = bus.stats()->simulated_time_us;
    try {
        e.write(0, target, wo);
        FAIL("no exception");
    } catch (const NackError& err) {
        CHECK(err.errno_value() != ETIMEDOUT);
        CHECK_THAT(err.what(), Contains("0x50") && Contains("offset 0x20"));
    }
    // Told apart by a probe, not waited out: 4 cycles of 5 ms and a few frames, far below the
    // 4 cycles + 25 ms of a poll timeout.
    const auto spent = bus.stats()->simulated_time_us - t0;
    CHECK(spent < 4 * 5000 + 5000 + 3000);
    CHECK(cycles(bus) == 4);
    auto want = img;
    std::copy(target.begin(), target.begin() + 32, want.begin());
    CHECK(bus.contents(0x50) == want);
}

TEST_CASE("24xx: slow write cycles are polled, the timeout is bounded, vanishing is named",
          "[fault]") {
    EmulatedBus bus;
    bus.add_24xx("24c64", 0x51);
    Eeprom24 e(bus, 0x51, find_chip("24c64"));
    bus.set_twr_us(15000);
    CHECK(e.write(0, pattern(64, 14)).verified);
    bus.set_twr_us(30000);
    try {
        e.write(0, pattern(64, 15));
        FAIL("no exception");
    } catch (const BusError& err) {
        CHECK(err.addr() == 0x51);
        CHECK(err.errno_value() == ETIMEDOUT);
    }
    // The chip is still in that 30 ms cycle: the next write waits for it first.
    WriteOptions patient;
    patient.poll_timeout_us = 50000;
    CHECK(e.write(0, pattern(64, 15), patient).verified);
    CHECK(e.write(0, {}).verified); // an empty window: nothing to do

    auto emu = std::make_unique<EmulatedBus>();
    emu->add_24xx("24c32", 0x55);
    FaultPlan plan;
    plan.vanish_nth = 10;
    FaultBus fb(std::move(emu), plan);
    Eeprom24 gone(fb, 0x55, find_chip("24c32"));
    try {
        gone.write(0, pattern(4096, 16));
        FAIL("no exception");
    } catch (const BusError& err) {
        CHECK(err.addr() == 0x55);
        CHECK_THAT(err.what(), Contains("0x55"));
    }
}

TEST_CASE("page-size detection finds the real page and restores the window") {
    SECTION("an ST-like 24c02 with 16-byte pages") {
        auto bus = EmulatedBus::from_spec("emu:24c02@0x50,page=0x50:16");
        const auto img = pattern(256, 17);
        bus->set_contents(0x50, img);
        Eeprom24 e(*bus, 0x50, find_chip("24c02"));
        CHECK(e.page_size() == 8);
        CHECK(e.detect_page_size() == 16);
        CHECK(e.page_size() == 16);
        CHECK(bus->contents(0x50) == img);
    }
    SECTION("a 24c256 with 64-byte pages") {
        EmulatedBus bus;
        const auto img = pattern(32768, 18);
        bus.add_24xx("24c256", 0x50, img);
        Eeprom24 e(bus, 0x50, find_chip("24c256"), {1, 8});
        CHECK(e.detect_page_size(256) == 64);
        CHECK(bus.contents(0x50) == img);
    }
    SECTION("the adapter bounds the test window: only a lower bound on SMBus") {
        EmuOptions o;
        o.smbus_only = true;
        EmulatedBus bus(o);
        const auto img = pattern(32768, 19);
        bus.add_24xx("24c256", 0x50, img);
        Eeprom24 e(bus, 0x50, find_chip("24c256"));
        CHECK(e.detect_page_size() == 16);
        CHECK(bus.contents(0x50) == img);
    }
    SECTION("a write-protected chip is reported, not measured") {
        EmulatedBus bus;
        const auto img = pattern(256, 20);
        bus.add_24xx("24c02", 0x50, img);
        bus.set_protection(0x50, 1);
        Eeprom24 e(bus, 0x50, find_chip("24c02"));
        CHECK_THROWS_AS(e.detect_page_size(), Error);
        CHECK(bus.contents(0x50) == img);
    }
}
