/* fuzz_config: TOML text and --set assignments into the configuration loader and validation.
 * Input: TOML text up to the first NUL byte (written to a memfd and loaded by path), then
 * "key=value" assignments, one per line. Every call must return 0 or -1, and -1 must come with
 * a message (sl_error); a configuration that validated must survive a clone and validate
 * again. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "staleline/staleline.h"

static void check_rc(int rc, const char* what) {
    if (rc != 0 && rc != -1) {
        fprintf(stderr, "%s returned %d\n", what, rc);
        abort();
    }
    if (rc == -1 && sl_error()[0] == '\0') {
        fprintf(stderr, "%s failed without a message\n", what);
        abort();
    }
}

static int memfd = -1;

static void load_toml(sl_config_t* c, const uint8_t* data, size_t len) {
    if (memfd < 0) memfd = memfd_create("fuzz_config.toml", 0);
    if (memfd < 0) abort();
    if (ftruncate(memfd, 0) != 0) abort();
    if (len && pwrite(memfd, data, len, 0) != (ssize_t)len) abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    check_rc(sl_config_load(c, path), "sl_config_load");
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const uint8_t* nul = memchr(data, 0, size);
    size_t toml_len = nul ? (size_t)(nul - data) : size;
    sl_config_t* c = sl_config_new();
    if (!c) abort();
    load_toml(c, data, toml_len);

    /* assignments: the bytes after the NUL, one per line (a copy, NUL-terminated) */
    if (nul) {
        size_t rest = size - toml_len - 1;
        char* buf = malloc(rest + 1);
        memcpy(buf, nul + 1, rest);
        buf[rest] = '\0';
        for (char *line = buf, *next; line; line = next) {
            next = strchr(line, '\n');
            if (next) *next++ = '\0';
            check_rc(sl_config_set_assignment(c, line), "sl_config_set_assignment");
            /* read back the key it names, in each typed form */
            char key[128];
            const char* eq = strchr(line, '=');
            if (eq && (size_t)(eq - line) < sizeof key) {
                memcpy(key, line, (size_t)(eq - line));
                key[eq - line] = '\0';
                char val[256];
                long long i;
                unsigned long long u;
                int b;
                (void)sl_config_get(c, key, val, sizeof val);
                (void)sl_config_get(c, key, val, 1);
                (void)sl_config_get_int(c, key, &i);
                (void)sl_config_get_size(c, key, &u);
                (void)sl_config_get_bool(c, key, &b);
            }
        }
        free(buf);
    }

    int rc = sl_config_validate(c);
    check_rc(rc, "sl_config_validate");
    sl_config_t* copy = sl_config_clone(c);
    if (!copy) abort();
    if (rc == 0 && sl_config_validate(copy) != 0) {
        fprintf(stderr, "a clone of a valid configuration is invalid: %s\n", sl_error());
        abort();
    }
    sl_config_free(copy);
    sl_config_free(c);
    return 0;
}
