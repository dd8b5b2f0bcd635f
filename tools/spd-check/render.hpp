// SPDX-License-Identifier: GPL-2.0-or-later
// spd-check: turning an Outcome into text or JSON.
#pragma once

#include "outcome.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace ddrspd::spdcheck {

// Text report of one file as the config asks: verdict and summary, plus the full decode
// (-d) or the editable fields (--list-fields).
void print_text(std::FILE* out, const Outcome& o, const Config& cfg);

// One element of the "results" array (see the man page for the keys; add, never rename).
nlohmann::ordered_json to_json(const Outcome& o, const Config& cfg);

} // namespace ddrspd::spdcheck
