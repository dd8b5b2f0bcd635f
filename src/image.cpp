// SPDX-License-Identifier: GPL-2.0-or-later
#include <ddrspd/image.hpp>

namespace ddrspd {

MemoryType Image::memory_type() const noexcept {
    if (bytes_.size() < 3)
        return MemoryType::Unknown;
    return memory_type_from_byte(bytes_[2]);
}

std::size_t Image::declared_total() const noexcept {
    if (bytes_.empty())
        return 0;
    const unsigned total = (bytes_[0] >> 4) & 0x7;
    switch (memory_type()) {
    case MemoryType::DDR3:
        return total == 1 ? 256 : 0; // JESD21-C K: only "256" is defined
    case MemoryType::DDR4:
        return (total == 1 || total == 2) ? 256u * total : 0;
    case MemoryType::DDR5:
        return (total >= 1 && total <= 4) ? std::size_t{128} << total : 0;
    default:
        return 0;
    }
}

std::size_t Image::declared_used() const noexcept {
    if (bytes_.empty())
        return 0;
    const unsigned used = bytes_[0] & 0x0F;
    switch (memory_type()) {
    case MemoryType::DDR3:
        switch (used) {
        case 1: return 128;
        case 2: return 176;
        case 3: return 256;
        default: return 0;
        }
    case MemoryType::DDR4:
        return (used >= 1 && used <= 4) ? 128u * used : 0;
    case MemoryType::DDR5:
        return declared_total();
    default:
        return 0;
    }
}

std::size_t Image::expected_size() const noexcept {
    const std::size_t total = declared_total();
    return total != 0 ? total : nominal_size(memory_type());
}

} // namespace ddrspd
