// SPDX-License-Identifier: GPL-2.0-or-later
// spd-check: what happened to one input file; built by process_file(), printed by the
// renderers, then dropped (nothing is kept across files, so memory stays bounded).
#pragma once

#include "../common.hpp"
#include "config.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/check.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/image.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ddrspd::spdcheck {

struct CrcChange {
    std::string name;   // "base", "block1"
    std::uint16_t from; // stored before
    std::uint16_t to;   // stored now
};

struct Outcome {
    std::string file; // as given on the command line ("-" = stdin)
    tools::Exit exit = tools::Exit::Ok;
    std::string error;    // set when the file could not be read/parsed/written
    bool loaded = false;  // image and format are valid
    bool checked = false; // report (and info, for supported types) are valid
    DumpFormat format = DumpFormat::Raw;
    Image image;                      // as read, or as written when --fix/--set
    Report report;                    // check() of `image`
    std::optional<SpdInfo> info;      // decode() of `image`, supported types only
    std::vector<CrcChange> crc_fixed; // CRCs rewritten by --fix/--set
    std::vector<std::pair<std::string, std::string>> fields_set; // --set, as applied
    std::string written;           // destination, "" when nothing was written
    std::string write_note;        // why nothing was written ("unchanged"), if so
    std::vector<FieldInfo> fields; // --list-fields
};

// Display name of a file for text output.
std::string display_name(const std::string& file);

// Loads, checks, decodes, edits and writes one file as the config asks. Never throws for
// the file's sake: bad data is a result (exit Failed); read/parse/write failures and
// refusing to rewrite something that is not recognisably SPD land in Outcome::error with
// exit Io; a --set name or value that set_field() rejects gives exit Usage (the caller
// stops there: the same mistake would repeat on every file).
Outcome process_file(const Config& cfg, const std::string& file);

} // namespace ddrspd::spdcheck
