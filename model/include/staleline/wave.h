/* Waveforms of the RTL devices as FST or VCD files, with time windows (`staleline run --wave`,
 * docs/waveforms.md). */
#ifndef STALELINE_WAVE_H
#define STALELINE_WAVE_H

#include <stddef.h>
#include <stdint.h>

#include "staleline/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A span of simulated time to record, in ps, both ends included. */
typedef struct sl_wave_window {
    uint64_t from_ps, to_ps;
} sl_wave_window_t;

/* Record the signals of the RTL device in `slot` into `path` from now on: FST when the name
 * ends in .fst, VCD otherwise. windows == NULL: every time step; else only the time steps
 * inside one of the n windows (sorted, disjoint; n == 0: none, the file declares the signals
 * only). 0, or -1 with sl_error() (empty slot, not RTL, file not writable). */
int sl_platform_device_wave(sl_platform_t* p, unsigned slot, const char* path, const sl_wave_window_t* windows,
                            size_t n);
/* Stop recording and complete the file. 0, or -1 with sl_error() when it could not be written. */
int sl_platform_device_wave_finish(sl_platform_t* p, unsigned slot);
/* The signals the waveform declared, by hierarchical name as GTKWave shows them
 * ("top.m_axi_awaddr[63:0]"): count, and name i (valid while the platform exists; NULL out of
 * range). Available once sl_platform_device_wave_finish() returned. */
size_t sl_platform_device_wave_signal_count(sl_platform_t* p, unsigned slot);
const char* sl_platform_device_wave_signal(sl_platform_t* p, unsigned slot, size_t i);

#ifdef __cplusplus
}
#endif

#endif
