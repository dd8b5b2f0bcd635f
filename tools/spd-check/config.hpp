// SPDX-License-Identifier: GPL-2.0-or-later
// spd-check: the command line as plain data, bound by CLI11 and checked by validate().
#pragma once

#include <ddrspd/dumpfile.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ddrspd::spdcheck {

struct Config {
    std::vector<std::string> files;   // "-" = standard input
    std::string format_name = "auto"; // --format
    DumpFormat format = DumpFormat::Auto;
    bool decode = false;                                   // -d
    bool quiet = false;                                    // -q
    bool json = false;                                     // --json
    bool fix = false;                                      // --fix
    std::vector<std::string> set_args;                     // --set NAME=VALUE, as given
    std::vector<std::pair<std::string, std::string>> sets; // parsed by validate()
    bool list_fields = false;                              // --list-fields
    std::string output;                                    // -o
    bool in_place = false;                                 // --in-place
    std::string output_format_name;                        // --output-format, "" = default
    std::optional<DumpFormat> output_format;

    // True when files get rewritten (--fix or --set).
    bool writes() const { return fix || !sets.empty(); }
    // True when the rewritten image goes to standard output (standard input, no -o).
    bool image_to_stdout() const { return writes() && !in_place && output.empty(); }
};

// Checks option combinations and parses values; throws UsageError naming the options.
void validate(Config& cfg);

} // namespace ddrspd::spdcheck
