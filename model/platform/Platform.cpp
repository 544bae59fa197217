#include "Platform.h"
#include "common/Payload.h"
#include "common/AddressSanitizer.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <jansson.h>

namespace staleline {

using namespace sc_core;

Platform::Platform(const Config& cfg) : cfg_(cfg) {
    // Quiet, deterministic output: no SystemC banner.
    setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    cfg_.validate();

    phys_ = std::make_unique<PhysAllocator>(cfg_.get_size("platform.phys_base"), cfg_.get_size("platform.phys_size"),
                                            seed() ^ 0x5048595341ULL);
    memory_ = std::make_unique<Memory>("dram", cfg_);
    cache_ = std::make_unique<Cache>("cache", cfg_);
    coherency_ = std::make_unique<CoherencyPort>("coherency", cfg_, *cache_);
    iommu_ = std::make_unique<Iommu>("iommu", cfg_, *phys_);
    irq_ = std::make_unique<IrqController>("irq");
    pci_ = std::make_unique<PciHost>("pci", cfg_, *irq_);
    bus_ = std::make_unique<SystemBus>("bus", cfg_.get_size("platform.phys_base"), cfg_.get_size("platform.phys_size"));
    cpu_ = std::make_unique<CpuPort>("cpu");

    cpu_->cached.bind(bus_->cached_socket);
    cpu_->uncached.bind(bus_->uncached_socket);
    bus_->cache_socket.bind(cache_->cpu_socket);
    bus_->memory_socket.bind(memory_->socket);
    bus_->pci_socket.bind(pci_->cpu_socket);
    cache_->mem_socket.bind(memory_->socket);
    pci_->iommu_socket.bind(iommu_->upstream);
    iommu_->downstream.bind(coherency_->device_socket);
    iommu_->walk_socket.bind(memory_->socket);
    coherency_->mem_socket.bind(memory_->socket);

    register_standard_devices(kinds_);
    add_devices();
    pci_->assign_resources();
    std::vector<std::string> names;
    for (const auto& d : devices_) names.push_back(d->instance());
    pci_->set_trace(&trace_, names);
    iommu_->set_trace(&trace_);
    memory_->set_trace(&trace_);
}

Platform::~Platform() {
    unwind_threads();  // before the hooks: the unwound frames release objects of the shim
    for (auto& hook : destroy_hooks_) hook();
}

int Platform::unwind_threads(bool external_only) {
    sc_simcontext* sim = sc_get_curr_simcontext();
    if (!sc_is_running() || sim->sim_status() != SC_SIM_OK || sc_get_current_process_b()) return -1;
    if (sc_get_status() != SC_PAUSED) return -1;
    std::vector<sc_process_handle> waiting;
    std::vector<Spawned> keep;
    for (const Spawned& t : threads_) {
        if (!t.handle.valid() || t.handle.terminated()) continue;
        if (external_only && !t.external) keep.push_back(t);
        else waiting.push_back(t.handle);
    }
    threads_ = std::move(keep);
    if (waiting.empty()) return 0;
    // kill() must come from a process (from outside one SystemC 2.3.4 dereferences the
    // calling method, which is null): a last thread kills the others. Each killed thread
    // runs at once, throws sc_unwind_exception from its wait() and ends; then the next.
    sc_spawn_options opts;
    sc_spawn(
        [waiting]() {
            for (sc_process_handle h : waiting)
                if (!h.terminated()) h.kill();
        },
        sc_gen_unique_name("unwind"), &opts);
    AsanResyncOnReturn resync;  // common/AddressSanitizer.h
    sc_start(SC_ZERO_TIME);     // one delta cycle, in which that thread runs
    return (int)waiting.size();
}

std::vector<DeviceSpec> Platform::device_list() const {
    const char* const key = "platform.devices";
    std::vector<DeviceSpec> specs;
    if (!cfg_.is_default(key) || cfg_.get_bool("pci.dma_engine")) specs = parse_device_list(cfg_.get_string(key));
    if (cfg_.get_bool("pci.scratch_device")) specs.push_back(DeviceSpec{"scratch", "", -1, {}});
    if (specs.size() > PciHost::kMaxSlots)
        throw ConfigError(key, std::to_string(specs.size()) + " devices, the bus has " +
                                   std::to_string(PciHost::kMaxSlots) + " slots");
    // Instance names: as given, else the kind's name (numbered when the kind appears twice).
    std::map<std::string, unsigned> per_kind, seen;
    for (const DeviceSpec& s : specs) ++per_kind[s.kind];
    std::set<std::string> names;
    for (DeviceSpec& s : specs) {
        if (s.name.empty()) {
            std::string base = s.kind.substr(s.kind.rfind('/') + 1);
            if (base.size() > 3 && base.compare(base.size() - 3, 3, ".so") == 0) base.resize(base.size() - 3);
            s.name = per_kind[s.kind] > 1 ? base + std::to_string(seen[s.kind]++) : base;
        }
        if (!names.insert(s.name).second) throw ConfigError(key, "two devices are named '" + s.name + "'");
        // Statistics file each device under its name, beside the models' own sections.
        for (const char* taken : {"sim_time_ns", "dram", "cache", "iotlb", "pci", "irq", "dma", "shim"})
            if (s.name == taken) throw ConfigError(key, "a device cannot be named '" + s.name + "' (a statistics section)");
    }
    // Slots: the requested ones, then the free ones in list order. The bus is dense: slots
    // 0 .. n-1 are all used.
    std::vector<int> owner(specs.size(), -1);
    for (size_t i = 0; i < specs.size(); ++i) {
        int slot = specs[i].slot;
        if (slot < 0) continue;
        if ((size_t)slot >= specs.size())
            throw ConfigError(key, "device '" + specs[i].name + "': slot " + std::to_string(slot) + " with " +
                                       std::to_string(specs.size()) + " devices (slots are 0.." +
                                       std::to_string(specs.size() - 1) + ", without gaps)");
        if (owner[slot] >= 0)
            throw ConfigError(key, "slot " + std::to_string(slot) + " is given to both '" + specs[owner[slot]].name +
                                       "' and '" + specs[i].name + "'");
        owner[slot] = (int)i;
    }
    size_t next = 0;
    for (size_t i = 0; i < specs.size(); ++i) {
        if (specs[i].slot >= 0) continue;
        while (owner[next] >= 0) ++next;
        owner[next] = (int)i;
        specs[i].slot = (int)next;
    }
    std::vector<DeviceSpec> by_slot;
    for (int i : owner) by_slot.push_back(specs[i]);
    return by_slot;
}

void Platform::add_devices() {
    const char* const key = "platform.devices";
    const sl_device_kind_t* const dma_engine_kind = kinds_.find("dma_engine").desc;
    for (DeviceSpec spec : device_list()) {
        const DeviceKind& kind = kinds_.find(spec.kind);
        const sl_device_kind_t& d = *kind.desc;
        PciDeviceInfo info;
        info.vendor_id = d.vendor_id;
        info.device_id = d.device_id;
        info.class_code = d.class_code;
        info.revision = d.revision;
        info.bar0_size = d.bar0_size;
        for (unsigned i = 0; i < 6; ++i) info.bars[i] = PciBar{(PciBarType)d.bars[i].type, d.bars[i].size};
        // pci.msi keeps its meaning for the reference engine; any device takes msi=0|1.
        info.msi_capable = d.msi && (kind.desc != dma_engine_kind || cfg_.get_bool("pci.msi"));
        info.interrupt_pin = d.interrupt_pin;
        info.msix_vectors = d.msix_vectors;
        info.msix_table_offset = d.msix_table_offset;
        // Identity overrides every kind takes; the rest is the kind's own.
        for (const char* k : {"vendor_id", "device_id", "msi"}) {
            auto it = spec.keys.find(k);
            if (it == spec.keys.end()) continue;
            uint64_t v = 0;
            const uint64_t max = std::string(k) == "msi" ? 1 : 0xffff;
            if (!parse_size(it->second, &v) || v > max)
                throw ConfigError(key, "device '" + spec.name + "': " + k + "=" + it->second + " must be a number in 0.." +
                                           std::to_string(max));
            if (std::string(k) == "vendor_id") info.vendor_id = (uint16_t)v;
            else if (std::string(k) == "device_id") info.device_id = (uint16_t)v;
            else info.msi_capable = v != 0;
            spec.keys.erase(it);
        }
        unsigned slot = pci_->add_device(info);
        DeviceContext ctx{cfg_, *pci_, activity_, kind, spec, info, slot};
        devices_.push_back(kind.make(ctx));
        devices_.back()->bind(*pci_);
    }
}

PciDevice* Platform::device_of_kind(const std::string& kind) const {
    for (const auto& d : devices_)
        if (d->kind_name() == kind) return d.get();
    return nullptr;
}

PciDevice* Platform::device_named(const std::string& name) const {
    for (const auto& d : devices_)
        if (d->instance() == name) return d.get();
    return nullptr;
}

tlm::tlm_response_status Platform::cpu_transport(bool is_write, uint64_t addr, void* data, size_t len, bool uncached,
                                                 sc_time& delay) {
    tlm::tlm_generic_payload t;
    prepare_payload(t, is_write, addr, data, len);
    (uncached ? cpu_->uncached : cpu_->cached)->b_transport(t, delay);
    return t.get_response_status();
}

tlm::tlm_response_status Platform::device_transport(uint16_t rid, bool is_write, uint64_t dev_addr, void* data,
                                                    size_t len) {
    tlm::tlm_generic_payload t;
    prepare_payload(t, is_write, dev_addr, data, len);
    sc_time delay = SC_ZERO_TIME;
    pci_->upstream_transport(rid, t, delay);
    wait(delay);
    return t.get_response_status();
}

namespace {

constexpr size_t kThreadStack = 8 << 20;  // driver code and its callees run on this stack

// An exception leaving a simulated thread (sc_unwind_exception at teardown, a driver fault)
// skips the epilogues that take the redzones of the frames it unwinds off the shadow, and
// AddressSanitizer does not clear a coroutine's stack on a throw as it does a thread's. The
// stack goes back to the allocator with them, and memory mapped there later would be
// reported as a stack overflow: clear them here, in the thread's outermost frame, for every
// frame below it (the stack is kThreadStack bytes; a margin stays below).
void forget_dead_frames() {
    const uintptr_t top = (uintptr_t)__builtin_frame_address(0);
    const uintptr_t lo = top - kThreadStack + (64 << 10);
    asan_unpoison((const void*)lo, top - lo);
}

}  // namespace

void Platform::spawn(const std::string& name, std::function<void()> fn, bool external) {
    sc_spawn_options opts;
    opts.set_stack_size(kThreadStack);
    ++threads_running_;
    if (threads_.size() >= threads_prune_at_) {
        threads_.erase(std::remove_if(threads_.begin(), threads_.end(),
                                      [](const Spawned& t) { return !t.handle.valid() || t.handle.terminated(); }),
                       threads_.end());
        threads_prune_at_ = std::max<size_t>(64, 2 * threads_.size());
    }
    threads_.push_back({sc_spawn(
        [this, fn]() {
            try {
                fn();
            } catch (...) {
                forget_dead_frames();
                throw;
            }
            // A device clocked without an idle hint never lets the simulation run dry: the
            // run ends when the last simulated software thread does.
            if (--threads_running_ == 0 &&
                std::any_of(devices_.begin(), devices_.end(), [](const auto& d) { return d->free_running(); }))
                sc_stop();
        },
        sc_gen_unique_name(name.c_str()), &opts), external});
}

void Platform::run(const sc_time& limit) {
    // A run in slices (--time-limit, --progress) may start the kernel once more when nothing is
    // left to do; SystemC's warning about it (W571) would only add a line to the output.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_NO_SC_START_ACTIVITY_, sc_core::SC_DO_NOTHING);
    AsanResyncOnReturn resync;  // back on the main stack, however the kernel returns
    if (limit == SC_ZERO_TIME) sc_start();
    else sc_start(limit, SC_EXIT_ON_STARVATION);
}

json_t* Platform::stats_json() const {
    // Each model writes its own group (common/StatsSink.h).
    StatsSink sink;
    sink.count("sim_time_ns", (uint64_t)(sc_time_stamp() / sc_time(1, SC_NS)));
    StatsSink::Group dram = sink.group("dram");
    memory_->write_stats(dram);
    StatsSink::Group cache = sink.group("cache");
    cache_->write_stats(cache);
    StatsSink::Group iotlb = sink.group("iotlb");
    iommu_->write_stats(iotlb);
    StatsSink::Group pci = sink.group("pci");
    pci_->write_stats(pci);
    StatsSink::Group irq = sink.group("irq");
    irq_->write_stats(irq);
    for (const auto& d : devices_) {
        StatsSink::Group g = sink.group(d->instance());
        d->write_stats(g);
    }
    return sink.take_json();
}

}  // namespace staleline
