// SPDX-License-Identifier: GPL-2.0-or-later
// spd-prog detect: what answers at 0x50-0x57, with read-only transactions.
#include "spd_prog.hpp"

#include <ddrspd/check.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/error.hpp>

#include <fmt/format.h>

namespace prog {
namespace {

std::string capacity(std::uint64_t mb) {
    if (mb >= 1024 && mb % 1024 == 0)
        return fmt::format("{} GB", mb / 1024);
    return fmt::format("{} MB", mb);
}

struct Row {
    std::string label;
    std::string value;
};

std::string rows_text(const std::vector<Row>& rows) {
    std::string out;
    for (const auto& r : rows)
        out += fmt::format("  {:<18}{}\n", r.label + ":", r.value);
    return out;
}

// Write protection as far as it can be known without high voltage and without writing.
void protection(ddrspd::SpdDevice& dev, const BusCensus& bus, nlohmann::ordered_json& j,
                std::vector<Row>& rows) {
    nlohmann::ordered_json wp;
    std::string text;
    if (dev.kind() == ddrspd::SpdKind::DDR4) {
        // RPS answers of several EE1004 devices are wired-AND on the bus: with more than one
        // module an ACK ("not protected") may come from another module.
        if (bus.modules > 1) {
            wp = {{"status", "ambiguous"}, {"modules", bus.modules}};
            text = fmt::format(
                "ambiguous with {} modules on the bus (remove the others to read it)", bus.modules);
        } else {
            const auto blocks = dev.protection();
            auto arr = nlohmann::ordered_json::array();
            std::string prot;
            for (std::size_t b = 0; b < blocks.size(); ++b) {
                arr.push_back(blocks[b] ? nlohmann::ordered_json(*blocks[b]) : nullptr);
                if (blocks[b].value_or(false))
                    prot += fmt::format("{}{}", prot.empty() ? "" : ", ", b);
            }
            wp = {{"status", "known"}, {"blocks", arr}};
            text = prot.empty() ? "none (blocks 0-3 writable)" : "blocks " + prot + " protected";
        }
    } else if (dev.kind() == ddrspd::SpdKind::DDR3) {
        // The PSWP read probe at 0x30|n is also an RPS address of any DDR4 module, and the
        // library reads it only with the module alone on the bus.
        if (bus.modules > 1) {
            wp = {{"status", "ambiguous"}, {"modules", bus.modules}};
            text = fmt::format(
                "ambiguous with {} modules on the bus (remove the others to read it)", bus.modules);
        } else {
            const bool pswp = dev.permanent_protection();
            wp = {{"status", "known"}, {"permanent", pswp}, {"reversible", nullptr}};
            text = pswp ? "PERMANENT (bytes 0-127 can never be written again)"
                        : "not permanent; reversible protection needs --vhv to read (wp status)";
        }
    } else {
        wp = {{"status", "unknown"}};
        text = "unknown";
    }
    j["write_protection"] = wp;
    rows.push_back({"write protection", text});
}

} // namespace

tools::Exit run_detect(Session& s) {
    const auto probes = ddrspd::scan_spd(*s.bus);
    BusCensus bus;
    for (const auto& p : probes) {
        if (p.kind == ddrspd::SpdKind::None)
            continue;
        ++bus.modules;
        bus.ddr3 = bus.ddr3 || p.kind == ddrspd::SpdKind::DDR3;
        bus.ddr4 = bus.ddr4 || p.kind == ddrspd::SpdKind::DDR4;
    }
    if (bus.ddr3 && bus.ddr4)
        s.warn("DDR3 and DDR4 modules share the bus: DDR4 page switching writes to 0x36/0x37, "
               "which a DDR3 SPD at 0x56/0x57 takes as 'set permanent write protection'. "
               "Program them one at a time");

    tools::Exit result = tools::Exit::Ok;
    auto modules = nlohmann::ordered_json::array();
    std::string text;
    for (const auto& p : probes) {
        if (p.kind == ddrspd::SpdKind::None)
            continue;
        nlohmann::ordered_json j;
        j["addr"] = ddrspd::hex_addr(p.addr);
        j["slot"] = p.addr - 0x50;
        j["kind"] = std::string(ddrspd::to_string(p.kind));
        std::vector<Row> rows;
        std::string head = fmt::format("{} (slot {}): {} SPD EEPROM", ddrspd::hex_addr(p.addr),
                                       p.addr - 0x50, ddrspd::to_string(p.kind));
        try {
            ddrspd::SpdDevice dev(*s.bus, p.addr);
            const ddrspd::Image img = dev.read();
            const ddrspd::SpdInfo info = ddrspd::decode(img);
            const ddrspd::Report report = ddrspd::check(img);
            head += fmt::format(", {} bytes", dev.size());
            j["size"] = dev.size();
            j["type"] = std::string(ddrspd::to_string(info.type));
            j["module_type"] = info.module_type;
            j["capacity_mb"] = info.capacity_mb;
            j["manufacturer"] = info.manufacturer.defined ? info.manufacturer.name : "";
            j["part_number"] = info.part_number;
            j["speed_mts"] = info.speed_mts;
            j["speed"] = info.speed_name;
            rows.push_back(
                {"module", fmt::format("{} {} {}, {} rank{}, x{}{}", capacity(info.capacity_mb),
                                       info.speed_name, info.module_type, info.ranks,
                                       info.ranks == 1 ? "" : "s", info.device_width,
                                       info.ecc ? ", ECC" : "")});
            rows.push_back(
                {"manufacturer", info.manufacturer.defined ? info.manufacturer.name : "(not set)"});
            rows.push_back(
                {"part number", info.part_number.empty() ? "(empty)" : info.part_number});
            rows.push_back(
                {"speed", fmt::format("{} ({}), CL{}", info.speed_name, info.pc_name, info.cl)});
            auto crcs = nlohmann::ordered_json::array();
            std::string crc_text;
            bool crc_ok = !report.crc.empty();
            for (const auto& c : report.crc) {
                crcs.push_back({{"block", c.name}, {"ok", c.ok}});
                crc_ok = crc_ok && c.ok;
                crc_text += fmt::format("{}{} {}", crc_text.empty() ? "" : ", ", c.name,
                                        c.ok ? "ok" : "WRONG");
            }
            j["crc_ok"] = crc_ok;
            j["crc"] = crcs;
            rows.push_back({"CRC", crc_text.empty() ? "none (unknown memory type)" : crc_text});
            protection(dev, bus, j, rows);
        } catch (const ddrspd::RefusedError& e) {
            // Listing is still the job done: the refusal (e.g. a mixed DDR3/DDR4 bus) is
            // reported for this module, with the bus-level warning above.
            j["error"] = e.what();
            rows.push_back({"not read", e.what()});
        } catch (const ddrspd::Error& e) {
            j["error"] = e.what();
            rows.push_back({"error", e.what()});
            result = tools::worse(result, tools::exit_for(e));
        }
        j["temp_sensor"] = p.temp_sensor;
        j["temperature_c"] = p.temperature_c ? nlohmann::ordered_json(*p.temperature_c) : nullptr;
        rows.push_back(
            {"temperature", !p.temp_sensor ? std::string("no sensor")
                            : p.temperature_c
                                ? fmt::format("{:.2f} °C (sensor at {})", *p.temperature_c,
                                              ddrspd::hex_addr(0x18 | (p.addr & 7)))
                                : std::string("sensor present, no reading")});
        modules.push_back(j);
        text += head + "\n" + rows_text(rows);
    }
    s.doc["modules"] = modules;
    if (modules.empty()) {
        text = fmt::format("no SPD EEPROM answered at 0x50-0x57 on {}\n", s.bus->describe());
        s.info("hint: is the module seated and the adapter's power switch on? Is the "
               "address switch set to this range?");
        result = tools::worse(result, tools::Exit::Io);
    }
    s.out(text);
    return result;
}

} // namespace prog
