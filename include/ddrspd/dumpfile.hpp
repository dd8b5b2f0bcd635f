// SPDX-License-Identifier: GPL-2.0-or-later
// Reading and writing dump files: raw binary and the text formats people actually have.
#pragma once

#include <ddrspd/image.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <span>
#include <string_view>
#include <vector>

namespace ddrspd {

enum class DumpFormat {
    Auto,     // detect from content
    Raw,      // binary bytes
    I2cdump,  // i2cdump grid: "     0  1  2 ... f    0123456789abcdef" + "00: 92 10 ..."
    HexdumpC, // hexdump -C / -C -v: "00000000  92 10 0b 02 ...  |....|", "*" repeat lines
    Xxd,      // xxd: "00000000: 9210 0b02 ...  ................"
    PlainHex, // whitespace-separated hex bytes, optional address column (".spd.hex", eeprog -x)
};

// "auto", "raw", "i2cdump", "hexdump", "xxd", "hex"
std::string_view to_string(DumpFormat f) noexcept;
// Parses the names above (also "hexdump-c", "plain"); throws UsageError naming the value.
DumpFormat dump_format_from_string(std::string_view name);

// Largest input accepted, in bytes of file (text dumps of 1 MiB hold far more than any SPD).
inline constexpr std::size_t max_input_size = 1024 * 1024;
// Largest decoded image accepted (the biggest SPD is 1024 bytes; 24xx arrays go elsewhere).
inline constexpr std::size_t max_image_size = 2048;

struct ParsedDump {
    Image image;
    DumpFormat format; // the format actually used (never Auto)
};

// Parses `data` (the whole content of `name`, used only in messages).
// Throws FormatError with "NAME: line N: ..." for anything that is not a clean dump:
// empty input, non-hex characters, odd digit counts, addresses out of order or overlapping,
// a text file that is not a dump, more than max_image_size bytes.
ParsedDump parse_dump(std::string_view data, std::string_view name,
                      DumpFormat format = DumpFormat::Auto);

// Reads a whole file ("-" = standard input), refusing more than max_input_size bytes.
// Throws FileError naming the path and the reason (strerror, "is a directory", "too large").
std::string read_input(const std::string& path);

// read_input() + parse_dump().
ParsedDump load_dump(const std::string& path, DumpFormat format = DumpFormat::Auto);

// i2cdump-style grid of the bytes (16 per row, header line, ASCII column), as i2cdump prints.
std::string format_i2cdump(std::span<const std::uint8_t> bytes);

// Writes bytes to `path` atomically: temp file in the same directory, fsync, rename; keeps
// the mode of an existing file. "-" writes to standard output. Throws FileError.
void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);
void write_file_atomic(const std::string& path, std::string_view text);

} // namespace ddrspd
