/* sl_tb_run_* (staleline/testbench.h): one `staleline run` process per run, its summary
 * captured and its --json result read back with jansson. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "staleline/testbench.h"

#ifndef SL_TB_STALELINE
#define SL_TB_STALELINE "staleline"
#endif

struct sl_tb_run {
    char** argv;  /* staleline run ... */
    size_t argc, cap;
    char* output;
    json_t* result;
};

static void push(sl_tb_run_t* r, const char* a) {
    if (r->argc + 2 > r->cap) {
        r->cap = r->cap ? 2 * r->cap : 16;
        r->argv = realloc(r->argv, r->cap * sizeof *r->argv);
    }
    r->argv[r->argc++] = strdup(a);
    r->argv[r->argc] = NULL;
}

sl_tb_run_t* sl_tb_run_new(void) {
    sl_tb_run_t* r = calloc(1, sizeof *r);
    const char* bin = getenv("STALELINE");
    push(r, bin && *bin ? bin : SL_TB_STALELINE);
    push(r, "run");
    return r;
}

void sl_tb_run_free(sl_tb_run_t* r) {
    if (!r) return;
    for (size_t i = 0; i < r->argc; ++i) free(r->argv[i]);
    free(r->argv);
    free(r->output);
    json_decref(r->result);
    free(r);
}

static void option(sl_tb_run_t* r, const char* opt, const char* value) {
    push(r, opt);
    push(r, value ? value : "");
}

void sl_tb_run_device(sl_tb_run_t* r, const char* spec) { option(r, "--device", spec); }
void sl_tb_run_driver(sl_tb_run_t* r, const char* d) { option(r, "--driver", d); }
void sl_tb_run_workload(sl_tb_run_t* r, const char* w) { option(r, "--workload", w); }
void sl_tb_run_set(sl_tb_run_t* r, const char* key, const char* value) {
    char* kv = NULL;
    if (asprintf(&kv, "%s=%s", key, value) < 0) return;
    option(r, "--set", kv);
    free(kv);
}
void sl_tb_run_seed(sl_tb_run_t* r, uint64_t seed) {
    char s[32];
    snprintf(s, sizeof s, "%llu", (unsigned long long)seed);
    option(r, "--seed", s);
}

int sl_tb_run_exec(sl_tb_run_t* r) {
    char json[] = "/tmp/sl_tb_XXXXXX.json";
    int fd = mkstemps(json, 5);
    if (fd < 0) return -1;
    close(fd);
    int pipefd[2];
    if (pipe(pipefd)) {
        unlink(json);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        char** argv = calloc(r->argc + 3, sizeof *argv);
        memcpy(argv, r->argv, r->argc * sizeof *argv);
        argv[r->argc] = "--json";
        argv[r->argc + 1] = json;
        execvp(argv[0], argv);
        fprintf(stderr, "sl_tb_run_exec: cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(pipefd[1]);
    size_t cap = 4096, len = 0;
    char* buf = malloc(cap);
    ssize_t n;
    while ((n = read(pipefd[0], buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 1024) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    close(pipefd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    free(r->output);
    r->output = buf;
    json_decref(r->result);
    r->result = json_load_file(json, 0, NULL); /* NULL when the run ended before writing it */
    unlink(json);
    if (!WIFEXITED(st) || WEXITSTATUS(st) == 127) return -1;
    return WEXITSTATUS(st);
}

const char* sl_tb_run_output(const sl_tb_run_t* r) { return r->output ? r->output : ""; }

bool sl_tb_run_data_ok(const sl_tb_run_t* r) { return json_is_true(json_object_get(r->result, "data_ok")); }

static const char* str(json_t* o, const char* key) {
    const char* s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

size_t sl_tb_run_finding_count(const sl_tb_run_t* r, const char* kind) {
    json_t* all = json_object_get(r->result, "findings");
    if (!kind) return json_array_size(all);
    size_t n = 0, i;
    json_t* f;
    json_array_foreach(all, i, f) n += strcmp(str(f, "kind"), kind) == 0;
    return n;
}

int sl_tb_run_finding(const sl_tb_run_t* r, size_t i, sl_tb_finding_t* out) {
    json_t* f = json_array_get(json_object_get(r->result, "findings"), i);
    if (!f || !out) return -1;
    json_t* loc = json_object_get(f, "location");
    out->kind = str(f, "kind");
    out->message = str(f, "message");
    out->file = str(loc, "file");
    out->line = (unsigned)json_integer_value(json_object_get(loc, "line"));
    out->function = str(loc, "function");
    out->time_ns = (uint64_t)json_integer_value(json_object_get(f, "time_ns"));
    return 0;
}

int64_t sl_tb_run_stat(const sl_tb_run_t* r, const char* path) {
    json_t* node = json_object_get(r->result, "stats");
    if (path && !strchr(path, '.') && json_object_get(r->result, path)) node = r->result;
    char* copy = strdup(path ? path : "");
    for (char *save = NULL, *part = strtok_r(copy, ".", &save); part && node; part = strtok_r(NULL, ".", &save))
        node = json_object_get(node, part);
    free(copy);
    return json_is_integer(node) ? (int64_t)json_integer_value(node) : -1;
}
