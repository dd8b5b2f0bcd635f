// SPDX-License-Identifier: GPL-2.0-or-later
// The emulated bus fed arbitrary transfer sequences. Input: [config] then operations
// (write, write_read, read, probe, sleep, VHV, unplug, protection, write-cycle time, state
// queries) on a bus holding a DDR4 SPD (0x50 + TSE at 0x18), a DDR3 SPD (0x51 + TSE at 0x19),
// a DDR5 hub stub (0x53) and a 24xx EEPROM chosen by the config byte.
// Oracles: transfers throw nothing but BusError/NackError; chip sizes never change; nothing
// a sanitizer objects to.
#include "fuzz_common.hpp"

#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>

#include <array>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

using namespace ddrspd;

namespace {

constexpr std::array<std::uint8_t, 24> interesting_addrs{
    0x18, 0x19, 0x1B, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x50,
    0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x7F, 0x80, 0xFF, 0x00, 0x5C};

std::uint8_t pick_addr(fuzz::Reader& in) {
    const std::uint8_t b = in.byte();
    if ((b & 0x80) != 0)
        return interesting_addrs[b % interesting_addrs.size()];
    return b;
}

struct Config {
    std::string spec;
    std::uint8_t eeprom_addr;
};

Config make_config(fuzz::Reader& in) {
    static constexpr std::array<std::pair<const char*, std::uint8_t>, 8> eeproms{{
        {"24c02", 0x54},
        {"24c04", 0x54},
        {"24c08", 0x54},
        {"24c16", 0x50},
        {"24c32", 0x54},
        {"24c512", 0x54},
        {"24c1025", 0x52},
        {"24cm02", 0x54},
    }};
    const std::uint8_t cfg = in.byte();
    const std::uint8_t extra = in.byte();
    const auto& [model, at] = eeproms[cfg & 7];
    std::string spec = "emu:";
    if (at == 0x50) { // a 24c16 fills 0x50-0x57 alone
        spec += fmt::format("{}@0x50", model);
    } else {
        spec += fmt::format("ddr4@0x50,ddr3@0x51,ddr5@0x53,{}@{:#x}", model, at);
    }
    spec += fmt::format(",twr_us={}", (extra & 3) * 2500);
    if ((cfg & 0x08) != 0)
        spec += ",smbus=1";
    if ((cfg & 0x10) != 0 && at != 0x50)
        spec += ",vhv=0x50,wp=0x50:0+2";
    if ((cfg & 0x20) != 0 && at != 0x50)
        spec += ",vhv=0x51";
    if ((cfg & 0x40) != 0)
        spec += fmt::format(",page={:#x}:{}", at, 1U << ((extra >> 2) & 7));
    if ((cfg & 0x80) != 0)
        spec += fmt::format(",wp={:#x}:0", at);
    return {spec, at};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    const Config cfg = make_config(in);
    std::unique_ptr<EmulatedBus> bus;
    try {
        bus = EmulatedBus::from_spec(cfg.spec);
    } catch (const UsageError&) {
        return 0; // e.g. a page size larger than the model allows
    }
    const std::vector<std::uint8_t> devices =
        cfg.eeprom_addr == 0x50 ? std::vector<std::uint8_t>{0x50}
                                : std::vector<std::uint8_t>{0x50, 0x51, 0x53, cfg.eeprom_addr};
    std::map<std::uint8_t, std::size_t> sizes;
    for (auto a : devices)
        sizes[a] = bus->contents(a).size();

    std::vector<std::uint8_t> buffer;
    for (int ops = 0; !in.empty() && ops < 64; ++ops) {
        const std::uint8_t op = in.byte();
        try {
            switch (op % 11) {
            case 0: { // write
                const std::uint8_t addr = pick_addr(in);
                const auto payload = in.bytes(in.byte() % 80);
                bus->write(addr, payload);
                break;
            }
            case 1: { // write_read
                const std::uint8_t addr = pick_addr(in);
                const auto wr = in.bytes(1 + in.byte() % 3);
                if (wr.empty())
                    break;
                buffer.assign(in.u16() % 1100, 0);
                bus->write_read(addr, wr, buffer);
                break;
            }
            case 2: { // read
                const std::uint8_t addr = pick_addr(in);
                buffer.assign(in.u16() % 1100, 0);
                bus->read(addr, buffer);
                break;
            }
            case 3:
                (void)bus->probe(pick_addr(in));
                break;
            case 4:
                bus->clock().sleep_us(in.u16() * 4U);
                break;
            case 5: {
                const std::uint8_t addr = pick_addr(in);
                try {
                    bus->set_vhv(addr, (in.byte() & 1) != 0);
                } catch (const UsageError&) {
                }
                break;
            }
            case 6: {
                const std::uint8_t addr = pick_addr(in);
                try {
                    bus->set_present(addr, (in.byte() & 1) != 0);
                } catch (const UsageError&) {
                }
                break;
            }
            case 7: {
                const std::uint8_t addr = pick_addr(in);
                try {
                    bus->set_protection(addr, in.byte() & 0x0F);
                } catch (const UsageError&) {
                }
                break;
            }
            case 8:
                bus->set_twr_us(in.u16());
                break;
            case 9: {
                const std::uint8_t addr = pick_addr(in);
                try {
                    (void)bus->protection(addr);
                    (void)bus->pswp_set(addr);
                    const auto raw = in.bytes(in.u16() % 1100);
                    bus->set_contents(addr, {raw.begin(), raw.end()});
                } catch (const UsageError&) {
                }
                (void)bus->ee1004_page();
                break;
            }
            default:
                (void)bus->stats();
                (void)bus->describe();
                (void)bus->caps();
                break;
            }
        } catch (const BusError&) {
            // NACKs, SMBus limits and out-of-range addresses are the bus saying no.
        }
    }
    for (auto a : devices)
        FUZZ_REQUIRE(bus->contents(a).size() == sizes[a]);
    for (const auto& t : bus->log())
        FUZZ_REQUIRE(t.addr <= 0x7F || !t.acked);
    return 0;
}
