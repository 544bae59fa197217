/* Reading a fuzz input as a stream of operands: bytes, integers and "interesting" values
 * (0, page sizes and their neighbours, powers of two, all-ones). Past the end every read
 * gives 0, so any prefix of an input is an input. */
#ifndef SL_FUZZ_INPUT_H
#define SL_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t* p;
    size_t left;
} fz_input_t;

static inline int fz_more(const fz_input_t* in) { return in->left > 0; }

static inline uint8_t fz_u8(fz_input_t* in) {
    if (!in->left) return 0;
    --in->left;
    return *in->p++;
}

static inline uint16_t fz_u16(fz_input_t* in) { return (uint16_t)(fz_u8(in) | fz_u8(in) << 8); }

static inline uint32_t fz_u32(fz_input_t* in) { return (uint32_t)fz_u16(in) | (uint32_t)fz_u16(in) << 16; }

static inline uint64_t fz_u64(fz_input_t* in) { return (uint64_t)fz_u32(in) | (uint64_t)fz_u32(in) << 32; }

/* A size, offset or address: the selector byte says which family the value comes from. */
static inline uint64_t fz_value(fz_input_t* in) {
    uint8_t sel = fz_u8(in);
    uint8_t b = fz_u8(in);
    switch (sel % 8) {
        case 0: return b;                                  /* small */
        case 1: return (uint64_t)b * 4096u;                /* whole pages */
        case 2: return (uint64_t)b * 4096u + (sel & 0x80 ? 1u : (uint64_t)-1); /* one off */
        case 3: return (uint64_t)1 << (b % 64);            /* a power of two */
        case 4: return ((uint64_t)1 << (b % 64)) - 1;      /* a mask */
        case 5: return fz_u64(in);                         /* anything */
        case 6: return UINT64_MAX - b;                     /* near the top */
        default: return (uint64_t)b << 12 | fz_u16(in);    /* up to 1 MiB, unaligned */
    }
}

/* Option bits: none, one, or any. */
static inline uint32_t fz_options(fz_input_t* in) {
    uint8_t sel = fz_u8(in);
    switch (sel % 4) {
        case 0: return 0;
        case 1: return 1u << (fz_u8(in) % 32);
        case 2: return fz_u8(in);
        default: return fz_u32(in);
    }
}

#endif
