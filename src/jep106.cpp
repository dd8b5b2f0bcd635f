// SPDX-License-Identifier: GPL-2.0-or-later
// JEP106 manufacturer codes: decoding of the two-byte SPD form and name lookups.
#include <ddrspd/error.hpp>
#include <ddrspd/jep106.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace ddrspd {
namespace {

struct Entry {
    unsigned bank; // 1-based
    unsigned code; // 7-bit
    const char* name;
};

constexpr Entry table[] = {
#include "jep106_table.inc"
};

constexpr bool table_sorted() {
    for (std::size_t i = 1; i < std::size(table); ++i) {
        const Entry& a = table[i - 1];
        const Entry& b = table[i];
        if (a.bank > b.bank || (a.bank == b.bank && a.code >= b.code))
            return false;
    }
    return true;
}
static_assert(table_sorted(), "jep106_table.inc must be sorted by (bank, code)");

std::uint8_t with_parity(unsigned seven_bits) {
    const auto b = static_cast<std::uint8_t>(seven_bits & 0x7F);
    return odd_parity(b) ? b : static_cast<std::uint8_t>(b | 0x80);
}

// Lower-case letters and digits only, so "G.Skill" finds "G Skill Intl".
std::string fold(std::string_view s) {
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u))
            out += static_cast<char>(std::tolower(u));
    }
    return out;
}

std::string candidate_list(const std::vector<const Entry*>& hits) {
    std::string out;
    const std::size_t shown = std::min<std::size_t>(hits.size(), 12);
    for (std::size_t i = 0; i < shown; ++i) {
        const Entry& e = *hits[i];
        out += fmt::format("{}\"{}\" (0x{:02X}{:02X})", i ? ", " : "", e.name,
                           with_parity(e.bank - 1), with_parity(e.code));
    }
    if (hits.size() > shown)
        out += fmt::format(" and {} more", hits.size() - shown);
    return out;
}

// The folded names, computed on the first name lookup (thread-safe static).
const std::vector<std::string>& folded_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        out.reserve(std::size(table));
        for (const Entry& e : table)
            out.push_back(fold(e.name));
        return out;
    }();
    return names;
}

} // namespace

bool odd_parity(std::uint8_t b) noexcept {
    return (std::popcount(b) & 1) != 0;
}

std::string Manufacturer::id() const {
    return fmt::format("0x{:02X}{:02X}", count_byte, code_byte);
}

Manufacturer decode_manufacturer(std::uint8_t count_byte, std::uint8_t code_byte) {
    Manufacturer m;
    m.count_byte = count_byte;
    m.code_byte = code_byte;
    m.bank = (count_byte & 0x7Fu) + 1;
    m.code = static_cast<std::uint8_t>(code_byte & 0x7F);
    m.count_parity_ok = odd_parity(count_byte);
    m.code_parity_ok = odd_parity(code_byte);
    m.defined =
        !((count_byte == 0x00 && code_byte == 0x00) || (count_byte == 0xFF && code_byte == 0xFF));
    if (!m.defined) {
        m.name = "Undefined";
        return m;
    }
    if (!m.code_parity_ok || m.code == 0 || m.code == 0x7F) {
        m.name = "Invalid";
        return m;
    }
    const std::string_view name = jep106_name(m.bank, m.code);
    m.known = !name.empty();
    m.name = m.known ? std::string(name)
                     : fmt::format("Unknown (bank {}, code 0x{:02X})", m.bank, code_byte);
    return m;
}

std::string_view jep106_name(unsigned bank, std::uint8_t code) noexcept {
    const auto it =
        std::lower_bound(std::begin(table), std::end(table), Entry{bank, code, nullptr},
                         [](const Entry& a, const Entry& b) {
                             return a.bank != b.bank ? a.bank < b.bank : a.code < b.code;
                         });
    if (it == std::end(table) || it->bank != bank || it->code != code)
        return {};
    return it->name;
}

std::pair<std::uint8_t, std::uint8_t> jep106_find(std::string_view name) {
    const std::string key = fold(name);
    if (key.empty())
        throw UsageError(fmt::format("manufacturer name \"{}\" is empty; give a JEP106 name "
                                     "such as \"Samsung\" or \"Kingston\"",
                                     name));
    std::vector<const Entry*> exact, prefix, substring;
    const std::vector<std::string>& names = folded_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
        const Entry& e = table[i];
        const std::string& folded = names[i];
        if (folded == key)
            exact.push_back(&e);
        else if (folded.starts_with(key))
            prefix.push_back(&e);
        else if (folded.find(key) != std::string::npos)
            substring.push_back(&e);
    }
    for (const auto* hits : {&exact, &prefix, &substring}) {
        if (hits->size() == 1) {
            const Entry& e = *hits->front();
            return {with_parity(e.bank - 1), with_parity(e.code)};
        }
        if (hits->size() > 1)
            throw UsageError(fmt::format("manufacturer name \"{}\" is ambiguous: {}", name,
                                         candidate_list(*hits)));
    }
    throw UsageError(fmt::format("no JEP106 manufacturer matches \"{}\" ({} names known)", name,
                                 std::size(table)));
}

std::size_t jep106_size() noexcept {
    return std::size(table);
}

} // namespace ddrspd
