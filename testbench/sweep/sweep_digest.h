/* SHA-256 (Nettle's), for the digest that ties a point's result to the command that made it. */
#ifndef STALELINE_SWEEP_DIGEST_H
#define STALELINE_SWEEP_DIGEST_H

/* 64 lowercase hex digits and a NUL into hex[65]: the digest of a string / of a file's bytes
 * (-1 when it cannot be read). */
void sweep_sha256_text(const char* text, char hex[65]);
int sweep_sha256_file(const char* path, char hex[65]);

#endif
