// SPDX-License-Identifier: GPL-2.0-or-later
// spd-check: verdict, summary and decode of SPD dump files; fixes CRCs and edits fields.
#include "common.hpp"
#include "spd-check/config.hpp"
#include "spd-check/outcome.hpp"
#include "spd-check/render.hpp"

#include <ddrspd/error.hpp>

#include <algorithm>
#include <optional>

namespace ddrspd::spdcheck {

namespace {

using tools::Exit;

const char* const examples = R"(Examples:
  spd-check dump.bin                          verdict and summary
  spd-check -d dump.bin                       full decode
  spd-check -q dump.bin && echo valid         exit status only
  spd-check --json dumps/*.bin | jq '.results[] | select(.ok | not) | .file'
  spd-check --fix -o fixed.bin broken.bin     recompute wrong CRCs into a new file
  spd-check --fix --in-place *.bin            recompute wrong CRCs in place
  i2cdump -y 1 0x50 | spd-check --fix - > fixed.bin
  spd-check --list-fields dump.bin            editable names and current values
  spd-check --set part_number=TEST-1 --set tAA=13.75 -o new.bin dump.bin)";

std::string footer() {
    std::string status = tools::exit_status_help({
        {Exit::Ok, "every file passed every check"},
        {Exit::Failed, "at least one file failed a check (wrong CRC, unknown or unsupported "
                       "memory type,\n     truncated image, invalid field...)"},
        {Exit::Usage, "usage error: bad option or value, contradictory options, a --set name "
                      "or value\n     that the file's memory type does not accept"},
        {Exit::Io, "a file could not be read, parsed or written, or --fix/--set was asked "
                   "for a file\n     that is not recognisably SPD (unknown type, truncated): "
                   "nothing is written then"},
    });
    return fmt::format("{}\n\n{}", examples, status);
}

void add_options(CLI::App& app, Config& cfg) {
    app.add_option("FILE", cfg.files, "SPD dump files ('-' = standard input)")->required();
    app.add_option("--format", cfg.format_name,
                   "Input format: auto, raw, i2cdump, hexdump, xxd, hex (default: auto)")
        ->type_name("FMT");
    app.add_flag("-d,--decode", cfg.decode, "Print the full decode in sections");
    app.add_flag("-q,--quiet", cfg.quiet, "Print nothing; only set the exit status");
    app.add_flag("--json", cfg.json, "Print one JSON document on standard output");
    app.add_flag("--fix", cfg.fix, "Recompute wrong CRCs and write the image");
    app.add_option("--set", cfg.set_args,
                   "Edit a named field (repeatable; see --list-fields); CRCs are recomputed")
        ->type_name("NAME=VALUE");
    app.add_flag("--list-fields", cfg.list_fields,
                 "List the editable fields with unit and current value");
    app.add_option("-o,--output", cfg.output,
                   "With --fix/--set: write the image to OUT (one input file)")
        ->type_name("OUT");
    app.add_flag("--in-place", cfg.in_place,
                 "With --fix/--set: replace each input file atomically (mode kept)");
    app.add_option("--output-format", cfg.output_format_name,
                   "Format of written images: raw or i2cdump (default: raw, or i2cdump for a "
                   "text dump written to a file)")
        ->type_name("FMT");
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i)
        s += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
    return s;
}

} // namespace

void validate(Config& cfg) {
    auto usage = [](std::string message) { throw UsageError(std::move(message)); };

    try {
        cfg.format = dump_format_from_string(cfg.format_name);
    } catch (const UsageError& e) {
        usage(fmt::format("--format: {}", e.what()));
    }
    if (!cfg.output_format_name.empty()) {
        if (cfg.output_format_name == "raw")
            cfg.output_format = DumpFormat::Raw;
        else if (cfg.output_format_name == "i2cdump")
            cfg.output_format = DumpFormat::I2cdump;
        else
            usage(
                fmt::format("--output-format: '{}' is not raw or i2cdump", cfg.output_format_name));
    }
    cfg.sets.clear();
    for (const std::string& arg : cfg.set_args) {
        std::size_t eq = arg.find('=');
        if (eq == std::string::npos || eq == 0)
            usage(fmt::format("--set '{}': expected NAME=VALUE", arg));
        cfg.sets.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    }

    auto stdin_count = std::count(cfg.files.begin(), cfg.files.end(), "-");
    if (stdin_count > 1)
        usage("standard input ('-') can be given only once");

    std::vector<std::string> writers;
    if (cfg.fix)
        writers.emplace_back("--fix");
    if (!cfg.sets.empty())
        writers.emplace_back("--set");
    if (writers.empty()) {
        std::vector<std::string> needs;
        if (!cfg.output.empty())
            needs.emplace_back("-o");
        if (cfg.in_place)
            needs.emplace_back("--in-place");
        if (cfg.output_format)
            needs.emplace_back("--output-format");
        if (!needs.empty())
            usage(fmt::format("{} only make{} sense with --fix or --set", joined(needs),
                              needs.size() == 1 ? "s" : ""));
    }
    if (cfg.in_place && !cfg.output.empty())
        usage("--in-place and -o cannot be used together");
    if (cfg.in_place && stdin_count > 0)
        usage("--in-place cannot rewrite standard input ('-'): use -o OUT or redirect "
              "standard output");
    if (!cfg.output.empty() && cfg.files.size() > 1)
        usage(fmt::format("-o takes one input file, got {}: use --in-place for several",
                          cfg.files.size()));
    if (cfg.writes() && !cfg.in_place && cfg.output.empty() && cfg.files.size() > 1)
        usage(fmt::format("{} with {} files needs --in-place (standard output takes one "
                          "image)",
                          joined(writers), cfg.files.size()));

    std::vector<std::string> reports;
    if (cfg.json)
        reports.emplace_back("--json");
    if (cfg.decode)
        reports.emplace_back("--decode");
    if (cfg.list_fields)
        reports.emplace_back("--list-fields");
    if (cfg.quiet && !reports.empty())
        usage(fmt::format("-q cannot be combined with {}", joined(reports)));
    if (cfg.list_fields && !writers.empty())
        usage(fmt::format("--list-fields cannot be combined with {}", joined(writers)));
    if (cfg.list_fields && cfg.decode)
        usage("--list-fields cannot be combined with --decode");
    if (cfg.json && cfg.image_to_stdout())
        usage(fmt::format("--json and the image written by {} cannot share standard output: "
                          "use -o OUT or --in-place",
                          joined(writers)));
    if (cfg.image_to_stdout() && cfg.output_format.value_or(DumpFormat::Raw) == DumpFormat::Raw)
        tools::refuse_binary_to_terminal("the binary image");
}

namespace {

Exit run(const Config& cfg) {
    // When standard output carries the image, the report is a diagnostic.
    std::FILE* report = cfg.image_to_stdout() ? stderr : stdout;
    std::optional<tools::JsonStream> json;
    if (cfg.json)
        json.emplace(stdout);

    Exit result = Exit::Ok;
    std::size_t files = 0, passed = 0, failed = 0, errors = 0;
    for (const std::string& file : cfg.files) {
        Outcome o = process_file(cfg, file);
        ++files;
        passed += o.exit == Exit::Ok ? 1 : 0;
        failed += o.exit == Exit::Failed ? 1 : 0;
        errors += o.exit != Exit::Ok && o.exit != Exit::Failed ? 1 : 0;
        result = tools::worse(result, o.exit);
        if (!o.error.empty())
            tools::diag_line(o.error);
        if (json)
            json->add(to_json(o, cfg));
        else if (!cfg.quiet)
            print_text(report, o, cfg);
        if (o.exit == Exit::Usage)
            break; // a rejected --set would be rejected for every file
    }
    if (json)
        json->finish({{"summary",
                       {{"files", files},
                        {"ok", passed},
                        {"failed", failed},
                        {"errors", errors},
                        {"exit_code", tools::code(result)}}}});
    return result;
}

} // namespace

} // namespace ddrspd::spdcheck

int main(int argc, char** argv) {
    using namespace ddrspd;
    CLI::App app{"Check SPD EEPROM dump files (DDR3/DDR4/DDR5): verdict, summary, full decode;\n"
                 "fix wrong CRCs and edit named fields.",
                 "spd-check"};
    spdcheck::Config cfg;
    spdcheck::add_options(app, cfg);
    tools::setup_app(app, spdcheck::footer());
    return tools::run_main(app, argc, argv, [&] {
        spdcheck::validate(cfg);
        return spdcheck::run(cfg);
    });
}
