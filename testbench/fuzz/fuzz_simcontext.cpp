// A fresh SystemC simulation context for each input. SystemC elaborates a context once (its
// modules cannot be added after the first sc_start), which is why the test suites run each
// case in its own process; a fuzz target runs every input in one process, so it gives each
// input's platform a context of its own, after the previous platform has been destroyed.
// The first context stays: the library's own static objects were registered in it and leave
// it at exit, so it is made current again then, and the last input's context is deleted.
#include <cstdlib>

#include <systemc>

#include "fuzz_simcontext.h"

namespace {

sc_core::sc_simcontext* g_first = nullptr;

void restore_first() {
    // The last input's context goes too (its platform is gone), or LeakSanitizer reports it.
    sc_core::sc_simcontext* last = sc_core::sc_curr_simcontext;
    if (last && last != g_first) delete last;
    sc_core::sc_curr_simcontext = g_first;
    sc_core::sc_default_global_context = g_first;
}

}  // namespace

extern "C" void fz_fresh_simcontext(void) {
    if (!g_first) {
        g_first = sc_core::sc_get_curr_simcontext();
        std::atexit(restore_first);
    }
    sc_core::sc_simcontext* old = sc_core::sc_curr_simcontext;
    sc_core::sc_curr_simcontext = new sc_core::sc_simcontext;
    sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
    if (old != g_first) delete old;
}
