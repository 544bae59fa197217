/* The workloads of `staleline run`: the built-in table, workload modules, their parameters
 * from the configuration. The API a workload is written against is staleline/workload.h.
 * Adding a built-in one: a wl_NAME.c with a run function that submits through wl_queue
 * (wl_queue.h), and one line in registry.c. */
#ifndef SL_WORKLOAD_H
#define SL_WORKLOAD_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include <staleline/dmac-protocol.h>

#include <staleline/workload.h>

#include "staleline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

size_t sl_workload_count(void);
const sl_workload_t* sl_workload_at(size_t i);
const sl_workload_t* sl_workload_find(const char* name); /* built-in only; NULL if unknown */
/* A built-in workload by name, else a workload module: NAME.so in $STALELINE_WORKLOAD_PATH,
 * <executable dir>/../lib/workloads, the build's lib/workloads, or a path (a name with '/' or
 * ending in .so). NULL with a message in err (the files tried, or why a module is unusable). */
const sl_workload_t* sl_workload_load(const char* name_or_path, char* err, size_t errlen);
/* Print the built-in workloads and the modules found, one per line, with the protocol each
 * drives (name_of_protocol gives its name). */
void sl_workload_list(FILE* f, const char* (*name_of_protocol)(uint32_t), const char* default_name);
/* The first workload (in table order) that drives protocol proto_id: the default for a driver
 * whose device offers it. NULL if none. */
const sl_workload_t* sl_workload_for_protocol(uint32_t proto_id);

/* Read the parameters from cfg. Returns 0, or -1 with a message in err (naming the key). */
int sl_workload_params_from_config(const sl_config_t* cfg, sl_workload_params_t* out, char* err, size_t errlen);

/* After a run that ended before its workload returned (a driver fault, a time limit): free the
 * blocks the workload's abandoned thread still held (wl_alloc.h). Call once the platform has
 * stopped; a workload that returned holds none. */
void sl_workload_free_abandoned(void);

/* After a run stopped by a limit (its report written): DMA workloads submit nothing more to
 * the driver (a submission waits, without reaching it, until the thread is unwound), so that
 * the run's thread leaves the driver and can be ended without abandoning a call half done. */
void sl_workload_request_stop(void);
/* Whether a DMA workload's thread is inside a call into the driver right now. */
bool sl_workload_in_driver(void);

/* Run a workload: *out zeroed, run, then data_ok settled. */
void sl_workload_run(const sl_workload_t* w, const void* proto, const sl_workload_params_t* params,
                     sl_workload_result_t* out);

#ifdef __cplusplus
}
#endif
#endif
