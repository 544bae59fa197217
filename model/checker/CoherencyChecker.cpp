#include "checker/CoherencyChecker.h"
#include "checker/CallStacks.h"

#include <algorithm>
#include <optional>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "cache/Cache.h"
#include "common/SparsePages.h"
#include "iommu/Iommu.h"
#include "pci/PciHost.h"
#include "platform/Platform.h"

namespace staleline {

using sc_core::sc_time;


namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
}

std::string ns(const sc_time& t) { return std::to_string(time_ns(t)) + " ns"; }

// PCI requester id as bus:device.function.
std::string rid_text(int rid) {
    if (rid < 0) return "unknown requester";
    char b[16];
    std::snprintf(b, sizeof b, "%02x:%02x.%x", (rid >> 8) & 0xff, (rid >> 3) & 0x1f, rid & 7);
    return b;
}

std::string bytes_text(uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

const char* perms_text(unsigned perms) {
    switch (perms & 3) {
    case 1: return "device read only";
    case 2: return "device write only";
    case 3: return "device read and write";
    }
    return "no device access";
}

bool has_clean(MaintenanceOp op) { return op != MaintenanceOp::Invalidate; }
bool has_invalidate(MaintenanceOp op) { return op != MaintenanceOp::Clean; }

// Temporal decoupling (docs/architecture.md, Timing): a driver thread runs up to a quantum
// ahead of the kernel, and a device transaction's bytes land in memory when it is issued,
// stamped with the time they reach memory. So events can reach the checker out of simulated
// time order. The order rules judge by simulated time where the two disagree:
// Bytes [off, off + n) of `line` that a CPU read at `when` finds device-written with no
// invalidate since, leaving out the line's last device write when it is later than the read
// (its bytes were not in memory yet when the CPU read).
uint64_t unseen_at(const LineHistory& h, uint64_t line, uint64_t line_size, uint64_t off, uint64_t n,
                   const sc_core::sc_time& when, uint64_t* first) {
    const DeviceWriteEvent& w = h.device_write;
    if (!w.valid || !(w.when > when) || w.pa >= line + line_size || w.pa + w.len <= line)
        return h.dev_unseen.count(off, n, first);
    const uint64_t wa = std::max(w.pa, line) - line, wz = std::min(w.pa + w.len, line + line_size) - line;
    uint64_t k = 0, f = 0;
    if (off < wa) k = h.dev_unseen.count(off, std::min(off + n, wa) - off, &f);
    if (off + n > wz) {
        const uint64_t from = std::max(off, wz);
        uint64_t f2 = 0;
        const uint64_t k2 = h.dev_unseen.count(from, off + n - from, &f2);
        if (k2 && !k) f = f2;
        k += k2;
    }
    if (first) *first = f;
    return k;
}

}  // namespace

// ---------------------------------------------------------------- setup

CoherencyChecker::CoherencyChecker(Platform& p)
    : p_(p),
      cache_(p.cache()),
      view_(p.cache().view()),
      dram_(p.memory().store()),
      lines_(p.cache().line_size()),
      log_((size_t)p.config().get_int("checker.max_findings"), (size_t)p.config().get_int("checker.max_per_site")),
      locator_(std::make_unique<SourceLocator>(p.config().get_string("checker.source_root"))),
      conservative_(p.config().get_bool("checker.conservative")),
      help_uri_(p.config().get_string("checker.help_uri")) {
    const std::string& ev = p.config().get_string("checker.evidence");
    evidence_ = ev == "order" ? EvidenceMode::Order : ev == "data" ? EvidenceMode::Data : EvidenceMode::Both;
    // Snooping devices: no hazard to prove. Data only: the findings (and the cost) of the data rules alone.
    hazards_ = !p.config().get_bool("platform.coherent") && evidence_ != EvidenceMode::Data;
    if (p.checker()) throw std::runtime_error("a coherency checker is already attached to this platform");
    cache_.set_observer(this);
    p.coherency().set_device_access_listener([this](const DeviceAccess& a) { on_device_access(a); });
    p.iommu().set_fault_listener([this](const IommuFault& f) { on_iommu_fault(f); });
    p.pci().set_master_abort_listener([this](const PciMasterAbort& m) { on_master_abort(m); });
    // Devices say when they work: an unpin while one is busy is unpin-in-flight.
    activity_token_ = p.device_activity().subscribe([this](const DeviceActivityEvent& e) {
        if (e.busy) device_busy(e.requester, e.time);
        else device_idle(e.requester, e.time);
    });
    // The IOMMU says when it served a translation whose invalidation is still queued.
    iommu_token_ = p.iommu().events().subscribe([this](const IommuEvent& e) {
        if (e.kind == IommuEventKind::StaleHit) stale_translation_pending_ = true;
    });
    if (conservative_) set_conservative(true);
    // A kept finding spells out the call stack recorded with its location (CallStacks).
    log_.set_stack_resolver([this](const SourceLocation& w) { return CallStacks::instance().frames(w, *locator_); });
    p.set_checker(this);  // the shim, when attached, connects to it now
}

CoherencyChecker::~CoherencyChecker() {
    if (p_.checker() == this) p_.set_checker(nullptr);  // the shim lets go of it
    cache_.set_observer(nullptr);
    cache_.adversary().set_prefetch_filter(nullptr);
    p_.coherency().set_device_access_listener(nullptr);
    p_.iommu().set_fault_listener(nullptr);
    p_.pci().set_master_abort_listener(nullptr);
    p_.device_activity().unsubscribe(activity_token_);
    p_.iommu().events().unsubscribe(iommu_token_);
}

void CoherencyChecker::set_conservative(bool on) {
    conservative_ = on;
    // Unseen CPU stores live in the view: a speculative fill must not overwrite them.
    if (on)
        cache_.adversary().set_prefetch_filter([this](uint64_t line) {
            return differing(line, 0, lines_.line_size(), lines_.find(line), Bytes::NotDeviceWritten) == 0;
        });
    else
        cache_.adversary().set_prefetch_filter(nullptr);
}

CodeSite CoherencyChecker::label(const SourceLocation& loc) {
    if (!loc.known()) return CodeSite{};
    SourceLocation l = loc;
    l.file = locator_->relative(l.file);
    auto it = label_index_.find(l);
    if (it != label_index_.end()) return CodeSite{nullptr, it->second};
    labels_.push_back(l);
    const uint32_t id = (uint32_t)labels_.size();
    label_index_.emplace(l, id);
    return CodeSite{nullptr, id};
}

SourceLocation CoherencyChecker::resolve(CodeSite site) {
    SourceLocation loc;
    if (site.label && site.label <= labels_.size()) loc = labels_[site.label - 1];
    else if (site.pc) loc = locator_->locate_return(site.pc);
    loc.stack = site.stack;  // the call stack goes with the location into findings
    return loc;
}

// ---------------------------------------------------------------- helpers

uint64_t CoherencyChecker::differing(uint64_t line, uint64_t off, uint64_t n, const LineHistory* h, Bytes which,
                                     uint64_t* first_off) const {
    uint8_t cpu[4096], mem[4096];
    view_.read(line + off, cpu, n);
    dram_.read(line + off, mem, n);
    uint64_t count = 0;
    for (uint64_t i = 0; i < n; ++i) {
        if (cpu[i] == mem[i]) continue;
        const bool dev = h && h->device_bytes.test(off + i);
        if ((which == Bytes::DeviceWritten && !dev) || (which == Bytes::NotDeviceWritten && dev)) continue;
        if (!count && first_off) *first_off = off + i;
        ++count;
    }
    return count;
}

void CoherencyChecker::Offense::add(uint64_t a, uint64_t n) {
    if (!any) {
        first = a;
        end = a + n;
        any = true;
    } else {
        first = std::min(first, a);
        end = std::max(end, a + n);
    }
    bytes += n;
}

void CoherencyChecker::Offense::note(const LineHistory& h) {
    if (h.cpu_write.valid && (!cpu.valid || h.cpu_write.when >= cpu.when)) cpu = h.cpu_write;
    if (h.device_write.valid && (!dev.valid || h.device_write.transaction > dev.transaction)) dev = h.device_write;
    if (h.filled && (!fill_known || h.fill_time < fill_time)) {
        fill_time = h.fill_time;
        fill_known = true;
    }
    if (!order_finding && h.lost_finding) order_finding = h.lost_finding;
}

const CoherencyChecker::Doorbell& CoherencyChecker::doorbell(int requester) const {
    auto regs = registers_.find(requester);
    if (regs != registers_.end() && !regs->second.wakes.empty()) {
        auto best = regs->second.wakes.begin();
        for (auto w = regs->second.wakes.begin(); w != regs->second.wakes.end(); ++w)
            if (w->second > best->second) best = w;
        auto last = regs->second.last.find(best->first);
        if (last != regs->second.last.end()) return last->second;
    }
    auto it = doorbells_.find(requester);
    if (it != doorbells_.end()) return it->second;
    return last_doorbell_;
}

const Finding* CoherencyChecker::report(Finding f) {
    if ((f.evidence == "order" && evidence_ == EvidenceMode::Data) ||
        (f.evidence == "data" && evidence_ == EvidenceMode::Order))
        return nullptr;
    return log_.add(std::move(f));
}

void CoherencyChecker::driver_finding(const std::string& kind, const std::string& message, CodeSite site,
                                      sc_time when) {
    Finding f;
    if (!parse_finding_kind(kind, &f.kind)) return;
    f.when = when;
    f.where = resolve(site);
    f.message = message;  // the runtime words it, with the remedy
    report(std::move(f));
}

void CoherencyChecker::locate_memory(Finding& f, int rid) {
    const PinRange* run = nullptr;
    const Pin* pin = pins().find_pa(f.address, rid, false, &run);
    if (!pin || !run) return;
    if (!f.has_device_address) {
        f.has_device_address = true;
        f.device_address = run->device_addr + (f.address - run->pa);
    }
    if (!f.vmo && pin->vmo_koid) {
        f.vmo = pin->vmo_koid;
        f.vmo_offset = run->vmo_offset + (f.address - run->pa);
    }
    if (f.requester < 0) f.requester = pin->requester;
}

RelatedEvent CoherencyChecker::related_cpu_write(const CpuWriteEvent& e) {
    RelatedEvent r;
    if (!e.valid) return r;
    r.what = "cpu-write";
    r.when = e.when;
    r.where = resolve(e.site);
    r.message = "last CPU write to the line, at " + ns(e.when) +
                (r.where.known() ? " (" + r.where.to_string() + ")" : std::string());
    return r;
}

std::string CoherencyChecker::device_text(int rid) const {
    // With several devices on the bus, the requester id alone does not say which one it is.
    const auto& devices = p_.devices();
    const unsigned slot = rid < 0 ? 0 : (unsigned)rid >> 3;
    if (rid < 0 || devices.size() < 2 || slot >= devices.size()) return rid_text(rid);
    return rid_text(rid) + " (" + devices[slot]->instance() + ")";
}

std::string CoherencyChecker::describe_device_write(const DeviceWriteEvent& e) {
    std::string s = "device write #" + std::to_string(e.transaction) + " by " + device_text(e.requester) + " (" +
                    bytes_text(e.len) +
                    (e.has_device_addr ? " at device address " + hex(e.device_addr) + ", PA " : " at PA ") +
                    hex(e.pa) + ") at " + ns(e.when);
    if (e.doorbell.known()) s += ", started by the MMIO write at " + resolve(e.doorbell).to_string();
    return s;
}

RelatedEvent CoherencyChecker::related_device_write(const DeviceWriteEvent& e) {
    RelatedEvent r;
    if (!e.valid) return r;
    r.what = "device-write";
    r.when = e.when;
    r.where = resolve(e.doorbell);
    r.message = describe_device_write(e);
    return r;
}

RelatedEvent CoherencyChecker::related_pin(const Pin& p, const char* what) {
    RelatedEvent r;
    r.what = what;
    const std::string w = what;
    const CodeSite site = w == "unpin" ? p.unpin_site : w == "quarantine" ? p.quarantine_site : p.pin_site;
    r.when = w == "unpin" ? p.unpinned_at : w == "quarantine" ? p.quarantined_at : p.pinned_at;
    r.where = resolve(site);
    const std::string at = r.where.known() ? " at " + r.where.to_string() : std::string();
    if (w == "unpin")
        r.message = "pin #" + std::to_string(p.id) + " was unpinned" + at + " (" + ns(r.when) + ")";
    else if (w == "quarantine")
        r.message = "the handle of pin #" + std::to_string(p.id) + " was closed without zx_pmt_unpin" + at + " (" +
                    ns(r.when) + "): quarantined";
    else
        r.message = "pin #" + std::to_string(p.id) + " (" + bytes_text(p.size()) + ", " + perms_text(p.perms) +
                    ") made" + at + " (" + ns(r.when) + ")";
    return r;
}

// ---------------------------------------------------------------- CPU side

void CoherencyChecker::cpu_access(uint64_t pa, size_t len, bool is_write, CodeSite site, sc_time when, VmoRef vmo,
                                  bool cached) {
    if (!cached || !len) return;
    const uint64_t seq = ++seq_;
    const uint64_t L = lines_.line_size();
    const uint64_t end = len - 1 > ~0ULL - pa ? ~0ULL : pa + len - 1;
    Offense stale, unseen;  // data: bytes read stale; order: device bytes read with no invalidate since
    std::optional<Finding> shared;  // built only when there is one: most accesses have none
    for (uint64_t line = lines_.base(pa);; line += L) {
        const uint64_t a = std::max(pa, line), z = std::min(end, line + L - 1);
        const uint64_t off = a - line, n = z - a + 1;
        if (!is_write) {
            LineHistory* h = lines_.find(line);
            if (h && h->device_bytes.any() && cache_.line_state(line) != CacheLineState::Invalid) {
                uint64_t first = 0;
                if (uint64_t k = differing(line, off, n, h, Bytes::DeviceWritten, &first)) {
                    stale.add(line + first, k);
                    stale.note(*h);
                }
            }
            if (hazards_ && h) {
                uint64_t first = 0;
                if (uint64_t k = unseen_at(*h, line, L, off, n, when, &first)) {
                    unseen.add(line + first, k);
                    unseen.note(*h);
                }
            }
        } else {
            LineHistory& h = lines_.at(line);
            // The line holds cached copies of bytes the device wrote since (a valid line) and the
            // CPU now dirties it with other bytes: the device's bytes will be overwritten by
            // the write-back or the CPU's by an invalidate.
            if (!shared && h.device_bytes.any() && cache_.line_state(line) != CacheLineState::Invalid) {
                bool overlap = false;
                for (uint64_t i = off; i < off + n && !overlap; ++i) overlap = h.device_bytes.test(i);
                if (!overlap && differing(line, 0, L, &h, Bytes::DeviceWritten)) {
                    shared.emplace();
                    shared->kind = FindingKind::SharedCacheLine;
                    shared->address = a;
                    shared->size = n;
                    shared->related = related_device_write(h.device_write);
                    shared->message = "CPU write of " + bytes_text(n) + " at PA " + hex(a) + " shares cache line " +
                                     hex(line) + " with DMA data: the device wrote other bytes of the line (" +
                                     shared->related.message +
                                     ") after the line was cached, so the write-back of this store will "
                                     "overwrite them (or an invalidate will drop this store). " +
                                     remedy(FindingKind::SharedCacheLine);
                    shared->evidence = "data";
                }
            }
            // A pin whose byte range covers only part of the line, written outside the range.
            if (!shared && !pins().empty()) {
                const PinRange* run = nullptr;
                const Pin* p = pins().find_pa(line, -1, true, &run);
                if (!p) p = pins().find_pa(line + L - 1, -1, true, &run);
                if (p && run && !(a >= run->pa && z - run->pa < run->len) &&
                    (run->pa > line || run->pa + run->len < line + L)) {
                    shared.emplace();
                    shared->kind = FindingKind::SharedCacheLine;
                    shared->address = a;
                    shared->size = n;
                    shared->related = related_pin(*p, "pin");
                    shared->message = "CPU write of " + bytes_text(n) + " at PA " + hex(a) + " lands in cache line " +
                                     hex(line) + ", which the pinned DMA range PA " + hex(run->pa) + ".." +
                                     hex(run->pa + run->len) + " of pin #" + std::to_string(p->id) +
                                     " covers only in part. " + remedy(FindingKind::SharedCacheLine);
                    shared->evidence = "data";
                }
            }
            h.device_bytes.clear(off, n);  // the CPU's newer value supersedes the device's
            h.cpu_write.valid = true;
            h.cpu_write.when = when;
            h.cpu_write.site = site;
            h.cpu_write.seq = seq;
            if (hazards_) {
                h.cpu_unclean.set(off, n);
                h.dev_unseen.clear(off, n);
                if (!h.dirtier.valid) {
                    h.dirtier = h.cpu_write;
                    h.lost_finding = nullptr;
                }
            }
        }
        if (line + L - 1 >= end) break;
    }
    if (stale.any || unseen.any) {
        // Data: bytes were read stale; else the order alone proves it (no invalidate after the
        // device wrote them: a line filled at any moment before the read would be stale).
        const Offense& o = stale.any ? stale : unseen;
        Finding f;
        f.kind = FindingKind::StaleCpuRead;
        f.evidence = stale.any ? (unseen.any ? "both" : "data") : "order";
        f.address = o.first;
        f.size = o.end - o.first;
        f.when = when;
        f.where = resolve(site);
        f.related = related_device_write(o.dev);
        f.requester = o.dev.requester;
        if (vmo.koid) {
            f.vmo = vmo.koid;
            f.vmo_offset = vmo.offset + (o.first - pa);
        }
        const SourceLocation read_at = f.where;
        if (stale.any) {
            // (The advice below names the invalidate that came before the device write, if any.)
            f.message = "CPU read of " + bytes_text(len) + " at PA " + hex(pa) + " hit a cached line" +
                        (stale.fill_known ? " filled at " + ns(stale.fill_time) : std::string()) + " that predates " +
                        f.related.message + ": " + bytes_text(stale.bytes) + " read stale.";
        } else {
            f.message = "CPU read of " + bytes_text(len) + " at PA " + hex(pa) + " reads " + bytes_text(unseen.bytes) +
                        " that " + f.related.message +
                        " wrote, and no invalidate of their lines came between that write and this read. The data "
                        "was right in this run only because the cache did not hold the lines; a line filled at any "
                        "moment before the read (speculative prefetch, a neighbouring access) is read stale.";
        }
        f.message += " " + advise_invalidate(f, o.first, o.end, o.dev, read_at);
        locate_memory(f, o.dev.requester);
        report(std::move(f));
    }
    if (shared) {
        shared->when = when;
        shared->where = resolve(site);
        if (vmo.koid) {
            shared->vmo = vmo.koid;
            shared->vmo_offset = vmo.offset + (shared->address - pa);
        }
        locate_memory(*shared, -1);
        report(std::move(*shared));
    }
}

void CoherencyChecker::cache_op(MaintenanceOp op, uint64_t pa, uint64_t len, CodeSite site, sc_time when,
                                VmoRef vmo) {
    pending_op_ = OpContext{};
    pending_op_.active = true;
    pending_op_.op = op;
    pending_op_.pa = pa;
    pending_op_.len = len;
    pending_op_.site = site;
    pending_op_.vmo = vmo;
    pending_op_.when = when;
}

// ---------------------------------------------------------------- cache events

void CoherencyChecker::on_fill(uint64_t line, uint64_t, sc_time when) {
    if (LineHistory* h = lines_.find(line)) {
        h->device_bytes.clear_all();
        h->filled = true;
        h->fill_time = when;
    }
}

void CoherencyChecker::on_before_writeback(uint64_t line, uint64_t size, WritebackCause cause, sc_time when) {
    LineHistory* h = lines_.find(line);
    if (!h || !h->device_bytes.any()) return;
    uint64_t first = 0;
    const uint64_t k = differing(line, 0, size, h, Bytes::DeviceWritten, &first);
    if (!k) return;
    if (cause == WritebackCause::Clean && op_.active) {
        op_.lost.add(line + first, k);
        op_.lost.note(*h);
        return;
    }
    if (h->lost_finding &&
        merge_into_order(h->lost_finding, "the line was " +
                                              std::string(cause == WritebackCause::Snoop ? "written back by a snoop"
                                                                                         : "evicted and written back") +
                                              " at " + ns(when) + " over " + bytes_text(k) + " the device had written"))
        return;
    // An eviction (or snoop): blame the CPU write that made the line dirty.
    Finding f;
    f.kind = FindingKind::LostDeviceWrite;
    f.address = line + first;
    f.size = k;
    f.when = when;
    f.where = resolve(h->cpu_write.site);
    f.related = related_device_write(h->device_write);
    f.requester = h->device_write.requester;
    const std::string dirtied =
        h->cpu_write.valid ? " The CPU had dirtied the line at " + ns(h->cpu_write.when) +
                                 (f.where.known() ? " (" + f.where.to_string() + ")" : std::string()) + "."
                           : std::string();
    f.message = "dirty cache line " + hex(line) + " was " +
                (cause == WritebackCause::Snoop ? std::string("written back by a snoop")
                                                : std::string("evicted and written back")) +
                " at " + ns(when) + " over " + bytes_text(k) + " the device had written (" + f.related.message +
                "): the device's data is lost." + dirtied +
                " Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE) before the device wrote the buffer "
                "(and no CPU store to it until the device is done).";
    f.evidence = "data";
    locate_memory(f, h->device_write.requester);
    report(std::move(f));
}

void CoherencyChecker::on_writeback(uint64_t line, uint64_t, WritebackCause, sc_time) {
    if (LineHistory* h = lines_.find(line)) h->device_bytes.clear_all();  // DRAM == view now
}

void CoherencyChecker::on_discard(uint64_t line, uint64_t size, sc_time when) {
    LineHistory* h = lines_.find(line);
    uint64_t first = 0;
    const uint64_t k = differing(line, 0, size, h, Bytes::NotDeviceWritten, &first);
    if (!k) return;
    if (op_.active) {
        op_.discarded.add(line + first, k);
        if (h) op_.discarded.note(*h);
        return;
    }
    Finding f;
    f.kind = FindingKind::DiscardedCpuWrite;
    f.address = line + first;
    f.size = k;
    f.when = when;
    if (h) f.related = related_cpu_write(h->cpu_write);
    f.where = f.related.where;
    f.message = "cache line " + hex(line) + " was dropped at " + ns(when) + " with " + bytes_text(k) +
                " of CPU data never cleaned to memory. " + remedy(FindingKind::DiscardedCpuWrite);
    f.evidence = "data";
    locate_memory(f, -1);
    report(std::move(f));
}

void CoherencyChecker::on_maintenance_begin(MaintenanceOp op, uint64_t pa, uint64_t len, sc_time when) {
    op_ = OpContext{};
    op_.active = true;
    op_.op = op;
    op_.pa = pa;
    op_.len = len;
    op_.when = when;
    op_.seq = ++seq_;
    if (pending_op_.active && pending_op_.op == op && pa >= pending_op_.pa &&
        pa + len <= pending_op_.pa + pending_op_.len) {
        op_.site = pending_op_.site;
        op_.vmo = pending_op_.vmo;
        if (pending_op_.when > when) op_.ahead = pending_op_.when - when;
        if (op_.vmo.koid) op_.vmo.offset += pa - pending_op_.pa;
        if (pa + len == pending_op_.pa + pending_op_.len) pending_op_.active = false;
    }
    if (conservative_) check_conservative_begin(op_);
}

// Conservative mode: CPU stores the cache model never saw sit in the view. A clean must write
// them back (adopt their lines as dirty first); an invalidate drops them (a finding).
void CoherencyChecker::check_conservative_begin(const OpContext& op) {
    const uint64_t L = lines_.line_size();
    const uint64_t last = lines_.base(op.pa + op.len - 1);
    sc_time unused = sc_core::SC_ZERO_TIME;
    for (uint64_t line = lines_.base(op.pa);; line += L) {
        if (cache_.line_state(line) != CacheLineState::Dirty) {
            LineHistory* h = lines_.find(line);
            uint64_t first = 0;
            if (uint64_t k = differing(line, 0, L, h, Bytes::NotDeviceWritten, &first)) {
                if (has_clean(op.op)) {
                    cache_.adopt_cpu_writes(line, unused);
                } else {
                    op_.discarded.add(line + first, k);
                    if (h) op_.discarded.note(*h);
                }
            }
        }
        if (line == last) break;
    }
}

void CoherencyChecker::on_maintenance_end(MaintenanceOp op, uint64_t pa, uint64_t len, sc_time when) {
    flush_op();
    recent_ops_.push_back({op, pa, len, op_.site, op_.when, op_.seq});
    if (recent_ops_.size() > 256) recent_ops_.pop_front();
    if (hazards_ && len && !pins().empty()) {
        for (uint64_t page = pa & ~4095ULL;; page += 4096) {
            const uint64_t at = std::max(pa, page);
            if (const Pin* pin = pins().find_pa(at, -1, true)) activity(*pin).prepared_pages.insert(page);
            if (page + 4095 >= pa + len - 1) break;
        }
    }
    const uint64_t first = lines_.base(pa), last = lines_.base(pa + len - 1);
    lines_.for_each_in(first, last, [&](uint64_t, LineHistory& h) {
        h.maint.valid = true;
        h.maint.when = when + op_.ahead;
        h.maint.site = op_.site;
        h.maint.op = op;
        h.maint.seq = op_.seq;
        // The operation works on whole lines: a clean makes what the CPU stored memory's, an
        // invalidate makes the next load fetch what the device wrote (or drops the stores).
        if (has_clean(op)) h.cpu_unclean.clear_all();
        if (has_invalidate(op)) {
            h.dev_unseen.clear_all();
            h.cpu_unclean.clear_all();
        }
        h.dirtier.valid = false;
        h.lost_finding = nullptr;
    });
    if (conservative_ && has_invalidate(op)) {
        // Unseen loads must now read what a refill would bring.
        cache_.refresh_view(pa, len);
        lines_.for_each_in(first, last, [&](uint64_t, LineHistory& h) { h.device_bytes.clear_all(); });
    }
    op_.active = false;
}

void CoherencyChecker::flush_op() {
    const SourceLocation where = resolve(op_.site);
    const std::string opname = std::string(to_string(op_.op));
    if (op_.lost.any && op_.lost.order_finding &&
        merge_into_order(op_.lost.order_finding, "the cache " + opname + " at " +
                                                     (where.known() ? where.to_string() : ns(op_.when)) +
                                                     " wrote the line back over " + bytes_text(op_.lost.bytes) +
                                                     " the device had written"))
        op_.lost.any = false;
    if (op_.lost.any) {
        Finding f;
        f.kind = FindingKind::LostDeviceWrite;
        f.address = op_.lost.first;
        f.size = op_.lost.end - op_.lost.first;
        f.when = op_.when;
        f.where = where;
        f.related = related_device_write(op_.lost.dev);
        f.requester = op_.lost.dev.requester;
        if (op_.vmo.koid) {
            f.vmo = op_.vmo.koid;
            f.vmo_offset = op_.vmo.offset + (f.address - op_.pa);
        }
        f.message = "cache " + opname + " of " + bytes_text(op_.len) + " at PA " + hex(op_.pa) +
                    " wrote dirty lines back over " + bytes_text(op_.lost.bytes) + " the device had written (" +
                    f.related.message + "): the device's data is lost. The lines were dirty while the device wrote them; "
                    "missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE) before the device wrote the buffer "
                    "(and no CPU store to it until the device is done).";
        f.evidence = "data";
        locate_memory(f, op_.lost.dev.requester);
        report(std::move(f));
    }
    if (op_.discarded.any) {
        Finding f;
        f.kind = FindingKind::DiscardedCpuWrite;
        f.address = op_.discarded.first;
        f.size = op_.discarded.end - op_.discarded.first;
        f.when = op_.when;
        f.where = where;
        f.related = related_cpu_write(op_.discarded.cpu);
        if (op_.vmo.koid) {
            f.vmo = op_.vmo.koid;
            f.vmo_offset = op_.vmo.offset + (f.address - op_.pa);
        }
        f.message = "cache invalidate of " + bytes_text(op_.len) + " at PA " + hex(op_.pa) + " dropped " +
                    bytes_text(op_.discarded.bytes) + " of CPU data never cleaned to memory" +
                    (op_.discarded.cpu.valid ? " (" + f.related.message + ")" : std::string()) + ".";
        f.evidence = "data";
        // The history of the operation's lines: were CPU stores still dirty when a device wrote
        // them? Then a clean here would put them over the device's data (the advice a fixed
        // text would give); the clean belongs before the doorbell.
        DeviceWriteEvent over_dirty;
        lines_.for_each_in(lines_.base(op_.pa), lines_.base(op_.pa + op_.len - 1), [&](uint64_t, LineHistory& h) {
            if (h.dirtier.valid && h.device_write.valid && h.device_write.seq > h.dirtier.seq &&
                (!over_dirty.valid || h.device_write.transaction < over_dirty.transaction))
                over_dirty = h.device_write;
        });
        if (over_dirty.valid) {
            const DeviceWriteEvent& d = over_dirty;
            const SourceLocation bell = resolve(d.doorbell);
            f.message += " These CPU stores were still dirty when the device wrote the lines (" +
                         describe_device_write(d) +
                         "), so cleaning them here would write them over the device's data. The clean belongs "
                         "before the device writes: zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE) of " +
                         line_range(op_.pa, op_.pa + op_.len) + " after the CPU write" +
                         (f.related.where.known() ? " at " + f.related.where.to_string() : std::string()) +
                         " and before the doorbell" + (bell.known() ? " at " + bell.to_string() : std::string()) + ".";
        } else {
            f.message += " Missing ZX_VMO_OP_CACHE_CLEAN before the invalidate: use "
                         "ZX_VMO_OP_CACHE_CLEAN_INVALIDATE when the range holds CPU writes that must survive.";
        }
        locate_memory(f, -1);
        report(std::move(f));
    }
}

// ---------------------------------------------------------------- device side

void CoherencyChecker::on_device_access(const DeviceAccess& a) {
    if (!a.len) return;
    ++transactions_;
    const uint64_t seq = ++seq_;
    const int rid = a.requester;
    const Doorbell& bell = doorbell(rid);
    const uint64_t L = lines_.line_size();
    const uint64_t end = a.len - 1 > ~0ULL - a.pa ? ~0ULL : a.pa + a.len - 1;
    Offense stale, unclean;  // data: dirty bytes the device missed; order: bytes stored with no clean since
    std::vector<uint64_t> dirty_lines;  // written while order-dirty
    // The device address of a write, from the pin covering it (once per transaction).
    bool has_dev = false;
    uint64_t dev_addr = 0, unprepared_pin = 0, unprepared_index = 0;
    if (a.is_write && !pins().empty()) {
        const PinRange* run = nullptr;
        if (const Pin* pin = pins().find_pa(a.pa, rid, false, &run); pin && run) {
            has_dev = true;
            dev_addr = run->device_addr + (a.pa - run->pa);
            const PinActivity* act = activity_of(pin->id);
            if (hazards_ && pin->live() && act && !act->prepared_pages.empty() &&
                !act->prepared_pages.count(a.pa & ~4095ULL)) {
                unprepared_pin = pin->id;
                unprepared_index = pin->offset_of(a.pa) / 4096;
            }
        }
    }
    for (uint64_t line = lines_.base(a.pa);; line += L) {
        const uint64_t s = std::max(a.pa, line), z = std::min(end, line + L - 1);
        const uint64_t off = s - line, n = z - s + 1;
        if (!a.is_write) {
            if (conservative_ || cache_.line_state(line) == CacheLineState::Dirty) {
                LineHistory* h = lines_.find(line);
                uint64_t first = 0;
                if (uint64_t k = differing(line, off, n, h, Bytes::NotDeviceWritten, &first)) {
                    stale.add(line + first, k);
                    if (h) stale.note(*h);
                }
            }
            if (hazards_) {
                uint64_t first = 0;
                LineHistory* h = lines_.find(line);
                if (h)
                    if (uint64_t k = h->cpu_unclean.count(off, n, &first)) {
                        unclean.add(line + first, k);
                        unclean.note(*h);
                    }
            }
        } else {
            LineHistory& h = lines_.at(line);
            h.device_bytes.set(off, n);
            h.device_write.valid = true;
            h.device_write.when = a.when;
            h.device_write.requester = rid;
            h.device_write.pa = a.pa;
            h.device_write.len = a.len;
            h.device_write.has_device_addr = has_dev;
            h.device_write.device_addr = dev_addr;
            h.device_write.transaction = transactions_;
            h.device_write.doorbell = bell.site;
            h.device_write.doorbell_time = bell.when;
            h.device_write.seq = seq;
            h.device_write.doorbell_seq = bell.valid ? bell.seq : 0;
            h.device_write.unprepared_pin = unprepared_pin;
            h.device_write.unprepared_index = unprepared_index;
            if (hazards_) {
                if (h.dirtier.valid && !h.lost_finding) dirty_lines.push_back(line);
                // An invalidate that reached the checker before this write but is not earlier
                // in simulated time (the driver thread ran ahead) covers it.
                if (!(h.maint.valid && has_invalidate(h.maint.op) && !(h.maint.when < a.when)))
                    h.dev_unseen.set(off, n);
                h.cpu_unclean.clear(off, n);  // memory holds the device's bytes now
            }
        }
        if (line + L - 1 >= end) break;
    }
    if (!dirty_lines.empty()) order_lost_write(dirty_lines, lines_.at(dirty_lines.front()).device_write);
    if (stale.any || unclean.any) {
        const Offense& o = stale.any ? stale : unclean;
        Finding f;
        f.kind = FindingKind::StaleDeviceRead;
        f.evidence = stale.any ? (unclean.any ? "both" : "data") : "order";
        f.address = o.first;
        f.size = o.end - o.first;
        f.when = a.when;
        f.requester = rid;
        f.related = related_cpu_write(o.cpu);
        f.where = bell.valid ? resolve(bell.site) : f.related.where;
        if (stale.any) {
            const std::string held = conservative_ ? "the CPU view held data DRAM did not have"
                                                   : "the CPU cache held newer dirty data";
            f.message = "device read #" + std::to_string(transactions_) + " by " + device_text(rid) + " of " +
                        bytes_text(a.len) + " at PA " + hex(a.pa) + " while " + held + " for " +
                        bytes_text(stale.bytes) +
                        (stale.cpu.valid ? " (written at " + f.related.where.to_string() + ", " + ns(stale.cpu.when) + ")"
                                         : std::string()) +
                        ": the device got stale data.";
        } else {
            f.message = "device read #" + std::to_string(transactions_) + " by " + device_text(rid) + " of " +
                        bytes_text(a.len) + " at PA " + hex(a.pa) + " reads " + bytes_text(unclean.bytes) +
                        " the CPU stored" +
                        (unclean.cpu.valid ? " (last at " + f.related.where.to_string() + ", " + ns(unclean.cpu.when) + ")"
                                           : std::string()) +
                        " with no clean of their lines between the store and this read. The data was right in this "
                        "run only because the lines happened to be written back (evicted) in time; with the lines "
                        "still dirty the device reads stale memory.";
        }
        f.message += " " + advise_clean(f, o.first, o.end, a.pa, a.len, o.cpu, bell);
        locate_memory(f, rid);
        report(std::move(f));
    }

    // Device addresses that were unpinned: a stale IOTLB entry (deferred invalidation) or
    // memory no live pin covers any more (bypass, or the stale entry's target).
    const bool stale_translation = stale_translation_pending_;
    stale_translation_pending_ = false;
    if (pins().empty()) {
        check_write_inside_pins(a, end, false);
        return;
    }
    bool after_unpin = false;  // reported as dma-after-unpin: not also as dma-outside-pin
    const uint64_t busy = [&] {
        auto it = busy_.find(rid);
        return it == busy_.end() ? 0 : it->second;
    }();
    for (uint64_t page = a.pa & ~4095ULL;; page += 4096) {
        const uint64_t at = std::max(a.pa, page);
        const PinRange* run = nullptr;
        const Pin* live = pins().find_pa(at, rid, true, &run);
        if (live) {
            PinActivity& act = activity(*live);
            act.last_device_access = a.when;
            if (busy) act.touched_in_busy = busy;
        }
        const PinRange* old_run = nullptr;
        const Pin* old = (!live || stale_translation) ? pins().find_pa(at, rid, false, &old_run) : nullptr;
        if (old && old->live()) old = nullptr;
        if (old || (stale_translation && !live)) {
            if (old) confirm_in_flight(*old, rid, a.is_write, a.when);
            Finding f;
            f.kind = FindingKind::DmaAfterUnpin;
            f.address = at;
            f.size = std::min<uint64_t>(end, page + 4095) - at + 1;
            f.when = a.when;
            f.requester = rid;
            f.where = bell.valid ? resolve(bell.site) : SourceLocation{};
            if (old) {
                f.related = related_pin(*old, "unpin");
                f.has_device_address = true;
                f.device_address = old_run->device_addr + (at - old_run->pa);
                f.vmo = old->vmo_koid;
                f.vmo_offset = old_run->vmo_offset + (at - old_run->pa);
            }
            const std::string how = stale_translation
                                        ? "through a stale IOTLB entry (deferred invalidation had not been flushed)"
                                        : p_.iommu().bypass() ? "with the physical address (IOMMU bypass)"
                                                              : "through a translation still in place";
            f.message = "device " + std::string(a.is_write ? "write" : "read") + " #" + std::to_string(transactions_) +
                        " by " + device_text(rid) + " of PA " + hex(at) + " " + how + " after " +
                        (old ? f.related.message : std::string("its pin was unpinned")) +
                        (a.is_write ? ": it changed memory the driver no longer owns. "
                                    : ": it read memory the driver no longer owns. ") +
                        remedy(FindingKind::DmaAfterUnpin);
            report(std::move(f));
            after_unpin = true;
            break;  // one finding per transaction
        }
        if (page + 4095 >= end) break;
    }
    check_write_inside_pins(a, end, after_unpin);
}

void CoherencyChecker::check_write_inside_pins(const DeviceAccess& a, uint64_t end, bool after_unpin) {
    if (!a.is_write || after_unpin || !p_.iommu().bypass()) return;
    const int rid = a.requester;
    // Walk the write through the live writable pins covering it: one ordered lookup per run.
    uint64_t at = a.pa;
    for (;;) {
        const PinRange* run = nullptr;
        if (!pins().find_pa(at, rid, true, &run, kPinDeviceWrite) || !run) break;
        const uint64_t run_last = run->pa + run->len - 1;
        if (run_last >= end) return;
        at = run_last + 1;
    }
    const Doorbell& bell = doorbell(rid);
    Finding f;
    f.kind = FindingKind::DmaOutsidePin;
    f.address = at;
    f.size = end - at + 1;
    f.has_device_address = true;
    f.device_address = at;  // bypass: the device uses physical addresses
    f.when = a.when;
    f.requester = rid;
    f.where = bell.valid ? resolve(bell.site) : SourceLocation{};
    std::string why;
    const PinRange* run = nullptr;
    if (const Pin* ro = pins().find_pa(at, rid, true, &run)) {
        f.related = related_pin(*ro, "pin");
        why = "inside " + f.related.message + ", which does not let the device write";
        if (run) {
            f.vmo = ro->vmo_koid;
            f.vmo_offset = run->vmo_offset + (at - run->pa);
        }
    } else if (const Pin* before = at > a.pa ? pins().find_pa(at - 1, rid, true, nullptr, kPinDeviceWrite) : nullptr) {
        f.related = related_pin(*before, "pin");
        why = bytes_text(f.size) + " past the end of " + f.related.message;
    } else {
        why = "no live pin of this device covers it";
    }
    f.message = "device write #" + std::to_string(transactions_) + " by " + device_text(rid) + " of " +
                bytes_text(a.len) + " at PA " + hex(a.pa) + " reached memory at PA " + hex(at) +
                " with translation off (IOMMU bypass): " + why + ". " + remedy(FindingKind::DmaOutsidePin);
    report(std::move(f));
}

void CoherencyChecker::on_iommu_fault(const IommuFault& fault) {
    stale_translation_pending_ = false;  // a faulting transaction is not a stale hit
    const int rid = fault.requester == 0xffff ? -1 : fault.requester;
    const Doorbell& bell = doorbell(rid);
    const PinRange* run = nullptr;
    const Pin* pin = pins().find_device(fault.device_addr, rid, false, &run);
    Finding f;
    f.has_device_address = true;
    f.device_address = fault.device_addr;
    f.requester = rid;
    f.when = fault.time;
    f.where = bell.valid ? resolve(bell.site) : SourceLocation{};
    const std::string access = std::string(fault.is_write ? "write" : "read");
    if (pin && run) {
        f.address = run->pa + (fault.device_addr - run->device_addr);
        f.vmo = pin->vmo_koid;
        f.vmo_offset = run->vmo_offset + (fault.device_addr - run->device_addr);
    }
    if (pin && !pin->live()) {
        confirm_in_flight(*pin, rid, fault.is_write, fault.time);
        f.kind = FindingKind::DmaAfterUnpin;
        f.related = related_pin(*pin, "unpin");
        f.message = "device " + access + " by " + device_text(rid) + " at device address " + hex(fault.device_addr) +
                    " faulted in the IOMMU (" + to_string(fault.reason) + ") after " + f.related.message + ". " +
                    remedy(FindingKind::DmaAfterUnpin);
    } else {
        f.kind = FindingKind::IommuFault;
        std::string whose = " (no pin covers this address)";
        if (pin) {
            f.related = related_pin(*pin, "pin");
            whose = " (" + f.related.message + ")";
        } else if (rid >= 0) {
            // Device addresses are per BTI: the address may be another device's (a driver that
            // handed one device the addresses it pinned for another).
            for (unsigned slot = 0; slot < p_.devices().size(); ++slot) {
                const int other = (int)PciHost::requester_id(slot);
                const PinRange* r = nullptr;
                const Pin* op = other == rid ? nullptr : pins().find_device(fault.device_addr, other, false, &r);
                if (!op || !op->live()) continue;
                f.related = related_pin(*op, "pin");
                whose = " (not pinned for this device: the address belongs to " + device_text(other) + "'s " +
                        f.related.message + ")";
                break;
            }
        }
        f.message = "device " + access + " by " + device_text(rid) + " at device address " + hex(fault.device_addr) +
                    " faulted in the IOMMU: " + to_string(fault.reason) + whose + ". " + remedy(FindingKind::IommuFault);
    }
    report(std::move(f));
}

void CoherencyChecker::on_master_abort(const PciMasterAbort& m) {
    const Doorbell& bell = doorbell(m.requester);
    Finding f;
    f.kind = FindingKind::BusMasterDisabled;
    f.has_device_address = true;
    f.device_address = m.address;
    f.requester = m.requester;
    f.when = m.time;
    f.where = bell.valid ? resolve(bell.site) : SourceLocation{};
    if (bell.valid) {
        f.related.what = "doorbell";
        f.related.when = bell.when;
        f.related.where = f.where;
        f.related.message = "the driver's last MMIO write to the device, at " + ns(bell.when);
    }
    f.message = "device " + std::string(m.is_write ? "write" : "read") + " by " + device_text(m.requester) +
                " at device address " + hex(m.address) + " was refused: bus mastering is disabled. " +
                remedy(FindingKind::BusMasterDisabled);
    report(std::move(f));
}

// ---------------------------------------------------------------- pins and the rest

void CoherencyChecker::read_pins(const PinView* registry) {
    if (registry == registry_) return;
    registry_ = registry;
    activity_.clear();  // ids name other pins now
}

uint64_t CoherencyChecker::pin(const PinRequest& req, CodeSite site, sc_time when) {
    auto p = std::make_shared<Pin>();
    p->requester = req.requester;
    p->vmo_koid = req.vmo;
    p->perms = req.perms;
    p->runs = req.runs;
    p->pinned_at = when;
    p->pin_site = site;
    const uint64_t id = own_pins_.add(std::move(p)).id;
    if (!registry_) pinned(id);
    return id;
}

void CoherencyChecker::unpin(uint64_t id, CodeSite site, sc_time when) {
    Pin* p = own_pins_.get(id);
    if (!p || !p->live()) return;
    p->unpin_site = site;
    p->unpinned_at = when;
    p->state = PinState::Unpinned;
    if (!registry_) unpinned(id);
    own_pins_.retire(id);
}

void CoherencyChecker::quarantine(uint64_t id, CodeSite site, sc_time when) {
    Pin* p = own_pins_.get(id);
    if (!p || p->state != PinState::Pinned) return;
    p->state = PinState::Quarantined;
    p->quarantine_site = site;
    p->quarantined_at = when;
    if (!registry_) quarantined(id);
}

void CoherencyChecker::pinned(uint64_t id) {
    if (const Pin* p = pins().get(id)) activity(*p) = PinActivity{};
    // The activity of pins the view no longer keeps goes now and then: amortised O(1) a pin.
    if (++pins_since_sweep_ >= 1024) {
        pins_since_sweep_ = 0;
        for (auto it = activity_.begin(); it != activity_.end();)
            it = pins().get(it->first) ? std::next(it) : activity_.erase(it);
    }
}

void CoherencyChecker::quarantined(uint64_t) {}  // the record says where and when

void CoherencyChecker::unpinned(uint64_t id) {
    const Pin* p = pins().get(id);
    if (!p) return;
    const CodeSite site = p->unpin_site;
    const sc_time when = p->unpinned_at;
    PinActivity& act = activity(*p);
    // Unpinned while the device, busy since it last touched the pin, may still be working on
    // it: confirmed (unpin-in-flight) if it accesses the pin's addresses before going idle.
    const auto busy = busy_.find(p->requester);
    if (busy != busy_.end() && busy->second && act.touched_in_busy == busy->second) act.unpinned_in_busy = busy->second;
    if (conservative_) {
        // What the device wrote must have been invalidated before the CPU reads it; unseen
        // loads cannot be checked, so check at the unpin that the view caught up.
        Offense stale;
        for (const PinRange& r : p->runs) {
            if (!r.len) continue;
            lines_.for_each_in(lines_.base(r.pa), lines_.base(r.pa + r.len - 1), [&](uint64_t line, LineHistory& h) {
                if (!h.device_bytes.any()) return;
                uint64_t first = 0;
                if (uint64_t k = differing(line, 0, lines_.line_size(), &h, Bytes::DeviceWritten, &first)) {
                    stale.add(line + first, k);
                    stale.note(h);
                }
            });
        }
        if (stale.any) {
            Finding f;
            f.kind = FindingKind::StaleCpuRead;
            f.address = stale.first;
            f.size = stale.end - stale.first;
            f.when = when;
            f.where = resolve(site);
            f.related = related_device_write(stale.dev);
            f.requester = p->requester;
            f.message = "(conservative mode) pin #" + std::to_string(p->id) + " was unpinned while the CPU view of " +
                        bytes_text(stale.bytes) + " the device wrote (" + f.related.message +
                        ") was never invalidated: CPU loads of them read stale data. Missing "
                        "zx_vmo_op_range(ZX_VMO_OP_CACHE_INVALIDATE) after the device wrote the buffer.";
            f.evidence = "data";
            locate_memory(f, p->requester);
            report(std::move(f));
        }
    }
}

namespace {
// A finding about a pin as a whole: its first run's addresses, its size, VMO and device.
Finding finding_about_pin(FindingKind kind, const Pin& p) {
    Finding f;
    f.kind = kind;
    f.address = p.runs.empty() ? 0 : p.runs[0].pa;
    f.size = p.size();
    if (!p.runs.empty()) {
        f.has_device_address = true;
        f.device_address = p.runs[0].device_addr;
        f.vmo_offset = p.runs[0].vmo_offset;
    }
    f.vmo = p.vmo_koid;
    f.requester = p.requester;
    return f;
}
}  // namespace

void CoherencyChecker::confirm_in_flight(const Pin& p, int rid, bool is_write, sc_time when) {
    PinActivity& act = activity(p);
    if (act.in_flight_reported || !act.unpinned_in_busy || rid != p.requester) return;
    const auto busy = busy_.find(rid);
    if (busy == busy_.end() || busy->second != act.unpinned_in_busy) return;  // idle since the unpin
    act.in_flight_reported = true;
    Finding f = finding_about_pin(FindingKind::UnpinInFlight, p);
    f.when = p.unpinned_at;
    f.where = resolve(p.unpin_site);
    f.related.what = "device-access";
    f.related.when = when;
    f.related.where = resolve(doorbell(rid).site);
    // Event order, not timestamps: the device's and the driver's clocks run ahead separately.
    f.related.message = "the device was working on these pages when they were unpinned (last access at " +
                        ns(act.last_device_access) + ") and, without becoming idle, " + (is_write ? "wrote" : "read") +
                        " through the pin's device addresses again at " + ns(when);
    f.message = "zx_pmt_unpin of pin #" + std::to_string(p.id) + " (" + bytes_text(f.size) + " at PA " + hex(f.address) +
                ") while device " + device_text(p.requester) + " was still busy with these pages (" + f.related.message +
                "). " + remedy(FindingKind::UnpinInFlight);
    report(std::move(f));
}

void CoherencyChecker::mmio_write(int requester, uint64_t reg_offset, CodeSite site, sc_time when) {
    Doorbell d;
    d.site = site;
    d.when = when;
    d.offset = reg_offset;
    d.valid = true;
    d.seq = ++seq_;
    doorbell_seqs_.push_back(d.seq);
    if (doorbell_seqs_.size() > 256) doorbell_seqs_.pop_front();
    doorbells_[requester] = d;
    last_doorbell_ = d;
    registers_[requester].last[reg_offset] = d;
}

void CoherencyChecker::device_busy(int requester, sc_time) {
    uint64_t& b = busy_[requester];
    if (b) return;
    b = ++busy_periods_;
    // The last register write before the device woke up: a doorbell.
    auto it = doorbells_.find(requester);
    if (it != doorbells_.end() && it->second.valid) ++registers_[requester].wakes[it->second.offset];
}

void CoherencyChecker::device_idle(int requester, sc_time) { busy_[requester] = 0; }

void CoherencyChecker::forget(uint64_t pa, uint64_t len) { lines_.forget(pa, len); }

void CoherencyChecker::end_of_run(sc_time when) {
    if (ended_) return;
    ended_ = true;
    pins().for_each_live([&](const Pin& p) {
        Finding f = finding_about_pin(FindingKind::LeakedPin, p);
        f.when = when;
        f.where = resolve(p.pin_site);
        const bool q = p.state == PinState::Quarantined;
        if (q) f.related = related_pin(p, "quarantine");
        f.message = "pin #" + std::to_string(p.id) + " (" + bytes_text(f.size) + (p.vmo_koid ? " of VMO " + std::to_string(p.vmo_koid) : "") +
                    (f.has_device_address ? " at device address " + hex(f.device_address) : std::string()) + ", " +
                    perms_text(p.perms) + ") made at " + ns(p.pinned_at) + " is still " +
                    (q ? "quarantined (" + f.related.message + ")" : std::string("pinned")) +
                    " at the end of the run. " + remedy(FindingKind::LeakedPin);
        report(std::move(f));
    });
}

// ---------------------------------------------------------------- hazard rules: advice

std::string CoherencyChecker::line_range(uint64_t first, uint64_t end) const {
    const uint64_t L = lines_.line_size();
    const uint64_t lo = lines_.base(first), hi = lines_.base(end - 1) + L;
    return "PA " + hex(lo) + ".." + hex(hi) + " (" + std::to_string((hi - lo) / L) + (hi - lo == L ? " line)" : " lines)");
}

std::string CoherencyChecker::where_text(CodeSite site) {
    const SourceLocation l = resolve(site);
    return l.known() ? l.to_string() : std::string("an unknown location");
}

uint64_t CoherencyChecker::prev_doorbell_seq(uint64_t before) const {
    for (auto it = doorbell_seqs_.rbegin(); it != doorbell_seqs_.rend(); ++it)
        if (*it < before) return *it;
    return 0;
}

namespace {
const char* op_call(MaintenanceOp op) {
    switch (op) {
    case MaintenanceOp::Clean: return "clean (ZX_VMO_OP_CACHE_CLEAN / zx_cache_flush(ZX_CACHE_FLUSH_DATA))";
    case MaintenanceOp::Invalidate: return "invalidate (ZX_VMO_OP_CACHE_INVALIDATE)";
    default: return "clean+invalidate (ZX_VMO_OP_CACHE_CLEAN_INVALIDATE)";
    }
}
}  // namespace

std::string CoherencyChecker::advise_invalidate(Finding& f, uint64_t first, uint64_t end, const DeviceWriteEvent& dev,
                                                const SourceLocation& read_at) {
    const uint64_t L = lines_.line_size();
    const std::string need = line_range(first, end);
    const std::string after =
        dev.valid ? "after device write #" + std::to_string(dev.transaction) +
                        (dev.doorbell.known() ? " (started at " + where_text(dev.doorbell) + ")" : std::string())
                  : std::string("after the device wrote the buffer");
    const std::string read = "the read at " + (read_at.known() ? read_at.to_string() : std::string("?"));
    if (dev.valid && dev.unprepared_pin) {
        // The device wrote a page the driver never handed it: the device address is wrong, not
        // the cache maintenance. The doorbell is where the addresses were handed over.
        const Pin* pin = pins().get(dev.unprepared_pin);
        const PinActivity* act = pin ? activity_of(pin->id) : nullptr;
        std::string prepared;
        if (act && !act->prepared_pages.empty()) {
            const uint64_t off = pin->offset_of(*act->prepared_pages.begin());
            if (off != ~0ULL) prepared = " (it prepared addrs[" + std::to_string(off / 4096) + "]";
            if (!prepared.empty())
                prepared += act->prepared_pages.size() > 1
                                ? " and " + std::to_string(act->prepared_pages.size() - 1) + " more)"
                                : std::string(")");
        }
        if (dev.doorbell.known()) f.where = resolve(dev.doorbell);
        const uint64_t to = dev.has_device_addr ? dev.device_addr : dev.pa;
        return "Device write #" + std::to_string(dev.transaction) + " went to device address " + hex(to) +
               ", in page addrs[" + std::to_string(dev.unprepared_index) + "] = " + hex(to - (dev.pa & 4095)) +
               " of pin #" + std::to_string(dev.unprepared_pin) +
               (pin ? " made at " + where_text(pin->pin_site) : std::string()) +
               ", which no cache operation of the driver covered since the pin, while it prepared others of "
               "that pin" + prepared +
               ": the device was given the wrong page (a wrong index into addrs[], or a length that runs past the "
               "buffer), not a missing invalidate. Check the device address programmed before the doorbell" +
               (dev.doorbell.known() ? " at " + where_text(dev.doorbell) : std::string()) + ".";
    }
    const uint64_t dlo = dev.valid ? dev.pa : first, dhi = dev.valid ? dev.pa + dev.len : end;
    for (auto it = recent_ops_.rbegin(); it != recent_ops_.rend() && it->seq > dev.seq; ++it) {
        const RecentOp& op = *it;
        const uint64_t olo = lines_.base(op.pa), ohi = lines_.base(op.pa + op.len - 1) + L;
        const bool covers = first >= olo && first < ohi;
        if (covers && op.op == MaintenanceOp::Clean) {
            // The right place, the wrong kind: the line that must change is this operation.
            const SourceLocation at = resolve(op.site);
            if (at.known()) f.where = at;
            return "The cache operation after the device write, the " + std::string(op_call(op.op)) + " at " +
                   where_text(op.site) + ", only cleans: the CPU's copy of the lines stays valid and " + read +
                   " can still hit it. It must also invalidate: use ZX_VMO_OP_CACHE_CLEAN_INVALIDATE (or "
                   "zx_cache_flush(ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE)) there.";
        }
        if (has_invalidate(op.op) && !covers && op.pa < dhi && dlo < op.pa + op.len) {
            // The right kind and place for this buffer, too short a range.
            const SourceLocation at = resolve(op.site);
            if (at.known()) f.where = at;
            const uint64_t lo = std::min(olo, lines_.base(first)), hi = std::max(ohi, lines_.base(end - 1) + L);
            return "The " + std::string(op_call(op.op)) + " at " + where_text(op.site) + " covered PA " + hex(op.pa) +
                   ".." + hex(op.pa + op.len) + " (lines " + hex(olo) + ".." + hex(ohi) + "), but " + read +
                   " needs " + need + " invalidated " + after + ": extend it to PA " + hex(lo) + ".." + hex(hi) + ".";
        }
    }
    for (auto it = recent_ops_.rbegin(); it != recent_ops_.rend(); ++it) {
        const RecentOp& op = *it;
        if (op.seq > dev.seq || !has_invalidate(op.op)) continue;
        if (!(first >= lines_.base(op.pa) && first < lines_.base(op.pa + op.len - 1) + L)) continue;
        return "The " + std::string(op_call(op.op)) + " of these lines at " + where_text(op.site) +
               " came before the device write: invalidating only before the DMA is not enough. Missing "
               "zx_vmo_op_range(ZX_VMO_OP_CACHE_INVALIDATE) of " + need + " " + after + " and before " + read + ".";
    }
    return "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_INVALIDATE) of " + need + " " + after + " and before " + read + ".";
}

std::string CoherencyChecker::advise_clean(Finding& f, uint64_t first, uint64_t end, uint64_t dma_pa, uint64_t dma_len,
                                           const CpuWriteEvent& cpu, const Doorbell& bell) {
    const uint64_t L = lines_.line_size();
    const std::string need = line_range(first, end);
    const std::string store = cpu.valid ? "the CPU write at " + where_text(cpu.site) : std::string("the CPU write");
    const std::string door = bell.valid ? "the doorbell at " + where_text(bell.site) : std::string("the doorbell");
    const SourceLocation bell_at = f.where;
    for (auto it = recent_ops_.rbegin(); it != recent_ops_.rend() && (!cpu.valid || it->seq > cpu.seq); ++it) {
        const RecentOp& op = *it;
        const uint64_t olo = lines_.base(op.pa), ohi = lines_.base(op.pa + op.len - 1) + L;
        const bool covers = first >= olo && first < ohi;
        if (has_clean(op.op) && !covers && op.pa < dma_pa + dma_len && dma_pa < op.pa + op.len) {
            // The clean for this transfer exists, its range is short.
            const SourceLocation at = resolve(op.site);
            if (at.known()) f.where = at;
            const uint64_t lo = std::min(olo, lines_.base(first)), hi = std::max(ohi, lines_.base(end - 1) + L);
            return "The " + std::string(op_call(op.op)) + " at " + where_text(op.site) + " covered PA " + hex(op.pa) +
                   ".." + hex(op.pa + op.len) + " (lines " + hex(olo) + ".." + hex(ohi) + "), but the device read PA " +
                   hex(dma_pa) + ".." + hex(dma_pa + dma_len) + " and " + need + " holds bytes stored by " + store +
                   " that were never cleaned: extend it to PA " + hex(lo) + ".." + hex(hi) + " (before " +
                   (bell_at.known() ? "the doorbell at " + bell_at.to_string() : door) + ").";
        }
    }
    if (cpu.valid) {
        const uint64_t since = prev_doorbell_seq(cpu.seq);
        for (auto it = recent_ops_.rbegin(); it != recent_ops_.rend(); ++it) {
            const RecentOp& op = *it;
            if (op.seq > cpu.seq) continue;
            if (op.seq < since) break;
            if (!has_clean(op.op) || !(first >= lines_.base(op.pa) && first < lines_.base(op.pa + op.len - 1) + L))
                continue;
            return "The " + std::string(op_call(op.op)) + " at " + where_text(op.site) + " came before " + store +
                   ": clean after the last CPU write. Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN) (or "
                   "zx_cache_flush(ZX_CACHE_FLUSH_DATA)) of " + need + " after " + store + " and before " + door + ".";
        }
    }
    return "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN) (or zx_cache_flush(ZX_CACHE_FLUSH_DATA)) of " + need +
           " after " + store + " and before " + door + ".";
}

// ---------------------------------------------------------------- hazard rules: lost device writes

void CoherencyChecker::order_lost_write(const std::vector<uint64_t>& lines, const DeviceWriteEvent& dev) {
    const uint64_t L = lines_.line_size();
    LineHistory& h = lines_.at(lines.front());
    const CpuWriteEvent store = h.dirtier;
    // One finding per store and doorbell: the bursts of one DMA over one memset are one bug.
    const auto key = std::make_tuple(store.site.pc, store.site.label, dev.doorbell_seq);
    auto known = lost_by_store_.find(key);
    if (known != lost_by_store_.end()) {
        Finding& g = *const_cast<Finding*>(known->second);  // in log_ (a deque: stable)
        const uint64_t lo = std::max(dev.pa, lines.front()), hi = std::min(dev.pa + dev.len, lines.back() + L);
        if (lo == g.address + g.size) g.size = hi - g.address;  // the DMA goes on
        for (uint64_t l : lines) lines_.at(l).lost_finding = known->second;
        return;
    }
    Finding f;
    f.kind = FindingKind::LostDeviceWrite;
    f.evidence = "order";
    f.address = std::max(dev.pa, lines.front());
    f.size = std::min(dev.pa + dev.len, lines.back() + L) - f.address;
    f.when = dev.when;
    f.where = resolve(store.site);
    f.related = related_device_write(dev);
    f.requester = dev.requester;
    // The CPU's bytes in the first line, and whether the device wrote the same bytes.
    const uint64_t line = lines.front();
    const uint64_t doff = std::max(dev.pa, line) - line, dn = std::min(dev.pa + dev.len, line + L) - line - doff;
    uint64_t cfirst = 0;
    const uint64_t cbytes = h.cpu_unclean.count(0, L, &cfirst);
    const bool same_bytes = h.cpu_unclean.count(doff, dn) > 0;
    const std::string at = f.where.known() ? " at " + f.where.to_string() : std::string();
    f.message = "CPU store" + at + " (" + ns(store.when) + ") made cache line " + hex(line) +
                (lines.size() > 1 ? " (and " + std::to_string(lines.size() - 1) + " more)" : std::string()) +
                " dirty, and " + f.related.message +
                " then wrote into it while it was still dirty: whenever the line is written back (an eviction, "
                "a clean), the CPU's copy lands over the device's data. ";
    const std::string bell = dev.doorbell.known() ? where_text(dev.doorbell) : std::string();
    // What to clean+invalidate: the pinned run the device writes (the buffer), else these lines.
    std::string buffer = line_range(f.address, f.address + f.size);
    const PinRange* run = nullptr;
    if (pins().find_pa(dev.pa, dev.requester, false, &run) && run && run->len)
        buffer = "the buffer, " + line_range(run->pa, run->pa + run->len);
    if (dev.doorbell_seq && store.seq < dev.doorbell_seq) {
        // The store came before the doorbell: the clean+invalidate between them is missing, or short.
        std::string advice;
        for (auto it = recent_ops_.rbegin(); it != recent_ops_.rend() && it->seq > store.seq; ++it) {
            const RecentOp& op = *it;
            if (!has_clean(op.op) || op.seq > dev.seq) continue;
            const uint64_t olo = lines_.base(op.pa), ohi = lines_.base(op.pa + op.len - 1) + L;
            if (line >= olo && line < ohi) continue;
            if (!(op.pa < dev.pa + dev.len && dev.pa < op.pa + op.len)) continue;
            advice = "The " + std::string(op_call(op.op)) + " at " + where_text(op.site) + " covered PA " + hex(op.pa) +
                     ".." + hex(op.pa + op.len) + " but not line " + hex(line) + ": extend it to PA " +
                     hex(std::min(olo, line)) + ".." + hex(std::max(ohi, lines.back() + L)) + ".";
            break;
        }
        f.message += advice.empty() ? "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE) of " + buffer +
                                          " after this store and before the doorbell" +
                                          (bell.empty() ? std::string() : " at " + bell) + "."
                                    : advice;
    } else if (dev.doorbell_seq) {
        f.message += "This store came after the doorbell" + (bell.empty() ? std::string() : " at " + bell) +
                     ", while the device owned the line. ";
        if (same_bytes)
            f.message += "Do not write the buffer from the CPU until the device is done with it.";
        else
            f.message += "It wrote " + bytes_text(cbytes) + " at PA " + hex(line + cfirst) +
                         " that are not the device's: CPU data shares the cache line with bytes the device writes. "
                         "Give the device-written bytes a cache line of their own (align and pad to "
                         "zx_system_get_dcache_line_size()); a clean+invalidate before this store cannot help, the "
                         "device may write the line at any time.";
    } else {
        f.message += "Missing zx_vmo_op_range(ZX_VMO_OP_CACHE_CLEAN_INVALIDATE) of " + buffer +
                     " after this store and before the device writes.";
    }
    locate_memory(f, dev.requester);
    const Finding* made = report(std::move(f));
    for (uint64_t l : lines) lines_.at(l).lost_finding = made;
    if (lost_by_store_.size() >= 4096) lost_by_store_.clear();  // bounded; an old entry only merges bursts
    if (made) lost_by_store_[key] = made;
}

bool CoherencyChecker::merge_into_order(const Finding* order_finding, const std::string& observed) {
    if (!order_finding) return false;
    // The finding lives in log_ (a deque: stable); only its evidence and message change.
    Finding& f = *const_cast<Finding*>(order_finding);
    if (f.evidence == "order") {
        f.evidence = "both";
        f.message += " Observed in this run: " + observed + ".";
    }
    return true;
}

}  // namespace staleline
