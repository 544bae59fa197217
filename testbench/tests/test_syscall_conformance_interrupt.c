/* Conformance of the interrupt calls to their reference pages: every sentence of the ERRORS
 * section of zx_interrupt_wait, zx_interrupt_destroy, zx_interrupt_ack, zx_interrupt_create and
 * zx_interrupt_trigger (Fuchsia's docs/reference/syscalls/<name>.md) not already checked in
 * test_ddk_conformance (test_virtual_interrupt) is one case below, quoting it. Conditions the
 * model cannot produce (ports, IRQ resources) are listed in docs/api-coverage.md ("Documented
 * errors not reproduced").
 *
 * In test_ddk_conformance's test_virtual_interrupt: interrupt_wait ZX_ERR_CANCELED (destroyed,
 * and the handle closed while waiting); interrupt_ack ZX_ERR_BAD_STATE and
 * ZX_ERR_ACCESS_DENIED; interrupt_create ZX_ERR_BAD_HANDLE, ZX_ERR_WRONG_TYPE and
 * ZX_ERR_INVALID_ARGS (flags, NULL out_handle); every sentence of interrupt_trigger. */
#include "syscall_conformance.h"

/* -------------------------------------------------------- zx_interrupt_wait ---- */

/* interrupt_wait.md: "ZX_ERR_BAD_HANDLE handle is an invalid handle." */
SC_CASE(test_interrupt_wait_bad_handle) {
    zx_time_t ts;
    CU_ASSERT_EQUAL(zx_interrupt_wait(sc_virtual_interrupt() ^ BAD_BIT, &ts), ZX_ERR_BAD_HANDLE);
}

/* interrupt_wait.md: "ZX_ERR_WRONG_TYPE handle is not a handle to an interrupt object." */
SC_CASE(test_interrupt_wait_wrong_type) {
    zx_time_t ts;
    CU_ASSERT_EQUAL(zx_interrupt_wait(sc_vmo(PAGE), &ts), ZX_ERR_WRONG_TYPE);
}

/* interrupt_wait.md: "ZX_ERR_BAD_STATE the interrupt object is bound to a port." Not
 * reproduced: zx_interrupt_bind and ports are not provided, so no interrupt is ever bound; a
 * triggered virtual interrupt is simply delivered. */
SC_CASE(test_interrupt_wait_never_bound) {
    zx_handle_t irq = sc_virtual_interrupt();
    zx_time_t ts = 0;
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 42), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, &ts), ZX_OK);
    CU_ASSERT_EQUAL(ts, 42);
}

/* interrupt_wait.md: "ZX_ERR_ACCESS_DENIED handle lacks ZX_RIGHT_WAIT." */
SC_CASE(test_interrupt_wait_access_denied) {
    zx_time_t ts;
    CU_ASSERT_EQUAL(zx_interrupt_wait(sc_without(sc_virtual_interrupt(), ZX_RIGHT_WAIT), &ts), ZX_ERR_ACCESS_DENIED);
}

/* interrupt_wait.md: "ZX_ERR_INVALID_ARGS the out_timestamp parameter is an invalid pointer."
 * The kernel finds it when it copies the timestamp out, after the wait: the trigger is
 * consumed. NULL is allowed ("if non-NULL"). */
SC_CASE(test_interrupt_wait_invalid_args) {
    zx_handle_t irq = sc_virtual_interrupt();
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 7), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, (zx_time_t*)sc_read_only_page()), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 8), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, (zx_time_t*)sc_unmapped_page()), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 9), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, NULL), ZX_OK);
}

/* ----------------------------------------------------- zx_interrupt_destroy ---- */

/* interrupt_destroy.md: "ZX_ERR_BAD_HANDLE handle is an invalid handle." */
SC_CASE(test_interrupt_destroy_bad_handle) {
    CU_ASSERT_EQUAL(zx_interrupt_destroy(sc_virtual_interrupt() ^ BAD_BIT), ZX_ERR_BAD_HANDLE);
}

/* interrupt_destroy.md: "ZX_ERR_WRONG_TYPE handle is not an interrupt object." */
SC_CASE(test_interrupt_destroy_wrong_type) {
    CU_ASSERT_EQUAL(zx_interrupt_destroy(sc_vmo(PAGE)), ZX_ERR_WRONG_TYPE);
}

/* interrupt_destroy.md: "ZX_ERR_NOT_FOUND handle was bound (and now no longer is) but was not
 * being waited for." Not reproduced: no interrupt is ever bound (no ports); destroying one
 * nobody waits for succeeds. */
SC_CASE(test_interrupt_destroy_never_bound) {
    CU_ASSERT_EQUAL(zx_interrupt_destroy(sc_virtual_interrupt()), ZX_OK);
}

/* interrupt_destroy.md: "ZX_ERR_ACCESS_DENIED handle lacks ZX_RIGHT_WRITE." The page and the
 * kernel disagree: sys_interrupt_destroy looks the handle up without a right (GetDispatcher),
 * so Zircon destroys through any interrupt handle. The shim follows the kernel
 * (docs/api-coverage.md). */
SC_CASE(test_interrupt_destroy_needs_no_right) {
    zx_handle_t irq = sc_virtual_interrupt();
    zx_time_t ts;
    CU_ASSERT_EQUAL(zx_interrupt_destroy(sc_dup(irq, ZX_RIGHT_WAIT)), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, &ts), ZX_ERR_CANCELED);
}

/* --------------------------------------------------------- zx_interrupt_ack ---- */

/* interrupt_ack.md: "ZX_ERR_BAD_HANDLE handle is an invalid handle." */
SC_CASE(test_interrupt_ack_bad_handle) {
    CU_ASSERT_EQUAL(zx_interrupt_ack(sc_virtual_interrupt() ^ BAD_BIT), ZX_ERR_BAD_HANDLE);
}

/* interrupt_ack.md: "ZX_ERR_WRONG_TYPE handle is not an interrupt object." */
SC_CASE(test_interrupt_ack_wrong_type) {
    CU_ASSERT_EQUAL(zx_interrupt_ack(sc_bti()), ZX_ERR_WRONG_TYPE);
}

/* interrupt_ack.md: "ZX_ERR_CANCELED zx_interrupt_destroy() was called on handle." Not
 * reproduced: the kernel checks the port binding first, and nothing is bound, so a destroyed
 * interrupt answers ZX_ERR_BAD_STATE ("handle is not bound to a port"). */
SC_CASE(test_interrupt_ack_destroyed_is_unbound) {
    zx_handle_t irq = sc_virtual_interrupt();
    CU_ASSERT_EQUAL(zx_interrupt_destroy(irq), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_ack(irq), ZX_ERR_BAD_STATE);
}

/* ------------------------------------------------------ zx_interrupt_create ---- */

/* interrupt_create.md: "ZX_ERR_ACCESS_DENIED the src_obj handle does not allow this
 * operation." Not reproduced: a physical interrupt needs an IRQ resource (ZX_RSRC_KIND_IRQ),
 * and the shim hands out no resources, so the lookup of src_obj fails first
 * (ZX_ERR_BAD_HANDLE or ZX_ERR_WRONG_TYPE). */
SC_CASE(test_interrupt_create_no_resources) {
    zx_handle_t irq;
    CU_ASSERT_EQUAL(zx_interrupt_create(sc_bti(), 0, 0, &irq), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, 0, &irq), ZX_ERR_BAD_HANDLE);
}

/* interrupt_create.md: "ZX_ERR_INVALID_ARGS options contains invalid flags or the out_handle
 * parameter is an invalid pointer." -- memory the kernel cannot write (NULL and the flags are
 * in test_ddk_conformance). */
SC_CASE(test_interrupt_create_out_handle_unwritable) {
    CU_ASSERT_EQUAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, (zx_handle_t*)sc_read_only_page()),
                    ZX_ERR_INVALID_ARGS);
}

/* interrupt_create.md: "ZX_ERR_NO_MEMORY Failure due to lack of memory." Reproduced as the
 * handle table being full (HandleTable::kMaxHandles, Zircon's handle arena size): the new
 * object gets no handle. */
SC_CASE(test_interrupt_create_no_memory) {
    zx_handle_t irq = sc_virtual_interrupt(), d;
    static zx_handle_t dups[256 * 1024];
    size_t n = 0;
    zx_status_t st;
    while ((st = zx_handle_duplicate(irq, ZX_RIGHT_SAME_RIGHTS, &d)) == ZX_OK && n < sizeof dups / sizeof dups[0])
        dups[n++] = d;
    CU_ASSERT_EQUAL_FATAL(st, ZX_ERR_NO_MEMORY);
    CU_ASSERT_EQUAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &d), ZX_ERR_NO_MEMORY);
    for (size_t i = 0; i < n; ++i) CU_ASSERT_EQUAL_FATAL(zx_handle_close(dups[i]), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &d), ZX_OK);
}

static const sl_test_t tests[] = {
    SL_TEST(test_interrupt_wait_bad_handle),
    SL_TEST(test_interrupt_wait_wrong_type),
    SL_TEST(test_interrupt_wait_never_bound),
    SL_TEST(test_interrupt_wait_access_denied),
    SL_TEST(test_interrupt_wait_invalid_args),
    SL_TEST(test_interrupt_destroy_bad_handle),
    SL_TEST(test_interrupt_destroy_wrong_type),
    SL_TEST(test_interrupt_destroy_never_bound),
    SL_TEST(test_interrupt_destroy_needs_no_right),
    SL_TEST(test_interrupt_ack_bad_handle),
    SL_TEST(test_interrupt_ack_wrong_type),
    SL_TEST(test_interrupt_ack_destroyed_is_unbound),
    SL_TEST(test_interrupt_create_no_resources),
    SL_TEST(test_interrupt_create_out_handle_unwritable),
    SL_TEST(test_interrupt_create_no_memory),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "syscall-conformance-interrupt", tests, SL_COUNT(tests));
}
