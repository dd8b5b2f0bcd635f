// SPDX-License-Identifier: GPL-2.0-or-later
// Parsing dump files: raw binary and the text formats (format detection, i2cdump, hexdump -C,
// xxd, plain hex). Every text reader checks addresses against the bytes read so far, so a
// parsed image is either exactly what the dump says or a FormatError.
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace ddrspd {

namespace {

// ---------------------------------------------------------------------------------------------
// Small text helpers

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

unsigned hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f')
        return static_cast<unsigned>(c - 'a' + 10);
    return static_cast<unsigned>(c - 'A' + 10);
}

bool all_hex(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (const char c : s) // a plain loop: std::all_of through a function pointer is not inlined
        if (!is_hex(c))
            return false;
    return true;
}

// Value of a hex string of at most 8 digits (callers check the length).
std::size_t parse_hex(std::string_view s) noexcept {
    std::size_t v = 0;
    for (const char c : s)
        v = (v << 4) | hex_value(c);
    return v;
}

std::uint8_t parse_byte(std::string_view two) noexcept {
    return static_cast<std::uint8_t>((hex_value(two[0]) << 4) | hex_value(two[1]));
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// Splits into `out` (cleared first) and returns it: callers reuse one buffer per file, so
// parsing a dump does not allocate per line.
std::vector<std::string_view>& split_ws(std::string_view s, std::vector<std::string_view>& out) {
    out.clear();
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i]))
            ++i;
        const std::size_t start = i;
        while (i < s.size() && !is_space(s[i]))
            ++i;
        if (i > start)
            out.push_back(s.substr(start, i - start));
    }
    return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const auto a = static_cast<unsigned char>(s[i]);
        const auto b = static_cast<unsigned char>(prefix[i]);
        if (std::tolower(a) != std::tolower(b))
            return false;
    }
    return true;
}

// Quoted, shortened, printable rendering of untrusted text for messages.
std::string quote(std::string_view s) {
    std::string out = "'";
    for (const char c : s.substr(0, 24)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7F) ? c : '?';
    }
    out += s.size() > 24 ? "...'" : "'";
    return out;
}

struct Line {
    std::size_t number; // 1-based
    std::string_view text;
};

std::vector<Line> split_lines(std::string_view data) {
    if (data.substr(0, 3) == "\xEF\xBB\xBF") // UTF-8 byte order mark
        data.remove_prefix(3);
    std::vector<Line> lines;
    std::size_t number = 1;
    while (!data.empty()) {
        const std::size_t nl = data.find('\n');
        std::string_view text = data.substr(0, nl);
        if (!text.empty() && text.back() == '\r')
            text.remove_suffix(1);
        lines.push_back({number++, text});
        if (nl == std::string_view::npos)
            break;
        data.remove_prefix(nl + 1);
    }
    return lines;
}

bool is_blank_or_comment(std::string_view text) noexcept {
    const std::string_view t = trim(text);
    return t.empty() || t.front() == '#';
}

// Text dumps are 7-bit or UTF-8 text with no control characters but tab, CR and LF. Every SPD
// holds a control byte at least in byte 2 (memory type 0x0B, 0x0C, 0x12), so raw images are
// never mistaken for text.
bool plain_text_char(unsigned char c) noexcept {
    return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r';
}

bool looks_binary(std::string_view data) noexcept {
    std::size_t i = 0;
    while (i < data.size()) {
        // Fast path over plain ASCII text, which is nearly all of any text dump.
        while (i < data.size() && plain_text_char(static_cast<unsigned char>(data[i])))
            ++i;
        if (i == data.size())
            break;
        const auto c = static_cast<unsigned char>(data[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
                return true;
            ++i;
            continue;
        }
        std::size_t extra = 0;
        if ((c & 0xE0) == 0xC0 && c >= 0xC2)
            extra = 1;
        else if ((c & 0xF0) == 0xE0)
            extra = 2;
        else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
            extra = 3;
        else
            return true;
        if (i + extra >= data.size())
            return true;
        for (std::size_t k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(data[i + k]) & 0xC0) != 0x80)
                return true;
        i += extra + 1;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Collecting bytes with address checks

class Sink {
public:
    explicit Sink(std::string_view name) : name_(name) { bytes_.reserve(1024); }

    [[noreturn]] void fail(std::size_t line, std::string_view what) const {
        throw FormatError(fmt::format("{}: line {}: {}", name_, line, what));
    }
    [[noreturn]] void fail(std::string_view what) const {
        throw FormatError(fmt::format("{}: {}", name_, what));
    }

    std::size_t size() const noexcept { return bytes_.size(); }

    void put(std::uint8_t b, std::size_t line) {
        if (bytes_.size() >= max_image_size)
            fail(line, fmt::format("more than {} bytes of data: larger than any SPD image",
                                   max_image_size));
        bytes_.push_back(b);
    }

    // The next line claims to start at `addr`; it must continue the data exactly.
    void expect_address(std::size_t addr, std::size_t line) const {
        if (addr == bytes_.size())
            return;
        if (bytes_.empty())
            fail(line,
                 fmt::format("dump starts at address 0x{:x}; an SPD image starts at 0", addr));
        if (addr < bytes_.size())
            fail(line, fmt::format("address 0x{:x} is out of order or overlaps: the data "
                                   "before it already reaches 0x{:x}",
                                   addr, bytes_.size()));
        fail(line, fmt::format("address 0x{:x} leaves a gap: the data before it ends at 0x{:x}",
                               addr, bytes_.size()));
    }

    // A '*' line: the previous row repeats up to `addr` (hexdump, xxd -a).
    void repeat_until(std::size_t addr, const std::vector<std::uint8_t>& row, std::size_t line) {
        if (addr <= bytes_.size())
            fail(line, fmt::format("address 0x{:x} after '*' does not advance past 0x{:x}", addr,
                                   bytes_.size()));
        if (addr > max_image_size)
            fail(line, fmt::format("address 0x{:x}: larger than any SPD image (at most {} "
                                   "bytes)",
                                   addr, max_image_size));
        if ((addr - bytes_.size()) % row.size() != 0)
            fail(line, fmt::format("address 0x{:x} after '*' is not a whole number of repeated "
                                   "{}-byte rows",
                                   addr, row.size()));
        while (bytes_.size() < addr)
            bytes_.insert(bytes_.end(), row.begin(), row.end());
    }

    Image finish() {
        if (bytes_.empty())
            fail("no data bytes found");
        return Image(std::move(bytes_));
    }

private:
    std::string_view name_;
    std::vector<std::uint8_t> bytes_;
};

// ---------------------------------------------------------------------------------------------
// Raw

Image parse_raw(std::string_view data, std::string_view name) {
    Sink sink(name);
    if (data.size() > max_image_size)
        sink.fail(fmt::format("{} bytes is larger than any SPD image (at most {})", data.size(),
                              max_image_size));
    std::vector<std::uint8_t> bytes(data.begin(), data.end());
    if (bytes.empty())
        sink.fail("empty file");
    return Image(std::move(bytes));
}

// ---------------------------------------------------------------------------------------------
// Address column shared by the line-oriented formats: leading hex digits.

struct Address {
    std::size_t value;
    std::size_t end; // index just past the digits
};

std::optional<Address> leading_address(std::string_view text, std::size_t max_digits) {
    std::size_t i = 0;
    while (i < text.size() && is_hex(text[i]))
        ++i;
    if (i == 0 || i > max_digits)
        return std::nullopt;
    return Address{parse_hex(text.substr(0, i)), i};
}

// ---------------------------------------------------------------------------------------------
// hexdump -C [-v]: "00000000  92 10 0b 02 ...  |....|", "*", final "00000100".

Image parse_hexdump(const std::vector<Line>& lines, std::string_view name) {
    Sink sink(name);
    std::vector<std::string_view> tokens_buf;
    std::vector<std::uint8_t> last_row;
    bool pending_repeat = false;
    bool ended = false;
    for (const Line& l : lines) {
        if (is_blank_or_comment(l.text))
            continue;
        if (ended)
            sink.fail(l.number, "text after the final address line of the hexdump");
        const std::string_view t = trim(l.text);
        if (t == "*") {
            if (last_row.empty())
                sink.fail(l.number, "'*' repeat line before any data line");
            if (pending_repeat)
                sink.fail(l.number, "two '*' repeat lines in a row");
            pending_repeat = true;
            continue;
        }
        const auto addr = leading_address(t, 8);
        if (!addr || (addr->end < t.size() && !is_space(t[addr->end])))
            sink.fail(l.number, fmt::format("expected a hexdump -C line such as '00000000  92 10 "
                                            "0b ...  |....|', found {}",
                                            quote(t)));
        if (pending_repeat) {
            sink.repeat_until(addr->value, last_row, l.number);
            pending_repeat = false;
        } else {
            sink.expect_address(addr->value, l.number);
        }
        std::string_view rest = t.substr(addr->end);
        if (trim(rest).empty()) { // the final line: total length
            ended = true;
            continue;
        }
        rest = rest.substr(0, rest.find('|'));
        const auto& tokens = split_ws(rest, tokens_buf);
        if (tokens.size() > 16)
            sink.fail(l.number, fmt::format("{} values on one line; hexdump -C has at most 16",
                                            tokens.size()));
        last_row.clear();
        for (const std::string_view tok : tokens) {
            if (tok.size() != 2 || !all_hex(tok))
                sink.fail(l.number,
                          fmt::format("{} is not a hex byte (two hex digits)", quote(tok)));
            last_row.push_back(parse_byte(tok));
            sink.put(last_row.back(), l.number);
        }
    }
    if (pending_repeat)
        sink.fail("'*' repeat at the end without the final address line giving the length");
    return sink.finish();
}

// Fast path for the common case, hexdump -C [-v] exactly as the tool prints it: eight-digit
// addresses, "hh" bytes separated by spaces, an ASCII column of printable characters, LF line
// ends, no blank or comment lines. It reads the text in one pass without splitting it into
// lines or tokens (the general path spent most of spd-check's time there) and gives up,
// returning nothing, at the first thing it does not expect; parse_hexdump() then reads the
// file and reports any error. Whatever it accepts, parse_hexdump() accepts with the same bytes
// (and auto-detection picks hexdump -C for it), so it changes speed, never results.

// Value of each character as a hex digit; 0xFF when it is not one.
constexpr std::array<std::uint8_t, 256> hex_digits = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(0xFF);
    for (unsigned c = 0; c < 10; ++c)
        t['0' + c] = static_cast<std::uint8_t>(c);
    for (unsigned c = 0; c < 6; ++c) {
        t['a' + c] = static_cast<std::uint8_t>(10 + c);
        t['A' + c] = static_cast<std::uint8_t>(10 + c);
    }
    return t;
}();

unsigned hex_digit(char c) noexcept { // 0xFF when not a hex digit
    return hex_digits[static_cast<unsigned char>(c)];
}

// Two hex digits at p, or a value above 0xFF when either is not one.
unsigned hex_pair(const char* p) noexcept {
    const unsigned hi = hex_digit(p[0]);
    const unsigned lo = hex_digit(p[1]);
    return (hi | lo) > 15 ? 0x100 : (hi << 4) | lo;
}

// The printable ASCII column that ends a hexdump -C line, from just after its opening '|' to
// the end of the line. Returns the position of the line end, or nullptr when a character is
// not printable (tab, CR, UTF-8: the general path trims or classifies those).
const char* skip_ascii_column(const char* p, const char* end) noexcept {
    // A full row's column, 16 characters and the closing '|', checked without a test per
    // character for the line end (anything else takes the loop below).
    if (end - p >= 17 && p[16] == '|' && (end - p == 17 || p[17] == '\n')) {
        // Eight characters at a time: the top bit of a byte of `low` is set by any byte below
        // 0x20 (exactly: a borrow needs such a byte), of `high` by any byte above 0x7E.
        constexpr std::uint64_t ones = 0x0101010101010101, tops = 0x8080808080808080;
        std::uint64_t bad = 0;
        for (int k = 0; k < 16; k += 8) {
            std::uint64_t x;
            std::memcpy(&x, p + k, sizeof x);
            const std::uint64_t low = (x - ones * 0x20) & ~x;
            const std::uint64_t high = (x + ones * (0x7F - 0x7E)) | x;
            bad |= (low | high) & tops;
        }
        if (bad == 0)
            return p + 17;
    }
    for (; p < end && *p != '\n'; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c < 0x20 || c >= 0x7F)
            return nullptr;
    }
    return p;
}

// A full line exactly as hexdump -C prints it, from just after the address up to its ASCII
// column: "  92 10 0b 02 04 21 00 01  03 52 01 08 0c 00 3e 00  |". Writes its 16 bytes to `out`
// (garbage when it returns false). The offsets below are columns of the line minus the 8 of
// the address.
constexpr std::size_t full_row_length = 2 + 16 * 3 + 3;

// Value of two hex digits as one native-endian 16-bit load reads them; 0x100 and above when
// either is not a hex digit. 128 KiB of constant data, of which a hexdump touches a few pages:
// it halves the work per byte of the fast path.
constexpr std::array<std::uint16_t, 65536> hex_pairs = [] {
    std::array<std::uint16_t, 65536> t{};
    for (unsigned w = 0; w < 65536; ++w) {
        const unsigned first = std::endian::native == std::endian::little ? w & 0xFF : w >> 8;
        const unsigned second = std::endian::native == std::endian::little ? w >> 8 : w & 0xFF;
        const unsigned hi = hex_digits[first];
        const unsigned lo = hex_digits[second];
        t[w] = static_cast<std::uint16_t>((hi | lo) > 15 ? 0x100 : (hi << 4) | lo);
    }
    return t;
}();

bool read_full_row(const char* p, std::uint8_t* out) noexcept {
    if (p[0] != ' ' || p[1] != ' ' || p[34 - 8] != ' ' || p[59 - 8] != ' ' || p[60 - 8] != '|')
        return false;
    unsigned spaces = 0; // non-zero when a cell is not followed by a space
#pragma GCC unroll 8
    for (std::size_t j = 0; j < 8; ++j)
        spaces |=
            static_cast<unsigned>(p[4 + 3 * j] ^ ' ') | static_cast<unsigned>(p[29 + 3 * j] ^ ' ');
    unsigned bad = 0; // 0x100 collects any cell that is not two hex digits
#pragma GCC unroll 16
    for (std::size_t j = 0; j < 16; ++j) {
        std::uint16_t pair;
        std::memcpy(&pair, p + 2 + 3 * j + (j >= 8 ? 1 : 0), sizeof pair);
        const unsigned v = hex_pairs[pair];
        bad |= v;
        out[j] = static_cast<std::uint8_t>(v);
    }
    return spaces == 0 && bad <= 0xFF;
}

std::optional<Image> parse_hexdump_fast(std::string_view data, bool detecting) {
    // Auto-detection skips a first line holding "i2cdump" (as i2cdump's command line).
    if (detecting && data.substr(0, data.find('\n')).find("i2cdump") != std::string_view::npos)
        return std::nullopt;
    std::array<std::uint8_t, max_image_size> buf; // the image so far: buf[0, size)
    std::size_t size = 0;
    std::size_t row_start = 0, row_size = 0; // the last data row, for '*'
    bool pending_repeat = false;
    bool ended = false;
    const char* p = data.data();
    const char* const end = p + data.size();
    while (p < end) {
        if (ended)
            return std::nullopt;
        if (*p == '*') {
            if (p + 1 < end && p[1] != '\n')
                return std::nullopt;
            if (row_size == 0 || pending_repeat)
                return std::nullopt;
            pending_repeat = true;
            p += p + 1 < end ? 2 : 1;
            continue;
        }
        // Address: exactly eight hex digits, then a space or the end of the line.
        if (end - p < 8)
            return std::nullopt;
        std::size_t addr = 0;
        for (int k = 0; k < 8; k += 2) {
            std::uint16_t pair;
            std::memcpy(&pair, p + k, sizeof pair);
            const unsigned v = hex_pairs[pair];
            if (v > 0xFF)
                return std::nullopt;
            addr = (addr << 8) | v;
        }
        p += 8;
        if (p < end && *p != ' ' && *p != '\n')
            return std::nullopt;
        if (pending_repeat) {
            if (addr <= size || addr > max_image_size || (addr - size) % row_size != 0)
                return std::nullopt;
            for (; size < addr; size += row_size)
                std::memcpy(buf.data() + size, buf.data() + row_start, row_size);
            pending_repeat = false;
        } else if (addr != size) {
            return std::nullopt;
        }
        const std::size_t first = size;
        // The first data line must look like hexdump -C to auto-detection: two spaces after
        // the address, a '|' later (checked below).
        if (detecting && first == 0 && (end - p < 2 || p[0] != ' ' || p[1] != ' '))
            return std::nullopt;
        if (static_cast<std::size_t>(end - p) >= full_row_length && first + 16 <= max_image_size &&
            read_full_row(p, buf.data() + first)) {
            size += 16;
            p += full_row_length;
        } else {
            // Any other spacing: bytes up to the '|' of the ASCII column or the line end.
            for (;;) {
                while (p < end && *p == ' ')
                    ++p;
                if (p == end || *p == '\n' || *p == '|')
                    break;
                if (end - p < 2)
                    return std::nullopt;
                const unsigned v = hex_pair(p);
                if (v > 0xFF)
                    return std::nullopt;
                p += 2;
                if (p < end && *p != ' ' && *p != '\n' && *p != '|')
                    return std::nullopt;
                if (size - first >= 16 || size >= max_image_size)
                    return std::nullopt;
                buf[size++] = static_cast<std::uint8_t>(v);
            }
            if (p < end && *p == '|')
                ++p;
            else if (size > first)
                return std::nullopt; // data without the ASCII column: left to the general path
            else
                ended = true; // the final line: total length
        }
        if (!ended) {
            if (size == first)
                return std::nullopt; // a row without bytes
            p = skip_ascii_column(p, end);
            if (p == nullptr)
                return std::nullopt;
            row_start = first;
            row_size = size - first;
        }
        if (p < end)
            ++p; // '\n'
    }
    if (pending_repeat || size == 0)
        return std::nullopt;
    return Image(
        std::vector<std::uint8_t>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(size)));
}

// ---------------------------------------------------------------------------------------------
// xxd [-g1]: "00000000: 9210 0b02 ...  .........". Also "*" lines of xxd -a.

Image parse_xxd(const std::vector<Line>& lines, std::string_view name) {
    Sink sink(name);
    std::vector<std::string_view> tokens_buf;
    std::vector<std::uint8_t> last_row;
    bool pending_repeat = false;
    for (const Line& l : lines) {
        if (is_blank_or_comment(l.text))
            continue;
        const std::string_view t = trim(l.text);
        if (t == "*") {
            if (last_row.empty())
                sink.fail(l.number, "'*' repeat line before any data line");
            pending_repeat = true;
            continue;
        }
        const auto addr = leading_address(t, 8);
        if (!addr || addr->end >= t.size() || t[addr->end] != ':')
            sink.fail(l.number, fmt::format("expected an xxd line such as '00000000: 9210 0b02 "
                                            "...', found {}",
                                            quote(t)));
        if (pending_repeat) {
            sink.repeat_until(addr->value, last_row, l.number);
            pending_repeat = false;
        } else {
            sink.expect_address(addr->value, l.number);
        }
        std::string_view rest = t.substr(addr->end + 1);
        // The hex area ends at the two spaces before the ASCII column.
        const std::size_t first = rest.find_first_not_of(" \t");
        rest = first == std::string_view::npos ? std::string_view{} : rest.substr(first);
        rest = rest.substr(0, rest.find("  "));
        last_row.clear();
        for (const std::string_view tok : split_ws(rest, tokens_buf)) {
            if (!all_hex(tok))
                sink.fail(l.number, fmt::format("{} is not a group of hex digits", quote(tok)));
            if (tok.size() != 2 && tok.size() != 4)
                sink.fail(l.number,
                          fmt::format("group {} has {} hex digits; only xxd's default 2-byte "
                                      "groups and -g1 are read (other groupings, and -e, "
                                      "make the byte order ambiguous)",
                                      quote(tok), tok.size()));
            for (std::size_t k = 0; k < tok.size(); k += 2) {
                last_row.push_back(parse_byte(tok.substr(k, 2)));
                sink.put(last_row.back(), l.number);
            }
        }
        if (last_row.empty())
            sink.fail(l.number, "xxd line without data");
        if (last_row.size() > 16)
            sink.fail(l.number,
                      fmt::format("{} bytes on one line; xxd prints at most 16", last_row.size()));
    }
    if (pending_repeat)
        sink.fail("'*' repeat at the end without a following line giving the length");
    return sink.finish();
}

// ---------------------------------------------------------------------------------------------
// i2cdump: header "     0  1  2 ... f    0123456789abcdef", rows "00: 92 10 ...    ascii".

bool is_i2cdump_header(std::string_view text) {
    std::vector<std::string_view> tokens_buf;
    const auto& tokens = split_ws(text, tokens_buf);
    if (tokens.size() != 16 && tokens.size() != 17)
        return false;
    static constexpr std::string_view digits = "0123456789abcdef";
    for (std::size_t i = 0; i < 16; ++i)
        if (tokens[i].size() != 1 ||
            std::tolower(static_cast<unsigned char>(tokens[i][0])) != digits[i])
            return false;
    return tokens.size() == 16 || starts_with_ci(tokens[16], digits);
}

// What i2cdump prints before the grid when run without -y (and the command line itself).
bool is_i2cdump_preamble(std::string_view text) {
    const std::string_view t = trim(text);
    for (const std::string_view p : {"No size specified", "WARNING!", "I will probe", "Continue?"})
        if (t.substr(0, p.size()) == p)
            return true;
    return t.find("i2cdump") != std::string_view::npos;
}

// Row address followed by ':' (at most 0x7f0 for the largest image).
std::optional<Address> i2cdump_row_address(std::string_view t) {
    const auto addr = leading_address(t, 3);
    if (!addr || addr->end < 2 || addr->end >= t.size() || t[addr->end] != ':')
        return std::nullopt;
    return addr;
}

Image parse_i2cdump(const std::vector<Line>& lines, std::string_view name) {
    Sink sink(name);
    bool in_grid = false;
    bool ended = false;
    bool short_row = false;
    for (const Line& l : lines) {
        if (is_blank_or_comment(l.text)) {
            ended = in_grid && sink.size() > 0;
            continue;
        }
        const std::size_t indent = l.text.find_first_not_of(" \t");
        const std::string_view t = l.text.substr(indent);
        if (!in_grid) {
            if (is_i2cdump_header(t)) {
                in_grid = true;
                continue;
            }
            if (is_i2cdump_preamble(t))
                continue;
            if (!i2cdump_row_address(t))
                sink.fail(l.number, fmt::format("expected the i2cdump header '     0  1  2  3 "
                                                "...' or a row such as '00: 92 10 ...', found {}",
                                                quote(t)));
            in_grid = true; // a grid pasted without its header
        }
        if (ended)
            sink.fail(l.number, "text after the end of the i2cdump grid");
        const auto addr = i2cdump_row_address(t);
        if (!addr)
            sink.fail(
                l.number,
                fmt::format("expected an i2cdump row such as '00: 92 10 ...', found {}", quote(t)));
        if (short_row)
            sink.fail(l.number, "row after a short (final) row");
        sink.expect_address(addr->value, l.number);
        // Cells sit at fixed columns: "xx " per byte after ": ". Blank cells end a short row
        // (i2cdump -r); "XX" marks a byte i2cdump failed to read.
        const std::size_t base = addr->end + 2;
        if (addr->end + 1 < t.size() && t[addr->end + 1] != ' ')
            sink.fail(l.number, "expected a space after the row address");
        std::size_t cells = 0;
        for (std::size_t j = 0; j < 16; ++j) {
            const std::size_t pos = base + 3 * j;
            const std::string_view cell = pos < t.size() ? t.substr(pos, 2) : std::string_view{};
            const std::size_t offset = addr->value + j;
            if (cell.empty() || cell == "  " || (cell.size() == 1 && cell[0] == ' ')) {
                short_row = true;
                continue;
            }
            if (cell == "XX")
                sink.fail(l.number, fmt::format("byte 0x{:02x} reads 'XX': i2cdump failed to "
                                                "read it; read the EEPROM again",
                                                offset));
            if (cell.size() != 2 || !all_hex(cell) || (pos + 2 < t.size() && t[pos + 2] != ' '))
                sink.fail(l.number, fmt::format("byte 0x{:02x}: expected two hex digits in "
                                                "i2cdump's column, found {}",
                                                offset, quote(t.substr(pos, 3))));
            if (short_row)
                sink.fail(l.number, fmt::format("byte 0x{:02x} follows a blank cell", offset));
            sink.put(parse_byte(cell), l.number);
            ++cells;
        }
        if (cells == 0)
            sink.fail(l.number, "i2cdump row without data");
    }
    return sink.finish();
}

// ---------------------------------------------------------------------------------------------
// Plain hex bytes: coreboot .spd.hex ("# comments", any count per line), eeprog -x
// (" 0000|  92 10 ..."), optional address column "0000:", "0000|" or "0000".

std::optional<std::size_t> plain_address(std::string_view tok) {
    if (!tok.empty() && (tok.back() == ':' || tok.back() == '|')) {
        tok.remove_suffix(1);
        if (all_hex(tok) && tok.size() <= 8)
            return parse_hex(tok);
        return std::nullopt;
    }
    if (tok.size() >= 3 && tok.size() <= 8 && all_hex(tok))
        return parse_hex(tok);
    return std::nullopt;
}

Image parse_plain(const std::vector<Line>& lines, std::string_view name) {
    Sink sink(name);
    std::vector<std::string_view> tokens_buf;
    std::optional<bool> with_address;
    for (const Line& l : lines) {
        std::string_view text = l.text.substr(0, l.text.find('#'));
        auto& tokens = split_ws(text, tokens_buf);
        if (tokens.empty())
            continue;
        const auto addr = plain_address(tokens.front());
        if (with_address && *with_address != addr.has_value())
            sink.fail(l.number, "some lines have an address column and others do not");
        with_address = addr.has_value();
        if (addr) {
            sink.expect_address(*addr, l.number);
            tokens.erase(tokens.begin());
        } else if (tokens.size() == 17 && tokens[0].size() == 2 && all_hex(tokens[0]) &&
                   parse_byte(tokens[0]) == (sink.size() & 0xFF)) {
            sink.fail(l.number, "17 values and the first one equals the offset: is it an address "
                                "column? write addresses with a colon ('00: 92 10 ...')");
        }
        for (const std::string_view tok : tokens) {
            if (tok.size() == 2 && all_hex(tok)) {
                sink.put(parse_byte(tok), l.number);
                continue;
            }
            if (all_hex(tok) && tok.size() % 2 == 1)
                sink.fail(l.number, fmt::format("{} has an odd number of hex digits", quote(tok)));
            if (all_hex(tok))
                sink.fail(l.number, fmt::format("{} is a group of {} hex digits; expected one "
                                                "byte per value ('92 10 ...'): the byte order of "
                                                "grouped words is ambiguous",
                                                quote(tok), tok.size()));
            sink.fail(l.number, fmt::format("{} is not a hex byte", quote(tok)));
        }
    }
    return sink.finish();
}

// ---------------------------------------------------------------------------------------------
// Detection from the first line that carries data.

DumpFormat detect_text(const std::vector<Line>& lines, std::string_view name) {
    for (const Line& l : lines) {
        if (is_blank_or_comment(l.text))
            continue;
        const std::string_view t = trim(l.text);
        if (is_i2cdump_header(t))
            return DumpFormat::I2cdump;
        if (is_i2cdump_preamble(t))
            continue;
        if (const auto addr = leading_address(t, 8)) {
            const std::string_view rest = t.substr(addr->end);
            if (addr->end >= 7 && (rest.empty() || (rest.substr(0, 2) == "  " &&
                                                    rest.find('|') != std::string_view::npos)))
                return DumpFormat::HexdumpC;
            if (addr->end == 8 && rest.substr(0, 2) == ": ")
                return DumpFormat::Xxd;
            // An i2cdump row without the header: 16 cells and then the ASCII column.
            if (i2cdump_row_address(t) && rest.size() > 2 + 16 * 3 + 2)
                return DumpFormat::I2cdump;
        }
        std::vector<std::string_view> tokens_buf;
        const auto& tokens = split_ws(t.substr(0, t.find('#')), tokens_buf);
        const bool first_is_address = plain_address(tokens.front()).has_value();
        const bool bytes_follow =
            std::all_of(tokens.begin() + (first_is_address ? 1 : 0), tokens.end(),
                        [](std::string_view tok) { return tok.size() == 2 && all_hex(tok); });
        if (bytes_follow && tokens.size() > (first_is_address ? 1u : 0u))
            return DumpFormat::PlainHex;
        throw FormatError(fmt::format(
            "{}: line {}: not a recognised dump (expected raw binary, i2cdump, hexdump -C, xxd "
            "or plain hex bytes), found {}",
            name, l.number, quote(t)));
    }
    throw FormatError(fmt::format("{}: no data (only blank or comment lines)", name));
}

} // namespace

std::string_view to_string(DumpFormat f) noexcept {
    switch (f) {
    case DumpFormat::Auto:
        return "auto";
    case DumpFormat::Raw:
        return "raw";
    case DumpFormat::I2cdump:
        return "i2cdump";
    case DumpFormat::HexdumpC:
        return "hexdump";
    case DumpFormat::Xxd:
        return "xxd";
    case DumpFormat::PlainHex:
        return "hex";
    }
    return "auto";
}

DumpFormat dump_format_from_string(std::string_view name) {
    struct Entry {
        std::string_view name;
        DumpFormat format;
    };
    static constexpr std::array<Entry, 8> names{{
        {"auto", DumpFormat::Auto},
        {"raw", DumpFormat::Raw},
        {"i2cdump", DumpFormat::I2cdump},
        {"hexdump", DumpFormat::HexdumpC},
        {"hexdump-c", DumpFormat::HexdumpC},
        {"xxd", DumpFormat::Xxd},
        {"hex", DumpFormat::PlainHex},
        {"plain", DumpFormat::PlainHex},
    }};
    for (const Entry& e : names)
        if (e.name == name)
            return e.format;
    throw UsageError(fmt::format("unknown dump format '{}' (expected auto, raw, i2cdump, "
                                 "hexdump, xxd or hex)",
                                 name));
}

ParsedDump parse_dump(std::string_view data, std::string_view name, DumpFormat format) {
    if (data.empty())
        throw FormatError(fmt::format("{}: empty file", name));
    // Before the binary test: what the fast path accepts is plain ASCII text.
    if (format == DumpFormat::Auto || format == DumpFormat::HexdumpC) {
        if (auto image = parse_hexdump_fast(data, format == DumpFormat::Auto))
            return {std::move(*image), DumpFormat::HexdumpC};
    }
    if (format == DumpFormat::Auto && looks_binary(data))
        format = DumpFormat::Raw;
    if (format == DumpFormat::Raw)
        return {parse_raw(data, name), format};
    const std::vector<Line> lines = split_lines(data);
    if (format == DumpFormat::Auto)
        format = detect_text(lines, name);
    switch (format) {
    case DumpFormat::Raw:
        return {parse_raw(data, name), format};
    case DumpFormat::I2cdump:
        return {parse_i2cdump(lines, name), format};
    case DumpFormat::HexdumpC:
        return {parse_hexdump(lines, name), format};
    case DumpFormat::Xxd:
        return {parse_xxd(lines, name), format};
    case DumpFormat::PlainHex:
        return {parse_plain(lines, name), format};
    case DumpFormat::Auto:
        break;
    }
    throw UsageError("parse_dump: invalid format");
}

} // namespace ddrspd
