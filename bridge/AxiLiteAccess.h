// AxiLiteAccess: one 32-bit register access on an AXI4-Lite slave (a write with strobes, or
// a read), queued for the clock loop that drives the pins, and the queue interface the
// TLM target bridge posts to. Plain C++ (no SystemC, no Verilator).
#pragma once

#include <cstdint>

#include "bridge/AxiBurst.h"

namespace staleline {

class AxiLiteAccess {
public:
    virtual ~AxiLiteAccess() = default;

    bool is_write = false;
    uint32_t addr = 0;        // byte offset in the slave's address space
    uint32_t wdata = 0;
    uint8_t wstrb = 0xF;
    uint64_t due = 0;         // first clock edge at which it may be presented

    // Results, filled before done() is called.
    uint32_t rdata = 0;
    AxiResp resp = AxiResp::Okay;

    // Called by the clock loop once the B (write) or R (read) handshake happened at edge `cycle`.
    virtual void done(uint64_t cycle) = 0;
    // Called instead of done() when the clock loop goes away with the access still queued
    // (the simulation ended first). Nobody is waiting any more; release what is owned.
    virtual void abandon() {}
};

class AxiLiteAccessQueue {
public:
    virtual ~AxiLiteAccessQueue() = default;
    // Queue an access (FIFO: accesses complete in the order posted). The queue does not own it.
    virtual void post(AxiLiteAccess* access) = 0;
};

}  // namespace staleline
