// SPDX-License-Identifier: GPL-2.0-or-later
#include <ddrspd/types.hpp>

namespace ddrspd {

MemoryType memory_type_from_byte(std::uint8_t b) noexcept {
    if ((b >= 0x01 && b <= 0x0C) || (b >= 0x0E && b <= 0x15))
        return static_cast<MemoryType>(b);
    return MemoryType::Unknown;
}

std::string_view to_string(MemoryType t) noexcept {
    switch (t) {
    case MemoryType::FPM: return "FPM DRAM";
    case MemoryType::EDO: return "EDO";
    case MemoryType::PipelinedNibble: return "Pipelined Nibble";
    case MemoryType::SDR: return "SDR SDRAM";
    case MemoryType::ROM: return "ROM";
    case MemoryType::DDRSGRAM: return "DDR SGRAM";
    case MemoryType::DDR: return "DDR SDRAM";
    case MemoryType::DDR2: return "DDR2 SDRAM";
    case MemoryType::DDR2FBDIMM: return "DDR2 FB-DIMM";
    case MemoryType::DDR2FBDIMMProbe: return "DDR2 FB-DIMM Probe";
    case MemoryType::DDR3: return "DDR3";
    case MemoryType::DDR4: return "DDR4";
    case MemoryType::DDR4E: return "DDR4E";
    case MemoryType::LPDDR3: return "LPDDR3";
    case MemoryType::LPDDR4: return "LPDDR4";
    case MemoryType::LPDDR4X: return "LPDDR4X";
    case MemoryType::DDR5: return "DDR5";
    case MemoryType::LPDDR5: return "LPDDR5";
    case MemoryType::DDR5NVDIMMP: return "DDR5 NVDIMM-P";
    case MemoryType::LPDDR5X: return "LPDDR5X";
    case MemoryType::Unknown: break;
    }
    return "unknown";
}

bool is_supported(MemoryType t) noexcept {
    return t == MemoryType::DDR3 || t == MemoryType::DDR4 || t == MemoryType::DDR5;
}

std::size_t nominal_size(MemoryType t) noexcept {
    switch (t) {
    case MemoryType::DDR4:
    case MemoryType::DDR4E:
    case MemoryType::LPDDR3:
    case MemoryType::LPDDR4:
    case MemoryType::LPDDR4X:
        return 512;
    case MemoryType::DDR5:
    case MemoryType::LPDDR5:
    case MemoryType::LPDDR5X:
    case MemoryType::DDR5NVDIMMP:
        return 1024;
    case MemoryType::Unknown:
        return 0;
    default:
        return 256;
    }
}

} // namespace ddrspd
