// SPDX-License-Identifier: GPL-2.0-or-later
// Generic 24xx EEPROM arrays (spd-reference.md section 7). One address space over 1-8
// identical chips; a chip whose model keeps high address bits in the device address occupies
// 2^bits addresses, and the next chip starts after them.
#include "eeprom_io.hpp"

#include <ddrspd/eeprom24.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>

#include <fmt/format.h>

namespace ddrspd {

namespace {

constexpr std::uint8_t kFirstAddr = 0x50; // 24xx device type code 1010, A2..A0
constexpr std::uint8_t kLastAddr = 0x57;

// Bytes one device address reaches: what the word address spans, or the whole chip.
std::size_t block_size(const ChipModel& m) {
    const std::size_t span = std::size_t{1} << (8 * m.addr_bytes);
    return std::min(m.size, span);
}

// Device-address bits carrying memory blocks.
unsigned block_mask(const ChipModel& m) {
    return ((1u << m.addr_bits_in_devaddr) - 1) << m.devaddr_shift;
}

// The address of chip i: i spread over the A2..A0 bits the chip does not use for blocks.
std::uint8_t chip_base(std::uint8_t base, const ChipModel& m, unsigned i) {
    const unsigned free_bits = 0x7u & ~block_mask(m);
    unsigned out = 0;
    for (unsigned bit = 0; bit < 3; ++bit) {
        if (!(free_bits & (1u << bit)))
            continue;
        if (i & 1u)
            out |= 1u << bit;
        i >>= 1;
    }
    return static_cast<std::uint8_t>(base + out);
}

struct Location {
    std::uint8_t addr; // device address
    std::size_t word;  // word address inside that device address
    std::size_t room;  // bytes from here to the end of the block
};

// Which device address and word address hold array offset `offset`.
Location locate(std::uint8_t base, const ChipModel& m, std::size_t offset) {
    const auto chip = static_cast<unsigned>(offset / m.size);
    const std::size_t local = offset % m.size;
    const std::size_t bs = block_size(m);
    const auto block = static_cast<unsigned>(local / bs);
    const auto addr =
        static_cast<std::uint8_t>(chip_base(base, m, chip) | (block << m.devaddr_shift));
    return {addr, local % bs, bs - local % bs};
}

std::vector<std::uint8_t> frame_for(const ChipModel& m, std::size_t word,
                                    std::span<const std::uint8_t> data) {
    std::vector<std::uint8_t> f;
    f.reserve(m.addr_bytes + data.size());
    if (m.addr_bytes == 2)
        f.push_back(static_cast<std::uint8_t>(word >> 8));
    f.push_back(static_cast<std::uint8_t>(word));
    f.insert(f.end(), data.begin(), data.end());
    return f;
}

} // namespace

Eeprom24::Eeprom24(Bus& bus, std::uint8_t base_addr, const ChipModel& model, ArrayOptions opts)
    : bus_(bus), base_(base_addr), model_(model), opts_(opts) {
    if (model_.size == 0 || (model_.addr_bytes != 1 && model_.addr_bytes != 2) ||
        model_.addr_bits_in_devaddr + model_.devaddr_shift > 3 ||
        model_.size != block_size(model_) << model_.addr_bits_in_devaddr) {
        throw UsageError(fmt::format("EEPROM model '{}' is inconsistent: {} bytes, {} address "
                                     "byte(s), {} block bit(s) at bit {}",
                                     model_.name, model_.size, model_.addr_bytes,
                                     model_.addr_bits_in_devaddr, model_.devaddr_shift));
    }
    if (opts_.chips < 1 || opts_.chips > 8)
        throw UsageError(fmt::format("an EEPROM array has 1-8 chips, not {}", opts_.chips));
    if (opts_.page_size == 0)
        opts_.page_size = model_.page_size;
    if (!std::has_single_bit(opts_.page_size) || opts_.page_size > block_size(model_)) {
        throw UsageError(fmt::format("page size {} for a {}: use a power of two up to {}",
                                     opts_.page_size, model_.name, block_size(model_)));
    }
    if ((base_ & block_mask(model_)) != 0) {
        throw UsageError(fmt::format("a {} uses device-address bits for its memory blocks: its "
                                     "base address is {}, not {}",
                                     model_.name, hex_addr(base_ & ~block_mask(model_)),
                                     hex_addr(base_)));
    }
    const unsigned per_chip = 1u << model_.addr_bits_in_devaddr;
    const unsigned last_chip = chip_base(base_, model_, opts_.chips - 1);
    const unsigned last = last_chip | block_mask(model_);
    if (base_ < kFirstAddr || last > kLastAddr || opts_.chips * per_chip > 8) {
        throw UsageError(fmt::format("{} x {} at {} would need addresses up to {}: 24xx EEPROMs "
                                     "answer at 0x50-0x57 only",
                                     opts_.chips, model_.name, hex_addr(base_), hex_addr(last)));
    }
}

std::size_t Eeprom24::size() const noexcept {
    return model_.size * opts_.chips;
}
std::size_t Eeprom24::page_size() const noexcept {
    return opts_.page_size;
}

namespace {

void check_window(const Eeprom24& e, std::size_t offset, std::size_t length) {
    if (offset > e.size() || length > e.size() - offset) {
        throw UsageError(fmt::format("window 0x{:x}+0x{:x} lies outside the {}-byte EEPROM array",
                                     offset, length, e.size()));
    }
}

} // namespace

std::vector<std::uint8_t> Eeprom24::read(std::size_t offset, std::size_t length,
                                         const Progress& progress) {
    check_window(*this, offset, length);
    std::vector<std::uint8_t> out(length);
    std::size_t done = 0;
    std::size_t reported = 0;
    try {
        // Split at every block boundary: chips with "no read rollover" stop there.
        while (done < length) {
            const Location at = locate(base_, model_, offset + done);
            const std::size_t n = std::min(length - done, at.room);
            detail::read_chunked(bus_, at.addr, model_.addr_bytes, at.word,
                                 std::span(out).subspan(done, n), block_size(model_),
                                 [&](std::size_t k) {
                                     reported += k;
                                     if (progress)
                                         progress("read", reported, length);
                                 });
            done += n;
        }
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("reading {} x {} at {} (offset 0x{:x})",
                                                 opts_.chips, model_.name, hex_addr(base_),
                                                 offset + done));
    }
    return out;
}

WriteResult Eeprom24::write(std::size_t offset, std::span<const std::uint8_t> data,
                            const WriteOptions& opts) {
    check_window(*this, offset, data.size());
    const std::size_t end = offset + data.size();
    const std::size_t page = opts_.page_size;
    const std::size_t chunk_max = detail::max_write_data(bus_, model_.addr_bytes);
    auto target = [&](std::size_t off, std::size_t n) { return data.subspan(off - offset, n); };
    // The parts of the window inside each page, [first, last) in array offsets.
    std::vector<std::pair<std::size_t, std::size_t>> segments;
    for (std::size_t s = offset; s < end;) {
        const std::size_t e = std::min(end, (s / page + 1) * page);
        segments.emplace_back(s, e);
        s = e;
    }
    auto differing = [&](const std::vector<std::uint8_t>& have) {
        std::vector<std::pair<std::size_t, std::size_t>> out;
        for (auto [s, e] : segments) {
            if (!std::equal(have.begin() + static_cast<std::ptrdiff_t>(s - offset),
                            have.begin() + static_cast<std::ptrdiff_t>(e - offset),
                            data.begin() + static_cast<std::ptrdiff_t>(s - offset)))
                out.emplace_back(s, e);
        }
        return out;
    };

    detail::AckPoller poll(bus_, opts.poll_interval_us, opts.poll_timeout_us);
    if (data.empty())
        return {{}, 0, true, {}};
    try {
        // A write cycle may still run from an operation that timed out.
        poll.wait_ready(locate(base_, model_, offset).addr);
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("preparing to write {} x {} at {}", opts_.chips,
                                                 model_.name, hex_addr(base_)));
    }
    std::vector<std::pair<std::size_t, std::size_t>> todo = segments;
    if (opts.only_changed)
        todo = differing(read(offset, data.size(), opts.progress));

    WriteResult result;
    auto write_segments = [&](const std::vector<std::pair<std::size_t, std::size_t>>& segs) {
        std::size_t total = 0;
        for (auto [s, e] : segs)
            total += e - s;
        std::size_t done = 0;
        for (auto [s, e] : segs) {
            // A page never spans two blocks, so one device address per segment.
            const Location at = locate(base_, model_, s);
            for (std::size_t c = s; c < e;) {
                const std::size_t n = std::min(e - c, chunk_max);
                const auto frame = frame_for(model_, at.word + (c - s), target(c, n));
                try {
                    poll.write(at.addr, frame);
                } catch (const NackError& err) {
                    if (result.pages_written.empty() && c == s) {
                        throw RefusedError(fmt::format(
                            "{} at {} on {} refused data for offset 0x{:x}: the chip is "
                            "write-protected (WP pin?). Nothing was written.",
                            model_.name, hex_addr(at.addr), bus_.describe(), c));
                    }
                    throw NackError(fmt::format("{} at {} refused data for offset 0x{:x} "
                                                "(write-protected?): {}",
                                                model_.name, hex_addr(at.addr), c, err.what()),
                                    err.errno_value(), err.addr());
                }
                c += n;
            }
            result.pages_written.push_back(s);
            result.bytes_written += e - s;
            done += e - s;
            if (opts.progress)
                opts.progress("write", done, total);
        }
        poll.settle(); // the last write cycle, before anything reads
    };

    try {
        write_segments(todo);
        if (todo.empty() && opts.only_changed) {
            result.verified = true; // the read just done is the verification
            return result;
        }
        auto back = read(offset, data.size(), [&](std::string_view, std::size_t d, std::size_t t) {
            if (opts.progress)
                opts.progress("verify", d, t);
        });
        for (unsigned round = 0; round < opts.max_retries; ++round) {
            const auto bad = differing(back);
            if (bad.empty())
                break;
            write_segments(bad);
            for (auto [s, e] : bad) {
                const auto again = read(s, e - s);
                std::copy(again.begin(), again.end(),
                          back.begin() + static_cast<std::ptrdiff_t>(s - offset));
            }
        }
        result.mismatches = detail::mismatch_ranges(back, data, offset);
        result.verified = result.mismatches.empty();
    } catch (const BusError&) {
        detail::rethrow_with_context(
            fmt::format("writing {} x {} at {}", opts_.chips, model_.name, hex_addr(base_)));
    }
    return result;
}

// Method and risks: spd-reference.md section 7.2 and the header.
std::size_t Eeprom24::detect_page_size(std::size_t max_candidate) {
    // The largest power of two the chip block, the adapter and the caller allow.
    std::size_t limit = std::min(
        {max_candidate, block_size(model_), detail::max_write_data(bus_, model_.addr_bytes)});
    if (limit < 2) {
        throw UsageError(fmt::format("page-size detection needs a test window of at least 2 bytes "
                                     "(limit {})",
                                     limit));
    }
    const std::size_t window = std::bit_floor(limit);
    const std::size_t at = size() - window; // the last window, aligned to `window`
    const Location loc = locate(base_, model_, at);
    const auto backup = read(at, window);

    // Pattern i ^ k, a bijection on the window; k chosen so that it differs from the backup
    // in as many bytes as possible.
    std::size_t best_k = 0, best_equal = window + 1;
    for (std::size_t k = 0; k < 256 && best_equal > 0; ++k) {
        std::size_t equal = 0;
        for (std::size_t i = 0; i < window; ++i)
            equal += backup[i] == static_cast<std::uint8_t>(i ^ k);
        if (equal < best_equal) {
            best_equal = equal;
            best_k = k;
        }
    }
    std::vector<std::uint8_t> pattern(window);
    for (std::size_t i = 0; i < window; ++i)
        pattern[i] = static_cast<std::uint8_t>(i ^ best_k);

    auto restore = [&](std::size_t safe_page) {
        const std::size_t saved = opts_.page_size;
        opts_.page_size = safe_page;
        WriteOptions wo;
        wo.max_retries = 3;
        auto r = write(at, backup, wo);
        opts_.page_size = saved;
        if (!r.verified) {
            throw BusError(
                fmt::format("page-size detection could not restore offsets 0x{:x}-0x{:x} "
                            "of the {} at {}: the test window is damaged",
                            at, at + window - 1, model_.name, hex_addr(loc.addr)),
                EIO, loc.addr);
        }
    };

    std::vector<std::uint8_t> seen;
    try {
        detail::AckPoller poll(bus_, 200, 25000);
        // One transfer of the whole window: a smaller page wraps inside itself.
        poll.write(loc.addr, frame_for(model_, loc.word, pattern));
        poll.settle();
        seen = read(at, window);
    } catch (...) {
        try {
            restore(1); // byte writes are safe whatever the page size
        } catch (...) {
        }
        throw;
    }
    if (seen == backup) {
        throw RefusedError(fmt::format("page-size detection on the {} at {}: the chip did not "
                                       "change (write-protected?); nothing was written",
                                       model_.name, hex_addr(loc.addr)));
    }
    // Page P: its first P bytes hold the last P pattern bytes, the rest is unchanged.
    std::size_t found = 0;
    for (std::size_t p = 1; p <= window; p <<= 1) {
        bool match = true;
        for (std::size_t i = 0; i < window && match; ++i)
            match = seen[i] == (i < p ? pattern[window - p + i] : backup[i]);
        if (match) {
            found = p;
            break;
        }
    }
    restore(found != 0 ? found : 1);
    if (found == 0) {
        throw BusError(fmt::format("page-size detection on the {} at {}: the read-back fits no "
                                   "page size (not the usual page-wrap behaviour); the window was "
                                   "restored",
                                   model_.name, hex_addr(loc.addr)),
                       EIO, loc.addr);
    }
    opts_.page_size = found;
    return found;
}

} // namespace ddrspd
