/* The FST writer of GTKWave's fstapi, compiled from the copy Verilator installs (the same
 * sources Verilator's own FST tracer, verilated_fst_c.cpp, compiles in). WaveWriter.cpp uses it
 * to write FST. Nothing here is ours but the build settings. */
#define FST_CONFIG_INCLUDE "fst_config.h"
#include "gtkwave/fastlz.c"
#include "gtkwave/fstapi.c"
#include "gtkwave/lz4.c"

/* The size of fstapi's value-change buffer, written out (and compressed) as one block of the
 * file when it fills: 128 MiB by default, growing with the signal count, and not settable
 * through its API. A block is flushed signal by signal, each signal's changes chained through
 * the whole buffer from its last back to its first, so a buffer far larger than the CPU's
 * caches makes the flush a walk of cache misses (most of an FST run's cost). Set right after
 * fstWriterCreate(), before any change is emitted. */
void sl_fst_writer_set_block_bytes(void* ctx, size_t bytes) {
    struct fstWriterContext* xc = (struct fstWriterContext*)ctx;
    if (!xc || bytes < 65536) return;
    xc->fst_break_size = xc->fst_orig_break_size = xc->fst_huge_break_size = bytes;
    xc->fst_break_add_size = xc->fst_orig_break_add_size = bytes / 32 < 65536 ? 65536 : bytes / 32;
    xc->vchg_alloc_siz = xc->fst_break_size + xc->fst_break_add_size;
    xc->vchg_mem = (unsigned char*)realloc(xc->vchg_mem, xc->vchg_alloc_siz);
}
