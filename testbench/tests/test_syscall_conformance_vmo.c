/* Conformance of the VMO system calls to their reference pages: every sentence of the ERRORS
 * section of zx_vmo_create, zx_vmo_create_contiguous, zx_vmo_read, zx_vmo_write,
 * zx_vmo_get_size, zx_vmo_set_cache_policy and zx_vmo_op_range (Fuchsia's
 * docs/reference/syscalls/<name>.md) is one case below, quoting it. Sentences about conditions
 * the model cannot produce (pagers, kernel memory exhaustion, ...) are listed in
 * docs/api-coverage.md ("Documented errors not reproduced") with what the shim returns; where
 * that answer can be observed, the case asserts it.
 *
 * Elsewhere: zx_vmo_read/zx_vmo_write with a bounce buffer, and a BAR as the buffer, are in
 * test_ddk_conformance (test_bounce_buffer_*, test_vmo_copy_user_buffer). */
#include "syscall_conformance.h"

/* ------------------------------------------------------------ zx_vmo_create ---- */

/* vmo_create.md: "ZX_ERR_INVALID_ARGS out is an invalid pointer or NULL or options is any value
 * other than 0." (The page's Description admits ZX_VMO_RESIZABLE and ZX_VMO_DISCARDABLE.) */
SC_CASE(test_vmo_create_invalid_args) {
    zx_handle_t h;
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 0, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 0, (zx_handle_t*)sc_read_only_page()), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 1u << 5, &h), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE, &h), ZX_OK);
}

/* vmo_create.md: "ZX_ERR_NO_MEMORY Failure due to lack of memory." Pages are committed at
 * creation here, so a VMO larger than the platform's RAM (platform.phys_size, 1 GiB) fails. */
SC_CASE(test_vmo_create_no_memory) {
    zx_handle_t h;
    CU_ASSERT_EQUAL(zx_vmo_create(2ull << 30, 0, &h), ZX_ERR_NO_MEMORY);
    CU_ASSERT_EQUAL(zx_vmo_create(PAGE, 0, &h), ZX_OK); /* nothing was kept */
}

/* vmo_create.md: "ZX_ERR_OUT_OF_RANGE Requested size is too large." */
SC_CASE(test_vmo_create_out_of_range) {
    zx_handle_t h;
    CU_ASSERT_EQUAL(zx_vmo_create(UINT64_MAX, 0, &h), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(zx_vmo_create(UINT64_MAX - PAGE + 2, 0, &h), ZX_ERR_OUT_OF_RANGE);
}

/* ------------------------------------------------- zx_vmo_create_contiguous ---- */
/* vmo_create_contiguous.md has no ERRORS section ("TODO(fxbug.dev/32938)"); its Rights
 * section and the kernel (sys_vmo_create_contiguous) give the codes. */

/* vmo_create_contiguous.md: "bti must be of type ZX_OBJ_TYPE_BTI and have ZX_RIGHT_MAP." */
SC_CASE(test_vmo_create_contiguous_bti_handle) {
    zx_handle_t bti = sc_bti(), h;
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti ^ BAD_BIT, PAGE, 0, &h), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(sc_vmo(PAGE), PAGE, 0, &h), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(sc_without(bti, ZX_RIGHT_MAP), PAGE, 0, &h), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, PAGE, 0, &h), ZX_OK);
}

/* Kernel (sys_vmo_create_contiguous): size 0 and an alignment outside [12, 63] (0 meaning a
 * page) are ZX_ERR_INVALID_ARGS, checked before the handle; an out pointer that cannot be
 * written is ZX_ERR_INVALID_ARGS; no contiguous run of RAM that large is ZX_ERR_NO_MEMORY. */
SC_CASE(test_vmo_create_contiguous_kernel_checks) {
    zx_handle_t bti = sc_bti(), h;
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti ^ BAD_BIT, 0, 0, &h), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, PAGE, 11, &h), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, PAGE, 64, &h), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, PAGE, 0, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, PAGE, 0, (zx_handle_t*)sc_read_only_page()), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, 2ull << 30, 0, &h), ZX_ERR_NO_MEMORY);
}

/* ---------------------------------------------------- zx_vmo_read / zx_vmo_write ---- */

/* vmo_read.md, vmo_write.md: "ZX_ERR_BAD_HANDLE handle is not a valid handle." */
SC_CASE(test_vmo_read_write_bad_handle) {
    zx_handle_t vmo = sc_vmo(PAGE);
    char buf[8] = {0};
    CU_ASSERT_EQUAL(zx_vmo_read(vmo ^ BAD_BIT, buf, 0, sizeof buf), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo ^ BAD_BIT, buf, 0, sizeof buf), ZX_ERR_BAD_HANDLE);
}

/* vmo_read.md, vmo_write.md: "ZX_ERR_WRONG_TYPE handle is not a VMO handle." */
SC_CASE(test_vmo_read_write_wrong_type) {
    char buf[8] = {0};
    CU_ASSERT_EQUAL(zx_vmo_read(sc_bti(), buf, 0, sizeof buf), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_vmo_write(zx_vmar_root_self(), buf, 0, sizeof buf), ZX_ERR_WRONG_TYPE);
}

/* vmo_read.md: "ZX_ERR_ACCESS_DENIED handle does not have the ZX_RIGHT_READ right."
 * vmo_write.md: "ZX_ERR_ACCESS_DENIED handle does not have the ZX_RIGHT_WRITE right." */
SC_CASE(test_vmo_read_write_access_denied) {
    zx_handle_t vmo = sc_vmo(PAGE);
    char buf[8] = {0};
    CU_ASSERT_EQUAL(zx_vmo_read(sc_without(vmo, ZX_RIGHT_READ), buf, 0, sizeof buf), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmo_write(sc_without(vmo, ZX_RIGHT_READ), buf, 0, sizeof buf), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_write(sc_without(vmo, ZX_RIGHT_WRITE), buf, 0, sizeof buf), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmo_read(sc_without(vmo, ZX_RIGHT_WRITE), buf, 0, sizeof buf), ZX_OK);
}

/* vmo_read.md, vmo_write.md: "ZX_ERR_INVALID_ARGS buffer is an invalid pointer or NULL." For
 * zx_vmo_read a read-only mapping is memory the kernel cannot write. */
SC_CASE(test_vmo_read_write_invalid_args) {
    zx_handle_t vmo = sc_vmo(PAGE);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, NULL, 0, 8), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, NULL, 0, 8), ZX_ERR_INVALID_ARGS);
    void* ro = sc_read_only_page();
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, ro, 0, 8), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, ro, 0, 8), ZX_OK);
}

/* vmo_read.md, vmo_write.md: "ZX_ERR_NOT_FOUND buffer address does not map to address in
 * address space." */
SC_CASE(test_vmo_read_write_not_found) {
    zx_handle_t vmo = sc_vmo(PAGE);
    void* gone = sc_unmapped_page();
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, gone, 0, 8), ZX_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, gone, 0, 8), ZX_ERR_NOT_FOUND);
    /* a buffer that starts mapped and runs into the unmapped page */
    uint8_t* two = sc_map(sc_vmo(2 * PAGE), 2 * PAGE, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    CU_ASSERT_EQUAL(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)two + PAGE, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, two + PAGE - 8, 0, 16), ZX_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, two + PAGE - 8, 0, 8), ZX_OK);
}

/* vmo_read.md, vmo_write.md: "ZX_ERR_OUT_OF_RANGE offset + buffer_size is greater than the
 * size of the VMO." */
SC_CASE(test_vmo_read_write_out_of_range) {
    zx_handle_t vmo = sc_vmo(PAGE);
    char buf[16] = {0};
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, buf, PAGE - 8, 16), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, buf, PAGE - 8, 16), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, buf, UINT64_MAX - 4, 16), ZX_ERR_OUT_OF_RANGE);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, buf, PAGE - 16, 16), ZX_OK);
}

/* vmo_read.md: "ZX_ERR_BAD_STATE VMO has been marked uncached and is not directly readable"
 * vmo_write.md: "ZX_ERR_BAD_STATE VMO has been marked uncached and is not directly writable." */
SC_CASE(test_vmo_read_write_bad_state) {
    zx_handle_t vmo = sc_vmo(PAGE);
    char buf[8] = {0};
    CU_ASSERT_EQUAL_FATAL(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_read(vmo, buf, 0, sizeof buf), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, buf, 0, sizeof buf), ZX_ERR_BAD_STATE);
}

/* vmo_write.md: "ZX_ERR_NO_MEMORY Failure to allocate system memory to complete write." Not
 * reproduced: every page is committed at creation, so a write never allocates. */
SC_CASE(test_vmo_write_never_allocates) {
    zx_handle_t vmo = sc_vmo(16 * PAGE);
    static char buf[16 * PAGE];
    CU_ASSERT_EQUAL(zx_vmo_write(vmo, buf, 0, sizeof buf), ZX_OK);
}

/* ---------------------------------------------------------- zx_vmo_get_size ---- */

/* vmo_get_size.md: "ZX_ERR_BAD_HANDLE handle is not a valid handle." */
SC_CASE(test_vmo_get_size_bad_handle) {
    uint64_t size;
    CU_ASSERT_EQUAL(zx_vmo_get_size(sc_vmo(PAGE) ^ BAD_BIT, &size), ZX_ERR_BAD_HANDLE);
}

/* vmo_get_size.md: "ZX_ERR_WRONG_TYPE handle is not a VMO handle." */
SC_CASE(test_vmo_get_size_wrong_type) {
    uint64_t size;
    CU_ASSERT_EQUAL(zx_vmo_get_size(sc_bti(), &size), ZX_ERR_WRONG_TYPE);
}

/* vmo_get_size.md: "ZX_ERR_INVALID_ARGS size is an invalid pointer or NULL." */
SC_CASE(test_vmo_get_size_invalid_args) {
    zx_handle_t vmo = sc_vmo(3 * PAGE);
    CU_ASSERT_EQUAL(zx_vmo_get_size(vmo, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_get_size(vmo, (uint64_t*)sc_read_only_page()), ZX_ERR_INVALID_ARGS);
    /* the kernel's copy_to_user answers every fault so, unmapped memory included */
    CU_ASSERT_EQUAL(zx_vmo_get_size(vmo, (uint64_t*)sc_unmapped_page()), ZX_ERR_INVALID_ARGS);
    uint64_t size = 0;
    CU_ASSERT_EQUAL(zx_vmo_get_size(sc_without(vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE), &size), ZX_OK); /* no right */
    CU_ASSERT_EQUAL(size, 3 * PAGE);
}

/* -------------------------------------------------- zx_vmo_set_cache_policy ---- */

/* vmo_set_cache_policy.md: "ZX_ERR_ACCESS_DENIED Cache policy has been configured for this VMO
 * already and may not be changed, or handle lacks the ZX_RIGHT_MAP right." The first part is
 * an older kernel's rule: today's kernel (and the shim) let a policy change again, subject to
 * ZX_ERR_BAD_STATE (the committed pages of a non-cached VMO, below). */
SC_CASE(test_vmo_set_cache_policy_access_denied) {
    zx_handle_t vmo = sc_vmo(PAGE);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(sc_without(vmo, ZX_RIGHT_MAP), ZX_CACHE_POLICY_UNCACHED),
                    ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_WRITE_COMBINING), ZX_ERR_BAD_STATE);
}

/* vmo_set_cache_policy.md: "ZX_ERR_BAD_HANDLE handle is not a valid handle." */
SC_CASE(test_vmo_set_cache_policy_bad_handle) {
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(sc_vmo(PAGE) ^ BAD_BIT, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(sc_bti(), ZX_CACHE_POLICY_UNCACHED), ZX_ERR_WRONG_TYPE);
}

/* vmo_set_cache_policy.md: "ZX_ERR_INVALID_ARGS cache_policy contains flags outside of the ones
 * listed above, or cache_policy contains an invalid mix of cache policy flags." The four
 * policies are the four values of ZX_CACHE_POLICY_MASK, so no mix inside it is invalid. */
SC_CASE(test_vmo_set_cache_policy_invalid_args) {
    zx_handle_t vmo = sc_vmo(PAGE);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(vmo, 4), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(vmo, ZX_CACHE_POLICY_UNCACHED | (1u << 8)), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(vmo ^ BAD_BIT, 4), ZX_ERR_INVALID_ARGS); /* before the handle */
}

/* vmo_set_cache_policy.md: "ZX_ERR_BAD_STATE Cache policy cannot be changed because the VMO is
 * presently mapped, has children, is a child itself, has pinned pages, or has committed pages
 * and the VMO is currently not cached." (No children here: zx_vmo_create_child is not
 * provided.) */
SC_CASE(test_vmo_set_cache_policy_bad_state) {
    zx_handle_t mapped = sc_vmo(PAGE), pinned = sc_vmo(PAGE), uncached = sc_vmo(PAGE), bti = sc_bti(), pmt;
    void* p = sc_map(mapped, PAGE, ZX_VM_PERM_READ);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(mapped, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)p, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(mapped, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
    zx_paddr_t addr;
    CU_ASSERT_EQUAL_FATAL(zx_bti_pin(bti, ZX_BTI_PERM_READ, pinned, 0, PAGE, &addr, 1, &pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(pinned, ZX_CACHE_POLICY_UNCACHED), ZX_ERR_BAD_STATE);
    CU_ASSERT_EQUAL(zx_pmt_unpin(pmt), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(pinned, ZX_CACHE_POLICY_UNCACHED), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(uncached, ZX_CACHE_POLICY_UNCACHED_DEVICE), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(uncached, ZX_CACHE_POLICY_CACHED), ZX_ERR_BAD_STATE);
}

/* vmo_set_cache_policy.md: "ZX_ERR_NOT_SUPPORTED The VMO handle corresponds to is not one
 * holding physical memory." Not reproduced: every VMO of the shim holds physical memory (RAM
 * pages or a BAR), so the change is accepted. */
SC_CASE(test_vmo_set_cache_policy_physical_memory) {
    zx_handle_t contiguous;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create_contiguous(sc_bti(), PAGE, 0, &contiguous), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(sc_vmo(PAGE), ZX_CACHE_POLICY_WRITE_COMBINING), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_set_cache_policy(contiguous, ZX_CACHE_POLICY_UNCACHED_DEVICE), ZX_OK);
}

/* ---------------------------------------------------------- zx_vmo_op_range ---- */

/* vmo_op_range.md: "ZX_ERR_BAD_HANDLE handle is not a valid handle." */
SC_CASE(test_vmo_op_range_bad_handle) {
    CU_ASSERT_EQUAL(zx_vmo_op_range(sc_vmo(PAGE) ^ BAD_BIT, ZX_VMO_OP_CACHE_CLEAN, 0, PAGE, NULL, 0),
                    ZX_ERR_BAD_HANDLE);
}

/* vmo_op_range.md: "ZX_ERR_OUT_OF_RANGE An invalid memory range specified by offset and size." */
SC_CASE(test_vmo_op_range_out_of_range) {
    zx_handle_t vmo = sc_vmo(2 * PAGE);
    const uint32_t ops[] = {ZX_VMO_OP_CACHE_CLEAN, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, ZX_VMO_OP_CACHE_INVALIDATE,
                            ZX_VMO_OP_CACHE_SYNC,  ZX_VMO_OP_COMMIT,                 ZX_VMO_OP_ZERO,
                            ZX_VMO_OP_DECOMMIT};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; ++i) {
        CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ops[i], PAGE, 2 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
        CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ops[i], UINT64_MAX & ~4095ull, 2 * PAGE, NULL, 0), ZX_ERR_OUT_OF_RANGE);
    }
}

/* vmo_op_range.md: "ZX_ERR_NO_MEMORY Allocations to commit pages for ZX_VMO_OP_COMMIT or
 * ZX_VMO_OP_ZERO failed." Not reproduced: the pages are committed at creation, so neither
 * allocates. */
SC_CASE(test_vmo_op_range_never_allocates) {
    zx_handle_t vmo = sc_vmo(4 * PAGE);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, 4 * PAGE, NULL, 0), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_ZERO, 0, 4 * PAGE, NULL, 0), ZX_OK);
}

/* vmo_op_range.md: "ZX_ERR_WRONG_TYPE handle is not a VMO handle." */
SC_CASE(test_vmo_op_range_wrong_type) {
    CU_ASSERT_EQUAL(zx_vmo_op_range(sc_bti(), ZX_VMO_OP_CACHE_CLEAN, 0, PAGE, NULL, 0), ZX_ERR_WRONG_TYPE);
}

/* vmo_op_range.md: "ZX_ERR_ACCESS_DENIED handle does not have sufficient rights to perform the
 * operation." (Rights: CACHE_CLEAN, CACHE_CLEAN_INVALIDATE, CACHE_SYNC need ZX_RIGHT_READ;
 * CACHE_INVALIDATE, COMMIT, DECOMMIT, ZERO need ZX_RIGHT_WRITE.) */
SC_CASE(test_vmo_op_range_access_denied) {
    zx_handle_t vmo = sc_vmo(PAGE), no_read = sc_without(vmo, ZX_RIGHT_READ), no_write = sc_without(vmo, ZX_RIGHT_WRITE);
    const uint32_t read_ops[] = {ZX_VMO_OP_CACHE_CLEAN, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, ZX_VMO_OP_CACHE_SYNC};
    const uint32_t write_ops[] = {ZX_VMO_OP_CACHE_INVALIDATE, ZX_VMO_OP_COMMIT, ZX_VMO_OP_ZERO, ZX_VMO_OP_DECOMMIT};
    for (size_t i = 0; i < 3; ++i) {
        CU_ASSERT_EQUAL(zx_vmo_op_range(no_read, read_ops[i], 0, PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
        CU_ASSERT_EQUAL(zx_vmo_op_range(no_write, read_ops[i], 0, PAGE, NULL, 0), ZX_OK);
    }
    for (size_t i = 0; i < 4; ++i) {
        CU_ASSERT_EQUAL(zx_vmo_op_range(no_write, write_ops[i], 0, PAGE, NULL, 0), ZX_ERR_ACCESS_DENIED);
        /* DECOMMIT passes the right check, then no VMO allows it (next cases) */
        CU_ASSERT_EQUAL(zx_vmo_op_range(no_read, write_ops[i], 0, PAGE, NULL, 0),
                        write_ops[i] == ZX_VMO_OP_DECOMMIT ? ZX_ERR_NOT_SUPPORTED : ZX_OK);
    }
}

/* vmo_op_range.md: "ZX_ERR_INVALID_ARGS buffer is an invalid pointer (if required by the
 * operation), op is not a valid operation, size is zero and op is a cache operation, or op was
 * ZX_VMO_OP_DECOMMIT and range was not page aligned." (Only ZX_VMO_OP_LOCK uses buffer, and it
 * is ZX_ERR_NOT_SUPPORTED before buffer is looked at: see the next case.) */
SC_CASE(test_vmo_op_range_invalid_args) {
    zx_handle_t vmo = sc_vmo(2 * PAGE);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, 99, 0, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_CLEAN, 0, 0, NULL, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, 0, NULL, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 100, PAGE, NULL, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, 100, NULL, 0), ZX_ERR_INVALID_ARGS);
}

/* vmo_op_range.md: "ZX_ERR_NOT_SUPPORTED op was ZX_VMO_OP_LOCK, ZX_VMO_OP_TRY_LOCK or
 * ZX_VMO_OP_UNLOCK and the VMO is not discardable, or op was ZX_VMO_OP_DECOMMIT and the
 * underlying VMO does not allow decommiting, ..." No VMO allows it here: its pages cannot be
 * given back while the models alias them (docs/api-coverage.md). */
SC_CASE(test_vmo_op_range_not_supported) {
    zx_handle_t vmo = sc_vmo(PAGE), contiguous;
    zx_vmo_lock_state_t state;
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_LOCK, 0, PAGE, &state, sizeof state), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create_contiguous(sc_bti(), PAGE, 0, &contiguous), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(contiguous, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
}

/* vmo_op_range.md: "... or op was ZX_VMO_OP_CACHE_INVALIDATE and
 * kernel.enable-debugging-syscalls is false." (shim.allow_cache_invalidate=false) */
SC_CASE_CONFIG(test_vmo_op_range_invalidate_not_supported, "shim.allow_cache_invalidate=false") {
    zx_handle_t vmo = sc_vmo(PAGE);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, PAGE, NULL, 0), ZX_OK);
}

/* vmo_op_range.md: "ZX_ERR_UNAVAILABLE op was ZX_VMO_OP_TRY_LOCK, the VMO was discardable and
 * the VMO has been discarded by the kernel." and "ZX_ERR_BAD_STATE ... op was ZX_VMO_OP_UNLOCK,
 * the VMO is discardable and the VMO was not previously locked." Not reproduced: the lock
 * operations are not modelled (a discardable VMO never loses its pages) and answer
 * ZX_ERR_NOT_SUPPORTED. The pager sentences (ZX_ERR_BAD_STATE, ZX_ERR_IO,
 * ZX_ERR_IO_DATA_INTEGRITY for ZX_VMO_OP_COMMIT) need a pager, which is not provided. */
SC_CASE(test_vmo_op_range_lock_family_unmodelled) {
    zx_handle_t vmo;
    CU_ASSERT_EQUAL_FATAL(zx_vmo_create(PAGE, ZX_VMO_DISCARDABLE, &vmo), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_TRY_LOCK, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_UNLOCK, 0, PAGE, NULL, 0), ZX_ERR_NOT_SUPPORTED);
    CU_ASSERT_EQUAL(zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, 0, PAGE, NULL, 0), ZX_OK);
}

static const sl_test_t tests[] = {
    SL_TEST(test_vmo_create_invalid_args),
    SL_TEST(test_vmo_create_no_memory),
    SL_TEST(test_vmo_create_out_of_range),
    SL_TEST(test_vmo_create_contiguous_bti_handle),
    SL_TEST(test_vmo_create_contiguous_kernel_checks),
    SL_TEST(test_vmo_read_write_bad_handle),
    SL_TEST(test_vmo_read_write_wrong_type),
    SL_TEST(test_vmo_read_write_access_denied),
    SL_TEST(test_vmo_read_write_invalid_args),
    SL_TEST(test_vmo_read_write_not_found),
    SL_TEST(test_vmo_read_write_out_of_range),
    SL_TEST(test_vmo_read_write_bad_state),
    SL_TEST(test_vmo_write_never_allocates),
    SL_TEST(test_vmo_get_size_bad_handle),
    SL_TEST(test_vmo_get_size_wrong_type),
    SL_TEST(test_vmo_get_size_invalid_args),
    SL_TEST(test_vmo_set_cache_policy_access_denied),
    SL_TEST(test_vmo_set_cache_policy_bad_handle),
    SL_TEST(test_vmo_set_cache_policy_invalid_args),
    SL_TEST(test_vmo_set_cache_policy_bad_state),
    SL_TEST(test_vmo_set_cache_policy_physical_memory),
    SL_TEST(test_vmo_op_range_bad_handle),
    SL_TEST(test_vmo_op_range_out_of_range),
    SL_TEST(test_vmo_op_range_never_allocates),
    SL_TEST(test_vmo_op_range_wrong_type),
    SL_TEST(test_vmo_op_range_access_denied),
    SL_TEST(test_vmo_op_range_invalid_args),
    SL_TEST(test_vmo_op_range_not_supported),
    SL_TEST(test_vmo_op_range_invalidate_not_supported),
    SL_TEST(test_vmo_op_range_lock_family_unmodelled),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "syscall-conformance-vmo", tests, SL_COUNT(tests));
}
