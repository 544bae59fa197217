#include "FaultHandler.h"

#include <dlfcn.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "DriverLoader.h"
#include "HostArena.h"
#include "Mmio.h"
#include "MovDecoder.h"
#include "ShimRuntime.h"
#include "checker/SourceLocator.h"
#include "Vmo.h"

namespace staleline::zx {

namespace {

struct sigaction g_prev_segv, g_prev_bus;
bool g_installed = false;

#if defined(__x86_64__)
// ModRM register number -> gregs index.
const int kGreg[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                       REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

uint64_t mask(unsigned bytes) { return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1; }

uint64_t register_operand(const greg_t* g, const MovInsn& m) {
    const uint64_t r = (uint64_t)g[kGreg[m.reg]];
    return m.high_byte ? (r >> 8) & 0xff : r & mask(m.size);
}

void set_register(greg_t* g, const MovInsn& m, uint64_t loaded) {
    uint64_t v = loaded & mask(m.size);
    if (m.sign_extend && m.size < 8 && (v >> (8 * m.size - 1)) & 1) v |= ~mask(m.size);
    uint64_t r = (uint64_t)g[kGreg[m.reg]];
    switch (m.dest_size) {
        case 1:
            if (m.high_byte) r = (r & ~0xff00ULL) | (v & 0xff) << 8;
            else r = (r & ~0xffULL) | (v & 0xff);
            break;
        case 2: r = (r & ~0xffffULL) | (v & 0xffff); break;
        case 4: r = v & 0xffffffffULL; break;  // 32-bit writes zero the upper half
        default: r = v; break;
    }
    g[kGreg[m.reg]] = (greg_t)r;
}

// Emulates the BAR access at addr made by the instruction of uc. Returns normally once done
// (the thread resumes after the instruction); raises a DriverFault when it cannot.
void emulate_bar_access(ShimRuntime& rt, const Region& r, void* addr, ucontext_t* uc) {
    greg_t* g = uc->uc_mcontext.gregs;
    const uint8_t* rip = reinterpret_cast<const uint8_t*>(g[REG_RIP]);
    const void* pc = rip + 1;  // locators treat it as a return address: the instruction before
    MovInsn m;
    if (!decode_mov(rip, 15, &m)) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "an access to offset 0x%llx of the mapped BAR%u of PCI slot %u by an instruction the simulator "
                      "cannot perform as MMIO (only plain moves are: use single volatile loads and stores, or "
                      "readl/writel)",
                      (unsigned long long)((uintptr_t)addr - r.start), r.vmo->bar_index(), r.vmo->bar_slot());
        rt.fault(std::string(buf) + " (" + describe_return_address(pc) + ")", pc);
    }
    uint64_t v = m.is_store ? (m.has_imm ? m.imm & mask(m.size) : register_operand(g, m)) : 0;
    mmio_bar_access(addr, m.is_store, &v, m.size, pc);
    if (!m.is_store) set_register(g, m, v);
    g[REG_RIP] += m.length;
}
#endif

// Whether code address pc lies in a driver module the runtime loaded: the same load base as
// the module's driver record. No allocation (the fault may have hit inside malloc).
bool in_driver_module(ShimRuntime& rt, const void* pc) {
    Dl_info at, rec;
    if (!dladdr(pc, &at) || !at.dli_fbase) return false;
    for (const auto& d : rt.drivers().drivers())
        if (d->record() && dladdr(d->record(), &rec) && rec.dli_fbase == at.dli_fbase) return true;
    return false;
}

void on_fault(int sig, siginfo_t* info, void* uctx) {
    void* addr = info ? info->si_addr : nullptr;
    ShimRuntime* rt = ShimRuntime::get();
    if (rt && addr && in_arena(addr)) {
        const Region* r = rt->arena().find((uintptr_t)addr);
#if defined(__x86_64__)
        if (r && r->kind == RegionKind::Bar && uctx) {
            emulate_bar_access(*rt, *r, addr, static_cast<ucontext_t*>(uctx));
            return;
        }
#endif
        char msg[256];
        if (!r || rt->arena().released((uintptr_t)addr)) {
            std::snprintf(msg, sizeof msg,
                          "access to memory of a VMO that was destroyed (or a BAR mapping that was released)");
        } else {
            std::snprintf(msg, sizeof msg, "access at offset 0x%llx of VMO koid %llu (%s) failed",
                          (unsigned long long)((uintptr_t)addr - r->start), (unsigned long long)r->vmo->koid(),
                          to_string(r->kind));
        }
        const void* pc = nullptr;
#if defined(__x86_64__)
        if (uctx) pc = reinterpret_cast<const uint8_t*>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RIP]) + 1;
#endif
        rt->fault(std::string(msg) + (pc ? " (" + describe_return_address(pc) + ")" : std::string()), pc);
    }
#if defined(__x86_64__)
    // A fault of driver code outside simulated memory (a null or wild pointer) on a simulated
    // thread: a driver-fault finding at its line, and the run ends with its summary.
    if (rt && uctx && sc_core::sc_get_current_process_b()) {
        const uint8_t* rip = reinterpret_cast<const uint8_t*>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RIP]);
        if (in_driver_module(*rt, rip)) {
            char msg[200];
            const uintptr_t a = (uintptr_t)addr;
            if (a < 4096)
                std::snprintf(msg, sizeof msg, "%s in driver code: a null pointer dereference (address 0x%llx)",
                              sig == SIGBUS ? "bus error" : "segmentation fault", (unsigned long long)a);
            else
                std::snprintf(msg, sizeof msg, "%s in driver code: an access outside any mapping",
                              sig == SIGBUS ? "bus error" : "segmentation fault");
            const void* pc = rip + 1;
            rt->fault(std::string(msg) + " (" + describe_return_address(pc) + ")", pc);
        }
    }
#endif
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
    // SA_NODEFER: a DriverFault leaves the handler by an exception (no sigreturn restores the
    // mask), and another simulated thread may fault while this one waits inside an emulation.
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_prev_segv);
    sigaction(SIGBUS, &sa, &g_prev_bus);
}

}  // namespace staleline::zx
