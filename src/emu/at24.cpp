// SPDX-License-Identifier: GPL-2.0-or-later
// Generic 24xx I2C EEPROMs (reference section 7.1): 1- or 2-byte word addresses, high address
// bits in the device address for the multi-address parts, page-write wrap, read rollover.
#include "emu/chip.hpp"

namespace ddrspd::emu {

const std::vector<At24Model>& at24_models() {
    // Page sizes: Microchip 24xx / Atmel AT24 typical values (ST M24C01/02 use 16: override
    // with page=ADDR:16). Read rollover across blocks follows the 24LC16B (whole-array
    // counter) and AT24CM01/M24M01/AT24CM02 (17/18-bit counter); Microchip's 24xx1025 keeps
    // sequential reads inside a 64 KiB block.
    static const std::vector<At24Model> models = {
        {"24c01", 128, 1, 8, 0, 0, true},         {"24c02", 256, 1, 8, 0, 0, true},
        {"24c04", 512, 1, 16, 1, 0, true},        {"24c08", 1024, 1, 16, 2, 0, true},
        {"24c16", 2048, 1, 16, 3, 0, true},       {"24c32", 4096, 2, 32, 0, 0, true},
        {"24c64", 8192, 2, 32, 0, 0, true},       {"24c128", 16384, 2, 64, 0, 0, true},
        {"24c256", 32768, 2, 64, 0, 0, true},     {"24c512", 65536, 2, 128, 0, 0, true},
        {"24c1024", 131072, 2, 256, 1, 0, true},  {"24cm01", 131072, 2, 256, 1, 0, true},
        {"24c1025", 131072, 2, 128, 1, 2, false}, {"24cm02", 262144, 2, 256, 2, 0, true},
    };
    return models;
}

const At24Model* find_at24(std::string_view name) {
    for (const auto& model : at24_models()) {
        if (model.name == name) {
            return &model;
        }
    }
    return nullptr;
}

namespace {

class At24 final : public Chip {
public:
    At24(const At24Model& model, std::uint8_t addr)
        : Chip(addr), model_(model), core_(model.size, model.page_size) {}

    std::string kind() const override { return std::string(model_.name); }

    std::vector<std::uint8_t> claimed() const override {
        std::vector<std::uint8_t> addrs;
        for (unsigned block = 0; block < 1U << model_.block_bits; ++block) {
            addrs.push_back(static_cast<std::uint8_t>(base() | block << model_.block_shift));
        }
        return addrs;
    }

    bool on_address(std::uint8_t addr, bool, const Env& env) override {
        unsigned mask = ((1U << model_.block_bits) - 1) << model_.block_shift;
        if ((addr & ~mask) != base() || core_.busy(env)) {
            return false;
        }
        block_ = (addr & mask) >> model_.block_shift;
        // The block bits of the device address replace the counter's high bits, for reads
        // (current-address reads included) as for writes [U: datasheets only describe the
        // random-read and write cases].
        pointer_ = block_base() | (pointer_ & (block_size() - 1));
        bytes_ = 0;
        return true;
    }

    bool on_write(std::uint8_t byte, const Env&) override {
        ++bytes_;
        if (bytes_ <= model_.addr_bytes) {
            word_ = (word_ << 8 | byte) & 0xFFFF;
            if (bytes_ == model_.addr_bytes) {
                // Unused high word-address bits are don't-care (24c01: 7 bits, 24c32: 12).
                pointer_ = block_base() | (word_ & (block_size() - 1));
                core_.begin_write(pointer_);
            }
            return true;
        }
        if (wp_pin_) {
            return false; // M24Cxx with WC high: data NACKed, nothing programmed
        }
        core_.latch(byte);
        return true;
    }

    std::uint8_t on_read(const Env&) override {
        std::uint8_t value = core_.mem[pointer_];
        if (model_.read_rolls_over_blocks) {
            pointer_ = (pointer_ + 1) % model_.size;
        } else {
            pointer_ = block_base() | ((pointer_ + 1) & (block_size() - 1));
        }
        return value;
    }

    void on_end(bool stop, const Env& env) override {
        if (stop && core_.pending()) {
            pointer_ = core_.last_offset() + 1;
            pointer_ = pointer_ % model_.size;
            core_.commit(base(), env);
        }
        core_.discard();
    }

    void power_on() override {
        core_.power_on();
        pointer_ = 0;
    }

    std::vector<std::uint8_t>& memory() override { return core_.mem; }
    // Bit 0 = the WP pin (the whole array read-only).
    void set_protection(unsigned mask) override {
        if (mask > 1) {
            unsupported("write-protect block other than 0 (the WP pin)");
        }
        wp_pin_ = mask != 0;
    }
    unsigned protection() const override { return wp_pin_ ? 1U : 0U; }
    void set_page_size(std::size_t bytes) override { core_.set_page_size(bytes); }

private:
    std::size_t block_size() const { return model_.size >> model_.block_bits; }
    std::size_t block_base() const { return block_ * block_size(); }

    const At24Model& model_;
    EepromCore core_;
    std::size_t pointer_ = 0;
    std::size_t block_ = 0;
    std::size_t word_ = 0;
    unsigned bytes_ = 0;
    bool wp_pin_ = false;
};

} // namespace

std::unique_ptr<Chip> make_at24(const At24Model& model, std::uint8_t addr) {
    return std::make_unique<At24>(model, addr);
}

} // namespace ddrspd::emu
