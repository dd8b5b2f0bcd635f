// SPDX-License-Identifier: GPL-2.0-or-later
// open_bus() on arbitrary "emu:" and "fault:...:emu:" specs (the emulator and fault-plan
// grammars). Safety: only specs whose innermost bus is "emu:" and that contain no '/' are
// opened, from an empty temporary directory, without locks, so no real file or /dev/i2c-* is
// touched; image names resolve to absent files (blank chips). Input: the spec text.
// Oracles: only UsageError/FileError (from open) and BusError (from transfers) are thrown.
#include "fuzz_common.hpp"

#include <ddrspd/error.hpp>
#include <ddrspd/open.hpp>

#include <array>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace ddrspd;

namespace {

bool safe_spec(std::string_view spec) {
    if (spec.find('/') != std::string_view::npos || spec.find('\0') != std::string_view::npos)
        return false;
    // The fault plan's kill_nth SIGKILLs its own process on purpose (the campaign's "tool
    // killed between two transfers"): found by the session-2 campaign after 8.2 M runs.
    if (spec.find("kill_nth") != std::string_view::npos)
        return false;
    while (spec.starts_with("fault:")) {
        const auto rest = spec.substr(6);
        const auto colon = rest.find(':');
        if (colon == std::string_view::npos || colon + 1 == rest.size())
            return true; // rejected before any bus is opened
        spec = rest.substr(colon + 1);
    }
    return spec.starts_with("emu:");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    static char dir[] = "/tmp/ddrspd-fuzz-busspec-XXXXXX";
    if (::mkdtemp(dir) == nullptr || ::chdir(dir) != 0)
        fuzz::contract_failed("cannot create and enter a temporary directory");
    ::setenv("DDRSPD_LOCK_DIR", dir, 1);
    ::setenv("DDRSPD_SYSFS_ROOT", dir, 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string spec(fuzz::as_text({data, size}));
    if (!safe_spec(spec))
        return 0;
    OpenOptions opts;
    opts.lock = false;
    std::unique_ptr<Bus> bus;
    try {
        bus = open_bus(spec, opts);
    } catch (const UsageError&) {
        return 0;
    } catch (const FileError&) {
        return 0;
    }
    FUZZ_REQUIRE(bus != nullptr);
    (void)bus->describe();
    (void)bus->caps();
    (void)bus->stats();
    // Reads only: nothing changes, so destroying the bus writes nothing back.
    for (const std::uint8_t addr : std::array<std::uint8_t, 5>{0x18, 0x50, 0x51, 0x53, 0x57}) {
        try {
            if (!bus->probe(addr))
                continue;
            std::array<std::uint8_t, 1> offset{0};
            std::array<std::uint8_t, 64> buf{};
            bus->write_read(addr, offset, buf);
            bus->read(addr, buf);
        } catch (const BusError&) {
        }
    }
    return 0;
}
