#include "FaultHandler.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "HostArena.h"
#include "ShimRuntime.h"
#include "Vmo.h"

namespace staleline::zx {

namespace {

struct sigaction g_prev_segv, g_prev_bus;
bool g_installed = false;

void say(const char* msg) {
    ssize_t r = write(STDERR_FILENO, msg, std::strlen(msg));
    (void)r;
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
    const void* addr = info ? info->si_addr : nullptr;
    ShimRuntime* rt = ShimRuntime::get();
    if (rt && addr && in_arena(addr)) {
        char msg[512];
        const Region* r = rt->arena().find((uintptr_t)addr);
        if (r && r->kind == RegionKind::Bar) {
            std::snprintf(msg, sizeof msg,
                          "staleline: driver fault: plain load/store at offset 0x%llx of the mapped BAR0 of "
                          "PCI slot %u. MMIO must use readb/w/l/ll and writeb/w/l/ll (hw/reg.h).\n",
                          (unsigned long long)((uintptr_t)addr - r->start), r->vmo->bar_slot());
        } else if (!r || rt->arena().released((uintptr_t)addr)) {
            std::snprintf(msg, sizeof msg,
                          "staleline: driver fault: access to memory of a VMO that was destroyed "
                          "(or a BAR mapping that was released).\n");
        } else {
            std::snprintf(msg, sizeof msg,
                          "staleline: driver fault: access at offset 0x%llx of VMO koid %llu (%s) failed.\n",
                          (unsigned long long)((uintptr_t)addr - r->start), (unsigned long long)r->vmo->koid(),
                          to_string(r->kind));
        }
        say(msg);
        signal(SIGABRT, SIG_DFL);
        abort();
    }
    // Not ours: hand it to whoever was there before.
    struct sigaction* prev = sig == SIGBUS ? &g_prev_bus : &g_prev_segv;
    if (prev->sa_flags & SA_SIGINFO) {
        if (prev->sa_sigaction) {
            prev->sa_sigaction(sig, info, uctx);
            return;
        }
    } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(sig);
        return;
    }
    // Default action: re-raise with the default disposition.
    signal(sig, SIG_DFL);
    raise(sig);
}

}  // namespace

void install_fault_handler() {
    if (g_installed) return;
    g_installed = true;
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_prev_segv);
    sigaction(SIGBUS, &sa, &g_prev_bus);
}

}  // namespace staleline::zx
