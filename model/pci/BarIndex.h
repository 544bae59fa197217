// BarIndex: which BAR of a function a register access hit, attached by the PCI host to the
// transaction it forwards to the device (whose address is then the offset in that BAR). A
// transaction without it is for BAR0.
#pragma once

#include <tlm>

namespace staleline {

struct BarIndex : tlm::tlm_extension<BarIndex> {
    explicit BarIndex(unsigned i = 0) : index(i) {}
    unsigned index;
    tlm::tlm_extension_base* clone() const override { return new BarIndex(index); }
    void copy_from(const tlm::tlm_extension_base& other) override { index = static_cast<const BarIndex&>(other).index; }
    // The BAR of a forwarded transaction (0 when not tagged).
    static unsigned of(const tlm::tlm_generic_payload& t) {
        BarIndex* b = nullptr;
        t.get_extension(b);
        return b ? b->index : 0;
    }
};

// Tags a transaction with BarIndex for the scope's life, restoring any previous tag; the tag is
// taken off also when the calling thread is unwound (a payload frees its extensions when it is
// destroyed, and this one lives on the stack).
class BarIndexScope {
public:
    BarIndexScope(tlm::tlm_generic_payload& t, unsigned index) : t_(t), tag_(index) {
        t_.get_extension(prev_);
        if (prev_) t_.clear_extension(prev_);
        t_.set_extension(&tag_);
    }
    ~BarIndexScope() {
        t_.clear_extension(&tag_);
        if (prev_) t_.set_extension(prev_);
    }
    BarIndexScope(const BarIndexScope&) = delete;
    BarIndexScope& operator=(const BarIndexScope&) = delete;

private:
    tlm::tlm_generic_payload& t_;
    BarIndex tag_;
    BarIndex* prev_ = nullptr;
};

}  // namespace staleline
