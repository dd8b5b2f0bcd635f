// SPDX-License-Identifier: GPL-2.0-or-later
// Identification of SPD devices: read-only probes and byte reads, never a write (a word
// address followed by a repeated START does not write).
#include "spd_scan.hpp"

#include "eeprom_io.hpp"

#include <ddrspd/error.hpp>

#include <algorithm>

namespace ddrspd {

namespace {

constexpr std::uint8_t kTempBase = 0x18;
constexpr std::uint8_t kJc42Ambient = 0x05;

} // namespace

namespace detail {

SpdKind kind_of(MemoryType t) {
    switch (t) {
    case MemoryType::DDR3:
        return SpdKind::DDR3;
    case MemoryType::DDR4:
    case MemoryType::DDR4E:
    case MemoryType::LPDDR4:
    case MemoryType::LPDDR4X:
        return SpdKind::DDR4;
    case MemoryType::DDR5:
    case MemoryType::LPDDR5:
    case MemoryType::LPDDR5X:
    case MemoryType::DDR5NVDIMMP:
        return SpdKind::DDR5;
    default:
        return SpdKind::Unknown;
    }
}

SpdKind classify(std::span<const std::uint8_t, 4> head) {
    if (head[0] == 0x51 && (head[1] == 0x18 || head[1] == 0x08))
        return SpdKind::DDR5;
    return kind_of(memory_type_from_byte(head[2]));
}

std::size_t device_size(SpdKind k) {
    switch (k) {
    case SpdKind::DDR4:
        return 512;
    case SpdKind::DDR5:
        return 1024;
    default:
        return 256;
    }
}

std::optional<Found> identify(Bus& bus, std::uint8_t addr, int tries) {
    bool present = false;
    for (int i = 0; i < tries && !present; ++i)
        present = bus.probe(addr);
    if (!present)
        return std::nullopt;
    std::array<std::uint8_t, 4> head{};
    detail::read_chunked(bus, addr, 1, 0, head, 256);
    return Found{addr, classify(head), head[2]};
}

// RPA cannot settle an ambiguous byte 2 (a DDR4 left in page 1 shows page-1 bytes): a read at
// 0x36 is only allowed once every device is known to be DDR4, and an ambiguous one is not.
std::vector<Found> scan_found(Bus& bus, int tries) {
    std::vector<Found> out;
    for (auto a = kFirstSpd; a <= kLastSpd; ++a) {
        if (auto f = identify(bus, a, tries))
            out.push_back(*f);
    }
    return out;
}

bool confirm_ee1004(Bus& bus, std::vector<Found>& found) {
    const bool all_ddr4 = !found.empty() && std::all_of(found.begin(), found.end(), [](auto& f) {
        return f.kind == SpdKind::DDR4;
    });
    if (!all_ddr4)
        return false;
    for (int i = 0; i < 3; ++i) {
        if (bus.probe(0x36))
            return true;
    }
    for (auto& f : found)
        f.kind = SpdKind::Unknown;
    return false;
}

double jc42_celsius(std::uint8_t msb, std::uint8_t lsb) {
    int v = ((msb << 8) | lsb) & 0x1FFF;
    if (v & 0x1000)
        v -= 0x2000;
    return v * 0.0625;
}

} // namespace detail

using detail::jc42_celsius;
using detail::scan_found;

std::string_view to_string(SpdKind k) noexcept {
    switch (k) {
    case SpdKind::None:
        return "none";
    case SpdKind::DDR3:
        return "DDR3";
    case SpdKind::DDR4:
        return "DDR4";
    case SpdKind::DDR5:
        return "DDR5";
    case SpdKind::Unknown:
        break;
    }
    return "unknown";
}

std::vector<SpdProbe> scan_spd(Bus& bus) {
    std::vector<SpdProbe> out;
    auto found = scan_found(bus, 3);
    detail::confirm_ee1004(bus, found);
    for (const auto& f : found) {
        SpdProbe p;
        p.addr = f.addr;
        p.kind = f.kind;
        // TSE2002av/TSE2004av sensor; DDR5 hubs carry theirs inside (no device at 0x18).
        if (f.kind == SpdKind::DDR3 || f.kind == SpdKind::DDR4) {
            const auto ts = static_cast<std::uint8_t>(kTempBase | (f.addr & 7));
            std::array<std::uint8_t, 1> reg{kJc42Ambient};
            std::array<std::uint8_t, 2> raw{};
            try {
                bus.write_read(ts, reg, raw);
                p.temp_sensor = true;
                p.temperature_c = jc42_celsius(raw[0], raw[1]);
            } catch (const NackError&) {
            }
        }
        out.push_back(p);
    }
    return out;
}

} // namespace ddrspd
