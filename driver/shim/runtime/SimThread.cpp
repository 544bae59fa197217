#include "SimThread.h"

#include <memory>
#include <unordered_map>

namespace staleline::zx {

using namespace sc_core;

namespace {

struct Registry {
    std::unordered_map<sc_process_b*, std::unique_ptr<SimThread>> threads;
    std::unique_ptr<SimThread> host;
    // One-entry cache: consecutive calls almost always come from the same process.
    sc_process_b* last_proc = nullptr;
    SimThread* last = nullptr;
};

Registry& registry() {
    static Registry* r = new Registry;  // never destroyed: hooks may run during exit
    return *r;
}

SimThread& lookup_slow(Registry& r, sc_process_b* proc) {
    if (!proc) {
        if (!r.host) r.host = std::make_unique<SimThread>("host", nullptr, false);
        return *r.host;
    }
    auto it = r.threads.find(proc);
    // A process object may be freed and its address reused by a new process: the name
    // (unique in a simulation) tells them apart.
    if (it != r.threads.end() && it->second->name() != proc->name()) {
        r.threads.erase(it);
        it = r.threads.end();
    }
    if (it == r.threads.end()) {
        const bool thread = sc_get_curr_process_kind() == SC_THREAD_PROC_ || sc_get_curr_process_kind() == SC_CTHREAD_PROC_;
        it = r.threads.emplace(proc, std::make_unique<SimThread>(proc->name(), proc, thread)).first;
    }
    return *it->second;
}

}  // namespace

SimThread::SimThread(std::string name, sc_process_b* proc, bool can_wait)
    : name_(std::move(name)), proc_(proc), can_wait_(can_wait) {
    keeper_.reset();
}

SimThread& SimThread::current() {
    Registry& r = registry();
    sc_process_b* proc = sc_get_current_process_b();
    if (proc == r.last_proc && r.last) return *r.last;
    SimThread& t = lookup_slow(r, proc);
    r.last_proc = proc;
    r.last = &t;
    return t;
}

void SimThread::forget(sc_process_b* proc) {
    Registry& r = registry();
    if (r.last_proc == proc) {
        r.last_proc = nullptr;
        r.last = nullptr;
    }
    if (proc) r.threads.erase(proc);
}

void SimThread::forget_all() {
    Registry& r = registry();
    r.threads.clear();
    r.host.reset();
    r.last_proc = nullptr;
    r.last = nullptr;
}

void SimThread::sync() {
    // A thread being unwound at teardown (Platform::unwind_threads) may not wait: destructors
    // on its stack that charge time just drop it.
    if (!can_wait_ || sc_is_unwinding()) return;
    if (keeper_.get_local_time() != SC_ZERO_TIME) keeper_.sync();
    else keeper_.reset();
}

void SimThread::wait(const sc_time& t) {
    if (sc_is_unwinding()) return;
    sync();
    sc_core::wait(t);
    resync();
}

void SimThread::wait(sc_event& e) {
    if (sc_is_unwinding()) return;
    sync();
    sc_core::wait(e);
    resync();
}

void SimThread::wait(const sc_event_or_list& e) {
    if (sc_is_unwinding()) return;
    sync();
    sc_core::wait(e);
    resync();
}

void SimThread::wait(const sc_time& t, sc_event& e) {
    if (sc_is_unwinding()) return;
    sync();
    sc_core::wait(t, e);
    resync();
}

uint64_t SimThread::now_ns() const { return (uint64_t)(now() / sc_time(1, SC_NS)); }

}  // namespace staleline::zx
