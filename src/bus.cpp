// SPDX-License-Identifier: GPL-2.0-or-later
#include <ddrspd/bus.hpp>
#include <ddrspd/error.hpp>

#include <array>
#include <chrono>
#include <thread>

#include <fmt/format.h>

namespace ddrspd {

namespace {

class SystemClock final : public Clock {
public:
    std::uint64_t now_us() override {
        auto since = std::chrono::steady_clock::now().time_since_epoch();
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(since).count());
    }
    void sleep_us(std::uint64_t us) override {
        std::this_thread::sleep_for(std::chrono::microseconds(us));
    }
};

} // namespace

Clock& system_clock() {
    static SystemClock clock;
    return clock;
}

bool Bus::probe(std::uint8_t addr) {
    // A read, never a quick write: a write to 0x30-0x37 can set a DDR3 module's permanent
    // write protection (i2cdetect uses read probes there for the same reason).
    std::array<std::uint8_t, 1> byte{};
    try {
        read(addr, byte);
        return true;
    } catch (const NackError&) {
        return false;
    }
}

std::string hex_addr(int addr) {
    return fmt::format("0x{:02x}", addr);
}

} // namespace ddrspd
