/* Staleline C API: the model-independent core of the Zircon shim (handle table and the
 * argument checks of zx_bti_pin, zx_vmo_op_range and zx_cache_flush), for tests and tools.
 * Drivers do not use this header; they use <zircon/syscalls.h>. */
#ifndef STALELINE_ZX_CORE_H
#define STALELINE_ZX_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- handle table of the simulated driver process ---- */

/* Replace the handle table with an empty one (old handles become invalid). mixer is the XOR
 * mask of handle values (low two bits ignored); capacity the most handles open at once
 * (at most 256 Ki). */
void sl_zx_reset_handles(uint32_t mixer, size_t capacity);

/* Open handles in the table. */
size_t sl_zx_handle_table_size(void);

/* A plain kernel object of type, reached through a new handle with rights. */
zx_status_t sl_zx_test_object_create(zx_obj_type_t type, zx_rights_t rights, zx_handle_t* out);

/* Plain objects still alive, and how many times one lost its last handle. */
size_t sl_zx_test_objects_alive(void);
size_t sl_zx_test_zero_handle_events(void);

/* Resolve a handle as the shim does: ZX_ERR_BAD_HANDLE, then ZX_ERR_WRONG_TYPE (type
 * ZX_OBJ_TYPE_NONE accepts any), then ZX_ERR_ACCESS_DENIED (a right in required missing). */
zx_status_t sl_zx_handle_check(zx_handle_t handle, zx_obj_type_t type, zx_rights_t required);

/* Take a handle out of the table whatever it names (zx_pmt_unpin does this before it checks
 * the type); *out_type (optional) gets the object's type. ZX_ERR_BAD_HANDLE. */
zx_status_t sl_zx_handle_take(zx_handle_t handle, zx_obj_type_t* out_type);

/* ---- zx_bti_pin argument checks ---- */

typedef struct {
  /* the call */
  uint32_t options;
  uint64_t offset;
  uint64_t size;
  size_t addrs_count;
  bool addrs_given;          /* addrs != NULL */
  bool pmt_given;            /* pmt != NULL */
  /* the objects */
  zx_rights_t vmo_rights;
  uint64_t vmo_size;
  bool vmo_contiguous;
  uint64_t minimum_contiguity;
  bool bti_quarantine_empty;
} sl_bti_pin_args_t;

typedef struct {
  uint32_t device_perms;     /* ZX_BTI_PERM_* granted */
  bool compress;
  bool contiguous;
  size_t addrs_count;        /* entries the call writes */
  uint64_t run_bytes;        /* bytes per entry */
  const char* reason;        /* the rule that failed ("" on success) */
} sl_bti_pin_plan_t;

/* Status zx_bti_pin returns for args once both handles resolved (plan may be NULL). */
zx_status_t sl_zx_check_bti_pin(const sl_bti_pin_args_t* args, sl_bti_pin_plan_t* plan);

/* ---- cache operation checks ---- */

typedef struct {
  bool clean;
  bool invalidate;
  bool sync_insn;
  const char* reason;        /* the rule that failed ("" on success) */
} sl_cache_maintenance_t;

/* Status zx_vmo_op_range returns once the VMO handle resolved with rights; out (optional)
 * gets the maintenance a cache op asks for. allow_invalidate: shim.allow_cache_invalidate. */
zx_status_t sl_zx_check_vmo_op_range(uint32_t op, uint64_t offset, uint64_t size,
                                     uint64_t vmo_size, zx_rights_t rights, bool allow_invalidate,
                                     sl_cache_maintenance_t* out);

/* Status zx_cache_flush returns for options; out (optional) as above. */
zx_status_t sl_zx_check_cache_flush(uint32_t options, sl_cache_maintenance_t* out);

#ifdef __cplusplus
}
#endif
#endif
