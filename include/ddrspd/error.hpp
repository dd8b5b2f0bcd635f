// SPDX-License-Identifier: GPL-2.0-or-later
// Exception types. Bad *data* (wrong CRC, odd fields) is reported as Findings, never thrown;
// these are for failing to do the job: unreadable input, unparsable dumps, bus I/O, misuse.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace ddrspd {

// Base of every exception the library throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Invalid argument or request from the caller (bad field name, value out of range...).
class UsageError : public Error {
public:
    using Error::Error;
};

// A file or stream could not be read or written (message names the file and strerror).
class FileError : public Error {
public:
    using Error::Error;
};

// Input could be read but is not a dump we can parse (message names the file and line).
class FormatError : public Error {
public:
    using Error::Error;
};

// The operation was refused for safety (protected block, wrong memory type, DDR3 on a bus
// that would need DDR4 page switching...). Nothing was written when this is thrown.
class RefusedError : public Error {
public:
    using Error::Error;
};

// A bus transfer failed. errno_value is the positive errno (0 when not from the kernel),
// addr the 7-bit device address (-1 when not tied to one).
class BusError : public Error {
public:
    BusError(const std::string& what, int errno_value, int addr)
        : Error(what), errno_value_(errno_value), addr_(addr) {}
    int errno_value() const noexcept { return errno_value_; }
    int addr() const noexcept { return addr_; }

private:
    int errno_value_;
    int addr_;
};

// The device did not acknowledge (absent, busy in its write cycle, protected block).
// ACK polling catches exactly this type.
class NackError : public BusError {
public:
    using BusError::BusError;
};

} // namespace ddrspd
