// SPDX-License-Identifier: GPL-2.0-or-later
// SPD EEPROM driver over the emulated bus: scan, read, diff-only verified writes, protection,
// EE1004 page handling and the DDR3 safety rule.
#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>
#include <ddrspd/spd_device.hpp>

#include <algorithm>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

using namespace ddrspd;
using Catch::Matchers::Contains;

namespace {

std::vector<std::uint8_t> ddr4_bytes(std::uint8_t seed = 3) {
    std::vector<std::uint8_t> b(512);
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<std::uint8_t>(i * 7 + seed);
    b[0] = 0x23; // 512 bytes total, 384 used
    b[1] = 0x11;
    b[2] = 0x0C; // DDR4
    return b;
}

std::vector<std::uint8_t> ddr3_bytes(std::uint8_t seed = 5) {
    std::vector<std::uint8_t> b(256);
    for (std::size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<std::uint8_t>(i * 13 + seed);
    b[0] = 0x92;
    b[1] = 0x13;
    b[2] = 0x0B; // DDR3
    return b;
}

bool touched_command_space(const EmulatedBus& bus) {
    return std::any_of(bus.log().begin(), bus.log().end(),
                       [](const EmulatedBus::Transfer& t) { return (t.addr & 0x78) == 0x30; });
}

std::uint64_t write_cycles(const Bus& bus) {
    return bus.stats()->write_cycles;
}

} // namespace

TEST_CASE("scan identifies DDR3, DDR4, DDR5 and blank devices without writing") {
    auto bus = EmulatedBus::from_spec("emu:ddr5@0x54,temp=42.5");
    bus->add_ddr4(0x50, ddr4_bytes());
    bus->add_ddr3(0x52, ddr3_bytes());
    bus->add_24xx("24c02", 0x57); // blank: byte 2 = 0xFF

    const auto found = scan_spd(*bus);
    REQUIRE(found.size() == 4);
    CHECK(found[0].addr == 0x50);
    CHECK(found[0].kind == SpdKind::DDR4);
    CHECK(found[0].temp_sensor);
    CHECK(found[0].temperature_c == Approx(42.5));
    CHECK(found[1].addr == 0x52);
    CHECK(found[1].kind == SpdKind::DDR3);
    CHECK(found[1].temp_sensor);
    CHECK(found[2].addr == 0x54);
    CHECK(found[2].kind == SpdKind::DDR5); // MR0/MR1 = 0x51 0x18
    CHECK(found[3].addr == 0x57);
    CHECK(found[3].kind == SpdKind::Unknown);
    CHECK_FALSE(found[3].temp_sensor);

    CHECK(write_cycles(*bus) == 0);
    CHECK_FALSE(touched_command_space(*bus)); // a DDR3 is present
    // The only write phases are word addresses of random reads (one byte, then Sr).
    for (const auto& t : bus->log())
        CHECK((t.read || t.bytes <= 1));
}

TEST_CASE("scan reports a DDR5 image by byte 2 and nothing on an empty bus") {
    EmulatedBus empty;
    CHECK(scan_spd(empty).empty());

    EmulatedBus bus;
    auto img = ddr4_bytes();
    img[2] = 0x12; // a DDR5 SPD image stored in a plain 24c04 (e.g. a test fixture)
    bus.add_24xx("24c04", 0x50, img);
    const auto found = scan_spd(bus);
    REQUIRE(found.size() == 2); // the 24c04 answers at 0x50 and 0x51
    CHECK(found[0].kind == SpdKind::DDR5);
}

TEST_CASE("DDR4 bytes without an EE1004 behind them are not taken for DDR4") {
    // A DDR4 image in a plain 24c02: byte 2 says DDR4, but no RPA answers at 0x36.
    EmulatedBus bus;
    auto img = std::vector<std::uint8_t>(256);
    for (std::size_t i = 0; i < img.size(); ++i)
        img[i] = static_cast<std::uint8_t>(i);
    img[2] = 0x0C;
    bus.add_24xx("24c02", 0x50, img);
    const auto found = scan_spd(bus);
    REQUIRE(found.size() == 1);
    CHECK(found[0].kind == SpdKind::Unknown);
    SpdDevice dev(bus, 0x50);
    CHECK(dev.kind() == SpdKind::Unknown);
    CHECK(dev.size() == 256);
    CHECK(dev.read().bytes() == img);
    CHECK_THROWS_AS(dev.write(Image(ddr4_bytes())), RefusedError);
    CHECK(write_cycles(bus) == 0);
}

TEST_CASE("SpdDevice identifies and rejects absent devices") {
    EmulatedBus bus;
    bus.add_ddr3(0x51, ddr3_bytes());
    SpdDevice d3(bus, 0x51);
    CHECK(d3.kind() == SpdKind::DDR3);
    CHECK(d3.size() == 256);
    CHECK(d3.addr() == 0x51);
    try {
        SpdDevice none(bus, 0x53);
        FAIL("no exception");
    } catch (const NackError& e) {
        CHECK(e.addr() == 0x53);
        CHECK_THAT(e.what(), Contains("0x53"));
    }
    CHECK_THROWS_AS(SpdDevice(bus, 0x18), UsageError);
}

TEST_CASE("DDR4 read switches pages, verifies them with RPA and ends in page 0") {
    for (bool smbus : {false, true}) {
        EmuOptions o;
        o.smbus_only = smbus;
        EmulatedBus bus(o);
        const auto img = ddr4_bytes();
        bus.add_ddr4(0x50, img);
        SpdDevice dev(bus, 0x50);
        REQUIRE(dev.kind() == SpdKind::DDR4);
        REQUIRE(dev.size() == 512);

        std::vector<std::string> phases;
        std::size_t last_done = 0;
        const Image got = dev.read([&](std::string_view ph, std::size_t done, std::size_t total) {
            phases.emplace_back(ph);
            CHECK(total == 512);
            last_done = done;
        });
        CHECK(got.bytes() == img);
        CHECK(last_done == 512);
        CHECK(std::all_of(phases.begin(), phases.end(), [](auto& p) { return p == "read"; }));
        CHECK(bus.ee1004_page() == 0);
        CHECK(write_cycles(bus) == 0);
        for (const auto& t : bus.log()) {
            if (t.addr == 0x50 && t.read)
                CHECK(t.bytes <= (smbus ? 32u : 256u));
        }
    }
}

TEST_CASE("DDR4 read starts from page 1 when another program left it there") {
    EmulatedBus bus;
    auto img = ddr4_bytes();
    img[256 + 2] = 0x00; // what byte 2 reads as in page 1
    bus.add_ddr4(0x50, img);
    const std::array<std::uint8_t, 1> dummy{0};
    bus.write(0x37, dummy); // SPA1 by another program
    REQUIRE(bus.ee1004_page() == 1);
    {
        SpdDevice dev(bus, 0x50); // byte 2 reads page 1 here: not DDR4
        CHECK(dev.kind() == SpdKind::Unknown);
    }
    bus.write(0x36, dummy);
    SpdDevice dev(bus, 0x50);
    CHECK(dev.read().bytes() == img);
    bus.write(0x37, dummy); // and again between two operations
    CHECK(dev.read().bytes() == img);
    CHECK(bus.ee1004_page() == 0);

    // A write rescans the bus first; in page 1 nothing can be identified as DDR4, so no page
    // command may be sent: refused, with a hint.
    auto target = img;
    target[0x1F0] ^= 1;
    bus.write(0x37, dummy);
    const auto transfers = bus.log().size();
    try {
        dev.write(Image(target));
        FAIL("no exception");
    } catch (const RefusedError& e) {
        CHECK_THAT(e.what(), Contains("page 1"));
    }
    for (std::size_t i = transfers; i < bus.log().size(); ++i)
        CHECK((bus.log()[i].addr & 0x78) != 0x30);
    CHECK(bus.contents(0x50) == img);
    bus.write(0x36, dummy);
    CHECK(dev.write(Image(target)).verified);
    CHECK(bus.contents(0x50) == target);
    CHECK(bus.ee1004_page() == 0);
}

TEST_CASE("DDR4 write: full image, verified, page 0 restored") {
    for (bool smbus : {false, true}) {
        EmuOptions o;
        o.smbus_only = smbus;
        EmulatedBus bus(o);
        bus.add_ddr4(0x50);           // blank
        SpdDevice dev(bus, 0x50 + 0); // blank byte 2 -> unknown kind
        CHECK(dev.kind() == SpdKind::Unknown);
        CHECK_THROWS_AS(dev.write(Image(ddr4_bytes())), RefusedError);
        CHECK(write_cycles(bus) == 0);

        bus.set_contents(0x50, ddr4_bytes(9));
        SpdDevice d4(bus, 0x50);
        const auto target = ddr4_bytes(1);
        std::vector<std::string> phases;
        WriteOptions wo;
        wo.progress = [&](std::string_view ph, std::size_t, std::size_t) {
            if (phases.empty() || phases.back() != ph)
                phases.emplace_back(ph);
        };
        const auto r = d4.write(Image(target), wo);
        CHECK(r.verified);
        CHECK(r.mismatches.empty());
        CHECK(r.pages_written.size() == 32);
        CHECK(r.bytes_written == 512);
        CHECK(bus.contents(0x50) == target);
        CHECK(bus.ee1004_page() == 0);
        CHECK(write_cycles(bus) == 32);
        CHECK(phases == std::vector<std::string>{"read", "write", "verify"});
    }
}

TEST_CASE("diff-only write: one changed byte costs one page write and one write cycle") {
    EmulatedBus bus;
    auto img = ddr4_bytes();
    bus.add_ddr4(0x50, img);
    SpdDevice dev(bus, 0x50);
    img[0x13F] ^= 0x40; // page 1, write page 0x130
    const auto before = write_cycles(bus);
    const auto r = dev.write(Image(img));
    CHECK(r.verified);
    CHECK(r.pages_written == std::vector<std::size_t>{0x130});
    CHECK(r.bytes_written == 16);
    CHECK(write_cycles(bus) - before == 1);
    const auto wear = bus.stats()->page_write_cycles;
    REQUIRE(wear.size() == 1);
    CHECK(wear.begin()->first == std::pair<int, int>{0x50, 0x130 / 16});
    CHECK(bus.contents(0x50) == img);
    CHECK(bus.ee1004_page() == 0);

    // Writing the same image again writes nothing.
    const auto r2 = dev.write(Image(img));
    CHECK(r2.verified);
    CHECK(r2.pages_written.empty());
    CHECK(write_cycles(bus) - before == 1);
}

TEST_CASE("only_changed = false rewrites every page without reading first") {
    EmulatedBus bus;
    const auto img = ddr4_bytes();
    bus.add_ddr4(0x50, img);
    SpdDevice dev(bus, 0x50);
    WriteOptions wo;
    wo.only_changed = false;
    const auto r = dev.write(Image(img), wo);
    CHECK(r.verified);
    CHECK(r.pages_written.size() == 32);
    CHECK(write_cycles(bus) == 32);
}

TEST_CASE("a change behind the driver's back after read() is caught by the read-back") {
    EmulatedBus bus;
    auto img = ddr4_bytes();
    bus.add_ddr4(0x50, img);
    SpdDevice dev(bus, 0x50);
    REQUIRE(dev.read().bytes() == img); // remembered as the baseline
    auto changed = img;
    changed[0x45] ^= 0xFF; // someone else rewrites byte 0x45
    bus.set_contents(0x50, changed);

    auto target = img;
    target[0x101] ^= 0x01;
    WriteOptions wo;
    wo.max_retries = 0; // the stale-baseline round comes on top of the retries
    const auto r = dev.write(Image(target), wo);
    CHECK(r.verified);
    CHECK(bus.contents(0x50) == target);
    CHECK(std::count(r.pages_written.begin(), r.pages_written.end(), 0x40u) == 1);
}

TEST_CASE("images of the wrong type or size are refused before anything is sent") {
    EmulatedBus bus;
    bus.add_ddr4(0x50, ddr4_bytes());
    SpdDevice dev(bus, 0x50);
    const auto transfers = bus.log().size();
    CHECK_THROWS_AS(dev.write(Image(ddr3_bytes())), RefusedError); // 256 bytes, DDR3
    auto wrong_type = ddr4_bytes();
    wrong_type[2] = 0x0B;
    try {
        dev.write(Image(wrong_type));
        FAIL("no exception");
    } catch (const RefusedError& e) {
        CHECK_THAT(e.what(), Contains("DDR3"));
    }
    CHECK_THROWS_AS(dev.write(Image(std::vector<std::uint8_t>(511, 0x0C))), RefusedError);
    CHECK(bus.log().size() == transfers);
}

TEST_CASE("writes into protected blocks are refused before anything is written") {
    EmulatedBus bus;
    const auto img = ddr4_bytes();
    bus.add_ddr4(0x50, img);
    bus.set_protection(0x50, 0b0110); // blocks 1 and 2
    SpdDevice dev(bus, 0x50);

    auto p = dev.protection();
    REQUIRE(p.size() == 4);
    CHECK(p[0] == false);
    CHECK(p[1] == true);
    CHECK(p[2] == true);
    CHECK(p[3] == false);

    auto target = img;
    target[0x05] ^= 1;  // block 0: writable
    target[0x85] ^= 1;  // block 1: protected
    target[0x185] ^= 1; // block 3: writable
    try {
        dev.write(Image(target));
        FAIL("no exception");
    } catch (const RefusedError& e) {
        CHECK_THAT(e.what(), Contains("1 (bytes 128-255)"));
        CHECK_THAT(std::string(e.what()), !Contains("2 (bytes"));
    }
    CHECK(bus.contents(0x50) == img);
    CHECK(write_cycles(bus) == 0);
    CHECK(bus.ee1004_page() == 0);

    // Identical bytes in a protected block are no obstacle.
    target[0x85] ^= 1;
    const auto r = dev.write(Image(target));
    CHECK(r.verified);
    CHECK(bus.contents(0x50) == target);
}

TEST_CASE("protection changes need the high voltage") {
    EmulatedBus bus;
    bus.add_ddr4(0x50, ddr4_bytes());
    SpdDevice dev(bus, 0x50);
    const auto transfers = bus.log().size();
    try {
        dev.set_protection(0b0001, false);
        FAIL("no exception");
    } catch (const RefusedError& e) {
        CHECK_THAT(e.what(), Contains("7-10 V") && Contains("SA0"));
    }
    CHECK_THROWS_AS(dev.clear_protection(false), RefusedError);
    CHECK(bus.log().size() == transfers);

    // Claimed but not applied: the module does not answer the command.
    CHECK_THROWS_AS(dev.set_protection(0b0001, true), NackError);
    CHECK(bus.protection(0x50) == 0);

    bus.set_vhv(0x50, true);
    dev.set_protection(0b1001, true);
    CHECK(bus.protection(0x50) == 0b1001);
    const auto p = dev.protection();
    CHECK(p == std::vector<std::optional<bool>>{true, false, false, true});
    CHECK_FALSE(dev.permanent_protection());
    dev.clear_protection(true);
    CHECK(bus.protection(0x50) == 0);
    CHECK(bus.ee1004_page() == 0);
    CHECK_THROWS_AS(dev.set_protection(0x10, true), UsageError);
}

TEST_CASE("protection status with two DDR4 modules: a NACK still proves protection") {
    EmulatedBus bus;
    bus.add_ddr4(0x50, ddr4_bytes());
    bus.add_ddr4(0x51, ddr4_bytes(4));
    bus.set_protection(0x50, 0b0001);
    bus.set_protection(0x51, 0b0011);
    SpdDevice dev(bus, 0x51);
    const auto p = dev.protection();
    CHECK(p[0] == true);           // both NACK
    CHECK_FALSE(p[1].has_value()); // 0x50 ACKs: unknown for 0x51
    CHECK_FALSE(p[2].has_value());
    bus.set_vhv(0x51, true);
    CHECK_THROWS_AS(dev.set_protection(0b0100, true), RefusedError); // not alone on the bus
}

TEST_CASE("a DDR3 module on the bus: DDR4 page switching refused, nothing sent to 0x30-0x37") {
    EmulatedBus bus;
    const auto img4 = ddr4_bytes();
    const auto img3 = ddr3_bytes();
    bus.add_ddr4(0x50, img4);
    bus.add_ddr3(0x56, img3); // its Set-PSWP address is 0x36 = SPA0
    SpdDevice dev(bus, 0x50);
    CHECK(dev.kind() == SpdKind::DDR4);
    try {
        dev.read();
        FAIL("no exception");
    } catch (const RefusedError& e) {
        CHECK_THAT(e.what(), Contains("0x56") && Contains("PSWP") && Contains("0x36"));
    }
    auto target = img4;
    target[3] ^= 1;
    CHECK_THROWS_AS(dev.write(Image(target)), RefusedError);
    CHECK_THROWS_AS(dev.protection(), RefusedError);
    bus.set_vhv(0x50, true);
    CHECK_THROWS_AS(dev.set_protection(1, true), RefusedError);
    CHECK_THROWS_AS(dev.clear_protection(true), RefusedError);

    // The DDR3 module itself is read and written normally: it needs no command addresses.
    SpdDevice d3(bus, 0x56);
    CHECK(d3.read().bytes() == img3);
    auto t3 = img3;
    t3[200] ^= 0x80;
    CHECK(d3.write(Image(t3)).verified);
    CHECK(bus.contents(0x56) == t3);
    CHECK(d3.protection() == std::vector<std::optional<bool>>{std::nullopt}); // needs VHV

    const auto found = scan_spd(bus);
    CHECK(found.size() == 2);

    CHECK_FALSE(touched_command_space(bus));
    CHECK_FALSE(bus.pswp_set(0x56));
    CHECK(bus.contents(0x50) == img4);
}

TEST_CASE("DDR3 + DDR4 with glitching NACKs: still nothing sent to 0x30-0x37", "[fault]") {
    // A NACK must never be taken as "no DDR3 here": that would open the command addresses.
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        auto emu = std::make_unique<EmulatedBus>();
        EmulatedBus& e = *emu;
        e.add_ddr4(0x50, ddr4_bytes());
        e.add_ddr3(0x57, ddr3_bytes()); // its Set-PSWP address is 0x37 = SPA1
        FaultPlan plan;
        plan.seed = seed;
        plan.nack_p = 0.05;
        FaultBus bus(std::move(emu), plan);
        try {
            SpdDevice dev(bus, 0x50);
            auto target = ddr4_bytes();
            target[300] ^= 1;
            dev.write(Image(target));
            FAIL("a DDR4 write went through with a DDR3 on the bus");
        } catch (const RefusedError&) {
        } catch (const BusError&) {
        }
        INFO("seed " << seed);
        CHECK_FALSE(touched_command_space(e));
        CHECK_FALSE(e.pswp_set(0x57));
    }
}

TEST_CASE("DDR3: protected lower half refused, RSWP with VHV, PSWP never set") {
    EmulatedBus bus;
    const auto img = ddr3_bytes();
    bus.add_ddr3(0x50, img);
    SpdDevice dev(bus, 0x50);
    CHECK_FALSE(dev.permanent_protection());
    CHECK_THROWS_AS(dev.set_protection(1, false), RefusedError);

    bus.set_vhv(0x50, true);
    CHECK(dev.protection(true) == std::vector<std::optional<bool>>{false});
    dev.set_protection(1, true);
    CHECK(dev.protection(true) == std::vector<std::optional<bool>>{true});
    CHECK(bus.protection(0x50) == 1);
    CHECK_FALSE(bus.pswp_set(0x50));

    auto target = img;
    target[0x10] ^= 1; // protected half
    target[0xF0] ^= 1; // writable half
    try {
        dev.write(Image(target));
        FAIL("no exception");
    } catch (const RefusedError& e) {
        CHECK_THAT(e.what(), Contains("block 0") && Contains("Nothing was written"));
    }
    CHECK(bus.contents(0x50) == img);

    dev.clear_protection(true);
    CHECK(dev.protection(true) == std::vector<std::optional<bool>>{false});
    CHECK(dev.write(Image(target)).verified);
    CHECK(bus.contents(0x50) == target);
    CHECK_FALSE(bus.pswp_set(0x50));
    CHECK_THROWS_AS(dev.set_protection(2, true), UsageError);
}

TEST_CASE("DDR3 at 0x51: Set-RSWP would be its own Set-PSWP command, refused") {
    EmulatedBus bus;
    bus.add_ddr3(0x51, ddr3_bytes());
    bus.set_vhv(0x51, true);
    SpdDevice dev(bus, 0x51);
    const auto transfers = bus.log().size();
    CHECK_THROWS_AS(dev.set_protection(1, true), RefusedError);
    for (std::size_t i = transfers; i < bus.log().size(); ++i)
        CHECK(bus.log()[i].addr != 0x31);
    CHECK_FALSE(bus.pswp_set(0x51));
}

TEST_CASE("DDR3 protection commands need a bus holding that module only") {
    EmulatedBus bus;
    bus.add_ddr3(0x50, ddr3_bytes());
    bus.add_ddr3(0x51, ddr3_bytes());
    bus.set_vhv(0x50, true);
    SpdDevice dev(bus, 0x50);
    CHECK_THROWS_AS(dev.set_protection(1, true), RefusedError);
    CHECK_THROWS_AS(dev.permanent_protection(), RefusedError);
    CHECK_FALSE(touched_command_space(bus));
    CHECK_FALSE(bus.pswp_set(0x51));
}

TEST_CASE("page 0 is restored after a fault at any point of a DDR4 write", "[fault]") {
    const auto old_img = ddr4_bytes(1);
    const auto target = ddr4_bytes(2);
    int threw = 0;
    for (std::uint64_t nth = 1; nth <= 400; nth += 7) {
        auto emu = std::make_unique<EmulatedBus>();
        EmulatedBus& e = *emu;
        e.add_ddr4(0x50, old_img);
        FaultPlan plan;
        plan.nack_nth = nth;
        FaultBus bus(std::move(emu), plan);
        try {
            SpdDevice dev(bus, 0x50);
            const auto r = dev.write(Image(target));
            // A NACK absorbed by the retry: then the write must be complete.
            CHECK(r.verified);
            CHECK(e.contents(0x50) == target);
        } catch (const BusError& err) {
            ++threw;
            INFO("nack_nth = " << nth << ": " << err.what());
            CHECK(err.addr() >= 0);
        } catch (const RefusedError&) {
            ++threw;
        }
        INFO("nack_nth = " << nth);
        CHECK(e.ee1004_page() == 0);
    }
    CHECK(threw > 0);
}

TEST_CASE("page 0 is restored when NACKs come in bursts (random faults, many seeds)", "[fault]") {
    const auto old_img = ddr4_bytes(1);
    const auto target = ddr4_bytes(2);
    int threw_in_page1 = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        auto emu = std::make_unique<EmulatedBus>();
        EmulatedBus& e = *emu;
        e.add_ddr4(0x50, old_img);
        FaultPlan plan;
        plan.seed = seed;
        plan.nack_p = 0.08;
        FaultBus bus(std::move(emu), plan);
        try {
            SpdDevice dev(bus, 0x50);
            WriteOptions wo;
            wo.only_changed = false; // straight into the page writes
            const auto r = dev.write(Image(target), wo);
            CHECK(r.verified);
            CHECK(e.contents(0x50) == target);
        } catch (const Error& err) {
            // Which page was being written when it failed: page 1 holds bytes 256-511.
            const auto c = e.contents(0x50);
            if (!std::equal(c.begin() + 256, c.end(), old_img.begin() + 256))
                ++threw_in_page1;
            INFO("seed " << seed << ": " << err.what());
            CHECK(e.ee1004_page() == 0);
        }
        CHECK(e.ee1004_page() == 0);
    }
    CHECK(threw_in_page1 > 0); // the interesting case did happen
}

TEST_CASE("page 0 is restored after a fault during a DDR4 read", "[fault]") {
    for (std::uint64_t nth = 1; nth <= 12; ++nth) {
        auto emu = std::make_unique<EmulatedBus>(EmuOptions{100000, 5000, true, 30.0});
        EmulatedBus& e = *emu;
        e.add_ddr4(0x50, ddr4_bytes());
        FaultPlan plan;
        plan.nack_nth = 12 + nth * 2; // after identification, around the page switches
        FaultBus bus(std::move(emu), plan);
        SpdDevice dev(bus, 0x50);
        try {
            const Image got = dev.read();
            CHECK(got.bytes() == ddr4_bytes());
        } catch (const BusError& err) {
            CHECK_THAT(err.what(), Contains("0x"));
        }
        CHECK(e.ee1004_page() == 0);
    }
}

TEST_CASE("slow write cycles succeed through ACK polling; a bounded timeout fails cleanly") {
    EmulatedBus bus;
    bus.add_ddr4(0x50, ddr4_bytes(1));
    SpdDevice dev(bus, 0x50);
    dev.read();            // the baseline: the write itself then reads only once
    bus.set_twr_us(18000); // far beyond the datasheet's 5 ms
    auto target = ddr4_bytes(1);
    target[0x10] ^= 1;
    target[0x120] ^= 1;
    const auto t0 = bus.stats()->simulated_time_us;
    const auto r = dev.write(Image(target));
    CHECK(r.verified);
    CHECK(bus.contents(0x50) == target);
    // Two cycles of 18 ms and one read-back of 512 bytes (46 ms of data bits at 100 kHz): the
    // poll neither gave up early nor waited much longer than the cycles.
    const auto spent = bus.stats()->simulated_time_us - t0;
    CHECK(spent > 36000 + 46080);
    CHECK(spent < 36000 + 46080 + 10000); // a third cycle would show

    bus.set_twr_us(40000);
    target[0x30] ^= 1;
    try {
        dev.write(Image(target)); // timeout 25 ms
        FAIL("no exception");
    } catch (const BusError& e) {
        CHECK(e.errno_value() == ETIMEDOUT);
        CHECK(e.addr() == 0x50);
        CHECK_THAT(e.what(), Contains("0x50") && Contains("25 ms"));
    }
    CHECK(bus.ee1004_page() == 0);

    WriteOptions patient;
    patient.poll_timeout_us = 60000;
    bus.set_twr_us(40000);
    CHECK(dev.write(Image(target), patient).verified);
}

TEST_CASE("page 0 is restored after a write cycle that outlasts the poll bound", "[fault]") {
    // A write in page 1 times out (cycle 100 ms, poll bound 25 ms): the module still NACKs
    // everything, SPA0 included, until its cycle ends; the restore must outwait it.
    EmulatedBus bus;
    bus.add_ddr4(0x50, ddr4_bytes(1));
    SpdDevice dev(bus, 0x50);
    dev.read();
    bus.set_twr_us(100000);
    auto target = ddr4_bytes(1);
    target[0x130] ^= 1; // page 1 only
    const auto t0 = bus.stats()->simulated_time_us;
    try {
        dev.write(Image(target));
        FAIL("no exception");
    } catch (const BusError& e) {
        CHECK(e.errno_value() == ETIMEDOUT);
    }
    CHECK(bus.ee1004_page() == 0);
    CHECK(bus.contents(0x50) == target); // the cycle itself completed
    // It waited for the cycle, not much longer.
    CHECK(bus.stats()->simulated_time_us - t0 < 100000 + 20000);
}

TEST_CASE("page 0 is restored when timeouts hit the restore itself (slow cycles, many seeds)",
          "[fault]") {
    int failed = 0;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        auto emu = std::make_unique<EmulatedBus>();
        EmulatedBus& e = *emu;
        e.add_ddr4(0x50, ddr4_bytes(1));
        e.set_twr_us(60000); // longer than the 25 ms write poll bound
        FaultPlan plan;
        plan.seed = seed;
        plan.timeout_p = 0.02;
        FaultBus bus(std::move(emu), plan);
        auto target = ddr4_bytes(1);
        for (std::size_t i = 0x100; i < 0x200; i += 16)
            target[i] ^= 0x01; // every write page of EE1004 page 1
        try {
            SpdDevice dev(bus, 0x50);
            dev.read();
            dev.write(Image(target));
        } catch (const Error&) {
            ++failed;
        }
        INFO("seed " << seed);
        CHECK(e.ee1004_page() == 0);
    }
    CHECK(failed > 0);
}

TEST_CASE("a blank module is written when the caller asserts its type") {
    const std::vector<std::uint8_t> blank4(512, 0xFF), blank3(256, 0xFF);
    SECTION("DDR4: confirmed by RPA, written and verified") {
        EmulatedBus bus;
        bus.add_ddr4(0x52, blank4);
        CHECK(SpdDevice(bus, 0x52).kind() == SpdKind::Unknown);
        SpdDevice dev(bus, 0x52, SpdKind::DDR4);
        CHECK(dev.kind() == SpdKind::DDR4);
        CHECK(dev.write(Image(ddr4_bytes(2))).verified);
        CHECK(bus.contents(0x52) == ddr4_bytes(2));
        CHECK(bus.ee1004_page() == 0);
    }
    SECTION("DDR3: written through 0x50-0x57 only") {
        EmulatedBus bus;
        bus.add_ddr3(0x51, blank3);
        SpdDevice dev(bus, 0x51, SpdKind::DDR3);
        CHECK(dev.kind() == SpdKind::DDR3);
        CHECK(dev.write(Image(ddr3_bytes(4))).verified);
        CHECK(bus.contents(0x51) == ddr3_bytes(4));
        CHECK_FALSE(touched_command_space(bus));
    }
    SECTION("DDR4 asserted but a DDR3 module shares the bus: refused, nothing at 0x30-0x37") {
        EmulatedBus bus;
        bus.add_ddr4(0x50, blank4);
        bus.add_ddr3(0x56, ddr3_bytes());
        CHECK_THROWS_AS(SpdDevice(bus, 0x50, SpdKind::DDR4), RefusedError);
        CHECK_FALSE(touched_command_space(bus));
    }
    SECTION("DDR4 asserted for a chip that does not answer RPA (an EE1002): refused") {
        EmulatedBus bus;
        bus.add_ddr3(0x50, blank3);
        CHECK_THROWS_AS(SpdDevice(bus, 0x50, SpdKind::DDR4), RefusedError);
        CHECK(bus.contents(0x50) == blank3);
    }
    SECTION("an assertion contradicting the contents is refused") {
        EmulatedBus bus;
        bus.add_ddr4(0x50, ddr4_bytes());
        CHECK_THROWS_AS(SpdDevice(bus, 0x50, SpdKind::DDR3), RefusedError);
        CHECK(SpdDevice(bus, 0x50, SpdKind::DDR4).kind() == SpdKind::DDR4);
    }
}

TEST_CASE("page writes poll with their own address phase once the cycle is learned") {
    EmulatedBus bus(EmuOptions{100000, 3000, false, 30.0});
    bus.add_ddr4(0x50, ddr4_bytes(1));
    SpdDevice dev(bus, 0x50);
    dev.read();
    const auto before = bus.log().size();
    const auto t0 = bus.stats()->simulated_time_us;
    WriteOptions wo;
    wo.only_changed = false;
    CHECK(dev.write(Image(ddr4_bytes(2)), wo).verified);
    CHECK(bus.contents(0x50) == ddr4_bytes(2));
    CHECK(bus.ee1004_page() == 0);
    std::size_t probes = 0, nacked_writes = 0;
    for (std::size_t i = before; i < bus.log().size(); ++i) {
        const auto& t = bus.log()[i];
        if (t.addr != 0x50)
            continue;
        probes += t.read && t.bytes <= 1;
        nacked_writes += !t.read && !t.acked;
    }
    // Probes: the busy check and the rescan (2), the first cycle polled every 200 us (~10 + 1),
    // the cycles before SPA1 and before the verify (2), a few while the end is bisected. Polling
    // every cycle with probes took ~100.
    CHECK(probes <= 20);
    CHECK(nacked_writes <= 6); // bisection attempts that came early: nothing written
    // Lower bound: 32 cycles of 3 ms, 2 x 512 bytes of 9 clocks, 32 page frames and two read
    // frames (7.4 ms). Upper bound: the floor of 198.8 ms (bench_hw) plus ~1.5 ms of learning.
    const auto spent = bus.stats()->simulated_time_us - t0;
    CHECK(spent > 96000 + 92160 + 7400);
    CHECK(spent < 200500);
}

TEST_CASE("a module that vanishes mid-write gives a BusError naming its address", "[fault]") {
    for (std::uint64_t nth : {40u, 80u, 100u}) { // the write: transfers 27-108
        auto emu = std::make_unique<EmulatedBus>();
        EmulatedBus& e = *emu;
        e.add_ddr4(0x52, ddr4_bytes(1));
        FaultPlan plan;
        plan.vanish_nth = nth;
        plan.vanish_addr = 0x52;
        FaultBus bus(std::move(emu), plan);
        try {
            SpdDevice dev(bus, 0x52);
            dev.write(Image(ddr4_bytes(2)));
            FAIL("no exception");
        } catch (const BusError& err) {
            CHECK(err.addr() == 0x52);
            CHECK_THAT(err.what(), Contains("0x52"));
        }
    }
    EmulatedBus bus;
    bus.add_ddr3(0x53, ddr3_bytes());
    SpdDevice dev(bus, 0x53);
    bus.set_present(0x53, false);
    try {
        dev.read();
        FAIL("no exception");
    } catch (const BusError& err) {
        CHECK(err.addr() == 0x53);
        CHECK_THAT(err.what(), Contains("0x53"));
    }
}

TEST_CASE("DDR5 hub: recognised, read page by page, refused for writing") {
    auto bus = EmulatedBus::from_spec("emu:ddr5@0x51");
    std::vector<std::uint8_t> nvm(1024);
    for (std::size_t i = 0; i < nvm.size(); ++i)
        nvm[i] = static_cast<std::uint8_t>(i * 3 + i / 256);
    nvm[2] = 0x12;
    bus->set_contents(0x51, nvm);
    SpdDevice dev(*bus, 0x51);
    CHECK(dev.kind() == SpdKind::DDR5);
    CHECK(dev.size() == 1024);
    CHECK(dev.read().bytes() == nvm);
    try {
        dev.write(Image(nvm));
        FAIL("no exception");
    } catch (const RefusedError& e) {
        CHECK_THAT(e.what(), Contains("not supported"));
    }
    CHECK_FALSE(touched_command_space(*bus));
    CHECK(to_string(SpdKind::DDR5) == "DDR5");
}
