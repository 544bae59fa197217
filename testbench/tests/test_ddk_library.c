/* The DDK library surface Zircon's drivers of late 2018 use, under the shim: io_buffer_*
 * (ddk/io-buffer.h) over the platform's VMOs, pins and caches; sync_completion_* on simulated
 * threads with simulated-time timeouts; zircon/listnode.h; thrd_create_with_name. */
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/io-buffer.h>
#include <ddk/protocol/pci.h>
#include <lib/sync/completion.h>
#include <zircon/listnode.h>
#include <zircon/syscalls.h>

#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

#define PAGE 4096u

int thrd_create_with_name(thrd_t* thread, thrd_start_t entry, void* arg, const char* name);

static sl_platform_t* P;
static pci_protocol_t PCI;

static void sim(sl_thread_fn body) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    zx_device_t* parent = sl_shim_attach(P, (unsigned)sl_pci_scratch_slot(P));
    CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
    CU_ASSERT_EQUAL_FATAL(device_get_protocol(parent, ZX_PROTOCOL_PCI, &PCI), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", body, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    sl_platform_destroy(P);
}

static zx_handle_t bti(void) {
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(pci_get_bti(&PCI, 0, &h), ZX_OK);
    return h;
}

/* ---- io_buffer ---- */

static void io_buffer_body(void* arg) {
    (void)arg;
    const zx_handle_t b = bti();
    io_buffer_t buf;
    /* Bad arguments, as libddk checks them. */
    CU_ASSERT_EQUAL(io_buffer_init(&buf, b, 0, IO_BUFFER_RW), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(io_buffer_init(&buf, b, PAGE, 1u << 5), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(io_buffer_init_aligned(&buf, b, PAGE, 12, IO_BUFFER_RW), ZX_ERR_INVALID_ARGS); /* not CONTIG */
    CU_ASSERT_FALSE(io_buffer_is_valid(&buf));

    /* Contiguous: pinned at init, one device address; physmap lists consecutive pages. */
    const size_t live = sl_shim_live_pin_count();
    CU_ASSERT_EQUAL_FATAL(io_buffer_init(&buf, b, 3 * PAGE, IO_BUFFER_RW | IO_BUFFER_CONTIG), ZX_OK);
    CU_ASSERT_TRUE(io_buffer_is_valid(&buf));
    CU_ASSERT_NOT_EQUAL(io_buffer_phys(&buf), IO_BUFFER_INVALID_PHYS);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), live + 1);
    CU_ASSERT_EQUAL(io_buffer_physmap(&buf), ZX_OK);
    CU_ASSERT_EQUAL(buf.phys_count, 3);
    for (unsigned i = 0; i < 3; ++i) CU_ASSERT_EQUAL(buf.phys_list[i], buf.phys + i * PAGE);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), live + 1); /* no second pin */
    memset(io_buffer_virt(&buf), 0x5a, 3 * PAGE);       /* mapped read/write */
    CU_ASSERT_EQUAL(io_buffer_cache_flush(&buf, 0, 3 * PAGE), ZX_OK);
    CU_ASSERT_EQUAL(io_buffer_cache_flush_invalidate(&buf, PAGE, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(io_buffer_cache_flush(&buf, 2 * PAGE, PAGE + 1), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(io_buffer_cache_op(&buf, ZX_VMO_OP_CACHE_CLEAN, 0, 64), ZX_OK);
    CU_ASSERT_EQUAL(io_buffer_cache_op(&buf, ZX_VMO_OP_CACHE_CLEAN, 0, 0), ZX_OK);
    CU_ASSERT_EQUAL(io_buffer_size(&buf, PAGE), 2 * PAGE);
    io_buffer_release(&buf);
    CU_ASSERT_FALSE(io_buffer_is_valid(&buf));
    CU_ASSERT_PTR_NULL(buf.phys_list);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), live);

    /* Not contiguous: no device address until physmap, then one per page, pinned once. */
    CU_ASSERT_EQUAL_FATAL(io_buffer_init(&buf, b, 5 * PAGE, IO_BUFFER_RW), ZX_OK);
    CU_ASSERT_EQUAL(buf.phys, IO_BUFFER_INVALID_PHYS);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), live);
    CU_ASSERT_EQUAL(io_buffer_physmap(&buf), ZX_OK);
    CU_ASSERT_EQUAL(buf.phys_count, 5);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), live + 1);
    for (unsigned i = 0; i < 5; ++i) CU_ASSERT_EQUAL(buf.phys_list[i] % PAGE, 0);
    CU_ASSERT_EQUAL(io_buffer_physmap(&buf), ZX_OK); /* once */
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), live + 1);
    io_buffer_release(&buf);
    CU_ASSERT_EQUAL(sl_shim_live_pin_count(), live);

    /* Over the caller's VMO, from an offset: the caller keeps its handle. */
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(2 * PAGE, 0, &vmo), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, "abc", PAGE + 8, 3), ZX_OK);
    CU_ASSERT_EQUAL(io_buffer_init_vmo(&buf, b, vmo, PAGE + 8, IO_BUFFER_CONTIG), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL_FATAL(io_buffer_init_vmo(&buf, b, vmo, PAGE + 8, IO_BUFFER_RO), ZX_OK);
    CU_ASSERT_EQUAL(memcmp(io_buffer_virt(&buf), "abc", 3), 0);
    CU_ASSERT_EQUAL(io_buffer_physmap(&buf), ZX_OK);
    CU_ASSERT_EQUAL(buf.phys_count, 1); /* the page holding the offset, to the end */
    CU_ASSERT_EQUAL(buf.phys_list[0] % PAGE, 0); /* the page, as libddk pins it (not contiguous) */
    io_buffer_release(&buf);
    uint64_t size = 0;
    CU_ASSERT_EQUAL(zx_vmo_get_size(vmo, &size), ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_close(vmo), ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_close(b), ZX_OK);
}
static void test_io_buffer(void) { sim(io_buffer_body); }

/* ---- sync_completion ---- */

static sync_completion_t g_done;
static uint64_t g_signalled_at;

static int signaller(void* arg) {
    (void)arg;
    zx_nanosleep(zx_deadline_after(ZX_USEC(20)));
    g_signalled_at = (uint64_t)zx_clock_get_monotonic();
    sync_completion_signal(&g_done);
    return 0;
}

static void completion_body(void* arg) {
    (void)arg;
    g_done = SYNC_COMPLETION_INIT;
    zx_time_t t0 = zx_clock_get_monotonic();
    CU_ASSERT_EQUAL(sync_completion_wait(&g_done, ZX_USEC(5)), ZX_ERR_TIMED_OUT);
    CU_ASSERT(zx_clock_get_monotonic() >= t0 + ZX_USEC(5)); /* simulated time passed */
    thrd_t t;
    CU_ASSERT_EQUAL_FATAL(thrd_create_with_name(&t, signaller, NULL, "signaller"), thrd_success);
    CU_ASSERT_EQUAL(sync_completion_wait(&g_done, ZX_TIME_INFINITE), ZX_OK);
    CU_ASSERT(g_signalled_at > 0);
    CU_ASSERT((uint64_t)zx_clock_get_monotonic() >= g_signalled_at); /* woken by the signal, not before */
    CU_ASSERT_EQUAL(sync_completion_wait(&g_done, 0), ZX_OK); /* stays signalled */
    sync_completion_reset(&g_done);
    CU_ASSERT_EQUAL(sync_completion_wait_deadline(&g_done, zx_deadline_after(ZX_USEC(1))), ZX_ERR_TIMED_OUT);
    int res = -1;
    CU_ASSERT_EQUAL(thrd_join(t, &res), thrd_success);
    CU_ASSERT_EQUAL(res, 0);
}
static void test_sync_completion(void) { sim(completion_body); }

/* ---- listnode ---- */

typedef struct item {
    int v;
    list_node_t node;
} item_t;

static void test_listnode(void) {
    list_node_t list = LIST_INITIAL_VALUE(list);
    CU_ASSERT_TRUE(list_is_empty(&list));
    CU_ASSERT_PTR_NULL(list_remove_head_type(&list, item_t, node));
    item_t a = {1, LIST_INITIAL_CLEARED_VALUE}, b = {2, LIST_INITIAL_CLEARED_VALUE}, c = {3, LIST_INITIAL_CLEARED_VALUE};
    CU_ASSERT_FALSE(list_in_list(&a.node));
    list_add_tail(&list, &b.node);
    list_add_head(&list, &a.node);
    list_add_tail(&list, &c.node);
    CU_ASSERT_EQUAL(list_length(&list), 3);
    int seen[3], n = 0;
    item_t* e;
    list_for_every_entry (&list, e, item_t, node) seen[n++] = e->v;
    CU_ASSERT(n == 3 && seen[0] == 1 && seen[1] == 2 && seen[2] == 3);
    CU_ASSERT_PTR_EQUAL(list_peek_tail_type(&list, item_t, node), &c);
    CU_ASSERT_PTR_EQUAL(list_next_type(&list, &a.node, item_t, node), &b);
    CU_ASSERT_PTR_NULL(list_next(&list, &c.node));
    CU_ASSERT_PTR_EQUAL(list_next_wrap_type(&list, &c.node, item_t, node), &a);
    list_delete(&b.node);
    CU_ASSERT_FALSE(list_in_list(&b.node));
    CU_ASSERT_PTR_EQUAL(containerof(list.next, item_t, node), &a);
    CU_ASSERT_PTR_EQUAL(list_remove_head_type(&list, item_t, node), &a);
    CU_ASSERT_PTR_EQUAL(list_remove_tail_type(&list, item_t, node), &c);
    CU_ASSERT_TRUE(list_is_empty(&list));
    /* splice: the other list's entries follow pos, the other list ends up empty */
    list_node_t other;
    list_initialize(&other);
    list_add_tail(&list, &a.node);
    list_add_tail(&other, &b.node);
    list_add_tail(&other, &c.node);
    list_splice_after(&other, &a.node);
    CU_ASSERT_TRUE(list_is_empty(&other));
    CU_ASSERT_EQUAL(list_length(&list), 3);
    CU_ASSERT_PTR_EQUAL(list_peek_tail_type(&list, item_t, node), &c);
}

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_io_buffer),
        SL_TEST(test_sync_completion),
        SL_TEST(test_listnode),
    };
    return sl_test_main(argc, argv, "ddk_library", tests, SL_COUNT(tests));
}
