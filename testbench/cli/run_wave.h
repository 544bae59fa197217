/* `staleline run --wave FILE` and its time windows: options, the first pass that finds the
 * findings' times for --wave-around-findings, and the GTKWave save file written beside the
 * waveform (docs/waveforms.md). */
#ifndef STALELINE_CLI_RUN_WAVE_H
#define STALELINE_CLI_RUN_WAVE_H

#include <stddef.h>
#include <stdint.h>

#include "staleline/checker.h"
#include "staleline/wave.h"

typedef struct run_wave {
    const char* path;                /* --wave FILE; NULL: no waveform */
    uint64_t from_ps, to_ps;         /* --wave-from, --wave-to */
    int has_from, has_to;
    uint64_t around_ps;              /* --wave-around-findings N (µs), in ps */
    int around;
    sl_wave_window_t* windows;       /* NULL: the whole run */
    size_t nwindows;
} run_wave_t;

/* The long options (values from 2000 on), for cmd_run's table. */
#define RUN_WAVE_OPT_WAVE 2000
#define RUN_WAVE_OPT_FROM 2001
#define RUN_WAVE_OPT_TO 2002
#define RUN_WAVE_OPT_AROUND 2003
#define RUN_WAVE_LONG_OPTIONS                                        \
    {"wave", required_argument, 0, RUN_WAVE_OPT_WAVE},               \
    {"wave-from", required_argument, 0, RUN_WAVE_OPT_FROM},          \
    {"wave-to", required_argument, 0, RUN_WAVE_OPT_TO},              \
    {"wave-around-findings", required_argument, 0, RUN_WAVE_OPT_AROUND}

/* "10us", "2.5ms", "1500ns", "0" -> ps. 0, or -1 on anything else. */
int run_wave_parse_time(const char* text, uint64_t* ps);
/* One of the options above. 0, or SL_EXIT_USAGE after printing why. */
int run_wave_option(run_wave_t* w, int opt, const char* arg);
/* After the options: the window options need --wave, from <= to, and --wave does not go with
 * --vcd (vcd_path; one waveform per device). 0 or SL_EXIT_USAGE. */
int run_wave_check(run_wave_t* w, const char* vcd_path);
/* --wave-around-findings: run the same command once without the waveform, in a child process
 * (same configuration and seed, so the same findings at the same times), its summary
 * discarded and its result written as JSON to a temporary file; then the windows are those
 * times ± N µs. Returns 1 in the child, which must carry on as that first run (the pointers
 * are redirected: no waveform, no SARIF, JSON to the temporary file); 0 in the parent once the
 * windows are known; SL_EXIT_USAGE after printing why. Does nothing (0) without the option. */
int run_wave_first_pass(run_wave_t* w, const char** json_path, const char** sarif_path, const char** vcd_path);
/* Start the waveform of the device in `slot`. 0, or SL_EXIT_USAGE after printing why. */
int run_wave_start(run_wave_t* w, sl_platform_t* p, unsigned slot);
/* After the run: complete the file and write the GTKWave save file beside it (FILE with its
 * extension replaced by .gtkw): the AXI channels, registers and interrupts grouped, a named
 * marker at each finding's time (the first 26). 0, or SL_EXIT_USAGE after printing why. */
int run_wave_finish(run_wave_t* w, sl_platform_t* p, unsigned slot, sl_checker_t* chk);
void run_wave_free(run_wave_t* w);

#endif
