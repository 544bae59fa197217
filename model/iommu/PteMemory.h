// PteMemory: how page-table code reaches the DRAM that holds the tables. The Iommu
// implements it over its walk socket: debug (untimed) accesses for the software side
// that writes tables, timed reads for the hardware walker.
#pragma once

#include <cstdint>
#include <systemc>

namespace staleline {

class PteMemory {
public:
    virtual ~PteMemory() = default;
    // Untimed, like the kernel touching memory. false when the memory refused the access.
    virtual bool read_pte_dbg(uint64_t pa, uint64_t* value) = 0;
    virtual bool write_pte_dbg(uint64_t pa, uint64_t value) = 0;
    virtual bool zero_page_dbg(uint64_t pa) = 0;
    // A real memory transaction of the walker; adds its latency to `delay`.
    virtual bool read_pte_timed(uint64_t pa, uint64_t* value, sc_core::sc_time& delay) = 0;
};

}  // namespace staleline
