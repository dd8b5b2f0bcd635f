// SPDX-License-Identifier: GPL-2.0-or-later
// What every ddrspd tool shares: exit codes, the exception funnel around main(), the
// --version flag and EXIT STATUS help footer, diagnostics on stderr, streamed JSON output.
//
// A tool binds its options into a plain Config struct with CLI11, checks option
// combinations in a separate step (throwing ddrspd::UsageError), then runs:
//
//     int main(int argc, char** argv) {
//         CLI::App app{"Check SPD dump files", "spd-check"};
//         Config cfg;
//         add_options(app, cfg);
//         tools::setup_app(app, footer_with_examples_and_exit_status_help);
//         return tools::run_main(app, argc, argv, [&] { validate(cfg); return run(cfg); });
//     }
#pragma once

#include <ddrspd/dumpfile.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace ddrspd::tools {

// The scripting contract of every tool (documented in each man page's EXIT STATUS).
enum class Exit : int {
    Ok = 0,      // everything checked passed / the operation succeeded
    Failed = 1,  // a check or verify found a problem
    Usage = 2,   // bad command line (CLI11's own codes are remapped to this)
    Io = 3,      // a file, stream or device could not be read, parsed or written
    Refused = 4, // the operation was refused for safety or aborted by the user
};

constexpr int code(Exit e) noexcept {
    return static_cast<int>(e);
}

// The more severe of two outcomes: Usage > Io > Refused > Failed > Ok.
Exit worse(Exit a, Exit b) noexcept;

// Exit code for an exception escaping a tool's work: UsageError -> Usage, RefusedError ->
// Refused, FileError/FormatError/BusError and anything else -> Io.
Exit exit_for(const std::exception& e) noexcept;

// Name used in diagnostics ("spd-check"); set by setup_app().
const std::string& program_name();

// One diagnostic line on stderr: "PROG: message".
void diag_line(std::string_view message);

template <typename... Args>
void diag(fmt::format_string<Args...> format, Args&&... args) {
    diag_line(fmt::format(format, std::forward<Args>(args)...));
}

// Names the program (for diagnostics), adds --version ("NAME (ddrspd) VERSION") and sets
// the --help footer (examples, exit status table...).
void setup_app(CLI::App& app, std::string_view footer);

// An "Exit status:" table for --help, one line per code the tool can return, ending with the
// rule for several inputs. `meanings` pairs each code with what it means for the tool.
std::string exit_status_help(const std::vector<std::pair<Exit, std::string>>& meanings);

// Parses argv with app, then calls run(). Never lets an exception escape:
//  - CLI::ParseError: --help / --version print to stdout and return 0; anything else prints
//    "PROG: message" (plus a "Run with --help" hint) and returns 2;
//  - ddrspd::Error and std::exception: "PROG: message" on stderr, code from exit_for();
//  - standard output is flushed and checked at the end: a failed write returns 3.
// Also switches stdout to full buffering when it is not a terminal (fast bulk output).
int run_main(CLI::App& app, int argc, char** argv, const std::function<Exit()>& run);

// True when `stream` is connected to a terminal.
bool is_terminal(std::FILE* stream) noexcept;

// Throws UsageError when binary data would go to a terminal ("-" destination).
void refuse_binary_to_terminal(std::string_view what);

// "0x19B6" / "0x511E61C6" (upper-case digits, fixed width).
std::string hex16(std::uint16_t v);
std::string hex32(std::uint32_t v);
std::string hex8(std::uint8_t v);

// Compact one-line JSON; invalid UTF-8 (e.g. in file names) is replaced, never thrown on.
std::string json_dump(const nlohmann::ordered_json& j);

// Streams exactly one JSON document to `out` without keeping the elements in memory:
//     {"version":1,"results":[
//     {...},
//     {...}
//     ],"summary":{...}}
// (one element per line). finish() closes it; the destructor closes it too, so a document
// is complete even when a run stops early.
class JsonStream {
public:
    explicit JsonStream(std::FILE* out, int version = 1, std::string_view array_key = "results");
    JsonStream(const JsonStream&) = delete;
    JsonStream& operator=(const JsonStream&) = delete;
    ~JsonStream();

    void add(const nlohmann::ordered_json& element);
    // Closes the array, then writes the members of `trailer` (an object) after it.
    void finish(const nlohmann::ordered_json& trailer = nlohmann::ordered_json::object());

private:
    std::FILE* out_;
    bool first_ = true;
    bool finished_ = false;
};

// Encodes an image for writing: raw bytes, or an i2cdump grid (text) for I2cdump.
// Throws UsageError for formats there is no writer for.
std::string encode_image(std::span<const std::uint8_t> bytes, DumpFormat format);

// Writes an encoded image: "-" to standard output (through stdio, so it stays ordered with
// other output), anything else with write_file_atomic(). Throws FileError.
void write_output(const std::string& path, std::string_view data);

} // namespace ddrspd::tools
