#define _GNU_SOURCE
#include "sl_test.h"

#include <jansson.h>
#include <stdarg.h>
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

int sl_test_staleline(const char* args, char** out) {
    char* cmd = NULL;
    if (asprintf(&cmd, "%s %s", sl_test_bin("staleline"), args) < 0) return -1;
    if (out) {
        free(*out);
        *out = NULL;
    }
    int rc = sl_test_run(cmd, out);
    free(cmd);
    if (out && !*out) *out = strdup("");
    return rc;
}

static char* g_saved_asan;

void sl_test_leak_check_off(void) {
    const char* old = getenv("ASAN_OPTIONS");
    free(g_saved_asan);
    g_saved_asan = strdup(old ? old : "");
    char opts[1024];
    snprintf(opts, sizeof opts, "%s%sdetect_leaks=0", g_saved_asan, *g_saved_asan ? ":" : "");
    setenv("ASAN_OPTIONS", opts, 1);
}

void sl_test_leak_check_restore(void) {
    if (g_saved_asan && *g_saved_asan)
        setenv("ASAN_OPTIONS", g_saved_asan, 1);
    else
        unsetenv("ASAN_OPTIONS");
    free(g_saved_asan);
    g_saved_asan = NULL;
}

char* sl_test_slurp(const char* path, size_t* len) {
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* b = malloc(n > 0 ? (size_t)n + 1 : 1);
    size_t got = n > 0 ? fread(b, 1, (size_t)n, f) : 0;
    b[got] = 0;
    fclose(f);
    if (len) *len = got;
    return b;
}

const char* sl_test_tmp_path(const char* suite, const char* tag) {
    static char paths[8][256];
    static int n;
    char* p = paths[n++ % 8];
    snprintf(p, sizeof paths[0], "/tmp/sl_test_%s_%d_%s", suite, (int)getpid(), tag);
    return p;
}

json_t* sl_test_run_json(int* rc, char** out, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *args = NULL, *full = NULL;
    const int n = vasprintf(&args, fmt, ap);
    va_end(ap);
    if (n < 0 || asprintf(&full, "run %s", args) < 0) abort();
    json_t* j = sl_test_staleline_json(full, rc, out);
    if (!j) fprintf(stderr, "no JSON from: staleline %s\n%s", full, out && *out ? *out : "");
    free(args);
    free(full);
    return j;
}

long long sl_test_json_int(json_t* root, const char* key, ...) {
    va_list ap;
    va_start(ap, key);
    json_t* v = root;
    for (const char* k = key; k; k = va_arg(ap, const char*)) v = json_object_get(v, k);
    va_end(ap);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

json_t* sl_test_staleline_json(const char* args, int* rc, char** out) {
    static unsigned n;
    char path[256], *full = NULL;
    snprintf(path, sizeof path, "/tmp/sl_test_%d_%u.json", (int)getpid(), n++);
    unlink(path);
    if (asprintf(&full, "%s --json %s", args, path) < 0) return NULL;
    *rc = sl_test_staleline(full, out);
    free(full);
    json_t* j = json_load_file(path, 0, NULL);
    unlink(path);
    return j;
}
