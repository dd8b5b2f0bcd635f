// SPDX-License-Identifier: GPL-2.0-or-later
#include "render.hpp"

#include <ddrspd/types.hpp>

#include <cmath>

#include <fmt/core.h>

namespace ddrspd::spdcheck {

namespace {

using json = nlohmann::ordered_json;
using tools::hex16;
using tools::hex32;

// Times are ps-exact in SPD; rounding to the ps keeps 0.833 from printing as 0.8330000001.
double ns(double v) {
    return std::round(v * 1000.0) / 1000.0;
}

json nullable_string(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

std::string memory_type_name(MemoryType t) {
    return is_supported(t) ? std::string(to_string(t)) : "unknown";
}

json manufacturer(const Manufacturer& m) {
    return {{"name", m.name},
            {"id", m.id()},
            {"bank", m.bank},
            {"code", m.code},
            {"parity_ok", m.count_parity_ok && m.code_parity_ok},
            {"known", m.known},
            {"defined", m.defined}};
}

json crc_entry(const CrcBlock& c) {
    return {{"name", c.name},
            {"range", {c.first, c.last}},
            {"stored_at", c.stored_at},
            {"present", c.present},
            {"stored", c.present ? json(hex16(c.stored)) : json(nullptr)},
            {"computed", hex16(c.computed)},
            {"ok", c.ok}};
}

json finding(const Finding& f) {
    return {{"severity", to_string(f.severity)},
            {"code", f.code},
            {"offset", f.offset ? json(*f.offset) : json(nullptr)},
            {"message", f.message}};
}

json timings(const std::vector<Timing>& list) {
    json j = json::object();
    for (const Timing& t : list)
        j[t.name] = {{"ns", ns(t.ns)}, {"clocks", t.clocks}};
    return j;
}

// "2015-W28"; a date stored in plain binary instead of BCD (as some vendors do) is given
// too, with date_encoding telling which; null when undefined.
json date(const Date& d) {
    if (d.valid)
        return d.iso();
    if (d.binary)
        return fmt::format("{:04}-W{:02}", d.year, d.week);
    return nullptr;
}

json date_encoding(const Date& d) {
    return d.valid ? json("bcd") : d.binary ? json("binary") : json(nullptr);
}

json module_summary(const SpdInfo& i) {
    return {{"manufacturer", i.manufacturer.name},
            {"manufacturer_id", i.manufacturer.id()},
            {"part_number", i.part_number},
            {"serial", hex32(i.serial)},
            {"date", date(i.date)},
            {"date_encoding", date_encoding(i.date)},
            {"module_type", nullable_string(i.module_type)},
            {"capacity_mb", i.capacity_mb},
            {"speed_mts", i.speed_mts},
            {"speed_name", i.speed_name},
            {"pc_name", i.pc_name},
            {"cl", i.cl},
            {"ranks", i.ranks},
            {"device_width", i.device_width},
            {"bus_width", i.bus_width},
            {"ecc", i.ecc},
            {"dram_manufacturer", i.dram_manufacturer.name},
            {"spd_revision", i.spd_revision},
            {"bytes_used", i.bytes_used},
            {"bytes_total", i.bytes_total}};
}

json xmp_profile(const XmpProfile& p) {
    return {{"profile", p.number},
            {"enabled", p.enabled},
            {"voltage", std::round(p.voltage * 1000.0) / 1000.0},
            {"tck_ns", ns(p.tck_ns)},
            {"speed_mts", p.speed_mts},
            {"cl", p.cl},
            {"cas_latencies", p.cas_latencies},
            {"timings", timings(p.timings)}};
}

json standard_speeds(const std::vector<SpeedBin>& bins) {
    json j = json::array();
    for (const SpeedBin& b : bins)
        j.push_back({{"speed_mts", b.speed_mts},
                     {"cl", b.cl},
                     {"trcd", b.trcd},
                     {"trp", b.trp},
                     {"tras", b.tras}});
    return j;
}

json full_decode(const SpdInfo& i) {
    json j;
    j["module"] = {{"memory_type", to_string(i.type)}, {"spd_revision", i.spd_revision},
                   {"bytes_used", i.bytes_used},       {"bytes_total", i.bytes_total},
                   {"module_type", i.module_type},     {"hybrid", i.hybrid},
                   {"capacity_mb", i.capacity_mb}};
    j["organisation"] = {{"ranks", i.ranks},
                         {"device_width", i.device_width},
                         {"bus_width", i.bus_width},
                         {"ecc", i.ecc},
                         {"banks", i.banks},
                         {"bank_groups", i.bank_groups},
                         {"rows", i.rows},
                         {"columns", i.columns},
                         {"die_density_mbit", i.die_density_mbit},
                         {"package", i.package},
                         {"die_count", i.die_count},
                         {"rank1_mirrored", i.rank1_mirrored}};
    j["speed"] = {{"speed_mts", i.speed_mts},
                  {"speed_name", i.speed_name},
                  {"pc_name", i.pc_name},
                  {"tck_ns", ns(i.tck_ns)},
                  {"tck_max_ns", ns(i.tck_max_ns)},
                  {"cas_latencies", i.cas_latencies},
                  {"cl", i.cl},
                  {"mtb_ps", i.mtb_ps},
                  {"ftb_ps", i.ftb_ps},
                  {"standard_speeds", standard_speeds(i.standard_speeds)}};
    j["timings"] = timings(i.timings);
    j["voltages"] = i.voltages;
    j["thermal"] = {{"sensor", i.thermal_sensor}};
    j["features"] = i.features;
    j["max_activate_count"] = nullable_string(i.max_activate_count);
    j["mechanical"] = {{"height_mm", i.height_mm},
                       {"thickness_front_mm", i.thickness_front_mm},
                       {"thickness_back_mm", i.thickness_back_mm},
                       {"raw_card", i.raw_card}};
    j["register"] = {
        {"manufacturer",
         i.register_manufacturer ? manufacturer(*i.register_manufacturer) : json(nullptr)},
        {"revision", i.register_revision >= 0 ? json(i.register_revision) : json(nullptr)}};
    j["manufacturing"] = {{"manufacturer", manufacturer(i.manufacturer)},
                          {"dram_manufacturer", manufacturer(i.dram_manufacturer)},
                          {"location", i.location >= 0 ? json(i.location) : json(nullptr)},
                          {"date", date(i.date)},
                          {"date_encoding", date_encoding(i.date)},
                          {"serial", hex32(i.serial)},
                          {"part_number", i.part_number},
                          {"revision", hex16(i.revision)}};
    j["xmp_version"] = nullable_string(i.xmp_version);
    return j;
}

json field(const FieldInfo& f) {
    return {{"name", f.name}, {"unit", f.unit}, {"value", f.value}, {"help", f.help}};
}

} // namespace

nlohmann::ordered_json to_json(const Outcome& o, const Config& cfg) {
    json j;
    j["file"] = o.file;
    j["ok"] = o.checked && o.exit == tools::Exit::Ok;
    j["exit_code"] = tools::code(o.exit);
    if (!o.error.empty())
        j["error"] = o.error;
    if (!o.checked)
        return j;

    j["format"] = to_string(o.format);
    j["memory_type"] = memory_type_name(o.image.memory_type());
    j["bytes"] = o.image.size();
    j["crc"] = json::array();
    for (const CrcBlock& c : o.report.crc)
        j["crc"].push_back(crc_entry(c));
    j["findings"] = json::array();
    for (const Finding& f : o.report.findings)
        j["findings"].push_back(finding(f));
    j["module"] = o.info ? module_summary(*o.info) : json(nullptr);
    j["xmp"] = json::array();
    if (o.info) {
        for (const XmpProfile& p : o.info->xmp)
            j["xmp"].push_back(xmp_profile(p));
    }
    if (cfg.writes()) {
        json fixed = json::array();
        for (const CrcChange& c : o.crc_fixed)
            fixed.push_back({{"name", c.name}, {"from", hex16(c.from)}, {"to", hex16(c.to)}});
        j["crc_fixed"] = fixed;
        json set = json::object();
        for (const auto& [name, value] : o.fields_set)
            set[name] = value;
        j["set"] = set;
        j["written"] = nullable_string(o.written);
    }
    if (cfg.decode)
        j["decode"] = o.info ? full_decode(*o.info) : json(nullptr);
    if (cfg.list_fields) {
        j["fields"] = json::array();
        for (const FieldInfo& f : o.fields)
            j["fields"].push_back(field(f));
    }
    return j;
}

} // namespace ddrspd::spdcheck
