// SPDX-License-Identifier: GPL-2.0-or-later
// Building JEDEC-valid DDR3/DDR4 images from a description, and editing named fields.
#pragma once

#include <ddrspd/image.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ddrspd {

// What a module is. Times in ns; encoders round MTB up and put a negative fine correction,
// like real SPDs. decode(build_image(d)) reproduces every field set here.
struct ModuleDescription {
    MemoryType type = MemoryType::DDR4;     // DDR3 or DDR4
    std::string module_type = "UDIMM";      // UDIMM, RDIMM, SO-DIMM, LRDIMM, ...
    std::uint32_t die_density_mbit = 8192;
    int device_width = 8;                   // 4, 8, 16
    int ranks = 1;
    int bus_width = 64;
    bool ecc = false;
    int bank_groups = 4;                    // DDR4 only
    int banks_per_group = 4;                // DDR4; DDR3 uses banks (8)
    int banks = 8;                          // DDR3
    int rows = 16;
    int columns = 10;
    std::vector<std::string> voltages = {}; // empty: the generation's default (1.5 V / 1.2 V)
    double tck_ns = 0.833;                  // tCKmin
    std::vector<int> cas_latencies = {};    // empty: derived from tAA range
    std::map<std::string, double> timings;  // name (as Timing::name) -> ns; missing: typical
    bool thermal_sensor = false;
    int height_mm = 31;
    int thickness_front_mm = 1;
    int thickness_back_mm = 1;
    std::string raw_card = "A";
    bool rank1_mirrored = false;
    std::string manufacturer = "Micron Technology";   // JEP106 name (see jep106_find)
    std::string dram_manufacturer = "Micron Technology";
    std::string register_manufacturer;      // RDIMM/LRDIMM only; empty = none
    int register_revision = 0;
    int location = 1;
    int year = 2020;
    int week = 1;
    std::uint32_t serial = 0x12345678;
    std::string part_number = "DDRSPD-SAMPLE";
    std::uint16_t revision = 0;
    bool crc_excludes_serial = true;        // DDR3 byte 0 bit 7 (CRC over 0-116)
    // XMP profiles: each map holds "voltage", "tck", "tAA", "tRCD", "tRP", "tRAS", "tRC",
    // "tRFC1"... (ns / V), "enabled" (0/1, default 1); empty vector = no XMP section.
    std::vector<std::map<std::string, double>> xmp;
    // CAS latencies per XMP profile (same index as xmp); missing or empty: derived.
    std::vector<std::vector<int>> xmp_cas_latencies;
};

// Throws UsageError naming the bad field when the description is impossible.
Image build_image(const ModuleDescription& d);

// Reads a description from "key = value" text (one per line, '#' comments; the keys are the
// member names above, lists comma-separated, timings as "tAA = 13.75", XMP as
// "xmp1.voltage = 1.35", "xmp1.cas_latencies = 16,17,18"; also "speed = 2666" and
// "xmp1.speed = 3200" in MT/s for tck, "date = 2020-W05" for year/week). Throws FormatError
// naming the line.
ModuleDescription parse_description(std::string_view text, std::string_view name);

// --- Named field editing (spd-check --set / --list-fields) ---

struct FieldInfo {
    std::string name;  // "part_number", "tAA", "xmp1.tck", ...
    std::string unit;  // "ns", "V", "MT/s", "" ...
    std::string value; // current value formatted for display and for round-tripping to set_field
    std::string help;  // one line
};

// Every editable field for this image's type, with current values.
std::vector<FieldInfo> list_fields(const Image& img);

// Edits one field in place and recomputes every CRC. Throws UsageError naming the field or
// the value when the name is unknown for this type or the value is invalid/out of range.
// Supported names at least: part_number, serial, date (YYYY-Www), manufacturer,
// dram_manufacturer, speed (MT/s) / tck (ns), cas_latencies ("9,10,11"), tAA, tRCD, tRP,
// tRAS, tRC, tRFC1..., xmpN.voltage, xmpN.tck, xmpN.tAA, ...
void set_field(Image& img, std::string_view name, std::string_view value);

} // namespace ddrspd
