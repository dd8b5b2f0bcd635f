// SPDX-License-Identifier: GPL-2.0-or-later
// decode(), check(), crc_blocks(), fix_crcs() and list_fields() on arbitrary images.
// Input: [type selector] [image bytes...]; the selector forces byte 2 to DDR3, DDR4, DDR5 or
// leaves the input's own byte 2 (any other type). Oracles: decode and check never throw
// (bad data is a result); after fix_crcs() every present CRC block is ok and check() reports
// no crc-mismatch.
#include "fuzz_common.hpp"

#include <ddrspd/builder.hpp>
#include <ddrspd/check.hpp>
#include <ddrspd/crc.hpp>
#include <ddrspd/decode.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/image.hpp>

#include <vector>

using namespace ddrspd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    const std::uint8_t selector = in.byte();
    const auto body = in.bytes(1100); // the largest SPD is 1024 bytes
    Image img(std::vector<std::uint8_t>(body.begin(), body.end()));
    if (img.size() > 2) {
        switch (selector % 4) {
        case 0:
            img[2] = 0x0B;
            break;
        case 1:
            img[2] = 0x0C;
            break;
        case 2:
            img[2] = 0x12;
            break;
        default:
            break;
        }
    }

    const SpdInfo info = decode(img);
    FUZZ_REQUIRE(info.type == img.memory_type());
    (void)info.timing("tAA");
    (void)info.date.iso();

    const Report report = check(img);
    (void)report.ok();

    Image fixed = img;
    fix_crcs(fixed);
    for (const CrcBlock& b : crc_blocks(fixed))
        FUZZ_REQUIRE(!b.present || b.ok);
    for (const Finding& f : check(fixed).findings)
        FUZZ_REQUIRE(f.code != "crc-mismatch");

    try {
        for (const FieldInfo& f : list_fields(img))
            FUZZ_REQUIRE(!f.name.empty());
    } catch (const UsageError&) {
        // unsupported memory type for field editing
    }
    return 0;
}
