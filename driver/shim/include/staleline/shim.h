/* Staleline C API of the driver shim: attach the Zircon/DDK runtime to a platform, load and
 * bind driver modules, find the devices they publish, and read the pin registry and the
 * shim's counters. For the CLI, workloads and tests; drivers use <zircon/...> and <ddk/...>.
 *
 * Executables that call this API (or load drivers) link the shim with
 * staleline_use_shim(target) (cmake/StalelineDriver.cmake), which also exports the shim's
 * symbols to the driver modules. */
#ifndef STALELINE_SHIM_H
#define STALELINE_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ddk/driver.h>
#include <zircon/types.h>

#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- runtime ---- */

/* Attach the shim to p (the first call; later calls with the same p are no-ops) and return the
 * device node of PCI slot `slot`: the parent a driver binds to, offering ZX_PROTOCOL_PCI.
 * NULL when the slot is empty or attaching failed (sl_error() says why). The runtime detaches
 * itself when p is destroyed. */
zx_device_t* sl_shim_attach(sl_platform_t* p, unsigned slot);
/* Whether a runtime is attached. */
bool sl_shim_attached(void);

/* From a simulated thread: let the kernel catch up with the thread's local time (temporal
 * decoupling), e.g. before calling model APIs such as sl_scratch_dma(). */
void sl_shim_sync(void);
/* The calling thread's simulated time in ns, including its local offset. */
uint64_t sl_shim_now_ns(void);

/* Where driver log lines (zxlogf) and shim diagnostics go (NULL: stderr). */
void sl_shim_set_log(FILE* f);
/* From now on the shim's own costs (shim.syscall_ns, shim.pin_page_ns, shim.mmio_extra_ns,
 * iommu.invalidation_ns) are at most their defaults: for the release of a run whose report is
 * already written, where time no longer counts and a slow configuration must not keep the
 * driver from being released. (Not zero: a driver's polling loop needs time to pass.) */
void sl_shim_cap_costs_at_defaults(void);

/* ---- drivers ---- */

typedef struct sl_driver sl_driver_t;

/* Load a driver module by name (NAME.so in $STALELINE_DRIVER_PATH, <exe dir>/../lib/drivers,
 * the build's lib/drivers) or by path. NULL with sl_error() on failure. Needs an attached
 * runtime. */
sl_driver_t* sl_driver_load(sl_platform_t* p, const char* name_or_path);

/* Whether the driver's bind program accepts the PCI function in slot. */
bool sl_driver_matches(const sl_driver_t* d, unsigned slot);

/* Run ops->init (once) and ops->bind(ctx, parent of slot). Called from a simulated thread it
 * runs there and returns bind's status; called outside (before sl_platform_run) it starts a
 * simulated thread and returns ZX_OK, the result being sl_driver_bind_status() after the run.
 * ZX_ERR_NOT_FOUND empty slot, ZX_ERR_NOT_SUPPORTED the bind program rejects the function,
 * ZX_ERR_BAD_STATE already bound or released. */
zx_status_t sl_driver_bind(sl_driver_t* d, unsigned slot);
/* ZX_ERR_SHOULD_WAIT while bind has not run; then init's error or bind's status. */
zx_status_t sl_driver_bind_status(const sl_driver_t* d);

/* Unbind: every device the driver added gets its unbind hook (or is removed), then the
 * release hooks run, then ops->release(ctx). Same threading rules as sl_driver_bind.
 * ZX_ERR_BAD_STATE if already released. */
zx_status_t sl_driver_release(sl_driver_t* d);

const char* sl_driver_name(const sl_driver_t* d);  /* from ZIRCON_DRIVER_BEGIN */
const char* sl_driver_path(const sl_driver_t* d);
/* Built with access instrumentation (staleline_add_driver without UNINSTRUMENTED): its plain
 * loads and stores are observed. An uninstrumented driver needs the checker's conservative
 * mode (sl_checker_set_conservative). */
bool sl_driver_instrumented(const sl_driver_t* d);

/* Devices the driver added (removed ones included), in order. */
size_t sl_driver_device_count(const sl_driver_t* d);
zx_device_t* sl_driver_device(const sl_driver_t* d, size_t i);

/* ---- devices ---- */

/* The first device not removed with this name (device_add's args.name), or NULL. */
zx_device_t* sl_device_find(const char* name);
/* What device_add recorded: the protocol id and ops table it offers, and its ctx. Returns
 * ZX_ERR_INVALID_ARGS for NULL dev. Any out pointer may be NULL. */
zx_status_t sl_device_info(zx_device_t* dev, uint32_t* proto_id, void** proto_ops, void** ctx, bool* removed);

/* ---- pin registry ---- */

typedef enum { SL_PIN_PINNED = 0, SL_PIN_QUARANTINED = 1, SL_PIN_UNPINNED = 2 } sl_pin_state_t;

typedef struct {
    uint64_t id;              /* 1, 2, ... in pin order */
    zx_koid_t pmt_koid, vmo_koid, bti_koid;
    unsigned slot;
    uint64_t vmo_offset, size;
    uint32_t options;         /* as passed to zx_bti_pin */
    uint32_t device_perms;    /* ZX_BTI_PERM_* */
    uint64_t first_device_addr;
    size_t runs;              /* physically contiguous pieces */
    sl_pin_state_t state;
    uint64_t pinned_ns, unpinned_ns;
    const void* pin_pc;       /* return address of the zx_bti_pin call */
} sl_pin_info_t;

/* Pins made in the run (live or not); live = pinned or quarantined. Pin i (0, 1, ... in pin
 * order) stays readable while live and, once unpinned, while the registry keeps it: until a
 * newer unpinned pin of the device starts at the same addresses, at most for the 4096 most
 * recently unpinned pins. */
size_t sl_shim_pin_count(void);
size_t sl_shim_live_pin_count(void);
int sl_shim_pin_info(size_t i, sl_pin_info_t* out);  /* 0, or -1 when i is out of range or dropped */
/* The pin through which requester rid reaches device address dev_addr: the live one, else the
 * most recently unpinned one kept (a DMA after unpin). Its index for sl_shim_pin_info(), or -1. */
long sl_shim_find_pin(uint16_t rid, uint64_t dev_addr);

/* "file.c:LINE (function)" for a return address in driver code (module+offset without debug
 * information). Returns the length written (truncated to len - 1). */
size_t sl_shim_describe_pc(const void* pc, char* buf, size_t len);

/* ---- misuses the simulated kernel accepts ---- */

/* Warnings of the run so far (e.g. "cached-bar-mapping": a BAR mapped with a cacheable
 * policy), each logged when it happens with the source line of the call. */
size_t sl_shim_warning_count(void);
/* Kind and message (with the source location) of warning i; -1 when i is out of range. */
int sl_shim_warning(size_t i, char* kind, size_t kind_len, char* message, size_t message_len);

/* ---- statistics and test helpers ---- */

typedef struct {
    uint64_t syscalls;          /* shim calls (Zircon, DDK, PCI protocol) */
    uint64_t hook_calls;        /* access hooks that hit simulated memory */
    uint64_t observed_accesses; /* page pieces passed to the cache model */
    uint64_t mmio_reads, mmio_writes, mmio_errors;
    uint64_t vmos_created, pins, unpins;
} sl_shim_stats_t;
void sl_shim_get_stats(sl_shim_stats_t* out);

/* Physical address of byte `offset` of a RAM VMO. ZX_ERR_OUT_OF_RANGE past its end. */
zx_status_t sl_shim_vmo_phys(zx_handle_t vmo, uint64_t offset, uint64_t* pa);

#ifdef __cplusplus
}
#endif
#endif
