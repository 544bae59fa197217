/* The Zircon/DDK shim over the platform models: every call's success path and its documented
 * errors (codes asserted exactly, table-driven), on the ScratchDevice as the PCI function.
 * The API is called from a simulated thread after sl_shim_attach(), as driver code would.
 *
 * Timing expectations are computed by hand from the configuration below: shim.syscall_ns 250,
 * cache hit 1 ns, miss 4 ns + a DRAM fill of 60 ns + 64 B / 12.8 GB/s = 5 ns, PCIe hop 100 ns,
 * ScratchDevice register access 4 ns. */
#define STALELINE_DRIVER 1 /* hw/reg.h: readl/writel go through the shim, as in a driver */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/mmio-buffer.h>
#include <ddk/protocol/pci-lib.h>
#include <ddk/protocol/pci.h>
#include <hw/reg.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define PAGE 4096u
#define MSI_ADDR 0xfee00000ULL
/* Flipping a generation bit of a handle value gives a value that names no handle. */
#define BAD_BIT (1u << 30)
#define BADH(h) ((h) ^ BAD_BIT)

static sl_platform_t* P;
static zx_device_t* PARENT;
static unsigned SLOT;
static pci_protocol_t PCI;

/* Build a platform with the ScratchDevice (plus extra "key=value" settings, NULL-terminated),
 * attach the shim, run body on a simulated thread, check the run succeeded. */
static void* sim_arg; /* handed to the body */

static void sim(const char* const* extra, sl_thread_fn body) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.hop_latency_ns", "100"), 0);
    /* The cases assert exact device addresses (one run per pin), costs and zeroed DRAM under a
     * fresh VMO: the fidelity switches off here (test_fidelity covers them). */
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "iommu.scatter", "false"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "dram.fresh_pages", "zero"), 0);
    for (; extra && *extra; ++extra) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, *extra), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    SLOT = (unsigned)sl_pci_scratch_slot(P);
    PARENT = sl_shim_attach(P, SLOT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(PARENT);
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(PARENT, ZX_PROTOCOL_PCI, &PCI), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", body, sim_arg), 0);
    int rc = sl_platform_run(P, 0);
    if (rc != 0) fprintf(stderr, "run failed: %s\n", sl_error());
    CU_ASSERT_EQUAL(rc, 0);
    sl_platform_destroy(P);
    CU_ASSERT_FALSE(sl_shim_attached()); /* the platform's destruction detached the shim */
}

static zx_handle_t new_vmo(uint64_t size) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(size, 0, &h), ZX_OK);
    return h;
}

static zx_handle_t get_bti(void) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&PCI, 0, &h), ZX_OK);
    return h;
}

static zx_handle_t dup(zx_handle_t h, zx_rights_t rights) {
    zx_handle_t d = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_handle_duplicate(h, rights, &d), ZX_OK);
    return d;
}

static zx_rights_t rights_of(zx_handle_t h) {
    zx_info_handle_basic_t info;
    CU_ASSERT_EQUAL_FATAL(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL), ZX_OK);
    return info.rights;
}

static uint64_t pa_of(zx_handle_t vmo, uint64_t off) {
    uint64_t pa = 0;
    CU_ASSERT_EQUAL(sl_shim_vmo_phys(vmo, off, &pa), ZX_OK);
    return pa;
}

static int all_bytes(const uint8_t* b, size_t n, uint8_t v) {
    for (size_t i = 0; i < n; ++i)
        if (b[i] != v) return 0;
    return 1;
}

static int dma(int is_write, uint64_t addr, void* data, size_t len) {
    sl_shim_sync(); /* the device acts at the driver thread's time */
    return sl_scratch_dma(P, is_write, addr, data, len);
}

/* ---------------------------------------------------------------- VMOs ---- */

static void vmo_create_body(void* arg) {
    zx_handle_t h;
    /* the errors, in check order */
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 1u << 0, &h), ZX_ERR_INVALID_ARGS);        /* unknown option */
    CU_ASSERT_EQUAL(zx_vmo_create(UINT64_MAX, 0, &h), ZX_ERR_OUT_OF_RANGE);       /* rounding overflows */
    CU_ASSERT_EQUAL(zx_vmo_create(2ULL << 30, 0, &h), ZX_ERR_NO_MEMORY);          /* more than the 1 GiB of RAM */
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 0, NULL), ZX_ERR_INVALID_ARGS);           /* no out */
    /* size rounds up to pages; default rights; RESIZABLE adds ZX_RIGHT_RESIZE */
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(5000, 0, &h), ZX_OK);
    uint64_t size = 0;
    CU_ASSERT_EQUAL(zx_vmo_get_size(h, &size), ZX_OK);
    CU_ASSERT_EQUAL(size, 8192);
    CU_ASSERT_EQUAL(rights_of(h), ZX_DEFAULT_VMO_RIGHTS);
    CU_ASSERT_EQUAL(zx_vmo_get_size(h, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_get_size(BADH(h), &size), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmo_get_size(zx_vmar_root_self(), &size), ZX_ERR_WRONG_TYPE);
    zx_handle_t r;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &r), ZX_OK);
    CU_ASSERT_EQUAL(rights_of(r), ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
    /* zero-sized VMOs exist */
    zx_handle_t z;
    CU_ASSERT_EQUAL(zx_vmo_create(0, 0, &z), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_get_size(z, &size), ZX_OK);
    CU_ASSERT_EQUAL(size, 0);
    /* ZX_INFO_VMO */
    zx_info_vmo_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.size_bytes, 8192);
    CU_ASSERT_EQUAL(info.committed_bytes, 8192);
    CU_ASSERT_EQUAL(info.cache_policy, ZX_CACHE_POLICY_CACHED);
    CU_ASSERT_EQUAL(info.handle_rights, ZX_DEFAULT_VMO_RIGHTS);
    CU_ASSERT_EQUAL(ZX_INFO_VMO_TYPE(info.flags), ZX_INFO_VMO_TYPE_PAGED);
    CU_ASSERT_FALSE(info.flags & ZX_INFO_VMO_CONTIGUOUS);
    /* scattered pages: each page has its own physical page in RAM */
    uint64_t pa0 = pa_of(h, 0), pa1 = pa_of(h, PAGE);
    CU_ASSERT(pa0 >= 0x80000000ULL && pa0 < 0xc0000000ULL);
    CU_ASSERT_EQUAL(pa0 % PAGE, 0);
    CU_ASSERT_EQUAL(pa_of(h, 100), pa0 + 100);
    CU_ASSERT_NOT_EQUAL(pa1, pa0 + PAGE); /* the allocator scatters (seeded) */
    CU_ASSERT_EQUAL(sl_shim_vmo_phys(h, 8192, &pa0), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(zx_handle_close(h), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_get_size(h, &size), ZX_ERR_BAD_HANDLE);
}
static void test_vmo_create(void) { sim(NULL, vmo_create_body); }

static void vmo_contiguous_body(void* arg) {
    zx_handle_t bti = get_bti(), h;
    zx_handle_t bti_nomap = dup(bti, ZX_DEFAULT_BTI_RIGHTS & ~ZX_RIGHT_MAP);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, 0, 0, &h), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, PAGE, 11, &h), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, PAGE, 64, &h), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(BADH(bti), PAGE, 0, &h), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(new_vmo(PAGE), PAGE, 0, &h), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti_nomap, PAGE, 0, &h), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, 2ULL << 30, 0, &h), ZX_ERR_NO_MEMORY);
    /* 5 pages aligned to 64 KiB: one physical run */
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create_contiguous(bti, 5 * PAGE, 16, &h), ZX_OK);
    uint64_t pa = pa_of(h, 0);
    CU_ASSERT_EQUAL(pa % 65536, 0);
    for (unsigned i = 1; i < 5; ++i) CU_ASSERT_EQUAL(pa_of(h, i * PAGE), pa + i * PAGE);
    zx_info_vmo_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT(info.flags & ZX_INFO_VMO_CONTIGUOUS);
}
static void test_vmo_create_contiguous(void) { sim(NULL, vmo_contiguous_body); }

/* zx_vmo_read/write go through the cache: a write lands in the CPU view only; DRAM (what
 * devices see) changes on clean. Costs: syscall + miss (4 + 65) or hit (1) per line. */
static void vmo_rw_body(void* arg) {
    zx_handle_t h = new_vmo(2 * PAGE);
    uint8_t pat[64], got[64];
    memset(pat, 0xa5, sizeof pat);

    uint64_t t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(zx_vmo_read(h, got, 0, 64), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 250 + 4 + 65); /* cold line: miss + fill */
    CU_ASSERT(all_bytes(got, 64, 0));                     /* new VMOs read as zero */
    t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(zx_vmo_write(h, pat, 0, 64), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 250 + 1); /* hit */
    CU_ASSERT_EQUAL(zx_vmo_read(h, got, 0, 64), ZX_OK);
    CU_ASSERT_EQUAL(memcmp(got, pat, 64), 0);
    /* DRAM still holds zeros: the line is dirty in the cache */
    uint8_t dram[64];
    sl_dram_read(P, pa_of(h, 0), dram, 64);
    CU_ASSERT(all_bytes(dram, 64, 0));
    CU_ASSERT_EQUAL(sl_cache_line_state(P, pa_of(h, 0)), 2 /* dirty */);
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_CLEAN, 0, 64, NULL, 0), ZX_OK);
    sl_dram_read(P, pa_of(h, 0), dram, 64);
    CU_ASSERT_EQUAL(memcmp(dram, pat, 64), 0);

    /* a write across the page boundary lands in two physical pages */
    uint8_t span[32];
    memset(span, 0x5c, sizeof span);
    CU_ASSERT_EQUAL(zx_vmo_write(h, span, PAGE - 16, 32), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_CLEAN, 0, 2 * PAGE, NULL, 0), ZX_OK);
    sl_dram_read(P, pa_of(h, PAGE - 16), dram, 16);
    CU_ASSERT(all_bytes(dram, 16, 0x5c));
    sl_dram_read(P, pa_of(h, PAGE), dram, 16);
    CU_ASSERT(all_bytes(dram, 16, 0x5c));

    /* errors, in check order */
    zx_handle_t ro = dup(h, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE);
    zx_handle_t wo = dup(h, ZX_RIGHT_WRITE);
    static const struct {
        const char* what;
        int which; /* 0 h, 1 ro, 2 wo, 3 bad, 4 root vmar */
        uint64_t off;
        size_t len;
        int null_buf;
        zx_status_t read_st, write_st;
    } rows[] = {
        {"bad handle", 3, 0, 8, 0, ZX_ERR_BAD_HANDLE, ZX_ERR_BAD_HANDLE},
        {"not a VMO", 4, 0, 8, 0, ZX_ERR_WRONG_TYPE, ZX_ERR_WRONG_TYPE},
        {"no WRITE right", 1, 0, 8, 0, ZX_OK, ZX_ERR_ACCESS_DENIED},
        {"no READ right", 2, 0, 8, 0, ZX_ERR_ACCESS_DENIED, ZX_OK},
        {"past the end", 0, 2 * PAGE - 4, 8, 0, ZX_ERR_OUT_OF_RANGE, ZX_ERR_OUT_OF_RANGE},
        {"offset overflows", 0, UINT64_MAX - 2, 8, 0, ZX_ERR_OUT_OF_RANGE, ZX_ERR_OUT_OF_RANGE},
        {"NULL buffer", 0, 0, 8, 1, ZX_ERR_INVALID_ARGS, ZX_ERR_INVALID_ARGS},
        {"zero length, NULL buffer", 0, 0, 0, 1, ZX_OK, ZX_OK},
        {"bad handle before range", 3, UINT64_MAX, 8, 1, ZX_ERR_BAD_HANDLE, ZX_ERR_BAD_HANDLE},
    };
    for (size_t i = 0; i < SL_COUNT(rows); ++i) {
        zx_handle_t hs[] = {h, ro, wo, h ^ BAD_BIT, zx_vmar_root_self()};
        uint8_t buf[8] = {0};
        void* b = rows[i].null_buf ? NULL : buf;
        zx_status_t rs = zx_vmo_read(hs[rows[i].which], b, rows[i].off, rows[i].len);
        zx_status_t ws = zx_vmo_write(hs[rows[i].which], b, rows[i].off, rows[i].len);
        if (rs != rows[i].read_st || ws != rows[i].write_st)
            fprintf(stderr, "row '%s': read %d (want %d), write %d (want %d)\n", rows[i].what, rs, rows[i].read_st, ws,
                    rows[i].write_st);
        CU_ASSERT_EQUAL(rs, rows[i].read_st);
        CU_ASSERT_EQUAL(ws, rows[i].write_st);
    }
}
static void test_vmo_read_write(void) { sim(NULL, vmo_rw_body); }

/* Cache policy: only before mapping/pinning; uncached VMOs cannot be read with zx_vmo_read;
 * their mappings point at DRAM. Cached -> uncached cleans the dirty lines first. */
static void vmo_policy_body(void* arg) {
    zx_handle_t h = new_vmo(PAGE), bti = get_bti(), pmt;
    uint8_t pat[16];
    memset(pat, 0x77, sizeof pat);
    CU_ASSERT_EQUAL(zx_vmo_write(h, pat, 0, 16), ZX_OK); /* dirty in the cache */
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h, 4), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h ^ BAD_BIT, 4), ZX_ERR_INVALID_ARGS); /* policy checked first */
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h ^ BAD_BIT, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(bti, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(dup(h, ZX_RIGHT_READ), ZX_CACHE_POLICY_UNCACHED), ZX_ERR_ACCESS_DENIED);
    /* mapped -> BAD_STATE; pinned -> BAD_STATE */
    zx_vaddr_t va;
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, h, 0, PAGE, &va), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_vmar_unmap(zx_vmar_root_self(), va, PAGE), ZX_OK);
    zx_paddr_t addr;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, h, 0, PAGE, &addr, 1, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    /* now it may change; the dirty bytes reach DRAM on the way */
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
    uint8_t dram[16];
    sl_dram_read(P, pa_of(h, 0), dram, 16);
    CU_ASSERT_EQUAL(memcmp(dram, pat, 16), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(P, pa_of(h, 0)), 0 /* invalid */);
    uint8_t got[16];
    CU_ASSERT_EQUAL(zx_vmo_read(h, got, 0, 16), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_vmo_write(h, got, 0, 16), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_UNCACHED), ZX_OK);    /* same policy: no-op */
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(h, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE); /* committed pages */
    /* an uncached mapping is DRAM itself: a plain store is at once what devices see */
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, h, 0, PAGE, &va), ZX_OK);
    ((volatile uint8_t*)va)[100] = 0x42;
    sl_dram_read(P, pa_of(h, 100), dram, 1);
    CU_ASSERT_EQUAL(dram[0], 0x42);
    zx_info_vmo_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.cache_policy, ZX_CACHE_POLICY_UNCACHED);
    CU_ASSERT_EQUAL(info.num_mappings, 1);
}
/* A cache smaller than a page: zx_vmo_write then zx_vmo_read of 16 KiB returns every
 * byte, although the copy passes through many more lines than the cache holds. */
static void small_cache_body(void* arg) {
    enum { N = 16384 };
    static uint8_t in[N], out[N];
    for (int i = 0; i < N; ++i) in[i] = (uint8_t)(i * 13 + 5);
    zx_handle_t vmo = new_vmo(N);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, in + 3, 3, N - 7), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, out + 3, 3, N - 7), ZX_OK);
    CU_ASSERT_EQUAL(memcmp(in + 3, out + 3, N - 7), 0);
    zx_handle_close(vmo);
}
static void test_vmo_read_write_small_cache(void) {
    const char* extra[] = {"cache.size=1k", "cache.ways=2", NULL};
    sim(extra, small_cache_body);
}

static void test_vmo_cache_policy(void) { sim(NULL, vmo_policy_body); }

/* zx_vmo_op_range: the check order of CacheOpCheck, then the effect of each cache op. */
static void op_range_body(void* arg) {
    zx_handle_t h = new_vmo(2 * PAGE);
    zx_handle_t ro = dup(h, ZX_RIGHT_READ), none = dup(h, ZX_RIGHT_DUPLICATE);
    static const struct {
        int which; /* 0 h, 1 ro, 2 none, 3 bad, 4 vmar */
        uint32_t op;
        uint64_t off, size;
        zx_status_t want;
    } rows[] = {
        {3, ZX_VMO_OP_CACHE_CLEAN, 0, 64, ZX_ERR_BAD_HANDLE},
        {4, ZX_VMO_OP_CACHE_CLEAN, 0, 64, ZX_ERR_WRONG_TYPE},
        {0, 5 /* was LOOKUP */, 0, 64, ZX_ERR_INVALID_ARGS},
        {0, 99, 0, 64, ZX_ERR_INVALID_ARGS},
        {2, ZX_VMO_OP_CACHE_CLEAN, 0, 64, ZX_ERR_ACCESS_DENIED},
        {2, ZX_VMO_OP_CACHE_SYNC, 0, 64, ZX_ERR_ACCESS_DENIED},
        {2, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, 64, ZX_ERR_ACCESS_DENIED},
        {1, ZX_VMO_OP_CACHE_INVALIDATE, 0, 64, ZX_ERR_ACCESS_DENIED}, /* needs WRITE */
        {1, ZX_VMO_OP_CACHE_CLEAN, 0, 64, ZX_OK},
        {0, ZX_VMO_OP_CACHE_CLEAN, 0, 0, ZX_ERR_INVALID_ARGS},          /* size 0 */
        {0, ZX_VMO_OP_CACHE_CLEAN, PAGE, 2 * PAGE, ZX_ERR_OUT_OF_RANGE},
        {0, ZX_VMO_OP_CACHE_CLEAN, UINT64_MAX, 2, ZX_ERR_OUT_OF_RANGE},
        {0, ZX_VMO_OP_CACHE_CLEAN, 3, 5, ZX_OK},                         /* unaligned is fine */
        {0, ZX_VMO_OP_COMMIT, 0, 2 * PAGE, ZX_OK},
        {1, ZX_VMO_OP_COMMIT, 0, PAGE, ZX_ERR_ACCESS_DENIED},
        {0, ZX_VMO_OP_COMMIT, PAGE, 2 * PAGE, ZX_ERR_OUT_OF_RANGE},
        {0, ZX_VMO_OP_DECOMMIT, 0, PAGE, ZX_ERR_NOT_SUPPORTED},
        {0, ZX_VMO_OP_LOCK, 0, PAGE, ZX_ERR_NOT_SUPPORTED},
        {2, ZX_VMO_OP_DONT_NEED, 0, PAGE, ZX_OK},
    };
    for (size_t i = 0; i < SL_COUNT(rows); ++i) {
        zx_handle_t hs[] = {h, ro, none, h ^ BAD_BIT, zx_vmar_root_self()};
        zx_status_t st = zx_vmo_op_range(hs[rows[i].which], rows[i].op, rows[i].off, rows[i].size, NULL, 0);
        if (st != rows[i].want) fprintf(stderr, "op_range row %zu: %d, want %d\n", i, st, rows[i].want);
        CU_ASSERT_EQUAL(st, rows[i].want);
    }

    /* effects: CLEAN keeps the line (now clean), CLEAN_INVALIDATE drops it after writing back,
     * INVALIDATE drops it and loses the dirty bytes, SYNC writes back */
    uint8_t a[8], got[8], dram[8];
    memset(a, 0x11, 8);
    uint64_t pa = pa_of(h, 0);
    CU_ASSERT_EQUAL(zx_vmo_write(h, a, 0, 8), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_CLEAN, 0, 8, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(sl_cache_line_state(P, pa), 1 /* clean */);
    memset(a, 0x22, 8);
    CU_ASSERT_EQUAL(zx_vmo_write(h, a, 0, 8), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, 8, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(sl_cache_line_state(P, pa), 0);
    sl_dram_read(P, pa, dram, 8);
    CU_ASSERT(all_bytes(dram, 8, 0x22));
    memset(a, 0x33, 8);
    CU_ASSERT_EQUAL(zx_vmo_write(h, a, 0, 8), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_INVALIDATE, 0, 8, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(h, got, 0, 8), ZX_OK);
    CU_ASSERT(all_bytes(got, 8, 0x22)); /* the 0x33 store was discarded */
    memset(a, 0x44, 8);
    CU_ASSERT_EQUAL(zx_vmo_write(h, a, 0, 8), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_SYNC, 0, 8, NULL, 0), ZX_OK);
    sl_dram_read(P, pa, dram, 8);
    CU_ASSERT(all_bytes(dram, 8, 0x44));
    /* ZERO writes zeros through the cache */
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_ZERO, 0, 8, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(h, got, 0, 8), ZX_OK);
    CU_ASSERT(all_bytes(got, 8, 0));
}
static void test_vmo_op_range(void) { sim(NULL, op_range_body); }

static void no_invalidate_body(void* arg) {
    zx_handle_t h = new_vmo(PAGE), none = dup(h, ZX_RIGHT_DUPLICATE);
    /* NOT_SUPPORTED comes before the right check */
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_INVALIDATE, 0, 64, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(none, ZX_VMO_OP_CACHE_INVALIDATE, 0, 64, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(h, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, 64, NULL, 0), ZX_OK);
}
static void test_invalidate_disabled(void) {
    const char* cfg[] = {"shim.allow_cache_invalidate=false", NULL};
    sim(cfg, no_invalidate_body);
}

/* ---------------------------------------------------------------- VMARs ---- */

static void vmar_body(void* arg) {
    zx_handle_t root = zx_vmar_root_self(), h = new_vmo(4 * PAGE);
    zx_handle_t ro = dup(h, ZX_RIGHT_READ | ZX_RIGHT_MAP), nomap = dup(h, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
    const zx_vm_option_t RW = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
    zx_vaddr_t va = 0;
    static const struct {
        int vmar;   /* 0 root, 1 bad, 2 a VMO */
        int vmo;    /* 0 h, 1 ro, 2 nomap, 3 bad, 4 a VMAR */
        zx_vm_option_t opts;
        size_t vmar_off;
        uint64_t vmo_off;
        size_t len;
        int null_out;
        zx_status_t want;
    } rows[] = {
        {1, 0, ZX_VM_PERM_READ, 0, 0, PAGE, 0, ZX_ERR_BAD_HANDLE},
        {2, 0, ZX_VM_PERM_READ, 0, 0, PAGE, 0, ZX_ERR_WRONG_TYPE},
        {0, 3, ZX_VM_PERM_READ, 0, 0, PAGE, 0, ZX_ERR_BAD_HANDLE},
        {0, 4, ZX_VM_PERM_READ, 0, 0, PAGE, 0, ZX_ERR_WRONG_TYPE},
        {0, 0, ZX_VM_PERM_READ, 0, 0, PAGE, 1, ZX_ERR_INVALID_ARGS},
        {0, 2, ZX_VM_PERM_READ, 0, 0, PAGE, 0, ZX_ERR_ACCESS_DENIED},   /* no ZX_RIGHT_MAP */
        {0, 0, 1u << 20, 0, 0, PAGE, 0, ZX_ERR_INVALID_ARGS},           /* unknown option */
        {0, 0, ZX_VM_PERM_WRITE, 0, 0, PAGE, 0, ZX_ERR_INVALID_ARGS},   /* write without read */
        {0, 1, RW, 0, 0, PAGE, 0, ZX_ERR_ACCESS_DENIED},                /* no ZX_RIGHT_WRITE */
        {0, 0, ZX_VM_PERM_READ, PAGE, 0, PAGE, 0, ZX_ERR_INVALID_ARGS}, /* offset without SPECIFIC */
        {0, 0, ZX_VM_PERM_READ, 0, 100, PAGE, 0, ZX_ERR_INVALID_ARGS},  /* vmo_offset unaligned */
        {0, 0, ZX_VM_PERM_READ, 0, 0, 0, 0, ZX_ERR_INVALID_ARGS},       /* len 0 */
        {0, 0, ZX_VM_PERM_READ, 0, 0, 100, 0, ZX_ERR_INVALID_ARGS},     /* len unaligned */
        {0, 0, ZX_VM_PERM_READ, 0, UINT64_MAX & ~4095ULL, 2 * PAGE, 0, ZX_ERR_OUT_OF_RANGE}, /* overflows */
        {0, 0, ZX_VM_PERM_READ, 0, 2 * PAGE, 3 * PAGE, 0, ZX_ERR_BUFFER_TOO_SMALL},
        {0, 0, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, PAGE, 0, PAGE, 0, ZX_ERR_NOT_SUPPORTED},
        {0, 1, ZX_VM_PERM_READ, 0, PAGE, PAGE, 0, ZX_OK},
    };
    for (size_t i = 0; i < SL_COUNT(rows); ++i) {
        zx_handle_t vmars[] = {root, root ^ BAD_BIT, h};
        zx_handle_t vmos[] = {h, ro, nomap, h ^ BAD_BIT, root};
        zx_status_t st = zx_vmar_map(vmars[rows[i].vmar], rows[i].opts, rows[i].vmar_off, vmos[rows[i].vmo],
                                     rows[i].vmo_off, rows[i].len, rows[i].null_out ? NULL : &va);
        if (st != rows[i].want) fprintf(stderr, "vmar_map row %zu: %d, want %d\n", i, st, rows[i].want);
        CU_ASSERT_EQUAL(st, rows[i].want);
    }
    /* two mappings of the same pages share the address (the VMO's CPU view) */
    zx_vaddr_t a, b;
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(root, RW, 0, h, 0, 4 * PAGE, &a), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(root, RW, 0, h, PAGE, PAGE, &b), ZX_OK);
    CU_ASSERT_EQUAL(b, a + PAGE);
    CU_ASSERT_EQUAL(a % PAGE, 0);
    zx_info_vmo_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.num_mappings, 3); /* including the read-only row above */
    /* the mapping is the CPU view: zx_vmo_write is visible through it */
    uint8_t v = 0x9d;
    CU_ASSERT_EQUAL(zx_vmo_write(h, &v, 2 * PAGE + 5, 1), ZX_OK);
    CU_ASSERT_EQUAL(((volatile uint8_t*)a)[2 * PAGE + 5], 0x9d);
    zx_info_vmar_t vi;
    CU_ASSERT_EQUAL(zx_object_get_info(root, ZX_INFO_VMAR, &vi, sizeof vi, NULL, NULL), ZX_OK);
    CU_ASSERT(a >= vi.base && a + 4 * PAGE <= vi.base + vi.len);
    /* unmap errors and a partial unmap that splits the mapping */
    CU_ASSERT_EQUAL(zx_vmar_unmap(root ^ BAD_BIT, a, PAGE), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmar_unmap(h, a, PAGE), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a + 1, PAGE), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a, 100), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, 0x1000, PAGE), ZX_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a + 2 * PAGE, PAGE), ZX_OK); /* middle of the 4-page mapping */
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.num_mappings, 4); /* 4 pages split into 2 + 1 = 2 pieces */
    /* Mappings of the same pages share addresses, so an unmap takes each page out of one
     * mapping, the newest first: the 1-page mapping b, then the pieces of a, whose page at
     * a + PAGE is already done, so a's piece there stays, as does the read-only one. */
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a, 4 * PAGE), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.num_mappings, 2);
    CU_ASSERT_EQUAL(((volatile uint8_t*)a)[PAGE], 0); /* still mapped: no fault */
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a, 4 * PAGE), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.num_mappings, 1);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a + PAGE, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.num_mappings, 0);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, a, 4 * PAGE), ZX_ERR_NOT_FOUND);
}
static void test_vmar_map_unmap(void) { sim(NULL, vmar_body); }

/* zx_cache_flush on a cached mapping acts on the VMO's lines; on ordinary host memory it does
 * nothing; options are checked first. */
static void cache_flush_body(void* arg) {
    zx_handle_t h = new_vmo(PAGE);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, h, 0, PAGE, &va), ZX_OK);
    static const struct {
        uint32_t options;
        zx_status_t want;
    } rows[] = {
        {0, ZX_ERR_INVALID_ARGS},
        {ZX_CACHE_FLUSH_INVALIDATE, ZX_ERR_INVALID_ARGS},
        {ZX_CACHE_FLUSH_INVALIDATE | ZX_CACHE_FLUSH_INSN, ZX_ERR_INVALID_ARGS},
        {1u << 3, ZX_ERR_INVALID_ARGS},
        {ZX_CACHE_FLUSH_DATA | (1u << 3), ZX_ERR_INVALID_ARGS},
        {ZX_CACHE_FLUSH_DATA, ZX_OK},
        {ZX_CACHE_FLUSH_INSN, ZX_OK},
        {ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INSN, ZX_OK},
        {ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE, ZX_OK},
        {ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE | ZX_CACHE_FLUSH_INSN, ZX_OK},
    };
    for (size_t i = 0; i < SL_COUNT(rows); ++i)
        CU_ASSERT_EQUAL(zx_cache_flush((void*)va, 64, rows[i].options), rows[i].want);
    uint8_t v[4] = {1, 2, 3, 4}, dram[4];
    CU_ASSERT_EQUAL(zx_vmo_write(h, v, 256, 4), ZX_OK);
    CU_ASSERT_EQUAL(zx_cache_flush((void*)(va + 256), 4, ZX_CACHE_FLUSH_DATA), ZX_OK);
    sl_dram_read(P, pa_of(h, 256), dram, 4);
    CU_ASSERT_EQUAL(memcmp(dram, v, 4), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(P, pa_of(h, 256)), 1);
    CU_ASSERT_EQUAL(zx_cache_flush((void*)(va + 256), 4, ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE), ZX_OK);
    CU_ASSERT_EQUAL(sl_cache_line_state(P, pa_of(h, 256)), 0);
    char heap[64];
    CU_ASSERT_EQUAL(zx_cache_flush(heap, sizeof heap, ZX_CACHE_FLUSH_DATA), ZX_OK);
}
static void test_cache_flush(void) { sim(NULL, cache_flush_body); }

/* -------------------------------------------------------- BTI pinning ---- */

/* zx_bti_pin's errors in the kernel's order (the shim's BtiPinCheck). */
static void pin_errors_body(void* arg) {
    zx_handle_t bti = get_bti(), vmo = new_vmo(4 * PAGE), cvmo, pmt;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create_contiguous(bti, 4 * PAGE, 0, &cvmo), ZX_OK);
    zx_handle_t bti_nomap = dup(bti, ZX_DEFAULT_BTI_RIGHTS & ~ZX_RIGHT_MAP);
    zx_handle_t vmo_nomap = dup(vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
    zx_handle_t vmo_ro = dup(vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP);
    zx_paddr_t addrs[8];
    const uint32_t R = ZX_BTI_PERM_READ, W = ZX_BTI_PERM_WRITE;
    static const struct {
        const char* what;
        int bti;  /* 0 bti, 1 bad, 2 no MAP, 3 a VMO */
        int vmo;  /* 0 vmo, 1 contiguous, 2 bad, 3 no MAP, 4 read-only, 5 the BTI */
        uint32_t options;
        uint64_t off, size;
        size_t n;
        int null_addrs, null_pmt;
        zx_status_t want;
    } rows[] = {
        {"bad BTI", 1, 0, 1, 0, PAGE, 1, 0, 0, ZX_ERR_BAD_HANDLE},
        {"BTI is a VMO", 3, 0, 1, 0, PAGE, 1, 0, 0, ZX_ERR_WRONG_TYPE},
        {"BTI without MAP", 2, 0, 1, 0, PAGE, 1, 0, 0, ZX_ERR_ACCESS_DENIED},
        {"unaligned offset (before the VMO handle)", 0, 2, 1, 100, PAGE, 1, 0, 0, ZX_ERR_INVALID_ARGS},
        {"unaligned size", 0, 0, 1, 0, 100, 1, 0, 0, ZX_ERR_INVALID_ARGS},
        {"bad VMO", 0, 2, 1, 0, PAGE, 1, 0, 0, ZX_ERR_BAD_HANDLE},
        {"VMO is the BTI", 0, 5, 1, 0, PAGE, 1, 0, 0, ZX_ERR_WRONG_TYPE},
        {"VMO without MAP", 0, 3, 1, 0, PAGE, 1, 0, 0, ZX_ERR_ACCESS_DENIED},
        {"PERM_WRITE on a read-only VMO", 0, 4, 3, 0, PAGE, 1, 0, 0, ZX_ERR_ACCESS_DENIED},
        {"COMPRESS|CONTIGUOUS", 0, 1, 1 | (1u << 3) | (1u << 4), 0, PAGE, 1, 0, 0, ZX_ERR_INVALID_ARGS},
        {"CONTIGUOUS on a paged VMO", 0, 0, 1 | (1u << 4), 0, PAGE, 1, 0, 0, ZX_ERR_INVALID_ARGS},
        {"undefined option", 0, 0, 1 | (1u << 5), 0, PAGE, 1, 0, 0, ZX_ERR_INVALID_ARGS},
        {"size 0", 0, 0, 1, 0, 0, 0, 0, 0, ZX_ERR_INVALID_ARGS},
        {"past the end", 0, 0, 1, 2 * PAGE, 3 * PAGE, 3, 0, 0, ZX_ERR_OUT_OF_RANGE},
        {"no permission", 0, 0, 0, 0, PAGE, 1, 0, 0, ZX_ERR_INVALID_ARGS},
        {"num_addrs too small", 0, 0, 1, 0, 2 * PAGE, 1, 0, 0, ZX_ERR_INVALID_ARGS},
        {"num_addrs too large", 0, 0, 1, 0, 2 * PAGE, 3, 0, 0, ZX_ERR_INVALID_ARGS},
        {"CONTIGUOUS wants 1 address", 0, 1, 1 | (1u << 4), 0, 2 * PAGE, 2, 0, 0, ZX_ERR_INVALID_ARGS},
        {"addrs NULL", 0, 0, 1, 0, PAGE, 1, 1, 0, ZX_ERR_INVALID_ARGS},
        {"pmt NULL", 0, 0, 1, 0, PAGE, 1, 0, 1, ZX_ERR_INVALID_ARGS},
    };
    (void)R;
    (void)W;
    for (size_t i = 0; i < SL_COUNT(rows); ++i) {
        zx_handle_t btis[] = {bti, bti ^ BAD_BIT, bti_nomap, vmo};
        zx_handle_t vmos[] = {vmo, cvmo, vmo ^ BAD_BIT, vmo_nomap, vmo_ro, bti};
        zx_status_t st = zx_bti_pin(btis[rows[i].bti], rows[i].options, vmos[rows[i].vmo], rows[i].off, rows[i].size,
                                    rows[i].null_addrs ? NULL : addrs, rows[i].n, rows[i].null_pmt ? NULL : &pmt);
        if (st != rows[i].want) fprintf(stderr, "pin row '%s': %d, want %d\n", rows[i].what, st, rows[i].want);
        CU_ASSERT_EQUAL(st, rows[i].want);
    }
    CU_ASSERT_EQUAL(sl_shim_pin_count(), 0); /* nothing was pinned */
}
static void test_pin_errors(void) { sim(NULL, pin_errors_body); }

/* Device addresses: per page, per chunk with COMPRESS, one with CONTIGUOUS; IOVAs come from a
 * base far above RAM and are not the physical addresses; the IOMMU maps them. */
static void pin_addresses_body(void* arg) {
    zx_handle_t bti = get_bti(), vmo = new_vmo(4 * PAGE), cvmo, pmt, pmt2, pmt3;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create_contiguous(bti, 4 * PAGE, 0, &cvmo), ZX_OK);
    zx_paddr_t a[4], c, z[4];
    uint64_t t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, vmo, 0, 4 * PAGE, a, 4, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 250 + 4 * 100); /* syscall + 4 pages * shim.pin_page_ns */
    uint16_t rid = sl_pci_requester_id(SLOT);
    for (unsigned i = 0; i < 4; ++i) {
        CU_ASSERT(a[i] >= 0x1000000000ULL);
        CU_ASSERT_EQUAL(a[i], a[0] + i * PAGE); /* one IOVA run per pin */
        uint64_t pa = 0;
        unsigned perms = 0;
        CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, a[i], &pa, &perms), 1);
        CU_ASSERT_EQUAL(pa, pa_of(vmo, i * PAGE));
        CU_ASSERT_EQUAL(perms, SL_IOMMU_READ | SL_IOMMU_WRITE);
        CU_ASSERT_NOT_EQUAL(a[i], pa);
    }
    /* the guard page after the run is not mapped */
    CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, a[3] + PAGE, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | (1u << 4), cvmo, PAGE, 2 * PAGE, &c, 1, &pmt2), ZX_OK);
    uint64_t pa = 0;
    unsigned perms = 0;
    CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, c + PAGE, &pa, &perms), 1);
    CU_ASSERT_EQUAL(pa, pa_of(cvmo, 2 * PAGE));
    CU_ASSERT_EQUAL(perms, SL_IOMMU_READ);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_WRITE | (1u << 3), vmo, 0, 4 * PAGE, z, 4, &pmt3), ZX_OK);
    CU_ASSERT_NOT_EQUAL(z[0], a[0]); /* a second pin of the same pages gets its own addresses */
    CU_ASSERT_EQUAL(z[3], z[0] + 3 * PAGE);
    /* ZX_INFO_BTI */
    zx_info_bti_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_BTI, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.minimum_contiguity, PAGE);
    CU_ASSERT_EQUAL(info.aspace_size, 1ULL << 48); /* 4 levels */
    CU_ASSERT_EQUAL(info.pmo_count, 3);
    CU_ASSERT_EQUAL(info.quarantine_count, 0);
    /* the registry */
    CU_ASSERT_EQUAL(sl_shim_pin_count(), 3);
    sl_pin_info_t pi;
    CU_ASSERT_EQUAL(sl_shim_pin_info(1, &pi), 0);
    CU_ASSERT_EQUAL(pi.id, 2);
    CU_ASSERT_EQUAL(pi.vmo_offset, PAGE);
    CU_ASSERT_EQUAL(pi.size, 2 * PAGE);
    CU_ASSERT_EQUAL(pi.runs, 1);
    CU_ASSERT_EQUAL(pi.first_device_addr, c);
    CU_ASSERT_EQUAL(pi.device_perms, ZX_BTI_PERM_READ);
    CU_ASSERT_EQUAL(pi.state, SL_PIN_PINNED);
    CU_ASSERT_EQUAL(pi.slot, SLOT);
    CU_ASSERT_PTR_NOT_NULL(pi.pin_pc);
    CU_ASSERT_EQUAL(sl_shim_pin_info(3, &pi), -1);
    /* device address -> pin: the two pins of vmo have distinct runs; off the runs nothing */
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid, a[2] + 5), 0);
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid, c + PAGE), 1);
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid, z[3]), 2);
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid, a[3] + PAGE), -1);   /* the guard page */
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid + 8, a[0]), -1);      /* another requester */
    /* PMT handles relate to their BTI */
    zx_info_handle_basic_t hb, bb;
    CU_ASSERT_EQUAL(zx_object_get_info(pmt, ZX_INFO_HANDLE_BASIC, &hb, sizeof hb, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_HANDLE_BASIC, &bb, sizeof bb, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(hb.type, ZX_OBJ_TYPE_PMT);
    CU_ASSERT_EQUAL(hb.related_koid, bb.koid);
    CU_ASSERT_EQUAL(hb.rights, ZX_DEFAULT_PMT_RIGHTS);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt2), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt3), ZX_OK);
    CU_ASSERT_EQUAL(sl_iommu_translate(P, rid, a[0], NULL, NULL), 0);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 0);
    /* unpinned, the address still leads to its (retired) pin; a new pin there takes over */
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid, a[1]), 0);
    zx_paddr_t n[4];
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 4 * PAGE, n, 4, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(n[0], a[0]); /* first fit reuses the freed addresses */
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid, a[1]), 3);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_find_pin(rid, a[1]), 3);
}
static void test_pin_addresses(void) { sim(NULL, pin_addresses_body); }

/* iommu.mode=bypass: device addresses are the physical ones. */
static void pin_bypass_body(void* arg) {
    zx_handle_t bti = get_bti(), vmo = new_vmo(3 * PAGE), pmt;
    zx_paddr_t a[3];
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 3 * PAGE, a, 3, &pmt), ZX_OK);
    for (unsigned i = 0; i < 3; ++i) CU_ASSERT_EQUAL(a[i], pa_of(vmo, i * PAGE));
    zx_info_bti_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_BTI, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.aspace_size, UINT64_MAX);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}
static void test_pin_bypass(void) {
    const char* cfg[] = {"iommu.mode=bypass", NULL};
    sim(cfg, pin_bypass_body);
}

/* iommu.invalidation_ns: a strict unpin issues one IOTLB invalidation per run and charges
 * it to the caller; a deferred unpin only queues, and the pin whose range overlaps the queue
 * pays for the flush. */
static void invalidation_cost_body(void* arg) {
    const int deferred = arg != NULL;
    zx_handle_t bti = get_bti(), vmo = new_vmo(4 * PAGE), pmt;
    zx_paddr_t a[4];
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 4 * PAGE, a, 4, &pmt), ZX_OK);
    uint64_t t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    /* syscall + 4 pages x shim.pin_page_ns (+ one command x 700 ns when strict) */
    uint64_t dt = sl_shim_now_ns() - t0;
    if (dt != 250 + 4 * 100 + (deferred ? 0 : 700)) fprintf(stderr, "unpin took %llu ns\n", (unsigned long long)dt);
    CU_ASSERT_EQUAL(dt, 250 + 4 * 100 + (deferred ? 0 : 700));
    /* The allocator hands the same device addresses out again: deferred, the queue is flushed
     * first (one command), strict, nothing is pending. */
    t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 4 * PAGE, a, 4, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 250 + 4 * 100 + (deferred ? 700 : 0));
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}
static void test_invalidation_cost_strict(void) {
    const char* cfg[] = {"iommu.invalidation_ns=700", NULL};
    sim(cfg, invalidation_cost_body);
}
static void test_invalidation_cost_deferred(void) {
    const char* cfg[] = {"iommu.invalidation_ns=700", "iommu.invalidation=deferred", NULL};
    sim_arg = (void*)1;
    sim(cfg, invalidation_cost_body);
    sim_arg = NULL;
}

/* The point of it all: the device reads DRAM, the CPU writes the cache. */
static void stale_body(void* arg) {
    zx_handle_t bti = get_bti(), vmo = new_vmo(PAGE), pmt;
    zx_paddr_t addr;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, vmo, 0, PAGE, &addr, 1, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    uint8_t pat[64], got[64];
    memset(pat, 0xa5, sizeof pat);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, pat, 0, 64), ZX_OK);
    /* no clean: the device reads what DRAM has, zeros */
    CU_ASSERT_EQUAL(dma(0, addr, got, 64), SL_RESP_OK);
    CU_ASSERT(all_bytes(got, 64, 0));
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_CLEAN, 0, PAGE, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(dma(0, addr, got, 64), SL_RESP_OK);
    CU_ASSERT_EQUAL(memcmp(got, pat, 64), 0);

    /* the device writes; a line the CPU already holds hides it until invalidated */
    uint8_t dev[64];
    memset(dev, 0x3c, sizeof dev);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, got, 128, 64), ZX_OK); /* caches the line (zeros) */
    CU_ASSERT_EQUAL(dma(1, addr + 128, dev, 64), SL_RESP_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, got, 128, 64), ZX_OK);
    CU_ASSERT(all_bytes(got, 64, 0)); /* stale */
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, PAGE, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, got, 128, 64), ZX_OK);
    CU_ASSERT(all_bytes(got, 64, 0x3c));
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}
static void test_stale_dma_and_cache_ops(void) { sim(NULL, stale_body); }

/* Device permissions: a READ-only pin refuses device writes (IOMMU fault recorded); an
 * unpinned range faults; bus mastering off refuses everything. */
static void perms_body(void* arg) {
    zx_handle_t bti = get_bti(), vmo = new_vmo(PAGE), pmt;
    zx_paddr_t addr;
    uint8_t buf[16] = {0};
    uint16_t rid = sl_pci_requester_id(SLOT);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &addr, 1, &pmt), ZX_OK);
    /* bus mastering is off until the driver enables it */
    CU_ASSERT_EQUAL(dma(0, addr, buf, 16), SL_RESP_GENERIC_ERROR);
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    CU_ASSERT(sl_pci_config_read(P, SLOT, 0x04, 2) & 0x4);
    CU_ASSERT_EQUAL(dma(0, addr, buf, 16), SL_RESP_OK);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(P), 0);
    CU_ASSERT_EQUAL(dma(1, addr, buf, 16), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL_FATAL(sl_iommu_fault_count(P), 1);
    sl_iommu_fault_t f;
    CU_ASSERT_EQUAL(sl_iommu_get_fault(P, 0, &f), 0);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_WRITE_DENIED);
    CU_ASSERT_EQUAL(f.device_addr, addr);
    CU_ASSERT_EQUAL(f.requester, rid);
    /* a physical address given to the device does not translate */
    CU_ASSERT_EQUAL(dma(0, pa_of(vmo, 0), buf, 16), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(sl_iommu_get_fault(P, 1, &f), 0);
    CU_ASSERT_EQUAL(f.reason, SL_IOMMU_FAULT_NOT_MAPPED);
    /* after unpin the device loses access */
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    CU_ASSERT_EQUAL(dma(0, addr, buf, 16), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(sl_iommu_fault_count(P), 3);
    sl_pin_info_t pi;
    CU_ASSERT_EQUAL(sl_shim_pin_info(0, &pi), 0);
    CU_ASSERT_EQUAL(pi.state, SL_PIN_UNPINNED);
    CU_ASSERT(pi.unpinned_ns >= pi.pinned_ns);
    /* zx_pmt_unpin consumes whatever handle it gets */
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_ERR_BAD_HANDLE);
    zx_handle_t v2 = dup(vmo, ZX_RIGHT_SAME_RIGHTS);
    CU_ASSERT_EQUAL(zx_pmt_unpin(v2), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_handle_close(v2), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, false), ZX_OK);
    CU_ASSERT_FALSE(sl_pci_config_read(P, SLOT, 0x04, 2) & 0x4);
}
static void test_device_permissions(void) { sim(NULL, perms_body); }

/* Closing a PMT handle without unpinning quarantines it: still mapped, counted, and new pins
 * fail until zx_bti_release_quarantine. */
static void quarantine_body(void* arg) {
    zx_handle_t bti = get_bti(), vmo = new_vmo(2 * PAGE), pmt, pmt2;
    zx_paddr_t a[2], b;
    uint8_t buf[8];
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, 2 * PAGE, a, 2, &pmt), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &b, 1, &pmt2), ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_close(pmt), ZX_OK);
    zx_info_bti_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_BTI, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.pmo_count, 2);
    CU_ASSERT_EQUAL(info.quarantine_count, 1);
    CU_ASSERT_EQUAL(dma(0, a[1], buf, 8), SL_RESP_OK); /* still mapped */
    zx_paddr_t c;
    zx_handle_t pmt3;
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &c, 1, &pmt3), ZX_ERR_BAD_STATE);
    sl_pin_info_t pi;
    CU_ASSERT_EQUAL(sl_shim_pin_info(0, &pi), 0);
    CU_ASSERT_EQUAL(pi.state, SL_PIN_QUARANTINED);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), 2);
    /* release needs WRITE on the BTI */
    zx_handle_t bti_ro = dup(bti, ZX_RIGHT_READ | ZX_RIGHT_MAP);
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(bti_ro), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(vmo), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_bti_release_quarantine(bti), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_BTI, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.pmo_count, 1);
    CU_ASSERT_EQUAL(info.quarantine_count, 0);
    CU_ASSERT_EQUAL(dma(0, a[1], buf, 8), SL_RESP_ADDRESS_ERROR);
    CU_ASSERT_EQUAL(sl_shim_pin_info(0, &pi), 0);
    CU_ASSERT_EQUAL(pi.state, SL_PIN_UNPINNED);
    CU_ASSERT_EQUAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, vmo, 0, PAGE, &c, 1, &pmt3), ZX_OK);
    /* ZX_INFO_BTI needs INSPECT */
    zx_handle_t bti_noinspect = dup(bti, ZX_RIGHT_MAP);
    CU_ASSERT_EQUAL(zx_object_get_info(bti_noinspect, ZX_INFO_BTI, &info, sizeof info, NULL, NULL), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt2), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt3), ZX_OK);
}
static void test_quarantine(void) { sim(NULL, quarantine_body); }

/* --------------------------------------------------------- interrupts ---- */

static uint64_t g_fire_at;
static int g_fire_kind; /* 0 MSI, 1 INTx up, 2 INTx down then up, 3 destroy, 4 close */
static zx_handle_t g_irq;

static void firer(void* arg) {
    sl_wait_ns(g_fire_at - sl_time_ns());
    if (g_fire_kind == 0) {
        uint32_t data = sl_pci_config_read(P, SLOT, 0x5c, 2);
        sl_scratch_dma(P, 1, MSI_ADDR, &data, 4); /* what the device does to signal */
    } else if (g_fire_kind == 1) {
        sl_pci_set_intx(P, SLOT, 1);
    } else if (g_fire_kind == 3) {
        CU_ASSERT_EQUAL(zx_interrupt_destroy(g_irq), ZX_OK);
    } else if (g_fire_kind == 4) {
        CU_ASSERT_EQUAL(zx_handle_close(g_irq), ZX_OK);
    }
}

static void fire(int kind, uint64_t at) {
    g_fire_kind = kind;
    g_fire_at = at;
    sl_platform_spawn(P, "firer", firer, NULL);
}

static void msi_body(void* arg) {
    uint32_t n = 0;
    CU_ASSERT_EQUAL(pci_query_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, &n), ZX_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, 1), ZX_OK);
    /* the MSI capability now says where and what to write, and is enabled; INTx is off */
    CU_ASSERT_EQUAL(sl_pci_config_read(P, SLOT, 0x54, 4), (uint32_t)MSI_ADDR);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, SLOT, 0x58, 4), 0);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, SLOT, 0x5c, 2), SL_PCI_MSI_VECTOR_BASE + SLOT);
    CU_ASSERT(sl_pci_config_read(P, SLOT, 0x52, 2) & 1);
    CU_ASSERT(sl_pci_config_read(P, SLOT, 0x04, 2) & (1u << 10));
    CU_ASSERT_EQUAL(pci_enable_bus_master(&PCI, true), ZX_OK); /* an MSI is a DMA write */
    CU_ASSERT_EQUAL_FATAL(pci_map_interrupt(&PCI, 0, &g_irq), ZX_OK);
    CU_ASSERT_EQUAL(rights_of(g_irq), ZX_DEFAULT_INTERRUPT_RIGHTS);
    sl_shim_sync();
    uint64_t t0 = sl_time_ns();
    fire(0, t0 + 5000);
    zx_time_t ts = 0;
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_OK);
    /* the host bridge raises the vector when the device's write arrives: one hop (100 ns)
     * after the device sent it; the timestamp is that arrival */
    CU_ASSERT_EQUAL((uint64_t)ts, t0 + 5100);
    CU_ASSERT_EQUAL(sl_time_ns(), t0 + 5100);
    /* an edge sent before the wait is kept, and stamped with its arrival, not with the wait */
    uint32_t data = SL_PCI_MSI_VECTOR_BASE + SLOT;
    sl_shim_sync();
    const uint64_t t1 = sl_time_ns();
    CU_ASSERT_EQUAL(dma(1, MSI_ADDR, &data, 4), SL_RESP_OK);
    sl_wait_ns(2000);
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_OK);
    CU_ASSERT_EQUAL((uint64_t)ts, t1 + 100);
    /* destroy cancels a waiter, and every later wait */
    fire(3, sl_time_ns() + 1000);
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_ERR_CANCELED);
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_ERR_CANCELED);
    CU_ASSERT_EQUAL(zx_handle_close(g_irq), ZX_OK);
}
static void test_interrupt_msi(void) { sim(NULL, msi_body); }

static void legacy_body(void* arg) {
    uint32_t n = 0;
    CU_ASSERT_EQUAL(pci_query_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_LEGACY, &n), ZX_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_LEGACY, 1), ZX_OK);
    CU_ASSERT_FALSE(sl_pci_config_read(P, SLOT, 0x52, 2) & 1);        /* MSI off */
    CU_ASSERT_FALSE(sl_pci_config_read(P, SLOT, 0x04, 2) & (1u << 10)); /* INTx on */
    CU_ASSERT_EQUAL_FATAL(pci_map_interrupt(&PCI, 0, &g_irq), ZX_OK);
    sl_shim_sync();
    uint64_t t0 = sl_time_ns();
    fire(1, t0 + 2000);
    zx_time_t ts = 0;
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_OK);
    CU_ASSERT_EQUAL((uint64_t)ts, t0 + 2000);
    /* level still high: the next wait re-arms and returns at once (the driver has not cleared
     * its device's interrupt) */
    uint64_t t1 = sl_time_ns();
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_OK);
    CU_ASSERT_EQUAL(sl_time_ns(), t1 + 250); /* just the call */
    /* once the line drops the wait blocks until it rises again */
    sl_pci_set_intx(P, SLOT, 0);
    fire(1, sl_time_ns() + 3000);
    t1 = sl_time_ns();
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_OK);
    CU_ASSERT_EQUAL(sl_time_ns(), t1 + 3000);
    sl_pci_set_intx(P, SLOT, 0);
    /* closing the last handle cancels the waiter */
    fire(4, sl_time_ns() + 1000);
    CU_ASSERT_EQUAL(zx_interrupt_wait(g_irq, &ts), ZX_ERR_CANCELED);
}
static void test_interrupt_legacy(void) { sim(NULL, legacy_body); }

/* The 2018 generation (docs/api-coverage.md): kpci proxy + kernel PCIe driver. */
static void irq_errors_body(void* arg) {
    uint32_t n = 7;
    zx_handle_t irq;
    CU_ASSERT_EQUAL(pci_query_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI_X, &n), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_query_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_DISABLED, &n), ZX_OK);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(pci_query_irq_mode(&PCI, 4, &n), ZX_ERR_INVALID_ARGS); /* unknown mode */
    CU_ASSERT_EQUAL(pci_query_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_map_interrupt(&PCI, 0, &irq), ZX_ERR_INVALID_ARGS); /* no vectors yet */
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, 4, 1), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI_X, 1), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, 2), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_LEGACY, 2), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_DISABLED, 1), ZX_OK); /* count ignored */
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, 1), ZX_OK);
    CU_ASSERT_EQUAL(pci_map_interrupt(&PCI, 1, &irq), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_map_interrupt(&PCI, -1, &irq), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_map_interrupt(&PCI, 0, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL_FATAL(pci_map_interrupt(&PCI, 0, &irq), ZX_OK);
    CU_ASSERT_EQUAL(rights_of(irq), ZX_DEFAULT_PCI_INTERRUPT_RIGHTS);
    zx_handle_t vmo = new_vmo(PAGE);
    zx_time_t ts;
    CU_ASSERT_EQUAL(zx_interrupt_wait(vmo, &ts), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq ^ BAD_BIT, &ts), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_interrupt_wait(dup(irq, ZX_RIGHT_READ), &ts), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_interrupt_ack(dup(irq, ZX_RIGHT_READ)), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_interrupt_ack(irq), ZX_ERR_BAD_STATE); /* not bound to a port */
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 1), ZX_ERR_BAD_STATE); /* not virtual */
    CU_ASSERT_EQUAL(zx_interrupt_destroy(vmo), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_interrupt_destroy(dup(irq, ZX_RIGHT_NONE)), ZX_OK); /* no right needed */
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, &ts), ZX_ERR_CANCELED);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_LEGACY, 1), ZX_OK);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_DISABLED, 0), ZX_OK);
    CU_ASSERT(sl_pci_config_read(P, SLOT, 0x04, 2) & (1u << 10)); /* INTx disabled */
    CU_ASSERT_EQUAL(pci_map_interrupt(&PCI, 0, &irq), ZX_ERR_INVALID_ARGS); /* 0 vectors now */
    /* a failed mode change leaves interrupts disabled but keeps the vector count */
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI, 1), ZX_OK);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&PCI, ZX_PCIE_IRQ_MODE_MSI_X, 1), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_FALSE(sl_pci_config_read(P, SLOT, 0x52, 2) & 1); /* MSI off */
    CU_ASSERT_EQUAL(pci_map_interrupt(&PCI, 0, &irq), ZX_ERR_BAD_STATE);
}
static void test_interrupt_errors(void) { sim(NULL, irq_errors_body); }

/* ----------------------------------------------------------- PCI and MMIO ---- */

/* readl/writel on a mapped BAR reach the ScratchDevice's registers and cost PCIe round trips:
 * a posted write one hop + 4 ns in the device, a read two hops + 4 ns. */
static void mmio_body(void* arg) {
    void* regs = NULL;
    size_t size = 0;
    zx_handle_t bar;
    CU_ASSERT_EQUAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, NULL, &size, &bar), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_map_bar(&PCI, 6, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &size, &bar), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_map_bar(&PCI, 1, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &size, &bar), ZX_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(pci_map_bar(&PCI, 0, 7, &regs, &size, &bar), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_FALSE(sl_pci_config_read(P, SLOT, 0x04, 2) & 0x2); /* memory decoding still off */
    CU_ASSERT_EQUAL_FATAL(pci_map_bar(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &regs, &size, &bar), ZX_OK);
    CU_ASSERT_EQUAL(size, 4096);
    CU_ASSERT(sl_pci_config_read(P, SLOT, 0x04, 2) & 0x2); /* the bus driver turned it on */
    sl_shim_sync();
    uint64_t t0 = sl_shim_now_ns();
    writel(0xdeadbeef, (uint8_t*)regs + 0x10);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 100 + 4);
    t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(readl((uint8_t*)regs + 0x10), 0xdeadbeef);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 200 + 4);
    CU_ASSERT_EQUAL(readl((uint8_t*)regs + 0x0c), 0);
    writew(0x1234, (uint8_t*)regs + 0x20);
    writeb(0x56, (uint8_t*)regs + 0x22);
    CU_ASSERT_EQUAL(readl((uint8_t*)regs + 0x20), 0x00561234);
    writell(0x0102030405060708ULL, (uint8_t*)regs + 0x28);
    CU_ASSERT_EQUAL(readll((uint8_t*)regs + 0x28), 0x0102030405060708ULL);
    CU_ASSERT_EQUAL(readw((uint8_t*)regs + 0x2a), 0x0506);
    CU_ASSERT_EQUAL(readb((uint8_t*)regs + 0x2f), 0x01);
    set_bitsl(0x80000000u, (uint8_t*)regs + 0x10);
    CU_ASSERT_EQUAL(readl((uint8_t*)regs + 0x10), 0xdeadbeef);
    clr_bitsl(0xff, (uint8_t*)regs + 0x10);
    CU_ASSERT_EQUAL(readl((uint8_t*)regs + 0x10), 0xdeadbe00);
    sl_shim_stats_t st;
    sl_shim_get_stats(&st);
    CU_ASSERT_EQUAL(st.mmio_writes, 6);
    CU_ASSERT_EQUAL(st.mmio_reads, 10);
    CU_ASSERT_EQUAL(st.mmio_errors, 0);
    /* the BAR's VMO: a physical VMO that cannot be read as memory */
    zx_info_vmo_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(bar, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(ZX_INFO_VMO_TYPE(info.flags), ZX_INFO_VMO_TYPE_PHYSICAL);
    CU_ASSERT_EQUAL(info.cache_policy, ZX_CACHE_POLICY_UNCACHED_DEVICE);
    CU_ASSERT_EQUAL(info.size_bytes, 4096);
    uint32_t v;
    CU_ASSERT_EQUAL(zx_vmo_read(bar, &v, 0, 4), ZX_ERR_NOT_SUPPORTED);
    /* memory decoding off: reads return all ones, writes vanish, both are counted */
    uint32_t cmd = sl_pci_config_read(P, SLOT, 0x04, 2);
    sl_pci_config_write(P, SLOT, 0x04, 2, cmd & ~0x2u);
    sl_shim_set_log(fopen("/dev/null", "w"));
    CU_ASSERT_EQUAL(readl((uint8_t*)regs + 0x10), 0xffffffffu);
    writel(1, (uint8_t*)regs + 0x10);
    sl_shim_get_stats(&st);
    CU_ASSERT_EQUAL(st.mmio_errors, 2);
    sl_pci_config_write(P, SLOT, 0x04, 2, cmd);
    CU_ASSERT_EQUAL(readl((uint8_t*)regs + 0x10), 0xdeadbe00);
    /* mmio_buffer over the same BAR */
    mmio_buffer_t mb;
    CU_ASSERT_EQUAL_FATAL(pci_map_bar_buffer(&PCI, 0, ZX_CACHE_POLICY_UNCACHED_DEVICE, &mb), ZX_OK);
    CU_ASSERT_EQUAL(mb.size, 4096);
    CU_ASSERT_EQUAL(readl((uint8_t*)mb.vaddr + 0x10), 0xdeadbe00);
    mmio_buffer_release(&mb);
    CU_ASSERT_PTR_NULL(mb.vaddr);
    CU_ASSERT_EQUAL(mmio_buffer_init(NULL, 0, 4096, new_vmo(PAGE), 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(mmio_buffer_init(&mb, 0, 8192, new_vmo(PAGE), 0), ZX_ERR_OUT_OF_RANGE);
}
static void test_mmio(void) { sim(NULL, mmio_body); }

/* Touching memory of a destroyed VMO from (uninstrumented) test code faults; the shim's
 * handler stops the run with a message naming the rule and the line, instead of a crash. */
static void dead_vmo_body(void* arg) {
    zx_handle_t h = new_vmo(PAGE);
    zx_vaddr_t va = 0;
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, h, 0, PAGE, &va),
                          ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_unmap(zx_vmar_root_self(), va, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_close(h), ZX_OK); /* the VMO and its buffers are gone */
    *(volatile uint32_t*)(va + 0x40) = 1;
    CU_FAIL("store went through");
}
static void test_dead_vmo_access_faults(void) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, (unsigned)sl_pci_scratch_slot(P)));
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", dead_vmo_body, NULL), 0);
    CU_ASSERT_NOT_EQUAL(sl_platform_run(P, 0), 0);
    const char* err = sl_error();
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "destroyed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "test_zx_api.c:"));
    sl_platform_destroy(P);
}

static void pci_protocol_body(void* arg) {
    zx_pcie_device_info_t info;
    CU_ASSERT_EQUAL(pci_get_device_info(&PCI, &info), ZX_OK);
    CU_ASSERT_EQUAL(info.vendor_id, 0x1b36);
    CU_ASSERT_EQUAL(info.device_id, 0x5c00);
    CU_ASSERT_EQUAL(info.base_class, 0x08);
    CU_ASSERT_EQUAL(info.sub_class, 0x80);
    CU_ASSERT_EQUAL(info.dev_id, SLOT);
    /* config space: timed (two hops per access through ECAM) */
    uint32_t v = 0;
    uint64_t t0 = sl_shim_now_ns();
    CU_ASSERT_EQUAL(pci_config_read(&PCI, PCI_CFG_VENDOR_ID, 2, &v), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_now_ns() - t0, 250 + 200);
    CU_ASSERT_EQUAL(v, 0x1b36);
    static const struct {
        uint16_t off;
        size_t width;
        int null_out;
        zx_status_t want;
    } rows[] = {
        {0, 3, 0, ZX_ERR_INVALID_ARGS}, {0, 8, 0, ZX_ERR_INVALID_ARGS},     {1, 2, 0, ZX_ERR_INVALID_ARGS},
        {2, 4, 0, ZX_ERR_INVALID_ARGS}, {0, 4, 1, ZX_ERR_INVALID_ARGS},     {4096, 1, 0, ZX_ERR_OUT_OF_RANGE},
        {4092, 4, 0, ZX_OK},            {0x3d, 1, 0, ZX_OK},
    };
    for (size_t i = 0; i < SL_COUNT(rows); ++i)
        CU_ASSERT_EQUAL(pci_config_read(&PCI, rows[i].off, rows[i].width, rows[i].null_out ? NULL : &v), rows[i].want);
    CU_ASSERT_EQUAL(pci_config_read(&PCI, 0x3d, 1, &v), ZX_OK);
    CU_ASSERT_EQUAL(v, 1); /* INTA */
    CU_ASSERT_EQUAL(pci_config_write(&PCI, 0, 3, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_config_write(&PCI, 4096, 1, 0), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(pci_config_write(&PCI, 0x3c, 1, 0x33), ZX_OK);
    CU_ASSERT_EQUAL(sl_pci_config_read(P, SLOT, 0x3c, 1), 0x33);
    uint8_t b;
    CU_ASSERT_EQUAL(pci_config_read8(&PCI, 0x3c, &b), ZX_OK);
    CU_ASSERT_EQUAL(b, 0x33);
    /* capabilities: the MSI capability at 0x50, nothing after it */
    CU_ASSERT_EQUAL(pci_get_first_capability(&PCI, PCI_CAP_ID_MSI), 0x50);
    CU_ASSERT_EQUAL(pci_get_next_capability(&PCI, PCI_CAP_ID_MSI, 0x50), 0);
    CU_ASSERT_EQUAL(pci_get_first_capability(&PCI, PCI_CAP_ID_MSIX), 0);
    /* BARs */
    zx_pci_bar_t bar;
    CU_ASSERT_EQUAL(pci_get_bar(&PCI, 0, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_get_bar(&PCI, 6, &bar), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_get_bar(&PCI, 2, &bar), ZX_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(pci_get_bar(&PCI, 0, &bar), ZX_OK);
    CU_ASSERT_EQUAL(bar.type, ZX_PCI_BAR_TYPE_MMIO);
    CU_ASSERT_EQUAL(bar.size, 4096);
    uint64_t size;
    CU_ASSERT_EQUAL(zx_vmo_get_size(bar.handle, &size), ZX_OK);
    CU_ASSERT_EQUAL(size, 4096);
    /* BTI */
    zx_handle_t bti, bti2;
    CU_ASSERT_EQUAL(pci_get_bti(&PCI, 1, &bti), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(pci_get_bti(&PCI, 0, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(pci_get_bti(&PCI, 0, &bti), ZX_OK);
    CU_ASSERT_EQUAL(pci_get_bti(&PCI, 0, &bti2), ZX_OK);
    zx_info_handle_basic_t a, c;
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_HANDLE_BASIC, &a, sizeof a, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(bti2, ZX_INFO_HANDLE_BASIC, &c, sizeof c, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(a.koid, c.koid); /* one BTI per function */
    CU_ASSERT_EQUAL(a.type, ZX_OBJ_TYPE_BTI);
    CU_ASSERT_EQUAL(a.rights, ZX_DEFAULT_BTI_RIGHTS);
    CU_ASSERT_EQUAL(pci_reset_device(&PCI), ZX_ERR_NOT_SUPPORTED);
    size_t actual;
    CU_ASSERT_EQUAL(pci_get_auxdata(&PCI, "x", NULL, 0, &actual), ZX_ERR_NOT_SUPPORTED);
    /* the parent device */
    char name[32];
    snprintf(name, sizeof name, "pci-00:%02x.0", SLOT);
    CU_ASSERT_STRING_EQUAL(device_get_name(PARENT), name);
    CU_ASSERT_PTR_NULL(device_get_parent(PARENT));
    pci_protocol_t other;
    CU_ASSERT_EQUAL(device_get_protocol(PARENT, ZX_PROTOCOL_MISC, &other), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(device_get_protocol(NULL, ZX_PROTOCOL_PCI, &other), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(device_get_protocol(PARENT, ZX_PROTOCOL_PCI, NULL), ZX_ERR_INVALID_ARGS);
}
static void test_pci_protocol(void) { sim(NULL, pci_protocol_body); }

/* ---------------------------------------------------------------- time ---- */

static void time_body(void* arg) {
    uint64_t t0 = sl_shim_now_ns();
    zx_time_t now = zx_clock_get_monotonic();
    CU_ASSERT_EQUAL((uint64_t)now, t0 + 250); /* reading the clock costs a call */
    zx_time_t d = zx_deadline_after(ZX_USEC(3));
    CU_ASSERT_EQUAL((uint64_t)d, t0 + 500 + 3000);
    CU_ASSERT_EQUAL(zx_deadline_after(ZX_TIME_INFINITE), ZX_TIME_INFINITE);
    CU_ASSERT_EQUAL(zx_nanosleep(d), ZX_OK);
    CU_ASSERT_EQUAL(sl_shim_now_ns(), (uint64_t)d);
    CU_ASSERT_EQUAL(sl_time_ns(), (uint64_t)d); /* the sleep synchronised */
    CU_ASSERT_EQUAL(zx_nanosleep(0), ZX_OK);     /* in the past: returns at once */
    CU_ASSERT_EQUAL(sl_shim_now_ns(), (uint64_t)d + 250);
    /* cheap calls run ahead of the kernel up to the next quantum boundary (sim.quantum_ns
     * 1000: boundaries at multiples of 1000 ns) */
    uint64_t k0 = (sl_shim_now_ns() / 1000 + 2) * 1000;
    CU_ASSERT_EQUAL(zx_nanosleep((zx_time_t)k0), ZX_OK);
    CU_ASSERT_EQUAL(sl_time_ns(), k0);
    zx_clock_get_monotonic();
    zx_clock_get_monotonic();
    CU_ASSERT_EQUAL(sl_time_ns(), k0);           /* 500 ns ahead, not synchronised */
    CU_ASSERT_EQUAL(sl_shim_now_ns(), k0 + 500);
    zx_clock_get_monotonic();
    zx_clock_get_monotonic();                     /* 1000: the quantum is used up */
    CU_ASSERT_EQUAL(sl_time_ns(), k0 + 1000);
}
static void test_time(void) { sim(NULL, time_body); }

/* ---------------------------------------------------- devices in-process ---- */

static int g_released;
static void child_release(void* ctx) { g_released = *(int*)ctx; }
static zx_status_t child_get_protocol(void* ctx, uint32_t id, void* out) {
    if (id != 0x70545354) return ZX_ERR_NOT_SUPPORTED;
    memcpy(out, &ctx, sizeof ctx);
    return ZX_OK;
}

static void device_body(void* arg) {
    static int cookie = 42;
    static zx_protocol_device_t ops = {.version = DEVICE_OPS_VERSION, .release = child_release};
    static zx_protocol_device_t ops_hook = {.version = DEVICE_OPS_VERSION, .get_protocol = child_get_protocol};
    static zx_protocol_device_t bad_ops = {.version = 1};
    static int proto_ops;
    device_add_args_t args = {
        .version = DEVICE_ADD_ARGS_VERSION, .name = "child", .ctx = &cookie, .ops = &ops,
        .proto_id = 0x70545354, .proto_ops = &proto_ops,
    };
    zx_device_t* dev = NULL;
    device_add_args_t bad = args;
    bad.version = 1;
    CU_ASSERT_EQUAL(device_add_from_driver(NULL, PARENT, &bad, &dev), ZX_ERR_INVALID_ARGS);
    bad = args;
    bad.ops = &bad_ops;
    CU_ASSERT_EQUAL(device_add_from_driver(NULL, PARENT, &bad, &dev), ZX_ERR_INVALID_ARGS);
    bad = args;
    bad.name = "a-name-that-is-longer-than-31-characters";
    CU_ASSERT_EQUAL(device_add_from_driver(NULL, PARENT, &bad, &dev), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(device_add_from_driver(NULL, PARENT, NULL, &dev), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(device_add_from_driver(NULL, PARENT, &args, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL_FATAL(device_add_from_driver(NULL, PARENT, &args, &dev), ZX_OK);
    CU_ASSERT_STRING_EQUAL(device_get_name(dev), "child");
    CU_ASSERT_PTR_EQUAL(device_get_parent(dev), PARENT);
    CU_ASSERT_PTR_EQUAL(sl_device_find("child"), dev);
    struct {
        void* ops;
        void* ctx;
    } proto;
    CU_ASSERT_EQUAL(device_get_protocol(dev, 0x70545354, &proto), ZX_OK);
    CU_ASSERT_PTR_EQUAL(proto.ops, &proto_ops);
    CU_ASSERT_PTR_EQUAL(proto.ctx, &cookie);
    uint32_t id;
    void *pops, *ctx;
    bool removed;
    CU_ASSERT_EQUAL(sl_device_info(dev, &id, &pops, &ctx, &removed), ZX_OK);
    CU_ASSERT_EQUAL(id, 0x70545354);
    CU_ASSERT_FALSE(removed);
    /* a get_protocol hook takes precedence */
    device_add_args_t hooked = args;
    hooked.name = "hooked";
    hooked.ops = &ops_hook;
    zx_device_t* dev2;
    CU_ASSERT_EQUAL_FATAL(device_add_from_driver(NULL, dev, &hooked, &dev2), ZX_OK);
    void* got = NULL;
    CU_ASSERT_EQUAL(device_get_protocol(dev2, 0x70545354, &got), ZX_OK);
    CU_ASSERT_PTR_EQUAL(got, &cookie);
    CU_ASSERT_EQUAL(device_get_protocol(dev2, ZX_PROTOCOL_PCI, &got), ZX_ERR_NOT_SUPPORTED);
    /* removal: the subtree goes, release hooks run later on their own thread */
    CU_ASSERT_EQUAL(device_remove(dev), ZX_OK);
    CU_ASSERT_EQUAL(g_released, 0);
    CU_ASSERT_EQUAL(device_remove(dev), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(device_add_from_driver(NULL, dev, &hooked, &dev2), ZX_ERR_BAD_STATE);
    CU_ASSERT_PTR_NULL(sl_device_find("child"));
    CU_ASSERT_PTR_NULL(sl_device_find("hooked"));
    sl_wait_ns(10);
    CU_ASSERT_EQUAL(g_released, 42);
    CU_ASSERT_EQUAL(device_rebind(PARENT), ZX_ERR_NOT_SUPPORTED);
}
static void test_devices(void) { sim(NULL, device_body); }

/* Without an attached runtime the calls answer ZX_ERR_BAD_STATE instead of crashing. */
static void test_no_runtime(void) {
    zx_handle_t h;
    CU_ASSERT_FALSE(sl_shim_attached());
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 0, &h), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_vmar_root_self(), ZX_HANDLE_INVALID);
    CU_ASSERT_EQUAL(zx_bti_pin(1, 0, 1, 0, PAGE, NULL, 0, NULL), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_interrupt_wait(1, NULL), ZX_ERR_BAD_STATE);
    CU_ASSERT_PTR_NULL(sl_shim_attach(NULL, 0));
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "null platform"));
    sl_config_t* c = sl_config_new();
    sl_config_set(c, "pci.dma_engine", "false"); /* the DMA engine would take slot 0 */
    sl_platform_t* p = sl_platform_create(c); /* no scratch device: slot 0 is empty */
    sl_config_free(c);
    CU_ASSERT_PTR_NULL(sl_shim_attach(p, 0));
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "slot 0 is empty"));
    CU_ASSERT_TRUE(sl_shim_attached());
    sl_platform_destroy(p);
    CU_ASSERT_FALSE(sl_shim_attached());
}

static const sl_test_t tests[] = {
    SL_TEST(test_vmo_create),
    SL_TEST(test_vmo_create_contiguous),
    SL_TEST(test_vmo_read_write),
    SL_TEST(test_vmo_read_write_small_cache),
    SL_TEST(test_vmo_cache_policy),
    SL_TEST(test_vmo_op_range),
    SL_TEST(test_invalidate_disabled),
    SL_TEST(test_vmar_map_unmap),
    SL_TEST(test_cache_flush),
    SL_TEST(test_pin_errors),
    SL_TEST(test_pin_addresses),
    SL_TEST(test_pin_bypass),
    SL_TEST(test_invalidation_cost_strict),
    SL_TEST(test_invalidation_cost_deferred),
    SL_TEST(test_stale_dma_and_cache_ops),
    SL_TEST(test_device_permissions),
    SL_TEST(test_quarantine),
    SL_TEST(test_interrupt_msi),
    SL_TEST(test_interrupt_legacy),
    SL_TEST(test_interrupt_errors),
    SL_TEST(test_mmio),
    SL_TEST(test_dead_vmo_access_faults),
    SL_TEST(test_pci_protocol),
    SL_TEST(test_time),
    SL_TEST(test_devices),
    SL_TEST(test_no_runtime),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "zx-api", tests, SL_COUNT(tests));
}
