/* SweepEmit: a sweep as commands for an engine. Each line runs points A..B of the grid
 * (`staleline sweep OPTIONS --out OUT --point A-B`), carries every option that changes a
 * result, and quotes every word for the shell. --emit parallel writes the lines and a
 * `parallel --joblog` line; --emit slurm an array job (capped below MaxArraySize, throttled)
 * and a collect job that runs after it. */
#ifndef STALELINE_SWEEP_EMIT_H
#define STALELINE_SWEEP_EMIT_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    const char* bin;     /* the shell word naming staleline (sweep_bin_word) */
    char** words;        /* the sweep's options after `sweep`, normalised, without --out */
    size_t nwords;
    const char* out_dir; /* absolute */
    size_t points;
} sweep_cmdline_t;

/* s as one shell word: as is when it is plain, else single-quoted. Caller frees. */
char* sweep_shell_word(const char* s);
/* `staleline` when the staleline on PATH is this program, else "${STALELINE:-/abs/path}"
 * (the path as invoked, symlinks kept). Caller frees. */
char* sweep_bin_word(void);
/* The command of points first..last. Caller frees. */
char* sweep_point_line(const sweep_cmdline_t* c, size_t first, size_t last);
/* Lines of at most `batch` points each, to f. */
void sweep_print_lines(const sweep_cmdline_t* c, size_t batch, FILE* f);
/* Write OUT/commands.txt and print the line that runs it with GNU parallel and collects.
 * Returns 0 or -1 (message on stderr). */
int sweep_emit_parallel(const sweep_cmdline_t* c, size_t batch, int jobs, FILE* out);
/* Write OUT/slurm/{points.sbatch,collect.sbatch,submit.sh} and print how to submit.
 * max_array 0: Slurm's MaxArraySize (scontrol), else 1001. */
int sweep_emit_slurm(const sweep_cmdline_t* c, size_t batch, unsigned throttle, unsigned max_array, FILE* out);

#endif
