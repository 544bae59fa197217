#define _GNU_SOURCE
#include "sl_test.h"

#include <CUnit/TestRun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SL_BIN_DIR
#define SL_BIN_DIR "."
#endif

const char* sl_test_bin(const char* name) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", SL_BIN_DIR, name);
    return buf;
}

int sl_test_run(const char* cmd, char** out) {
    char* full = NULL;
    if (asprintf(&full, "%s 2>&1", cmd) < 0) return -1;
    FILE* f = popen(full, "r");
    free(full);
    if (!f) return -1;
    size_t cap = 4096, len = 0;
    char* buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 1024) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    int st = pclose(f);
    if (out) *out = buf;
    else free(buf);
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return -1;
}
