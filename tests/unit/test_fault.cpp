// SPDX-License-Identifier: GPL-2.0-or-later
// FaultBus: seeded, deterministic fault injection around any bus.
#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace ddrspd;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes pattern(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = static_cast<std::uint8_t>(i * 13 + 5);
    }
    return b;
}

std::unique_ptr<EmulatedBus> ddr4_bus(const Bytes& image = pattern(512)) {
    auto bus = std::make_unique<EmulatedBus>();
    bus->add_ddr4(0x50, image);
    return bus;
}

// A bus that is not an EmulatedBus (stands in for /dev/i2c-N): every device answers, reads
// return a fixed byte.
class PlainBus final : public Bus {
public:
    unsigned calls = 0;
    void write(std::uint8_t, std::span<const std::uint8_t>) override { ++calls; }
    void write_read(std::uint8_t, std::span<const std::uint8_t>,
                    std::span<std::uint8_t> rd) override {
        ++calls;
        std::fill(rd.begin(), rd.end(), std::uint8_t{0x5A});
    }
    void read(std::uint8_t, std::span<std::uint8_t> rd) override {
        ++calls;
        std::fill(rd.begin(), rd.end(), std::uint8_t{0x5A});
    }
    const AdapterCaps& caps() const override { return caps_; }
    std::string describe() const override { return "plain"; }
    Clock& clock() override { return system_clock(); }

private:
    AdapterCaps caps_{.full_i2c = true, .max_read = 256, .max_write = 258};
};

Bytes read16(Bus& bus, std::uint8_t offset) {
    Bytes out(16);
    bus.write_read(0x50, Bytes{offset}, out);
    return out;
}

// One line per transfer: what happened, for comparing two runs.
std::vector<std::string> campaign(std::uint64_t seed) {
    FaultPlan plan;
    plan.seed = seed;
    plan.nack_p = 0.2;
    plan.eagain_p = 0.1;
    plan.timeout_p = 0.05;
    plan.flip_p = 0.2;
    FaultBus bus(ddr4_bus(), plan);
    std::vector<std::string> trace;
    for (unsigned i = 0; i < 200; ++i) {
        try {
            Bytes got = read16(bus, static_cast<std::uint8_t>(i % 16 * 16));
            std::string line = "ok";
            for (auto b : got) {
                line += ' ' + std::to_string(b);
            }
            trace.push_back(line);
        } catch (const NackError& e) {
            trace.push_back("nack");
        } catch (const BusError& e) {
            trace.push_back("errno " + std::to_string(e.errno_value()));
        }
    }
    return trace;
}

} // namespace

TEST_CASE("parse_fault_plan: options", "[fault]") {
    FaultPlan p = parse_fault_plan("seed=7,nack_nth=12");
    CHECK(p.seed == 7);
    CHECK(p.nack_nth == 12);
    CHECK(p.nack_p == 0);

    p = parse_fault_plan("nack_p=0.25,eagain_p=0.5,timeout_p=1,flip_p=0,vanish_nth=3,"
                         "vanish_addr=0x51,slow_twr_us=9000");
    CHECK(p.seed == 1);
    CHECK(p.nack_p == 0.25);
    CHECK(p.eagain_p == 0.5);
    CHECK(p.timeout_p == 1.0);
    CHECK(p.vanish_nth == 3);
    CHECK(p.vanish_addr == 0x51);
    CHECK(p.slow_twr_us == 9000);

    p = parse_fault_plan("");
    CHECK(p.seed == 1);
    CHECK(p.vanish_addr == -1);
}

TEST_CASE("parse_fault_plan: UsageError names the bad option", "[fault]") {
    auto error = [](std::string_view opts) -> std::string {
        try {
            parse_fault_plan(opts);
        } catch (const UsageError& e) {
            return e.what();
        }
        return "(no error)";
    };
    CHECK_THAT(error("seed=7,nack_p=2"),
               Catch::StartsWith("fault option 'nack_p=2'") && Catch::Contains("probability"));
    CHECK_THAT(error("bogus=1"), Catch::StartsWith("fault option 'bogus=1': unknown option "
                                                   "'bogus'") &&
                                     Catch::Contains("vanish_nth"));
    CHECK_THAT(error("seed"), Catch::StartsWith("fault option 'seed'"));
    CHECK_THAT(error("nack_nth=x"), Catch::StartsWith("fault option 'nack_nth=x'"));
    CHECK_THAT(error("vanish_addr=0x80"), Catch::StartsWith("fault option 'vanish_addr=0x80'"));
    CHECK_THAT(error("seed=1,"), Catch::Contains("trailing comma"));
}

TEST_CASE("FaultBus: NACK on the Nth transfer, nothing else changed", "[fault]") {
    FaultPlan plan;
    plan.nack_nth = 3;
    FaultBus bus(ddr4_bus(), plan);
    Bytes image = pattern(512);
    CHECK(read16(bus, 0) == Bytes(image.begin(), image.begin() + 16));
    CHECK(bus.probe(0x50));
    try {
        read16(bus, 0);
        FAIL("transfer 3 must NACK");
    } catch (const NackError& e) {
        CHECK(e.errno_value() == EREMOTEIO);
        CHECK(e.addr() == 0x50);
        CHECK_THAT(e.what(), Catch::StartsWith("no device answered at 0x50 on "
                                               "fault:seed=1,nack_nth=3:emu:ddr4@0x50") &&
                                 Catch::Contains("transfer 3"));
    }
    CHECK(bus.probe(0x50));
    CHECK(bus.transfers() == 4);
    CHECK(bus.faults_injected() == 1);
    // The injected NACK never reached the emulated bus: 3 transfers on its wire log.
    auto& emu = dynamic_cast<EmulatedBus&>(bus.inner());
    CHECK(emu.log().size() == 3 + 1); // write_read logs its write and its read message
}

TEST_CASE("FaultBus: NACK errno follows the adapter flavour", "[fault]") {
    auto emu = std::make_unique<EmulatedBus>(EmuOptions{.smbus_only = true});
    emu->add_ddr3(0x50);
    FaultBus bus(std::move(emu), parse_fault_plan("nack_nth=1"));
    try {
        read16(bus, 0);
        FAIL("must NACK");
    } catch (const NackError& e) {
        CHECK(e.errno_value() == ENXIO);
    }
}

TEST_CASE("FaultBus: arbitration loss and timeouts are BusErrors, not NACKs", "[fault]") {
    FaultBus lost(ddr4_bus(), parse_fault_plan("eagain_p=1"));
    try {
        read16(lost, 0);
        FAIL("must throw");
    } catch (const NackError&) {
        FAIL("EAGAIN is not a NACK");
    } catch (const BusError& e) {
        CHECK(e.errno_value() == EAGAIN);
        CHECK_THAT(e.what(), Catch::Contains("arbitration lost at 0x50"));
    }
    FaultBus slow(ddr4_bus(), parse_fault_plan("timeout_p=1"));
    try {
        read16(slow, 0);
        FAIL("must throw");
    } catch (const NackError&) {
        FAIL("ETIMEDOUT is not a NACK");
    } catch (const BusError& e) {
        CHECK(e.errno_value() == ETIMEDOUT);
        CHECK_THAT(e.what(), Catch::Contains("timed out"));
    }
}

TEST_CASE("FaultBus: a bit flip changes exactly one bit of a read", "[fault]") {
    FaultBus bus(ddr4_bus(), parse_fault_plan("seed=3,flip_p=1"));
    for (unsigned i = 0; i < 20; ++i) {
        Bytes got = read16(bus, 0x20);
        unsigned flipped = 0;
        for (unsigned k = 0; k < 16; ++k) {
            flipped += static_cast<unsigned>(
                std::popcount(static_cast<unsigned>(got[k] ^ pattern(512)[0x20 + k])));
        }
        CHECK(flipped == 1);
    }
    CHECK(bus.faults_injected() == 20);
    // The chip itself is untouched.
    auto& emu = dynamic_cast<EmulatedBus&>(bus.inner());
    CHECK(emu.contents(0x50) == pattern(512));
}

TEST_CASE("FaultBus: deterministic for a given seed", "[fault]") {
    auto a = campaign(42);
    auto b = campaign(42);
    auto c = campaign(43);
    CHECK(a == b);
    CHECK(a != c);
    // All four fault kinds and clean transfers occur in 200 transfers.
    auto count = [&a](const std::string& prefix) {
        return std::count_if(a.begin(), a.end(),
                             [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
    };
    CHECK(count("nack") > 0);
    CHECK(count("errno 11") > 0);  // EAGAIN
    CHECK(count("errno 110") > 0); // ETIMEDOUT
    CHECK(count("ok") > 100);
}

TEST_CASE("FaultBus: device vanishing mid-write leaves the page half written", "[fault]") {
    Bytes image(512, 0x00);
    FaultBus bus(ddr4_bus(image), parse_fault_plan("vanish_nth=2"));
    bus.write(0x50, Bytes{0x00, 0x01}); // transfer 1: fine
    bus.clock().sleep_us(5000);
    Bytes frame{0x10};
    for (unsigned i = 0; i < 16; ++i) {
        frame.push_back(0xA0);
    }
    try {
        bus.write(0x50, frame); // transfer 2: cut after 9 of 17 bytes
        FAIL("must NACK");
    } catch (const NackError& e) {
        CHECK_THAT(e.what(), Catch::Contains("vanished") && Catch::Contains("9 of 17"));
    }
    auto& emu = dynamic_cast<EmulatedBus&>(bus.inner());
    Bytes c = emu.contents(0x50);
    for (unsigned i = 0; i < 16; ++i) {
        INFO(i);
        CHECK(c[0x10 + i] == (i < 8 ? 0xA0 : 0x00));
    }
    bus.clock().sleep_us(5000);
    CHECK_FALSE(bus.probe(0x50)); // gone for good
    CHECK_FALSE(bus.probe(0x18)); // the whole module, sensor included
    emu.set_present(0x50, true);  // plugged back in
    CHECK(bus.probe(0x50));
}

TEST_CASE("FaultBus: vanish_addr names another device; works on any bus", "[fault]") {
    auto emu = std::make_unique<EmulatedBus>();
    emu->add_ddr4(0x50);
    emu->add_ddr4(0x51);
    FaultBus bus(std::move(emu), parse_fault_plan("vanish_nth=1,vanish_addr=0x51"));
    CHECK(bus.probe(0x50)); // transfer 1 itself goes through
    CHECK_FALSE(bus.probe(0x51));
    CHECK(bus.probe(0x50));

    auto plain = std::make_unique<PlainBus>();
    PlainBus& raw = *plain;
    FaultBus real(std::move(plain), parse_fault_plan("vanish_nth=2,nack_nth=5"));
    CHECK(real.probe(0x50));
    CHECK_FALSE(real.probe(0x50)); // vanished at transfer 2
    CHECK_FALSE(real.probe(0x50));
    CHECK(real.probe(0x52));
    CHECK_FALSE(real.probe(0x52)); // nack_nth=5
    CHECK(raw.calls == 2);         // the NACKs were injected, not sent
    CHECK(real.describe() == "fault:seed=1,nack_nth=5,vanish_nth=2:plain");
    CHECK_FALSE(real.stats().has_value());
}

TEST_CASE("FaultBus: slow write cycles need an emulated bus inside", "[fault]") {
    // Nested wrappers are fine: the emulator is found through them.
    auto inner = std::make_unique<FaultBus>(ddr4_bus(), FaultPlan{});
    FaultBus bus(std::move(inner), parse_fault_plan("slow_twr_us=20000"));
    bus.write(0x50, Bytes{0x00, 0x42});
    bus.clock().sleep_us(6000);
    CHECK_FALSE(bus.probe(0x50)); // a 5 ms fixed sleep would have failed here
    bus.clock().sleep_us(14000);
    CHECK(bus.probe(0x50));
    CHECK(bus.stats()->write_cycles == 1);

    CHECK_THROWS_AS(FaultBus(std::make_unique<PlainBus>(), parse_fault_plan("slow_twr_us=1")),
                    UsageError);
    CHECK_THROWS_AS(FaultBus(nullptr, FaultPlan{}), UsageError);
}
