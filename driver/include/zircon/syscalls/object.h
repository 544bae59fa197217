/* zircon/syscalls/object.h: zx_object_get_info topics and records (the ones a driver uses). */
#ifndef SYSROOT_ZIRCON_SYSCALLS_OBJECT_H_
#define SYSROOT_ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/types.h>

__BEGIN_CDECLS

typedef uint32_t zx_object_info_topic_t;
#define ZX_INFO_NONE ((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID ((zx_object_info_topic_t)1u)   /* no record */
#define ZX_INFO_HANDLE_BASIC ((zx_object_info_topic_t)2u)   /* zx_info_handle_basic_t[1] */
#define ZX_INFO_PROCESS ((zx_object_info_topic_t)3u)
#define ZX_INFO_PROCESS_THREADS ((zx_object_info_topic_t)4u)
#define ZX_INFO_VMAR ((zx_object_info_topic_t)7u)           /* zx_info_vmar_t[1] */
#define ZX_INFO_JOB_CHILDREN ((zx_object_info_topic_t)8u)
#define ZX_INFO_JOB_PROCESSES ((zx_object_info_topic_t)9u)
#define ZX_INFO_THREAD ((zx_object_info_topic_t)10u)
#define ZX_INFO_THREAD_EXCEPTION_REPORT ((zx_object_info_topic_t)11u)
#define ZX_INFO_TASK_STATS ((zx_object_info_topic_t)12u)
#define ZX_INFO_PROCESS_MAPS ((zx_object_info_topic_t)13u)
#define ZX_INFO_PROCESS_VMOS ((zx_object_info_topic_t)14u)
#define ZX_INFO_THREAD_STATS ((zx_object_info_topic_t)15u)
#define ZX_INFO_CPU_STATS ((zx_object_info_topic_t)16u)
#define ZX_INFO_KMEM_STATS ((zx_object_info_topic_t)17u)
#define ZX_INFO_RESOURCE ((zx_object_info_topic_t)18u)
#define ZX_INFO_HANDLE_COUNT ((zx_object_info_topic_t)19u)  /* zx_info_handle_count_t[1] */
#define ZX_INFO_BTI ((zx_object_info_topic_t)20u)           /* zx_info_bti_t[1] */
#define ZX_INFO_PROCESS_HANDLE_STATS ((zx_object_info_topic_t)21u)
#define ZX_INFO_SOCKET ((zx_object_info_topic_t)22u)
#define ZX_INFO_VMO ((zx_object_info_topic_t)23u)           /* zx_info_vmo_t[1] */
#define ZX_INFO_JOB ((zx_object_info_topic_t)24u)
#define ZX_INFO_TIMER ((zx_object_info_topic_t)25u)
#define ZX_INFO_STREAM ((zx_object_info_topic_t)26u)
#define ZX_INFO_HANDLE_TABLE ((zx_object_info_topic_t)27u)
#define ZX_INFO_MSI ((zx_object_info_topic_t)28u)

typedef uint32_t zx_obj_props_t;
#define ZX_OBJ_PROP_NONE ((zx_obj_props_t)0u)
#define ZX_OBJ_PROP_WAITABLE ((zx_obj_props_t)1u)

typedef struct zx_info_handle_basic {
  zx_koid_t koid;            /* unique id of the object */
  zx_rights_t rights;        /* rights of this handle */
  zx_obj_type_t type;        /* ZX_OBJ_TYPE_* */
  zx_koid_t related_koid;    /* koid of a related object (e.g. the parent), else 0 */
  zx_obj_props_t props;      /* ZX_OBJ_PROP_WAITABLE if the object can be waited on */
  uint8_t padding1[4];
} zx_info_handle_basic_t;

typedef struct zx_info_handle_count {
  uint32_t handle_count;     /* outstanding handles to the object */
} zx_info_handle_count_t;

typedef struct zx_info_vmar {
  uintptr_t base;            /* base address of the region */
  size_t len;                /* length in bytes */
} zx_info_vmar_t;

typedef struct zx_info_bti {
  /* zx_bti_pin() can always return runs contiguous for at least this many bytes: with
   * 1 MiB, pinning 2 MiB gives at most two physically contiguous runs, 2.5 MiB at most three. */
  uint64_t minimum_contiguity;
  /* Bytes in the device's address space (UINT64_MAX if 2^64). */
  uint64_t aspace_size;
  /* Pinned memory tokens alive on this BTI (informative). */
  uint64_t pmo_count;
  /* Quarantined pinned memory tokens, i.e. PMTs closed without zx_pmt_unpin() (informative). */
  uint64_t quarantine_count;
} zx_info_bti_t;

/* zx_info_vmo_t.flags */
#define ZX_INFO_VMO_TYPE_PAGED (1u << 0)
#define ZX_INFO_VMO_TYPE_PHYSICAL (0u << 0)
#define ZX_INFO_VMO_TYPE(flags) ((flags) & (1u << 0))
#define ZX_INFO_VMO_RESIZABLE (1u << 1)
#define ZX_INFO_VMO_IS_COW_CLONE (1u << 2)
#define ZX_INFO_VMO_VIA_HANDLE (1u << 3)
#define ZX_INFO_VMO_VIA_MAPPING (1u << 4)
#define ZX_INFO_VMO_PAGER_BACKED (1u << 5)
#define ZX_INFO_VMO_CONTIGUOUS (1u << 6)

typedef struct zx_info_vmo {
  zx_koid_t koid;
  char name[ZX_MAX_NAME_LEN];
  uint64_t size_bytes;
  zx_koid_t parent_koid;
  size_t num_children;
  size_t num_mappings;
  size_t share_count;
  uint32_t flags;            /* ZX_INFO_VMO_* */
  uint8_t padding1[4];
  uint64_t committed_bytes;
  zx_rights_t handle_rights;
  uint32_t cache_policy;     /* ZX_CACHE_POLICY_* */
  uint64_t metadata_bytes;
  uint64_t committed_change_events;
} zx_info_vmo_t;

__END_CDECLS

#endif /* SYSROOT_ZIRCON_SYSCALLS_OBJECT_H_ */
