// The MMIO accessors behind hw/reg.h when a driver is compiled for Staleline
// (STALELINE_DRIVER): readb/w/l/ll and writeb/w/l/ll call sl_mmio_readN/sl_mmio_writeN with
// the driver's own pointer. A pointer into a mapped BAR becomes an uncached CPU transaction to
// the BAR's physical address (through the PCI host to the device's registers), timed and
// charged to the calling thread after a sync, so the device sees it at the thread's time. Any
// other pointer is an ordinary volatile access (observed like any other if it is VMO memory).
// A BAR mapped with a cacheable policy goes through its BarCache instead: loads may be served
// from the cache, stores stay there until the driver cleans the range.
//
// Alignment follows PCIe: an access of 1, 2 or 4 bytes anywhere inside one naturally aligned
// dword, or an aligned qword, is one request with byte enables (readw at BAR offset 0x45 reads
// bytes 0x45..0x46). An access that crosses a dword (or an 8-byte one not qword aligned) is a
// `misaligned-mmio` finding at the driver's line; the run goes on with the access split into
// naturally aligned pieces, lowest address first, as a CPU's bus interface splits it.
#include "Mmio.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "AccessObserver.h"
#include "BarCache.h"
#include "ShimRuntime.h"
#include "ShimTrace.h"
#include "SimThread.h"
#include "checker/SourceLocator.h"
#include "Vmo.h"

#include <hw/reg.h>

using namespace staleline::zx;
using staleline::describe_return_address;
using sc_core::sc_time;

namespace {

constexpr int kMaxErrorLogs = 16;

// "PCI slot 1 (nic0)": the slot and the device instance in it.
std::string slot_name(ShimRuntime& rt, unsigned slot) {
    std::string s = "PCI slot " + std::to_string(slot);
    for (const auto& d : rt.platform().devices())
        if (d->slot() == slot) return s + " (" + d->instance() + ")";
    return s;
}

// One request with byte enables can carry it.
bool lane_access(uint64_t off, unsigned size) { return size == 8 ? off % 8 == 0 : (off % 4) + size <= 4; }

// One uncached transaction to BAR offset off of bar, at the calling thread's time.
void transact(ShimRuntime& rt, Vmo* bar, uint64_t off, bool is_write, void* data, unsigned size, const void* pc) {
    staleline::Platform& p = rt.platform();
    SimThread& th = SimThread::current();
    th.sync();  // the device must see the access at the thread's time
    th.last_access_pc = pc;
    sc_time d = rt.mmio_extra_cost();
    const uint64_t pa = p.pci().config_space(bar->bar_slot()).bar_base(bar->bar_index()) + off;
    if (ShimObserver* obs = rt.observer()) obs->on_mmio({bar->bar_slot(), off, size, is_write, pc, th.now()});
    const sc_time at = th.now();
    tlm::tlm_response_status resp = p.cpu_transport(is_write, pa, data, size, true, d);
    if (shim_trace_channel(staleline::TraceKind::Mmio)) {
        uint64_t v = 0;
        std::memcpy(&v, data, size <= sizeof v ? size : sizeof v);
        trace_mmio(bar->bar_slot(), off, size, v, is_write, at, d);
    }
    th.charge(d);
    if (is_write) ++rt.counters().mmio_writes;
    else ++rt.counters().mmio_reads;
    if (resp != tlm::TLM_OK_RESPONSE) {
        // As on PCI: a read nobody claims returns all ones, a write is dropped.
        if (!is_write)
            for (unsigned i = 0; i < size; ++i) static_cast<uint8_t*>(data)[i] = 0xff;
        if (rt.counters().mmio_errors++ < kMaxErrorLogs)
            std::fprintf(rt.log_file(),
                         "staleline: MMIO %s of %u bytes at BAR%u+0x%llx of %s failed (%s; memory space "
                         "disabled?) at %s\n",
                         is_write ? "write" : "read", size, bar->bar_index(), (unsigned long long)off,
                         slot_name(rt, bar->bar_slot()).c_str(),
                         resp == tlm::TLM_ADDRESS_ERROR_RESPONSE ? "address error" : "error",
                         describe_return_address(pc).c_str());
    }
}

// true when addr is in a BAR mapping and the access was made as MMIO.
bool bar_access(const volatile void* addr, bool is_write, void* data, unsigned size, const void* pc) {
    if (!in_arena((const void*)addr)) return false;
    ShimRuntime* rt = ShimRuntime::get();
    if (!rt) return false;
    const uintptr_t a = (uintptr_t)addr;
    const Region* r = rt->arena().find(a);
    if (!r || r->kind != RegionKind::Bar) {
        observe_access((const void*)addr, size, is_write, pc, AccessPath::Instrumented);
        return false;
    }
    Vmo* bar = r->vmo;
    const uint64_t off = a - r->start;
    if (off + size > bar->size()) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%u-byte MMIO %s at BAR%u+0x%llx of %s runs past the end of the BAR (%llu bytes)",
                      size, is_write ? "write" : "read", bar->bar_index(), (unsigned long long)off,
                      slot_name(*rt, bar->bar_slot()).c_str(), (unsigned long long)bar->size());
        rt->fault(std::string(buf) + " (" + describe_return_address(pc) + ")", pc);
    }
    if (!bar->page_mapped(off / 4096) || !bar->page_mapped((off + size - 1) / 4096)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "MMIO %s at BAR%u+0x%llx of slot %u through a mapping that was released",
                      is_write ? "write" : "read", bar->bar_index(), (unsigned long long)off, bar->bar_slot());
        rt->fault(std::string(buf) + " (" + describe_return_address(pc) + ")", pc);
    }
    if (!lane_access(off, size)) {
        char buf[240];
        std::snprintf(buf, sizeof buf,
                      "%u-byte MMIO %s at BAR%u+0x%llx of %s crosses a naturally aligned %s: performed as "
                      "several requests",
                      size, is_write ? "write" : "read", bar->bar_index(), (unsigned long long)off,
                      slot_name(*rt, bar->bar_slot()).c_str(), size == 8 ? "qword" : "dword");
        rt->warn("misaligned-mmio", buf, pc);
        // The pieces: the largest naturally aligned 4, 2 or 1 bytes at each step.
        uint8_t* bytes = static_cast<uint8_t*>(data);
        for (unsigned done = 0; done < size;) {
            unsigned n = 4;
            while (n > size - done || (off + done) % n) n /= 2;
            bar_access((const volatile uint8_t*)addr + done, is_write, bytes + done, n, pc);
            done += n;
        }
        return true;
    }
    if (BarCache* cache = bar->bar_cache()) {
        // Mapped cacheable: the CPU cache stands between the driver and the registers.
        auto device = [&](uint64_t o, bool w, uint32_t* v) { transact(*rt, bar, o, w, v, 4, pc); };
        if (is_write) cache->write(off, data, size, device);
        else cache->read(off, data, size, device);
        return true;
    }
    transact(*rt, bar, off, is_write, data, size, pc);
    return true;
}

}  // namespace

bool staleline::zx::mmio_bar_access(const volatile void* addr, bool is_write, void* data, unsigned size,
                                     const void* pc) {
    return bar_access(addr, is_write, data, size, pc);
}

void staleline::zx::mmio_bar_maintain(Vmo& bar, uint64_t off, uint64_t len, bool clean, bool invalidate,
                                      const void* pc) {
    BarCache* cache = bar.bar_cache();
    ShimRuntime* rt = ShimRuntime::get();
    if (!cache || !rt) return;
    cache->maintain(off, len, clean, invalidate,
                    [&](uint64_t o, bool w, uint32_t* v) { transact(*rt, &bar, o, w, v, 4, pc); });
}

namespace {

template <typename T>
T mmio_read(const volatile void* addr, const void* pc) {
    T v;
    if (bar_access(addr, false, &v, sizeof(T), pc)) return v;
    return *static_cast<const volatile T*>(addr);
}

template <typename T>
void mmio_write(T v, volatile void* addr, const void* pc) {
    if (bar_access(addr, true, &v, sizeof(T), pc)) return;
    *static_cast<volatile T*>(addr) = v;
}

}  // namespace

extern "C" {

uint8_t sl_mmio_read8(const volatile void* a) { return mmio_read<uint8_t>(a, __builtin_return_address(0)); }
uint16_t sl_mmio_read16(const volatile void* a) { return mmio_read<uint16_t>(a, __builtin_return_address(0)); }
uint32_t sl_mmio_read32(const volatile void* a) { return mmio_read<uint32_t>(a, __builtin_return_address(0)); }
uint64_t sl_mmio_read64(const volatile void* a) { return mmio_read<uint64_t>(a, __builtin_return_address(0)); }
void sl_mmio_write8(uint8_t v, volatile void* a) { mmio_write<uint8_t>(v, a, __builtin_return_address(0)); }
void sl_mmio_write16(uint16_t v, volatile void* a) { mmio_write<uint16_t>(v, a, __builtin_return_address(0)); }
void sl_mmio_write32(uint32_t v, volatile void* a) { mmio_write<uint32_t>(v, a, __builtin_return_address(0)); }
void sl_mmio_write64(uint64_t v, volatile void* a) { mmio_write<uint64_t>(v, a, __builtin_return_address(0)); }

}  // extern "C"
