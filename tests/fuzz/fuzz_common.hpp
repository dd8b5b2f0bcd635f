// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the libFuzzer targets: a byte reader over the fuzz input and a contract
// check that aborts (so libFuzzer records a crash) when the library breaks a promise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

namespace fuzz {

[[noreturn]] inline void contract_failed(const char* what) {
    std::fprintf(stderr, "fuzz contract violated: %s\n", what);
    std::abort();
}

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::fuzz::contract_failed(#cond);                                                        \
    } while (false)

// Consumes the fuzz input front to back; past the end every read returns 0.
class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    bool empty() const noexcept { return pos_ >= size_; }
    std::size_t left() const noexcept { return empty() ? 0 : size_ - pos_; }

    std::uint8_t byte() noexcept { return empty() ? 0 : data_[pos_++]; }
    std::uint16_t u16() noexcept {
        const auto lo = byte();
        return static_cast<std::uint16_t>(lo | (byte() << 8));
    }
    // Up to n bytes (fewer at the end of the input).
    std::span<const std::uint8_t> bytes(std::size_t n) noexcept {
        const std::size_t take = n < left() ? n : left();
        std::span<const std::uint8_t> out(data_ + pos_, take);
        pos_ += take;
        return out;
    }
    std::span<const std::uint8_t> rest() noexcept { return bytes(left()); }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

inline std::string_view as_text(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

} // namespace fuzz
