/* Staleline C API: the coherency checker. It watches the cache, the device side, the IOMMU
 * and the PCI host of a platform and reports findings: coherency bugs (stale-device-read,
 * stale-cpu-read, lost-device-write, discarded-cpu-write, shared-cache-line), IOMMU and
 * pinning bugs (iommu-fault, dma-after-unpin, unpin-in-flight, leaked-pin) and
 * bus-master-disabled. docs/findings.md describes every kind.
 *
 * The driver shim reports CPU accesses, cache operations, pins and MMIO writes itself; a test
 * or tool playing the driver calls the functions below in the same places:
 *   after each CPU access through the cache   sl_checker_cpu_access
 *   BEFORE each cache maintenance operation   sl_checker_cache_op
 *   pins, unpins, quarantines                 sl_checker_pin / _unpin / _quarantine
 *   MMIO writes that start device work        sl_checker_mmio_write
 *   device busy / idle (when known)           sl_checker_device_state
 *   at the end                                sl_checker_end_of_run
 * Locations are given as {file, line, function} (NULL: unknown); files under the source root
 * are reported relative to it.
 *
 * The checker belongs to the platform and is destroyed with it: read findings and write
 * SARIF/JSON before sl_platform_destroy(). */
#ifndef STALELINE_CHECKER_H
#define STALELINE_CHECKER_H

#include <stddef.h>
#include <stdint.h>

#include "staleline/cache.h"
#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_checker sl_checker_t;

typedef struct {
    const char* file;     /* NULL or "" when unknown */
    unsigned line;        /* 0 when unknown */
    const char* function; /* NULL or "" when unknown */
} sl_source_location_t;

/* The finding kinds, in a fixed order (index 0 .. SL_FINDING_KIND_COUNT-1). */
#define SL_FINDING_KIND_COUNT 17
/* "stale-device-read", ... for index i, NULL when out of range. */
const char* sl_finding_kind_name(unsigned i);

/* Attach a checker to p (reads checker.*; once per platform: a second call returns the same
 * checker). NULL with sl_error() on failure. */
sl_checker_t* sl_checker_attach(sl_platform_t* p);
/* The checker attached to p, or NULL. */
sl_checker_t* sl_checker_get(sl_platform_t* p);
/* Conservative mode (drivers without access instrumentation); starts as checker.conservative. */
void sl_checker_set_conservative(sl_checker_t* c, int on);

/* ---- what the driver side reports ---- */

/* After a CPU access of [pa, pa+len) through the cache (sl_cpu_read / sl_cpu_write). */
int sl_checker_cpu_access(sl_checker_t* c, uint64_t pa, size_t len, int is_write, const sl_source_location_t* where);
/* Before sl_cache_maintain(op, pa, len): the operation's source location. */
int sl_checker_cache_op(sl_checker_t* c, sl_cache_op_t op, uint64_t pa, size_t len, const sl_source_location_t* where);

#define SL_PIN_DEVICE_READ 1u
#define SL_PIN_DEVICE_WRITE 2u
typedef struct {
    uint64_t device_addr; /* as the device uses it (IOVA; the PA in bypass mode) */
    uint64_t pa;
    uint64_t len;
    uint64_t vmo_offset;
} sl_pin_run_t;
typedef struct {
    int requester;        /* PCI requester id of the device (sl_pci_requester_id), -1 unknown */
    uint64_t vmo;         /* koid of the pinned VMO, 0 unknown */
    unsigned perms;       /* SL_PIN_DEVICE_READ | SL_PIN_DEVICE_WRITE */
    size_t nruns;
    const sl_pin_run_t* runs;
} sl_checker_pin_t;
/* Returns the pin's id (1, 2, ...), or 0 with sl_error() on bad arguments. */
uint64_t sl_checker_pin(sl_checker_t* c, const sl_checker_pin_t* pin, const sl_source_location_t* where);
int sl_checker_unpin(sl_checker_t* c, uint64_t id, const sl_source_location_t* where);
int sl_checker_quarantine(sl_checker_t* c, uint64_t id, const sl_source_location_t* where);
/* A driver MMIO write to device `requester`'s registers (the doorbell later device errors
 * are blamed on). */
int sl_checker_mmio_write(sl_checker_t* c, int requester, uint64_t reg_offset, const sl_source_location_t* where);
/* The device started (busy = 1) or finished (0) its work. */
int sl_checker_device_state(sl_checker_t* c, int requester, int busy);
/* Pages [pa, pa+len) changed owner: forget their history. */
void sl_checker_forget(sl_checker_t* c, uint64_t pa, uint64_t len);
/* Report pins still pinned or quarantined (leaked-pin). Once; later calls do nothing. */
int sl_checker_end_of_run(sl_checker_t* c);

/* ---- findings ---- */

typedef struct {
    const char* kind;            /* stable name */
    const char* message;
    uint64_t address, size;      /* physical range concerned (size 0: no range) */
    int has_device_address;
    uint64_t device_address;
    int requester;               /* -1 unknown */
    uint64_t vmo, vmo_offset;    /* vmo 0: unknown */
    uint64_t time_ns;
    sl_source_location_t location;
    uint64_t count;              /* occurrences merged into this finding */
    int has_related;             /* the earlier event it conflicts with: */
    const char* related_kind;    /* "cpu-write", "device-write", "pin", "unpin", "quarantine", ... */
    uint64_t related_time_ns;
    sl_source_location_t related_location;
    const char* related_message;
    const char* evidence;        /* coherency kinds: "data" (bytes wrong in this run), "order" (the order of
                                  * events proves it), "both"; "" for the other kinds */
} sl_finding_t;

size_t sl_checker_finding_count(sl_checker_t* c);
/* Finding i in order of first occurrence; strings stay valid while the checker lives. 0, or
 * -1 when i is out of range. */
int sl_checker_get_finding(sl_checker_t* c, size_t i, sl_finding_t* out);
/* Findings of one kind (by name); 0 for an unknown name. */
size_t sl_checker_count_kind(sl_checker_t* c, const char* kind);
/* Occurrences dropped by the caps (checker.max_findings, checker.max_per_site). */
uint64_t sl_checker_suppressed(sl_checker_t* c);
/* The driver's call stack of finding i: the number of frames (0 when the location is
 * unknown), and frame k, innermost first (frame 0 is the finding's location, frame 1 the call
 * in its caller ...). 0, or -1 when i or k is out of range. */
size_t sl_checker_finding_stack_depth(sl_checker_t* c, size_t i);
int sl_checker_get_finding_frame(sl_checker_t* c, size_t i, size_t k, sl_source_location_t* out);

/* The findings as a JSON array (`staleline run --json`); malloc'd, the caller frees. */
char* sl_checker_findings_json(sl_checker_t* c);
/* SARIF 2.1.0 log of the findings. 0, or -1 with sl_error() when the file cannot be written. */
int sl_checker_write_sarif(sl_checker_t* c, const char* path);
/* How the run ended, for the SARIF log's invocation (docs/findings.md, Outputs). */
typedef struct {
    int exit_code;               /* the run's exit status */
    int execution_successful;    /* 0: the run did not do what it was asked (wrong data, cut short) */
    const char* notification_id;    /* NULL, or a stable id ("wrong-data-without-finding") ... */
    const char* notification_level; /* "error", "warning" or "note" (NULL: "error") */
    const char* notification;       /* ... and its text */
} sl_sarif_invocation_t;
/* The same log with that invocation (sl_checker_write_sarif says only executionSuccessful). */
int sl_checker_write_sarif_run(sl_checker_t* c, const char* path, const sl_sarif_invocation_t* inv);

/* ---- source locations ---- */

/* Resolve a code address of this process (the executable or a loaded module) to file, line
 * and function with the DWARF line tables. is_return_address: addr is a return address and
 * the call before it is meant. Strings stay valid while the checker lives. 0, or -1 when
 * nothing is known. */
int sl_checker_locate(sl_checker_t* c, const void* addr, int is_return_address, sl_source_location_t* out);

#ifdef __cplusplus
}
#endif
#endif
