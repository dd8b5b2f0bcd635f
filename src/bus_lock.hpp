// SPDX-License-Identifier: GPL-2.0-or-later
// Internal: the per-bus advisory lock that keeps two ddrspd processes from interleaving
// transfers (an EE1004 page switch in one process would redirect the other's reads).
//
// The lock is an flock() on a file in the lock directory: $DDRSPD_LOCK_DIR when set (tests),
// else /run/lock when writable, else /tmp. The holder's pid is written into the file so a
// waiter that gives up can say who holds it. The kernel drops the lock when the holder exits;
// a clean release also removes the file (waiters then retry on a fresh one).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ddrspd {

class BusLock {
public:
    // Takes an exclusive lock on <lock dir>/name, retrying for up to timeout_ms (0: one try).
    // `guarded` names what the lock protects ("/dev/i2c-1"), for messages.
    // Throws BusError (EBUSY) naming the lock file and the holder's pid on timeout, FileError
    // when the lock file cannot be created.
    static BusLock acquire(const std::string& name, unsigned timeout_ms, std::string_view guarded);

    BusLock(BusLock&& other) noexcept;
    BusLock& operator=(BusLock&& other) noexcept;
    BusLock(const BusLock&) = delete;
    BusLock& operator=(const BusLock&) = delete;
    ~BusLock();

    const std::string& path() const noexcept { return path_; }

private:
    BusLock(int fd, std::string path, bool writable) noexcept;
    void release() noexcept;

    int fd_ = -1;
    std::string path_;
    bool writable_ = false;
};

std::filesystem::path lock_dir();

// "ddrspd-i2c-1.lock": every spec naming bus 1 ("1", "/dev/i2c-1", its adapter name) shares it.
std::string i2c_lock_name(int bus);

// One lock per image file named in an "emu:..." spec ("ddrspd-emu-NAME-HASH.lock", the hash
// taken over the file's absolute, normalised path), sorted so every process takes them in the
// same order. Empty when no device has a file: an in-memory bus is private to its process.
// Throws UsageError for a malformed spec.
std::vector<std::string> emu_lock_names(std::string_view spec);

} // namespace ddrspd
