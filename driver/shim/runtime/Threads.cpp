// C11 threads (<threads.h>) for driver code: thrd_*, mtx_*, cnd_*, call_once and tss_* as
// simulated threads and SystemC events.
//
// These definitions live in the simulator executable, which exports them, so they take
// precedence over glibc's for the executable and for the driver modules it loads. Nothing else
// in the process uses C11 threads (SystemC and libstdc++ use pthreads directly). While no shim
// runtime is attached every function forwards to glibc's own (dlsym(RTLD_NEXT)), and mutexes
// and condition variables created by glibc keep going to glibc: the shim's carry a tag.
//
// Timed calls (thrd_sleep, mtx_timedlock, cnd_timedwait) read their timespec as simulated
// time: durations as simulated durations, TIME_UTC deadlines as simulated monotonic time.
#include <dlfcn.h>
#include <threads.h>
#include <time.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>

#include <systemc>

#include "ShimRuntime.h"
#include "SimThread.h"

using namespace staleline::zx;
using namespace sc_core;

namespace {

template <typename F>
F real(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}
#define SL_REAL(fn) (real<decltype(&fn)>(#fn))

bool simulated() { return ShimRuntime::get() != nullptr; }

sc_time from_timespec(const struct timespec* ts) {
    return sc_time((double)ts->tv_sec * 1e9 + (double)ts->tv_nsec, SC_NS);
}

// ---- threads ----

constexpr unsigned long kThreadTag = 0x5c11UL << 48;  // never a glibc pthread_t (an address)

struct ThreadRecord {
    bool finished = false;
    bool detached = false;
    int result = 0;
    sc_event done;
};

std::map<unsigned long, std::shared_ptr<ThreadRecord>>& threads() {
    static auto* t = new std::map<unsigned long, std::shared_ptr<ThreadRecord>>;
    return *t;
}
unsigned long g_next_thread = 1;

unsigned long new_thread_id() { return kThreadTag | g_next_thread++; }
bool is_sim_thread(thrd_t t) { return ((unsigned long)t & (0xffffUL << 48)) == kThreadTag; }

// ---- mutexes and condition variables: a tag and a pointer in the glibc object ----

constexpr uint64_t kMutexTag = 0x534c2d4d54580001ULL;  // "SL-MTX"
constexpr uint64_t kCondTag = 0x534c2d434e440001ULL;   // "SL-CND"

struct SimMutex {
    int type = mtx_plain;
    SimThread* owner = nullptr;
    unsigned count = 0;
    sc_event released;
};

struct SimCond {
    uint64_t waiters = 0;
    uint64_t wakeups = 0;  // signals not yet taken by a waiter
    sc_event signalled;
};

template <typename T>
T* tagged(const void* obj, uint64_t tag) {
    uint64_t t;
    std::memcpy(&t, obj, sizeof t);
    if (t != tag) return nullptr;
    T* p;
    std::memcpy(&p, static_cast<const char*>(obj) + 8, sizeof p);
    return p;
}

template <typename T>
void tag(void* obj, uint64_t tag, T* p) {
    std::memcpy(obj, &tag, sizeof tag);
    std::memcpy(static_cast<char*>(obj) + 8, &p, sizeof p);
}

void wake(sc_event& ev) {
    if (sc_is_running()) ev.notify(SC_ZERO_TIME);
}

// Blocks until the mutex is free (or deadline passes); true when taken.
bool acquire(SimMutex* m, SimThread& th, const sc_time* deadline) {
    while (m->owner) {
        if (!th.can_wait()) return false;
        if (deadline) {
            if (sc_time_stamp() >= *deadline) return false;
            th.wait(*deadline - sc_time_stamp(), m->released);
        } else {
            th.wait(m->released);
        }
    }
    m->owner = &th;
    m->count = 1;
    return true;
}

int lock_impl(mtx_t* mtx, const sc_time* deadline) {
    SimMutex* m = tagged<SimMutex>(mtx, kMutexTag);
    SimThread& th = SimThread::current();
    th.sync();  // lock order between threads follows simulated time
    if (m->owner == &th) {
        if (!(m->type & mtx_recursive)) return thrd_error;  // would deadlock
        ++m->count;
        return thrd_success;
    }
    if (acquire(m, th, deadline)) return thrd_success;
    return deadline && th.can_wait() ? thrd_timedout : thrd_error;
}

int cond_wait_impl(cnd_t* cnd, mtx_t* mtx, const sc_time* deadline) {
    SimCond* c = tagged<SimCond>(cnd, kCondTag);
    SimMutex* m = tagged<SimMutex>(mtx, kMutexTag);
    if (!c || !m) return thrd_error;
    SimThread& th = SimThread::current();
    if (!th.can_wait() || m->owner != &th) return thrd_error;
    th.sync();
    const unsigned count = m->count;
    ++c->waiters;
    m->owner = nullptr;
    m->count = 0;
    wake(m->released);
    bool timed_out = false;
    while (c->wakeups == 0) {
        if (deadline) {
            if (sc_time_stamp() >= *deadline) {
                timed_out = true;
                break;
            }
            th.wait(*deadline - sc_time_stamp(), c->signalled);
        } else {
            th.wait(c->signalled);
        }
    }
    if (!timed_out) --c->wakeups;
    --c->waiters;
    acquire(m, th, nullptr);
    m->count = count;
    return timed_out ? thrd_timedout : thrd_success;
}

}  // namespace

extern "C" {

// ---- threads ----

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
    if (!simulated()) return SL_REAL(thrd_create)(thr, func, arg);
    if (!thr || !func) return thrd_error;
    ShimRuntime* rt = ShimRuntime::get();
    auto rec = std::make_shared<ThreadRecord>();
    const unsigned long id = new_thread_id();
    threads()[id] = rec;
    *thr = (thrd_t)id;
    rt->enter_call();
    rt->spawn("thrd", SimThread::current().driver, [rec, id, func, arg] {
        SimThread& th = SimThread::current();
        th.c11_id = id;
        try {
            rec->result = func(arg);
        } catch (const ThreadExit& e) {
            rec->result = e.result;
        }
        th.sync();
        rec->finished = true;
        wake(rec->done);
        if (rec->detached) threads().erase(id);
    });
    return thrd_success;
}

int thrd_join(thrd_t thr, int* res) {
    if (!simulated() || !is_sim_thread(thr)) return SL_REAL(thrd_join)(thr, res);
    auto it = threads().find((unsigned long)thr);
    if (it == threads().end() || it->second->detached) return thrd_error;
    std::shared_ptr<ThreadRecord> rec = it->second;
    SimThread& th = SimThread::current();
    if (!rec->finished) {
        if (!th.can_wait()) return thrd_error;
        th.sync();
        while (!rec->finished) th.wait(rec->done);
    }
    if (res) *res = rec->result;
    threads().erase((unsigned long)thr);
    return thrd_success;
}

int thrd_detach(thrd_t thr) {
    if (!simulated() || !is_sim_thread(thr)) return SL_REAL(thrd_detach)(thr);
    auto it = threads().find((unsigned long)thr);
    if (it == threads().end()) return thrd_error;
    if (it->second->finished) threads().erase(it);
    else it->second->detached = true;
    return thrd_success;
}

thrd_t thrd_current(void) {
    if (!simulated()) return SL_REAL(thrd_current)();
    SimThread& th = SimThread::current();
    if (!th.c11_id) th.c11_id = new_thread_id();
    return (thrd_t)th.c11_id;
}

int thrd_equal(thrd_t a, thrd_t b) { return a == b; }

int thrd_sleep(const struct timespec* duration, struct timespec* remaining) {
    if (!simulated()) return SL_REAL(thrd_sleep)(duration, remaining);
    if (!duration || duration->tv_sec < 0 || duration->tv_nsec < 0 || duration->tv_nsec >= 1000000000L) return -2;
    SimThread& th = SimThread::current();
    th.sync();
    if (th.can_wait()) th.wait(from_timespec(duration));
    else th.charge(from_timespec(duration));
    if (remaining) remaining->tv_sec = remaining->tv_nsec = 0;
    return 0;
}

void thrd_yield(void) {
    if (!simulated()) return SL_REAL(thrd_yield)();
    SimThread& th = SimThread::current();
    th.sync();
    if (th.can_wait()) th.wait(SC_ZERO_TIME);
}

void thrd_exit(int res) {
    if (!simulated()) {
        SL_REAL(thrd_exit)(res);
        __builtin_unreachable();
    }
    SimThread& th = SimThread::current();
    if (!th.shim_thread) ShimRuntime::get()->fault("thrd_exit() on a thread the driver shim did not start");
    throw ThreadExit{res};
}

// ---- mutexes ----

int mtx_init(mtx_t* mtx, int type) {
    if (!simulated()) return SL_REAL(mtx_init)(mtx, type);
    if (!mtx) return thrd_error;
    const int base = type & ~mtx_recursive;
    if (base != mtx_plain && base != mtx_timed) return thrd_error;
    auto* m = new SimMutex;
    m->type = type;
    tag(mtx, kMutexTag, m);
    return thrd_success;
}

int mtx_lock(mtx_t* mtx) {
    if (!tagged<SimMutex>(mtx, kMutexTag)) return SL_REAL(mtx_lock)(mtx);
    return lock_impl(mtx, nullptr);
}

int mtx_timedlock(mtx_t* __restrict mtx, const struct timespec* __restrict ts) {
    if (!tagged<SimMutex>(mtx, kMutexTag)) return SL_REAL(mtx_timedlock)(mtx, ts);
    if (!ts) return thrd_error;
    const sc_time deadline = from_timespec(ts);
    return lock_impl(mtx, &deadline);
}

int mtx_trylock(mtx_t* mtx) {
    SimMutex* m = tagged<SimMutex>(mtx, kMutexTag);
    if (!m) return SL_REAL(mtx_trylock)(mtx);
    SimThread& th = SimThread::current();
    if (m->owner == &th && (m->type & mtx_recursive)) {
        ++m->count;
        return thrd_success;
    }
    if (m->owner) return thrd_busy;
    m->owner = &th;
    m->count = 1;
    return thrd_success;
}

int mtx_unlock(mtx_t* mtx) {
    SimMutex* m = tagged<SimMutex>(mtx, kMutexTag);
    if (!m) return SL_REAL(mtx_unlock)(mtx);
    if (m->owner != &SimThread::current()) return thrd_error;
    if (--m->count == 0) {
        m->owner = nullptr;
        wake(m->released);
    }
    return thrd_success;
}

void mtx_destroy(mtx_t* mtx) {
    SimMutex* m = tagged<SimMutex>(mtx, kMutexTag);
    if (!m) return SL_REAL(mtx_destroy)(mtx);
    delete m;
    std::memset(mtx, 0, sizeof *mtx);
}

// ---- condition variables ----

int cnd_init(cnd_t* cnd) {
    if (!simulated()) return SL_REAL(cnd_init)(cnd);
    if (!cnd) return thrd_error;
    tag(cnd, kCondTag, new SimCond);
    return thrd_success;
}

int cnd_signal(cnd_t* cnd) {
    SimCond* c = tagged<SimCond>(cnd, kCondTag);
    if (!c) return SL_REAL(cnd_signal)(cnd);
    if (c->waiters > c->wakeups) {
        ++c->wakeups;
        wake(c->signalled);
    }
    return thrd_success;
}

int cnd_broadcast(cnd_t* cnd) {
    SimCond* c = tagged<SimCond>(cnd, kCondTag);
    if (!c) return SL_REAL(cnd_broadcast)(cnd);
    if (c->waiters > c->wakeups) {
        c->wakeups = c->waiters;
        wake(c->signalled);
    }
    return thrd_success;
}

int cnd_wait(cnd_t* cnd, mtx_t* mtx) {
    if (!tagged<SimCond>(cnd, kCondTag)) return SL_REAL(cnd_wait)(cnd, mtx);
    return cond_wait_impl(cnd, mtx, nullptr);
}

int cnd_timedwait(cnd_t* __restrict cnd, mtx_t* __restrict mtx, const struct timespec* __restrict ts) {
    if (!tagged<SimCond>(cnd, kCondTag)) return SL_REAL(cnd_timedwait)(cnd, mtx, ts);
    if (!ts) return thrd_error;
    const sc_time deadline = from_timespec(ts);
    return cond_wait_impl(cnd, mtx, &deadline);
}

void cnd_destroy(cnd_t* cnd) {
    SimCond* c = tagged<SimCond>(cnd, kCondTag);
    if (!c) return SL_REAL(cnd_destroy)(cnd);
    delete c;
    std::memset(cnd, 0, sizeof *cnd);
}

// ---- once and thread-specific storage ----

void call_once(once_flag* flag, void (*func)(void)) {
    if (!simulated()) return SL_REAL(call_once)(flag, func);
    // The first int of once_flag: 0 never run, 1 running (another simulated thread waits), 2 done.
    int state;
    std::memcpy(&state, flag, sizeof state);
    if (state == 2) return;
    SimThread& th = SimThread::current();
    while (state == 1 && th.can_wait()) {
        th.wait(SC_ZERO_TIME);
        std::memcpy(&state, flag, sizeof state);
    }
    if (state == 2) return;
    const int running = 1, done = 2;
    std::memcpy(flag, &running, sizeof running);
    func();
    std::memcpy(flag, &done, sizeof done);
}

int tss_create(tss_t* key, tss_dtor_t dtor) {
    if (!simulated()) return SL_REAL(tss_create)(key, dtor);
    static unsigned next = 1;
    if (!key) return thrd_error;
    *key = next++;
    return thrd_success;
}

void* tss_get(tss_t key) {
    if (!simulated()) return SL_REAL(tss_get)(key);
    auto& m = SimThread::current().tss;
    auto it = m.find(key);
    return it == m.end() ? nullptr : it->second;
}

int tss_set(tss_t key, void* value) {
    if (!simulated()) return SL_REAL(tss_set)(key, value);
    SimThread::current().tss[key] = value;
    return thrd_success;
}

void tss_delete(tss_t key) {
    if (!simulated()) return SL_REAL(tss_delete)(key);
}

}  // extern "C"

// Zircon's C library: thrd_create with a name for debuggers. The name is not kept.
extern "C" int thrd_create_with_name(thrd_t* thr, thrd_start_t func, void* arg, const char* name) {
    (void)name;
    return thrd_create(thr, func, arg);
}
