// C API of the reference DMA engine (staleline/dma_engine.h): the platform's first device of
// kind "dma_engine", an RtlPciDevice.
#include "staleline/dma_engine.h"

#include <exception>

#include "bridge/RtlPciDevice.h"
#include "platform/PlatformHandle.h"

using namespace staleline;

namespace {
RtlPciDevice* engine(sl_platform_t* p, const char* fn) {
    if (!p) {
        set_error(std::string(fn) + ": null platform");
        return nullptr;
    }
    auto* d = dynamic_cast<RtlPciDevice*>(impl(p).device_of_kind("dma_engine"));
    if (!d) set_error(std::string(fn) + ": the platform has no DMA engine (pci.dma_engine=false)", "pci.dma_engine");
    return d;
}
}  // namespace

extern "C" {

int sl_dma_engine_slot(sl_platform_t* p) {
    PciDevice* d = p ? impl(p).device_of_kind("dma_engine") : nullptr;
    return d ? (int)d->slot() : -1;
}

int sl_dma_engine_vcd(sl_platform_t* p, const char* path) {
    RtlPciDevice* d = engine(p, "sl_dma_engine_vcd");
    if (!d) return -1;
    if (!path || !*path) return set_error("sl_dma_engine_vcd: empty file name");
    try {
        d->start_vcd(path);
    } catch (const std::exception& e) {
        return set_error(std::string("sl_dma_engine_vcd: ") + e.what());
    }
    return 0;
}

int sl_dma_engine_vcd_stop(sl_platform_t* p) {
    RtlPciDevice* d = engine(p, "sl_dma_engine_vcd_stop");
    if (!d) return -1;
    d->stop_vcd();
    return 0;
}

int sl_dma_engine_get_stats(sl_platform_t* p, sl_dma_engine_stats_t* out) {
    RtlPciDevice* d = engine(p, "sl_dma_engine_get_stats");
    if (!d) return -1;
    if (!out) return set_error("sl_dma_engine_get_stats: null output");
    RtlDeviceStats s = d->stats();
    out->cycles = s.cycles;
    out->cycles_evaluated = s.cycles_evaluated;
    out->evals = s.evals;
    out->cycles_waiting = s.cycles_waiting;
    out->cycles_idle = s.cycles_idle;
    out->reg_reads = s.reg_reads;
    out->reg_writes = s.reg_writes;
    out->read_bursts = s.read_bursts;
    out->write_bursts = s.write_bursts;
    out->bytes_read = s.bytes_read;
    out->bytes_written = s.bytes_written;
    out->error_responses = s.error_responses;
    out->msi_writes = s.msi_writes;
    out->irq_edges = s.irq_edges;
    out->quantum_syncs = s.quantum_syncs;
    out->idle_sleeps = s.idle_sleeps;
    return 0;
}

}  // extern "C"
