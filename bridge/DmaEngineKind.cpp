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
