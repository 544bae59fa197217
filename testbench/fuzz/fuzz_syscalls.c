/* fuzz_syscalls: the shim's syscall surface. The input is decoded into a sequence of zx_* and
 * pci_* calls with their arguments (sizes, offsets, alignments, options, handles, closed and
 * forged handles, NULL, read-only, unmapped and host out-pointers), run on a simulated thread
 * of a small platform with the ScratchDevice as the PCI function, as a driver would make them.
 *
 * Invariant: every call returns ZX_OK or a documented error code and never crashes (ASan,
 * UBSan). A driver fault the shim models on purpose (what real hardware would do to the
 * driver, e.g. zx_cache_flush of unmapped memory) ends the input's calls; the shim must say
 * so in its log, and the run must end cleanly otherwise.
 *
 * Input: byte 0 picks the platform (checker attached, IOMMU mode); then per call one opcode
 * byte and its operands (fuzz_input.h). */
#define _GNU_SOURCE /* open_memstream */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/device.h>
#include <ddk/protocol/pci.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "fuzz_input.h"
#include "fuzz_simcontext.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define PAGE 4096u
#define NSLOTS 16
#define NMAPS 8
#define HOSTBUF (64u * 1024u)
#define MAX_CALLS 256

typedef struct {
    fz_input_t in;
    pci_protocol_t pci;
    zx_handle_t slot[NSLOTS];    /* handles the calls returned (closed ones stay: stale values) */
    uintptr_t map_addr[NMAPS];   /* addresses zx_vmar_map returned (unmapped ones stay) */
    uint64_t map_len[NMAPS];
    unsigned nmaps;
    uint8_t host[HOSTBUF];       /* driver memory outside any VMO */
} fz_state_t;

/* Every Zircon status is ZX_OK or one of the ZX_ERR_* codes zx_status_get_string knows. */
static void check_status(zx_status_t st, unsigned op) {
    if (st == ZX_OK) return;
    if (st > 0 || strcmp(zx_status_get_string(st), "(UNKNOWN)") == 0) {
        fprintf(stderr, "call %u returned %d, not a Zircon status\n", op, (int)st);
        abort();
    }
}

static zx_handle_t pick_handle(fz_state_t* s) {
    uint8_t b = fz_u8(&s->in);
    switch (b >> 5) {
        case 0: case 1: case 2: case 3: return s->slot[b % NSLOTS];
        case 4: return s->slot[b % NSLOTS] ^ (1u << 30); /* a forged neighbour of a live value */
        case 5: return ZX_HANDLE_INVALID;
        case 6: return zx_vmar_root_self();
        default: return fz_u32(&s->in);
    }
}

/* An out-pointer for a handle: a slot, NULL, or simulated memory (perhaps read-only or gone). */
static zx_handle_t* pick_handle_out(fz_state_t* s) {
    uint8_t b = fz_u8(&s->in);
    if (b < 0xF0) return &s->slot[b % NSLOTS];
    if (b < 0xF8 || s->nmaps == 0) return NULL;
    unsigned m = b % s->nmaps;
    return (zx_handle_t*)(s->map_addr[m] + (fz_u16(&s->in) % (s->map_len[m] + PAGE)) / 4 * 4);
}

/* A buffer and its length: NULL, host memory (len kept inside it: the host's own memory is
 * the caller's to get right), or simulated memory at any offset of a mapping, live or not. */
static void pick_buffer(fz_state_t* s, void** p, uint64_t* len) {
    uint8_t kind = fz_u8(&s->in);
    uint64_t want = fz_value(&s->in);
    if (kind < 0x20) {
        *p = NULL;
        *len = want;
    } else if (kind < 0x90 || s->nmaps == 0) {
        uint32_t off = fz_u16(&s->in) % HOSTBUF;
        *p = s->host + off;
        *len = want % (HOSTBUF - off + 1);
    } else {
        unsigned m = kind % s->nmaps;
        uint64_t off = fz_u32(&s->in) % (s->map_len[m] + 2 * PAGE);
        *p = (void*)(s->map_addr[m] + off);
        *len = want % (4u << 20); /* at most 4 MiB: the shim checks every page of it */
    }
}

static void* pick_out(fz_state_t* s, size_t size) {
    void* p;
    uint64_t len;
    pick_buffer(s, &p, &len);
    if (p >= (void*)s->host && p < (void*)(s->host + HOSTBUF) && (uint8_t*)p + size > s->host + HOSTBUF)
        return s->host; /* keep a host out-pointer inside the host buffer */
    return p;
}

static void remember_map(fz_state_t* s, uintptr_t addr, uint64_t len) {
    unsigned i = s->nmaps < NMAPS ? s->nmaps++ : (unsigned)(addr / PAGE) % NMAPS;
    s->map_addr[i] = addr;
    s->map_len[i] = len;
}

static void one_call(fz_state_t* s, unsigned op) {
    fz_input_t* in = &s->in;
    zx_status_t st = ZX_OK;
    void* buf;
    uint64_t len;
    switch (op) {
        case 0: {
            uint64_t size = fz_value(in) % (64u << 20);
            st = zx_vmo_create(size, fz_options(in), pick_handle_out(s));
            break;
        }
        case 1: {
            zx_handle_t bti = pick_handle(s);
            uint64_t size = fz_value(in);
            uint32_t align = fz_u8(in);
            st = zx_vmo_create_contiguous(bti, size, align, pick_handle_out(s));
            break;
        }
        case 2: {
            zx_handle_t h = pick_handle(s);
            uint64_t off = fz_value(in);
            pick_buffer(s, &buf, &len);
            st = zx_vmo_read(h, buf, off, len);
            break;
        }
        case 3: {
            zx_handle_t h = pick_handle(s);
            uint64_t off = fz_value(in);
            pick_buffer(s, &buf, &len);
            st = zx_vmo_write(h, buf, off, len);
            break;
        }
        case 4: {
            zx_handle_t h = pick_handle(s);
            st = zx_vmo_get_size(h, pick_out(s, sizeof(uint64_t)));
            break;
        }
        case 5: {
            zx_handle_t h = pick_handle(s);
            uint32_t policy = fz_u8(in) % 8 == 7 ? fz_u32(in) : fz_u8(in) % 8;
            st = zx_vmo_set_cache_policy(h, policy);
            break;
        }
        case 6: {
            zx_handle_t h = pick_handle(s);
            uint32_t vop = fz_u8(in) % 16;
            uint64_t off = fz_value(in), size = fz_value(in);
            pick_buffer(s, &buf, &len);
            st = zx_vmo_op_range(h, vop, off, size, buf, len);
            break;
        }
        case 7: {
            zx_handle_t vmar = fz_u8(in) < 0xE0 ? zx_vmar_root_self() : pick_handle(s);
            uint32_t opts = fz_u8(in) < 0x80 ? (ZX_VM_PERM_READ | (fz_u8(in) & 1 ? ZX_VM_PERM_WRITE : 0)) : fz_options(in);
            uint64_t vmar_off = fz_u8(in) < 0xF0 ? 0 : fz_value(in);
            zx_handle_t vmo = pick_handle(s);
            uint64_t vmo_off = fz_value(in), map_len = fz_value(in);
            zx_vaddr_t addr = 0;
            bool null_out = fz_u8(in) >= 0xF8;
            st = zx_vmar_map(vmar, opts, vmar_off, vmo, vmo_off, map_len, null_out ? NULL : &addr);
            if (st == ZX_OK && !null_out) remember_map(s, addr, map_len);
            break;
        }
        case 8: {
            zx_handle_t vmar = fz_u8(in) < 0xE0 ? zx_vmar_root_self() : pick_handle(s);
            uintptr_t addr = 0;
            if (s->nmaps && fz_u8(in) < 0xE0) {
                unsigned m = fz_u8(in) % s->nmaps;
                addr = s->map_addr[m] + (fz_u8(in) < 0xC0 ? 0 : fz_value(in) % (s->map_len[m] + 2 * PAGE));
            } else {
                addr = (uintptr_t)fz_value(in);
            }
            st = zx_vmar_unmap(vmar, addr, fz_value(in));
            break;
        }
        case 9: {
            pick_buffer(s, &buf, &len);
            st = zx_cache_flush(buf, len, fz_options(in));
            break;
        }
        case 10: {
            zx_handle_t bti = pick_handle(s);
            uint32_t opts = fz_u8(in) < 0xC0 ? fz_u8(in) & 0xF : fz_options(in); /* PERM_READ|WRITE|COMPRESS|CONTIGUOUS */
            zx_handle_t vmo = pick_handle(s);
            uint64_t off = fz_value(in), size = fz_value(in);
            pick_buffer(s, &buf, &len);
            size_t naddrs = (size_t)(fz_u8(in) < 0xC0 ? len / sizeof(zx_paddr_t) : fz_value(in));
            if (buf >= (void*)s->host && buf < (void*)(s->host + HOSTBUF))
                naddrs = len / sizeof(zx_paddr_t); /* host memory: exactly what is there */
            st = zx_bti_pin(bti, opts, vmo, off, size, buf, naddrs, pick_handle_out(s));
            break;
        }
        case 11: st = zx_pmt_unpin(pick_handle(s)); break;
        case 12: st = zx_bti_release_quarantine(pick_handle(s)); break;
        case 13: {
            zx_handle_t h = pick_handle(s);
            uint32_t topic = fz_u8(in) < 0xF0 ? fz_u8(in) % 32 : fz_u32(in);
            pick_buffer(s, &buf, &len);
            size_t* actual = fz_u8(in) & 1 ? pick_out(s, sizeof(size_t)) : NULL;
            size_t* avail = fz_u8(in) & 1 ? pick_out(s, sizeof(size_t)) : NULL;
            st = zx_object_get_info(h, topic, buf, len, actual, avail);
            break;
        }
        case 14: st = zx_handle_close(pick_handle(s)); break;
        case 15: {
            zx_handle_t h = pick_handle(s);
            zx_rights_t rights = fz_u8(in) < 0x80 ? ZX_RIGHT_SAME_RIGHTS : fz_u32(in);
            st = zx_handle_duplicate(h, rights, pick_handle_out(s));
            break;
        }
        case 16: {
            zx_handle_t src = fz_u8(in) < 0xC0 ? ZX_HANDLE_INVALID : pick_handle(s);
            uint32_t num = fz_u8(in), opts = fz_u8(in) < 0x80 ? ZX_INTERRUPT_VIRTUAL : fz_options(in);
            st = zx_interrupt_create(src, num, opts, pick_handle_out(s));
            break;
        }
        case 17: {
            /* wait only on an interrupt just triggered: a wait for nothing would block for ever */
            zx_handle_t h = pick_handle(s);
            st = zx_interrupt_trigger(h, fz_u8(in) < 0xF0 ? 0 : fz_options(in), (zx_time_t)fz_value(in));
            check_status(st, op);
            if (st == ZX_OK) st = zx_interrupt_wait(h, fz_u8(in) & 1 ? NULL : pick_out(s, sizeof(zx_time_t)));
            break;
        }
        case 18: st = zx_interrupt_ack(pick_handle(s)); break;
        case 19: st = zx_interrupt_destroy(pick_handle(s)); break;
        case 20: st = pci_get_bti(&s->pci, fz_u8(in) < 0xF0 ? 0 : fz_u32(in), pick_handle_out(s)); break;
        case 21: {
            uint32_t bar = fz_u8(in) % 8;
            if (fz_u8(in) & 1) {
                zx_pci_bar_t res;
                st = pci_get_bar(&s->pci, bar, fz_u8(in) < 0xF0 ? &res : NULL);
                if (st == ZX_OK && res.type == ZX_PCI_BAR_TYPE_MMIO && res.handle != ZX_HANDLE_INVALID)
                    s->slot[fz_u8(in) % NSLOTS] = res.handle;
            } else {
                void* va = NULL;
                size_t size = 0;
                zx_handle_t h = ZX_HANDLE_INVALID;
                uint32_t policy = fz_u8(in) % 8;
                st = pci_map_bar(&s->pci, bar, policy, &va, &size, &h);
                if (st == ZX_OK) {
                    s->slot[fz_u8(in) % NSLOTS] = h;
                    remember_map(s, (uintptr_t)va, size); /* registers: no buffer may point here */
                }
            }
            break;
        }
        case 22: st = pci_enable_bus_master(&s->pci, fz_u8(in) & 1); break;
        case 23: st = pci_reset_device(&s->pci); break;
        case 24: st = pci_map_interrupt(&s->pci, (int32_t)(fz_u8(in) < 0xF0 ? fz_u8(in) % 4 : fz_u32(in)), pick_handle_out(s)); break;
        case 25: {
            uint32_t max = 0;
            st = pci_query_irq_mode(&s->pci, fz_u8(in) % 5, fz_u8(in) < 0xF0 ? &max : NULL);
            break;
        }
        case 26: st = pci_set_irq_mode(&s->pci, fz_u8(in) % 5, fz_u8(in) % 4); break;
        case 27: {
            uint16_t off = fz_u8(in) < 0xC0 ? fz_u8(in) : fz_u16(in);
            size_t width = fz_u8(in) % 6;
            if (fz_u8(in) & 1) {
                uint32_t v;
                st = pci_config_read(&s->pci, off, width, fz_u8(in) < 0xF0 ? &v : NULL);
            } else {
                st = pci_config_write(&s->pci, off, width, fz_u32(in));
            }
            break;
        }
        case 28: {
            zx_pcie_device_info_t info;
            st = pci_get_device_info(&s->pci, fz_u8(in) < 0xF0 ? &info : NULL);
            break;
        }
        case 29: (void)pci_get_next_capability(&s->pci, fz_u8(in), fz_u8(in)); break;
        case 30: {
            char args[16];
            snprintf(args, sizeof args, "%u", fz_u8(in));
            size_t actual;
            pick_buffer(s, &buf, &len);
            st = pci_get_auxdata(&s->pci, fz_u8(in) & 1 ? NULL : args, buf, len, fz_u8(in) & 1 ? NULL : &actual);
            break;
        }
        default: st = zx_nanosleep(zx_deadline_after((zx_duration_t)fz_u16(in))); break;
    }
    check_status(st, op);
}

static void body(void* arg) {
    fz_state_t* s = arg;
    for (unsigned n = 0; n < MAX_CALLS && fz_more(&s->in); ++n) one_call(s, fz_u8(&s->in) % 32);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    uint8_t flags = data[0];

    fz_fresh_simcontext();
    sl_config_t* c = sl_config_new();
    static const char* const base[] = {"pci.scratch_device=true", "pci.dma_engine=false",
                                       "platform.phys_size=4M", NULL};
    for (const char* const* kv = base; *kv; ++kv)
        if (sl_config_set_assignment(c, *kv) != 0) abort();
    if (flags & 2 && sl_config_set_assignment(c, "iommu.mode=bypass") != 0) abort();
    if (flags & 4 && sl_config_set_assignment(c, "shim.allow_cache_invalidate=false") != 0) abort();
    sl_platform_t* p = sl_platform_create(c);
    sl_config_free(c);
    if (!p) {
        fprintf(stderr, "sl_platform_create: %s\n", sl_error());
        abort();
    }
    if (flags & 1 && !sl_checker_attach(p)) abort();
    zx_device_t* parent = sl_shim_attach(p, (unsigned)sl_pci_scratch_slot(p));
    if (!parent) abort();
    char* log_text = NULL;
    size_t log_size = 0;
    FILE* log = open_memstream(&log_text, &log_size);
    if (!log) abort();
    sl_shim_set_log(log);

    fz_state_t* s = calloc(1, sizeof *s);
    s->in = (fz_input_t){data + 1, size - 1};
    if (device_get_protocol(parent, ZX_PROTOCOL_PCI, &s->pci) != ZX_OK) abort();
    if (sl_platform_spawn(p, "fuzz", body, s) != 0) abort();
    if (sl_platform_run(p, 0) != 0) {
        /* A driver fault (a page fault the driver would take on real hardware: a cache flush
         * of unmapped memory, say) ends the driver's thread: the shim says so in its log. Any
         * other end of the run is a failure of the simulator. */
        fflush(log);
        if (!strstr(log_text, "staleline: driver fault at ")) {
            fprintf(stderr, "run failed: %s\n", sl_error());
            abort();
        }
    }
    sl_platform_destroy(p);
    sl_shim_set_log(NULL);
    fclose(log);
    free(log_text);
    free(s);
    return 0;
}
