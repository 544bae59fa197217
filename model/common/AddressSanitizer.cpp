#include "common/AddressSanitizer.h"

#if defined(__SANITIZE_ADDRESS__)
#define SL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SL_ASAN 1
#endif
#endif

#ifdef SL_ASAN
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace staleline {

void asan_resync_thread_stack() {
#ifdef SL_ASAN
    // A "switch" from this stack to itself: ASan records the bounds it is given as the thread's.
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr)) return;
    void* bottom = nullptr;
    size_t size = 0;
    const int rc = pthread_attr_getstack(&attr, &bottom, &size);
    pthread_attr_destroy(&attr);
    if (rc || !bottom || !size) return;
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

void asan_unpoison(const void* addr, size_t len) {
#ifdef SL_ASAN
    __asan_unpoison_memory_region(addr, len);
#else
    (void)addr;
    (void)len;
#endif
}

}  // namespace staleline
