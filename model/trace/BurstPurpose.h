// BurstPurpose: what a device says one of its upstream bursts is for (a descriptor fetch, a
// status write-back, or data), carried on the TLM transaction from the device's side of the
// PCI host to the place that publishes the burst on the trace channel (PciHost::trace_burst).
// A burst without it is data. Behavioural models label through sl_dev_dma_read_for/
// sl_dev_dma_write_for (staleline/device.h); RTL devices through RtlBurstPurpose<Top>
// (bridge/RtlCoreT.h), which a device kind may specialise.
#pragma once

#include <tlm>

#include "trace/TraceEvent.h"

namespace staleline {

struct BurstPurpose : tlm::tlm_extension<BurstPurpose> {
    DevicePhase phase = DevicePhase::Data;
    explicit BurstPurpose(DevicePhase p = DevicePhase::Data) : phase(p) {}
    tlm_extension_base* clone() const override { return new BurstPurpose(phase); }
    void copy_from(const tlm_extension_base& ext) override { phase = static_cast<const BurstPurpose&>(ext).phase; }
};

// The purpose a transaction carries; Data when it carries none.
inline DevicePhase purpose_of(const tlm::tlm_generic_payload& trans) {
    BurstPurpose* ext = nullptr;
    trans.get_extension(ext);
    return ext ? ext->phase : DevicePhase::Data;
}

// Sets `ext` on `trans` for one b_transport (only when it is not Data: a data burst carries
// nothing) and takes it off again.
class BurstPurposeScope {
public:
    BurstPurposeScope(tlm::tlm_generic_payload& trans, BurstPurpose& ext) : trans_(trans), set_(ext.phase != DevicePhase::Data) {
        if (set_) trans_.set_extension(&ext);
    }
    ~BurstPurposeScope() {
        if (set_) trans_.clear_extension<BurstPurpose>();
    }
    BurstPurposeScope(const BurstPurposeScope&) = delete;
    BurstPurposeScope& operator=(const BurstPurposeScope&) = delete;

private:
    tlm::tlm_generic_payload& trans_;
    bool set_;
};

}  // namespace staleline
