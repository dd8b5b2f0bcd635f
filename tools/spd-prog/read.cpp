// SPDX-License-Identifier: GPL-2.0-or-later
// spd-prog read, verify, diff: everything that only reads the module.
#include "spd_prog.hpp"

#include <ddrspd/dumpfile.hpp>

#include <fmt/format.h>

namespace prog {
namespace {

std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes)
        out += fmt::format("{:02x}", b);
    return out;
}

ddrspd::Image read_module(Session& s, ddrspd::SpdDevice& dev) {
    ProgressBar bar(s.progress_enabled());
    ddrspd::Image img = dev.read(bar.callback());
    bar.finish();
    s.doc["addr"] = ddrspd::hex_addr(dev.addr());
    s.doc["kind"] = std::string(ddrspd::to_string(dev.kind()));
    s.doc["size"] = img.size();
    return img;
}

} // namespace

tools::Exit run_read(Session& s) {
    ddrspd::SpdDevice dev(*s.bus, s.cfg.addr);
    const ddrspd::Image img = read_module(s, dev);
    const auto format =
        s.cfg.format == "hex" ? ddrspd::DumpFormat::I2cdump : ddrspd::DumpFormat::Raw;
    if (s.cfg.output.empty() || s.cfg.output == "-") {
        if (s.cfg.json)
            s.doc["data"] = to_hex(img.bytes());
        else
            tools::write_output("-", tools::encode_image(img.bytes(), format));
    } else {
        tools::write_output(s.cfg.output, tools::encode_image(img.bytes(), format));
        s.doc["output"] = s.cfg.output;
        s.info(
            fmt::format("read {} bytes from {} into {}", img.size(), s.where(dev), s.cfg.output));
    }
    s.doc["format"] = s.cfg.format;
    return tools::Exit::Ok;
}

tools::Exit run_verify(Session& s, bool show_fields) {
    const ddrspd::Image& file = s.input.value();
    ddrspd::SpdDevice dev(*s.bus, s.cfg.addr);
    const ddrspd::Image module = read_module(s, dev);
    const auto ranges = diff_ranges(module.bytes(), file.bytes());
    s.doc["file"] = s.cfg.file;
    s.doc["file_size"] = file.size();
    s.doc["identical"] = ranges.empty();
    s.doc["differing_bytes"] = range_bytes(ranges);
    s.doc["ranges"] = ranges_json(ranges);
    std::vector<FieldChange> fields;
    if (show_fields) {
        fields = diff_fields(module, file);
        s.doc["fields"] = fields_json(fields);
    }
    const std::string name = s.cfg.file == "-" ? "standard input" : s.cfg.file;
    if (ranges.empty()) {
        s.out(fmt::format("{} bytes at {} match {}\n", module.size(), ddrspd::hex_addr(dev.addr()),
                          name));
        return tools::Exit::Ok;
    }
    std::string text;
    if (file.size() != module.size())
        text += fmt::format("size differs: module {} bytes, {} {} bytes\n", module.size(), name,
                            file.size());
    text += fmt::format("{} byte{} differ{}: {}\n", range_bytes(ranges),
                        range_bytes(ranges) == 1 ? "" : "s", range_bytes(ranges) == 1 ? "s" : "",
                        format_ranges(ranges));
    if (show_fields) {
        text = fmt::format("--- {}\n+++ {}\n", s.where(dev), name) + text;
        for (const auto& c : fields)
            text += format_change(c) + "\n";
        if (fields.empty())
            text += "(no decoded field differs)\n";
    }
    s.out(text);
    return tools::Exit::Failed;
}

} // namespace prog
