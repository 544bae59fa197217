/* Configuration is refused or it works (a property test over model/config/params.def).
 *
 * Each draw picks one to three parameters from the one list of definitions and gives each a
 * value: a boundary, a value inside the range, a keyword, or a value that must be refused
 * (outside the range, another type, an unknown choice, a leading zero). The property:
 *   - `staleline run` exits 2 and its message names one of the drawn keys, its value as
 *     given (or as a number) and what is allowed; or
 *   - it exits 0, and then so does every built-in workload of the reference driver.
 * Values that only make an accepted run longer (operations, sizes, cache and IOTLB
 * capacity) are drawn up to a cap so that a draw takes about a second; values outside the
 * range are drawn in full. The draws are seeded: SL_CONFIG_SEED (default 1) and
 * SL_CONFIG_DRAWS (per case, default 50; four cases) choose them, and a failing draw prints
 * the command line that reproduces it. A longer run:
 *     SL_CONFIG_DRAWS=500 SL_CONFIG_SEED=7 build/bin/test_config_property */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_test.h"

typedef enum { T_BOOL, T_INT, T_SIZE, T_DOUBLE, T_ENUM, T_STRING } ptype_t;

typedef struct param_def {
    const char* key;
    ptype_t type;
    const char* def;
    long double min, max;
    const char* choices;
} param_def_t;

#define PARAM(key, type, def, unit, min, max, choices, doc) {key, type, def, (long double)(min), (long double)(max), choices},
#define BOOL T_BOOL
#define INT T_INT
#define SIZE T_SIZE
#define DOUBLE T_DOUBLE
#define ENUM T_ENUM
#define STRING T_STRING
static const param_def_t kParams[] = {
#include "../../model/config/params.def"
};
#undef PARAM

/* The built-in workloads of the reference driver (the DMA transfer protocol). */
static const char* const kWorkloads[] = {"copy", "blockio", "fill", "ring", "sgblock", "stream", "random"};

/* Short runs: every draw starts from these; a drawn key replaces its own. */
static const struct {
    const char* key;
    const char* value;
} kShort[] = {{"workload.transfers", "4"}, {"workload.max_size", "16k"}, {"workload.pool_size", "256k"}};

/* Caps on accepted values of keys that only make a run longer or larger. */
static const struct {
    const char* key;
    long double cap;
} kCaps[] = {
    {"workload.transfers", 16},      {"workload.warmup", 8},          {"workload.max_size", 262144},
    {"workload.min_size", 65536},    {"workload.ring_entries", 256},  {"workload.rings", 8},
    {"workload.pool_size", 16 << 20}, {"workload.window", 16 << 20},  {"workload.buffer_size", 65536},
    {"workload.queue_depth", 64},    {"workload.gather", 64},         {"cache.size", 4 << 20},
    {"iotlb.entries", 65536},        {"iotlb.ways", 4096},            {"iommu.pwc_entries", 4096},
    {"cache.ways", 256},             {"checker.max_findings", 100000}, {"checker.max_per_site", 100000},
};

/* Keys not drawn: the device list has its own grammar and tests (test_devices). */
static int skipped(const param_def_t* p) { return !strcmp(p->key, "platform.devices"); }

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

static long double cap_of(const param_def_t* p) {
    for (size_t i = 0; i < SL_COUNT(kCaps); ++i)
        if (!strcmp(kCaps[i].key, p->key)) return kCaps[i].cap < p->max ? kCaps[i].cap : p->max;
    return p->max;
}

/* An unsigned value in [lo, hi]: a bound, a power of two, or uniform (log-uniform for wide ranges). */
static unsigned long long draw_u(unsigned long long lo, unsigned long long hi) {
    switch (below(4)) {
    case 0: return lo;
    case 1: return hi;
    case 2: {
        unsigned long long v = 1;
        while (v < lo && v < (1ULL << 62)) v <<= 1;
        unsigned long long top = v;
        while (top <= hi / 2) top <<= 1;
        int steps = 0;
        for (unsigned long long t = v; t < top; t <<= 1) ++steps;
        v <<= below((uint64_t)steps + 1);
        return v >= lo && v <= hi ? v : lo;
    }
    default: {
        if (hi - lo < 1000000) return lo + below(hi - lo + 1);
        const double l = log2((double)(lo ? lo : 1)), h = log2((double)hi);
        const double x = exp2(l + (h - l) * (double)below(1000001) / 1e6);
        unsigned long long v = x >= (double)hi ? hi : (unsigned long long)x;
        return v < lo ? lo : v;
    }
    }
}

/* One value for p into buf; *valid: 1 when the value is inside the key's own definition. */
static void draw_value(const param_def_t* p, char* buf, size_t len, int* valid) {
    const int bad = below(5) == 0;
    *valid = !bad;
    switch (p->type) {
    case T_BOOL: {
        static const char* const ok[] = {"true", "false", "yes", "0"};
        static const char* const no[] = {"maybe", "2", "truex"};
        snprintf(buf, len, "%s", bad ? no[below(3)] : ok[below(4)]);
        return;
    }
    case T_ENUM: {
        if (bad) {
            snprintf(buf, len, "%s", below(2) ? "bogus" : "");
            return;
        }
        char choices[256];
        snprintf(choices, sizeof choices, "%s", p->choices);
        size_t n = 1;
        for (const char* c = choices; *c; ++c) n += *c == '|';
        size_t pick = below(n);
        char* tok = strtok(choices, "|");
        while (pick-- && tok) tok = strtok(NULL, "|");
        snprintf(buf, len, "%s", tok ? tok : "");
        return;
    }
    case T_STRING:
        *valid = 1;
        snprintf(buf, len, "%s", below(2) ? p->def : "x");
        return;
    case T_DOUBLE:
        if (bad) {
            switch (below(3)) {
            case 0: snprintf(buf, len, "%.6g", (double)p->max * 2 + 1); break;
            case 1: snprintf(buf, len, "%.6g", (double)p->min - 1); break;
            default: snprintf(buf, len, "nan"); break;
            }
            return;
        }
        snprintf(buf, len, "%.6g", (double)p->min + ((double)p->max - (double)p->min) * (double)below(1001) / 1000.0);
        if (atof(buf) < (double)p->min || atof(buf) > (double)p->max) snprintf(buf, len, "%.17g", (double)p->min);
        return;
    case T_INT:
    case T_SIZE: {
        const int is_size = p->type == T_SIZE;
        if (bad) {
            switch (below(4)) {
            case 0:
                if (p->max < 1.8e19L) {
                    snprintf(buf, len, "%llu", (unsigned long long)p->max + 1ULL);
                    return;
                }
                /* fall through */
            case 1:
                if (p->min > 0) {
                    snprintf(buf, len, "%llu", (unsigned long long)p->min - 1ULL);
                    return;
                }
                snprintf(buf, len, "-1");
                if (!is_size && p->choices && *p->choices) snprintf(buf, len, "-2"); /* not an alias */
                return;
            case 2: snprintf(buf, len, "%s", is_size ? "12q" : "four"); return;
            default: snprintf(buf, len, "0%d", 1 + (int)below(7)); /* leading zero: never octal */
                /* "01".."07" is refused for both types unless the key has no number >= 1 */
                return;
            }
        }
        if (!is_size && p->choices && *p->choices && below(4) == 0) {
            char alias[64];
            snprintf(alias, sizeof alias, "%s", p->choices);
            char* eq = strchr(alias, '=');
            if (eq) *eq = 0;
            snprintf(buf, len, "%s", alias);
            return;
        }
        const long double lo = p->min < 0 ? 0 : p->min;
        const unsigned long long v = draw_u((unsigned long long)lo, (unsigned long long)cap_of(p));
        if (is_size && v && !(v & 1023) && below(2)) snprintf(buf, len, "%lluk", v >> 10);
        else if (below(8) == 0) snprintf(buf, len, "0x%llx", v);
        else snprintf(buf, len, "%llu", v);
        return;
    }
    }
}

static char* out;

/* The message says what is allowed. */
static int says_what_is_allowed(const char* msg) {
    static const char* const words[] = {"range", "expected", "must", "cannot", "one of", "needs", "overlap",
                                        "lies", "larger", "divisible", "below", "at least", "at most", "only",
                                        "aligned", "multiple", "power of two", "wraps", "leading zero"};
    for (size_t i = 0; i < SL_COUNT(words); ++i)
        if (strstr(msg, words[i])) return 1;
    return 0;
}

/* A value as the message may show it: as given, or as a decimal number. */
static int names_value(const char* msg, const char* value) {
    if (strstr(msg, value)) return 1;
    /* booleans as the configuration writes them back */
    static const char* const yes[] = {"1", "yes", "on"}, *const no[] = {"0", "no", "off"};
    for (size_t i = 0; i < SL_COUNT(yes); ++i) {
        if (!strcmp(value, yes[i]) && strstr(msg, "true")) return 1;
        if (!strcmp(value, no[i]) && strstr(msg, "false")) return 1;
    }
    char* end = NULL;
    unsigned long long v = strtoull(value, &end, 0);
    if (end != value) {
        unsigned long long mult = !*end ? 1 : *end == 'k' ? 1ULL << 10 : *end == 'M' ? 1ULL << 20 : *end == 'G' ? 1ULL << 30 : 0;
        char num[32];
        snprintf(num, sizeof num, "%llu", v * mult);
        if (mult && strstr(msg, num)) return 1;
        snprintf(num, sizeof num, "0x%llx", v * mult);
        if (mult && strstr(msg, num)) return 1;
    }
    return 0;
}

static int failures;

static void one_draw(unsigned long long seed, int index) {
    enum { MAX_KEYS = 3 };
    const size_t nparams = SL_COUNT(kParams);
    const param_def_t* keys[MAX_KEYS];
    char values[MAX_KEYS][64];
    int valid[MAX_KEYS];
    const size_t nkeys = 1 + below(MAX_KEYS);
    char sets[2048] = "";
    size_t used = 0;
    for (size_t k = 0; k < nkeys; ++k) {
        const param_def_t* p;
        int again;
        do {
            p = &kParams[below(nparams)];
            again = skipped(p);
            for (size_t j = 0; j < k; ++j) again |= keys[j] == p;
        } while (again);
        keys[k] = p;
        draw_value(p, values[k], sizeof values[k], &valid[k]);
    }
    for (size_t i = 0; i < SL_COUNT(kShort); ++i) {
        int drawn = 0;
        for (size_t k = 0; k < nkeys; ++k) drawn |= !strcmp(keys[k]->key, kShort[i].key);
        if (!drawn) used += (size_t)snprintf(sets + used, sizeof sets - used, " --set %s=%s", kShort[i].key, kShort[i].value);
    }
    for (size_t k = 0; k < nkeys; ++k)
        used += (size_t)snprintf(sets + used, sizeof sets - used, " --set '%s=%s'", keys[k]->key, values[k]);

    char args[4096];
    snprintf(args, sizeof args, "run --workload %s%s", kWorkloads[0], sets);
    const int rc = sl_test_staleline(args, &out);
    if (rc == 2) {
        /* Refused: the message names a drawn key, its value, and what is allowed. */
        int named = 0;
        for (size_t k = 0; k < nkeys && !named; ++k)
            named = strstr(out, keys[k]->key) && names_value(out, values[k]) && says_what_is_allowed(out);
        int any_invalid = 0;
        for (size_t k = 0; k < nkeys; ++k) any_invalid |= !valid[k];
        (void)any_invalid;
        if (!named) {
            fprintf(stderr, "draw %llu/%d: refused without naming a drawn key, its value and what is allowed:\n  "
                            "staleline %s\n  %s\n", seed, index, args, out);
            ++failures;
        }
        return;
    }
    for (size_t k = 0; k < nkeys; ++k)
        if (!valid[k]) {
            fprintf(stderr, "draw %llu/%d: %s=%s is outside its definition but was accepted (exit %d):\n  staleline %s\n",
                    seed, index, keys[k]->key, values[k], rc, args);
            ++failures;
            return;
        }
    if (rc != 0) {
        fprintf(stderr, "draw %llu/%d: accepted, but the run failed (exit %d):\n  staleline %s\n%s\n", seed, index, rc,
                args, out);
        ++failures;
        return;
    }
    for (size_t w = 1; w < SL_COUNT(kWorkloads); ++w) {
        snprintf(args, sizeof args, "run --workload %s%s", kWorkloads[w], sets);
        const int wrc = sl_test_staleline(args, &out);
        if (wrc != 0) {
            fprintf(stderr, "draw %llu/%d: accepted, but workload %s failed (exit %d):\n  staleline %s\n%s\n", seed,
                    index, kWorkloads[w], wrc, args, out);
            ++failures;
            return;
        }
    }
}

static void draws(int part) {
    const char* s = getenv("SL_CONFIG_SEED");
    const char* d = getenv("SL_CONFIG_DRAWS");
    const unsigned long long seed = s ? strtoull(s, NULL, 0) : 1;
    const int n = d ? atoi(d) : 50;
    rng_state = seed * 0x100000001b3ULL + (uint64_t)part;
    failures = 0;
    for (int i = 0; i < n; ++i) one_draw(seed, part * 100000 + i);
    CU_ASSERT_EQUAL(failures, 0);
}

static void test_draws_part0(void) { draws(0); }
static void test_draws_part1(void) { draws(1); }
static void test_draws_part2(void) { draws(2); }
static void test_draws_part3(void) { draws(3); }

int main(int argc, char** argv) {
    static const sl_test_t tests[] = {
        SL_TEST(test_draws_part0),
        SL_TEST(test_draws_part1),
        SL_TEST(test_draws_part2),
        SL_TEST(test_draws_part3),
    };
    int rc = sl_test_main(argc, argv, "config_property", tests, SL_COUNT(tests));
    free(out);
    return rc;
}
