// SPDX-License-Identifier: GPL-2.0-or-later
#include "emu/spec.hpp"

#include <ddrspd/error.hpp>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>

namespace ddrspd::emu {

namespace {

[[noreturn]] void bad_item(std::string_view item, std::string_view why) {
    throw UsageError(fmt::format("emulator spec item '{}': {}", item, why));
}

std::uint8_t parse_addr(std::string_view item, std::string_view text) {
    auto value = parse_number(text);
    if (!value || *value > 0x7F) {
        bad_item(item, fmt::format("'{}' is not a 7-bit I2C address (like 0x50)", text));
    }
    return static_cast<std::uint8_t>(*value);
}

std::uint64_t parse_uint(std::string_view item, std::string_view text, std::uint64_t lo,
                         std::uint64_t hi) {
    auto value = parse_number(text);
    if (!value || *value < lo || *value > hi) {
        bad_item(item, fmt::format("'{}' is not a number in {}..{}", text, lo, hi));
    }
    return *value;
}

// ADDR:REST
std::pair<std::uint8_t, std::string_view> split_addr(std::string_view item,
                                                     std::string_view value) {
    auto colon = value.find(':');
    if (colon == std::string_view::npos) {
        bad_item(item, "expected ADDR:VALUE");
    }
    return {parse_addr(item, value.substr(0, colon)), value.substr(colon + 1)};
}

// "0+1+3" -> 0b1011
unsigned parse_blocks(std::string_view item, std::string_view text) {
    unsigned mask = 0;
    while (true) {
        auto plus = text.find('+');
        auto block = parse_uint(item, text.substr(0, plus), 0, 3);
        mask |= 1U << block;
        if (plus == std::string_view::npos) {
            return mask;
        }
        text.remove_prefix(plus + 1);
    }
}

void parse_option(Spec& spec, std::string_view item) {
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
        bad_item(item, "expected DEVICE@ADDR[=FILE] or OPTION=VALUE "
                       "(options: hz, twr_us, smbus, vhv, wp, temp, page)");
    }
    std::string_view key = item.substr(0, eq);
    std::string_view value = item.substr(eq + 1);
    if (key == "hz") {
        spec.opts.hz = static_cast<std::uint32_t>(parse_uint(item, value, 1000, 5000000));
    } else if (key == "twr_us") {
        spec.opts.twr_us = static_cast<std::uint32_t>(parse_uint(item, value, 0, 10000000));
    } else if (key == "smbus") {
        spec.opts.smbus_only = parse_uint(item, value, 0, 1) == 1;
    } else if (key == "vhv") {
        spec.vhv.push_back({std::string(item), parse_addr(item, value), 1});
    } else if (key == "wp") {
        auto [addr, blocks] = split_addr(item, value);
        spec.wp.push_back({std::string(item), addr, parse_blocks(item, blocks)});
    } else if (key == "page") {
        auto [addr, size] = split_addr(item, value);
        auto bytes = parse_uint(item, size, 1, 256);
        if ((bytes & (bytes - 1)) != 0) {
            bad_item(item, "a page size is a power of two");
        }
        spec.page.push_back({std::string(item), addr, static_cast<unsigned>(bytes)});
    } else if (key == "temp") {
        std::string text(value);
        char* end = nullptr;
        double c = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !(c >= -256.0 && c < 256.0)) {
            bad_item(item, "temperature in degrees C, -256 .. 255.9");
        }
        spec.opts.temperature_c = c;
    } else {
        bad_item(item, fmt::format("unknown option '{}' (options: hz, twr_us, smbus, vhv, wp, "
                                   "temp, page)",
                                   key));
    }
}

} // namespace

std::optional<std::uint64_t> parse_number(std::string_view text) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

Spec parse_spec(std::string_view spec) {
    if (spec.starts_with("emu:")) {
        spec.remove_prefix(4);
    }
    Spec result;
    if (spec.empty()) {
        return result;
    }
    while (true) {
        auto comma = spec.find(',');
        std::string_view item = spec.substr(0, comma);
        if (item.empty()) {
            throw UsageError("emulator spec: empty item (two commas in a row, or a trailing one?)");
        }
        auto at = item.find('@');
        auto eq = item.find('=');
        if (at != std::string_view::npos && (eq == std::string_view::npos || at < eq)) {
            DeviceItem device;
            device.item = std::string(item);
            device.kind = std::string(item.substr(0, at));
            std::string_view addr = item.substr(
                at + 1, eq == std::string_view::npos ? std::string_view::npos : eq - at - 1);
            device.addr = parse_addr(item, addr);
            if (eq != std::string_view::npos) {
                if (eq + 1 == item.size()) {
                    bad_item(item, "empty file name after '='");
                }
                device.file = std::string(item.substr(eq + 1));
            }
            result.devices.push_back(std::move(device));
        } else {
            parse_option(result, item);
        }
        if (comma == std::string_view::npos) {
            return result;
        }
        spec.remove_prefix(comma + 1);
    }
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::optional<std::vector<std::uint8_t>> read_file_if_exists(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        throw FileError(
            fmt::format("cannot open emulator image {}: {}", path, std::strerror(errno)));
    }
    std::vector<std::uint8_t> bytes;
    std::uint8_t buf[4096];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int err = errno;
            ::close(fd);
            throw FileError(
                fmt::format("cannot read emulator image {}: {}", path, std::strerror(err)));
        }
        if (n == 0) {
            break;
        }
        bytes.insert(bytes.end(), buf, buf + n);
    }
    ::close(fd);
    return bytes;
}

void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) {
    std::string tmp = path + ".tmp-XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
        throw FileError(
            fmt::format("cannot write emulator image {}: {}", path, std::strerror(errno)));
    }
    auto fail = [&](int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw FileError(
            fmt::format("cannot write emulator image {}: {}", path, std::strerror(err)));
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(errno);
        }
        done += static_cast<std::size_t>(n);
    }
    // mkstemp creates 0600; an image is an ordinary user file.
    mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0 || ::fsync(fd) != 0) {
        fail(errno);
    }
    if (::close(fd) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw FileError(
            fmt::format("cannot write emulator image {}: {}", path, std::strerror(err)));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw FileError(
            fmt::format("cannot replace emulator image {}: {}", path, std::strerror(err)));
    }
}

} // namespace ddrspd::emu
