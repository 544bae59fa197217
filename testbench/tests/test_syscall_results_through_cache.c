/* Every byte a system call writes into driver-visible memory is a CPU store through the cache
 * model, attributed to the line of the call (shim/core/UserCopy.h, shim/runtime/UserBuffer.h):
 * zx_bti_pin's addrs, zx_object_get_info's record and counts, out handles, sizes, mapped
 * addresses, timestamps, and zx_vmo_read's bytes (the latter in test_ddk_conformance's
 * test_bounce_buffer_*).
 *
 * The case that matters: a driver passes a cached, mapped DMA page as zx_bti_pin's addrs and
 * the device then reads the address list from it (Zircon's nvme driver does so for its PRP
 * lists). Without a clean the device reads what DRAM held, and the checker says so at the
 * zx_bti_pin line. */
#include "syscall_conformance.h"

#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)
#define NPAGES 4

/* Every case here runs with both fidelity switches off: the address lists are compared with one
 * run of device addresses per pin (expected_addrs), and a device that reads a page the CPU did
 * not clean is expected to see DRAM's zeros. What the cases test is where the call's stores go. */
static const char* const kTidyPlatform[] = {"iommu.scatter=false", "dram.fresh_pages=zero", NULL};
#undef SC_CASE
#define SC_CASE(name)                                                  \
    static void name##_body(void* arg);                                \
    static void name(void) { sc_run(kTidyPlatform, 0, name##_body); } \
    static void name##_body(void* arg __attribute__((unused)))
#undef SC_CASE_CHECKED
#define SC_CASE_CHECKED(name)                                          \
    static void name##_body(void* arg);                                \
    static void name(void) { sc_run(kTidyPlatform, 1, name##_body); } \
    static void name##_body(void* arg __attribute__((unused)))

/* The data VMO (NPAGES pages) pinned with its address list written into `list` (a cached
 * mapped page, itself pinned for device reads at *list_dev). Returns the line of the
 * zx_bti_pin call that wrote the list. */
static unsigned pin_with_list_in(zx_handle_t bti, zx_handle_t list, zx_paddr_t* list_map, zx_paddr_t* list_dev,
                                 zx_handle_t* pmts) {
    zx_handle_t data = sc_vmo(NPAGES * PAGE);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, list, 0, PAGE, list_dev, 1, &pmts[0]), ZX_OK);
    const unsigned line = __LINE__ + 1;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ | ZX_BTI_PERM_WRITE, data, 0, NPAGES * PAGE, list_map, NPAGES, &pmts[1]), ZX_OK);
    return line;
}

/* The device addresses of the last pin (one IOVA run, a page per entry). */
static void expected_addrs(zx_paddr_t* want) {
    sl_pin_info_t info;
    CU_ASSERT_EQUAL_FATAL(sl_shim_pin_info(sl_shim_pin_count() - 1, &info), 0);
    for (unsigned i = 0; i < NPAGES; ++i) want[i] = info.first_device_addr + (uint64_t)i * PAGE;
}

/* Cleaned after the pin: the device reads the list the kernel wrote, and there is nothing to
 * report. */
SC_CASE_CHECKED(test_pin_addrs_cleaned_reach_the_device) {
    zx_handle_t bti = sc_bti(), list = sc_vmo(PAGE), pmts[2];
    zx_paddr_t* map = sc_map(list, PAGE, RW);
    zx_paddr_t list_dev, want[NPAGES], got[NPAGES];
    CU_ASSERT_EQUAL_FATAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    pin_with_list_in(bti, list, map, &list_dev, pmts);
    expected_addrs(want);
    CU_ASSERT_EQUAL(zx_vmo_op_range(list, ZX_VMO_OP_CACHE_CLEAN, 0, PAGE, NULL, 0), ZX_OK);
    sl_shim_sync();
    CU_ASSERT_EQUAL_FATAL(sl_scratch_dma(P, 0, list_dev, got, sizeof got), SL_RESP_OK);
    CU_ASSERT_EQUAL(memcmp(got, want, sizeof want), 0);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmts[1]), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmts[0]), ZX_OK);
    CU_ASSERT_EQUAL(sl_checker_end_of_run(CHK), 0);
    CU_ASSERT_EQUAL(sl_checker_finding_count(CHK), 0);
}

/* Not cleaned: the list is still in the CPU cache, the device reads DRAM's zeros, and the
 * checker reports a stale-device-read whose CPU write is the zx_bti_pin line. */
SC_CASE_CHECKED(test_pin_addrs_not_cleaned_is_stale) {
    zx_handle_t bti = sc_bti(), list = sc_vmo(PAGE), pmts[2];
    zx_paddr_t* map = sc_map(list, PAGE, RW);
    zx_paddr_t list_dev, want[NPAGES], got[NPAGES];
    CU_ASSERT_EQUAL_FATAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    const unsigned line = pin_with_list_in(bti, list, map, &list_dev, pmts);
    expected_addrs(want);
    CU_ASSERT_EQUAL(memcmp(map, want, sizeof want), 0); /* what the CPU sees */
    sl_shim_sync();
    CU_ASSERT_EQUAL_FATAL(sl_scratch_dma(P, 0, list_dev, got, sizeof got), SL_RESP_OK);
    for (unsigned i = 0; i < NPAGES; ++i) CU_ASSERT_EQUAL(got[i], 0); /* what the device sees */
    CU_ASSERT_EQUAL_FATAL(sl_checker_count_kind(CHK, "stale-device-read"), 1);
    sl_finding_t f;
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "stale-device-read")) continue;
        CU_ASSERT_PTR_NOT_NULL(strstr(f.location.file, "test_syscall_results_through_cache.c"));
        CU_ASSERT_EQUAL(f.location.line, line);
        CU_ASSERT_TRUE(f.has_related);
        CU_ASSERT_STRING_EQUAL(f.related_kind, "cpu-write");
        CU_ASSERT_EQUAL(f.related_location.line, line);
    }
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmts[1]), ZX_OK);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmts[0]), ZX_OK);
}

/* A sentinel written through the cache and cleaned and invalidated out of it sits in DRAM;
 * zx_bti_pin then writes the list over it. Reading the page back (through the cache) must
 * give the device addresses, not the sentinel: the kernel's stores are CPU stores. */
SC_CASE(test_pin_addrs_replace_a_sentinel) {
    zx_handle_t bti = sc_bti(), list = sc_vmo(PAGE), pmts[2];
    zx_paddr_t* map = sc_map(list, PAGE, RW);
    zx_paddr_t list_dev, want[NPAGES], got[NPAGES];
    const zx_paddr_t sentinel[NPAGES] = {0x5e5e5e5e5e5e5e5eull, 0x5e5e5e5e5e5e5e5eull, 0x5e5e5e5e5e5e5e5eull,
                                         0x5e5e5e5e5e5e5e5eull};
    CU_ASSERT_EQUAL(zx_vmo_write(list, sentinel, 0, sizeof sentinel), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(list, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, PAGE, NULL, 0), ZX_OK);
    pin_with_list_in(bti, list, map, &list_dev, pmts);
    expected_addrs(want);
    CU_ASSERT_EQUAL(zx_vmo_read(list, got, 0, sizeof got), ZX_OK);
    CU_ASSERT_EQUAL(memcmp(got, want, sizeof want), 0);
    CU_ASSERT_NOT_EQUAL(got[0], sentinel[0]);
}

/* The same for the other results a call writes: each lands in the cached page through the
 * cache model (a plain host store would be lost to the sentinel the next read fills from
 * DRAM). Offsets into one page: 0 size, 64 get_info record, 128 actual, 136 avail, 144
 * duplicated handle, 152 mapped address, 160 interrupt timestamp, 168 new VMO handle. */
SC_CASE(test_results_replace_a_sentinel) {
    zx_handle_t page = sc_vmo(PAGE), vmo = sc_vmo(3 * PAGE), irq = sc_virtual_interrupt();
    uint8_t* p = sc_map(page, PAGE, RW);
    uint8_t sentinel[256], got[256];
    memset(sentinel, 0x5e, sizeof sentinel);
    CU_ASSERT_EQUAL(zx_vmo_write(page, sentinel, 0, sizeof sentinel), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(page, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, PAGE, NULL, 0), ZX_OK);

    zx_info_handle_basic_t basic;
    CU_ASSERT_EQUAL(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, &basic, sizeof basic, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_get_size(vmo, (uint64_t*)(p + 0)), ZX_OK);
    CU_ASSERT_EQUAL(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, p + 64, sizeof basic, (size_t*)(p + 128),
                                       (size_t*)(p + 136)),
                    ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)(p + 144)), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, (zx_vaddr_t*)(p + 152)), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_trigger(irq, 0, 4242), ZX_OK);
    CU_ASSERT_EQUAL(zx_interrupt_wait(irq, (zx_time_t*)(p + 160)), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 0, (zx_handle_t*)(p + 168)), ZX_OK);

    CU_ASSERT_EQUAL_FATAL(zx_vmo_read(page, got, 0, sizeof got), ZX_OK);
    uint64_t size;
    memcpy(&size, got + 0, sizeof size);
    CU_ASSERT_EQUAL(size, 3 * PAGE);
    CU_ASSERT_EQUAL(memcmp(got + 64, &basic, sizeof basic), 0);
    size_t actual, avail;
    memcpy(&actual, got + 128, sizeof actual);
    memcpy(&avail, got + 136, sizeof avail);
    CU_ASSERT_EQUAL(actual, 1);
    CU_ASSERT_EQUAL(avail, 1);
    zx_handle_t dup, created;
    memcpy(&dup, got + 144, sizeof dup);
    CU_ASSERT_EQUAL(zx_object_get_info(dup, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_OK);
    zx_vaddr_t mapped, direct;
    memcpy(&mapped, got + 152, sizeof mapped);
    CU_ASSERT_EQUAL(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, &direct), ZX_OK);
    CU_ASSERT_EQUAL(mapped, direct);
    zx_time_t ts;
    memcpy(&ts, got + 160, sizeof ts);
    CU_ASSERT_EQUAL(ts, 4242);
    memcpy(&created, got + 168, sizeof created);
    CU_ASSERT_EQUAL(zx_object_get_info(created, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_OK);
    /* the sentinel around them is untouched */
    CU_ASSERT_EQUAL(got[8], 0x5e);
    CU_ASSERT_EQUAL(got[176], 0x5e);
}

/* Results in a cached page the driver does not clean stay dirty lines: a device reading the
 * page sees DRAM (a fresh page's zeros), and the checker blames the call that wrote them (here
 * zx_object_get_info). */
SC_CASE_CHECKED(test_get_info_record_not_cleaned_is_stale) {
    zx_handle_t bti = sc_bti(), page = sc_vmo(PAGE), vmo = sc_vmo(PAGE), pmt;
    uint8_t* p = sc_map(page, PAGE, RW);
    zx_paddr_t dev;
    zx_info_handle_basic_t got;
    CU_ASSERT_EQUAL_FATAL(pci_enable_bus_master(&PCI, true), ZX_OK);
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, page, 0, PAGE, &dev, 1, &pmt), ZX_OK);
    const unsigned line = __LINE__ + 1;
    CU_ASSERT_EQUAL(zx_object_get_info(vmo, ZX_INFO_HANDLE_BASIC, p, sizeof got, NULL, NULL), ZX_OK);
    sl_shim_sync();
    CU_ASSERT_EQUAL_FATAL(sl_scratch_dma(P, 0, dev, &got, sizeof got), SL_RESP_OK);
    CU_ASSERT_EQUAL(got.koid, 0); /* DRAM still holds the fresh page's zeros */
    CU_ASSERT_EQUAL_FATAL(sl_checker_count_kind(CHK, "stale-device-read"), 1);
    for (size_t i = 0; i < sl_checker_finding_count(CHK); ++i) {
        sl_finding_t f;
        CU_ASSERT_EQUAL_FATAL(sl_checker_get_finding(CHK, i, &f), 0);
        if (strcmp(f.kind, "stale-device-read")) continue;
        CU_ASSERT_EQUAL(f.location.line, line);
    }
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
}

static const sl_test_t tests[] = {
    SL_TEST(test_pin_addrs_cleaned_reach_the_device),
    SL_TEST(test_pin_addrs_not_cleaned_is_stale),
    SL_TEST(test_pin_addrs_replace_a_sentinel),
    SL_TEST(test_results_replace_a_sentinel),
    SL_TEST(test_get_info_record_not_cleaned_is_stale),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "syscall-results-through-cache", tests, SL_COUNT(tests));
}
