/* Conformance of the address-space calls to their reference pages: every sentence of the
 * ERRORS section of zx_vmar_map, zx_vmar_unmap and zx_cache_flush (Fuchsia's
 * docs/reference/syscalls/<name>.md) is one case below, quoting it. Conditions the model cannot
 * produce are listed in docs/api-coverage.md ("Documented errors not reproduced").
 *
 * Elsewhere (test_ddk_conformance, test_vmar_map_options): zx_vmar_map's
 * "ZX_VM_SPECIFIC_OVERWRITE and ZX_VM_MAP_RANGE are both specified", "ZX_VM_OFFSET_IS_UPPER_LIMIT
 * is specified together with either ZX_VM_SPECIFIC or ZX_VM_SPECIFIC_OVERWRITE",
 * ZX_ERR_NOT_SUPPORTED (a resizable or discardable VMO without ZX_VM_ALLOW_FAULTS) and
 * ZX_ERR_BUFFER_TOO_SMALL (past the end of the VMO). */
#include "syscall_conformance.h"

#define R ZX_VM_PERM_READ
#define RW (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)

/* ------------------------------------------------------------- zx_vmar_map ---- */

/* vmar_map.md: "ZX_ERR_BAD_HANDLE handle or vmo is not a valid handle." */
SC_CASE(test_vmar_map_bad_handle) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(PAGE);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(root ^ BAD_BIT, R, 0, vmo, 0, PAGE, &va), ZX_ERR_BAD_HANDLE);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo ^ BAD_BIT, 0, PAGE, &va), ZX_ERR_BAD_HANDLE);
}

/* vmar_map.md: "ZX_ERR_WRONG_TYPE handle or vmo is not a VMAR or VMO handle, respectively." */
SC_CASE(test_vmar_map_wrong_type) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(PAGE);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(vmo, R, 0, vmo, 0, PAGE, &va), ZX_ERR_WRONG_TYPE);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, root, 0, PAGE, &va), ZX_ERR_WRONG_TYPE);
}

/* vmar_map.md: "ZX_ERR_BAD_STATE handle refers to a destroyed VMAR." Not reproduced: the only
 * VMAR is the root VMAR, which zx_vmar_destroy (not provided) cannot destroy; mapping through
 * it keeps working after other handles close. */
SC_CASE(test_vmar_map_root_never_destroyed) {
    zx_handle_t root = zx_vmar_root_self(), again = sc_dup(root, ZX_RIGHT_SAME_RIGHTS);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_handle_close(again), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, sc_vmo(PAGE), 0, PAGE, &va), ZX_OK);
}

/* vmar_map.md: "ZX_ERR_INVALID_ARGS for any of the following: mapped_addr or options is not
 * valid." */
SC_CASE(test_vmar_map_invalid_mapped_addr_or_options) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(PAGE);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 0, PAGE, NULL), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 0, PAGE, (zx_vaddr_t*)sc_read_only_page()), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | (1u << 20), 0, vmo, 0, PAGE, &va), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, ZX_VM_PERM_WRITE, 0, vmo, 0, PAGE, &va), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, ZX_VM_PERM_EXECUTE, 0, vmo, 0, PAGE, &va),
                    ZX_ERR_INVALID_ARGS);
    /* the failed calls left no mapping behind: the VMO's policy can still change */
    zx_info_vmo_t info;
    CU_ASSERT_EQUAL(zx_object_get_info(vmo, ZX_INFO_VMO, &info, sizeof info, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(info.num_mappings, 0);
}

/* vmar_map.md: "ZX_ERR_INVALID_ARGS ... vmar_offset is non-zero when none of ZX_VM_SPECIFIC,
 * ZX_VM_SPECIFIC_OVERWRITE or ZX_VM_OFFSET_IS_UPPER_LIMIT is specified." */
SC_CASE(test_vmar_map_offset_without_specific) {
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(zx_vmar_root_self(), R, PAGE, sc_vmo(PAGE), 0, PAGE, &va), ZX_ERR_INVALID_ARGS);
}

/* vmar_map.md: "ZX_ERR_INVALID_ARGS ... vmar_offset and len describe an unsatisfiable
 * allocation due to exceeding the region bounds." */
SC_CASE(test_vmar_map_exceeds_region) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(2 * PAGE);
    zx_info_vmar_t vi;
    zx_vaddr_t va;
    CU_ASSERT_EQUAL_FATAL(zx_object_get_info(root, ZX_INFO_VMAR, &vi, sizeof vi, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC, vi.len, vmo, 0, PAGE, &va), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC, vi.len - PAGE, vmo, 0, 2 * PAGE, &va), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC_OVERWRITE, vi.len, vmo, 0, PAGE, &va), ZX_ERR_INVALID_ARGS);
    /* inside the region: a placement the shim cannot honour (docs/api-coverage.md) */
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC, vi.len - PAGE, vmo, 0, PAGE, &va), ZX_ERR_NOT_SUPPORTED);
}

/* vmar_map.md: "ZX_ERR_INVALID_ARGS ... vmar_offset or vmo_offset is not page-aligned." */
SC_CASE(test_vmar_map_unaligned_offsets) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(2 * PAGE);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC, PAGE + 8, vmo, 0, PAGE, &va), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 8, PAGE, &va), ZX_ERR_INVALID_ARGS);
}

/* vmar_map.md: "ZX_ERR_INVALID_ARGS ... len is 0 or not page-aligned." */
SC_CASE(test_vmar_map_bad_len) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(2 * PAGE);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 0, 0, &va), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 0, PAGE + 1, &va), ZX_ERR_INVALID_ARGS);
}

/* vmar_map.md: "ZX_ERR_ALREADY_EXISTS ZX_VM_SPECIFIC has been specified without
 * ZX_VM_SPECIFIC_OVERWRITE, and the requested range overlaps with another mapping." and
 * "ZX_ERR_NO_RESOURCES If a spot could not be found in the VMAR to create the mapping." Not
 * reproduced: a mapping is the VMO's own buffer, so there is no placement to collide or run
 * out; ZX_VM_SPECIFIC inside the region is ZX_ERR_NOT_SUPPORTED, and two mappings of one VMO
 * share an address. */
SC_CASE(test_vmar_map_no_placement) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(PAGE);
    zx_vaddr_t a, b;
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 0, PAGE, &a), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 0, PAGE, &b), ZX_OK);
    CU_ASSERT_EQUAL(a, b);
    zx_info_vmar_t vi;
    CU_ASSERT_EQUAL_FATAL(zx_object_get_info(root, ZX_INFO_VMAR, &vi, sizeof vi, NULL, NULL), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_SPECIFIC, a - vi.base, vmo, 0, PAGE, &b), ZX_ERR_NOT_SUPPORTED);
}

/* vmar_map.md: "ZX_ERR_ACCESS_DENIED Insufficient privileges to make the requested mapping."
 * (Rights: vmo needs ZX_RIGHT_MAP; ZX_VM_PERM_READ needs ZX_RIGHT_READ, ZX_VM_PERM_WRITE
 * ZX_RIGHT_WRITE, ZX_VM_PERM_EXECUTE ZX_RIGHT_EXECUTE on the vmo.) */
SC_CASE(test_vmar_map_access_denied) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(PAGE);
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, sc_without(vmo, ZX_RIGHT_MAP), 0, PAGE, &va), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, sc_without(vmo, ZX_RIGHT_READ), 0, PAGE, &va), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, RW, 0, sc_without(vmo, ZX_RIGHT_WRITE), 0, PAGE, &va), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R | ZX_VM_PERM_EXECUTE, 0, vmo, 0, PAGE, &va), ZX_ERR_ACCESS_DENIED);
    CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, sc_without(vmo, ZX_RIGHT_WRITE), 0, PAGE, &va), ZX_OK);
}

/* vmar_map.md: "ZX_ERR_NO_MEMORY Failure due to lack of memory." Not reproduced: a mapping
 * allocates nothing here (it points into the VMO's buffer). */
SC_CASE(test_vmar_map_allocates_nothing) {
    zx_handle_t root = zx_vmar_root_self(), vmo = sc_vmo(PAGE);
    zx_vaddr_t va;
    for (int i = 0; i < 1000; ++i) CU_ASSERT_EQUAL(zx_vmar_map(root, R, 0, vmo, 0, PAGE, &va), ZX_OK);
}

/* vmar_map.md: "ZX_ERR_OUT_OF_RANGE vmo_offset + ROUNDUP(len, PAGE_SIZE) overflows." */
SC_CASE(test_vmar_map_out_of_range) {
    zx_vaddr_t va;
    CU_ASSERT_EQUAL(zx_vmar_map(zx_vmar_root_self(), R, 0, sc_vmo(PAGE), UINT64_MAX & ~4095ull, 2 * PAGE, &va),
                    ZX_ERR_OUT_OF_RANGE);
}

/* ----------------------------------------------------------- zx_vmar_unmap ---- */

/* vmar_unmap.md: "ZX_ERR_BAD_HANDLE handle is not a valid handle." */
SC_CASE(test_vmar_unmap_bad_handle) {
    uint8_t* p = sc_map(sc_vmo(PAGE), PAGE, R);
    CU_ASSERT_EQUAL(zx_vmar_unmap(zx_vmar_root_self() ^ BAD_BIT, (zx_vaddr_t)p, PAGE), ZX_ERR_BAD_HANDLE);
}

/* vmar_unmap.md: "ZX_ERR_WRONG_TYPE handle is not a VMAR handle." */
SC_CASE(test_vmar_unmap_wrong_type) {
    zx_handle_t vmo = sc_vmo(PAGE);
    uint8_t* p = sc_map(vmo, PAGE, R);
    CU_ASSERT_EQUAL(zx_vmar_unmap(vmo, (zx_vaddr_t)p, PAGE), ZX_ERR_WRONG_TYPE);
}

/* vmar_unmap.md: "ZX_ERR_INVALID_ARGS addr is not page-aligned, len is 0 or not page-aligned,
 * or the requested range partially overlaps a sub-region, or the requested range overlapped a
 * sub-region and handle did not have ZX_RIGHT_OP_CHILDREN." (There are no sub-regions:
 * zx_vmar_allocate is not provided.) */
SC_CASE(test_vmar_unmap_invalid_args) {
    zx_handle_t root = zx_vmar_root_self();
    uint8_t* p = sc_map(sc_vmo(2 * PAGE), 2 * PAGE, R);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, (zx_vaddr_t)p + 8, PAGE), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, (zx_vaddr_t)p, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, (zx_vaddr_t)p, PAGE + 8), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, (zx_vaddr_t)p, 2 * PAGE), ZX_OK);
}

/* vmar_unmap.md: "ZX_ERR_BAD_STATE handle refers to a destroyed handle." Not reproduced: the
 * root VMAR is never destroyed (see test_vmar_map_root_never_destroyed). */

/* vmar_unmap.md: "ZX_ERR_NOT_FOUND Could not find the requested mapping." */
SC_CASE(test_vmar_unmap_not_found) {
    zx_handle_t root = zx_vmar_root_self();
    uint8_t* p = sc_map(sc_vmo(PAGE), PAGE, R);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, (zx_vaddr_t)p, PAGE), ZX_OK);
    CU_ASSERT_EQUAL(zx_vmar_unmap(root, (zx_vaddr_t)p, PAGE), ZX_ERR_NOT_FOUND);
}

/* ---------------------------------------------------------- zx_cache_flush ---- */

/* cache_flush.md: "ZX_ERR_INVALID_ARGS options is invalid." ("ZX_CACHE_FLUSH_INVALIDATE (valid
 * only when combined with ZX_CACHE_FLUSH_DATA)"; "At least one of ZX_CACHE_FLUSH_DATA and
 * ZX_CACHE_FLUSH_INSN must be included in options.") */
SC_CASE(test_cache_flush_invalid_args) {
    uint8_t* p = sc_map(sc_vmo(PAGE), PAGE, RW);
    CU_ASSERT_EQUAL(zx_cache_flush(p, PAGE, 0), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_cache_flush(p, PAGE, ZX_CACHE_FLUSH_INVALIDATE), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_cache_flush(p, PAGE, ZX_CACHE_FLUSH_INVALIDATE | ZX_CACHE_FLUSH_INSN), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_cache_flush(p, PAGE, ZX_CACHE_FLUSH_DATA | (1u << 3)), ZX_ERR_INVALID_ARGS);
    CU_ASSERT_EQUAL(zx_cache_flush(p, PAGE, ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE), ZX_OK);
    CU_ASSERT_EQUAL(zx_cache_flush(p, PAGE, ZX_CACHE_FLUSH_INSN), ZX_OK);
}

static const sl_test_t tests[] = {
    SL_TEST(test_vmar_map_bad_handle),
    SL_TEST(test_vmar_map_wrong_type),
    SL_TEST(test_vmar_map_root_never_destroyed),
    SL_TEST(test_vmar_map_invalid_mapped_addr_or_options),
    SL_TEST(test_vmar_map_offset_without_specific),
    SL_TEST(test_vmar_map_exceeds_region),
    SL_TEST(test_vmar_map_unaligned_offsets),
    SL_TEST(test_vmar_map_bad_len),
    SL_TEST(test_vmar_map_no_placement),
    SL_TEST(test_vmar_map_access_denied),
    SL_TEST(test_vmar_map_allocates_nothing),
    SL_TEST(test_vmar_map_out_of_range),
    SL_TEST(test_vmar_unmap_bad_handle),
    SL_TEST(test_vmar_unmap_wrong_type),
    SL_TEST(test_vmar_unmap_invalid_args),
    SL_TEST(test_vmar_unmap_not_found),
    SL_TEST(test_cache_flush_invalid_args),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "syscall-conformance-vmar", tests, SL_COUNT(tests));
}
