// SPDX-License-Identifier: GPL-2.0-or-later
// fault: kill_nth=N kills the process instead of transfer N, after writing the emulated images
// back (what a real EEPROM keeps) and the DDRSPD_EMU_TRACE log.
#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>
#include <ddrspd/fault.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>

namespace {

std::string temp_path(const char* name) {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir != nullptr ? dir : "/tmp") + "/ddrspd-fault-kill-" +
           std::to_string(::getpid()) + "-" + name;
}

std::vector<std::uint8_t> slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("kill_nth parses and shows in describe()") {
    ddrspd::FaultPlan plan = ddrspd::parse_fault_plan("seed=3,kill_nth=17");
    CHECK(plan.kill_nth == 17);
    CHECK(ddrspd::parse_fault_plan("seed=3").kill_nth == 0);
    CHECK_THROWS_AS(ddrspd::parse_fault_plan("kill_nth=x"), ddrspd::UsageError);
    ddrspd::FaultBus bus(std::make_unique<ddrspd::EmulatedBus>(), plan);
    CHECK(bus.describe().find("kill_nth=17") != std::string::npos);
}

TEST_CASE("kill_nth kills the process before transfer N, keeping what was written") {
    const std::string image = temp_path("module.bin");
    const std::string trace = temp_path("trace");
    std::remove(image.c_str());
    std::remove(trace.c_str());
    std::fflush(nullptr);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::setenv("DDRSPD_EMU_TRACE", trace.c_str(), 1);
        auto emu = ddrspd::EmulatedBus::from_spec("emu:24c02@0x50=" + image);
        ddrspd::FaultBus bus(std::move(emu), ddrspd::parse_fault_plan("kill_nth=3"));
        const std::vector<std::uint8_t> page1 = {0x00, 1, 2, 3, 4, 5, 6, 7, 8};
        const std::vector<std::uint8_t> page2 = {0x08, 9, 10, 11, 12, 13, 14, 15, 16};
        bus.write(0x50, page1); // transfer 1
        bus.clock().sleep_us(10000);
        bus.write(0x50, page2); // transfer 2
        bus.clock().sleep_us(10000);
        bus.write(0x50, page1); // transfer 3: killed instead
        ::_exit(0);             // not reached
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    auto bytes = slurp(image);
    REQUIRE(bytes.size() == 256);
    for (std::size_t i = 0; i < 16; ++i) {
        CHECK(bytes[i] == i + 1);
    }
    CHECK(bytes[16] == 0xFF);

    std::ifstream t(trace);
    std::stringstream text;
    text << t.rdbuf();
    CHECK(text.str() == "0x50 W 9 ack\n0x50 W 9 ack\npage 0\n");
    std::remove(image.c_str());
    std::remove(trace.c_str());
}
