/* The model-independent core of the Zircon shim: handle values, lookups, duplicate/close,
 * zx_object_get_info, zx_status_get_string, and the argument checks of zx_bti_pin,
 * zx_vmo_op_range and zx_cache_flush. Expected codes follow Fuchsia's documentation and
 * kernel (see driver/include/zircon/syscalls.h); values are computed by hand. */
#include "sl_test.h"

/* Table rows override fields of a common base initializer (PIN_BASE; later designators win)
 * and failure rows leave the success-only columns out (zero). */
#pragma GCC diagnostic ignored "-Woverride-init"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/protocol/pci-lib.h>
#include <ddk/protocol/pci.h>
#include <hw/reg.h>
#include <staleline/zx_core.h>
#include <zircon/syscalls.h>

#include <stdio.h>
#include <string.h>

#define PAGE 4096u
#define KiB(n) ((uint64_t)(n) * 1024u)

static void fresh_table(uint32_t mixer, size_t capacity) { sl_zx_reset_handles(mixer, capacity); }

static zx_handle_t make(zx_obj_type_t type, zx_rights_t rights) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(sl_zx_test_object_create(type, rights, &h), ZX_OK);
    return h;
}

static zx_rights_t rights_of(zx_handle_t h) {
    zx_info_handle_basic_t info;
    memset(&info, 0xa5, sizeof(info));
    CU_ASSERT_EQUAL(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
    return info.rights;
}

/* ---- header values (Fuchsia's) ---- */

static void test_header_values(void) {
    static const struct { const char* name; long long value, expected; } rows[] = {
        {"ZX_BTI_PERM_READ", ZX_BTI_PERM_READ, 1 << 0},
        {"ZX_BTI_PERM_WRITE", ZX_BTI_PERM_WRITE, 1 << 1},
        {"ZX_BTI_PERM_EXECUTE", ZX_BTI_PERM_EXECUTE, 1 << 2},
        {"ZX_BTI_COMPRESS", ZX_BTI_COMPRESS, 1 << 3},
        {"ZX_BTI_CONTIGUOUS", ZX_BTI_CONTIGUOUS, 1 << 4},
        {"ZX_VMO_OP_CACHE_SYNC", ZX_VMO_OP_CACHE_SYNC, 6},
        {"ZX_VMO_OP_CACHE_INVALIDATE", ZX_VMO_OP_CACHE_INVALIDATE, 7},
        {"ZX_VMO_OP_CACHE_CLEAN", ZX_VMO_OP_CACHE_CLEAN, 8},
        {"ZX_VMO_OP_CACHE_CLEAN_INVALIDATE", ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 9},
        {"ZX_CACHE_FLUSH_INSN", ZX_CACHE_FLUSH_INSN, 1 << 0},
        {"ZX_CACHE_FLUSH_DATA", ZX_CACHE_FLUSH_DATA, 1 << 1},
        {"ZX_CACHE_FLUSH_INVALIDATE", ZX_CACHE_FLUSH_INVALIDATE, 1 << 2},
        {"ZX_CACHE_POLICY_CACHED", ZX_CACHE_POLICY_CACHED, 0},
        {"ZX_CACHE_POLICY_UNCACHED", ZX_CACHE_POLICY_UNCACHED, 1},
        {"ZX_CACHE_POLICY_UNCACHED_DEVICE", ZX_CACHE_POLICY_UNCACHED_DEVICE, 2},
        {"ZX_CACHE_POLICY_WRITE_COMBINING", ZX_CACHE_POLICY_WRITE_COMBINING, 3},
        {"ZX_ERR_INVALID_ARGS", ZX_ERR_INVALID_ARGS, -10},
        {"ZX_ERR_BAD_HANDLE", ZX_ERR_BAD_HANDLE, -11},
        {"ZX_ERR_WRONG_TYPE", ZX_ERR_WRONG_TYPE, -12},
        {"ZX_ERR_OUT_OF_RANGE", ZX_ERR_OUT_OF_RANGE, -14},
        {"ZX_ERR_CANCELED", ZX_ERR_CANCELED, -23},
        {"ZX_ERR_ACCESS_DENIED", ZX_ERR_ACCESS_DENIED, -30},
        {"ZX_PCIE_IRQ_MODE_LEGACY", ZX_PCIE_IRQ_MODE_LEGACY, 1},
        {"ZX_PCIE_IRQ_MODE_MSI", ZX_PCIE_IRQ_MODE_MSI, 2},
        {"ZX_PCIE_IRQ_MODE_MSI_X", ZX_PCIE_IRQ_MODE_MSI_X, 3},
        {"ZX_RIGHT_MAP", ZX_RIGHT_MAP, 1 << 5},
        {"ZX_RIGHT_INSPECT", ZX_RIGHT_INSPECT, 1 << 15},
        {"ZX_OBJ_TYPE_VMO", ZX_OBJ_TYPE_VMO, 3},
        {"ZX_OBJ_TYPE_INTERRUPT", ZX_OBJ_TYPE_INTERRUPT, 9},
        {"ZX_OBJ_TYPE_BTI", ZX_OBJ_TYPE_BTI, 24},
        {"ZX_OBJ_TYPE_PMT", ZX_OBJ_TYPE_PMT, 26},
        {"ZX_INFO_BTI", ZX_INFO_BTI, 20},
        {"ZX_PAGE_SIZE", ZX_PAGE_SIZE, 4096},
        {"ZX_PROTOCOL_PCI", ZX_PROTOCOL_PCI, 0x70504349}, /* 'pPCI' */
    };
    for (size_t i = 0; i < SL_COUNT(rows); i++) {
        if (rows[i].value != rows[i].expected) {
            printf("  %s = %lld, expected %lld\n", rows[i].name, rows[i].value, rows[i].expected);
        }
        CU_ASSERT_EQUAL(rows[i].value, rows[i].expected);
    }
    CU_ASSERT_EQUAL(ZX_TIME_INFINITE, INT64_MAX);
    CU_ASSERT_EQUAL(sizeof(zx_info_bti_t), 4 * sizeof(uint64_t));
}

static void test_status_strings(void) {
    static const struct { zx_status_t status; const char* name; } rows[] = {
        {ZX_OK, "ZX_OK"},
        {ZX_ERR_INTERNAL, "ZX_ERR_INTERNAL"},
        {ZX_ERR_NOT_SUPPORTED, "ZX_ERR_NOT_SUPPORTED"},
        {ZX_ERR_NO_MEMORY, "ZX_ERR_NO_MEMORY"},
        {ZX_ERR_INVALID_ARGS, "ZX_ERR_INVALID_ARGS"},
        {ZX_ERR_BAD_HANDLE, "ZX_ERR_BAD_HANDLE"},
        {ZX_ERR_WRONG_TYPE, "ZX_ERR_WRONG_TYPE"},
        {ZX_ERR_OUT_OF_RANGE, "ZX_ERR_OUT_OF_RANGE"},
        {ZX_ERR_BUFFER_TOO_SMALL, "ZX_ERR_BUFFER_TOO_SMALL"},
        {ZX_ERR_BAD_STATE, "ZX_ERR_BAD_STATE"},
        {ZX_ERR_TIMED_OUT, "ZX_ERR_TIMED_OUT"},
        {ZX_ERR_CANCELED, "ZX_ERR_CANCELED"},
        {ZX_ERR_NOT_FOUND, "ZX_ERR_NOT_FOUND"},
        {ZX_ERR_UNAVAILABLE, "ZX_ERR_UNAVAILABLE"},
        {ZX_ERR_ACCESS_DENIED, "ZX_ERR_ACCESS_DENIED"},
        {ZX_ERR_IO, "ZX_ERR_IO"},
        {ZX_ERR_CONNECTION_ABORTED, "ZX_ERR_CONNECTION_ABORTED"},
        {ZX_ERR_INTERNAL_INTR_KILLED, "ZX_ERR_INTERNAL_INTR_KILLED"},
        {-5, "(UNKNOWN)"},  /* retired ZX_ERR_CALL_FAILED */
        {1, "(UNKNOWN)"},
        {-1000, "(UNKNOWN)"},
    };
    for (size_t i = 0; i < SL_COUNT(rows); i++) {
        CU_ASSERT_STRING_EQUAL(zx_status_get_string(rows[i].status), rows[i].name);
    }
}

/* ---- handle values ---- */

/* value = ((index | generation << 18) << 2 | 3) ^ mixer; the first use of a slot is
 * generation 1, so slot i's first handle is 0x100003 + 4 * i with mixer 0. */
static void test_handle_values(void) {
    fresh_table(0, 256 * 1024);
    zx_handle_t a = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    zx_handle_t b = make(ZX_OBJ_TYPE_BTI, ZX_DEFAULT_BTI_RIGHTS);
    zx_handle_t c = make(ZX_OBJ_TYPE_PMT, ZX_DEFAULT_PMT_RIGHTS);
    CU_ASSERT_EQUAL(a, 0x00100003u);
    CU_ASSERT_EQUAL(b, 0x00100007u);
    CU_ASSERT_EQUAL(c, 0x0010000bu);
    CU_ASSERT_EQUAL(sl_zx_handle_table_size(), 3);

    fresh_table(0x12345678, 256 * 1024);
    zx_handle_t m = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    CU_ASSERT_EQUAL(m, 0x00100003u ^ 0x12345678u); /* 0x1224567b */
    CU_ASSERT_EQUAL(m & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);

    /* The mixer's low bits never reach the value: 0x12345679 behaves like 0x12345678. */
    fresh_table(0x12345679, 256 * 1024);
    CU_ASSERT_EQUAL(make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS), 0x1224567bu);
}

/* A freed slot waits until 64 freed slots queue up; then it comes back one generation up. */
static void test_handle_not_reused_soon(void) {
    fresh_table(0, 256 * 1024);
    for (uint32_t i = 0; i < 64; i++) {
        zx_handle_t h = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
        CU_ASSERT_EQUAL(h, 0x00100003u + 4u * i);
        CU_ASSERT_EQUAL(zx_handle_close(h), ZX_OK);
    }
    zx_handle_t again = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    CU_ASSERT_EQUAL(again, 0x00200003u); /* slot 0, generation 2 */
    CU_ASSERT_EQUAL(zx_handle_close(0x00100003u), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(sl_zx_handle_check(again, ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ), ZX_OK);
}

/* A full table reuses a freed slot at once, still with a new value, and refuses beyond capacity. */
static void test_handle_capacity(void) {
    fresh_table(0, 2);
    zx_handle_t a = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    zx_handle_t b = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    zx_handle_t c = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL(sl_zx_test_object_create(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS, &c), ZX_ERR_NO_MEMORY);
    CU_ASSERT_EQUAL(zx_handle_duplicate(b, ZX_RIGHT_SAME_RIGHTS, &c), ZX_ERR_NO_MEMORY);
    CU_ASSERT_EQUAL(c, ZX_HANDLE_INVALID);
    CU_ASSERT_EQUAL(zx_handle_close(a), ZX_OK);
    zx_handle_t d = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    CU_ASSERT_EQUAL(d, 0x00200003u);
    CU_ASSERT_NOT_EQUAL(d, a);
    CU_ASSERT_EQUAL(sl_zx_handle_check(a, ZX_OBJ_TYPE_NONE, 0), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(sl_zx_handle_check(d, ZX_OBJ_TYPE_NONE, 0), ZX_OK);
}

static void test_handle_close(void) {
    fresh_table(0, 256 * 1024);
    zx_handle_t h = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    static const struct { const char* what; int which; zx_status_t expected; } rows[] = {
        {"ZX_HANDLE_INVALID is like free(NULL)", 0, ZX_OK},
        {"a live handle", 1, ZX_OK},
        {"the same handle again", 1, ZX_ERR_BAD_HANDLE},
        {"low bits clear", 2, ZX_ERR_BAD_HANDLE},
        {"a slot never used", 3, ZX_ERR_BAD_HANDLE},
        {"all ones", 4, ZX_ERR_BAD_HANDLE},
    };
    const zx_handle_t values[] = {ZX_HANDLE_INVALID, h, h & ~3u, 0x00100003u + 4u * 77, 0xffffffffu};
    for (size_t i = 0; i < SL_COUNT(rows); i++) {
        zx_status_t st = zx_handle_close(values[rows[i].which]);
        if (st != rows[i].expected) printf("  close %s: %d\n", rows[i].what, st);
        CU_ASSERT_EQUAL(st, rows[i].expected);
    }
    CU_ASSERT_EQUAL(sl_zx_handle_table_size(), 0);
}

/* Lookup order: BAD_HANDLE, then WRONG_TYPE, then ACCESS_DENIED. */
static void test_handle_lookup(void) {
    fresh_table(0, 256 * 1024);
    const zx_handle_t vmo = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    const zx_handle_t bti = make(ZX_OBJ_TYPE_BTI, ZX_DEFAULT_BTI_RIGHTS);
    const zx_handle_t pmt = make(ZX_OBJ_TYPE_PMT, ZX_DEFAULT_PMT_RIGHTS);
    const zx_handle_t stale = 0x00200003u;  /* slot 0, a generation not issued yet */
    const zx_handle_t unused = 0x00100003u + 4u * 50;
    static const struct { int h; zx_obj_type_t type; zx_rights_t rights; zx_status_t expected; } rows[] = {
        {0, ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_MAP, ZX_OK},
        {0, ZX_OBJ_TYPE_NONE, ZX_RIGHT_NONE, ZX_OK},
        {0, ZX_OBJ_TYPE_BTI, ZX_RIGHT_NONE, ZX_ERR_WRONG_TYPE},
        {0, ZX_OBJ_TYPE_VMO, ZX_RIGHT_EXECUTE, ZX_ERR_ACCESS_DENIED},
        {0, ZX_OBJ_TYPE_BTI, ZX_RIGHT_EXECUTE, ZX_ERR_WRONG_TYPE},      /* type before right */
        {1, ZX_OBJ_TYPE_BTI, ZX_RIGHT_MAP, ZX_OK},
        {1, ZX_OBJ_TYPE_BTI, ZX_RIGHT_WAIT, ZX_ERR_ACCESS_DENIED},      /* BTIs are not waitable */
        {2, ZX_OBJ_TYPE_PMT, ZX_RIGHT_INSPECT, ZX_OK},
        {2, ZX_OBJ_TYPE_PMT, ZX_RIGHT_READ, ZX_ERR_ACCESS_DENIED},
        {3, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, ZX_ERR_BAD_HANDLE},
        {4, ZX_OBJ_TYPE_BTI, ZX_RIGHT_EXECUTE, ZX_ERR_BAD_HANDLE},       /* handle before type */
        {5, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, ZX_ERR_BAD_HANDLE},
        {6, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, ZX_ERR_BAD_HANDLE},
    };
    const zx_handle_t handles[] = {vmo, bti, pmt, stale, unused, ZX_HANDLE_INVALID, vmo & ~1u};
    for (size_t i = 0; i < SL_COUNT(rows); i++) {
        zx_status_t st = sl_zx_handle_check(handles[rows[i].h], rows[i].type, rows[i].rights);
        if (st != rows[i].expected) printf("  row %zu: %s\n", i, zx_status_get_string(st));
        CU_ASSERT_EQUAL(st, rows[i].expected);
    }
}

static void test_handle_duplicate(void) {
    fresh_table(0, 256 * 1024);
    const zx_handle_t vmo = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    const zx_handle_t pmt = make(ZX_OBJ_TYPE_PMT, ZX_DEFAULT_PMT_RIGHTS);
    const zx_handle_t none = make(ZX_OBJ_TYPE_VMO, ZX_RIGHT_DUPLICATE);
    static const struct { int h; zx_rights_t rights; bool out; zx_status_t expected; zx_rights_t new_rights; } rows[] = {
        {0, ZX_RIGHT_SAME_RIGHTS, true, ZX_OK, ZX_DEFAULT_VMO_RIGHTS},
        {0, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, true, ZX_OK, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE},
        {0, ZX_RIGHT_NONE, true, ZX_OK, ZX_RIGHT_NONE},
        {0, ZX_RIGHT_READ | ZX_RIGHT_EXECUTE, true, ZX_ERR_INVALID_ARGS, 0},  /* not a subset */
        {0, ZX_RIGHT_SAME_RIGHTS, false, ZX_ERR_INVALID_ARGS, 0},              /* out NULL */
        {1, ZX_RIGHT_SAME_RIGHTS, true, ZX_ERR_ACCESS_DENIED, 0},             /* PMTs: no DUPLICATE */
        {1, ZX_RIGHT_EXECUTE, true, ZX_ERR_ACCESS_DENIED, 0},                 /* right before subset */
        {2, ZX_RIGHT_DUPLICATE, true, ZX_OK, ZX_RIGHT_DUPLICATE},
        {2, ZX_RIGHT_READ, true, ZX_ERR_INVALID_ARGS, 0},
        {3, ZX_RIGHT_SAME_RIGHTS, true, ZX_ERR_BAD_HANDLE, 0},
    };
    const zx_handle_t handles[] = {vmo, pmt, none, 0x00100003u + 4u * 99};
    for (size_t i = 0; i < SL_COUNT(rows); i++) {
        zx_handle_t dup = ZX_HANDLE_INVALID;
        zx_status_t st = zx_handle_duplicate(handles[rows[i].h], rows[i].rights, rows[i].out ? &dup : NULL);
        if (st != rows[i].expected) printf("  row %zu: %s\n", i, zx_status_get_string(st));
        CU_ASSERT_EQUAL(st, rows[i].expected);
        if (st == ZX_OK) {
            CU_ASSERT_NOT_EQUAL(dup, handles[rows[i].h]);
            CU_ASSERT_EQUAL(rights_of(dup), rows[i].new_rights);
            CU_ASSERT_EQUAL(sl_zx_handle_check(dup, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE), ZX_OK);
        } else {
            CU_ASSERT_EQUAL(dup, ZX_HANDLE_INVALID);
        }
    }
}

/* Objects live while a handle or another reference holds them; the last close is an event. */
static void test_object_lifetime(void) {
    fresh_table(0, 256 * 1024);
    const size_t alive0 = sl_zx_test_objects_alive();
    const size_t zero0 = sl_zx_test_zero_handle_events();
    zx_handle_t a = make(ZX_OBJ_TYPE_INTERRUPT, ZX_DEFAULT_INTERRUPT_RIGHTS);
    zx_handle_t b = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &b), ZX_OK);
    CU_ASSERT_EQUAL(sl_zx_test_objects_alive(), alive0 + 1);

    zx_info_handle_count_t count = {0};
    CU_ASSERT_EQUAL(zx_object_get_info(b, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(count.handle_count, 2);

    CU_ASSERT_EQUAL(zx_handle_close(a), ZX_OK);
    CU_ASSERT_EQUAL(sl_zx_test_objects_alive(), alive0 + 1);
    CU_ASSERT_EQUAL(sl_zx_test_zero_handle_events(), zero0);
    CU_ASSERT_EQUAL(zx_object_get_info(b, ZX_INFO_HANDLE_COUNT, &count, sizeof(count), NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(count.handle_count, 1);

    CU_ASSERT_EQUAL(zx_handle_close(b), ZX_OK);
    CU_ASSERT_EQUAL(sl_zx_test_objects_alive(), alive0);
    CU_ASSERT_EQUAL(sl_zx_test_zero_handle_events(), zero0 + 1);

    /* Taking a handle out (what zx_pmt_unpin does first) consumes it whatever its type. */
    zx_handle_t v = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    zx_obj_type_t type = ZX_OBJ_TYPE_NONE;
    CU_ASSERT_EQUAL(sl_zx_handle_take(v, &type), ZX_OK);
    CU_ASSERT_EQUAL(type, ZX_OBJ_TYPE_VMO);
    CU_ASSERT_EQUAL(sl_zx_handle_take(v, &type), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_handle_close(v), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(sl_zx_test_zero_handle_events(), zero0 + 2);

    /* Replacing the table closes what was open, like a process exit. */
    make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    make(ZX_OBJ_TYPE_BTI, ZX_DEFAULT_BTI_RIGHTS);
    fresh_table(0, 256 * 1024);
    CU_ASSERT_EQUAL(sl_zx_test_objects_alive(), alive0);
    CU_ASSERT_EQUAL(sl_zx_test_zero_handle_events(), zero0 + 4);
}

static void test_koids(void) {
    fresh_table(0, 256 * 1024);
    zx_handle_t a = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    zx_handle_t b = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    zx_handle_t a2 = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL(zx_handle_duplicate(a, ZX_RIGHT_SAME_RIGHTS, &a2), ZX_OK);
    zx_info_handle_basic_t ia, ib, ia2;
    CU_ASSERT_EQUAL(zx_object_get_info(a, ZX_INFO_HANDLE_BASIC, &ia, sizeof(ia), NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(b, ZX_INFO_HANDLE_BASIC, &ib, sizeof(ib), NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(a2, ZX_INFO_HANDLE_BASIC, &ia2, sizeof(ia2), NULL, NULL), ZX_OK);
    CU_ASSERT(ia.koid >= ZX_KOID_FIRST);
    CU_ASSERT_EQUAL(ib.koid, ia.koid + 1);  /* koids are issued in order */
    CU_ASSERT_EQUAL(ia2.koid, ia.koid);     /* same object */
}

/* ---- zx_object_get_info ---- */

static void test_object_get_info(void) {
    fresh_table(0, 256 * 1024);
    const zx_handle_t vmo = make(ZX_OBJ_TYPE_VMO, ZX_DEFAULT_VMO_RIGHTS);
    const zx_handle_t bti = make(ZX_OBJ_TYPE_BTI, ZX_DEFAULT_BTI_RIGHTS);
    const zx_handle_t bti_map_only = make(ZX_OBJ_TYPE_BTI, ZX_RIGHT_MAP);
    const zx_handle_t vmo_read_only = make(ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ);
    const zx_handle_t dead = 0x00100003u + 4u * 40;
    enum { BUF_FULL, BUF_SMALL, BUF_NULL_ZERO, BUF_NULL_FULL };
    static const struct { int h; uint32_t topic; int buf; zx_status_t expected; size_t actual, avail; } rows[] = {
        {0, ZX_INFO_HANDLE_VALID, BUF_NULL_ZERO, ZX_OK, 99, 99},
        {4, ZX_INFO_HANDLE_VALID, BUF_NULL_ZERO, ZX_ERR_BAD_HANDLE, 99, 99},
        {5, ZX_INFO_HANDLE_VALID, BUF_NULL_ZERO, ZX_ERR_BAD_HANDLE, 99, 99},
        {0, ZX_INFO_HANDLE_BASIC, BUF_FULL, ZX_OK, 1, 1},
        {0, ZX_INFO_HANDLE_BASIC, BUF_SMALL, ZX_ERR_BUFFER_TOO_SMALL, 0, 1},
        {0, ZX_INFO_HANDLE_BASIC, BUF_NULL_ZERO, ZX_ERR_BUFFER_TOO_SMALL, 0, 1},
        {0, ZX_INFO_HANDLE_BASIC, BUF_NULL_FULL, ZX_ERR_INVALID_ARGS, 99, 99},
        {4, ZX_INFO_HANDLE_BASIC, BUF_FULL, ZX_ERR_BAD_HANDLE, 99, 99},
        {3, ZX_INFO_HANDLE_BASIC, BUF_FULL, ZX_OK, 1, 1},               /* no right needed */
        {0, ZX_INFO_HANDLE_COUNT, BUF_FULL, ZX_OK, 1, 1},
        {3, ZX_INFO_HANDLE_COUNT, BUF_FULL, ZX_ERR_ACCESS_DENIED, 99, 99}, /* needs INSPECT */
        {0, ZX_INFO_BTI, BUF_FULL, ZX_ERR_WRONG_TYPE, 99, 99},
        {2, ZX_INFO_BTI, BUF_FULL, ZX_ERR_ACCESS_DENIED, 99, 99},         /* needs INSPECT */
        {4, ZX_INFO_BTI, BUF_FULL, ZX_ERR_BAD_HANDLE, 99, 99},
        {1, ZX_INFO_VMO, BUF_FULL, ZX_ERR_WRONG_TYPE, 99, 99},
        {0, ZX_INFO_VMAR, BUF_FULL, ZX_ERR_WRONG_TYPE, 99, 99},
        {0, 9999, BUF_FULL, ZX_ERR_NOT_SUPPORTED, 99, 99},
        {4, 9999, BUF_FULL, ZX_ERR_NOT_SUPPORTED, 99, 99},               /* topic before handle */
        {0, ZX_INFO_PROCESS, BUF_FULL, ZX_ERR_NOT_SUPPORTED, 99, 99},
    };
    const zx_handle_t handles[] = {vmo, bti, bti_map_only, vmo_read_only, dead, ZX_HANDLE_INVALID};
    for (size_t i = 0; i < SL_COUNT(rows); i++) {
        union { zx_info_handle_basic_t basic; zx_info_bti_t bti; zx_info_vmo_t vmo; } buffer;
        void* ptr = &buffer;
        size_t size = sizeof(buffer);
        if (rows[i].buf == BUF_SMALL) size = 8;
        if (rows[i].buf == BUF_NULL_ZERO) { ptr = NULL; size = 0; }
        if (rows[i].buf == BUF_NULL_FULL) ptr = NULL;
        size_t actual = 99, avail = 99;
        zx_status_t st = zx_object_get_info(handles[rows[i].h], rows[i].topic, ptr, size, &actual, &avail);
        if (st != rows[i].expected) printf("  row %zu: %s\n", i, zx_status_get_string(st));
        CU_ASSERT_EQUAL(st, rows[i].expected);
        CU_ASSERT_EQUAL(actual, rows[i].actual);
        CU_ASSERT_EQUAL(avail, rows[i].avail);
    }

    zx_info_handle_basic_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.type, ZX_OBJ_TYPE_VMO);
    CU_ASSERT_EQUAL(info.rights, ZX_DEFAULT_VMO_RIGHTS);
    CU_ASSERT_EQUAL(info.props, ZX_OBJ_PROP_WAITABLE);
    CU_ASSERT_EQUAL(info.related_koid, ZX_KOID_INVALID);
    CU_ASSERT_EQUAL(zx_object_get_info(bti, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.type, ZX_OBJ_TYPE_BTI);
    CU_ASSERT_EQUAL(info.props, ZX_OBJ_PROP_NONE);
}

/* ---- zx_bti_pin ---- */

typedef struct {
    const char* what;
    sl_bti_pin_args_t args;
    zx_status_t expected;
    uint32_t perms;          /* on success */
    size_t addrs;
    uint64_t run_bytes;
} pin_row_t;

/* 16-page VMO with default rights; pin pages 0..3 for device read and write. */
#define PIN_BASE                                                                   \
    .options = ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, .offset = 0, .size = 4 * PAGE, \
    .addrs_count = 4, .addrs_given = true, .pmt_given = true,                     \
    .vmo_rights = ZX_DEFAULT_VMO_RIGHTS, .vmo_size = 16 * PAGE, .vmo_contiguous = false, \
    .minimum_contiguity = PAGE, .bti_quarantine_empty = true

#define RW (ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE)
#define VMO_NO(right) (ZX_DEFAULT_VMO_RIGHTS & ~(right))

static const pin_row_t pin_rows[] = {
    {"baseline", {PIN_BASE}, ZX_OK, RW, 4, PAGE},
    {"device read only", {PIN_BASE, .options = ZX_BTI_PERM_READ}, ZX_OK, ZX_BTI_PERM_READ, 4, PAGE},
    {"execute needs READ, not EXECUTE", {PIN_BASE, .options = ZX_BTI_PERM_EXECUTE}, ZX_OK, ZX_BTI_PERM_EXECUTE, 4, PAGE},
    {"last pages of the vmo", {PIN_BASE, .offset = 12 * PAGE}, ZX_OK, RW, 4, PAGE},
    {"whole vmo", {PIN_BASE, .size = 16 * PAGE, .addrs_count = 16}, ZX_OK, RW, 16, PAGE},
    {"offset not page aligned", {PIN_BASE, .offset = 0x800}, ZX_ERR_INVALID_ARGS},
    {"size not page aligned", {PIN_BASE, .size = 0x1800, .addrs_count = 1}, ZX_ERR_INVALID_ARGS},
    {"vmo lacks MAP", {PIN_BASE, .vmo_rights = VMO_NO(ZX_RIGHT_MAP)}, ZX_ERR_ACCESS_DENIED},
    {"PERM_READ without READ", {PIN_BASE, .vmo_rights = VMO_NO(ZX_RIGHT_READ)}, ZX_ERR_ACCESS_DENIED},
    {"PERM_WRITE without WRITE", {PIN_BASE, .vmo_rights = VMO_NO(ZX_RIGHT_WRITE)}, ZX_ERR_ACCESS_DENIED},
    {"PERM_EXECUTE without READ", {PIN_BASE, .options = ZX_BTI_PERM_EXECUTE,
        .vmo_rights = VMO_NO(ZX_RIGHT_READ) | ZX_RIGHT_EXECUTE}, ZX_ERR_ACCESS_DENIED},
    {"PERM_WRITE needs no READ", {PIN_BASE, .options = ZX_BTI_PERM_WRITE,
        .vmo_rights = VMO_NO(ZX_RIGHT_READ)}, ZX_OK, ZX_BTI_PERM_WRITE, 4, PAGE},
    {"undefined option bit", {PIN_BASE, .options = RW | (1u << 5)}, ZX_ERR_INVALID_ARGS},
    {"undefined high bit", {PIN_BASE, .options = RW | 0x80000000u}, ZX_ERR_INVALID_ARGS},
    {"COMPRESS with CONTIGUOUS", {PIN_BASE, .options = RW | ZX_BTI_COMPRESS | ZX_BTI_CONTIGUOUS,
        .vmo_contiguous = true, .addrs_count = 1}, ZX_ERR_INVALID_ARGS},
    {"CONTIGUOUS on a paged vmo", {PIN_BASE, .options = RW | ZX_BTI_CONTIGUOUS, .addrs_count = 1},
        ZX_ERR_INVALID_ARGS},
    {"CONTIGUOUS on a contiguous vmo", {PIN_BASE, .options = RW | ZX_BTI_CONTIGUOUS,
        .vmo_contiguous = true, .addrs_count = 1}, ZX_OK, RW, 1, 4 * PAGE},
    {"CONTIGUOUS wants one address", {PIN_BASE, .options = RW | ZX_BTI_CONTIGUOUS,
        .vmo_contiguous = true}, ZX_ERR_INVALID_ARGS},
    {"contiguous vmo pinned page by page", {PIN_BASE, .vmo_contiguous = true}, ZX_OK, RW, 4, PAGE},
    {"size 0", {PIN_BASE, .size = 0, .addrs_count = 0}, ZX_ERR_INVALID_ARGS},
    {"range past the end", {PIN_BASE, .offset = 15 * PAGE, .size = 2 * PAGE, .addrs_count = 2},
        ZX_ERR_OUT_OF_RANGE},
    {"offset past the end", {PIN_BASE, .offset = 16 * PAGE, .size = PAGE, .addrs_count = 1},
        ZX_ERR_OUT_OF_RANGE},
    {"offset + size wraps", {PIN_BASE, .offset = UINT64_MAX - PAGE + 1, .size = 2 * PAGE,
        .addrs_count = 2}, ZX_ERR_OUT_OF_RANGE},
    {"quarantine not empty", {PIN_BASE, .bti_quarantine_empty = false}, ZX_ERR_BAD_STATE},
    {"options 0", {PIN_BASE, .options = 0}, ZX_ERR_INVALID_ARGS},
    {"COMPRESS alone grants nothing", {PIN_BASE, .options = ZX_BTI_COMPRESS}, ZX_ERR_INVALID_ARGS},
    {"too few addrs", {PIN_BASE, .addrs_count = 3}, ZX_ERR_INVALID_ARGS},
    {"too many addrs", {PIN_BASE, .addrs_count = 5}, ZX_ERR_INVALID_ARGS},
    {"COMPRESS, 16 KiB runs, 24 KiB", {PIN_BASE, .options = RW | ZX_BTI_COMPRESS, .size = 6 * PAGE,
        .addrs_count = 2, .minimum_contiguity = KiB(16)}, ZX_OK, RW, 2, KiB(16)},
    {"COMPRESS counts runs, not pages", {PIN_BASE, .options = RW | ZX_BTI_COMPRESS, .size = 6 * PAGE,
        .addrs_count = 6, .minimum_contiguity = KiB(16)}, ZX_ERR_INVALID_ARGS},
    {"COMPRESS, page runs", {PIN_BASE, .options = RW | ZX_BTI_COMPRESS}, ZX_OK, RW, 4, PAGE},
    {"COMPRESS, 1 MiB runs, 2.5 MiB", {PIN_BASE, .options = RW | ZX_BTI_COMPRESS, .size = KiB(2560),
        .vmo_size = KiB(4096), .addrs_count = 3, .minimum_contiguity = KiB(1024)}, ZX_OK, RW, 3, KiB(1024)},
    {"addrs NULL", {PIN_BASE, .addrs_given = false}, ZX_ERR_INVALID_ARGS},
    {"pmt NULL", {PIN_BASE, .pmt_given = false}, ZX_ERR_INVALID_ARGS},
    /* order */
    {"alignment before rights", {PIN_BASE, .offset = 0x800, .vmo_rights = VMO_NO(ZX_RIGHT_READ)},
        ZX_ERR_INVALID_ARGS},
    {"rights before options", {PIN_BASE, .options = RW | (1u << 5), .vmo_rights = VMO_NO(ZX_RIGHT_READ)},
        ZX_ERR_ACCESS_DENIED},
    {"options before range", {PIN_BASE, .options = RW | (1u << 5), .offset = 15 * PAGE},
        ZX_ERR_INVALID_ARGS},
    {"size 0 before range", {PIN_BASE, .offset = 20 * PAGE, .size = 0, .addrs_count = 0},
        ZX_ERR_INVALID_ARGS},
    {"range before quarantine", {PIN_BASE, .offset = 15 * PAGE, .bti_quarantine_empty = false},
        ZX_ERR_OUT_OF_RANGE},
    {"range before no-permission", {PIN_BASE, .options = 0, .offset = 15 * PAGE},
        ZX_ERR_OUT_OF_RANGE},
    {"quarantine before addrs count", {PIN_BASE, .addrs_count = 1, .bti_quarantine_empty = false},
        ZX_ERR_BAD_STATE},
    {"range before addrs count", {PIN_BASE, .offset = 15 * PAGE, .addrs_count = 1},
        ZX_ERR_OUT_OF_RANGE},
    {"addrs count before NULL pointers", {PIN_BASE, .addrs_count = 1, .addrs_given = false,
        .pmt_given = false}, ZX_ERR_INVALID_ARGS},
    /* malformed BTI description from the model */
    {"minimum contiguity 0", {PIN_BASE, .minimum_contiguity = 0}, ZX_ERR_INTERNAL},
    {"minimum contiguity not a power of two", {PIN_BASE, .minimum_contiguity = 6000}, ZX_ERR_INTERNAL},
    {"minimum contiguity below a page", {PIN_BASE, .minimum_contiguity = 2048}, ZX_ERR_INTERNAL},
};

static void test_bti_pin_checks(void) {
    for (size_t i = 0; i < SL_COUNT(pin_rows); i++) {
        const pin_row_t* r = &pin_rows[i];
        sl_bti_pin_plan_t plan;
        memset(&plan, 0, sizeof(plan));
        zx_status_t st = sl_zx_check_bti_pin(&r->args, &plan);
        if (st != r->expected) {
            printf("  %s: %s (%s), expected %s\n", r->what, zx_status_get_string(st), plan.reason,
                   zx_status_get_string(r->expected));
        }
        CU_ASSERT_EQUAL(st, r->expected);
        CU_ASSERT_PTR_NOT_NULL(plan.reason);
        if (st == ZX_OK && r->expected == ZX_OK) {
            CU_ASSERT_EQUAL(plan.device_perms, r->perms);
            CU_ASSERT_EQUAL(plan.addrs_count, r->addrs);
            CU_ASSERT_EQUAL(plan.run_bytes, r->run_bytes);
            CU_ASSERT_EQUAL(plan.compress, (r->args.options & ZX_BTI_COMPRESS) != 0);
            CU_ASSERT_EQUAL(plan.contiguous, (r->args.options & ZX_BTI_CONTIGUOUS) != 0);
            CU_ASSERT_STRING_EQUAL(plan.reason, "");
        } else if (st != ZX_OK) {
            CU_ASSERT(strlen(plan.reason) > 0);
        }
    }
    CU_ASSERT_EQUAL(sl_zx_check_bti_pin(NULL, NULL), ZX_ERR_INVALID_ARGS);
}

/* ---- zx_vmo_op_range and zx_cache_flush ---- */

typedef struct {
    const char* what;
    uint32_t op;
    uint64_t offset, size;
    zx_rights_t rights;
    bool allow_invalidate;
    zx_status_t expected;
    bool clean, invalidate, sync;
} vmo_op_row_t;

#define VMO_RIGHTS ZX_DEFAULT_VMO_RIGHTS
#define VMO_SIZE (2 * PAGE)

static const vmo_op_row_t vmo_op_rows[] = {
    {"clean", ZX_VMO_OP_CACHE_CLEAN, 0, VMO_SIZE, VMO_RIGHTS, true, ZX_OK, true, false, false},
    {"clean+invalidate", ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, VMO_SIZE, VMO_RIGHTS, true, ZX_OK, true, true, false},
    {"invalidate", ZX_VMO_OP_CACHE_INVALIDATE, 0, VMO_SIZE, VMO_RIGHTS, true, ZX_OK, false, true, false},
    {"sync", ZX_VMO_OP_CACHE_SYNC, 0, VMO_SIZE, VMO_RIGHTS, true, ZX_OK, false, false, true},
    {"unaligned range is fine", ZX_VMO_OP_CACHE_CLEAN, 100, 50, VMO_RIGHTS, true, ZX_OK, true, false, false},
    {"last byte", ZX_VMO_OP_CACHE_CLEAN, VMO_SIZE - 1, 1, VMO_RIGHTS, true, ZX_OK, true, false, false},
    {"invalidate, debugging syscalls off", ZX_VMO_OP_CACHE_INVALIDATE, 0, VMO_SIZE, VMO_RIGHTS, false,
        ZX_ERR_NOT_SUPPORTED},
    {"invalidate off, checked before the right", ZX_VMO_OP_CACHE_INVALIDATE, 0, VMO_SIZE, ZX_RIGHT_READ,
        false, ZX_ERR_NOT_SUPPORTED},
    {"invalidate needs WRITE", ZX_VMO_OP_CACHE_INVALIDATE, 0, VMO_SIZE, ZX_RIGHT_READ, true,
        ZX_ERR_ACCESS_DENIED},
    {"invalidate with WRITE only", ZX_VMO_OP_CACHE_INVALIDATE, 0, VMO_SIZE, ZX_RIGHT_WRITE, true, ZX_OK,
        false, true, false},
    {"clean needs READ", ZX_VMO_OP_CACHE_CLEAN, 0, VMO_SIZE, ZX_RIGHT_WRITE, true, ZX_ERR_ACCESS_DENIED},
    {"clean+invalidate needs READ", ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, VMO_SIZE, ZX_RIGHT_WRITE, true,
        ZX_ERR_ACCESS_DENIED},
    {"sync needs READ", ZX_VMO_OP_CACHE_SYNC, 0, VMO_SIZE, ZX_RIGHT_WRITE, true, ZX_ERR_ACCESS_DENIED},
    {"other ops do not switch off", ZX_VMO_OP_CACHE_CLEAN, 0, VMO_SIZE, VMO_RIGHTS, false, ZX_OK,
        true, false, false},
    {"size 0", ZX_VMO_OP_CACHE_CLEAN, 0, 0, VMO_RIGHTS, true, ZX_ERR_INVALID_ARGS},
    {"past the end", ZX_VMO_OP_CACHE_CLEAN, PAGE, VMO_SIZE, VMO_RIGHTS, true, ZX_ERR_OUT_OF_RANGE},
    {"offset at the end", ZX_VMO_OP_CACHE_CLEAN, VMO_SIZE, 1, VMO_RIGHTS, true, ZX_ERR_OUT_OF_RANGE},
    {"offset + size wraps", ZX_VMO_OP_CACHE_CLEAN, UINT64_MAX - 10, 20, VMO_RIGHTS, true, ZX_ERR_OUT_OF_RANGE},
    {"op 0", 0, 0, VMO_SIZE, VMO_RIGHTS, true, ZX_ERR_INVALID_ARGS},
    {"op 5 (retired LOOKUP)", 5, 0, VMO_SIZE, VMO_RIGHTS, true, ZX_ERR_INVALID_ARGS},
    {"op 14", 14, 0, VMO_SIZE, VMO_RIGHTS, true, ZX_ERR_INVALID_ARGS},
    {"unknown op before rights", 99, 0, VMO_SIZE, ZX_RIGHT_NONE, true, ZX_ERR_INVALID_ARGS},
    {"rights before size", ZX_VMO_OP_CACHE_CLEAN, 0, 0, ZX_RIGHT_NONE, true, ZX_ERR_ACCESS_DENIED},
    {"size before range", ZX_VMO_OP_CACHE_CLEAN, VMO_SIZE * 4, 0, VMO_RIGHTS, true, ZX_ERR_INVALID_ARGS},
    {"commit needs WRITE", ZX_VMO_OP_COMMIT, 0, VMO_SIZE, ZX_RIGHT_READ, true, ZX_ERR_ACCESS_DENIED},
    {"commit", ZX_VMO_OP_COMMIT, 0, VMO_SIZE, ZX_RIGHT_WRITE, true, ZX_OK},
    {"decommit needs WRITE", ZX_VMO_OP_DECOMMIT, 0, VMO_SIZE, ZX_RIGHT_READ, true, ZX_ERR_ACCESS_DENIED},
    {"zero needs WRITE", ZX_VMO_OP_ZERO, 0, VMO_SIZE, ZX_RIGHT_READ, true, ZX_ERR_ACCESS_DENIED},
    {"lock with READ", ZX_VMO_OP_LOCK, 0, VMO_SIZE, ZX_RIGHT_READ, true, ZX_OK},
    {"unlock needs READ or WRITE", ZX_VMO_OP_UNLOCK, 0, VMO_SIZE, ZX_RIGHT_MAP, true, ZX_ERR_ACCESS_DENIED},
    {"dont-need needs nothing", ZX_VMO_OP_DONT_NEED, 0, VMO_SIZE, ZX_RIGHT_NONE, true, ZX_OK},
};

static void test_vmo_op_range_checks(void) {
    for (size_t i = 0; i < SL_COUNT(vmo_op_rows); i++) {
        const vmo_op_row_t* r = &vmo_op_rows[i];
        sl_cache_maintenance_t m;
        memset(&m, 0xff, sizeof(m));
        zx_status_t st = sl_zx_check_vmo_op_range(r->op, r->offset, r->size, VMO_SIZE, r->rights,
                                                  r->allow_invalidate, &m);
        if (st != r->expected) {
            printf("  %s: %s (%s)\n", r->what, zx_status_get_string(st), m.reason);
        }
        CU_ASSERT_EQUAL(st, r->expected);
        if (st == ZX_OK) {
            CU_ASSERT_EQUAL(m.clean, r->clean);
            CU_ASSERT_EQUAL(m.invalidate, r->invalidate);
            CU_ASSERT_EQUAL(m.sync_insn, r->sync);
        } else {
            CU_ASSERT(!m.clean && !m.invalidate && !m.sync_insn);
            CU_ASSERT(strlen(m.reason) > 0);
        }
    }
}

static void test_cache_flush_checks(void) {
    const uint32_t D = ZX_CACHE_FLUSH_DATA, I = ZX_CACHE_FLUSH_INVALIDATE, N = ZX_CACHE_FLUSH_INSN;
    const struct { uint32_t options; zx_status_t expected; bool clean, invalidate, sync; } rows[] = {
        {0, ZX_ERR_INVALID_ARGS},
        {N, ZX_OK, false, false, true},
        {D, ZX_OK, true, false, false},
        {D | N, ZX_OK, true, false, true},
        {I, ZX_ERR_INVALID_ARGS},
        {I | N, ZX_ERR_INVALID_ARGS},
        {D | I, ZX_OK, true, true, false},
        {D | I | N, ZX_OK, true, true, true},
        {1u << 3, ZX_ERR_INVALID_ARGS},
        {D | (1u << 3), ZX_ERR_INVALID_ARGS},
        {D | 0x80000000u, ZX_ERR_INVALID_ARGS},
    };
    for (size_t i = 0; i < SL_COUNT(rows); i++) {
        sl_cache_maintenance_t m;
        memset(&m, 0, sizeof(m));
        zx_status_t st = sl_zx_check_cache_flush(rows[i].options, &m);
        CU_ASSERT_EQUAL(st, rows[i].expected);
        CU_ASSERT_EQUAL(m.clean, rows[i].clean);
        CU_ASSERT_EQUAL(m.invalidate, rows[i].invalidate);
        CU_ASSERT_EQUAL(m.sync_insn, rows[i].sync);
    }
}

/* ---- header-only parts: time arithmetic, MMIO accessors, PCI wrappers, binding ---- */

static void test_time_arithmetic(void) {
    CU_ASSERT_EQUAL(zx_time_add_duration(100, 23), 123);
    CU_ASSERT_EQUAL(zx_time_add_duration(ZX_TIME_INFINITE - 1, 10), ZX_TIME_INFINITE);
    CU_ASSERT_EQUAL(zx_time_add_duration(ZX_TIME_INFINITE_PAST + 1, -10), ZX_TIME_INFINITE_PAST);
    CU_ASSERT_EQUAL(zx_time_sub_time(5, ZX_TIME_INFINITE_PAST), ZX_TIME_INFINITE);
    CU_ASSERT_EQUAL(zx_duration_from_sec(3), 3000000000LL);
    CU_ASSERT_EQUAL(zx_duration_from_hour(INT64_MAX / 1000), ZX_TIME_INFINITE);
    CU_ASSERT_EQUAL(zx_duration_from_hour(-(INT64_MAX / 1000)), ZX_TIME_INFINITE_PAST);
    CU_ASSERT_EQUAL(ZX_MSEC(3), 3000000LL);
    CU_ASSERT_EQUAL(ZX_USEC(7), 7000LL);
}

static void test_mmio_accessors(void) {
    uint64_t regs[4] = {0, 0, 0, 0};
    volatile uint8_t* base = (volatile uint8_t*)regs;
    writel(0x11223344u, base + 8);
    CU_ASSERT_EQUAL(readl(base + 8), 0x11223344u);
    CU_ASSERT_EQUAL(readb(base + 8), 0x44); /* little endian host */
    CU_ASSERT_EQUAL(readw(base + 10), 0x1122);
    writeb(0xaa, base + 9);
    CU_ASSERT_EQUAL(readl(base + 8), 0x1122aa44u);
    writell(0x0102030405060708ull, base + 16);
    CU_ASSERT_EQUAL(readq(base + 16), 0x0102030405060708ull);
    RMWREG32(base + 8, 4, 8, 0x5u); /* bits 4..11 := 0x05 */
    CU_ASSERT_EQUAL(readl(base + 8), 0x1122a054u);
    set_bitsl(0x80000000u, base + 8);
    clr_bitsl(0x00000004u, base + 8);
    CU_ASSERT_EQUAL(readl(base + 8), 0x9122a050u);
    hw_wmb();
    hw_mb();
}

/* A fake PCI device: records what the wrappers pass through. */
static struct {
    uint32_t bar_id, cache_policy;
    uint16_t offset;
    size_t width;
    uint32_t written;
    uint8_t cap_type, cap_offset;
    bool bus_master;
    zx_pci_irq_mode_t mode;
    uint32_t irqs;
} fake;

static zx_status_t fake_get_bar(void* ctx, uint32_t bar_id, zx_pci_bar_t* out) {
    fake.bar_id = bar_id;
    memset(out, 0, sizeof(*out));
    out->id = bar_id;
    out->type = ZX_PCI_BAR_TYPE_PIO;
    return ZX_OK;
}
static zx_status_t fake_map_bar(void* ctx, uint32_t bar_id, uint32_t cache_policy, void** vaddr,
                                size_t* size, zx_handle_t* handle) {
    fake.bar_id = bar_id;
    fake.cache_policy = cache_policy;
    *vaddr = ctx;
    *size = 4096;
    *handle = 0x123;
    return ZX_OK;
}
static zx_status_t fake_enable_bus_master(void* ctx, bool enable) { fake.bus_master = enable; return ZX_OK; }
static zx_status_t fake_query_irq_mode(void* ctx, zx_pci_irq_mode_t mode, uint32_t* max) {
    if (mode != ZX_PCIE_IRQ_MODE_MSI) return ZX_ERR_NOT_SUPPORTED;
    *max = 4;
    return ZX_OK;
}
static zx_status_t fake_set_irq_mode(void* ctx, zx_pci_irq_mode_t mode, uint32_t count) {
    fake.mode = mode;
    fake.irqs = count;
    return ZX_OK;
}
static zx_status_t fake_config_read(void* ctx, uint16_t offset, size_t width, uint32_t* value) {
    fake.offset = offset;
    fake.width = width;
    *value = 0x12345678u; /* whatever the width: the 8/16-bit helpers must mask */
    return ZX_OK;
}
static zx_status_t fake_config_write(void* ctx, uint16_t offset, size_t width, uint32_t value) {
    fake.offset = offset;
    fake.width = width;
    fake.written = value;
    return ZX_OK;
}
static uint8_t fake_next_capability(void* ctx, uint8_t type, uint8_t offset) {
    fake.cap_type = type;
    fake.cap_offset = offset;
    return 0x40;
}

static void test_pci_protocol_wrappers(void) {
    static pci_protocol_ops_t ops = {
        .get_bar = fake_get_bar,
        .map_bar = fake_map_bar,
        .enable_bus_master = fake_enable_bus_master,
        .query_irq_mode = fake_query_irq_mode,
        .set_irq_mode = fake_set_irq_mode,
        .config_read = fake_config_read,
        .config_write = fake_config_write,
        .get_next_capability = fake_next_capability,
    };
    static uint8_t device_memory[16];
    pci_protocol_t pci = {&ops, device_memory};

    void* vaddr = NULL;
    size_t size = 0;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL(pci_map_bar(&pci, 2, ZX_CACHE_POLICY_UNCACHED_DEVICE, &vaddr, &size, &vmo), ZX_OK);
    CU_ASSERT_EQUAL(fake.bar_id, 2);
    CU_ASSERT_EQUAL(fake.cache_policy, ZX_CACHE_POLICY_UNCACHED_DEVICE);
    CU_ASSERT_PTR_EQUAL(vaddr, device_memory);
    CU_ASSERT_EQUAL(size, 4096);
    CU_ASSERT_EQUAL(vmo, 0x123);

    CU_ASSERT_EQUAL(pci_enable_bus_master(&pci, true), ZX_OK);
    CU_ASSERT(fake.bus_master);
    uint32_t max = 0;
    CU_ASSERT_EQUAL(pci_query_irq_mode(&pci, ZX_PCIE_IRQ_MODE_LEGACY, &max), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(pci_query_irq_mode(&pci, ZX_PCIE_IRQ_MODE_MSI, &max), ZX_OK);
    CU_ASSERT_EQUAL(max, 4);
    CU_ASSERT_EQUAL(pci_set_irq_mode(&pci, ZX_PCIE_IRQ_MODE_MSI, 1), ZX_OK);
    CU_ASSERT_EQUAL(fake.mode, ZX_PCIE_IRQ_MODE_MSI);
    CU_ASSERT_EQUAL(fake.irqs, 1);

    uint8_t v8 = 0;
    uint16_t v16 = 0;
    uint32_t v32 = 0;
    CU_ASSERT_EQUAL(pci_config_read8(&pci, PCI_CFG_REVISION_ID, &v8), ZX_OK);
    CU_ASSERT_EQUAL(v8, 0x78);
    CU_ASSERT_EQUAL(fake.width, 1);
    CU_ASSERT_EQUAL(fake.offset, 8);
    CU_ASSERT_EQUAL(pci_config_read16(&pci, PCI_CFG_DEVICE_ID, &v16), ZX_OK);
    CU_ASSERT_EQUAL(v16, 0x5678);
    CU_ASSERT_EQUAL(fake.width, 2);
    CU_ASSERT_EQUAL(pci_config_read32(&pci, 0x10, &v32), ZX_OK);
    CU_ASSERT_EQUAL(v32, 0x12345678u);
    CU_ASSERT_EQUAL(fake.width, 4);
    CU_ASSERT_EQUAL(pci_config_write16(&pci, 0x04, 0x0006), ZX_OK);
    CU_ASSERT_EQUAL(fake.width, 2);
    CU_ASSERT_EQUAL(fake.offset, 4);
    CU_ASSERT_EQUAL(fake.written, 6);

    CU_ASSERT_EQUAL(pci_get_first_capability(&pci, PCI_CAP_ID_MSI), 0x40);
    CU_ASSERT_EQUAL(fake.cap_type, PCI_CAP_ID_MSI);
    CU_ASSERT_EQUAL(fake.cap_offset, 0x33); /* the capability pointer is the "next" byte of 0x33 */
}

static zx_status_t test_bind(void* ctx, zx_device_t* parent) { return ZX_ERR_NOT_SUPPORTED; }
static zx_driver_ops_t test_driver_ops = {.version = DRIVER_OPS_VERSION, .bind = test_bind};

ZIRCON_DRIVER_BEGIN(test_driver, test_driver_ops, "staleline", "0.1", 3)
    BI_ABORT_IF(NE, BIND_PROTOCOL, ZX_PROTOCOL_PCI),
    BI_ABORT_IF(NE, BIND_PCI_VID, 0x1234),
    BI_MATCH_IF(EQ, BIND_PCI_DID, 0x5678),
ZIRCON_DRIVER_END(test_driver)

static void test_driver_declaration(void) {
    CU_ASSERT_PTR_EQUAL(__zircon_driver_rec__.ops, &test_driver_ops);
    CU_ASSERT_EQUAL(__zircon_driver_note__.payload.bindcount, 3);
    CU_ASSERT_STRING_EQUAL(__zircon_driver_note__.payload.name, "test_driver");
    CU_ASSERT_STRING_EQUAL(__zircon_driver_note__.payload.vendor, "staleline");
    CU_ASSERT_STRING_EQUAL(__zircon_driver_note__.payload.version, "0.1");
    /* COAABBBB: condition NE (2), opcode ABORT (0), key BIND_PROTOCOL (1) */
    CU_ASSERT_EQUAL(__zircon_driver_note__.binding[0].op, 0x20000001u);
    CU_ASSERT_EQUAL(__zircon_driver_note__.binding[0].arg, 0x70504349u);
    CU_ASSERT_EQUAL(__zircon_driver_note__.binding[1].op, 0x20000100u);
    CU_ASSERT_EQUAL(__zircon_driver_note__.binding[2].op, 0x11000101u); /* EQ, MATCH, PCI_DID */
    CU_ASSERT_EQUAL(__zircon_driver_note__.binding[2].arg, 0x5678u);
    CU_ASSERT_EQUAL(BINDINST_CC(__zircon_driver_note__.binding[2].op), COND_EQ);
    CU_ASSERT_EQUAL(BINDINST_PB(__zircon_driver_note__.binding[2].op), BIND_PCI_DID);

    /* ERROR, WARN and INFO on by default. */
    CU_ASSERT(zxlog_level_enabled(ERROR));
    CU_ASSERT(zxlog_level_enabled(INFO));
    CU_ASSERT(!zxlog_level_enabled(TRACE));
    driver_set_log_flags(DDK_LOG_ERROR | DDK_LOG_TRACE);
    CU_ASSERT(zxlog_level_enabled(TRACE));
    CU_ASSERT(!zxlog_level_enabled(INFO));
    CU_ASSERT_EQUAL(driver_get_log_flags(), 0x11u);
}

static const sl_test_t tests[] = {
    SL_TEST(test_header_values),
    SL_TEST(test_status_strings),
    SL_TEST(test_handle_values),
    SL_TEST(test_handle_not_reused_soon),
    SL_TEST(test_handle_capacity),
    SL_TEST(test_handle_close),
    SL_TEST(test_handle_lookup),
    SL_TEST(test_handle_duplicate),
    SL_TEST(test_object_lifetime),
    SL_TEST(test_koids),
    SL_TEST(test_object_get_info),
    SL_TEST(test_bti_pin_checks),
    SL_TEST(test_vmo_op_range_checks),
    SL_TEST(test_cache_flush_checks),
    SL_TEST(test_time_arithmetic),
    SL_TEST(test_mmio_accessors),
    SL_TEST(test_pci_protocol_wrappers),
    SL_TEST(test_driver_declaration),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "zx-handles", tests, SL_COUNT(tests));
}
