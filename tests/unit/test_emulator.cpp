// SPDX-License-Identifier: GPL-2.0-or-later
// The emulated bus against the chip facts of spd-reference.md sections 4, 5, 7, 8.2 and 9.
#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace ddrspd;
using Bytes = std::vector<std::uint8_t>;
namespace fs = std::filesystem;

namespace {

Bytes pattern(std::size_t n, unsigned salt = 0) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = static_cast<std::uint8_t>(i * 7 + i / 256 + salt);
    }
    return b;
}

Bytes read_at(Bus& bus, std::uint8_t addr, Bytes word, std::size_t n) {
    Bytes out(n);
    bus.write_read(addr, word, out);
    return out;
}

// The Linux ee1004 way: SMBus send byte with one dummy data byte.
void spa(Bus& bus, int page) {
    bus.write(page == 0 ? 0x36 : 0x37, Bytes{0x00});
}

// 16-bit big-endian jc42 register.
unsigned jc42(Bus& bus, std::uint8_t addr, std::uint8_t reg) {
    Bytes v = read_at(bus, addr, {reg}, 2);
    return static_cast<unsigned>(v[0] << 8 | v[1]);
}

std::uint64_t sim_us(const Bus& bus) {
    return bus.stats()->simulated_time_us;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "ddrspd-emu-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

Bytes slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

} // namespace

// ---------------------------------------------------------------------------------------
// EE1004 (DDR4)

TEST_CASE("EE1004: two 256-byte pages selected by SPA0/SPA1, RPA reports the page", "[ee1004]") {
    EmulatedBus bus;
    Bytes image = pattern(512);
    bus.add_ddr4(0x50, image);

    CHECK(read_at(bus, 0x50, {0x00}, 256) == Bytes(image.begin(), image.begin() + 256));
    CHECK(bus.probe(0x36)); // RPA: ACK = page 0

    spa(bus, 1);
    CHECK(bus.ee1004_page() == 1);
    CHECK_FALSE(bus.probe(0x36)); // RPA: NACK = page 1
    CHECK(read_at(bus, 0x50, {0x00}, 256) == Bytes(image.begin() + 256, image.end()));

    spa(bus, 0);
    CHECK(bus.ee1004_page() == 0);
    CHECK(bus.probe(0x36));
    CHECK(read_at(bus, 0x50, {0x10}, 1) == Bytes{image[0x10]});
}

TEST_CASE("EE1004: the 8-bit address counter wraps inside the selected page", "[ee1004]") {
    EmulatedBus bus;
    Bytes image = pattern(512);
    bus.add_ddr4(0x50, image);
    spa(bus, 1);
    Bytes got = read_at(bus, 0x50, {0xFE}, 4);
    CHECK(got == Bytes{image[0x1FE], image[0x1FF], image[0x100], image[0x101]});
}

TEST_CASE("EE1004: SPA is bus-global and switches every module", "[ee1004]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50, pattern(512, 1));
    bus.add_ddr4(0x51, pattern(512, 2));
    spa(bus, 1);
    CHECK(read_at(bus, 0x50, {0}, 1) == Bytes{pattern(512, 1)[256]});
    CHECK(read_at(bus, 0x51, {0}, 1) == Bytes{pattern(512, 2)[256]});
    spa(bus, 0);
    CHECK(read_at(bus, 0x51, {0}, 1) == Bytes{pattern(512, 2)[0]});
}

TEST_CASE("EE1004: 16-byte page write wraps inside the page", "[ee1004]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50);
    // 4 bytes from 0x1E: 0x1E, 0x1F, then wrap to 0x10, 0x11 (never 0x20).
    bus.write(0x50, Bytes{0x1E, 0xA1, 0xA2, 0xA3, 0xA4});
    Bytes c = bus.contents(0x50);
    CHECK(c[0x1E] == 0xA1);
    CHECK(c[0x1F] == 0xA2);
    CHECK(c[0x10] == 0xA3);
    CHECK(c[0x11] == 0xA4);
    CHECK(c[0x20] == 0xFF);

    // 20 bytes into one 16-byte page: the first 4 are overwritten by the last 4.
    bus.clock().sleep_us(5000);
    Bytes frame{0x40};
    for (unsigned i = 0; i < 20; ++i) {
        frame.push_back(static_cast<std::uint8_t>(i));
    }
    bus.write(0x50, frame);
    c = bus.contents(0x50);
    CHECK(c[0x40] == 16);
    CHECK(c[0x43] == 19);
    CHECK(c[0x44] == 4);
    CHECK(c[0x4F] == 15);
    CHECK(c[0x50] == 0xFF);
}

TEST_CASE("EE1004: writes go to the selected page", "[ee1004]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50);
    spa(bus, 1);
    bus.write(0x50, Bytes{0x05, 0x42});
    CHECK(bus.contents(0x50)[0x105] == 0x42);
    CHECK(bus.contents(0x50)[0x005] == 0xFF);
    auto stats = *bus.stats();
    CHECK(stats.write_cycles == 1);
    CHECK(stats.page_write_cycles.at({0x50, 0x10}) == 1); // byte 0x105 is in 16-byte unit 16
}

TEST_CASE("EE1004: write cycle NACKs the address for tWR, then ACKs", "[ee1004][timing]") {
    EmulatedBus bus; // 100 kHz, tWR 5 ms
    bus.add_ddr4(0x50);
    bus.write(0x50, Bytes{0x00, 0x11});
    CHECK_FALSE(bus.probe(0x50));
    try {
        read_at(bus, 0x50, {0}, 1);
        FAIL("read during the write cycle must NACK");
    } catch (const NackError& e) {
        CHECK(e.errno_value() == EREMOTEIO); // bcm2835 flavour
        CHECK(e.addr() == 0x50);
        CHECK(std::string(e.what()) == "no device answered at 0x50 on emu:ddr4@0x50");
    }
    // Commands are ignored as well while busy: SPA does not switch a busy device.
    CHECK_THROWS_AS(spa(bus, 1), NackError);
    CHECK(bus.ee1004_page() == 0);
    bus.clock().sleep_us(4000);
    CHECK_FALSE(bus.probe(0x50));
    bus.clock().sleep_us(1000);
    CHECK(bus.probe(0x50));
    CHECK(read_at(bus, 0x50, {0}, 1) == Bytes{0x11});
}

TEST_CASE("EE1004: a fixed sleep shorter than tWR fails, ACK polling works", "[ee1004][timing]") {
    EmulatedBus bus(EmuOptions{.hz = 100000, .twr_us = 5000});
    bus.add_ddr4(0x50);
    bus.write(0x50, Bytes{0x00, 1, 2, 3});
    bus.clock().sleep_us(3000); // "typical 3 ms" is not enough for this part
    CHECK_THROWS_AS(bus.write(0x50, Bytes{0x10, 4}), NackError);

    bus.set_twr_us(3000); // a faster part
    bus.clock().sleep_us(5000);
    bus.write(0x50, Bytes{0x20, 5});
    unsigned polls = 0;
    while (!bus.probe(0x50)) {
        ++polls;
    }
    // One probe = S + addr + P = 11 SCL periods = 110 us (section 9): 3 ms needs 28 NACKs.
    CHECK(polls == 28);
}

TEST_CASE("EE1004: RPS0-3 status reads, SWP/CWP need VHV", "[ee1004][protect]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50, pattern(512));
    const std::uint8_t rps[4] = {0x31, 0x34, 0x35, 0x30};
    for (auto a : rps) {
        CHECK(bus.probe(a)); // ACK = not protected
    }

    // Without high voltage on SA0 the set/clear commands are not acknowledged.
    CHECK_THROWS_AS(bus.write(0x31, Bytes{0x00, 0x00}), NackError);
    CHECK(bus.protection(0x50) == 0);

    bus.set_vhv(0x50, true);
    bus.write(0x31, Bytes{0x00, 0x00}); // SWP0 with dummy address + data
    CHECK(bus.protection(0x50) == 0b0001);
    CHECK_FALSE(bus.probe(0x50)); // protection bits are written in a write cycle
    bus.clock().sleep_us(5000);
    bus.write(0x30, Bytes{0x00, 0x00}); // SWP3
    bus.clock().sleep_us(5000);
    CHECK(bus.protection(0x50) == 0b1001);
    CHECK_FALSE(bus.probe(0x31));
    CHECK(bus.probe(0x34));
    CHECK(bus.probe(0x35));
    CHECK_FALSE(bus.probe(0x30));

    // A frame without the dummy data byte is not a command.
    bus.write(0x34, Bytes{0x00});
    CHECK(bus.protection(0x50) == 0b1001);

    bus.write(0x33, Bytes{0x00, 0x00}); // CWP clears all four
    bus.clock().sleep_us(5000);
    CHECK(bus.protection(0x50) == 0);
    bus.set_vhv(0x50, false);
    CHECK_THROWS_AS(bus.write(0x33, Bytes{0x00, 0x00}), NackError);
}

TEST_CASE("EE1004: a write into a protected block NACKs the data, no write cycle",
          "[ee1004][protect]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50, pattern(512));
    bus.set_protection(0x50, 0b0100); // block 2 = page 1 bytes 0x00-0x7F
    spa(bus, 1);
    auto before = *bus.stats();
    try {
        bus.write(0x50, Bytes{0x10, 0xAA, 0xBB});
        FAIL("data must be NACKed");
    } catch (const NackError& e) {
        CHECK(std::string(e.what()) == "device at 0x50 on emu:ddr4@0x50 NACKed data byte 1 of 3 "
                                       "(write-protected block?)");
    }
    CHECK(bus.contents(0x50) == pattern(512));
    CHECK(bus.stats()->write_cycles == before.write_cycles);
    CHECK(bus.probe(0x50));             // no write cycle: answers at once
    bus.write(0x50, Bytes{0x80, 0xAA}); // block 3 is writable
    CHECK(bus.contents(0x50)[0x180] == 0xAA);
    CHECK_FALSE(bus.probe(0x35)); // RPS2
}

TEST_CASE("EE1004: TSE2004 sensor at 0x18 | (addr & 7) with jc42 registers", "[ee1004][tse]") {
    auto bus = EmulatedBus::from_spec("emu:ddr4@0x50,ddr4@0x53,temp=30.5");
    for (std::uint8_t ts : {std::uint8_t{0x18}, std::uint8_t{0x1B}}) {
        CHECK(jc42(*bus, ts, 0x06) == 0x104A);            // manufacturer: ST
        CHECK((jc42(*bus, ts, 0x07) & 0xFF00) == 0x2200); // TSE2004 family
        CHECK((jc42(*bus, ts, 0x00) & 0xFF00) == 0);      // capabilities (jc42.c detect)
        CHECK((jc42(*bus, ts, 0x05) & 0x1FFF) == 488);    // 30.5 C / 0.0625
    }
    CHECK_FALSE(bus->probe(0x19));

    // Limits: T_upper 80 C, T_crit 85 C (0.0625 C per LSB, bits 12:2) -> no alarm bits.
    bus->write(0x18, Bytes{0x02, 0x05, 0x00});
    bus->write(0x18, Bytes{0x04, 0x05, 0x50});
    CHECK(jc42(*bus, 0x18, 0x02) == 0x0500);
    CHECK(jc42(*bus, 0x18, 0x05) == 488);

    auto cold = EmulatedBus::from_spec("emu:ddr4@0x50,temp=-5.5");
    cold->write(0x18, Bytes{0x04, 0x05, 0x50}); // T_crit 85 C, T_lower stays 0 C
    // -5.5 C = -88 LSB = 0x1FA8 in 13-bit two's complement, below T_lower: bit 13 alarm.
    CHECK(jc42(*cold, 0x18, 0x05) == (0x1FA8 | 0x2000));
}

TEST_CASE("EE1004: the sensor answers while the EEPROM is in its write cycle", "[ee1004][tse]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50);
    bus.write(0x50, Bytes{0x00, 0x01});
    CHECK_FALSE(bus.probe(0x50));
    CHECK(bus.probe(0x18));
}

// ---------------------------------------------------------------------------------------
// Timing model (section 9: START/Sr/STOP = 1 SCL period, 9 periods per byte)

TEST_CASE("Timing: 256-byte combined read at 100 kHz is 23.34 ms", "[timing]") {
    EmulatedBus bus;
    bus.add_ddr3(0x50);
    read_at(bus, 0x50, {0x00}, 256);
    CHECK(sim_us(bus) == 23340);
    auto s = *bus.stats();
    CHECK(s.transactions == 1);
    CHECK(s.bytes_on_wire == 259);
}

TEST_CASE("Timing: section 9 table, 100 and 400 kHz", "[timing]") {
    SECTION("400 kHz combined 256 B = 5.835 ms") {
        EmulatedBus bus(EmuOptions{.hz = 400000});
        bus.add_ddr3(0x50);
        read_at(bus, 0x50, {0x00}, 256);
        CHECK(sim_us(bus) == 5835);
    }
    SECTION("8 x 32-byte SMBus I2C-block reads = 25.44 ms") {
        EmulatedBus bus(EmuOptions{.smbus_only = true});
        bus.add_ddr3(0x50);
        for (unsigned off = 0; off < 256; off += 32) {
            read_at(bus, 0x50, {static_cast<std::uint8_t>(off)}, 32);
        }
        CHECK(sim_us(bus) == 25440);
    }
    SECTION("256 x read byte data = 99.84 ms") {
        EmulatedBus bus(EmuOptions{.smbus_only = true});
        bus.add_ddr3(0x50);
        for (unsigned off = 0; off < 256; ++off) {
            read_at(bus, 0x50, {static_cast<std::uint8_t>(off)}, 1);
        }
        CHECK(sim_us(bus) == 99840);
    }
    SECTION("DDR4 512 B = 2 x 256 combined + SPA1 + SPA0 = 47.08 ms") {
        EmulatedBus bus;
        bus.add_ddr4(0x50);
        read_at(bus, 0x50, {0x00}, 256);
        spa(bus, 1);
        read_at(bus, 0x50, {0x00}, 256);
        spa(bus, 0);
        CHECK(sim_us(bus) == 47080);
    }
    SECTION("one ACK-poll probe to an absent device = 110 us") {
        EmulatedBus bus;
        CHECK_FALSE(bus.probe(0x50));
        CHECK(sim_us(bus) == 110);
    }
    SECTION("16-byte page write frame = 164 clocks = 1.64 ms") {
        EmulatedBus bus;
        bus.add_ddr4(0x50);
        bus.write(0x50, pattern(17));
        CHECK(sim_us(bus) == 1640);
    }
    SECTION("sleep_us advances simulated time only") {
        EmulatedBus bus;
        auto t0 = bus.clock().now_us();
        bus.clock().sleep_us(1000000);
        CHECK(bus.clock().now_us() - t0 == 1000000);
        CHECK(sim_us(bus) == 1000000);
    }
}

TEST_CASE("Timing: full DDR4 write + verify of 512 bytes, simulated vs wall", "[timing]") {
    EmulatedBus bus; // 100 kHz, tWR 5 ms
    bus.add_ddr4(0x50);
    Bytes image = pattern(512, 9);
    auto wall0 = std::chrono::steady_clock::now();

    unsigned polls = 0;
    for (int page = 0; page < 2; ++page) {
        spa(bus, page);
        for (unsigned off = 0; off < 256; off += 16) {
            Bytes frame{static_cast<std::uint8_t>(off)};
            auto first = image.begin() + page * 256 + off;
            frame.insert(frame.end(), first, first + 16);
            bus.write(0x50, frame);
            while (!bus.probe(0x50)) { // ACK polling, no sleep between probes
                ++polls;
            }
        }
    }
    auto write_us = sim_us(bus);
    Bytes back;
    for (int page = 0; page < 2; ++page) {
        spa(bus, page);
        Bytes half = read_at(bus, 0x50, {0x00}, 256);
        back.insert(back.end(), half.begin(), half.end());
    }
    spa(bus, 0);
    auto total_us = sim_us(bus);
    auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - wall0)
                       .count();

    CHECK(back == image);
    CHECK(bus.stats()->write_cycles == 32);
    fmt::print("DDR4 512 B write+verify at 100 kHz, tWR 5 ms: simulated write {:.1f} ms, "
               "total {:.1f} ms ({} NACKed polls); wall {:.3f} ms\n",
               static_cast<double>(write_us) / 1000.0, static_cast<double>(total_us) / 1000.0,
               polls, static_cast<double>(wall_us) / 1000.0);
    // Section 9: 32 pages x 1.64 ms + 32 x 5 ms tWR + 2 SPA (0.2 ms each) = 212.9 ms; ACK
    // polling adds the poll that ends after tWR (each poll 110 us, the final ACKed probe
    // with its byte 200 us): 46 NACKs + 1 ACK per page.
    CHECK(polls == 32 * 46);
    CHECK(write_us == 32 * (1640 + 46 * 110 + 200) + 2 * 200);
    // Verify: 2 x 23.34 ms + 3 SPA.
    CHECK(total_us == write_us + 2 * 23340 + 3 * 200);
    CHECK(total_us > 200000);
    CHECK(total_us < 280000);
}

// ---------------------------------------------------------------------------------------
// EE1002 (DDR3)

TEST_CASE("EE1002: 256 bytes, 16-byte page wrap, sequential read rolls over", "[ee1002]") {
    EmulatedBus bus;
    Bytes image = pattern(256);
    bus.add_ddr3(0x50, image);
    CHECK(read_at(bus, 0x50, {0xFE}, 3) == Bytes{image[0xFE], image[0xFF], image[0x00]});
    bus.write(0x50, Bytes{0x8F, 0x01, 0x02});
    Bytes c = bus.contents(0x50);
    CHECK(c[0x8F] == 0x01);
    CHECK(c[0x80] == 0x02);
    CHECK(c[0x90] == image[0x90]);
    CHECK(bus.ee1004_page() == 0);
}

TEST_CASE("EE1002: reversible protection RSWP needs VHV to set, clear and read", "[ee1002]") {
    EmulatedBus bus;
    bus.add_ddr3(0x50, pattern(256));
    // No VHV: 0x31 would be the PSWP address of a module at 0x51; nothing answers here.
    CHECK_FALSE(bus.probe(0x31));
    CHECK_THROWS_AS(bus.write(0x31, Bytes{0x00, 0x00}), NackError);
    CHECK(bus.protection(0x50) == 0);

    bus.set_vhv(0x50, true);
    CHECK(bus.probe(0x31)); // Read RSWP: ACK = not protected
    bus.write(0x31, Bytes{0x00, 0x00});
    bus.clock().sleep_us(5000);
    CHECK(bus.protection(0x50) == 1);
    CHECK_FALSE(bus.probe(0x31));
    CHECK_FALSE(bus.pswp_set(0x50));

    bus.set_vhv(0x50, false);
    CHECK_THROWS_AS(bus.write(0x50, Bytes{0x10, 0xAA}), NackError); // lower half protected
    bus.write(0x50, Bytes{0x90, 0xAA});                             // upper half writable
    bus.clock().sleep_us(5000);
    CHECK(bus.contents(0x50)[0x90] == 0xAA);
    CHECK(bus.contents(0x50)[0x10] == pattern(256)[0x10]);

    bus.set_vhv(0x50, true);
    bus.write(0x33, Bytes{0x00, 0x00}); // Clear RSWP
    bus.clock().sleep_us(5000);
    CHECK(bus.protection(0x50) == 0);
    bus.write(0x50, Bytes{0x10, 0xAA});
    bus.clock().sleep_us(5000);
    CHECK(bus.contents(0x50)[0x10] == 0xAA);
}

TEST_CASE("EE1002: PSWP is permanent and survives a reload from file", "[ee1002][pswp]") {
    TempDir dir;
    std::string image = dir.file("ddr3.bin");
    spit(image, pattern(256));
    {
        auto bus = EmulatedBus::from_spec("emu:ddr3@0x52=" + image);
        CHECK(bus->probe(0x32)); // Read PSWP: ACK = not set
        CHECK_FALSE(bus->pswp_set(0x52));
        bus->write(0x32, Bytes{0x00, 0x00}); // Set PSWP: normal levels, no VHV needed
        CHECK(bus->pswp_set(0x52));
        bus->clock().sleep_us(5000);
        CHECK_FALSE(bus->probe(0x32));
        CHECK(bus->protection(0x52) == 1);
        CHECK_THROWS_AS(bus->write(0x52, Bytes{0x00, 0x00}), NackError);
        bus->close();
    }
    CHECK(fs::exists(image + ".pswp"));
    CHECK(slurp(image) == pattern(256)); // contents unchanged: not rewritten

    auto again = EmulatedBus::from_spec("emu:ddr3@0x52=" + image + ",vhv=0x52");
    CHECK(again->pswp_set(0x52));
    CHECK_FALSE(again->probe(0x32));
    // Clearing RSWP (VHV) does not lift PSWP.
    again->write(0x33, Bytes{0x00, 0x00});
    again->clock().sleep_us(5000);
    CHECK(again->protection(0x52) == 1);
    CHECK_THROWS_AS(again->write(0x52, Bytes{0x7F, 0x00}), NackError);
    // The upper half stays writable, as on the AT34C02D/CAT34C02.
    again->write(0x52, Bytes{0x80, 0x00});
    again->clock().sleep_us(5000);
    CHECK(again->contents(0x52)[0x80] == 0x00);
}

TEST_CASE("EE1002: even a quick write to 0x30|n sets PSWP", "[ee1002][pswp]") {
    EmulatedBus bus;
    bus.add_ddr3(0x50);
    bus.write(0x30, {});
    CHECK(bus.pswp_set(0x50));
}

TEST_CASE("Hazard: EE1004 SPA0 (write 0x36) sets PSWP on a DDR3 at 0x56", "[ee1002][pswp]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50);
    bus.add_ddr3(0x56);
    bus.add_ddr3(0x57);
    spa(bus, 0);
    CHECK(bus.pswp_set(0x56));
    CHECK_FALSE(bus.pswp_set(0x57));
    CHECK(bus.log().back().addr == 0x36);
    CHECK_FALSE(bus.log().back().read);

    // Read-only traffic (RPA) is harmless: a DDR3 at 0x57 answers the read at 0x37 with ACK
    // (PSWP not set) and stays unprotected.
    CHECK(bus.probe(0x37));
    CHECK_FALSE(bus.pswp_set(0x57));
}

TEST_CASE("Log records every transfer, NACKed ones included", "[log]") {
    EmulatedBus bus;
    bus.add_ddr3(0x50);
    read_at(bus, 0x50, {0x00}, 4);
    CHECK_FALSE(bus.probe(0x51));
    const auto& log = bus.log();
    REQUIRE(log.size() == 3);
    CHECK((log[0].addr == 0x50 && !log[0].read && log[0].bytes == 1 && log[0].acked));
    CHECK((log[1].addr == 0x50 && log[1].read && log[1].bytes == 4 && log[1].acked));
    CHECK((log[2].addr == 0x51 && log[2].read && log[2].bytes == 0 && !log[2].acked));
    for (const auto& t : log) {
        CHECK_FALSE((!t.read && t.addr >= 0x30 && t.addr <= 0x37));
    }
}

// ---------------------------------------------------------------------------------------
// 24xx

TEST_CASE("24c02: 8-byte page wraps, sequential read rolls over 0xFF -> 0x00", "[24xx]") {
    EmulatedBus bus;
    Bytes image = pattern(256);
    bus.add_24xx("24c02", 0x50, image);
    bus.write(0x50, Bytes{0x06, 0xA0, 0xA1, 0xA2, 0xA3});
    Bytes c = bus.contents(0x50);
    CHECK(c[0x06] == 0xA0);
    CHECK(c[0x07] == 0xA1);
    CHECK(c[0x00] == 0xA2);
    CHECK(c[0x01] == 0xA3);
    CHECK(c[0x08] == image[0x08]);
    bus.clock().sleep_us(5000);
    CHECK(read_at(bus, 0x50, {0xFF}, 2) == Bytes{image[0xFF], 0xA2});
}

TEST_CASE("24c01: 128 bytes, 7-bit word address", "[24xx]") {
    EmulatedBus bus;
    bus.add_24xx("24c01", 0x50, pattern(128));
    CHECK(read_at(bus, 0x50, {0x85}, 1) == Bytes{pattern(128)[0x05]});
    CHECK(read_at(bus, 0x50, {0x7F}, 2) == Bytes{pattern(128)[0x7F], pattern(128)[0x00]});
}

TEST_CASE("24c04/08/16: high address bits in the device address", "[24xx]") {
    struct Case {
        const char* model;
        std::size_t size;
        std::uint8_t top; // highest device address used
    };
    for (auto [model, size, top] :
         {Case{"24c04", 512, 0x51}, Case{"24c08", 1024, 0x53}, Case{"24c16", 2048, 0x57}}) {
        INFO(model);
        EmulatedBus bus;
        Bytes image = pattern(size);
        bus.add_24xx(model, 0x50, image);
        std::size_t block = top & 7U;
        CHECK(read_at(bus, top, {0x10}, 1) == Bytes{image[block * 256 + 0x10]});
        bus.write(top, Bytes{0x20, 0x5A});
        CHECK(bus.contents(0x50)[block * 256 + 0x20] == 0x5A);
        CHECK(bus.contents(0x50)[0x20] == image[0x20]);
        bus.clock().sleep_us(5000);
        CHECK_FALSE(bus.probe(static_cast<std::uint8_t>(top + 1)));
        // Sequential read crosses into the next block and rolls over at the array end.
        CHECK(read_at(bus, 0x50, {0xFF}, 2) == Bytes{image[0xFF], image[0x100]});
        CHECK(read_at(bus, top, {0xFF}, 2) == Bytes{image[size - 1], image[0]});
        // 16-byte pages
        bus.write(0x50, Bytes{0x0F, 1, 2});
        CHECK(bus.contents(0x50)[0x00] == 2);
    }
    EmulatedBus bus;
    CHECK_THROWS_AS(bus.add_24xx("24c16", 0x51), UsageError);
    bus.add_24xx("24c04", 0x52);
    CHECK(bus.probe(0x53));
    CHECK_THROWS_AS(bus.add_ddr4(0x53), UsageError); // 0x53 is the 24c04's second block
}

TEST_CASE("24c256: 2-byte word address, 64-byte page wrap", "[24xx]") {
    EmulatedBus bus;
    Bytes image = pattern(32768);
    bus.add_24xx("24c256", 0x50, image);
    CHECK(read_at(bus, 0x50, {0x12, 0x34}, 2) == Bytes{image[0x1234], image[0x1235]});
    bus.write(0x50, Bytes{0x01, 0x3E, 0xC0, 0xC1, 0xC2});
    Bytes c = bus.contents(0x50);
    CHECK(c[0x013E] == 0xC0);
    CHECK(c[0x013F] == 0xC1);
    CHECK(c[0x0100] == 0xC2);
    CHECK(c[0x0140] == image[0x0140]);
    // Current-address read continues after the last byte written.
    bus.clock().sleep_us(5000);
    Bytes one(1);
    bus.read(0x50, one);
    CHECK(one[0] == image[0x0101]);
    CHECK(read_at(bus, 0x50, {0x7F, 0xFF}, 2) == Bytes{image[0x7FFF], image[0]});
}

TEST_CASE("24c1024: block bit a16 in device address bit 0, 256-byte pages", "[24xx]") {
    EmulatedBus bus;
    Bytes image = pattern(131072);
    bus.add_24xx("24c1024", 0x50, image);
    CHECK(read_at(bus, 0x51, {0x00, 0x10}, 1) == Bytes{image[0x10010]});
    Bytes frame{0x00, 0x00};
    for (unsigned i = 0; i < 258; ++i) {
        frame.push_back(static_cast<std::uint8_t>(i));
    }
    CHECK_THROWS_AS(bus.write(0x51, frame), BusError); // 260 > max_write 258
    frame.resize(2 + 256);
    bus.write(0x51, frame);
    CHECK(bus.contents(0x50)[0x100FF] == 255);
    bus.clock().sleep_us(5000);
    CHECK(read_at(bus, 0x50, {0xFF, 0xFF}, 2) == Bytes{image[0xFFFF], image[0x10000]});

    EmulatedBus b2;
    b2.add_24xx("24c1025", 0x50, image); // Microchip: block bit at A2, no block rollover
    CHECK(read_at(b2, 0x54, {0x00, 0x10}, 1) == Bytes{image[0x10010]});
    CHECK(read_at(b2, 0x50, {0xFF, 0xFF}, 2) == Bytes{image[0xFFFF], image[0]});
}

TEST_CASE("24cm02: two block bits, four addresses", "[24xx]") {
    EmulatedBus bus;
    bus.add_24xx("24cm02", 0x54);
    bus.write(0x57, Bytes{0x00, 0x01, 0x77});
    CHECK(bus.contents(0x54)[0x30001] == 0x77);
    CHECK(bus.contents(0x54).size() == 262144);
}

TEST_CASE("24xx: WP pin NACKs data; page size override", "[24xx]") {
    auto bus = EmulatedBus::from_spec("emu:24c02@0x50,wp=0x50:0,24c02@0x51,page=0x51:16");
    CHECK(bus->protection(0x50) == 1);
    CHECK_THROWS_AS(bus->write(0x50, Bytes{0x00, 0x01}), NackError);
    bus->write(0x51, Bytes{0x06, 1, 2, 3});
    CHECK(bus->contents(0x51)[0x08] == 3); // 16-byte page: no wrap at 8
    bus->clock().sleep_us(5000);
    bus->write(0x51, Bytes{0x0E, 4, 5, 6});
    CHECK(bus->contents(0x51)[0x00] == 6); // but at 16
    CHECK(bus->contents(0x51)[0x10] == 0xFF);
}

// ---------------------------------------------------------------------------------------
// DDR5 hub stub

TEST_CASE("SPD5118 stub: identification, paged NVM reads, fresh-START pointer reset", "[ddr5]") {
    auto bus = EmulatedBus::from_spec("emu:ddr5@0x50");
    Bytes nvm = pattern(1024);
    bus->set_contents(0x50, nvm);
    CHECK(read_at(*bus, 0x50, {0x00}, 2) == Bytes{0x51, 0x18});
    bus->write(0x50, Bytes{11, 3}); // MR11 = page 3
    CHECK(read_at(*bus, 0x50, {0x80 | 0x05}, 2) == Bytes{nvm[3 * 128 + 5], nvm[3 * 128 + 6]});
    // write pointer, STOP, then a plain read: the hub restarts at address 0.
    bus->write(0x50, Bytes{0x85});
    Bytes one(1);
    bus->read(0x50, one);
    CHECK(one[0] == 0x51);
    CHECK_THROWS_AS(bus->write(0x50, Bytes{0x80, 0x00}), NackError); // read-only stub
    bus->write(0x50, Bytes{11, 0});
}

// ---------------------------------------------------------------------------------------
// Presence

TEST_CASE("set_present: an unplugged module NACKs everything, replug resets the page",
          "[present]") {
    EmulatedBus bus;
    bus.add_ddr4(0x50);
    spa(bus, 1);
    bus.set_present(0x50, false);
    CHECK_FALSE(bus.probe(0x50));
    CHECK_FALSE(bus.probe(0x18));
    CHECK_FALSE(bus.probe(0x36));
    bus.set_present(0x50, true);
    CHECK(bus.ee1004_page() == 0);
    CHECK(bus.probe(0x36));
    CHECK_THROWS_AS(bus.set_present(0x51, false), UsageError);
}

// ---------------------------------------------------------------------------------------
// Adapter flavours

TEST_CASE("SMBus-only adapter: limits like i801", "[smbus]") {
    auto bus = EmulatedBus::from_spec("emu:ddr3@0x50,24c256@0x51,24c02@0x52,smbus=1");
    const auto& caps = bus->caps();
    CHECK_FALSE(caps.full_i2c);
    CHECK(caps.max_read == 32);
    CHECK(caps.max_write == 33);

    Bytes big(33);
    auto expect_eopnotsupp = [](auto&& f) {
        try {
            f();
            FAIL("expected EOPNOTSUPP");
        } catch (const NackError&) {
            FAIL("NACK instead of EOPNOTSUPP");
        } catch (const BusError& e) {
            CHECK(e.errno_value() == EOPNOTSUPP);
            CHECK_THAT(e.what(), Catch::Contains("SMBus-only"));
        }
    };
    expect_eopnotsupp([&] { bus->write_read(0x50, Bytes{0x00}, big); });
    Bytes two(2);
    expect_eopnotsupp([&] { bus->read(0x50, two); });
    expect_eopnotsupp([&] { bus->write(0x50, Bytes(34, 0)); });
    expect_eopnotsupp([&] { bus->write_read(0x50, Bytes{0, 0, 0}, two); });
    CHECK(bus->log().empty()); // refused before anything went on the wire

    Bytes block(32);
    bus->write_read(0x50, Bytes{0x00}, block); // I2C block read
    bus->write(0x50, Bytes(33, 0x00));         // I2C block write: 1 + 32
    bus->clock().sleep_us(5000);

    // NACK is ENXIO on i801, and the message names the bus
    Bytes one(1);
    try {
        bus->read(0x53, one);
        FAIL("nothing at 0x53");
    } catch (const NackError& e) {
        CHECK(e.errno_value() == ENXIO);
        CHECK_THAT(e.what(), Catch::Contains("no device answered at 0x53 on emu:") &&
                                 Catch::Contains("smbus=1"));
    }
}

TEST_CASE("SMBus-only: 2-byte address read = write byte data + receive byte loop", "[smbus]") {
    EmulatedBus bus(EmuOptions{.smbus_only = true});
    Bytes image = pattern(32768);
    bus.add_24xx("24c256", 0x51, image);
    auto t0 = sim_us(bus);
    CHECK(read_at(bus, 0x51, {0x01, 0x00}, 3) == Bytes{image[0x100], image[0x101], image[0x102]});
    // write byte data: S addr hi lo P = 29 periods; receive byte: S addr data P = 20 periods
    CHECK(sim_us(bus) - t0 == 290 + 3 * 200);
    CHECK(bus.log().size() == 4);
    CHECK(bus.stats()->write_cycles == 0); // only the pointer was set

    // The same call on a 1-byte-address chip really writes a byte (the eeprog hazard), and
    // the receive byte then hits the write cycle.
    bus.add_24xx("24c02", 0x52, pattern(256));
    Bytes out(1);
    CHECK_THROWS_AS(bus.write_read(0x52, Bytes{0x10, 0x99}, out), NackError);
    CHECK(bus.contents(0x52)[0x10] == 0x99);
    CHECK(bus.stats()->write_cycles == 1);
}

// ---------------------------------------------------------------------------------------
// Spec grammar and files

namespace {

std::string spec_error(const std::string& spec) {
    try {
        EmulatedBus::from_spec(spec);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("from_spec: grammar", "[spec]") {
    auto bus = EmulatedBus::from_spec(
        "emu:ddr4@0x50,ddr3@0x51,24c02@82,hz=400000,twr_us=3000,vhv=0x50,wp=0x50:0+3,temp=25");
    CHECK(bus->describe() == "emu:ddr4@0x50,ddr3@0x51,24c02@0x52,hz=400000,twr_us=3000");
    CHECK(bus->protection(0x50) == 0b1001);
    CHECK(bus->caps().full_i2c);
    CHECK(bus->caps().max_read == 256);
    CHECK(bus->caps().max_write == 258);
    bus->write(0x34, Bytes{0, 0}); // SWP1 works: VHV on 0x50
    CHECK(bus->protection(0x50) == 0b1011);

    auto empty = EmulatedBus::from_spec("emu:");
    CHECK_FALSE(empty->probe(0x50));
    CHECK(EmulatedBus::from_spec("ddr4@0x50")->describe() == "emu:ddr4@0x50");
}

TEST_CASE("from_spec: errors name the spec item", "[spec]") {
    CHECK_THAT(spec_error("emu:ddr9@0x50"),
               Catch::StartsWith("emulator spec item 'ddr9@0x50': unknown device 'ddr9'") &&
                   Catch::Contains("24c1024"));
    CHECK_THAT(spec_error("emu:ddr4@0x90"),
               Catch::Contains("'ddr4@0x90'") && Catch::Contains("not a 7-bit I2C address"));
    CHECK_THAT(spec_error("emu:ddr4@0x40"),
               Catch::Contains("'ddr4@0x40'") && Catch::Contains("0x50-0x57"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,ddr3@0x50"),
               Catch::Contains("'ddr3@0x50'") && Catch::Contains("share address 0x50"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,24c16@0x50"), Catch::Contains("'24c16@0x50'"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,hz=fast"), Catch::Contains("'hz=fast'"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,color=red"),
               Catch::Contains("'color=red'") && Catch::Contains("unknown option 'color'"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,wp=0x50:4"), Catch::Contains("'wp=0x50:4'"));
    CHECK_THAT(spec_error("emu:ddr3@0x50,wp=0x50:1"),
               Catch::Contains("'wp=0x50:1'") && Catch::Contains("bytes 0-127"));
    CHECK_THAT(spec_error("emu:24c02@0x50,vhv=0x50"),
               Catch::Contains("'vhv=0x50'") && Catch::Contains("high-voltage"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,vhv=0x51"),
               Catch::Contains("'vhv=0x51'") && Catch::Contains("no emulated device"));
    CHECK_THAT(spec_error("emu:24c02@0x50,page=0x50:12"), Catch::Contains("power of two"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,,"), Catch::Contains("empty item"));
    CHECK_THAT(spec_error("emu:ddr4@0x50="), Catch::Contains("empty file name"));
    CHECK_THAT(spec_error("emu:ddr4@0x50,temp=hot"), Catch::Contains("'temp=hot'"));
}

TEST_CASE("Files: blank when missing, written back only when changed, atomically",
          "[spec][files]") {
    TempDir dir;
    std::string missing = dir.file("new.bin");
    std::string shorter = dir.file("short.bin");
    spit(shorter, Bytes{0x01, 0x02, 0x03});
    {
        auto bus = EmulatedBus::from_spec("emu:ddr4@0x50=" + missing + ",ddr3@0x51=" + shorter);
        CHECK(bus->describe() == "emu:ddr4@0x50=" + missing + ",ddr3@0x51=" + shorter);
        CHECK(bus->contents(0x50) == Bytes(512, 0xFF));
        Bytes padded(256, 0xFF);
        padded[0] = 1;
        padded[1] = 2;
        padded[2] = 3;
        CHECK(bus->contents(0x51) == padded);
        read_at(*bus, 0x51, {0}, 16);
        bus->close();
        CHECK_FALSE(fs::exists(missing)); // nothing changed: nothing written
        CHECK(slurp(shorter) == Bytes{1, 2, 3});
    }
    {
        auto bus = EmulatedBus::from_spec("emu:ddr4@0x50=" + missing + ",ddr3@0x51=" + shorter);
        bus->write(0x50, Bytes{0x00, 0x12});
        // no close(): the destructor writes back
    }
    Bytes expected(512, 0xFF);
    expected[0] = 0x12;
    CHECK(slurp(missing) == expected);
    CHECK(slurp(shorter) == Bytes{1, 2, 3});

    {
        auto bus = EmulatedBus::from_spec("emu:ddr4@0x50=" + missing);
        bus->write(0x50, Bytes{0x01, 0x34});
        bus->close();
        Bytes after = slurp(missing);
        CHECK(after[1] == 0x34);
        spit(missing, Bytes{0xEE}); // a second close() has nothing new to write
        bus->close();
        CHECK(slurp(missing) == Bytes{0xEE});
    }
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) {
        ++entries;
    }
    CHECK(entries == 2); // no temporary files left behind

    spit(dir.file("big.bin"), Bytes(600, 0));
    CHECK_THAT(spec_error("emu:ddr4@0x50=" + dir.file("big.bin")),
               Catch::Contains("big.bin'") && Catch::Contains("600 bytes"));
}

TEST_CASE("Files: write-back failure is a FileError from close(), never from the destructor",
          "[spec][files]") {
    TempDir dir;
    std::string target = dir.file("sub/none.bin"); // directory does not exist
    auto bus = std::make_unique<EmulatedBus>();
    bus->add_ddr4(0x50);
    bus->attach_file(0x50, target);
    bus->write(0x50, Bytes{0x00, 0x01});
    CHECK_THROWS_AS(bus->close(), FileError);
    CHECK_NOTHROW(bus.reset());
}

TEST_CASE("API: contents checks", "[api]") {
    EmulatedBus bus;
    CHECK_THROWS_AS(bus.add_ddr3(0x50, Bytes(257)), UsageError);
    bus.add_ddr3(0x50, Bytes{0x92});
    CHECK(bus.contents(0x50).size() == 256);
    bus.set_contents(0x50, Bytes{0x11, 0x22});
    CHECK(bus.contents(0x50)[1] == 0x22);
    CHECK(bus.contents(0x50)[2] == 0xFF);
    CHECK(bus.stats()->write_cycles == 0);
    CHECK_THROWS_AS(bus.contents(0x51), UsageError);
    CHECK_THROWS_AS(bus.add_24xx("24c03", 0x52), UsageError);
}
