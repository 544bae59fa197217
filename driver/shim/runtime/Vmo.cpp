#include "Vmo.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "AccessObserver.h"
#include "BarCache.h"
#include "ShimRuntime.h"
#include "ShimTrace.h"
#include "SimThread.h"
#include "UserBuffer.h"

#include <zircon/syscalls/object.h>

namespace staleline::zx {

using sc_core::sc_time;

namespace {
constexpr uint64_t kPage = 4096;

// The pages of `sorted_pages` that hold a dirty line in the cache: only these can be stored
// into again after they are freed (a write-back). Probes each line of a few pages, or walks
// the cache's lines when that is cheaper.
void pages_with_dirty_lines(const Cache& cache, const std::vector<uint64_t>& sorted_pages,
                            std::vector<uint64_t>* out) {
    const CacheArray& a = cache.array();
    const uint64_t line = a.line_size();
    const uint64_t step = std::min(line, kPage);
    const uint64_t slots = (uint64_t)a.sets() * a.ways();
    if (sorted_pages.size() * (kPage / step) <= slots) {
        for (uint64_t pg : sorted_pages)
            for (uint64_t off = 0; off < kPage; off += step)
                if (a.state(pg + off) == CacheLineState::Dirty) {
                    out->push_back(pg);
                    break;
                }
        return;
    }
    std::vector<uint64_t> lines;
    a.valid_lines(&lines);
    for (uint64_t l : lines) {
        if (a.state(l) != CacheLineState::Dirty) continue;
        // A line may span several pages (lines larger than a page).
        for (uint64_t pg = l & ~(kPage - 1); pg < l + line; pg += kPage)
            if (std::binary_search(sorted_pages.begin(), sorted_pages.end(), pg)) out->push_back(pg);
    }
}

// Freed pages (PhysAllocator::freed()) whose bytes the stores may still hold: a write-back of a
// dirty line that outlived its VMO, or an IOMMU table. A page still free and without a dirty
// line in the cache is forgotten in both stores; a page with one stays on the list. Runs when
// the list has doubled since the last sweep, so the list, and the pages write-backs revive,
// stay bounded by the cache while each freed page costs O(1) amortised.
void reclaim_freed(Platform& p) {
    PhysAllocator::FreedPages& f = p.phys().freed();
    if (f.pages.size() < f.sweep_at) return;
    std::vector<uint64_t>& l = f.pages;
    std::sort(l.begin(), l.end());
    l.erase(std::unique(l.begin(), l.end()), l.end());
    std::vector<uint64_t> free_pages, dirty;
    for (uint64_t pa : l)
        if (!p.phys().is_allocated(pa)) free_pages.push_back(pa);  // else its new owner zeroed it
    pages_with_dirty_lines(p.cache(), free_pages, &dirty);
    std::sort(dirty.begin(), dirty.end());
    l.clear();
    for (uint64_t pa : free_pages) {
        if (std::binary_search(dirty.begin(), dirty.end(), pa)) {
            l.push_back(pa);
            continue;
        }
        p.memory().discard(pa, kPage);
        p.cache().view().discard(pa, kPage);
    }
    f.sweep_at = std::max<size_t>(64, 2 * l.size());
}

// dram.fresh_pages=garbage: the bytes a page held before its new owner (DRAM is not cleared
// between owners), a function of the seed and the address so that a run is repeatable.
void fill_earlier_bytes(uint8_t* dst, uint64_t pa, uint64_t seed) {
    for (uint64_t i = 0; i < kPage; i += 8) {
        uint64_t z = seed + (pa + i) * 0x9e3779b97f4a7c15ULL;  // splitmix64
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        std::memcpy(dst + i, &z, 8);
    }
}

// The kernel zeroes a new VMO's pages through its cached physmap, page after page: the zeros
// of the last pages are still dirty lines in the CPU cache, over DRAM that holds the earlier
// bytes; those of the first pages (when the VMO is larger than the cache) were written back
// by the later ones. So DRAM is zero for the first pages, earlier bytes for the last pages
// (the cache's capacity of them), and those last pages' lines are made dirty in the cache
// without a fill, evicting what they displace (written back when dirty). The CPU view is zero.
void zero_through_cache(Platform& p, const std::vector<uint64_t>& pages, uint8_t* dram) {
    Cache& cache = p.cache();
    const CacheArray& a = cache.array();
    const uint64_t line = a.line_size();
    const uint64_t capacity = (uint64_t)a.sets() * a.ways() * line;
    const uint64_t n = pages.size();
    const uint64_t cached = std::min<uint64_t>(n, (capacity + kPage - 1) / kPage);
    std::memset(dram, 0, (n - cached) * kPage);
    const uint64_t seed = (uint64_t)p.config().get_int("sim.seed");
    sc_time unused = sc_core::SC_ZERO_TIME;  // the kernel's zeroing is not charged to the driver
    for (uint64_t i = n - cached; i < n; ++i) {
        fill_earlier_bytes(dram + i * kPage, pages[i], seed);
        for (uint64_t off = 0; off < kPage; off += line) cache.adopt_cpu_writes(pages[i] + off, unused);
    }
}
}  // namespace

Vmo::Vmo(ShimRuntime& rt, Kind kind, uint64_t size)
    : KernelObject(ZX_OBJ_TYPE_VMO), rt_(rt), runtime_generation_(ShimRuntime::generation()), kind_(kind), size_(size) {}

zx_status_t Vmo::create(ShimRuntime& rt, uint64_t size, bool contiguous, uint64_t align_pages,
                        std::shared_ptr<Vmo>* out) {
    Platform& p = rt.platform();
    const uint64_t npages = size / kPage;
    if (npages > p.phys().pages_free()) return ZX_ERR_NO_MEMORY;
    std::shared_ptr<Vmo> vmo(new Vmo(rt, contiguous ? Kind::Contiguous : Kind::Paged, size));
    if (npages) {
        if (contiguous) {
            uint64_t base = 0;
            if (!p.phys().alloc_contiguous(npages, align_pages ? align_pages : 1, &base)) return ZX_ERR_NO_MEMORY;
            vmo->pages_.resize(npages);
            for (uint64_t i = 0; i < npages; ++i) vmo->pages_[i] = base + i * kPage;
        } else if (!p.phys().alloc_scattered(npages, &vmo->pages_)) {
            return ZX_ERR_NO_MEMORY;
        }
        vmo->cpu_ = rt.arena().allocate(size);
        vmo->dram_ = vmo->cpu_ ? rt.arena().allocate(size) : nullptr;
        if (!vmo->dram_) {
            vmo->release_memory();  // gives the pages back
            return ZX_ERR_NO_MEMORY;
        }
        // Alias both copies of every page. A new VMO reads as zero: the CPU view is cleared
        // below, so what its pages held before is not copied in. DRAM: map_host copies what
        // the page held before (a previous VMO's bytes); then it is cleared too
        // (dram.fresh_pages=zero; lines of these pages still in the cache then hold zeros as
        // DRAM does), or zeroed through the cache (garbage, zero_through_cache).
        for (uint64_t i = 0; i < npages;) {
            uint64_t run = 1;
            while (i + run < npages && vmo->pages_[i + run] == vmo->pages_[i] + run * kPage) ++run;
            p.memory().map_host(vmo->pages_[i], run * kPage, vmo->dram_ + i * kPage);
            p.cache().view().map_host(vmo->pages_[i], run * kPage, vmo->cpu_ + i * kPage, /*keep=*/false);
            i += run;
        }
        std::memset(vmo->cpu_, 0, size);
        if (p.config().get_string("dram.fresh_pages") == "garbage") zero_through_cache(p, vmo->pages_, vmo->dram_);
        else std::memset(vmo->dram_, 0, size);
        rt.arena().add_region({(uintptr_t)vmo->cpu_, (uintptr_t)vmo->cpu_ + size, RegionKind::CpuView, vmo.get()});
        rt.arena().add_region({(uintptr_t)vmo->dram_, (uintptr_t)vmo->dram_ + size, RegionKind::Dram, vmo.get()});
    }
    vmo->map_count_.assign(npages, 0);
    vmo->write_count_.assign(npages, 0);
    ++rt.counters().vmos_created;
    if (rt.observer()) rt.observer()->on_vmo_created(*vmo);
    *out = std::move(vmo);
    return ZX_OK;
}

std::shared_ptr<Vmo> Vmo::create_mmio(ShimRuntime& rt, unsigned slot, uint64_t size, unsigned bar) {
    std::shared_ptr<Vmo> vmo(new Vmo(rt, Kind::Mmio, size));
    vmo->bar_slot_ = slot;
    vmo->bar_index_ = bar;
    vmo->policy_ = ZX_CACHE_POLICY_UNCACHED;  // physical VMOs start uncached in Zircon
    vmo->cpu_ = rt.arena().allocate(size, /*reserve_only=*/true);
    if (!vmo->cpu_) return nullptr;
    rt.arena().add_region({(uintptr_t)vmo->cpu_, (uintptr_t)vmo->cpu_ + size, RegionKind::Bar, vmo.get()});
    vmo->map_count_.assign(size / kPage, 0);
    vmo->write_count_.assign(size / kPage, 0);
    return vmo;
}

Vmo::~Vmo() {
    if (ShimRuntime::alive(runtime_generation_)) {
        // A VMO whose creation failed (its pages not all allocated, or given back already) was
        // never announced to the observer: there is nothing of it to forget.
        const bool announced = pages_.size() == pages();
        if (rt_.observer() && !is_mmio() && announced) rt_.observer()->on_vmo_destroyed(*this);
        release_memory();
    }
}

void Vmo::release_memory() {
    Platform& p = rt_.platform();
    if (cpu_) rt_.arena().remove_region((uintptr_t)cpu_);
    if (dram_) rt_.arena().remove_region((uintptr_t)dram_);
    const bool stored = !is_mmio() && cpu_ && dram_;
    if (stored) {
        // Forget both copies of every page: a freed page reads as zero and its host memory
        // goes back (the next VMO on it starts from zeros anyway). Lines of these pages may
        // stay in the cache; a dirty one written back later stores into the page again, which
        // reclaim_freed() forgets once the page has no dirty line left.
        for (uint64_t i = 0; i < pages_.size();) {
            uint64_t run = 1;
            while (i + run < pages_.size() && pages_[i + run] == pages_[i] + run * kPage) ++run;
            p.memory().discard(pages_[i], run * kPage);
            p.cache().view().discard(pages_[i], run * kPage);
            i += run;
        }
    }
    rt_.arena().release(cpu_, size_);
    rt_.arena().release(dram_, size_);
    cpu_ = dram_ = nullptr;
    if (!is_mmio()) {
        for (uint64_t pa : pages_) p.phys().free_page(pa);
        reclaim_freed(p);
    }
    pages_.clear();
}

uint64_t Vmo::contiguous_bytes(uint64_t offset) const {
    uint64_t page = offset / kPage;
    uint64_t n = kPage - (offset % kPage);
    while (page + 1 < pages_.size() && pages_[page + 1] == pages_[page] + kPage) {
        ++page;
        n += kPage;
    }
    return std::min(n, size_ - offset);
}

zx_status_t Vmo::set_cache_policy(uint32_t policy, sc_time& delay) {
    if (mappings_ || pins_) return ZX_ERR_BAD_STATE;
    if (policy == policy_) return ZX_OK;
    if (!is_mmio()) {
        // Every page is committed: Zircon refuses to change a non-cached policy then.
        if (policy_ != ZX_CACHE_POLICY_CACHED && !pages_.empty()) return ZX_ERR_BAD_STATE;
        if (policy_ == ZX_CACHE_POLICY_CACHED && !pages_.empty()) {
            // The kernel cleans and invalidates the pages so that no cached copy outlives
            // the switch; the CPU view then equals DRAM.
            for (uint64_t off = 0; off < size_;) {
                uint64_t n = contiguous_bytes(off);
                rt_.platform().cache().clean_invalidate(pa(off), n, delay);
                off += n;
            }
        }
    }
    policy_ = policy;
    if (is_mmio()) {
        if (policy == ZX_CACHE_POLICY_CACHED) bar_cache_ = std::make_unique<BarCache>((unsigned)rt_.platform().cache().line_size());
        else bar_cache_.reset();
    }
    return ZX_OK;
}

void Vmo::cpu_read(void* dst, uint64_t offset, size_t len, const void* pc, sc_time& delay) {
    cpu_copy(false, static_cast<uint8_t*>(dst), offset, len, pc, delay);
}

void Vmo::cpu_write(const void* src, uint64_t offset, size_t len, const void* pc, sc_time& delay) {
    // the host buffer is only read on this path
    cpu_copy(true, const_cast<uint8_t*>(static_cast<const uint8_t*>(src)), offset, len, pc, delay);
}

void Vmo::zero(uint64_t offset, uint64_t len, const void* pc, sc_time& delay) {
    static const uint8_t zeros[4096] = {};
    for (uint64_t off = offset; off < offset + len;) {
        const size_t n = (size_t)std::min<uint64_t>(sizeof zeros, offset + len - off);
        cpu_write(zeros, off, n, pc, delay);
        off += n;
    }
}

void Vmo::cpu_copy(bool is_write, uint8_t* host, uint64_t offset, size_t len, const void* pc, sc_time& delay) {
    Cache& cache = rt_.platform().cache();
    const uint64_t line = cache.line_size();
    ShimObserver* obs = rt_.observer();
    // Nothing below waits, so kernel time stands still for the whole copy; the thread's local
    // offset may grow (a bounce buffer's accesses charge it) and is read per line.
    const sc_time kernel_now = sc_core::sc_time_stamp();
    const SimThread& th = SimThread::current();
    while (len) {
        // One cache line at a time: a larger piece could evict its own first lines
        // before the copy (a cache smaller than the piece), losing the bytes.
        size_t n = std::min<uint64_t>(len, kPage - (offset % kPage));
        uint64_t a = pa(offset);
        n = std::min<uint64_t>(n, line - (a % line));
        cache.access(a, n, is_write, delay);
        // The caller's side of the copy is CPU memory too: a buffer that is a mapping of a
        // cached VMO (a bounce buffer) is read or written through the cache model as well
        // (check_user_buffer has vetted it). No wait between the model and the copies.
        // zx_vmo_read stores into the caller's buffer as every result store does
        // (store_to_user); no wait between the model and the copies.
        if (is_write) {
            maybe_observe_range(host, n, false, pc, AccessPath::VmoCall, /*sync_first=*/false);
            std::memcpy(cpu_ + offset, host, n);
        } else {
            store_to_user(host, cpu_ + offset, n, pc, /*sync_first=*/false, AccessPath::VmoCall);
        }
        if (obs) obs->on_cpu_access({this, offset, a, n, is_write, true, AccessPath::VmoCall, pc,
                                     kernel_now + th.local() + delay});
        host += n;
        offset += n;
        len -= n;
    }
}

void Vmo::cache_op(uint64_t offset, uint64_t len, const CacheMaintenance& m, bool by_address, const void* pc,
                   sc_time& delay) {
    // ZX_VMO_OP_CACHE_SYNC / ZX_CACHE_FLUSH_INSN clean the data cache to the point of
    // unification before invalidating the instruction cache; with one cache level modelled
    // that is a clean.
    // A coherent (x86-like) platform has no invalidate that drops dirty data: Zircon's x86
    // cache invalidate is clflush, which writes dirty lines back first.
    const bool clean = m.clean || m.sync_insn || (m.invalidate && rt_.platform().coherency().coherent());
    const bool invalidate = m.invalidate;
    if (!clean && !invalidate) return;
    Cache& cache = rt_.platform().cache();
    ShimObserver* obs = rt_.observer();
    const uint64_t end = offset + len;
    while (offset < end) {
        uint64_t n = std::min(contiguous_bytes(offset), end - offset);
        uint64_t a = pa(offset);
        if (obs) obs->on_cache_op({this, offset, a, (size_t)n, clean, invalidate, by_address, pc,
                                   sc_core::sc_time_stamp() + SimThread::current().local() + delay});
        const sc_time before = delay;
        if (clean && invalidate) cache.clean_invalidate(a, n, delay);
        else if (clean) cache.clean(a, n, delay);
        else cache.invalidate(a, n, delay);
        if (shim_trace_channel(staleline::TraceKind::CacheOp))
            trace_cache_op(a, n, clean, invalidate, sc_core::sc_time_stamp() + SimThread::current().local() + before,
                           delay - before);
        offset += n;
    }
}

void Vmo::count_pages(uint64_t offset, uint64_t len, bool writable, int delta) {
    for (uint64_t p = offset / kPage; p < (offset + len + kPage - 1) / kPage && p < map_count_.size(); ++p) {
        map_count_[p] += delta;
        if (writable) write_count_[p] += delta;
    }
}

zx_status_t Vmo::info_record(uint32_t topic, void* record, size_t record_size) const {
    if (topic != ZX_INFO_VMO || record_size < sizeof(zx_info_vmo_t)) return ZX_ERR_NOT_SUPPORTED;
    auto* info = static_cast<zx_info_vmo_t*>(record);
    info->koid = koid();
    std::snprintf(info->name, sizeof info->name, "%s", is_mmio() ? "pci-bar" : "");
    info->size_bytes = size_;
    info->parent_koid = ZX_KOID_INVALID;
    info->num_children = 0;
    info->num_mappings = mappings_;
    info->share_count = mappings_ ? 1 : 0;  // one process: shared by at most one address space
    info->flags = (is_mmio() ? ZX_INFO_VMO_TYPE_PHYSICAL : ZX_INFO_VMO_TYPE_PAGED) | ZX_INFO_VMO_VIA_HANDLE |
                  (contiguous() ? ZX_INFO_VMO_CONTIGUOUS : 0u) | (resizable_ ? ZX_INFO_VMO_RESIZABLE : 0u);
    info->committed_bytes = is_mmio() ? 0 : size_;
    info->cache_policy = policy_;
    return ZX_OK;
}

}  // namespace staleline::zx
