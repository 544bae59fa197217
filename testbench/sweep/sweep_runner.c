#define _GNU_SOURCE
#include "sweep_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char* path_of(const sweep_run_opts_t* o, const char* slug, const char* ext) {
    char* p = NULL;
    if (asprintf(&p, "%s/points/%s%s", o->out_dir, slug, ext) < 0) abort();
    return p;
}

char** sweep_point_argv(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i) {
    size_t n = 1 + o->nbase + 2 * g->nparams + 2 + 1;
    char** argv = calloc(n, sizeof *argv);
    size_t k = 0;
    argv[k++] = strdup(o->exe);
    for (size_t b = 0; b < o->nbase; ++b) argv[k++] = strdup(o->base_args[b]);
    for (size_t p = 0; p < g->nparams; ++p) {
        argv[k++] = strdup("--set");
        if (asprintf(&argv[k++], "%s=%s", g->params[p].key, sweep_grid_value(g, i, p)) < 0) abort();
    }
    char* slug = sweep_grid_slug(g, i);
    argv[k++] = strdup("--json");
    argv[k++] = path_of(o, slug, ".run.json");
    free(slug);
    argv[k] = NULL;
    return argv;
}

void sweep_free_argv(char** argv) {
    for (char** a = argv; *a; ++a) free(*a);
    free(argv);
}

/* The command as recorded (argv without the executable's path, which may move). */
static json_t* command_json(char** argv) {
    json_t* a = json_array();
    for (char** p = argv + 1; *p; ++p) json_array_append_new(a, json_string(*p));
    return a;
}

static json_t* params_json(const sweep_grid_t* g, size_t i) {
    json_t* o = json_object();
    for (size_t p = 0; p < g->nparams; ++p) json_object_set_new(o, g->params[p].key, json_string(sweep_grid_value(g, i, p)));
    return o;
}

/* A record from an earlier sweep made by the same command, or NULL. */
static json_t* load_reusable(const char* record_path, char** argv) {
    json_t* rec = json_load_file(record_path, 0, NULL);
    if (!rec) return NULL;
    json_t* cmd = command_json(argv);
    int same = json_equal(json_object_get(rec, "command"), cmd) && json_object_get(rec, "result");
    json_decref(cmd);
    if (!same) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

/* A point run outside this process (a cluster job running the --print-commands line)
 * leaves its JSON at points/<point>.run.json: make it the point's record. */
static json_t* adopt_external(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i, char** argv, const char* record) {
    char* slug = sweep_grid_slug(g, i);
    char* run_json = path_of(o, slug, ".run.json");
    json_t* result = json_load_file(run_json, 0, NULL);
    json_t* rec = NULL;
    if (result) {
        json_t* findings = json_object_get(result, "findings");
        int clean = json_is_true(json_object_get(result, "data_ok")) && json_array_size(findings) == 0;
        rec = json_object();
        json_object_set_new(rec, "command", command_json(argv));
        json_object_set_new(rec, "params", params_json(g, i));
        json_object_set_new(rec, "exit", json_integer(clean ? 0 : 1));
        json_object_set_new(rec, "result", result);
        json_dump_file(rec, record, JSON_INDENT(2) | JSON_SORT_KEYS);
        unlink(run_json);
    }
    free(slug);
    free(run_json);
    return rec;
}

static char* last_line(const char* path) {
    FILE* f = fopen(path, "r");
    if (!f) return strdup("(no log)");
    char line[1024], last[1024] = "";
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n) strcpy(last, line);
    }
    fclose(f);
    return strdup(*last ? last : "(empty log)");
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
    pid_t pid;
    size_t point;
    double started;
} slot_t;

static pid_t launch(char** argv, const char* log_path, unsigned timeout_s) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (timeout_s) alarm(timeout_s); /* survives exec: a hung point is killed */
    execv(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Turn a finished process into the point's record. */
static void finish(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i, int wstatus, sweep_point_t* r) {
    char* slug = sweep_grid_slug(g, i);
    char* run_json = path_of(o, slug, ".run.json");
    char* log = path_of(o, slug, ".log");
    char* record = path_of(o, slug, ".json");
    char** argv = sweep_point_argv(g, o, i);
    r->exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    json_t* result = (r->exit_code == 0 || r->exit_code == 1) ? json_load_file(run_json, 0, NULL) : NULL;
    if (result) {
        r->state = SWEEP_POINT_DONE;
        r->result = result;
        json_t* rec = json_object();
        json_object_set_new(rec, "command", command_json(argv));
        json_object_set_new(rec, "params", params_json(g, i));
        json_object_set_new(rec, "exit", json_integer(r->exit_code));
        json_object_set(rec, "result", result);
        json_dump_file(rec, record, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(rec);
    } else {
        r->state = SWEEP_POINT_FAILED;
        char* why = last_line(log);
        if (WIFSIGNALED(wstatus)) {
            if (asprintf(&r->error, "killed by signal %d (%s)%s; log: %s", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)),
                         WTERMSIG(wstatus) == SIGALRM ? ", timed out" : "", log) < 0) abort();
        } else if (asprintf(&r->error, "exit %d: %s (log: %s)", r->exit_code, why, log) < 0) {
            abort();
        }
        free(why);
    }
    unlink(run_json);
    sweep_free_argv(argv);
    free(slug);
    free(run_json);
    free(log);
    free(record);
}

size_t sweep_run(const sweep_grid_t* g, const sweep_run_opts_t* o, sweep_point_t* results) {
    size_t n = sweep_grid_points(g), failed = 0, done = 0, next = 0;
    char* dir = NULL;
    if (asprintf(&dir, "%s/points", o->out_dir) < 0) abort();
    mkdir(o->out_dir, 0755);
    mkdir(dir, 0755);
    free(dir);

    int jobs = o->jobs > 0 ? o->jobs : 1;
    slot_t* slots = calloc((size_t)jobs, sizeof *slots);
    int running = 0;
    double t0 = now_s(), busy = 0;  /* busy: summed wall time of points run here */
    size_t ran = 0;
    while (done < n) {
        /* fill free slots, reusing finished points on the way */
        while (running < jobs && next < n) {
            size_t i = next++;
            memset(&results[i], 0, sizeof results[i]);
            char* slug = sweep_grid_slug(g, i);
            char* record = path_of(o, slug, ".json");
            char** argv = sweep_point_argv(g, o, i);
            json_t* rec = o->force ? NULL : load_reusable(record, argv);
            if (!rec && !o->force) rec = adopt_external(g, o, i, argv, record);
            if (rec) {
                results[i].state = SWEEP_POINT_REUSED;
                results[i].exit_code = (int)json_integer_value(json_object_get(rec, "exit"));
                results[i].result = json_incref(json_object_get(rec, "result"));
                json_decref(rec);
                ++done;
                fprintf(stderr, "[%zu/%zu] %s: reused\n", done, n, slug);
            } else {
                char* log = path_of(o, slug, ".log");
                int s = 0;
                while (slots[s].pid) ++s;
                slots[s].pid = launch(argv, log, o->timeout_s);
                slots[s].point = i;
                slots[s].started = now_s();
                ++running;
                free(log);
            }
            sweep_free_argv(argv);
            free(record);
            free(slug);
        }
        if (!running) continue;
        int st = 0;
        pid_t pid = wait(&st);
        if (pid < 0) break;
        for (int s = 0; s < jobs; ++s) {
            if (slots[s].pid != pid) continue;
            size_t i = slots[s].point;
            double took = now_s() - slots[s].started;
            busy += took;
            ++ran;
            slots[s].pid = 0;
            --running;
            finish(g, o, i, st, &results[i]);
            if (results[i].state == SWEEP_POINT_FAILED) ++failed;
            ++done;
            char* slug = sweep_grid_slug(g, i);
            /* ETA: the mean time of a point run here, for the points left, spread over the jobs */
            double eta = ran ? busy / (double)ran * (double)(n - done) / jobs : 0;
            fprintf(stderr, "[%zu/%zu] %3.0f%% %s: %s (%.1f s) eta %.0f s\n", done, n, 100.0 * (double)done / (double)n, slug,
                    results[i].state == SWEEP_POINT_FAILED ? "FAILED" : (results[i].exit_code ? "ran, findings" : "ok"), took,
                    eta);
            if (results[i].error) fprintf(stderr, "    %s\n", results[i].error);
            free(slug);
        }
    }
    fprintf(stderr, "sweep: %zu points, %zu run, %zu reused, %zu failed, %.1f s\n", n, ran, n - ran, failed,
            now_s() - t0);
    free(slots);
    return failed;
}
