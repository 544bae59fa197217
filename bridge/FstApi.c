/* The FST writer of GTKWave's fstapi, compiled from the copy Verilator installs (the same
 * sources Verilator's own FST tracer, verilated_fst_c.cpp, compiles in). WaveWriter.cpp uses it
 * to write FST. Nothing here is ours but the build settings. */
#define FST_CONFIG_INCLUDE "fst_config.h"
#include "gtkwave/fastlz.c"
#include "gtkwave/fstapi.c"
#include "gtkwave/lz4.c"
