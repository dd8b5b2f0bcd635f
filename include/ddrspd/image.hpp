// SPDX-License-Identifier: GPL-2.0-or-later
// Image: the bytes of one SPD EEPROM, with what byte 0 and byte 2 say about them.
#pragma once

#include <ddrspd/types.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ddrspd {

class Image {
public:
    Image() = default;
    explicit Image(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

    // Raw access.
    const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }
    std::vector<std::uint8_t>& bytes() noexcept { return bytes_; }
    std::size_t size() const noexcept { return bytes_.size(); }
    bool empty() const noexcept { return bytes_.empty(); }
    std::uint8_t operator[](std::size_t i) const { return bytes_.at(i); }
    std::uint8_t& operator[](std::size_t i) { return bytes_.at(i); }
    // Byte i or 0 when the image is shorter (for decoders that must not throw).
    std::uint8_t at_or_zero(std::size_t i) const noexcept {
        return i < bytes_.size() ? bytes_[i] : 0;
    }

    // Byte 2 decoded; Unknown when the image has fewer than 3 bytes.
    MemoryType memory_type() const noexcept;

    // What byte 0 declares, with the JEDEC meaning for this generation:
    //  DDR3: bits 6:4 total (1 = 256), bits 3:0 used (1 = 128, 2 = 176, 3 = 256).
    //  DDR4: bits 6:4 total x256, bits 3:0 used x128.
    //  DDR5: bits 6:4 total (128 << n; 3 = 1024); used = total.
    // 0 when byte 0 holds a reserved encoding or the type is unsupported.
    std::size_t declared_total() const noexcept;
    std::size_t declared_used() const noexcept;

    // Size this image should have: declared_total() if valid, else nominal_size(type).
    std::size_t expected_size() const noexcept;

    // True when the data ends before expected_size().
    bool truncated() const noexcept { return size() < expected_size(); }

    bool operator==(const Image& other) const noexcept = default;

private:
    std::vector<std::uint8_t> bytes_;
};

} // namespace ddrspd
