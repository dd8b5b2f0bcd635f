// SPDX-License-Identifier: GPL-2.0-or-later
// parse_description(): the "key = value" text form of a ModuleDescription (dumps/*.desc).
#include "encode_util.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <climits>
#include <functional>

#include <fmt/format.h>

namespace ddrspd {

using namespace detail;

namespace {

int to_int(std::string_view value, std::string_view key, long long lo = INT_MIN,
           long long hi = INT_MAX) {
    const long long v = parse_int(value, key);
    if (v < lo || v > hi)
        throw UsageError(fmt::format("{}: {} is out of range ({}..{})", key, v, lo, hi));
    return static_cast<int>(v);
}

std::vector<std::string> split_list(std::string_view value) {
    std::vector<std::string> out;
    while (true) {
        const auto comma = value.find(',');
        const std::string_view item = trim(value.substr(0, comma));
        if (!item.empty())
            out.emplace_back(item);
        if (comma == std::string_view::npos)
            return out;
        value = value.substr(comma + 1);
    }
}

bool is_timing_name(std::string_view key) {
    return key == "tRFC" || find_time(ddr3_timings, key) != nullptr ||
           find_time(ddr4_timings, key) != nullptr;
}

bool is_xmp_timing_name(std::string_view key) {
    return key == "tRFC" || find_time(xmp3_timings, key) != nullptr ||
           find_time(xmp4_timings, key) != nullptr;
}

void parse_date(ModuleDescription& d, std::string_view value) {
    // YYYY-Www
    const auto dash = value.find("-W");
    if (value.size() != 8 || dash != 4)
        throw UsageError(fmt::format("date: \"{}\" is not YYYY-Www (e.g. 2020-W05)", value));
    d.year = to_int(value.substr(0, 4), "date");
    d.week = to_int(value.substr(6), "date");
}

// Returns the canonical member the key sets (for duplicate detection).
std::string apply(ModuleDescription& d, std::string_view key, std::string_view value) {
    using Setter = std::function<void()>;
    const std::string k(key);
    const std::vector<std::pair<std::string_view, Setter>> members{
        {"type",
         [&] {
             std::string v(value);
             std::transform(v.begin(), v.end(), v.begin(),
                            [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
             if (v == "DDR3")
                 d.type = MemoryType::DDR3;
             else if (v == "DDR4")
                 d.type = MemoryType::DDR4;
             else
                 throw UsageError(fmt::format("type: \"{}\" is not DDR3 or DDR4", value));
         }},
        {"module_type", [&] { d.module_type = std::string(value); }},
        {"die_density_mbit",
         [&] { d.die_density_mbit = static_cast<std::uint32_t>(to_int(value, key, 0)); }},
        {"device_width", [&] { d.device_width = to_int(value, key); }},
        {"ranks", [&] { d.ranks = to_int(value, key); }},
        {"bus_width", [&] { d.bus_width = to_int(value, key); }},
        {"ecc", [&] { d.ecc = parse_bool(value, key); }},
        {"bank_groups", [&] { d.bank_groups = to_int(value, key); }},
        {"banks_per_group", [&] { d.banks_per_group = to_int(value, key); }},
        {"banks", [&] { d.banks = to_int(value, key); }},
        {"rows", [&] { d.rows = to_int(value, key); }},
        {"columns", [&] { d.columns = to_int(value, key); }},
        {"voltages", [&] { d.voltages = split_list(value); }},
        {"tck_ns", [&] { d.tck_ns = parse_double(value, key); }},
        {"cas_latencies", [&] { d.cas_latencies = parse_int_list(value, key); }},
        {"thermal_sensor", [&] { d.thermal_sensor = parse_bool(value, key); }},
        {"height_mm", [&] { d.height_mm = to_int(value, key); }},
        {"thickness_front_mm", [&] { d.thickness_front_mm = to_int(value, key); }},
        {"thickness_back_mm", [&] { d.thickness_back_mm = to_int(value, key); }},
        {"raw_card", [&] { d.raw_card = std::string(value); }},
        {"rank1_mirrored", [&] { d.rank1_mirrored = parse_bool(value, key); }},
        {"manufacturer", [&] { d.manufacturer = std::string(value); }},
        {"dram_manufacturer", [&] { d.dram_manufacturer = std::string(value); }},
        {"register_manufacturer", [&] { d.register_manufacturer = std::string(value); }},
        {"register_revision", [&] { d.register_revision = to_int(value, key, 0, 255); }},
        {"location", [&] { d.location = to_int(value, key, 0, 255); }},
        {"year", [&] { d.year = to_int(value, key); }},
        {"week", [&] { d.week = to_int(value, key); }},
        {"serial",
         [&] { d.serial = static_cast<std::uint32_t>(to_int(value, key, 0, 0xFFFFFFFFLL)); }},
        {"part_number", [&] { d.part_number = std::string(value); }},
        {"revision",
         [&] { d.revision = static_cast<std::uint16_t>(to_int(value, key, 0, 0xFFFF)); }},
        {"crc_excludes_serial", [&] { d.crc_excludes_serial = parse_bool(value, key); }},
    };
    for (const auto& [name, set] : members) {
        if (name == key) {
            set();
            return k;
        }
    }
    if (key == "speed") {
        d.tck_ns = tck_for_speed(to_int(value, key), key);
        return "tck_ns";
    }
    if (key == "date") {
        parse_date(d, value);
        return "year";
    }
    if (is_timing_name(key)) {
        const std::string name = key == "tRFC" ? "tRFC1" : k;
        d.timings[name] = parse_double(value, key);
        return name;
    }
    if (key.starts_with("xmp") && key.size() > 5 && key[4] == '.' &&
        (key[3] == '1' || key[3] == '2')) {
        const auto idx = static_cast<std::size_t>(key[3] - '1');
        std::string sub(key.substr(5));
        if (d.xmp.size() <= idx)
            d.xmp.resize(idx + 1);
        auto& m = d.xmp[idx];
        if (sub == "cas_latencies") {
            if (d.xmp_cas_latencies.size() <= idx)
                d.xmp_cas_latencies.resize(idx + 1);
            d.xmp_cas_latencies[idx] = parse_int_list(value, key);
        } else if (sub == "speed") {
            m["tck"] = tck_for_speed(to_int(value, key), key);
            sub = "tck";
        } else if (sub == "enabled") {
            m["enabled"] = parse_bool(value, key) ? 1 : 0;
        } else if (sub == "voltage" || sub == "tck" || is_xmp_timing_name(sub)) {
            if (sub == "tRFC")
                sub = "tRFC1";
            m[sub] = parse_double(value, key);
        } else {
            throw UsageError(fmt::format(
                "{}: unknown XMP key (voltage, tck, speed, enabled, cas_latencies, or a timing "
                "such as tAA)",
                key));
        }
        return fmt::format("xmp{}.{}", idx + 1, sub);
    }
    std::string valid;
    for (const auto& m : members)
        valid += fmt::format("{}, ", m.first);
    throw UsageError(fmt::format("unknown key \"{}\" (valid: {}speed, date, timings such as "
                                 "tAA, xmp1.*/xmp2.*)",
                                 key, valid));
}

} // namespace

ModuleDescription parse_description(std::string_view text, std::string_view name) {
    ModuleDescription d;
    std::map<std::string, int> seen;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        // '#' starts a comment at the start of a line or after white space, so part numbers
        // such as "F4#1" survive.
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
                line = line.substr(0, i);
                break;
            }
        }
        line = trim(line);
        if (line.empty())
            continue;
        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            throw FormatError(fmt::format("{}: line {}: expected \"key = value\", got \"{}\"", name,
                                          line_no, line));
        const std::string_view key = trim(line.substr(0, eq));
        std::string_view value = trim(line.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        try {
            const std::string member = apply(d, key, value);
            const auto [it, fresh] = seen.emplace(member, line_no);
            if (!fresh)
                throw UsageError(fmt::format("{} is already set on line {}", member, it->second));
        } catch (const UsageError& e) {
            throw FormatError(fmt::format("{}: line {}: {}", name, line_no, e.what()));
        }
    }
    return d;
}

} // namespace ddrspd
