// SPDX-License-Identifier: GPL-2.0-or-later
// JEP106 decoding and lookups; vectors from spd-reference.md section 3.
#include <ddrspd/error.hpp>
#include <ddrspd/jep106.hpp>

#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

using namespace ddrspd;

TEST_CASE("odd parity", "[jep106]") {
    CHECK(odd_parity(0x80));
    CHECK(odd_parity(0x01));
    CHECK(odd_parity(0xCE));
    CHECK_FALSE(odd_parity(0x00));
    CHECK_FALSE(odd_parity(0x03));
    CHECK_FALSE(odd_parity(0xFF));
}

TEST_CASE("known manufacturers from SPD bytes", "[jep106]") {
    struct Vector {
        std::uint8_t count, code;
        unsigned bank;
        const char* name;
    };
    const Vector vectors[] = {
        {0x85, 0x02, 6, "Patriot Memory"},
        {0x01, 0x98, 2, "Kingston"},
        {0x80, 0xCE, 1, "Samsung"},
        {0x80, 0x2C, 1, "Micron Technology"},
        {0x02, 0x9E, 3, "Corsair"},
        {0x04, 0xCD, 5, "G Skill Intl"},
        {0x80, 0xAD, 1, "SK Hynix (former Hyundai Electronics)"},
        {0x04, 0xCB, 5, "A-DATA Technology"},
        {0x85, 0x9B, 6, "Crucial Technology"},
        {0x02, 0xFE, 3, "Elpida"},
        {0x80, 0xB3, 1, "IDT"},
        {0x04, 0xB3, 5, "Inphi Corporation"},
        {0x8A, 0xC8, 11, "Advantech Co Ltd"},
        {0x04, 0xEF, 5, "Team Group Inc."},
    };
    for (const Vector& v : vectors) {
        INFO(v.name);
        const Manufacturer m = decode_manufacturer(v.count, v.code);
        CHECK(m.name == v.name);
        CHECK(m.bank == v.bank);
        CHECK(m.code == (v.code & 0x7F));
        CHECK(m.count_byte == v.count);
        CHECK(m.code_byte == v.code);
        CHECK(m.defined);
        CHECK(m.known);
        CHECK(m.count_parity_ok);
        CHECK(m.code_parity_ok);
        CHECK(m.valid());
        CHECK(jep106_name(v.bank, static_cast<std::uint8_t>(v.code & 0x7F)) == v.name);
    }
    CHECK(decode_manufacturer(0x80, 0xCE).id() == "0x80CE");
    CHECK(decode_manufacturer(0x02, 0x9E).id() == "0x029E");
}

TEST_CASE("undefined, invalid and unknown IDs", "[jep106]") {
    for (std::uint8_t b : {std::uint8_t{0x00}, std::uint8_t{0xFF}}) {
        const Manufacturer m = decode_manufacturer(b, b);
        CHECK(m.name == "Undefined");
        CHECK_FALSE(m.defined);
        CHECK_FALSE(m.valid());
    }

    // Even parity on the code byte: 0x4E is Samsung's code without its parity bit.
    Manufacturer m = decode_manufacturer(0x80, 0x4E);
    CHECK(m.name == "Invalid");
    CHECK(m.defined);
    CHECK_FALSE(m.code_parity_ok);
    CHECK(m.count_parity_ok);
    CHECK(m.bank == 1);
    CHECK(m.code == 0x4E);
    CHECK_FALSE(m.valid());

    // Code 0 (with parity 0x80) and the continuation code 0x7F are never manufacturers.
    CHECK(decode_manufacturer(0x80, 0x80).name == "Invalid");
    CHECK(decode_manufacturer(0x80, 0x7F).name == "Invalid");

    // Bank 20 is beyond the table (13 banks): count byte 19 = 0x13 has odd parity.
    m = decode_manufacturer(0x13, 0x01);
    CHECK(m.name == "Unknown (bank 20, code 0x01)");
    CHECK_FALSE(m.known);
    CHECK(m.count_parity_ok);
    CHECK(m.code_parity_ok);
    CHECK_FALSE(m.valid());

    // Bad parity on the count byte: the name is still looked up, valid() is false.
    m = decode_manufacturer(0x00, 0xCE);
    CHECK(m.name == "Samsung");
    CHECK_FALSE(m.count_parity_ok);
    CHECK(m.known);
    CHECK_FALSE(m.valid());
}

TEST_CASE("table scale", "[jep106]") {
    CHECK(jep106_size() == 1527);
    CHECK(jep106_name(1, 0x01) == "AMD");
    CHECK(jep106_name(13, 0x7E).empty());
    CHECK(jep106_name(0, 0x01).empty());
    CHECK(jep106_name(99, 0x01).empty());
}

TEST_CASE("reverse lookup by name", "[jep106]") {
    using Pair = std::pair<std::uint8_t, std::uint8_t>;
    CHECK(jep106_find("Samsung") == Pair{0x80, 0xCE});
    CHECK(jep106_find("samsung") == Pair{0x80, 0xCE});
    CHECK(jep106_find("Kingston") == Pair{0x01, 0x98});
    CHECK(jep106_find("Patriot Memory") == Pair{0x85, 0x02});
    CHECK(jep106_find("CORSAIR") == Pair{0x02, 0x9E});
    // Punctuation and spacing are ignored, then a unique prefix is enough.
    CHECK(jep106_find("G.Skill") == Pair{0x04, 0xCD});
    CHECK(jep106_find("Micron Tech") == Pair{0x80, 0x2C});
    // Unique substring.
    CHECK(jep106_find("Hynix") == Pair{0x80, 0xAD});
}

TEST_CASE("reverse lookup errors list candidates", "[jep106]") {
    try {
        jep106_find("Patriot");
        FAIL("ambiguous name accepted");
    } catch (const UsageError& e) {
        const std::string what = e.what();
        CHECK(what.find("ambiguous") != std::string::npos);
        CHECK(what.find("Patriot Memory") != std::string::npos);
        CHECK(what.find("Patriot Scientific") != std::string::npos);
        CHECK(what.find("0x8502") != std::string::npos);
    }
    CHECK_THROWS_AS(jep106_find("No Such Maker Anywhere"), UsageError);
    CHECK_THROWS_AS(jep106_find(""), UsageError);
    CHECK_THROWS_AS(jep106_find("..."), UsageError);
}
