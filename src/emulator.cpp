// SPDX-License-Identifier: GPL-2.0-or-later
// The emulated bus: drives the chip models byte by byte (src/emu/), charges every START, STOP
// and byte to a simulated clock, and imposes the adapter's limits (full I2C like bcm2835 or
// SMBus-only like i801) with the errors those adapters give.
#include "emu/chip.hpp"
#include "emu/spec.hpp"

#include <ddrspd/emulator.hpp>
#include <ddrspd/error.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

namespace ddrspd {

namespace {

constexpr std::size_t i2c_max_read = 256;
constexpr std::size_t i2c_max_write = 258; // 2 word-address bytes + a 256-byte page
constexpr std::size_t smbus_block_max = 32;

constexpr std::string_view pswp_suffix = ".pswp";

AdapterCaps caps_for(bool smbus_only) {
    AdapterCaps caps;
    caps.full_i2c = !smbus_only;
    caps.smbus_block_read = true;
    caps.smbus_block_write = true;
    caps.smbus_byte_data = true;
    caps.smbus_byte = true;
    caps.max_read = smbus_only ? smbus_block_max : i2c_max_read;
    caps.max_write = smbus_only ? 1 + smbus_block_max : i2c_max_write;
    return caps;
}

bool is_spd_addr(std::uint8_t addr) {
    return (addr & 0x78) == 0x50;
}

// Rethrows a UsageError with the spec item in front.
template <typename F>
void for_item(const std::string& item, F&& f) {
    try {
        f();
    } catch (const UsageError& e) {
        throw UsageError(fmt::format("emulator spec item '{}': {}", item, e.what()));
    }
}

} // namespace

struct EmulatedBus::Impl {
    class SimClock final : public Clock {
    public:
        explicit SimClock(Impl& impl) : impl_(impl) {}
        std::uint64_t now_us() override { return impl_.now_ns / 1000; }
        void sleep_us(std::uint64_t us) override { impl_.now_ns += us * 1000; }

    private:
        Impl& impl_;
    };

    struct Backing {
        std::string path;
        std::vector<std::uint8_t> saved; // contents as last loaded or written
        bool pswp_saved = false;
    };

    explicit Impl(EmuOptions o) : opts(o), caps(caps_for(o.smbus_only)), clock(*this) {
        if (opts.hz == 0) {
            throw UsageError("emulated bus: hz must be positive");
        }
        period_ns = (1000000000ULL + opts.hz / 2) / opts.hz;
    }

    EmuOptions opts;
    AdapterCaps caps;
    std::uint64_t period_ns = 10000;
    std::uint64_t now_ns = 0;
    BusStats stats;
    std::vector<std::unique_ptr<emu::Chip>> chips;
    std::set<std::uint8_t> absent;
    std::vector<Transfer> transfers;
    std::size_t traced = 0; // transfers already appended to $DDRSPD_EMU_TRACE
    SimClock clock;
    std::map<std::uint8_t, Backing> files;
    std::vector<emu::Chip*> selected;
    bool repeated = false;

    emu::Chip* find(std::uint8_t addr) const {
        for (const auto& chip : chips) {
            if (chip->base() == addr) {
                return chip.get();
            }
        }
        return nullptr;
    }

    emu::Chip& chip(std::uint8_t addr) const {
        if (auto* c = find(addr)) {
            return *c;
        }
        throw UsageError(
            fmt::format("no emulated device was added at {} on {}", hex_addr(addr), describe()));
    }

    static std::vector<std::uint8_t> padded(emu::Chip& chip, std::vector<std::uint8_t> bytes) {
        std::size_t size = chip.memory().size();
        if (bytes.size() > size) {
            throw UsageError(fmt::format("{} bytes given for a {} of {} bytes", bytes.size(),
                                         chip.kind(), size));
        }
        bytes.resize(size, 0xFF);
        return bytes;
    }

    void add(std::string_view kind, std::uint8_t addr, std::vector<std::uint8_t> contents) {
        std::unique_ptr<emu::Chip> chip;
        if (!is_spd_addr(addr)) {
            throw UsageError(fmt::format("{} at {}: SPD and 24xx EEPROMs answer at 0x50-0x57", kind,
                                         hex_addr(addr)));
        }
        if (kind == "ddr4") {
            chip = emu::make_ee1004(addr, opts.temperature_c);
        } else if (kind == "ddr3") {
            chip = emu::make_ee1002(addr, opts.temperature_c);
        } else if (kind == "ddr5") {
            chip = emu::make_spd5118(addr, opts.temperature_c);
        } else if (const auto* model = emu::find_at24(kind)) {
            if (model->block_bits > 0 &&
                (addr & ((1U << model->block_bits) - 1) << model->block_shift) != 0) {
                throw UsageError(fmt::format(
                    "a {} uses the device address bits for its memory blocks: add it once at "
                    "its base address ({})",
                    kind,
                    hex_addr(addr & ~(((1U << model->block_bits) - 1) << model->block_shift))));
            }
            chip = emu::make_at24(*model, addr);
        } else {
            std::string names = "ddr3, ddr4, ddr5";
            for (const auto& m : emu::at24_models()) {
                names += fmt::format(", {}", m.name);
            }
            throw UsageError(fmt::format("unknown device '{}' (devices: {})", kind, names));
        }
        for (std::uint8_t a : chip->claimed()) {
            for (const auto& other : chips) {
                auto taken = other->claimed();
                if (std::find(taken.begin(), taken.end(), a) != taken.end()) {
                    throw UsageError(fmt::format("{}@{} would share address {} with {}@{}", kind,
                                                 hex_addr(addr), hex_addr(a), other->kind(),
                                                 hex_addr(other->base())));
                }
            }
        }
        chip->memory() = padded(*chip, std::move(contents));
        chips.push_back(std::move(chip));
    }

    bool present(const emu::Chip& c) const { return absent.count(c.base()) == 0; }

    emu::Env env() {
        emu::Env e;
        e.now_ns = now_ns;
        e.twr_ns = static_cast<std::uint64_t>(opts.twr_us) * 1000;
        e.repeated_start = repeated;
        e.stats = &stats;
        return e;
    }

    // --- the wire: START/Sr/STOP cost about one SCL period, every byte 9 (8 bits + ACK) ---

    void start() {
        ++stats.transactions;
        repeated = false;
        now_ns += period_ns;
    }

    bool address(std::uint8_t addr, bool read) {
        auto e = env();
        selected.clear();
        for (const auto& c : chips) {
            if (present(*c) && c->on_address(addr, read, e)) {
                selected.push_back(c.get());
            }
        }
        ++stats.bytes_on_wire;
        now_ns += 9 * period_ns;
        return !selected.empty();
    }

    bool send(std::uint8_t byte) {
        auto e = env();
        bool ack = false;
        for (auto* c : selected) {
            if (c->on_write(byte, e)) {
                ack = true; // wired: one ACK pulls SDA low
            }
        }
        ++stats.bytes_on_wire;
        now_ns += 9 * period_ns;
        return ack;
    }

    std::uint8_t recv() {
        auto e = env();
        std::uint8_t value = 0xFF;
        for (auto* c : selected) {
            value &= c->on_read(e); // open drain: wired-AND
        }
        ++stats.bytes_on_wire;
        now_ns += 9 * period_ns;
        return value;
    }

    void end_message(bool stop) {
        auto e = env();
        for (auto* c : selected) {
            c->on_end(stop, e);
        }
        selected.clear();
    }

    void restart() {
        now_ns += period_ns;
        end_message(false);
        repeated = true;
    }

    void stop() {
        now_ns += period_ns;
        end_message(true);
    }

    // --- transactions ---

    int nack_errno() const { return opts.smbus_only ? ENXIO : EREMOTEIO; }

    [[noreturn]] void no_answer(std::uint8_t addr) const {
        throw NackError(fmt::format("no device answered at {} on {}", hex_addr(addr), describe()),
                        nack_errno(), addr);
    }

    [[noreturn]] void data_nack(std::uint8_t addr, std::size_t index, std::size_t total) const {
        throw NackError(fmt::format("device at {} on {} NACKed data byte {} of {} "
                                    "(write-protected block?)",
                                    hex_addr(addr), describe(), index, total),
                        nack_errno(), addr);
    }

    [[noreturn]] void unsupported(std::uint8_t addr, const std::string& what) const {
        throw BusError(fmt::format("{} is an SMBus-only adapter: it cannot {} (needs a full I2C "
                                   "adapter)",
                                   describe(), what),
                       EOPNOTSUPP, addr);
    }

    [[noreturn]] void too_long(std::uint8_t addr, std::string_view what, std::size_t n,
                               std::size_t max) const {
        throw BusError(fmt::format("{} of {} bytes at {} exceeds the {}-byte limit of {}", what, n,
                                   hex_addr(addr), max, describe()),
                       EINVAL, addr);
    }

    void check_addr(std::uint8_t addr) const {
        if (addr > 0x7F) {
            throw BusError(fmt::format("{} is not a 7-bit I2C address", hex_addr(addr)), EINVAL,
                           addr);
        }
    }

    // START addr+W data... STOP. Returns normally only when everything was ACKed.
    void write_txn(std::uint8_t addr, std::span<const std::uint8_t> data) {
        start();
        bool ack = address(addr, false);
        std::size_t sent = 0;
        bool data_ok = true;
        while (ack && data_ok && sent < data.size()) {
            data_ok = send(data[sent++]);
        }
        stop();
        transfers.push_back({addr, false, sent, ack});
        if (!ack) {
            no_answer(addr);
        }
        if (!data_ok) {
            data_nack(addr, sent - 1, data.size());
        }
    }

    void read_txn(std::uint8_t addr, std::span<std::uint8_t> rd) {
        start();
        bool ack = address(addr, true);
        if (ack) {
            for (auto& byte : rd) {
                byte = recv();
            }
        }
        stop();
        transfers.push_back({addr, true, ack ? rd.size() : 0, ack});
        if (!ack) {
            no_answer(addr);
        }
    }

    // START addr+W wr... Sr addr+R rd... STOP
    void combined_txn(std::uint8_t addr, std::span<const std::uint8_t> wr,
                      std::span<std::uint8_t> rd) {
        start();
        bool ack = address(addr, false);
        std::size_t sent = 0;
        bool data_ok = true;
        while (ack && data_ok && sent < wr.size()) {
            data_ok = send(wr[sent++]);
        }
        transfers.push_back({addr, false, sent, ack});
        if (!ack || !data_ok) {
            stop();
            if (!ack) {
                no_answer(addr);
            }
            data_nack(addr, sent - 1, wr.size());
        }
        restart();
        ack = address(addr, true);
        if (ack) {
            for (auto& byte : rd) {
                byte = recv();
            }
        }
        stop();
        transfers.push_back({addr, true, ack ? rd.size() : 0, ack});
        if (!ack) {
            no_answer(addr);
        }
    }

    void write(std::uint8_t addr, std::span<const std::uint8_t> data) {
        check_addr(addr);
        if (opts.smbus_only && data.size() > caps.max_write) {
            unsupported(addr, fmt::format("write {} bytes in one transfer (at most 1 + {}: "
                                          "I2C block write)",
                                          data.size(), smbus_block_max));
        }
        if (data.size() > caps.max_write) {
            too_long(addr, "write", data.size(), caps.max_write);
        }
        write_txn(addr, data);
    }

    void read(std::uint8_t addr, std::span<std::uint8_t> rd) {
        check_addr(addr);
        if (opts.smbus_only && rd.size() > 1) {
            unsupported(addr, fmt::format("read {} bytes without a command byte (receive byte "
                                          "reads 1)",
                                          rd.size()));
        }
        if (rd.size() > caps.max_read) {
            too_long(addr, "read", rd.size(), caps.max_read);
        }
        read_txn(addr, rd);
    }

    void write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                    std::span<std::uint8_t> rd) {
        check_addr(addr);
        if (wr.empty()) {
            throw BusError(fmt::format("write_read at {} on {} without a word address",
                                       hex_addr(addr), describe()),
                           EINVAL, addr);
        }
        if (!opts.smbus_only) {
            if (wr.size() > caps.max_write) {
                too_long(addr, "write", wr.size(), caps.max_write);
            }
            if (rd.size() > caps.max_read) {
                too_long(addr, "read", rd.size(), caps.max_read);
            }
            combined_txn(addr, wr, rd);
            return;
        }
        if (wr.size() == 1 && !rd.empty() && rd.size() <= smbus_block_max) {
            // read byte data (rd == 1) or I2C block read: the same frame on the wire
            combined_txn(addr, wr, rd);
            return;
        }
        if (wr.size() == 2 && !rd.empty()) {
            // 2-byte word address (eeprog's trick): write byte data sets the pointer, then one
            // receive byte per data byte. Not atomic, and on a 1-byte-address chip the
            // "write byte data" really writes a byte - as on the real adapter.
            write_txn(addr, wr);
            for (std::size_t i = 0; i < rd.size(); ++i) {
                read_txn(addr, rd.subspan(i, 1));
            }
            return;
        }
        unsupported(addr, fmt::format("do a combined transfer writing {} and reading {} bytes "
                                      "(SMBus: 1 command byte + up to {} bytes, or a 2-byte "
                                      "address + byte reads)",
                                      wr.size(), rd.size(), smbus_block_max));
    }

    std::string describe() const {
        std::string s = "emu:";
        auto item = [&s](const std::string& text) {
            if (s.size() > 4) {
                s += ',';
            }
            s += text;
        };
        for (const auto& c : chips) {
            std::string text = fmt::format("{}@{}", c->kind(), hex_addr(c->base()));
            if (auto it = files.find(c->base()); it != files.end()) {
                text += "=" + it->second.path;
            }
            item(text);
        }
        EmuOptions defaults;
        if (opts.hz != defaults.hz) {
            item(fmt::format("hz={}", opts.hz));
        }
        if (opts.twr_us != defaults.twr_us) {
            item(fmt::format("twr_us={}", opts.twr_us));
        }
        if (opts.smbus_only) {
            item("smbus=1");
        }
        return s;
    }

    // Test hook for fault campaigns run through the tools: the chips live only inside the
    // tool's process, so with DDRSPD_EMU_TRACE=FILE every close() appends the transfers not yet
    // traced ("0x36 W 1 ack") and the EE1004 page then selected ("page 0") to FILE.
    void trace_to_env_file(int page) {
        const char* path = std::getenv("DDRSPD_EMU_TRACE");
        if (path == nullptr || *path == '\0') {
            return;
        }
        std::string text;
        for (std::size_t i = traced; i < transfers.size(); ++i) {
            const Transfer& t = transfers[i];
            text += fmt::format("{} {} {} {}\n", hex_addr(t.addr), t.read ? 'R' : 'W', t.bytes,
                                t.acked ? "ack" : "nack");
        }
        text += fmt::format("page {}\n", page);
        std::FILE* f = std::fopen(path, "a");
        bool ok = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
        if (f != nullptr) {
            ok = std::fclose(f) == 0 && ok;
        }
        if (!ok) {
            throw FileError(fmt::format("cannot append the emulator trace to {} "
                                        "(DDRSPD_EMU_TRACE): {}",
                                        path, std::strerror(errno)));
        }
        traced = transfers.size();
    }

    void close() {
        std::exception_ptr first;
        for (auto& [addr, backing] : files) {
            emu::Chip& c = chip(addr);
            try {
                if (c.memory() != backing.saved) {
                    emu::write_file_atomic(backing.path, c.memory());
                    backing.saved = c.memory();
                }
                if (c.pswp() && !backing.pswp_saved) {
                    static constexpr std::string_view note =
                        "DDR3 permanent software write protection (PSWP) was set on this "
                        "emulated SPD EEPROM.\n";
                    emu::write_file_atomic(
                        backing.path + std::string(pswp_suffix),
                        {reinterpret_cast<const std::uint8_t*>(note.data()), note.size()});
                    backing.pswp_saved = true;
                }
            } catch (...) {
                if (!first) {
                    first = std::current_exception();
                }
            }
        }
        if (first) {
            std::rethrow_exception(first);
        }
    }
};

EmulatedBus::EmulatedBus(EmuOptions opts) : impl_(std::make_unique<Impl>(opts)) {}

EmulatedBus::~EmulatedBus() {
    try {
        close();
    } catch (...) { // NOLINT(bugprone-empty-catch): a destructor must not throw
    }
}

std::unique_ptr<EmulatedBus> EmulatedBus::from_spec(std::string_view spec) {
    emu::Spec parsed = emu::parse_spec(spec);
    auto bus = std::make_unique<EmulatedBus>(parsed.opts);
    Impl& impl = *bus->impl_;
    for (const auto& device : parsed.devices) {
        std::vector<std::uint8_t> contents;
        if (device.file) {
            if (auto bytes = emu::read_file_if_exists(*device.file)) {
                contents = std::move(*bytes);
            }
        }
        for_item(device.item, [&] {
            impl.add(device.kind, device.addr, std::move(contents));
            if (device.file) {
                bus->attach_file(device.addr, *device.file);
                if (emu::file_exists(*device.file + std::string(pswp_suffix))) {
                    impl.chip(device.addr).set_pswp();
                    impl.files[device.addr].pswp_saved = true;
                }
            }
        });
    }
    for (const auto& v : parsed.vhv) {
        for_item(v.item, [&] { impl.chip(v.addr).set_vhv(true); });
    }
    for (const auto& wp : parsed.wp) {
        for_item(wp.item, [&] { impl.chip(wp.addr).set_protection(wp.value); });
    }
    for (const auto& page : parsed.page) {
        for_item(page.item, [&] {
            emu::Chip& c = impl.chip(page.addr);
            if (page.value > c.memory().size()) {
                throw UsageError(
                    fmt::format("page of {} bytes is larger than the {}", page.value, c.kind()));
            }
            c.set_page_size(page.value);
        });
    }
    return bus;
}

void EmulatedBus::add_ddr4(std::uint8_t addr, std::vector<std::uint8_t> contents) {
    impl_->add("ddr4", addr, std::move(contents));
}

void EmulatedBus::add_ddr3(std::uint8_t addr, std::vector<std::uint8_t> contents) {
    impl_->add("ddr3", addr, std::move(contents));
}

void EmulatedBus::add_24xx(std::string_view model, std::uint8_t addr,
                           std::vector<std::uint8_t> contents) {
    impl_->add(model, addr, std::move(contents));
}

void EmulatedBus::attach_file(std::uint8_t addr, std::string path) {
    emu::Chip& c = impl_->chip(addr);
    bool pswp_saved = emu::file_exists(path + std::string(pswp_suffix));
    impl_->files[addr] = Impl::Backing{std::move(path), c.memory(), pswp_saved};
}

std::vector<std::uint8_t> EmulatedBus::contents(std::uint8_t addr) const {
    return impl_->chip(addr).memory();
}

void EmulatedBus::set_contents(std::uint8_t addr, std::vector<std::uint8_t> bytes) {
    emu::Chip& c = impl_->chip(addr);
    c.memory() = Impl::padded(c, std::move(bytes));
}

void EmulatedBus::set_vhv(std::uint8_t addr, bool on) {
    impl_->chip(addr).set_vhv(on);
}

void EmulatedBus::set_protection(std::uint8_t addr, unsigned block_mask) {
    impl_->chip(addr).set_protection(block_mask);
}

unsigned EmulatedBus::protection(std::uint8_t addr) const {
    return impl_->chip(addr).protection();
}

bool EmulatedBus::pswp_set(std::uint8_t addr) const {
    return impl_->chip(addr).pswp();
}

int EmulatedBus::ee1004_page() const {
    const emu::Chip* lowest = nullptr;
    for (const auto& c : impl_->chips) {
        if (c->ee1004_page() >= 0 && impl_->present(*c) &&
            (lowest == nullptr || c->base() < lowest->base())) {
            lowest = c.get();
        }
    }
    return lowest != nullptr ? lowest->ee1004_page() : 0;
}

void EmulatedBus::set_twr_us(std::uint32_t us) {
    impl_->opts.twr_us = us;
}

void EmulatedBus::set_present(std::uint8_t addr, bool present) {
    impl_->chip(addr); // must exist
    if (!present) {
        impl_->absent.insert(addr);
        return;
    }
    if (impl_->absent.erase(addr) > 0) {
        for (const auto& c : impl_->chips) {
            if (c->base() == addr) {
                c->power_on();
            }
        }
    }
}

const std::vector<EmulatedBus::Transfer>& EmulatedBus::log() const noexcept {
    return impl_->transfers;
}

void EmulatedBus::close() {
    impl_->trace_to_env_file(ee1004_page());
    impl_->close();
}

void EmulatedBus::write(std::uint8_t addr, std::span<const std::uint8_t> data) {
    impl_->write(addr, data);
}

void EmulatedBus::write_read(std::uint8_t addr, std::span<const std::uint8_t> wr,
                             std::span<std::uint8_t> rd) {
    impl_->write_read(addr, wr, rd);
}

void EmulatedBus::read(std::uint8_t addr, std::span<std::uint8_t> rd) {
    impl_->read(addr, rd);
}

const AdapterCaps& EmulatedBus::caps() const {
    return impl_->caps;
}

std::string EmulatedBus::describe() const {
    return impl_->describe();
}

Clock& EmulatedBus::clock() {
    return impl_->clock;
}

std::optional<BusStats> EmulatedBus::stats() const {
    BusStats s = impl_->stats;
    s.simulated_time_us = impl_->now_ns / 1000;
    return s;
}

} // namespace ddrspd
