// SPDX-License-Identifier: GPL-2.0-or-later
// Decoding SPD images into plain structs. DDR3 and DDR4 fully; DDR5 identity fields only.
// Decoding never throws on bad data: impossible values become 0/empty and check() reports them.
#pragma once

#include <ddrspd/image.hpp>
#include <ddrspd/jep106.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddrspd {

// One timing parameter: the minimum time and the clocks it takes at tCKmin.
struct Timing {
    std::string name; // "tAA", "tRCD", "tRP", "tRAS", "tRC", "tRFC1", "tRFC2", "tRFC4", "tRRD_S",
                      // "tRRD_L", "tRRD", "tCCD_L", "tWR", "tWTR", "tWTR_S", "tWTR_L", "tRTP", "tFAW"
    double ns = 0;    // minimum time in ns (ps precision)
    int clocks = 0;   // at tCKmin (JEDEC rounding per generation); 0 when tCK unknown
};

struct XmpProfile {
    int number = 0;        // 1 or 2
    bool enabled = false;
    double voltage = 0;    // VDD in volts
    double tck_ns = 0;
    int speed_mts = 0;     // JEDEC-style rounded data rate
    std::vector<int> cas_latencies;
    int cl = 0;            // CAS latency at tCK (smallest supported >= tAA/tCK)
    std::vector<Timing> timings; // tAA, tRCD, tRP, tRAS, tRC, tRFC..., tFAW ...
};

struct Date {
    bool valid = false; // BCD digits valid and week 1..53
    int year = 0;       // 4-digit
    int week = 0;
    // Not BCD but plausible as plain binary (year byte <= 99, week 1..53), as some vendors
    // write it: year/week hold that reading and valid stays false.
    bool binary = false;
    std::string iso() const; // "2015-W28", "" when invalid
};

// CL-tRCD-tRP-tRAS in clocks at one JEDEC standard speed (decode-dimms' "Timings at Standard
// Speeds").
struct SpeedBin {
    int speed_mts = 0; // 2133, 1866, ...
    int cl = 0;        // smallest supported CL covering tAA; 0 when none
    int trcd = 0, trp = 0, tras = 0;
};

struct SpdInfo {
    MemoryType type = MemoryType::Unknown;
    std::string spd_revision;    // "1.1"
    std::size_t bytes_used = 0;  // declared by byte 0
    std::size_t bytes_total = 0;

    // Module
    std::string module_type;     // "UDIMM", "RDIMM", "SO-DIMM", "LRDIMM", "Mini-RDIMM", ...
    bool hybrid = false;
    std::uint64_t capacity_mb = 0;
    int ranks = 0;
    int device_width = 0;        // x4/x8/x16/x32 -> 4/8/16/32
    int bus_width = 0;           // primary bus width, bits
    bool ecc = false;
    int banks = 0;               // total banks per device
    int bank_groups = 0;         // DDR4: groups (DDR3: 0)
    int rows = 0;                // address bits
    int columns = 0;
    std::uint32_t die_density_mbit = 0;
    std::string package;         // "monolithic", "non-monolithic, 2 dies", "3DS, 4 dies"...
    int die_count = 1;
    std::vector<std::string> voltages; // "1.5 V", "1.35 V", "1.2 V"
    bool thermal_sensor = false;
    std::string max_activate_count; // MAC: "untested", "700K" ... "200K", "unlimited"
    // Optional features and flags as short phrases: "RZQ/6", "RZQ/7", "DLL-off",
    // "extended temperature", "1X refresh at extended temperature", "ASR", "on-die thermal
    // sensor", "PASR", "PPR", "soft PPR", "asymmetric ranks", "1.2 V endurant", "heat spreader".
    std::vector<std::string> features;
    int height_mm = 0;           // upper bound of the range (e.g. 31 for 30 < h <= 31 mm)
    int thickness_front_mm = 0;
    int thickness_back_mm = 0;
    std::string raw_card;        // "A", "B rev 1", ...
    bool rank1_mirrored = false;
    std::optional<Manufacturer> register_manufacturer; // RDIMM/LRDIMM
    int register_revision = -1;

    // Speed and timings
    double tck_ns = 0;           // tCKmin
    double tck_max_ns = 0;       // DDR4 tCKmax
    int speed_mts = 0;           // JEDEC speed grade, e.g. 1333, 2400
    std::string speed_name;      // "DDR3-1333", "DDR4-2400"
    std::string pc_name;         // "PC3-10600", "PC4-19200"
    std::vector<int> cas_latencies;
    int cl = 0;                  // CL at tCKmin
    std::vector<Timing> timings;
    std::vector<SpeedBin> standard_speeds; // JEDEC speeds from tCKmin down (DDR3/DDR4)
    double mtb_ps = 0, ftb_ps = 0;

    // Manufacturing
    Manufacturer manufacturer;
    Manufacturer dram_manufacturer;
    int location = -1;
    Date date;
    std::uint32_t serial = 0;
    std::string part_number;     // trailing spaces trimmed; stops at first non-printable
    std::uint16_t revision = 0;  // module revision code (DDR4/DDR5: one byte)

    std::vector<XmpProfile> xmp; // Intel XMP 1.x (DDR3) / 2.0 (DDR4) profiles
    std::string xmp_version;     // "1.3", "2.0"; empty when no XMP header

    // Timing by name, or nullptr.
    const Timing* timing(std::string_view name) const noexcept;
};

SpdInfo decode(const Image& img);

// JEDEC data rate for a tCK (snapping 1333.33 -> 1333, 2133.33 -> 2133, 1866.67 -> 1866).
int speed_grade_mts(double tck_ns) noexcept;

} // namespace ddrspd
