// SPDX-License-Identifier: GPL-2.0-or-later
#include "bus_lock.hpp"

#include "emu/spec.hpp"

#include <ddrspd/error.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace ddrspd {

namespace fs = std::filesystem;

namespace {

struct LockFile {
    int fd;
    bool writable;
};

[[noreturn]] void throw_lock_file_error(const std::string& path, int err) {
    throw FileError(fmt::format("cannot open lock file {}: {} (set DDRSPD_LOCK_DIR to a writable "
                                "directory, or open the bus without locking)",
                                path, std::strerror(err)));
}

// O_NOFOLLOW everywhere: the lock directory may be world-writable (/tmp), and a planted
// symlink must not make us truncate some other file.
LockFile open_lock_file(const std::string& path) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0)
            return {fd, true};
        if (errno == EACCES || errno == EPERM) {
            // Created by another user: flock() works on a read-only descriptor too; we just
            // cannot record our pid.
            fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
            if (fd >= 0)
                return {fd, false};
            throw_lock_file_error(path, errno);
        }
        if (errno != ENOENT)
            throw_lock_file_error(path, errno);
        fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd >= 0) {
            // Undo the umask so that processes of other users (i2c group) can lock it too.
            (void)::fchmod(fd, 0666);
            return {fd, true};
        }
        if (errno != EEXIST)
            throw_lock_file_error(path, errno);
        // Someone else created it between our two opens: open the existing one.
    }
    throw_lock_file_error(path, EEXIST);
}

// True while path still names the file open on fd: a holder removes the file on release, and
// a waiter that then locks the orphaned inode must start over with the file now at path.
bool still_linked(int fd, const std::string& path) {
    struct stat open_st {};
    struct stat path_st {};
    return ::fstat(fd, &open_st) == 0 && ::lstat(path.c_str(), &path_st) == 0 &&
           open_st.st_dev == path_st.st_dev && open_st.st_ino == path_st.st_ino;
}

// "pid 1234 (spd-prog)", from the pid the holder wrote into the file.
std::string describe_holder(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return "a process that did not record its pid";
    char* end = nullptr;
    const long pid = std::strtol(buf, &end, 10);
    if (pid <= 0 || end == buf)
        return "a process that did not record its pid";
    std::string comm;
    std::ifstream in(fmt::format("/proc/{}/comm", pid));
    if (in && std::getline(in, comm) && !comm.empty())
        return fmt::format("pid {} ({})", pid, comm);
    return fmt::format("pid {}", pid);
}

std::string sanitize(std::string_view name, std::size_t max_len) {
    std::string out;
    for (char c : name.substr(0, max_len)) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    return out;
}

std::uint64_t fnv1a64(std::string_view text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string normalised_path(const std::string& file) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::absolute(file, ec), ec);
    if (ec)
        p = fs::absolute(file, ec).lexically_normal();
    return p.string();
}

} // namespace

BusLock BusLock::acquire(const std::string& name, unsigned timeout_ms, std::string_view guarded) {
    using Steady = std::chrono::steady_clock;
    const std::string path = (lock_dir() / name).string();
    LockFile file = open_lock_file(path);
    const auto deadline = Steady::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        if (::flock(file.fd, LOCK_EX | LOCK_NB) == 0) {
            if (still_linked(file.fd, path))
                break;
            ::close(file.fd);
            file = open_lock_file(path);
            continue;
        }
        const int err = errno;
        if (err == EINTR)
            continue;
        if (err != EWOULDBLOCK) {
            ::close(file.fd);
            throw FileError(fmt::format("cannot lock {}: {}", path, std::strerror(err)));
        }
        const auto now = Steady::now();
        if (now >= deadline) {
            const std::string holder = describe_holder(file.fd);
            ::close(file.fd);
            throw BusError(fmt::format("{} is in use: timed out after {} ms waiting for the lock "
                                       "file {}, held by {}",
                                       guarded, timeout_ms, path, holder),
                           EBUSY, -1);
        }
        std::this_thread::sleep_for(
            std::min<Steady::duration>(std::chrono::milliseconds(20), deadline - now));
    }
    if (file.writable) {
        // Best effort: the pid only improves other processes' messages.
        const std::string pid = fmt::format("{}\n", ::getpid());
        if (::ftruncate(file.fd, 0) == 0)
            (void)!::pwrite(file.fd, pid.data(), pid.size(), 0);
    }
    return BusLock(file.fd, path, file.writable);
}

BusLock::BusLock(int fd, std::string path, bool writable) noexcept
    : fd_(fd), path_(std::move(path)), writable_(writable) {}

BusLock::BusLock(BusLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), writable_(other.writable_) {
}

BusLock& BusLock::operator=(BusLock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        writable_ = other.writable_;
    }
    return *this;
}

BusLock::~BusLock() {
    release();
}

void BusLock::release() noexcept {
    if (fd_ < 0)
        return;
    // Remove the file while still holding the lock, so lock files do not pile up (one per
    // image file ever used); waiters notice through still_linked(). Another user's file in a
    // sticky directory cannot be removed: then at least clear our pid.
    if (::unlink(path_.c_str()) != 0 && writable_)
        (void)!::ftruncate(fd_, 0);
    ::close(fd_);
    fd_ = -1;
}

fs::path lock_dir() {
    if (const char* env = std::getenv("DDRSPD_LOCK_DIR"); env != nullptr && *env != '\0')
        return env;
    if (::access("/run/lock", W_OK | X_OK) == 0)
        return "/run/lock";
    return "/tmp";
}

std::string i2c_lock_name(int bus) {
    return fmt::format("ddrspd-i2c-{}.lock", bus);
}

std::vector<std::string> emu_lock_names(std::string_view spec) {
    std::vector<std::string> names;
    for (const auto& dev : emu::parse_spec(spec).devices) {
        if (!dev.file)
            continue;
        const std::string path = normalised_path(*dev.file);
        names.push_back(fmt::format("ddrspd-emu-{}-{:016x}.lock",
                                    sanitize(fs::path(path).filename().string(), 32),
                                    fnv1a64(path)));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

} // namespace ddrspd
