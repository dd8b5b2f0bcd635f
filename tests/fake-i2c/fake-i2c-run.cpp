// SPDX-License-Identifier: GPL-2.0-or-later
// fake-i2c-run: runs a command against a fake /dev/i2c-N backed by an emulated bus.
// See README.md next to this file.
#include "fake_i2c.hpp"

#include <ddrspd/error.hpp>
#include <ddrspd/open.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

namespace {

constexpr int kOwnError = 125; // like env(1) and timeout(1): the launcher itself failed
constexpr int kSkip = 77;

pid_t g_child = -1;

void forward_signal(int sig) {
    if (g_child > 0)
        ::kill(g_child, sig);
}

struct Config {
    int bus = 1;
    std::string emu;
    bool smbus = false;
    std::optional<unsigned long> funcs;
    std::optional<std::string> name;
    std::optional<std::string> nack_errno;
    std::vector<std::string> busy;
    bool deny = false;
    std::vector<std::string> command;
};

int parse_errno(const std::string& name) {
    if (name == "ENXIO")
        return ENXIO;
    if (name == "EREMOTEIO")
        return EREMOTEIO;
    if (name == "EIO")
        return EIO;
    throw CLI::ValidationError("--nack-errno", "expected ENXIO, EREMOTEIO or EIO, got " + name);
}

// "0x50:ee1004"
std::pair<int, std::string> parse_busy(const std::string& item) {
    const auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
        throw CLI::ValidationError("--busy", "expected ADDR:DRIVER, got " + item);
    std::size_t used = 0;
    int addr = -1;
    try {
        addr = std::stoi(item.substr(0, colon), &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != colon || addr < 0 || addr > 0x7f)
        throw CLI::ValidationError("--busy", "not a 7-bit address in " + item);
    return {addr, item.substr(colon + 1)};
}

// LD_PRELOAD for the children: the umockdev preload library first.
std::string preload_value() {
    std::string preload = "libumockdev-preload.so.0";
    if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && *old != '\0')
        preload += std::string(":") + old;
    return preload;
}

// Runs this program again with the preload library and asks it whether it got mapped, so a
// missing libumockdev never lets COMMAND loose on a real /dev/i2c-N.
bool preload_loadable() {
    const pid_t pid = ::fork();
    if (pid < 0)
        return false;
    if (pid == 0) { // still single-threaded: setenv() is safe here
        ::setenv("LD_PRELOAD", preload_value().c_str(), 1);
        ::setenv("FAKE_I2C_RUN_PROBE", "1", 1);
        ::execl("/proc/self/exe", "fake-i2c-run", static_cast<char*>(nullptr));
        ::_exit(kOwnError);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int run_command(const std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (const auto& a : command)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        fmt::print(stderr, "fake-i2c-run: fork: {}\n", std::strerror(errno));
        return kOwnError;
    }
    if (pid == 0) {
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGQUIT, SIG_DFL);
        ::execvp(argv[0], argv.data());
        const int err = errno;
        fmt::print(stderr, "fake-i2c-run: {}: {}\n", command[0], std::strerror(err));
        ::_exit(err == ENOENT ? 127 : 126);
    }
    g_child = pid;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fmt::print(stderr, "fake-i2c-run: waitpid: {}\n", std::strerror(errno));
            return kOwnError;
        }
    }
    g_child = -1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int run(const Config& cfg) {
    const std::optional<int> nack =
        cfg.nack_errno ? std::optional(parse_errno(*cfg.nack_errno)) : std::nullopt;
    std::map<int, std::string> busy;
    for (const auto& item : cfg.busy)
        busy.insert(parse_busy(item));

    std::unique_ptr<ddrspd::Bus> backend = ddrspd::open_bus(cfg.emu);
    const bool smbus = cfg.smbus || !backend->caps().full_i2c;
    fakei2c::AdapterConfig adapter =
        smbus ? fakei2c::i801_adapter(cfg.bus) : fakei2c::bcm2835_adapter(cfg.bus);
    if (cfg.funcs)
        adapter.funcs = *cfg.funcs;
    if (cfg.name)
        adapter.name = *cfg.name;
    if (nack)
        adapter.nack_errno = *nack;
    adapter.busy = busy;
    adapter.deny = cfg.deny;

    int rc = kOwnError;
    {
        fakei2c::Testbed testbed;
        fakei2c::FakeAdapter fake(testbed, adapter, *backend);
        // Children load the preload library; this process serves their ioctls.
        ::setenv("LD_PRELOAD", preload_value().c_str(), 1);
        rc = run_command(cfg.command);
    }
    ddrspd::close_bus(*backend); // images written back only after COMMAND is done
    return rc;
}

} // namespace

int main(int argc, char** argv) {
    if (std::getenv("FAKE_I2C_RUN_PROBE") != nullptr)
        return fakei2c::preload_active() ? 0 : 1;

    CLI::App app{"fake-i2c-run [OPTIONS] -- COMMAND [ARG...]\n"
                 "Runs COMMAND with a fake /dev/i2c-N whose devices are emulated by ddrspd "
                 "(umockdev LD_PRELOAD). Image files are written back when COMMAND exits.",
                 "fake-i2c-run"};
    Config cfg;
    app.add_option("--bus", cfg.bus, "Bus number N of /dev/i2c-N")
        ->capture_default_str()
        ->check(CLI::Range(0, 9999));
    app.add_option("--emu", cfg.emu,
                   "Devices on the bus: an emu:... spec (or fault:OPTS:emu:...), e.g. "
                   "emu:ddr4@0x50=module.bin")
        ->required();
    app.add_flag("--smbus", cfg.smbus,
                 "SMBus-only adapter like i2c-i801 (default: full I2C like i2c-bcm2835; "
                 "implied by smbus=1 in the emu spec)");
    app.add_option("--funcs", cfg.funcs, "Exact I2C_FUNCS mask, e.g. 0x0c7f0000");
    app.add_option("--name", cfg.name, "Adapter name in /sys/class/i2c-adapter/i2c-N/name");
    app.add_option("--nack-errno", cfg.nack_errno,
                   "errno of a NACK: ENXIO (i801 default), EREMOTEIO (bcm2835 default), EIO");
    app.add_option("--busy", cfg.busy,
                   "ADDR:DRIVER: a kernel driver owns ADDR (I2C_SLAVE fails with EBUSY; sysfs "
                   "names DRIVER); repeatable")
        ->allow_extra_args(false);
    app.add_flag("--deny", cfg.deny,
                 "Device node mode 000: open() fails with EACCES for non-root programs");
    // COMMAND and its arguments stay untouched (no CLI11 option or list syntax applies).
    app.prefix_command();
    app.footer("Exit status: COMMAND's; 128+N when it was killed by signal N; 77 when umockdev "
               "is not available; 125 when fake-i2c-run itself failed.");
    try {
        app.parse(argc, argv);
        cfg.command = app.remaining();
        if (!cfg.command.empty() && cfg.command.front() == "--")
            cfg.command.erase(cfg.command.begin());
        if (cfg.command.empty())
            throw CLI::RequiredError("COMMAND (after --)");
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : kOwnError;
    }

    if (!preload_loadable()) {
        fmt::print(stderr,
                   "fake-i2c-run: libumockdev-preload.so.0 cannot be preloaded (install "
                   "umockdev and libumockdev0): not running {}\n",
                   cfg.command[0]);
        return kSkip;
    }
    // Ctrl-C reaches COMMAND through the terminal; we stay alive to write the images back.
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
    ::signal(SIGTERM, forward_signal);
    ::signal(SIGHUP, forward_signal);
    try {
        return run(cfg);
    } catch (const ddrspd::Error& e) {
        fmt::print(stderr, "fake-i2c-run: {}\n", e.what());
    } catch (const CLI::ValidationError& e) {
        fmt::print(stderr, "fake-i2c-run: {}\n", e.what());
    } catch (const std::exception& e) {
        fmt::print(stderr, "fake-i2c-run: {}\n", e.what());
    }
    return kOwnError;
}
