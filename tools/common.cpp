// SPDX-License-Identifier: GPL-2.0-or-later
#include "common.hpp"

#include <ddrspd/error.hpp>
#include <ddrspd/version.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

namespace ddrspd::tools {

namespace {

std::string& program_name_storage() {
    static std::string name = "ddrspd";
    return name;
}

int severity_rank(Exit e) noexcept {
    switch (e) {
    case Exit::Ok:
        return 0;
    case Exit::Failed:
        return 1;
    case Exit::Refused:
        return 2;
    case Exit::Io:
        return 3;
    case Exit::Usage:
        return 4;
    }
    return 4;
}

// Buffer for stdout when it is a pipe or file: one write per 64 KiB instead of per line.
char stdout_buffer[64 * 1024];

} // namespace

Exit worse(Exit a, Exit b) noexcept {
    return severity_rank(a) >= severity_rank(b) ? a : b;
}

Exit exit_for(const std::exception& e) noexcept {
    if (dynamic_cast<const UsageError*>(&e) != nullptr)
        return Exit::Usage;
    if (dynamic_cast<const RefusedError*>(&e) != nullptr)
        return Exit::Refused;
    return Exit::Io;
}

const std::string& program_name() {
    return program_name_storage();
}

void diag_line(std::string_view message) {
    // One fwrite per line keeps lines whole when several processes share stderr.
    std::string line = fmt::format("{}: {}\n", program_name(), message);
    std::fwrite(line.data(), 1, line.size(), stderr);
}

std::string exit_status_help(const std::vector<std::pair<Exit, std::string>>& meanings) {
    std::string s = "Exit status:\n";
    for (const auto& [exit, meaning] : meanings)
        s += fmt::format("  {}  {}\n", code(exit), meaning);
    s += "With several inputs every one is processed; the most severe status wins";
    std::vector<Exit> order;
    for (const auto& m : meanings)
        order.push_back(m.first);
    std::sort(order.begin(), order.end(),
              [](Exit a, Exit b) { return severity_rank(a) > severity_rank(b); });
    std::vector<int> codes;
    for (Exit e : order) {
        if (e != Exit::Usage)
            codes.push_back(code(e));
    }
    s += fmt::format(" ({}).", fmt::join(codes, " > "));
    return s;
}

void setup_app(CLI::App& app, std::string_view footer) {
    program_name_storage() = app.get_name();
    app.set_version_flag("--version",
                         fmt::format("{} (ddrspd) {}", app.get_name(), ddrspd::version()),
                         "Print the version and exit");
    app.footer(std::string(footer));
}

namespace {

// CLI11 reports a mistyped subcommand as "A subcommand is required": name the word instead.
std::optional<std::string> unknown_subcommand(CLI::App& app) {
    CLI::App* cur = &app; // the deepest subcommand given, e.g. "wp"
    while (!cur->get_subcommands().empty())
        cur = cur->get_subcommands().front();
    auto subs = cur->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty())
        return std::nullopt;
    auto words = cur->remaining();
    if (cur != &app) {
        auto more = app.remaining(); // unknown words fall through to the top level
        words.insert(words.end(), more.begin(), more.end());
    }
    for (const auto& word : words) {
        if (word.empty() || word[0] == '-')
            continue;
        std::string names;
        for (const auto* s : subs)
            names += (names.empty() ? "" : ", ") + s->get_name();
        return fmt::format("unknown subcommand '{}' (expected one of: {})", word, names);
    }
    return std::nullopt;
}

} // namespace

int run_main(CLI::App& app, int argc, char** argv, const std::function<Exit()>& run) {
    if (!is_terminal(stdout))
        std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    Exit result = Exit::Ok;
    try {
        try {
            app.parse(argc, argv);
        } catch (const CLI::Success& e) { // --help, --version
            app.exit(e);
            std::fflush(stdout);
            return code(Exit::Ok);
        } catch (const CLI::ParseError& e) {
            diag("{}", unknown_subcommand(app).value_or(e.what()));
            diag("Run with --help for more information.");
            return code(Exit::Usage);
        }
        result = run();
    } catch (const std::exception& e) {
        diag_line(e.what());
        result = worse(result, exit_for(e));
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        diag("standard output: write error: {}", std::strerror(errno));
        result = worse(result, Exit::Io);
    }
    return code(result);
}

bool is_terminal(std::FILE* stream) noexcept {
    return ::isatty(::fileno(stream)) == 1;
}

void refuse_binary_to_terminal(std::string_view what) {
    if (is_terminal(stdout))
        throw UsageError(fmt::format(
            "refusing to write {} to a terminal: redirect standard output or use -o FILE", what));
}

std::string hex8(std::uint8_t v) {
    return fmt::format("0x{:02X}", v);
}
std::string hex16(std::uint16_t v) {
    return fmt::format("0x{:04X}", v);
}
std::string hex32(std::uint32_t v) {
    return fmt::format("0x{:08X}", v);
}

std::string json_dump(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

JsonStream::JsonStream(std::FILE* out, int version, std::string_view array_key) : out_(out) {
    nlohmann::ordered_json key = std::string(array_key);
    fmt::print(out_, "{{\"version\":{},{}:[", version, json_dump(key));
}

JsonStream::~JsonStream() {
    if (!finished_)
        finish();
}

void JsonStream::add(const nlohmann::ordered_json& element) {
    std::string text = json_dump(element);
    std::fputs(first_ ? "\n" : ",\n", out_);
    std::fwrite(text.data(), 1, text.size(), out_);
    first_ = false;
}

void JsonStream::finish(const nlohmann::ordered_json& trailer) {
    if (finished_)
        return;
    finished_ = true;
    std::fputs(first_ ? "]" : "\n]", out_);
    for (const auto& [key, value] : trailer.items())
        fmt::print(out_, ",{}:{}", json_dump(nlohmann::ordered_json(key)), json_dump(value));
    std::fputs("}\n", out_);
}

std::string encode_image(std::span<const std::uint8_t> bytes, DumpFormat format) {
    switch (format) {
    case DumpFormat::Raw:
        return std::string(bytes.begin(), bytes.end());
    case DumpFormat::I2cdump:
        return format_i2cdump(bytes);
    default:
        throw UsageError(
            fmt::format("cannot write images as '{}' (use raw or i2cdump)", to_string(format)));
    }
}

void write_output(const std::string& path, std::string_view data) {
    if (path != "-") {
        write_file_atomic(path, data);
        return;
    }
    if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() || std::fflush(stdout) != 0)
        throw FileError(fmt::format("standard output: write error: {}", std::strerror(errno)));
}

} // namespace ddrspd::tools
