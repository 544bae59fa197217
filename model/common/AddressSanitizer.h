// AddressSanitizer: the few things the simulator must tell ASan itself, because SystemC's
// coroutines switch stacks behind its back. Each is a no-op in builds without ASan, so callers
// need no #if of their own.
#pragma once

#include <cstddef>
#include <cstdint>

namespace staleline {

// Tells ASan again which stack the calling thread runs on. SystemC switches its coroutines
// through ASan's fiber interface; after the kernel has returned to the main stack, ASan can
// still hold the last coroutine's stack as the thread's own (SystemC 2.3.4 with GCC 12's
// libasan: LSAN_OPTIONS=log_threads=1 shows "stack pointer not in stack range" at every
// exit). LeakSanitizer then scans that range when the process exits, and when the coroutine's
// stack has been unmapped since, its tracer dies ("Tracer caught signal 11") and a correct run
// fails. Called after every return from the kernel.
void asan_resync_thread_stack();

// asan_resync_thread_stack() when the scope ends, also when the kernel returns by throwing
// (a driver fault, an error in a model).
struct AsanResyncOnReturn {
    AsanResyncOnReturn() = default;
    AsanResyncOnReturn(const AsanResyncOnReturn&) = delete;
    AsanResyncOnReturn& operator=(const AsanResyncOnReturn&) = delete;
    ~AsanResyncOnReturn() { asan_resync_thread_stack(); }
};

// Marks [addr, addr + len) addressable: memory whose addresses a freed coroutine stack once
// held (a new mapping, the dead frames below a thread's outermost frame after an exception
// unwound it) may still carry that stack's redzones in ASan's shadow.
void asan_unpoison(const void* addr, size_t len);

}  // namespace staleline
