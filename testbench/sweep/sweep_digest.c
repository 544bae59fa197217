#include "sweep_digest.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

static void finish(struct sha256_ctx* ctx, char hex[65]) {
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; ++i) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

void sweep_sha256_text(const char* text, char hex[65]) {
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(text), (const uint8_t*)text);
    finish(&ctx, hex);
}

int sweep_sha256_file(const char* path, char hex[65]) {
    FILE* f = fopen(path, "rb");
    if (!f) return -1;
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    uint8_t buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha256_update(&ctx, n, buf);
    int bad = ferror(f);
    fclose(f);
    if (bad) return -1;
    finish(&ctx, hex);
    return 0;
}
