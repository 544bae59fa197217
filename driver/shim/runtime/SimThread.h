// SimThread: what the shim knows about one simulated thread running driver code: its
// temporal-decoupling clock (a tlm_quantumkeeper over sim.quantum_ns), its shadow call stack
// (return addresses pushed by the driver's __tsan_func_entry/exit) and the driver it runs.
//
// Every SystemC process that calls into the shim gets a record on first use: the threads the
// shim starts (driver bind, thrd_create) and foreign ones (a test's sl_platform_spawn thread).
// Code running outside any process (elaboration, sc_main) gets the "host" record, which
// accumulates time but never waits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace staleline::zx {

class DriverInstance;

// Thrown by thrd_exit() to end a simulated thread; caught where the shim started the thread.
struct ThreadExit {
    int result;
};

class SimThread {
public:
    static constexpr size_t kMaxFrames = 64;

    // The record of the running process (created on first use).
    static SimThread& current();
    // Drops the record of a process that is ending (the shim's own threads do this).
    static void forget(sc_core::sc_process_b* proc);
    // Drops every record (runtime detach). Records of running processes are recreated on use.
    static void forget_all();

    SimThread(std::string name, sc_core::sc_process_b* proc, bool can_wait);
    SimThread(const SimThread&) = delete;
    SimThread& operator=(const SimThread&) = delete;

    const std::string& name() const { return name_; }
    sc_core::sc_process_b* process() const { return proc_; }
    // True in a thread process: the only place wait() is allowed.
    bool can_wait() const { return can_wait_; }

    // ---- time ----
    // Adds t to the thread's local time and synchronises once the quantum is used up.
    void charge(const sc_core::sc_time& t) {
        keeper_.inc(t);
        if (can_wait_ && keeper_.need_sync()) sync();
    }
    // Adds t without synchronising, for callers that must not wait right now (between the
    // cache model's bookkeeping of an access and the host access itself); they call
    // sync_if_due() at a point where waiting is safe.
    void charge_deferred(const sc_core::sc_time& t) { keeper_.inc(t); }
    void sync_if_due() {
        if (can_wait_ && keeper_.need_sync()) sync();
    }
    // Lets the kernel catch up with the thread's local time (wait), if it can wait.
    void sync();
    // After the thread waited on something else (with no local time pending): the next
    // quantum starts now.
    void resync() { keeper_.reset(); }
    // sync(), then wait for t / for an event (with a timeout) and start a new quantum.
    void wait(const sc_core::sc_time& t);
    void wait(sc_core::sc_event& e);
    void wait(const sc_core::sc_event_or_list& e);
    void wait(const sc_core::sc_time& t, sc_core::sc_event& e);
    sc_core::sc_time local() const { return keeper_.get_local_time(); }
    // Kernel time plus the local offset: the thread's idea of now.
    sc_core::sc_time now() const { return keeper_.get_current_time(); }
    uint64_t now_ns() const;

    // ---- shadow call stack ----
    void push_frame(const void* pc) {
        if (depth_ < kMaxFrames) frames_[depth_] = pc;
        ++depth_;
    }
    void pop_frame() {
        if (depth_) --depth_;
    }
    // Frames recorded (at most kMaxFrames; deeper calls are counted, not kept).
    size_t depth() const { return depth_ < kMaxFrames ? depth_ : kMaxFrames; }
    // Return address of frame i, 0 = innermost.
    const void* frame(size_t i) const { return i < depth() ? frames_[depth() - 1 - i] : nullptr; }

    // Return address of the driver instruction that made the last observed access.
    const void* last_access_pc = nullptr;
    // The driver whose code runs on this thread (for log lines); inherited by thrd_create.
    DriverInstance* driver = nullptr;
    // Started by the shim (driver bind/release, thrd_create): thrd_exit may end it.
    bool shim_thread = false;
    // Its C11 thrd_t (0 until thrd_current() or thrd_create gives it one).
    unsigned long c11_id = 0;
    // C11 thread-specific storage (tss_set / tss_get).
    std::unordered_map<unsigned, void*> tss;

private:
    std::string name_;
    sc_core::sc_process_b* proc_;
    bool can_wait_;
    tlm_utils::tlm_quantumkeeper keeper_;
    size_t depth_ = 0;
    const void* frames_[kMaxFrames] = {};
};

}  // namespace staleline::zx
