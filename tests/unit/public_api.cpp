// SPDX-License-Identifier: GPL-2.0-or-later
// Compiles against the installed public headers only (ddrspd_dep exposes include/ only).
#include <ddrspd/ddrspd.hpp>

#include <cstdio>
#include <cstring>

int main() {
    ddrspd::Image img(std::vector<std::uint8_t>(256, 0));
    img[2] = 0x0B;
    if (img.memory_type() != ddrspd::MemoryType::DDR3)
        return 1;
    if (std::strlen(ddrspd::version()) == 0)
        return 1;
    std::printf("libddrspd %s\n", ddrspd::version());
    return 0;
}
