// SPDX-License-Identifier: GPL-2.0-or-later
// SPD EEPROMs at 0x50-0x57: EE1002 (DDR3, 256 bytes), EE1004 (DDR4, two 256-byte pages),
// SPD5118 hubs (DDR5, read only). Facts: spd-reference.md sections 4, 5, 6 and 9.
//
// Safety rule (section 5): the command addresses 0x30-0x37 double as the Set-PSWP addresses of
// DDR2/DDR3 SPD EEPROMs (0x30 | SA), and PSWP is irreversible. So nothing at all is sent there
// by scan, read or write unless every SPD device on the bus has been identified as DDR4 by a
// read-only scan. The only exceptions are the explicitly requested DDR3 protection calls,
// which are further limited to a single-module bus (see require_single_module()).
#include "eeprom_io.hpp"
#include "spd_scan.hpp"

#include <ddrspd/error.hpp>
#include <ddrspd/spd_device.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <set>

#include <fmt/format.h>

namespace ddrspd {

using detail::device_size;
using detail::Found;
using detail::identify;
using detail::kind_of;
using detail::scan_found;

namespace {

constexpr std::uint8_t kSpa0 = 0x36; // write: select page 0; read (RPA): ACK = page 0
constexpr std::uint8_t kSpa1 = 0x37; // write: select page 1
constexpr std::uint8_t kRpa = 0x36;
// EE1004 RPSn (read: ACK = block n unprotected) and SWPn (write) share one address per block.
constexpr std::array<std::uint8_t, 4> kBlockCmd = {0x31, 0x34, 0x35, 0x30};
constexpr std::uint8_t kCwp = 0x33;
constexpr std::uint8_t kDdr3Rswp = 0x31; // DDR3 set/read RSWP (needs VHV on SA0)
constexpr std::uint8_t kDdr3Crsp = 0x33; // DDR3 clear RSWP (VHV on SA0, SA1 high)
constexpr std::size_t kWritePage = 16;   // page-write buffer of EE1002/EE1004
constexpr std::size_t kBlock = 128;      // write-protect block
constexpr std::size_t kSpdPage = 256;    // EE1004 page, one legacy 256-byte view
constexpr std::uint32_t kProtectPollInterval = 200;
constexpr std::uint32_t kProtectPollTimeout = 25000;
// How long the page-0 restore outwaits a write cycle: 100x the datasheets' 5 ms tWR and 20x the
// write poll bound, so that a write abandoned on a slow cycle still ends in page 0. Spent only
// on an error path, and only while the module keeps NACKing.
constexpr std::uint32_t kRestoreTimeout = 500000;

constexpr std::string_view kVhvExplanation =
    "changing SPD write protection needs a high voltage (7-10 V) on the module's SA0 pin "
    "during the command; a Raspberry Pi cannot produce it, so an external switched supply is "
    "needed. Apply it, then confirm (vhv_confirmed / --vhv)";

std::string block_list(const std::set<std::size_t>& blocks) {
    std::string s;
    for (auto b : blocks)
        s += fmt::format("{}{} (bytes {}-{})", s.empty() ? "" : ", ", b, b * kBlock,
                         b * kBlock + kBlock - 1);
    return s;
}

} // namespace

struct SpdDevice::Impl {
    Bus& bus;
    std::uint8_t addr;
    SpdKind kind = SpdKind::Unknown;
    std::uint8_t byte2 = 0;
    std::vector<Found> on_bus; // result of the last scan
    int page = -1;             // EE1004 page, as proven (see select_page); -1 = unknown
    bool page_fresh = false;   // `page` comes from the constructor's RPA, nothing ran since
    bool switched = false;     // this object has sent SPA0/SPA1
    std::optional<std::vector<std::uint8_t>> known; // contents as last read or verified
    SpdKind assumed = SpdKind::None;                // the caller's word for contents naming no type

    Impl(Bus& b, std::uint8_t a) : bus(b), addr(a) {}

    std::string who() const {
        return fmt::format("{} SPD EEPROM at {} on {}", to_string(kind), hex_addr(addr),
                           bus.describe());
    }

    // What is on the bus now, merged with what was seen before: a module that does not answer
    // a probe now is kept (a NACK proves nothing), and a definite non-DDR4 identification is
    // never upgraded. Only an ambiguous (Unknown) reading may become DDR4 later.
    void rescan(int tries) {
        auto now = scan_found(bus, tries);
        for (auto& f : now) {
            if (f.addr == addr && f.kind == SpdKind::Unknown && assumed != SpdKind::None)
                f.kind = assumed; // blank contents; the caller asserted the type
        }
        for (const auto& old : on_bus) {
            auto it = std::find_if(now.begin(), now.end(),
                                   [&](const Found& f) { return f.addr == old.addr; });
            if (it == now.end())
                now.push_back(old);
            else if (old.kind != SpdKind::DDR4 && old.kind != SpdKind::Unknown)
                *it = old;
        }
        std::sort(now.begin(), now.end(),
                  [](const Found& a, const Found& b) { return a.addr < b.addr; });
        on_bus = std::move(now);
    }

    // The safety gate in front of every EE1004 command (SPA, RPA, RPS, SWP, CWP).
    void require_page_commands(std::string_view action) const {
        std::string others;
        for (const auto& f : on_bus) {
            if (f.kind != SpdKind::DDR4)
                others += fmt::format("{}{} at {} (byte 2 = 0x{:02x})", others.empty() ? "" : ", ",
                                      to_string(f.kind), hex_addr(f.addr), f.byte2);
        }
        if (others.empty())
            return;
        const bool ambiguous = std::any_of(on_bus.begin(), on_bus.end(), [](const Found& f) {
            return f.kind == SpdKind::Unknown;
        });
        throw RefusedError(fmt::format(
            "refusing to {} the DDR4 SPD at {} on {}: it needs EE1004 page/protection commands "
            "at 0x30-0x37, but the bus also holds {}. Those addresses are the Set-PSWP commands "
            "of DDR3-class SPD EEPROMs (SPA0/SPA1 at 0x36/0x37 would permanently write-protect a "
            "DDR3 module strapped at 0x56/0x57; the xDevs adapter notes the same conflict). "
            "Remove every non-DDR4 module from this bus first.{} Nothing was sent to 0x30-0x37.",
            action, hex_addr(addr), bus.describe(), others,
            ambiguous ? " (A DDR4 module left in SPD page 1 by another program also reads as "
                        "unknown: power-cycle the modules to return them to page 0.)"
                      : ""));
    }

    // Protection commands address every module at once: they are only meaningful, and for
    // DDR3 only safe, with this module alone on the bus.
    void require_single_module(std::string_view action) const {
        if (on_bus.size() == 1 && on_bus[0].addr == addr)
            return;
        std::string list;
        for (const auto& f : on_bus)
            list += fmt::format("{}{}", list.empty() ? "" : ", ", hex_addr(f.addr));
        throw RefusedError(fmt::format("refusing to {} of the SPD at {} on {}: SPD devices answer "
                                       "at {}; write-protection commands reach every module on "
                                       "the bus, so use a bus holding this module only",
                                       action, hex_addr(addr), bus.describe(), list));
    }

    // The page is only ever believed on positive evidence, because a NACK proves nothing (a
    // glitch, a busy device): page 0 when RPA ACKs; page 1 when the module ACKed SPA1 and RPA
    // agrees. Believing page 1 wrongly would put page-1 data into page 0.
    void select_page(int p) {
        if (page == p)
            return;
        page = -1;
        switched = true;
        const std::array<std::uint8_t, 1> dummy{0x00};
        for (int attempt = 0; attempt < 3; ++attempt) {
            bool acked = true;
            try {
                bus.write(p == 0 ? kSpa0 : kSpa1, dummy);
            } catch (const NackError&) {
                acked = false; // some modules switch without acknowledging (Linux ee1004)
            }
            const bool rpa_page0 = bus.probe(kRpa);
            if (p == 0 && rpa_page0) {
                page = 0;
                return;
            }
            if (p == 1 && acked && !rpa_page0) {
                page = 1;
                return;
            }
        }
        // A module that never acknowledges SPA1: accept RPA's NACK only when it persists while
        // the module itself answers in between.
        if (p == 1 && bus.probe(addr) && !bus.probe(kRpa) && bus.probe(addr) && !bus.probe(kRpa)) {
            page = 1;
            return;
        }
        throw BusError(
            fmt::format("{}: EE1004 page select (SPA{} at {}) for the module at {} could "
                        "not be confirmed by RPA",
                        bus.describe(), p, hex_addr(p == 0 ? kSpa0 : kSpa1), hex_addr(addr)),
            EIO, addr);
    }

    // Leaves the bus in page 0 whatever happened; never throws. A module still busy with a
    // write cycle NACKs SPA and RPA alike, so wait for it first (bounded).
    void restore_page0() noexcept {
        if (!switched || page == 0)
            return;
        // Until the deadline: a glitch (a timeout, a lost arbitration) must not cut the wait
        // short, so every failed attempt goes back to waiting for the module.
        try {
            Clock& clock = bus.clock();
            const std::uint64_t deadline = clock.now_us() + kRestoreTimeout;
            for (int attempt = 0; attempt < 3 || clock.now_us() < deadline; ++attempt) {
                const std::uint64_t now = clock.now_us();
                try {
                    const auto left =
                        static_cast<std::uint32_t>(deadline > now ? deadline - now : 0);
                    detail::AckPoller(bus, kProtectPollInterval, left).wait_ready(addr);
                } catch (...) {
                }
                try {
                    select_page(0);
                    return;
                } catch (...) {
                }
                if (clock.now_us() == now)
                    clock.sleep_us(kProtectPollInterval); // always make progress to the deadline
            }
        } catch (...) {
        }
    }

    // Bytes [offset, offset + out.size()) of the device, switching EE1004 pages as needed.
    void read_range(std::size_t offset, std::span<std::uint8_t> out,
                    const std::function<void(std::size_t)>& on_chunk) {
        std::size_t done = 0;
        while (done < out.size()) {
            const std::size_t off = offset + done;
            const std::size_t n = std::min(out.size() - done, kSpdPage - off % kSpdPage);
            if (kind == SpdKind::DDR4)
                select_page(static_cast<int>(off / kSpdPage));
            detail::read_chunked(bus, addr, 1, off % kSpdPage, out.subspan(done, n), kSpdPage,
                                 on_chunk);
            done += n;
        }
    }

    // The whole device, the currently selected EE1004 page first (fewest page switches).
    void read_all(std::span<std::uint8_t> out, std::string_view phase, const Progress& progress) {
        std::size_t done = 0;
        auto tick = [&](std::size_t n) {
            done += n;
            if (progress)
                progress(phase, done, out.size());
        };
        if (kind == SpdKind::DDR4 && page == 1) {
            read_range(kSpdPage, out.subspan(kSpdPage), tick);
            read_range(0, out.first(kSpdPage), tick);
        } else {
            read_range(0, out, tick);
        }
    }

    // Where the bus really is (RPA), at the start of every operation: another program may have
    // switched pages since. The constructor's own RPA answer serves the first operation.
    void confirm_page() {
        if (!page_fresh)
            page = bus.probe(kRpa) ? 0 : -1; // NACK: page 1 or a glitch; select explicitly
        page_fresh = false;
    }

    // Restores EE1004 page 0 when a scope is left, by return or by exception.
    class PageGuard {
    public:
        explicit PageGuard(Impl& d) : d_(d) {}
        ~PageGuard() { d_.restore_page0(); }
        PageGuard(const PageGuard&) = delete;
        PageGuard& operator=(const PageGuard&) = delete;

    private:
        Impl& d_;
    };

    void read_ddr5(std::span<std::uint8_t> out, const Progress& progress);

    // EE1004 block status via RPS0-3. Several modules answer together (wired-AND): a NACK then
    // still proves protection, an ACK proves nothing.
    std::vector<std::optional<bool>> rps_status(const std::set<std::size_t>& blocks) {
        std::vector<std::optional<bool>> st(4);
        const bool alone = on_bus.size() == 1;
        for (auto b : blocks) {
            if (!bus.probe(kBlockCmd[b]))
                st[b] = true;
            else if (alone)
                st[b] = false;
        }
        return st;
    }

    void check_target(const Image& target) const;
    void write_page(std::size_t off, std::span<const std::uint8_t> data, detail::AckPoller& poll,
                    bool first);
    std::vector<std::size_t> write_pages(const std::vector<std::size_t>& pages,
                                         const std::vector<std::uint8_t>& target,
                                         detail::AckPoller& poll, const Progress& progress,
                                         bool nothing_written_yet);
    WriteResult write_image(const std::vector<std::uint8_t>& target, const WriteOptions& opts);
    void run_protection_command(std::uint8_t cmd, std::string_view what);
};

SpdDevice::SpdDevice(Bus& bus, std::uint8_t addr) : SpdDevice(bus, addr, SpdKind::None) {}

SpdDevice::SpdDevice(Bus& bus, std::uint8_t addr, SpdKind assumed)
    : impl_(std::make_unique<Impl>(bus, addr)) {
    if (assumed != SpdKind::None && assumed != SpdKind::DDR3 && assumed != SpdKind::DDR4)
        throw UsageError(fmt::format("only DDR3 or DDR4 can be assumed for the SPD at {}, not {}",
                                     hex_addr(addr), to_string(assumed)));
    if (addr < detail::kFirstSpd || addr > detail::kLastSpd)
        throw UsageError(fmt::format("SPD EEPROMs live at 0x50-0x57, not at {}", hex_addr(addr)));
    auto& d = *impl_;
    std::optional<Found> self;
    try {
        self = identify(bus, addr, 3);
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("identifying the SPD at {}", hex_addr(addr)));
    }
    if (!self) {
        throw NackError(fmt::format("{}: no SPD EEPROM answers at {} (is the module seated and "
                                    "powered?)",
                                    bus.describe(), hex_addr(addr)),
                        ENXIO, addr);
    }
    d.kind = self->kind;
    d.byte2 = self->byte2;
    if (assumed != SpdKind::None && d.kind != SpdKind::Unknown && d.kind != assumed) {
        throw RefusedError(fmt::format("{}: the SPD at {} holds a {} image (byte 2 = 0x{:02x}), "
                                       "not {} as asserted; nothing was sent",
                                       bus.describe(), hex_addr(addr), to_string(d.kind), d.byte2,
                                       to_string(assumed)));
    }
    if (d.kind == SpdKind::Unknown)
        d.assumed = assumed;
    try {
        d.rescan(3);
        if ((d.kind == SpdKind::DDR4 || d.assumed == SpdKind::DDR4) &&
            detail::confirm_ee1004(bus, d.on_bus)) {
            d.page = 0;
            d.page_fresh = true;
        }
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("scanning {}", bus.describe()));
    }
    for (const auto& f : d.on_bus) {
        if (f.addr == addr)
            d.kind = f.kind; // DDR4 only with an EE1004 answering RPA
    }
    if (d.assumed == SpdKind::DDR4 && !d.page_fresh) {
        std::string others;
        for (const auto& f : d.on_bus) {
            if (f.addr != addr)
                others += fmt::format(", {} at {}", to_string(f.kind), hex_addr(f.addr));
        }
        throw RefusedError(fmt::format(
            "{}: the SPD at {} cannot be confirmed as a DDR4 EE1004: {}; nothing was sent to "
            "0x30-0x37",
            bus.describe(), hex_addr(addr),
            others.empty() ? std::string("no EE1004 answered RPA at 0x36")
                           : "the bus also holds" + others.substr(1) +
                                 " (DDR4 page commands need every module to be DDR4)"));
    }
}

SpdDevice::~SpdDevice() {
    if (impl_)
        impl_->restore_page0();
}

SpdKind SpdDevice::kind() const noexcept {
    return impl_->kind;
}
std::uint8_t SpdDevice::addr() const noexcept {
    return impl_->addr;
}
std::size_t SpdDevice::size() const noexcept {
    return device_size(impl_->kind);
}

Image SpdDevice::read(const Progress& progress) {
    auto& d = *impl_;
    std::vector<std::uint8_t> bytes(size());
    if (d.kind == SpdKind::DDR4)
        d.require_page_commands("read");
    Impl::PageGuard guard(d);
    try {
        if (d.kind == SpdKind::DDR5) {
            d.read_ddr5(bytes, progress);
        } else {
            if (d.kind == SpdKind::DDR4)
                d.confirm_page();
            d.read_all(bytes, "read", progress);
            if (d.kind == SpdKind::DDR4)
                d.select_page(0);
        }
    } catch (const BusError&) {
        d.known.reset();
        detail::rethrow_with_context(fmt::format("reading the {}", d.who()));
    }
    d.known = bytes;
    return Image(std::move(bytes));
}

// SPD5118 in legacy 1-byte mode: MR11[2:0] selects a 128-byte NVM page, seen at 0x80-0xFF.
// Reads use a repeated START (write_read); MR11 is restored on every exit path.
void SpdDevice::Impl::read_ddr5(std::span<std::uint8_t> out, const Progress& progress) {
    constexpr std::uint8_t kMr11 = 11;
    std::array<std::uint8_t, 1> mr11{};
    detail::read_chunked(bus, addr, 1, kMr11, mr11, kSpdPage);
    if (mr11[0] & 0x08) {
        throw RefusedError(fmt::format("{}: the DDR5 hub at {} is in 2-byte addressing mode "
                                       "(MR11 = 0x{:02x}, set by firmware); not supported",
                                       bus.describe(), hex_addr(addr), mr11[0]));
    }
    struct Mr11Guard {
        Bus& bus;
        std::uint8_t addr;
        std::uint8_t original;
        bool changed = false;
        ~Mr11Guard() {
            if (!changed)
                return;
            try {
                const std::array<std::uint8_t, 2> w{kMr11, original};
                bus.write(addr, w);
            } catch (...) {
            }
        }
    } guard{bus, addr, mr11[0]};
    std::size_t done = 0;
    for (std::uint8_t p = 0; p < 8; ++p) {
        if ((mr11[0] & 0x07) != p || guard.changed) {
            const std::array<std::uint8_t, 2> w{kMr11, p};
            bus.write(addr, w);
            guard.changed = true;
        }
        detail::read_chunked(bus, addr, 1, 0x80, out.subspan(p * 128u, 128), kSpdPage,
                             [&](std::size_t n) {
                                 done += n;
                                 if (progress)
                                     progress("read", done, out.size());
                             });
    }
}

void SpdDevice::Impl::check_target(const Image& target) const {
    if (kind != SpdKind::DDR3 && kind != SpdKind::DDR4) {
        throw RefusedError(
            fmt::format("{}: writing {} SPD devices is not supported yet", who(), to_string(kind)));
    }
    const std::size_t n = device_size(kind);
    if (target.size() != n) {
        throw RefusedError(fmt::format("refusing to write a {}-byte image to the {}: it holds {} "
                                       "bytes",
                                       target.size(), who(), n));
    }
    if (kind_of(target.memory_type()) != kind) {
        throw RefusedError(fmt::format("refusing to write the image to the {}: the image is {} "
                                       "(byte 2 = 0x{:02x}), the module is {}",
                                       who(), to_string(target.memory_type()), target[2],
                                       to_string(kind)));
    }
}

// One 16-byte page (in chunks the adapter can carry). Each chunk's write cycle is left running:
// the next chunk polls with its own address phase, anything else waits for poll.settle(). A
// device refusing the data of the very first chunk of an operation has a write-protected
// block and nothing was written: a refusal, not an I/O error.
void SpdDevice::Impl::write_page(std::size_t off, std::span<const std::uint8_t> data,
                                 detail::AckPoller& poll, bool first) {
    if (kind == SpdKind::DDR4 && page != static_cast<int>(off / kSpdPage)) {
        poll.settle(); // a busy EE1004 NACKs SPA and RPA too
        select_page(static_cast<int>(off / kSpdPage));
    }
    const std::size_t chunk = std::min(kWritePage, detail::max_write_data(bus, 1));
    std::array<std::uint8_t, 1 + kWritePage> frame{};
    for (std::size_t done = 0; done < data.size(); done += chunk) {
        const std::size_t n = std::min(chunk, data.size() - done);
        frame[0] = static_cast<std::uint8_t>((off + done) % kSpdPage);
        std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(done), n, frame.begin() + 1);
        try {
            poll.write(addr, std::span<const std::uint8_t>(frame.data(), n + 1));
        } catch (const NackError& e) {
            const std::size_t block = (off + done) / kBlock;
            if (first && done == 0) {
                throw RefusedError(fmt::format(
                    "the {} refused data for offset 0x{:03x}: block {} (bytes {}-{}) is "
                    "write-protected{}. Nothing was written.",
                    who(), off + done, block, block * kBlock, block * kBlock + kBlock - 1,
                    kind == SpdKind::DDR3 ? " (RSWP or permanent PSWP)" : ""));
            }
            throw NackError(fmt::format("the {} refused data for offset 0x{:03x} (block {} "
                                        "write-protected?): {}",
                                        who(), off + done, block, e.what()),
                            e.errno_value(), e.addr());
        }
    }
}

// Writes the given pages, those in the current EE1004 page first. Returns them in write order.
std::vector<std::size_t> SpdDevice::Impl::write_pages(const std::vector<std::size_t>& pages,
                                                      const std::vector<std::uint8_t>& target,
                                                      detail::AckPoller& poll,
                                                      const Progress& progress,
                                                      bool nothing_written_yet) {
    std::vector<std::size_t> order = pages;
    if (kind == SpdKind::DDR4 && page == 1) {
        std::stable_partition(order.begin(), order.end(),
                              [](std::size_t off) { return off >= kSpdPage; });
    }
    const std::size_t total = order.size() * kWritePage;
    std::size_t done = 0;
    for (auto off : order) {
        write_page(off, std::span(target).subspan(off, kWritePage), poll,
                   nothing_written_yet && done == 0);
        done += kWritePage;
        if (progress)
            progress("write", done, total);
    }
    return order;
}

WriteResult SpdDevice::Impl::write_image(const std::vector<std::uint8_t>& target,
                                         const WriteOptions& opts) {
    const std::size_t n = target.size();
    auto differing = [&](const std::vector<std::uint8_t>& have) {
        std::vector<std::size_t> pages;
        for (std::size_t off = 0; off < n; off += kWritePage) {
            if (!std::equal(have.begin() + static_cast<std::ptrdiff_t>(off),
                            have.begin() + static_cast<std::ptrdiff_t>(off + kWritePage),
                            target.begin() + static_cast<std::ptrdiff_t>(off)))
                pages.push_back(off);
        }
        return pages;
    };

    if (kind == SpdKind::DDR4)
        confirm_page();
    // What the device holds: the contents this object last read or verified (the final
    // read-back below catches anything changed behind our back), else a fresh read.
    std::vector<std::uint8_t> have(n);
    bool fresh = false;
    std::vector<std::size_t> pages;
    if (!opts.only_changed) {
        for (std::size_t off = 0; off < n; off += kWritePage)
            pages.push_back(off);
    } else {
        if (known && known->size() == n) {
            have = *known;
        } else {
            read_all(have, "read", opts.progress);
            fresh = true;
        }
        pages = differing(have);
    }

    WriteResult result;
    if (pages.empty() && fresh) {
        result.verified = true;
        known = have;
        return result;
    }

    // Protection, before anything is written.
    std::set<std::size_t> blocks;
    for (auto off : pages)
        blocks.insert(off / kBlock);
    std::set<std::size_t> locked;
    if (kind == SpdKind::DDR4 && !blocks.empty()) {
        const auto st = rps_status(blocks);
        for (auto b : blocks) {
            if (st[b].value_or(false))
                locked.insert(b);
        }
    }
    if (!locked.empty()) {
        throw RefusedError(fmt::format(
            "refusing to write the {}: the image differs in write-protected block(s) {}. "
            "Clearing protection (CWP) needs 7-10 V on SA0. Nothing was written.",
            who(), block_list(locked)));
    }

    detail::AckPoller poll(bus, opts.poll_interval_us, opts.poll_timeout_us);
    known.reset();
    result.pages_written = write_pages(pages, target, poll, opts.progress, true);
    result.bytes_written = result.pages_written.size() * kWritePage;
    poll.settle();

    // One read-back of every byte, then bounded rewrites of pages still differing.
    std::vector<std::uint8_t> back(n);
    read_all(back, "verify", opts.progress);
    // A stale remembered baseline may hide pages that never got written: one extra round.
    const unsigned rounds = opts.max_retries + ((opts.only_changed && !fresh) ? 1u : 0u);
    for (unsigned round = 0; round < rounds; ++round) {
        auto bad = differing(back);
        // Pages in blocks found protected stay mismatched rather than being forced.
        if (kind == SpdKind::DDR4) {
            std::set<std::size_t> retry_blocks;
            for (auto off : bad)
                retry_blocks.insert(off / kBlock);
            const auto st = rps_status(retry_blocks);
            std::erase_if(bad, [&](std::size_t off) { return st[off / kBlock].value_or(false); });
        }
        if (bad.empty())
            break;
        auto order = write_pages(bad, target, poll, opts.progress, false);
        result.pages_written.insert(result.pages_written.end(), order.begin(), order.end());
        result.bytes_written += order.size() * kWritePage;
        poll.settle();
        std::size_t done = 0;
        for (auto off : order) {
            read_range(off, std::span(back).subspan(off, kWritePage), [&](std::size_t k) {
                done += k;
                if (opts.progress)
                    opts.progress("verify", done, order.size() * kWritePage);
            });
        }
    }
    result.mismatches = detail::mismatch_ranges(back, target);
    result.verified = result.mismatches.empty();
    if (kind == SpdKind::DDR4)
        select_page(0);
    known = std::move(back);
    return result;
}

WriteResult SpdDevice::write(const Image& target, const WriteOptions& opts) {
    auto& d = *impl_;
    d.check_target(target);
    try {
        // A write cycle may still be running (an earlier operation that timed out).
        detail::AckPoller(d.bus, opts.poll_interval_us, opts.poll_timeout_us).wait_ready(d.addr);
        if (d.kind == SpdKind::DDR4)
            d.rescan(1); // merged with the constructor's scan
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("preparing to write the {}", d.who()));
    }
    if (d.kind == SpdKind::DDR4)
        d.require_page_commands("write");
    Impl::PageGuard guard(d);
    try {
        return d.write_image(target.bytes(), opts);
    } catch (const BusError&) {
        d.known.reset();
        detail::rethrow_with_context(fmt::format("writing the {}", d.who()));
    } catch (...) {
        d.known.reset();
        throw;
    }
}

std::vector<std::optional<bool>> SpdDevice::protection(bool vhv_confirmed) {
    auto& d = *impl_;
    try {
        switch (d.kind) {
        case SpdKind::DDR4: {
            d.require_page_commands("read the write protection");
            return d.rps_status({0, 1, 2, 3});
        }
        case SpdKind::DDR3:
            if (!vhv_confirmed)
                return {std::nullopt}; // Read-RSWP needs VHV on DDR3-class parts
            d.rescan(3);
            d.require_single_module("read the write protection (RSWP)");
            return {!d.bus.probe(kDdr3Rswp)};
        default:
            break;
        }
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("reading the protection of the {}", d.who()));
    }
    throw RefusedError(fmt::format("{}: write protection of {} SPD devices is not supported",
                                   d.who(), to_string(d.kind)));
}

bool SpdDevice::permanent_protection() {
    auto& d = *impl_;
    if (d.kind == SpdKind::DDR4)
        return false; // EE1004 has no PSWP
    if (d.kind != SpdKind::DDR3) {
        throw RefusedError(
            fmt::format("{}: permanent protection applies to DDR3 SPD EEPROMs only", d.who()));
    }
    // Read PSWP: a read (never a write) at the module's own 0x30 | SA; ACK = not set.
    try {
        d.rescan(3);
        d.require_single_module("read the permanent protection (PSWP)");
        return !d.bus.probe(static_cast<std::uint8_t>(0x30 | (d.addr & 7)));
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("reading PSWP of the {}", d.who()));
    }
}

// A set/clear command (dummy word address and data), its nonvolatile write cycle, ACK polling.
void SpdDevice::Impl::run_protection_command(std::uint8_t cmd, std::string_view what) {
    const std::array<std::uint8_t, 2> dummy{0x00, 0x00};
    try {
        bus.write(cmd, dummy);
    } catch (const NackError& e) {
        throw NackError(fmt::format("{}: {} (write to {}) was not acknowledged; is 7-10 V applied "
                                    "to SA0 of the module at {}? ({})",
                                    bus.describe(), what, hex_addr(cmd), hex_addr(addr), e.what()),
                        e.errno_value(), cmd);
    }
    detail::AckPoller poll(bus, kProtectPollInterval, kProtectPollTimeout);
    poll.wait_ready(addr);
}

void SpdDevice::set_protection(unsigned block_mask, bool vhv_confirmed) {
    auto& d = *impl_;
    if (!vhv_confirmed)
        throw RefusedError(fmt::format("refusing to set write protection on the {}: {}", d.who(),
                                       kVhvExplanation));
    Impl::PageGuard guard(d);
    try {
        d.rescan(3);
        if (d.kind == SpdKind::DDR4) {
            if (block_mask & ~0xFu)
                throw UsageError(fmt::format("DDR4 SPD blocks are 0-3; mask 0x{:x}", block_mask));
            d.require_page_commands("set the write protection of");
            d.require_single_module("set the write protection");
            for (std::size_t b = 0; b < 4; ++b) {
                if (!(block_mask & (1u << b)))
                    continue;
                d.run_protection_command(kBlockCmd[b], fmt::format("SWP{}", b));
                if (d.bus.probe(kBlockCmd[b])) {
                    throw BusError(fmt::format("{}: SWP{} was not applied (RPS{} still reports "
                                               "block {} writable); check the 7-10 V on SA0",
                                               d.bus.describe(), b, b, b),
                                   EIO, d.addr);
                }
            }
            return;
        }
        if (d.kind == SpdKind::DDR3) {
            if (block_mask & ~1u)
                throw UsageError("DDR3 SPD EEPROMs have one protectable block (0: bytes 0-127)");
            if (block_mask == 0)
                return;
            d.require_single_module("set the write protection (RSWP)");
            // 0x31 is also the Set-PSWP address of a DDR3 module strapped at 0x51: without the
            // high voltage that command would protect it forever.
            if ((d.addr & 7) == (kDdr3Rswp & 7)) {
                throw RefusedError(fmt::format(
                    "refusing Set-RSWP on the {}: at this address the command (0x31) is also its "
                    "permanent Set-PSWP command, which it would execute if the high voltage were "
                    "missing. Strap the module at 0x50 (SA2..SA0 low, VHV on SA0) instead",
                    d.who()));
            }
            d.run_protection_command(kDdr3Rswp, "Set-RSWP");
            if (d.bus.probe(kDdr3Rswp))
                throw BusError(fmt::format("{}: Set-RSWP was not applied; check the 7-10 V on SA0",
                                           d.bus.describe()),
                               EIO, d.addr);
            return;
        }
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("setting protection on the {}", d.who()));
    }
    throw RefusedError(fmt::format("{}: write protection of {} SPD devices is not supported",
                                   d.who(), to_string(d.kind)));
}

void SpdDevice::clear_protection(bool vhv_confirmed) {
    auto& d = *impl_;
    if (!vhv_confirmed)
        throw RefusedError(fmt::format("refusing to clear write protection on the {}: {}", d.who(),
                                       kVhvExplanation));
    Impl::PageGuard guard(d);
    try {
        d.rescan(3);
        if (d.kind == SpdKind::DDR4) {
            d.require_page_commands("clear the write protection of");
            d.require_single_module("clear the write protection");
            d.run_protection_command(kCwp, "CWP");
            for (std::size_t b = 0; b < 4; ++b) {
                if (!d.bus.probe(kBlockCmd[b]))
                    throw BusError(fmt::format("{}: CWP was not applied (RPS{} still reports block "
                                               "{} protected); check the 7-10 V on SA0",
                                               d.bus.describe(), b, b),
                                   EIO, d.addr);
            }
            return;
        }
        if (d.kind == SpdKind::DDR3) {
            d.require_single_module("clear the write protection (RSWP)");
            if ((d.addr & 7) == (kDdr3Crsp & 7)) {
                throw RefusedError(fmt::format(
                    "refusing Clear-RSWP on the {}: at this address the command (0x33) is also its "
                    "permanent Set-PSWP command",
                    d.who()));
            }
            d.run_protection_command(kDdr3Crsp, "Clear-RSWP");
            if (!d.bus.probe(kDdr3Rswp))
                throw BusError(fmt::format("{}: Clear-RSWP was not applied; check the 7-10 V on "
                                           "SA0 and SA1 high",
                                           d.bus.describe()),
                               EIO, d.addr);
            return;
        }
    } catch (const BusError&) {
        detail::rethrow_with_context(fmt::format("clearing protection on the {}", d.who()));
    }
    throw RefusedError(fmt::format("{}: write protection of {} SPD devices is not supported",
                                   d.who(), to_string(d.kind)));
}

} // namespace ddrspd
