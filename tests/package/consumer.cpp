// SPDX-License-Identifier: GPL-2.0-or-later
// A program using the installed libddrspd through pkg-config (the example of libddrspd(3)).
#include <ddrspd/ddrspd.hpp>
#include <cstdio>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    try {
        ddrspd::ParsedDump dump = ddrspd::load_dump(argv[1]);
        ddrspd::Report report = ddrspd::check(dump.image);
        ddrspd::SpdInfo info = ddrspd::decode(dump.image);
        std::printf("%s: %s %s, %s\n", argv[1],
                    std::string(ddrspd::to_string(info.type)).c_str(),
                    info.part_number.c_str(), report.ok() ? "OK" : "BAD");
        for (const ddrspd::Finding& f : report.findings)
            std::printf("  %s: %s\n",
                        std::string(ddrspd::to_string(f.severity)).c_str(),
                        f.message.c_str());
        return report.ok() ? 0 : 1;
    } catch (const ddrspd::Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
}
