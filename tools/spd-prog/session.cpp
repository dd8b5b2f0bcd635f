// SPDX-License-Identifier: GPL-2.0-or-later
// The Session every subcommand works in, and the dispatch from Config to the subcommand.
#include "spd_prog.hpp"

#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/open.hpp>

#include <fmt/format.h>

namespace prog {

Session::Session(const Config& config, std::optional<ddrspd::Image> image)
    : cfg(config), input(std::move(image)), bus(ddrspd::open_bus(config.bus)) {
    doc["version"] = 1;
    doc["command"] = cfg.command_name;
    doc["bus"] = bus->describe();
    detail(fmt::format("bus {}", bus->describe()));
}

void Session::info(std::string_view message) const {
    if (!cfg.quiet && !cfg.json)
        tools::diag_line(message);
}

void Session::detail(std::string_view message) const {
    if (cfg.verbose)
        tools::diag_line(message);
}

void Session::warn(std::string_view message) {
    warnings_.push_back(message);
    doc["warnings"] = warnings_;
    if (!cfg.quiet)
        tools::diag_line(fmt::format("warning: {}", message));
}

void Session::out(std::string_view text) const {
    if (!cfg.json)
        fmt::print("{}", text);
}

bool Session::progress_enabled() const {
    return !cfg.quiet && tools::is_terminal(stderr);
}

std::string Session::where(const ddrspd::SpdDevice& dev) const {
    return fmt::format("the {} SPD at {} on {}", ddrspd::to_string(dev.kind()),
                       ddrspd::hex_addr(dev.addr()), bus->describe());
}

void Session::finish(bool print_stats) {
    if (const auto st = bus->stats()) {
        doc["bus_stats"] = stats_json(*st);
        if ((print_stats || cfg.verbose) && !cfg.quiet && !cfg.json)
            tools::diag_line(fmt::format("bus statistics: {}", format_stats(*st)));
    }
    bus.close();
}

ddrspd::MemoryType memory_type_of(ddrspd::SpdKind k) noexcept {
    switch (k) {
    case ddrspd::SpdKind::DDR3:
        return ddrspd::MemoryType::DDR3;
    case ddrspd::SpdKind::DDR4:
        return ddrspd::MemoryType::DDR4;
    case ddrspd::SpdKind::DDR5:
        return ddrspd::MemoryType::DDR5;
    default:
        return ddrspd::MemoryType::Unknown;
    }
}

BusCensus census(ddrspd::Bus& bus) {
    BusCensus c;
    for (const auto& p : ddrspd::scan_spd(bus)) {
        if (p.kind == ddrspd::SpdKind::None)
            continue;
        ++c.modules;
        c.ddr3 = c.ddr3 || p.kind == ddrspd::SpdKind::DDR3;
        c.ddr4 = c.ddr4 || p.kind == ddrspd::SpdKind::DDR4;
    }
    return c;
}

ddrspd::Image load_image(const std::string& path) {
    return ddrspd::load_dump(path).image;
}

tools::Exit run(const Config& cfg) {
    // One JSON document on stdout in every case: a failure becomes {"error": ...}.
    std::optional<Session> session;
    try {
        std::optional<ddrspd::Image> input;
        if (!cfg.file.empty())
            input = load_image(cfg.file);
        session.emplace(cfg, std::move(input));
        Session& s = *session;
        tools::Exit result = tools::Exit::Ok;
        switch (cfg.command) {
        case Command::Detect:
            result = run_detect(s);
            break;
        case Command::Read:
            result = run_read(s);
            break;
        case Command::Verify:
            result = run_verify(s, false);
            break;
        case Command::Diff:
            result = run_verify(s, true);
            break;
        case Command::Write:
            result = run_write(s);
            break;
        case Command::FixCrc:
            result = run_fix_crc(s);
            break;
        case Command::WpStatus:
            result = run_wp_status(s);
            break;
        case Command::WpSet:
            result = run_wp_change(s, true);
            break;
        case Command::WpClear:
            result = run_wp_change(s, false);
            break;
        }
        const bool wrote =
            !cfg.dry_run && (cfg.command == Command::Write || cfg.command == Command::FixCrc ||
                             cfg.command == Command::WpSet || cfg.command == Command::WpClear);
        s.finish(wrote);
        s.doc["exit"] = tools::code(result);
        if (cfg.json)
            fmt::print("{}\n", tools::json_dump(s.doc));
        return result;
    } catch (const std::exception& e) {
        if (cfg.json) {
            nlohmann::ordered_json doc =
                session ? session->doc
                        : nlohmann::ordered_json{{"version", 1}, {"command", cfg.command_name}};
            if (session)
                if (const auto st = session->bus->stats())
                    doc["bus_stats"] = stats_json(*st);
            doc["exit"] = tools::code(tools::exit_for(e));
            doc["error"] = e.what();
            fmt::print("{}\n", tools::json_dump(doc));
        }
        throw; // run_main reports it on stderr and maps the exit code
    }
}

} // namespace prog
