/* Fixture of the syscall conformance suites (test_syscall_conformance_*.c,
 * test_syscall_results_through_cache.c): a platform with the ScratchDevice in a PCI slot, the
 * shim attached to it, optionally the coherency checker, and a case body run on a simulated
 * thread. Each case of those suites checks one sentence of a Fuchsia reference page
 * (docs/reference/syscalls/<name>.md) and quotes it. */
#ifndef SL_SYSCALL_CONFORMANCE_H
#define SL_SYSCALL_CONFORMANCE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ddk/device.h>
#include <ddk/protocol/pci.h>
#include <zircon/syscalls.h>

#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define PAGE 4096u
/* Flipping this bit of a live handle value gives a value that names no handle. */
#define BAD_BIT (1u << 30)

static sl_platform_t* P;
static sl_checker_t* CHK;
static pci_protocol_t PCI;

/* Runs body on a simulated thread of a fresh platform; extra_config: NULL or "key=value"
 * strings ending with NULL. The run must end cleanly. */
static inline void sc_run(const char* const* extra_config, int checker, sl_thread_fn body) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    for (const char* const* kv = extra_config; kv && *kv; ++kv) {
        char key[128];
        const char* eq = strchr(*kv, '=');
        CU_ASSERT_PTR_NOT_NULL_FATAL(eq);
        snprintf(key, sizeof key, "%.*s", (int)(eq - *kv), *kv);
        CU_ASSERT_EQUAL_FATAL(sl_config_set(c, key, eq + 1), 0);
    }
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CHK = checker ? sl_checker_attach(P) : NULL;
    if (checker) CU_ASSERT_PTR_NOT_NULL_FATAL(CHK);
    zx_device_t* parent = sl_shim_attach(P, (unsigned)sl_pci_scratch_slot(P));
    CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
    sl_shim_set_log(fopen("/dev/null", "w"));
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(parent, ZX_PROTOCOL_PCI, &PCI), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "case", body, NULL), 0);
    int rc = sl_platform_run(P, 0);
    if (rc) fprintf(stderr, "run failed: %s\n", sl_error());
    CU_ASSERT_EQUAL(rc, 0);
    sl_platform_destroy(P);
    P = NULL;
    CHK = NULL;
}

/* A case: `SC_CASE(test_x) { body }` defines test_x(), which runs the body on a simulated
 * thread of a fresh platform without the checker. */
#define SC_CASE(name)                                  \
    static void name##_body(void* arg);                \
    static void name(void) { sc_run(NULL, 0, name##_body); } \
    static void name##_body(void* arg __attribute__((unused)))

/* The same with the coherency checker attached (CHK). */
#define SC_CASE_CHECKED(name)                          \
    static void name##_body(void* arg);                \
    static void name(void) { sc_run(NULL, 1, name##_body); } \
    static void name##_body(void* arg __attribute__((unused)))

/* The same with configuration keys set ("key=value", ...). */
#define SC_CASE_CONFIG(name, ...)                                              \
    static void name##_body(void* arg);                                        \
    static void name(void) {                                                   \
        static const char* const cfg[] = {__VA_ARGS__, NULL};                  \
        sc_run(cfg, 0, name##_body);                                           \
    }                                                                          \
    static void name##_body(void* arg __attribute__((unused)))

static inline zx_handle_t sc_dup(zx_handle_t h, zx_rights_t rights) {
    zx_handle_t d = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_handle_duplicate(h, rights, &d), ZX_OK);
    return d;
}

/* h's rights without `drop`. */
static inline zx_handle_t sc_without(zx_handle_t h, zx_rights_t drop) {
    zx_info_handle_basic_t info;
    CU_ASSERT_EQUAL_FATAL(zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof info, NULL, NULL), ZX_OK);
    return sc_dup(h, info.rights & ~drop);
}

static inline zx_handle_t sc_vmo(uint64_t size) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(size, 0, &h), ZX_OK);
    return h;
}

static inline void* sc_map(zx_handle_t vmo, uint64_t len, zx_vm_option_t perms) {
    zx_vaddr_t va = 0;
    CU_ASSERT_EQUAL_FATAL(zx_vmar_map(zx_vmar_root_self(), perms, 0, vmo, 0, len, &va), ZX_OK);
    return (void*)va;
}

/* A page the kernel cannot write: a read-only mapping of a fresh VMO. */
static inline void* sc_read_only_page(void) { return sc_map(sc_vmo(PAGE), PAGE, ZX_VM_PERM_READ); }

/* A page of simulated memory nothing maps any more (ZX_ERR_NOT_FOUND for the kernel's copy). */
static inline void* sc_unmapped_page(void) {
    void* p = sc_map(sc_vmo(PAGE), PAGE, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    CU_ASSERT_EQUAL_FATAL(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)p, PAGE), ZX_OK);
    return p;
}

static inline zx_handle_t sc_bti(void) {
    zx_handle_t bti = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&PCI, 0, &bti), ZX_OK);
    return bti;
}

static inline zx_handle_t sc_virtual_interrupt(void) {
    zx_handle_t irq = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &irq), ZX_OK);
    return irq;
}

#endif
