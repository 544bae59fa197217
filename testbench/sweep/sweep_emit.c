#define _GNU_SOURCE
#include "sweep_emit.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char* sweep_shell_word(const char* s) {
    int plain = *s != 0;
    for (const char* c = s; *c; ++c)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%", *c)) plain = 0;
    if (plain && *s != '=' ) return strdup(s);
    size_t n = 3;
    for (const char* c = s; *c; ++c) n += *c == '\'' ? 4 : 1;
    char* q = malloc(n);
    char* w = q;
    *w++ = '\'';
    for (; *s; ++s) {
        if (*s == '\'') w = stpcpy(w, "'\\''");
        else *w++ = *s;
    }
    *w++ = '\'';
    *w = 0;
    return q;
}

/* The first argument this process was started with (/proc/self/cmdline). */
static char* invoked_as(void) {
    FILE* f = fopen("/proc/self/cmdline", "r");
    if (!f) return NULL;
    char buf[PATH_MAX];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return n ? strdup(buf) : NULL;
}

/* Absolute and without ".", ".." or doubled slashes, symlinks kept (they may differ per host). */
char* sweep_normal_path(const char* p);
char* sweep_normal_path(const char* p) {
    char cwd[PATH_MAX];
    char* full = NULL;
    if (p[0] == '/') full = strdup(p);
    else if (getcwd(cwd, sizeof cwd) && asprintf(&full, "%s/%s", cwd, p) < 0) abort();
    if (!full) return strdup(p);
    char* out = malloc(strlen(full) + 2);
    size_t len = 0;
    for (char *save = NULL, *part = strtok_r(full, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (!strcmp(part, ".")) continue;
        if (!strcmp(part, "..")) {
            while (len && out[len - 1] != '/') --len;
            if (len) --len;
            continue;
        }
        out[len++] = '/';
        memcpy(out + len, part, strlen(part));
        len += strlen(part);
    }
    if (!len) out[len++] = '/';
    out[len] = 0;
    free(full);
    return out;
}

char* sweep_bin_word(void) {
    struct stat self, found;
    if (stat("/proc/self/exe", &self) == 0) {
        const char* path = getenv("PATH");
        char* copy = strdup(path ? path : "");
        for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            char cand[PATH_MAX];
            snprintf(cand, sizeof cand, "%s/staleline", *dir ? dir : ".");
            if (access(cand, X_OK) == 0 && stat(cand, &found) == 0) {
                int same = found.st_dev == self.st_dev && found.st_ino == self.st_ino;
                free(copy);
                if (same) return strdup("staleline");
                goto not_on_path; /* PATH finds another staleline first */
            }
        }
        free(copy);
    }
not_on_path:;
    char* arg0 = invoked_as();
    char* abs = NULL;
    if (arg0 && strchr(arg0, '/')) abs = sweep_normal_path(arg0);
    if (!abs) {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = 0;
        abs = strdup(exe);
    }
    free(arg0);
    /* inside double quotes, so that $STALELINE can name the binary on the nodes */
    char* w = malloc(2 * strlen(abs) + 32);
    char* p = stpcpy(w, "\"${STALELINE:-");
    for (const char* c = abs; *c; ++c) {
        if (strchr("\"$`\\", *c)) *p++ = '\\';
        *p++ = *c;
    }
    strcpy(p, "}\"");
    free(abs);
    return w;
}

static char* join_words(const sweep_cmdline_t* c, const char* tail_opt, const char* tail_val) {
    char* line = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&line, &len);
    fprintf(f, "%s sweep", c->bin);
    for (size_t i = 0; i < c->nwords; ++i) {
        char* w = sweep_shell_word(c->words[i]);
        fprintf(f, " %s", w);
        free(w);
    }
    char* o = sweep_shell_word(c->out_dir);
    fprintf(f, " --out %s", o);
    free(o);
    if (tail_opt) fprintf(f, " %s %s", tail_opt, tail_val);
    fclose(f);
    return line;
}

char* sweep_point_line(const sweep_cmdline_t* c, size_t first, size_t last) {
    char range[64];
    if (first == last) snprintf(range, sizeof range, "%zu", first);
    else snprintf(range, sizeof range, "%zu-%zu", first, last);
    return join_words(c, "--point", range);
}

void sweep_print_lines(const sweep_cmdline_t* c, size_t batch, FILE* f) {
    if (batch < 1) batch = 1;
    for (size_t a = 0; a < c->points; a += batch) {
        size_t b = a + batch - 1 < c->points ? a + batch - 1 : c->points - 1;
        char* line = sweep_point_line(c, a, b);
        fprintf(f, "%s\n", line);
        free(line);
    }
}

static char* out_file(const sweep_cmdline_t* c, const char* name) {
    char* p = NULL;
    if (asprintf(&p, "%s/%s", c->out_dir, name) < 0) abort();
    return p;
}

/* Written whole or not at all. */
static int write_file(const char* path, const char* text, int mode) {
    char* tmp = NULL;
    if (asprintf(&tmp, "%s.%ld.tmp", path, (long)getpid()) < 0) abort();
    FILE* f = fopen(tmp, "w");
    int rc = !f || fputs(text, f) < 0;
    if (f && fclose(f)) rc = 1;
    if (!rc) chmod(tmp, (mode_t)mode);
    if (!rc && rename(tmp, path)) rc = 1;
    if (rc) {
        fprintf(stderr, "staleline sweep: cannot write %s\n", path);
        unlink(tmp);
    }
    free(tmp);
    return rc ? -1 : 0;
}

int sweep_emit_parallel(const sweep_cmdline_t* c, size_t batch, int jobs, FILE* out) {
    char* lines = NULL;
    size_t len = 0;
    FILE* m = open_memstream(&lines, &len);
    sweep_print_lines(c, batch, m);
    fclose(m);
    char* path = out_file(c, "commands.txt");
    int rc = write_file(path, lines, 0644);
    free(lines);
    if (!rc) {
        char* joblog = out_file(c, "parallel.joblog");
        char *qj = sweep_shell_word(joblog), *qc = sweep_shell_word(path), *qo = sweep_shell_word(c->out_dir);
        /* the collect runs whatever parallel's status: it names what is missing */
        fprintf(out, "parallel --joblog %s -j %d < %s; %s sweep collect %s\n", qj, jobs, qc, c->bin, qo);
        free(qj);
        free(qc);
        free(qo);
        free(joblog);
    }
    free(path);
    return rc;
}

/* Slurm's MaxArraySize, or 0 when scontrol cannot tell. */
static unsigned slurm_max_array(void) {
    FILE* p = popen("scontrol show config 2>/dev/null", "r");
    if (!p) return 0;
    char line[512];
    unsigned v = 0;
    while (fgets(line, sizeof line, p))
        if (sscanf(line, " MaxArraySize = %u", &v) == 1) break;
    pclose(p);
    return v;
}

/* Paths in #SBATCH lines are not shell-parsed: only plain ones go there. */
static int sbatch_safe(const char* s) {
    for (; *s; ++s)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@", *s)) return 0;
    return 1;
}

int sweep_emit_slurm(const sweep_cmdline_t* c, size_t batch, unsigned throttle, unsigned max_array, FILE* out) {
    if (!max_array) max_array = slurm_max_array();
    if (!max_array) max_array = 1001; /* Slurm's default */
    if (batch < 1) batch = 1;
    size_t cap = max_array > 1 ? max_array - 1 : 1; /* task ids 0..cap-1 stay below MaxArraySize */
    size_t tasks = (c->points + batch - 1) / batch;
    if (tasks > cap) {
        batch = (c->points + cap - 1) / cap;
        tasks = (c->points + batch - 1) / batch;
        fprintf(stderr, "staleline sweep: %zu points in at most %zu array tasks (MaxArraySize %u): %zu points per task\n",
                c->points, cap, max_array, batch);
    }
    if (!throttle) throttle = 1;
    char* dir = out_file(c, "slurm");
    mkdir(dir, 0755);
    char *qdir = sweep_shell_word(dir), *qout = sweep_shell_word(c->out_dir);
    int safe = sbatch_safe(dir);
    char* line = join_words(c, "--point", "\"$first-$last\"");
    char* text = NULL;
    size_t len = 0;
    FILE* f = open_memstream(&text, &len);
    fprintf(f, "#!/bin/bash\n"
               "# A Staleline sweep of %zu points as a Slurm array: task T runs points T*%zu .. T*%zu+%zu,\n"
               "# each writing OUT/points/<point>.{json,log}. Submit with submit.sh (it adds the collect).\n"
               "#SBATCH --job-name=staleline-sweep\n"
               "#SBATCH --array=0-%zu%%%u\n"
               "#SBATCH --ntasks=1\n"
               "#SBATCH --cpus-per-task=1\n",
            c->points, batch, batch, batch - 1, tasks - 1, throttle);
    if (safe) fprintf(f, "#SBATCH --output=%s/%%A_%%a.out\n", dir);
    fprintf(f, "set -eu\n"
               "first=$((SLURM_ARRAY_TASK_ID * %zu))\n"
               "last=$((first + %zu))\n"
               "[ \"$last\" -lt %zu ] || last=%zu\n"
               "exec %s\n",
            batch, batch - 1, c->points, c->points - 1, line);
    fclose(f);
    char* points_path = NULL;
    if (asprintf(&points_path, "%s/points.sbatch", dir) < 0) abort();
    int rc = write_file(points_path, text, 0755);
    free(text);
    free(line);

    text = NULL;
    f = open_memstream(&text, &len);
    fprintf(f, "#!/bin/bash\n"
               "# Collect the sweep once its array is over: read-only, it names missing, stale and failed points.\n"
               "#SBATCH --job-name=staleline-collect\n"
               "#SBATCH --ntasks=1\n");
    if (safe) fprintf(f, "#SBATCH --output=%s/collect.out\n", dir);
    fprintf(f, "exec %s sweep collect %s\n", c->bin, qout);
    fclose(f);
    char* collect_path = NULL;
    if (asprintf(&collect_path, "%s/collect.sbatch", dir) < 0) abort();
    if (!rc) rc = write_file(collect_path, text, 0755);
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    fprintf(f, "#!/bin/bash\n"
               "# Submit the sweep's array job. Without --wait, a collect job runs after it whatever its tasks'\n"
               "# fate (afterany); with --wait, this script waits for the array, then collects here (read-only,\n"
               "# cheap) and exits with the collect's status: 0 complete, 1 a point failed, 3 points missing.\n"
               "# Usage: bash submit.sh [--wait]\n"
               "set -euo pipefail\n"
               "dir=%s\n"
               "jid=$(sbatch --parsable --output=\"$dir/%%A_%%a.out\" \"$dir/points.sbatch\")\n"
               "jid=${jid%%%%;*}\n"
               "echo \"array job $jid: %zu tasks of up to %zu points, at most %u at once; logs in $dir\"\n"
               "if [ \"${1:-}\" = --wait ]; then\n"
               "  # squeue every half second: sbatch --wait polls at up to 10 s intervals\n"
               "  while squeue -h -j \"$jid\" -o %%i 2>/dev/null | grep -q .; do sleep 0.5; done\n"
               "  exec %s sweep collect %s\n"
               "fi\n"
               "cid=$(sbatch --parsable --dependency=afterany:$jid --output=\"$dir/collect.out\" \"$dir/collect.sbatch\")\n"
               "echo \"collect job ${cid%%%%;*}: $dir/collect.out\"\n",
            qdir, tasks, batch, throttle, c->bin, qout);
    fclose(f);
    char* submit_path = NULL;
    if (asprintf(&submit_path, "%s/submit.sh", dir) < 0) abort();
    if (!rc) rc = write_file(submit_path, text, 0755);
    free(text);
    if (!rc) {
        char* q = sweep_shell_word(submit_path);
        fprintf(out, "bash %s --wait\n", q);
        free(q);
    }
    free(points_path);
    free(collect_path);
    free(submit_path);
    free(qdir);
    free(qout);
    free(dir);
    return rc;
}
