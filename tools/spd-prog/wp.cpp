// SPDX-License-Identifier: GPL-2.0-or-later
// spd-prog wp status | set BLOCK... | clear: reversible write protection (EE1004 SWPn/CWP,
// DDR3 RSWP). Setting and clearing need 7-10 V on the module's SA0 pin, which only the
// adapter's high-voltage switch can supply; --vhv is the user's word that it is on.
#include "spd_prog.hpp"

#include <ddrspd/error.hpp>

#include <fmt/format.h>

namespace prog {
namespace {

constexpr std::size_t wp_block = 128;

nlohmann::ordered_json status_json(const std::vector<std::optional<bool>>& st) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& b : st)
        arr.push_back(b ? nlohmann::ordered_json(*b) : nullptr);
    return arr;
}

std::string status_text(const std::vector<std::optional<bool>>& st) {
    std::string out;
    for (std::size_t b = 0; b < st.size(); ++b)
        out += fmt::format("block {} (bytes {:>3}-{:>3}): {}\n", b, b * wp_block,
                           b * wp_block + wp_block - 1,
                           !st[b]   ? "unknown (reading DDR3 RSWP needs --vhv)"
                           : *st[b] ? "protected"
                                    : "writable");
    return out;
}

// Reads the status when it is meaningful; fills doc and returns the text.
std::string read_status(Session& s, ddrspd::SpdDevice& dev) {
    const BusCensus bus = census(*s.bus);
    std::string text;
    if (bus.modules > 1) {
        s.doc["protection"] = {{"status", "ambiguous"}, {"modules", bus.modules}};
        return fmt::format("protection status ambiguous with {} modules on the bus (the status "
                           "answers of all SPD chips mix); remove the other modules to read it\n",
                           bus.modules);
    }
    const auto st = dev.protection(s.cfg.vhv);
    nlohmann::ordered_json j = {{"status", "known"}, {"blocks", status_json(st)}};
    text = status_text(st);
    if (dev.kind() == ddrspd::SpdKind::DDR3) {
        const bool pswp = dev.permanent_protection();
        j["permanent"] = pswp;
        text += pswp ? "permanent protection: SET (bytes 0-127 can never be written again)\n"
                     : "permanent protection: not set\n";
    }
    s.doc["protection"] = j;
    return text;
}

} // namespace

tools::Exit run_wp_status(Session& s) {
    ddrspd::SpdDevice dev(*s.bus, s.cfg.addr);
    s.doc["addr"] = ddrspd::hex_addr(dev.addr());
    s.doc["kind"] = std::string(ddrspd::to_string(dev.kind()));
    s.out(fmt::format("{}:\n", s.where(dev)) + read_status(s, dev));
    return tools::Exit::Ok;
}

tools::Exit run_wp_change(Session& s, bool set) {
    const std::string what = set ? "setting" : "clearing";
    if (!s.cfg.vhv)
        throw ddrspd::RefusedError(fmt::format(
            "{} write protection needs 7-10 V on the SA0 pin of the module, which a Raspberry "
            "Pi cannot produce: fit the adapter's high-voltage supply, switch it on, then "
            "confirm with --vhv. Nothing was sent",
            what));
    ddrspd::SpdDevice dev(*s.bus, s.cfg.addr);
    s.doc["addr"] = ddrspd::hex_addr(dev.addr());
    s.doc["kind"] = std::string(ddrspd::to_string(dev.kind()));
    const std::size_t nblocks = dev.kind() == ddrspd::SpdKind::DDR4   ? 4
                                : dev.kind() == ddrspd::SpdKind::DDR3 ? 1
                                                                      : 0;
    if (nblocks == 0)
        throw ddrspd::RefusedError(fmt::format(
            "{}: write protection is only supported on DDR3 and DDR4 SPDs", s.where(dev)));
    unsigned mask = 0;
    std::string list;
    for (unsigned b : s.cfg.blocks) {
        if (b >= nblocks)
            throw ddrspd::UsageError(fmt::format("block {}: {} has block{} 0{}", b, s.where(dev),
                                                 nblocks == 1 ? "" : "s",
                                                 nblocks == 1 ? "" : "-3"));
        if ((mask & (1u << b)) == 0)
            list += fmt::format("{}{}", list.empty() ? "" : ", ", b);
        mask |= 1u << b;
    }
    s.doc["blocks"] = s.cfg.blocks;
    const std::string action = set ? fmt::format("set write protection of block(s) {}", list)
                                   : std::string("clear the write protection of all blocks");
    if (s.cfg.dry_run) {
        s.doc["done"] = false;
        s.out(fmt::format("dry run: would {} on {}\n", action, s.where(dev)));
        return tools::Exit::Ok;
    }
    confirm_or_refuse(fmt::format("{} on {}?", action, s.where(dev)), s.cfg.yes);
    s.no_interrupts.emplace();
    if (set)
        dev.set_protection(mask, true);
    else
        dev.clear_protection(true);
    s.doc["done"] = true;
    const std::string text = read_status(s, dev);
    s.out(fmt::format("{}: done; status now:\n", action) + text);

    const auto& p = s.doc["protection"];
    if (p["status"] == "known") {
        const auto& blocks = p["blocks"];
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            if (blocks[b].is_null())
                continue;
            const bool want = set ? (mask & (1u << b)) != 0 || blocks[b].get<bool>() : false;
            if (blocks[b].get<bool>() != want) {
                tools::diag("block {} is {} after the command: check the high-voltage supply", b,
                            blocks[b].get<bool>() ? "still protected" : "not protected");
                return tools::Exit::Failed;
            }
        }
    }
    return tools::Exit::Ok;
}

} // namespace prog
