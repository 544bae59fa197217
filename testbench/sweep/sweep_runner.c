#define _GNU_SOURCE
#include "sweep_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "staleline/config.h"
#include "sweep_digest.h"

/* The version in every digest: a result made by another Staleline is not reused. Keep in
 * step with the project version (CMakeLists.txt, `staleline --version`); a test checks. */
#define SWEEP_STALELINE_VERSION "0.1.0"

static char* path_of(const sweep_run_opts_t* o, const char* slug, const char* ext) {
    char* p = NULL;
    if (asprintf(&p, "%s/points/%s%s", o->out_dir, slug, ext) < 0) abort();
    return p;
}

/* Where a point's `run --json` goes: private to this process, so a reader never sees it
 * half-written and two tasks running the same point do not mix. */
static char* tmp_json_of(const sweep_run_opts_t* o, const char* slug) {
    char* p = NULL;
    if (asprintf(&p, "%s/points/.%s.%ld.run.json", o->out_dir, slug, (long)getpid()) < 0) abort();
    return p;
}

/* ---- identity ---- */

/* The fixed options applied once (the configuration before the point's values), cached
 * for the options it was built for. */
static struct {
    const sweep_run_opts_t* o;
    sl_config_t* base;
    char driver[80];
} g_base;

static int build_base(const sweep_run_opts_t* o, char* err, size_t errlen) {
    if (g_base.o == o && g_base.base) return 0;
    sl_config_free(g_base.base);
    g_base.base = NULL;
    g_base.o = NULL;
    sl_config_t* cfg = sl_config_new();
    snprintf(g_base.driver, sizeof g_base.driver, "default");
    for (size_t a = 0; a + 1 < o->nfixed; a += 2) {
        const char *opt = o->fixed[a], *val = o->fixed[a + 1];
        int bad = 0;
        if (!strcmp(opt, "--set")) bad = sl_config_set_assignment(cfg, val);
        else if (!strcmp(opt, "--config")) bad = sl_config_load(cfg, val);
        else if (!strcmp(opt, "--seed")) bad = sl_config_set(cfg, "sim.seed", val);
        else if (!strcmp(opt, "--driver")) {
            /* a module given by path is known by its bytes, not where it lies */
            char hex[65];
            if (!strchr(val, '/')) snprintf(g_base.driver, sizeof g_base.driver, "%s", val);
            else if (sweep_sha256_file(val, hex)) {
                snprintf(err, errlen, "--driver %s: cannot read it", val);
                sl_config_free(cfg);
                return -1;
            } else snprintf(g_base.driver, sizeof g_base.driver, "sha256:%s", hex);
        }
        if (bad) {
            snprintf(err, errlen, "%s", sl_error());
            sl_config_free(cfg);
            return -1;
        }
    }
    g_base.base = cfg;
    g_base.o = o;
    return 0;
}

static const char* fixed_value(const sweep_run_opts_t* o, const char* opt) {
    const char* v = NULL;
    for (size_t a = 0; a + 1 < o->nfixed; a += 2)
        if (!strcmp(o->fixed[a], opt)) v = o->fixed[a + 1];
    return v;
}

json_t* sweep_point_identity(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i, char digest[65], char* err,
                             size_t errlen) {
    if (build_base(o, err, errlen)) return NULL;
    sl_config_t* cfg = sl_config_clone(g_base.base);
    for (size_t p = 0; p < g->nparams; ++p) {
        if (sl_config_set(cfg, g->params[p].key, sweep_grid_value(g, i, p))) {
            snprintf(err, errlen, "%s", sl_error());
            sl_config_free(cfg);
            return NULL;
        }
    }
    /* every parameter after defaults, in a canonical form: 32k and 32768 are the same */
    const char* const* keys;
    const char* const* types;
    size_t nkeys = sweep_config_keys(&keys, &types);
    json_t* conf = json_object();
    for (size_t k = 0; k < nkeys; ++k) {
        char text[1024];
        long long iv;
        unsigned long long uv;
        int bv;
        if (!strcmp(types[k], "int") && !sl_config_get_int(cfg, keys[k], &iv)) snprintf(text, sizeof text, "%lld", iv);
        else if (!strcmp(types[k], "size") && !sl_config_get_size(cfg, keys[k], &uv)) snprintf(text, sizeof text, "%llu", uv);
        else if (!strcmp(types[k], "bool") && !sl_config_get_bool(cfg, keys[k], &bv)) snprintf(text, sizeof text, "%s", bv ? "true" : "false");
        else if (sl_config_get(cfg, keys[k], text, sizeof text)) continue;
        json_object_set_new(conf, keys[k], json_string(text));
    }
    sl_config_free(cfg);
    const char* workload = fixed_value(o, "--workload");
    json_t* id = json_object();
    json_object_set_new(id, "command", json_string(o->command));
    json_object_set_new(id, "driver", json_string(g_base.driver));
    json_object_set_new(id, "workload", json_string(workload ? workload : "default"));
    json_object_set_new(id, "version", json_string(SWEEP_STALELINE_VERSION));
    json_object_set_new(id, "config", conf);
    char* text = json_dumps(id, JSON_COMPACT | JSON_SORT_KEYS);
    sweep_sha256_text(text, digest);
    free(text);
    return id;
}

/* What differs between the identity a record was made with and the wanted one, e.g.
 * "workload.transfers=256 (now 1024)". Caller frees. */
static char* identity_diff(json_t* had, json_t* want) {
    char* out = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&out, &len);
    int n = 0;
    if (!json_is_object(had)) fputs("made by an older Staleline or another tool", f);
    const char* top[] = {"command", "driver", "workload", "version"};
    for (size_t t = 0; json_is_object(had) && t < sizeof top / sizeof *top; ++t) {
        const char *a = json_string_value(json_object_get(had, top[t])), *b = json_string_value(json_object_get(want, top[t]));
        if (a && b && strcmp(a, b) && n++ < 3) fprintf(f, "%s%s %s (now %s)", n > 1 ? ", " : "", top[t], a, b);
    }
    json_t* hc = json_object_get(had, "config");
    const char* k;
    json_t* v;
    json_object_foreach(json_object_get(want, "config"), k, v) {
        const char* a = json_string_value(json_object_get(hc, k));
        if (!json_is_object(hc) || (a && !strcmp(a, json_string_value(v)))) continue;
        if (n++ < 3) fprintf(f, "%s%s=%s (now %s)", n > 1 ? ", " : "", k, a ? a : "?", json_string_value(v));
    }
    if (n > 3) fprintf(f, " and %d more", n - 3);
    if (json_is_object(had) && n == 0) fputs("another command", f);
    fclose(f);
    return out;
}

/* ---- one point ---- */

char** sweep_point_argv(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i) {
    size_t n = 2 + o->nfixed + 2 * g->nparams + 2 + 1;
    char** argv = calloc(n, sizeof *argv);
    size_t k = 0;
    argv[k++] = strdup(o->exe);
    argv[k++] = strdup(o->command);
    for (size_t b = 0; b < o->nfixed; ++b) argv[k++] = strdup(o->fixed[b]);
    for (size_t p = 0; p < g->nparams; ++p) {
        argv[k++] = strdup("--set");
        if (asprintf(&argv[k++], "%s=%s", g->params[p].key, sweep_grid_value(g, i, p)) < 0) abort();
    }
    char* slug = sweep_grid_slug(g, i);
    argv[k++] = strdup("--json");
    argv[k++] = tmp_json_of(o, slug);
    free(slug);
    argv[k] = NULL;
    return argv;
}

void sweep_free_argv(char** argv) {
    for (char** a = argv; *a; ++a) free(*a);
    free(argv);
}

void sweep_point_clear(sweep_point_t* r) {
    json_decref(r->result);
    free(r->error);
    memset(r, 0, sizeof *r);
}

/* The command as recorded: without the executable's path (which may move) and without the
 * private --json path. */
static json_t* command_json(char** argv) {
    json_t* a = json_array();
    for (char** p = argv + 1; *p; ++p) {
        if (!strcmp(*p, "--json") && p[1] && !p[2]) break;
        json_array_append_new(a, json_string(*p));
    }
    return a;
}

static json_t* params_json(const sweep_grid_t* g, size_t i) {
    json_t* o = json_object();
    for (size_t p = 0; p < g->nparams; ++p) json_object_set_new(o, g->params[p].key, json_string(sweep_grid_value(g, i, p)));
    return o;
}

/* Written to a temporary name and renamed: a reader sees the whole record or none. */
static int write_record(const sweep_run_opts_t* o, const char* slug, json_t* rec) {
    char* path = path_of(o, slug, ".json");
    char* tmp = NULL;
    if (asprintf(&tmp, "%s/points/.%s.%ld.json", o->out_dir, slug, (long)getpid()) < 0) abort();
    int rc = json_dump_file(rec, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!rc && rename(tmp, path)) rc = -1;
    if (rc) {
        fprintf(stderr, "sweep: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(path);
    return rc;
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

static void make_dirs(const sweep_run_opts_t* o) {
    char* dir = NULL;
    if (asprintf(&dir, "%s/points", o->out_dir) < 0) abort();
    mkdir(o->out_dir, 0755);
    mkdir(dir, 0755);
    free(dir);
}

static pid_t launch(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i) {
    char* slug = sweep_grid_slug(g, i);
    char* log = path_of(o, slug, ".log");
    char** argv = sweep_point_argv(g, o, i);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* a point dies with whoever runs it: a killed task leaves no run behind */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        if (o->timeout_s) alarm(o->timeout_s); /* survives exec: a hung point is killed */
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    sweep_free_argv(argv);
    free(log);
    free(slug);
    return pid;
}

/* Turn a finished process into the point's record (written for failures too, so a collect
 * can tell failed from missing). */
static void finish(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i, json_t* identity, const char* digest,
                   int wstatus, sweep_point_t* r) {
    char* slug = sweep_grid_slug(g, i);
    char* run_json = tmp_json_of(o, slug);
    char* log = path_of(o, slug, ".log");
    char** argv = sweep_point_argv(g, o, i);
    r->exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    json_t* result = (r->exit_code == 0 || r->exit_code == 1) ? json_load_file(run_json, 0, NULL) : NULL;
    json_t* rec = json_object();
    json_object_set_new(rec, "command", command_json(argv));
    json_object_set_new(rec, "digest", json_string(digest));
    json_object_set(rec, "identity", identity);
    json_object_set_new(rec, "params", params_json(g, i));
    json_object_set_new(rec, "exit", json_integer(r->exit_code));
    if (result) {
        r->state = SWEEP_POINT_DONE;
        r->status = SWEEP_EXIT_OK;
        r->result = result;
        json_object_set_new(rec, "status", json_string("ok"));
        json_object_set(rec, "result", result);
    } else {
        r->state = SWEEP_POINT_FAILED;
        /* the log as OUT names it: results do not depend on where OUT is mounted */
        char* why = last_line(log);
        if (WIFSIGNALED(wstatus)) {
            int sig = WTERMSIG(wstatus);
            r->status = sig == SIGALRM ? SWEEP_EXIT_TIMEOUT : SWEEP_EXIT_CRASH;
            if (asprintf(&r->error, "killed by signal %d (%s)%s; log: points/%s.log", sig, strsignal(sig),
                         sig == SIGALRM ? ", timed out" : "", slug) < 0)
                abort();
        } else {
            r->status = r->exit_code == 2 ? SWEEP_EXIT_USAGE : SWEEP_EXIT_FAULT;
            if (asprintf(&r->error, "exit %d: %s (log: points/%s.log)", r->exit_code, why, slug) < 0) abort();
        }
        free(why);
        json_object_set_new(rec, "status", json_string("failed"));
        json_object_set_new(rec, "point_exit", json_integer(r->status));
        json_object_set_new(rec, "error", json_string(r->error));
    }
    if (write_record(o, slug, rec) && r->status == SWEEP_EXIT_OK) r->status = SWEEP_EXIT_FAULT;
    json_decref(rec);
    unlink(run_json);
    sweep_free_argv(argv);
    free(slug);
    free(run_json);
    free(log);
}

/* A JSON file read in one go (json_load_file reads it a character at a time: the collect of
 * a large sweep is mostly this). */
static json_t* load_json(const char* path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    json_t* j = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        char* buf = malloc((size_t)st.st_size);
        if (read(fd, buf, (size_t)st.st_size) == st.st_size) j = json_loadb(buf, (size_t)st.st_size, 0, NULL);
        free(buf);
    }
    close(fd);
    return j;
}

/* The record of point i if it holds a result of this digest: state REUSED, else -1 with
 * state MISSING, STALE or FAILED and an error (a failed record keeps its error). */
static int load_record(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t i, json_t* identity,
                       const char* digest, sweep_point_t* r) {
    char* slug = sweep_grid_slug(g, i);
    char* path = path_of(o, slug, ".json");
    free(slug);
    json_t* rec = load_json(path);
    int rc = -1;
    if (!rec) {
        r->state = SWEEP_POINT_MISSING;
        r->error = strdup(access(path, F_OK) ? "missing: no record" : "missing: unreadable record");
    } else if (!json_is_string(json_object_get(rec, "digest")) ||
               strcmp(json_string_value(json_object_get(rec, "digest")), digest)) {
        r->state = SWEEP_POINT_STALE;
        char* diff = identity_diff(json_object_get(rec, "identity"), identity);
        if (asprintf(&r->error, "stale: made with %s", diff) < 0) abort();
        free(diff);
    } else {
        r->exit_code = (int)json_integer_value(json_object_get(rec, "exit"));
        json_t* result = json_object_get(rec, "result");
        if (json_is_object(result) && !strcmp(json_string_value(json_object_get(rec, "status")) ?: "", "ok")) {
            r->state = SWEEP_POINT_REUSED;
            r->status = SWEEP_EXIT_OK;
            r->result = json_incref(result);
            rc = 0;
        } else {
            r->state = SWEEP_POINT_FAILED;
            json_t* pe = json_object_get(rec, "point_exit");
            r->status = json_is_integer(pe) ? (int)json_integer_value(pe) : SWEEP_EXIT_FAULT;
            const char* e = json_string_value(json_object_get(rec, "error"));
            r->error = strdup(e ? e : "failed");
        }
    }
    json_decref(rec);
    free(path);
    return rc;
}

/* ---- the local sweep ---- */

typedef struct {
    pid_t pid;
    size_t point;
    double started;
    json_t* identity;
    char digest[65];
} slot_t;

size_t sweep_run(const sweep_grid_t* g, const sweep_run_opts_t* o, sweep_point_t* results) {
    size_t n = sweep_grid_points(g), failed = 0, done = 0, next = 0;
    make_dirs(o);
    int jobs = o->jobs > 0 ? o->jobs : 1;
    slot_t* slots = calloc((size_t)jobs, sizeof *slots);
    int running = 0;
    double t0 = now_s(), busy = 0;  /* busy: summed wall time of points run here */
    size_t ran = 0, reused = 0;
    while (done < n) {
        /* fill free slots, reusing finished points on the way */
        while (running < jobs && next < n) {
            size_t i = next++;
            memset(&results[i], 0, sizeof results[i]);
            char* slug = sweep_grid_slug(g, i);
            char digest[65], err[512];
            json_t* id = sweep_point_identity(g, o, i, digest, err, sizeof err);
            if (!id) {
                results[i].state = SWEEP_POINT_FAILED;
                results[i].status = SWEEP_EXIT_USAGE;
                results[i].exit_code = SWEEP_EXIT_USAGE;
                results[i].error = strdup(err);
                ++failed;
                ++done;
                fprintf(stderr, "[%zu/%zu] %s: FAILED\n    %s\n", done, n, slug, err);
            } else if (!o->force && !load_record(g, o, i, id, digest, &results[i])) {
                json_decref(id);
                ++done;
                ++reused;
                fprintf(stderr, "[%zu/%zu] %s: reused\n", done, n, slug);
            } else {
                sweep_point_clear(&results[i]);
                int s = 0;
                while (slots[s].pid) ++s;
                slots[s].pid = launch(g, o, i);
                slots[s].point = i;
                slots[s].started = now_s();
                slots[s].identity = id;
                memcpy(slots[s].digest, digest, sizeof digest);
                ++running;
            }
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
            finish(g, o, i, slots[s].identity, slots[s].digest, st, &results[i]);
            json_decref(slots[s].identity);
            slots[s].identity = NULL;
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
    fprintf(stderr, "sweep: %zu points, %zu run, %zu reused, %zu failed, %.1f s\n", n, ran, reused, failed, now_s() - t0);
    free(slots);
    return failed;
}

/* ---- one printed command ---- */

int sweep_run_points(const sweep_grid_t* g, const sweep_run_opts_t* o, size_t first, size_t last) {
    make_dirs(o);
    int worst = SWEEP_EXIT_OK;
    for (size_t i = first; i <= last; ++i) {
        char* slug = sweep_grid_slug(g, i);
        char digest[65], err[512];
        json_t* id = sweep_point_identity(g, o, i, digest, err, sizeof err);
        if (!id) {
            fprintf(stderr, "staleline sweep: point %zu %s: configuration error: %s\n", i, slug, err);
            if (worst < SWEEP_EXIT_USAGE) worst = SWEEP_EXIT_USAGE;
            free(slug);
            continue;
        }
        double t = now_s();
        pid_t pid = launch(g, o, i);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        sweep_point_t r = {0};
        finish(g, o, i, id, digest, st, &r);
        json_decref(id);
        fprintf(stderr, "staleline sweep: point %zu %s: %s (%.1f s)%s%s\n", i, slug,
                r.state == SWEEP_POINT_FAILED ? "FAILED" : (r.exit_code ? "ran, findings" : "ok"), now_s() - t,
                r.error ? ": " : "", r.error ? r.error : "");
        if (r.status > worst) worst = r.status;
        sweep_point_clear(&r);
        free(slug);
    }
    return worst;
}

/* ---- collect ---- */

int sweep_collect(const sweep_grid_t* g, const sweep_run_opts_t* o, sweep_point_t* results,
                  void (*rerun)(size_t point, const sweep_point_t* r, void* ctx), void* ctx) {
    size_t n = sweep_grid_points(g), missing = 0, stale = 0, failed = 0;
    for (size_t i = 0; i < n; ++i) {
        memset(&results[i], 0, sizeof results[i]);
        char digest[65], err[512];
        json_t* id = sweep_point_identity(g, o, i, digest, err, sizeof err);
        if (!id) {
            results[i].state = SWEEP_POINT_FAILED;
            results[i].exit_code = SWEEP_EXIT_USAGE;
            results[i].error = strdup(err);
        } else {
            load_record(g, o, i, id, digest, &results[i]);
            json_decref(id);
        }
        switch (results[i].state) {
        case SWEEP_POINT_MISSING: ++missing; break;
        case SWEEP_POINT_STALE: ++stale; break;
        case SWEEP_POINT_FAILED: ++failed; break;
        default: continue;
        }
        if (results[i].state == SWEEP_POINT_MISSING || results[i].state == SWEEP_POINT_STALE) results[i].exit_code = -1;
        if (rerun) rerun(i, &results[i], ctx);
    }
    fprintf(stderr, "sweep: %zu points: %zu collected, %zu missing, %zu stale, %zu failed\n", n,
            n - missing - stale - failed, missing, stale, failed);
    if (missing || stale) return SWEEP_EXIT_INCOMPLETE;
    return failed ? SWEEP_EXIT_FAILED : SWEEP_EXIT_OK;
}
