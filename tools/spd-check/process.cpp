// SPDX-License-Identifier: GPL-2.0-or-later
#include "outcome.hpp"

#include <ddrspd/crc.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/types.hpp>

#include <fmt/core.h>

namespace ddrspd::spdcheck {

namespace {

// Why `img` must not be rewritten, or "" when it is recognisably an SPD image: a supported
// memory type and every byte its header declares. Recomputing the CRC of anything else
// would make garbage look valid.
std::string not_spd_reason(const Image& img) {
    if (img.empty())
        return "the image is empty";
    MemoryType type = img.memory_type();
    if (!is_supported(type))
        return fmt::format("byte 2 = {} is not a DDR3, DDR4 or DDR5 memory type ({})",
                           tools::hex8(img.at_or_zero(2)), to_string(type));
    if (img.truncated())
        return fmt::format("the image is truncated ({} of {} bytes)", img.size(),
                           img.expected_size());
    return {};
}

std::vector<CrcChange> crc_changes(const std::vector<CrcBlock>& before,
                                   const std::vector<CrcBlock>& after) {
    std::vector<CrcChange> changes;
    for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) {
        if (before[i].present && after[i].present && before[i].stored != after[i].stored)
            changes.push_back({after[i].name, before[i].stored, after[i].stored});
    }
    return changes;
}

DumpFormat output_format(const Config& cfg, const std::string& dest, DumpFormat input) {
    if (cfg.output_format)
        return *cfg.output_format;
    // Pipelines get bytes; a text dump rewritten into a file stays text.
    if (dest == "-" || input == DumpFormat::Raw)
        return DumpFormat::Raw;
    return DumpFormat::I2cdump;
}

// --fix / --set: edits a copy, writes it, and only then makes it the outcome's image.
void rewrite(const Config& cfg, Outcome& out) {
    const char* verb = cfg.sets.empty() ? "not fixed" : "not edited";
    if (std::string reason = not_spd_reason(out.image); !reason.empty()) {
        out.exit = tools::Exit::Io;
        out.error = fmt::format("{}: {}: {}", display_name(out.file), verb, reason);
        return;
    }

    Image img = out.image;
    std::vector<CrcBlock> before = crc_blocks(img);
    try {
        for (const auto& [name, value] : cfg.sets)
            set_field(img, name, value);
    } catch (const UsageError& e) {
        out.exit = tools::Exit::Usage;
        out.error = fmt::format("{}: --set: {}", display_name(out.file), e.what());
        return;
    }
    if (cfg.fix)
        fix_crcs(img);
    std::vector<CrcChange> changes = crc_changes(before, crc_blocks(img));

    std::string dest = cfg.in_place ? out.file : cfg.output.empty() ? "-" : cfg.output;
    DumpFormat format = output_format(cfg, dest, out.format);
    if (cfg.in_place && format == out.format && img.bytes() == out.image.bytes()) {
        out.write_note = "unchanged, not rewritten";
    } else {
        try {
            tools::write_output(dest, tools::encode_image(img.bytes(), format));
        } catch (const Error& e) {
            out.exit = tools::Exit::Io;
            out.error = e.what();
            return;
        }
        out.written = dest;
    }
    out.image = std::move(img);
    out.crc_fixed = std::move(changes);
    out.fields_set = cfg.sets;
}

} // namespace

std::string display_name(const std::string& file) {
    return file == "-" ? "(standard input)" : file;
}

Outcome process_file(const Config& cfg, const std::string& file) {
    Outcome out;
    out.file = file;
    try {
        ParsedDump dump = load_dump(file, cfg.format);
        out.format = dump.format;
        out.image = std::move(dump.image);
        out.loaded = true;

        if (cfg.writes())
            rewrite(cfg, out);
        // Decoded once: check() takes the decode it would otherwise redo for its timing
        // checks.
        if (is_supported(out.image.memory_type())) {
            out.info = decode(out.image);
            out.report = check(out.image, *out.info);
            if (cfg.list_fields)
                out.fields = list_fields(out.image);
        } else {
            out.report = check(out.image);
        }
        out.checked = true;
    } catch (const Error& e) {
        out.exit = tools::Exit::Io;
        out.error = e.what();
        return out;
    } catch (const std::exception& e) {
        // A library bug must not end a run over thousands of files: report it as this
        // file's failure and go on.
        out.exit = tools::Exit::Io;
        out.error = fmt::format("{}: internal error: {}", display_name(file), e.what());
        return out;
    }
    if (out.exit == tools::Exit::Ok && !out.report.ok())
        out.exit = tools::Exit::Failed;
    return out;
}

} // namespace ddrspd::spdcheck
