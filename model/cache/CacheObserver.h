// CacheObserver: optional hooks through which the coherency checker follows lines moving
// between the two copies of memory. Every hook gets the line address, the line size and
// the simulated time of the event (kernel time plus the caller's local offset). The
// default bodies do nothing, so an observer overrides only what it needs.
#pragma once

#include <cstdint>
#include <systemc>

namespace staleline {

enum class WritebackCause { Eviction, Clean, Snoop };
enum class DropCause { Eviction, Invalidate, Snoop };
enum class MaintenanceOp { Clean, Invalidate, CleanInvalidate };
const char* to_string(MaintenanceOp op);  // "clean", "invalidate", "clean+invalidate"

class CacheObserver {
public:
    virtual ~CacheObserver() = default;
    // A miss copied the line from DRAM into the CPU view.
    virtual void on_fill(uint64_t line, uint64_t size, sc_core::sc_time when) {}
    // A dirty line is about to be copied from the CPU view to DRAM (DRAM still holds the
    // bytes it will overwrite).
    virtual void on_before_writeback(uint64_t line, uint64_t size, WritebackCause cause, sc_core::sc_time when) {}
    // A dirty line was copied from the CPU view to DRAM.
    virtual void on_writeback(uint64_t line, uint64_t size, WritebackCause cause, sc_core::sc_time when) {}
    // An invalidate dropped a dirty line: its CPU writes are lost.
    virtual void on_discard(uint64_t line, uint64_t size, sc_core::sc_time when) {}
    // A line left the cache, after any on_writeback / on_discard for it.
    virtual void on_drop(uint64_t line, uint64_t size, DropCause cause, sc_core::sc_time when) {}
    // A clean / invalidate / clean+invalidate over [pa, pa+len) starts (before any of its
    // line events) and ends (after them).
    virtual void on_maintenance_begin(MaintenanceOp op, uint64_t pa, uint64_t len, sc_core::sc_time when) {}
    virtual void on_maintenance_end(MaintenanceOp op, uint64_t pa, uint64_t len, sc_core::sc_time when) {}
};

}  // namespace staleline
