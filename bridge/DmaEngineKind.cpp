// The built-in kind "dma_engine": the reference DMA engine (rtl/dma_engine.v), Verilated once
// into the library (rtl/CMakeLists.txt, sl_rtl_model) and run by the generic RTL host like
// any device module staleline_add_device() builds. The only bridge file that sees
// Vdma_engine.
#include "Vdma_engine.h"
#include "Vdma_engine___024root.h"

#include "bridge/DmaEngineKind.h"
#include "bridge/RtlCoreT.h"
#include "staleline/dma_engine.h"

namespace staleline {

// The engine's bursts by purpose, from its own ring registers (rtl/README.md): a read of a
// 32-byte ring entry is a descriptor fetch, a write into one the status write-back; the rest
// (data, GATHER element lists) is data. Registers as the model holds them at the burst's edge.
template <>
struct RtlBurstPurpose<Vdma_engine> {
    static uint8_t of(const Vdma_engine& m, const AxiBurst& b) {
        const uint64_t base = m.rootp->dma_engine__DOT__ring_base;
        const uint64_t bytes = 32ull * m.rootp->dma_engine__DOT__ring_size;
        if (b.addr < base || b.addr - base >= bytes) return 0;
        return b.is_write ? 2 : 1;  // DevicePhase::StatusWriteback, DescriptorFetch
    }
};

namespace {
const RtlFactory kFactory{RtlFactory::kAbi, &make_rtl_core<Vdma_engine>};

const sl_device_kind_t kKind = {
    SL_DEVICE_ABI_VERSION,
    "dma_engine",
    "the reference DMA engine (Verilog, rtl/): COPY/FILL/SRAM/GATHER descriptors, MSI or INTx",
    SL_DMA_ENGINE_VENDOR_ID,
    SL_DMA_ENGINE_DEVICE_ID,
    0x088000,  // system peripheral, other
    1,
    4096,
    true,  // MSI (pci.msi=false takes it away)
    1,     // INTA
    0,     // clock: rtl.clock_mhz
    nullptr,
    nullptr,
    &kFactory,
    0,  // no MSI-X (the engine keeps MSI)
    0,
    {},  // bars: BAR0 only, of 4096 bytes
};
}  // namespace

const sl_device_kind_t* dma_engine_kind() { return &kKind; }

}  // namespace staleline
