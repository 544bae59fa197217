#include "Platform.h"

#include <cstdlib>

#include <jansson.h>

#include "bridge/DmaEngineDevice.h"

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

    if (cfg_.get_bool("pci.dma_engine")) {  // slot 0: the Verilated DMA engine behind its TLM bridges
        PciDeviceInfo info = DmaEngineDevice::pci_info();
        info.msi_capable = cfg_.get_bool("pci.msi");  // false: no MSI capability, drivers use INTx
        dma_engine_slot_ = (int)pci_->add_device(info);
        dma_engine_ = std::make_unique<DmaEngineDevice>("dma_engine", cfg_, *pci_, (unsigned)dma_engine_slot_);
        pci_->bar_socket.bind(dma_engine_->regs_socket());
        dma_engine_->dma_socket().bind(pci_->upstream_socket);
    }
    if (cfg_.get_bool("pci.scratch_device")) {
        PciDeviceInfo info;
        info.device_id = 0x5c00;
        scratch_slot_ = (int)pci_->add_device(info);
        scratch_ = std::make_unique<ScratchDevice>("scratch", info.bar0_size);
        pci_->bar_socket.bind(scratch_->regs);
        scratch_->dma.bind(pci_->upstream_socket);
    }
    pci_->assign_resources();
}

Platform::~Platform() {
    for (auto& hook : destroy_hooks_) hook();
}

tlm::tlm_response_status Platform::cpu_transport(bool is_write, uint64_t addr, void* data, size_t len, bool uncached,
                                                 sc_time& delay) {
    tlm::tlm_generic_payload t;
    t.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(addr);
    t.set_data_ptr(static_cast<unsigned char*>(data));
    t.set_data_length((unsigned)len);
    t.set_streaming_width((unsigned)len);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    (uncached ? cpu_->uncached : cpu_->cached)->b_transport(t, delay);
    return t.get_response_status();
}

tlm::tlm_response_status Platform::device_transport(uint16_t rid, bool is_write, uint64_t dev_addr, void* data,
                                                    size_t len) {
    tlm::tlm_generic_payload t;
    t.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(dev_addr);
    t.set_data_ptr(static_cast<unsigned char*>(data));
    t.set_data_length((unsigned)len);
    t.set_streaming_width((unsigned)len);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    pci_->upstream_transport(rid, t, delay);
    wait(delay);
    return t.get_response_status();
}

void Platform::spawn(const std::string& name, std::function<void()> fn) {
    sc_spawn_options opts;
    opts.set_stack_size(8 << 20);  // driver code and its callees run on this stack
    ++threads_running_;
    sc_spawn(
        [this, fn]() {
            fn();
            --threads_running_;
        },
        sc_gen_unique_name(name.c_str()), &opts);
}

void Platform::run(const sc_time& limit) {
    if (limit == SC_ZERO_TIME) sc_start();
    else sc_start(limit, SC_EXIT_ON_STARVATION);
}

namespace {
json_t* u(uint64_t v) { return json_integer((json_int_t)v); }
}  // namespace

json_t* Platform::stats_json() const {
    json_t* root = json_object();
    json_object_set_new(root, "sim_time_ns", u((uint64_t)(sc_time_stamp() / sc_time(1, SC_NS))));

    const MemoryStats& m = memory_->stats();
    json_t* dram = json_object();
    json_object_set_new(dram, "reads", u(m.reads));
    json_object_set_new(dram, "writes", u(m.writes));
    json_object_set_new(dram, "bytes_read", u(m.bytes_read));
    json_object_set_new(dram, "bytes_written", u(m.bytes_written));
    json_object_set_new(dram, "pages_touched", u(memory_->store().pages_touched()));
    json_object_set_new(root, "dram", dram);

    const CacheStats& c = cache_->stats();
    json_t* cache = json_object();
    json_object_set_new(cache, "accesses", u(c.accesses));
    json_object_set_new(cache, "hits", u(c.hits));
    json_object_set_new(cache, "misses", u(c.misses));
    json_object_set_new(cache, "read_misses", u(c.read_misses));
    json_object_set_new(cache, "write_misses", u(c.write_misses));
    json_object_set_new(cache, "evictions", u(c.evictions));
    json_object_set_new(cache, "writebacks", u(c.writebacks));
    json_object_set_new(cache, "cleans", u(c.cleans));
    json_object_set_new(cache, "invalidates", u(c.invalidates));
    json_object_set_new(cache, "discarded_dirty_lines", u(c.discarded_dirty_lines));
    json_object_set_new(cache, "adversary_fills", u(c.adversary_fills));
    json_object_set_new(cache, "adversary_evictions", u(c.adversary_evictions));
    json_object_set_new(root, "cache", cache);

    const IommuStats& i = iommu_->stats();
    json_t* iotlb = json_object();
    json_object_set_new(iotlb, "lookups", u(i.translations));
    json_object_set_new(iotlb, "hits", u(i.iotlb_hits));
    json_object_set_new(iotlb, "misses", u(i.iotlb_misses));
    json_object_set_new(iotlb, "walks", u(i.walks));
    json_object_set_new(iotlb, "walk_reads", u(i.walk_reads));
    // walk concurrency (iommu.walkers): walks that queued for a walker, and hits on an
    // entry whose walk was still in flight
    json_object_set_new(iotlb, "walks_waited", u(i.walks_waited));
    json_object_set_new(iotlb, "walk_wait_ns", u((uint64_t)(i.walk_wait / sc_time(1, SC_NS))));
    json_object_set_new(iotlb, "hits_pending", u(i.hits_pending));
    // page-walk cache (iommu.pwc_entries): walks that skipped upper levels, and how many
    json_object_set_new(iotlb, "pwc_hits", u(i.pwc_hits));
    json_object_set_new(iotlb, "pwc_levels_skipped", u(i.pwc_levels_skipped));
    json_object_set_new(iotlb, "pwc_misses", u(i.pwc_misses));
    json_object_set_new(iotlb, "pwc_invalidated", u(i.pwc_invalidated));
    json_object_set_new(iotlb, "faults", u(i.faults));
    json_object_set_new(iotlb, "invalidation_commands", u(i.invalidation_commands));
    json_object_set_new(iotlb, "invalidated_entries", u(i.invalidated_entries));
    json_object_set_new(iotlb, "stale_hits", u(i.stale_hits));
    json_object_set_new(iotlb, "deferred_flushes", u(i.deferred_flushes));
    // how long stale translations stayed usable under deferred invalidation
    json_object_set_new(iotlb, "deferred_window_max_ns", u((uint64_t)(i.deferred_window_max / sc_time(1, SC_NS))));
    json_object_set_new(iotlb, "deferred_window_mean_ns",
                        u(i.deferred_flushes ? (uint64_t)(i.deferred_window_total / sc_time(1, SC_NS)) / i.deferred_flushes : 0));
    json_object_set_new(iotlb, "evictions", u(iommu_->iotlb().stats().evictions));
    json_object_set_new(iotlb, "time_translating_ns", u((uint64_t)(i.time_translating / sc_time(1, SC_NS))));
    json_object_set_new(root, "iotlb", iotlb);

    const PciStats& p = pci_->stats();
    json_t* pci = json_object();
    json_object_set_new(pci, "config_reads", u(p.config_reads));
    json_object_set_new(pci, "config_writes", u(p.config_writes));
    json_object_set_new(pci, "mmio_reads", u(p.mmio_reads));
    json_object_set_new(pci, "mmio_writes", u(p.mmio_writes));
    json_object_set_new(pci, "upstream_reads", u(p.upstream_reads));
    json_object_set_new(pci, "upstream_writes", u(p.upstream_writes));
    json_object_set_new(pci, "upstream_bytes", u(p.upstream_bytes));
    json_object_set_new(pci, "msi_messages", u(p.msi_messages));
    json_object_set_new(pci, "bus_master_refusals", u(p.bus_master_refusals));
    json_object_set_new(root, "pci", pci);

    json_t* irq = json_object();
    json_object_set_new(irq, "msi_messages", u(irq_->stats().msi_messages));
    json_object_set_new(irq, "level_assertions", u(irq_->stats().level_assertions));
    json_object_set_new(root, "irq", irq);

    if (dma_engine_) {
        DmaEngineStats d = dma_engine_->stats();
        json_t* dma = json_object();
        json_object_set_new(dma, "cycles", u(d.cycles));
        json_object_set_new(dma, "cycles_evaluated", u(d.cycles_evaluated));
        json_object_set_new(dma, "evals", u(d.evals));
        json_object_set_new(dma, "cycles_waiting", u(d.cycles_waiting));
        json_object_set_new(dma, "cycles_idle", u(d.cycles_idle));
        // Time the engine had work (not idle): what device-bound throughput is measured against.
        json_object_set_new(dma, "busy_ns", u((d.cycles - d.cycles_idle) * 1000 / (uint64_t)cfg_.get_int("rtl.clock_mhz")));
        json_object_set_new(dma, "reg_reads", u(d.reg_reads));
        json_object_set_new(dma, "reg_writes", u(d.reg_writes));
        json_object_set_new(dma, "read_bursts", u(d.read_bursts));
        json_object_set_new(dma, "write_bursts", u(d.write_bursts));
        json_object_set_new(dma, "bytes_read", u(d.bytes_read));
        json_object_set_new(dma, "bytes_written", u(d.bytes_written));
        json_object_set_new(dma, "error_responses", u(d.error_responses));
        json_object_set_new(dma, "msi_writes", u(d.msi_writes));
        json_object_set_new(dma, "irq_edges", u(d.irq_edges));
        json_object_set_new(root, "dma_engine", dma);
    }
    return root;
}

}  // namespace staleline
