/* The built-in workloads' entry points (registry.c lists them). */
#ifndef SL_WORKLOADS_H
#define SL_WORKLOADS_H

#include "workload.h"

void wl_copy_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_blockio_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_fill_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);

void wl_ring_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_sgblock_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_stream_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_random_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);

#include <ddk/driver.h> /* ZX_PROTOCOL_ETHMAC */
void wl_ethmac_loopback_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);
/* ZX_PROTOCOL_BLOCK_IMPL (ddk/driver.h) */
void wl_block_run(const void* proto, const sl_workload_params_t* p, sl_workload_result_t* res);

#endif
