// SPDX-License-Identifier: GPL-2.0-or-later
// Dump files on disk: reading with a size limit, the i2cdump grid writer, atomic writes.
// (Parsing is in dump_parse.cpp.)
#include <ddrspd/dumpfile.hpp>
#include <ddrspd/error.hpp>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace ddrspd {

namespace {

[[noreturn]] void throw_errno(std::string_view path, std::string_view what, int err) {
    if (what.empty())
        throw FileError(fmt::format("{}: {}", path, std::strerror(err)));
    throw FileError(fmt::format("{}: {}: {}", path, what, std::strerror(err)));
}

// Reads to the end of fd, appending to `data`.
std::string read_fd(int fd, std::string_view path, std::string data = {}) {
    std::array<char, 8192> buf; // not value-initialised: zero-filling it dominated small reads
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw_errno(path, "", errno);
        }
        if (n == 0)
            break;
        data.append(buf.data(), static_cast<std::size_t>(n));
        if (data.size() > max_input_size)
            throw FileError(fmt::format("{}: too large (more than {} bytes); SPD dumps are much "
                                        "smaller",
                                        path, max_input_size));
    }
    return data;
}

// A regular file of `size` bytes (as fstat said): one read of up to size + 1 bytes. Getting
// exactly `size` bytes is the end of the file, which saves the read that would return 0 (one
// system call of five per file: it showed when checking thousands of files); anything else
// (a file that grew or shrank meanwhile) is read on to its end as usual.
std::string read_regular(int fd, std::string_view path, std::size_t size) {
    std::string data(size + 1, '\0');
    ssize_t n = 0;
    do {
        n = ::read(fd, data.data(), data.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        throw_errno(path, "", errno);
    data.resize(static_cast<std::size_t>(n));
    if (data.size() == size)
        return data;
    if (data.size() > max_input_size)
        throw FileError(fmt::format("{}: too large (more than {} bytes); SPD dumps are much "
                                    "smaller",
                                    path, max_input_size));
    return read_fd(fd, path, std::move(data));
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }

private:
    int fd_;
};

void write_all(int fd, const std::uint8_t* p, std::size_t n, std::string_view path) {
    while (n > 0) {
        const ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            throw_errno(path, "write failed", errno);
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

std::string parent_dir(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

} // namespace

std::string read_input(const std::string& path) {
    if (path == "-")
        return read_fd(STDIN_FILENO, "<stdin>");
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0)
        throw_errno(path, "", errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        throw_errno(path, "", errno);
    if (S_ISDIR(st.st_mode))
        throw FileError(fmt::format("{}: is a directory", path));
    if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > max_input_size)
        throw FileError(fmt::format("{}: too large ({} bytes; dump files are at most {} bytes)",
                                    path, st.st_size, max_input_size));
    if (S_ISREG(st.st_mode))
        return read_regular(fd.get(), path, static_cast<std::size_t>(st.st_size));
    return read_fd(fd.get(), path);
}

ParsedDump load_dump(const std::string& path, DumpFormat format) {
    return parse_dump(read_input(path), path == "-" ? "<stdin>" : path, format);
}

std::string format_i2cdump(std::span<const std::uint8_t> bytes) {
    std::string out = "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f    0123456789abcdef\n";
    for (std::size_t row = 0; row < bytes.size(); row += 16) {
        out += fmt::format("{:02x}: ", row);
        for (std::size_t j = 0; j < 16; ++j)
            out += row + j < bytes.size() ? fmt::format("{:02x} ", bytes[row + j]) : "   ";
        out += "   ";
        for (std::size_t j = 0; j < 16; ++j) {
            if (row + j >= bytes.size()) {
                out += ' ';
                continue;
            }
            // i2cdump's ASCII column: '.' for 00/ff, '?' for other non-printables.
            const std::uint8_t b = bytes[row + j];
            out += (b == 0x00 || b == 0xFF) ? '.' : (b < 32 || b >= 127) ? '?' : char(b);
        }
        out += '\n';
    }
    return out;
}

void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) {
    if (path == "-") {
        write_all(STDOUT_FILENO, bytes.data(), bytes.size(), "<stdout>");
        return;
    }
    // Replace the file a symlink points to, not the link.
    std::string target = path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        if (char* resolved = ::realpath(path.c_str(), nullptr)) {
            target = resolved;
            std::free(resolved);
        }
    }
    std::optional<mode_t> keep_mode;
    if (::stat(target.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            throw FileError(fmt::format("{}: is a directory", path));
        if (!S_ISREG(st.st_mode))
            throw FileError(
                fmt::format("{}: not a regular file; use '-' for standard output", path));
        keep_mode = st.st_mode & 07777;
    }
    const std::string dir = parent_dir(target);
    const std::string base = target.substr(target.rfind('/') + 1);
    std::string tmp;
    int raw_fd = -1;
    for (int attempt = 0; attempt < 100 && raw_fd < 0; ++attempt) {
        tmp = fmt::format("{}/.{}.tmp-{}-{}", dir, base, ::getpid(), attempt);
        raw_fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (raw_fd < 0 && errno != EEXIST)
            throw_errno(path, fmt::format("cannot create a temporary file in {}", dir), errno);
    }
    if (raw_fd < 0)
        throw_errno(path, fmt::format("cannot create a temporary file in {}", dir), EEXIST);
    Fd fd(raw_fd);
    try {
        write_all(fd.get(), bytes.data(), bytes.size(), tmp);
        if (keep_mode && ::fchmod(fd.get(), *keep_mode) != 0)
            throw_errno(path, "cannot set the file mode", errno);
        if (::fsync(fd.get()) != 0)
            throw_errno(path, "fsync failed", errno);
        if (::close(fd.release()) != 0)
            throw_errno(path, "close failed", errno);
        if (::rename(tmp.c_str(), target.c_str()) != 0)
            throw_errno(path, "rename failed", errno);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    // Make the rename durable; failure here does not lose data already renamed.
    const Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() >= 0)
        ::fsync(dfd.get());
}

void write_file_atomic(const std::string& path, std::string_view text) {
    write_file_atomic(path,
                      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

} // namespace ddrspd
