/* The built-in workloads' entry points (registry.c lists them). */
#ifndef SL_WORKLOADS_H
#define SL_WORKLOADS_H

#include "workload.h"

void wl_copy_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_blockio_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_fill_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res);

void wl_ring_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_sgblock_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_stream_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res);
void wl_random_run(const dma_xfer_protocol_t* dma, const sl_workload_params_t* p, sl_workload_result_t* res);

#endif
