/* SHA-256, for the digest that ties a point's result to the command that made it. */
#ifndef STALELINE_SWEEP_DIGEST_H
#define STALELINE_SWEEP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t fill;
} sweep_sha256_t;

void sweep_sha256_init(sweep_sha256_t* s);
void sweep_sha256_update(sweep_sha256_t* s, const void* data, size_t n);
/* 64 lowercase hex digits and a NUL into hex[65]. */
void sweep_sha256_hex(sweep_sha256_t* s, char hex[65]);
/* The digest of a string / of a file's bytes (-1 when it cannot be read). */
void sweep_sha256_text(const char* text, char hex[65]);
int sweep_sha256_file(const char* path, char hex[65]);

#endif
