// Finding: one coherency, pinning or permission bug the checker found, with what a reader
// needs to fix it: what happened and which operation is missing (message), where in the
// driver (location), when (simulated time), on which memory (physical address, device
// address, VMO and offset where known), and the earlier event it conflicts with (related).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "checker/FindingKind.h"
#include "checker/SourceLocation.h"

namespace staleline {

// The earlier event a finding is about: the CPU write a device read missed, the device
// write a CPU read missed, the unpin a late DMA ignored, ...
struct RelatedEvent {
    std::string what;        // "cpu-write", "device-write", "clean", "invalidate", "pin", "unpin", "quarantine", "doorbell", ...
    sc_core::sc_time when = sc_core::SC_ZERO_TIME;
    SourceLocation where;    // may be unknown (e.g. a device write)
    std::string message;     // one line, human

    bool present() const { return !what.empty(); }
};

struct Finding {
    FindingKind kind = FindingKind::StaleDeviceRead;
    std::string message;
    uint64_t address = 0;          // physical address of the first byte concerned
    uint64_t size = 0;             // bytes concerned (0: not a memory range)
    bool has_device_address = false;
    uint64_t device_address = 0;   // as the device saw it (IOVA; the PA in bypass mode)
    int requester = -1;            // PCI requester id of the device, -1 unknown
    uint64_t vmo = 0;              // koid of the VMO, 0 unknown
    uint64_t vmo_offset = 0;
    sc_core::sc_time when = sc_core::SC_ZERO_TIME;
    SourceLocation where;          // the access or call the finding concerns
    // The driver's call stack at `where`, innermost first: where itself, then the call site in
    // each caller (function, file, line per frame). Just `where` when no stack was recorded
    // (a location given as text); empty when the location is unknown.
    std::vector<SourceLocation> stack;
    RelatedEvent related;
    // What proves it (the coherency kinds; empty for the others): "data" (the bytes were wrong
    // in this run), "order" (the order of events alone: the data happened to be right), "both".
    std::string evidence;
    uint64_t count = 1;            // occurrences merged into this finding (same kind, address, location)
};

inline uint64_t time_ns(const sc_core::sc_time& t) { return (uint64_t)(t.value() / 1000); }  // sc_time counts ps by default

}  // namespace staleline
