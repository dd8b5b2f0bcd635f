// SPDX-License-Identifier: GPL-2.0-or-later
// Test helper shared by the Catch2 suites: f() must throw E with needle in its message.
#pragma once

#include <ddrspd/error.hpp>

#include <string>

#include <catch2/catch.hpp>

template <class E = ddrspd::UsageError, class F>
void require_error(F&& f, const std::string& needle) {
    try {
        f();
        FAIL("no exception; expected one mentioning \"" << needle << "\"");
    } catch (const E& e) {
        INFO("message: " << e.what());
        CHECK_THAT(e.what(), Catch::Contains(needle));
    }
}
