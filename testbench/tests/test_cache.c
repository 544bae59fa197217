/* CPU cache: replacement policies on hand-computed sequences (trace replay through the
 * bare cache array), the cache model on a platform (hits, misses, write-backs, timing,
 * maintenance), the non-coherent behaviour and its absence on a coherent platform,
 * accesses spanning lines, and din trace errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_test.h"
#include "staleline/cache.h"
#include "staleline/staleline.h"

/* ---------------------------------------------------------------------------------- */
/* Trace replay (CacheArray only, no SystemC)                                         */

/* 4 sets x `ways` ways of 64-byte lines: set = (address / 64) % 4, so lines 0x000,
 * 0x100, 0x200, ... all fall in set 0. */
static sl_config_t* small_config(const char* policy, int ways, const char* seed) {
    char size[32];
    snprintf(size, sizeof size, "%d", 4 * 64 * ways);
    sl_config_t* c = sl_config_new();
    char w[16];
    snprintf(w, sizeof w, "%d", ways);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "cache.line", "64"), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "cache.ways", w), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "cache.size", size), 0);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "cache.policy", policy), 0);
    if (seed) CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "sim.seed", seed), 0);
    return c;
}

static int replay_text(const sl_config_t* c, const char* text, sl_cache_stats_t* st) {
    FILE* f = fmemopen((void*)text, strlen(text), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    memset(st, 0xa5, sizeof *st);
    int rc = sl_cache_replay_din(c, f, st);
    fclose(f);
    return rc;
}

/* Set 0 of a 4-way cache sees A B C D C A E B D (A = 0x000 ... E = 0x400), A and B
 * written; set 1 sees line 0x040 three times (read, write at 0x7f, read at 0x44).
 *
 *   LRU : after the fills, C and A hit; E evicts B (dirty: write-back), B evicts D,
 *         D evicts C.                          set 0: 2 hits, 7 misses, 3 evictions
 *   PLRU: tree bits after C, A point to the right half, then to D: E evicts D; B hits;
 *         D evicts C (the tree now points at way 2).      3 hits, 6 misses, 2 evictions
 *   FIFO: hits do not reorder: E evicts A (oldest fill, dirty); B and D hit.
 *                                                          4 hits, 5 misses, 1 eviction
 * Set 1 adds 1 miss and 2 hits (one a write) everywhere. */
static const char* kPolicyTrace =
    "# label address\n"
    "1 0\n"
    "1 100\n"
    "0 40\n"
    "0 200\n"
    "1 7f\n"
    "0 300\n"
    "0 200\n"
    "\n"
    "0 0\n"
    "0 0x44\n"
    "0 400\n"
    "0 100\n"
    "0 300\n";

static void check_policy(const char* policy, uint64_t hits, uint64_t misses, uint64_t evictions, uint64_t writebacks) {
    sl_config_t* c = small_config(policy, 4, NULL);
    sl_cache_stats_t st;
    CU_ASSERT_EQUAL_FATAL(replay_text(c, kPolicyTrace, &st), 0);
    CU_ASSERT_EQUAL(st.accesses, 12);
    CU_ASSERT_EQUAL(st.hits, hits);
    CU_ASSERT_EQUAL(st.misses, misses);
    CU_ASSERT_EQUAL(st.evictions, evictions);
    CU_ASSERT_EQUAL(st.writebacks, writebacks);
    CU_ASSERT_EQUAL(st.write_accesses, 3);
    CU_ASSERT_EQUAL(st.write_misses, 2);
    CU_ASSERT_EQUAL(st.write_hits, 1);
    CU_ASSERT_EQUAL(st.read_accesses, 9);
    CU_ASSERT_EQUAL(st.read_hits + st.read_misses, 9);
    CU_ASSERT_EQUAL(st.cleans, 0);
    CU_ASSERT_EQUAL(st.invalidates, 0);
    CU_ASSERT_EQUAL(st.maintenance_lines, 0);
    sl_config_free(c);
}

static void test_replay_lru(void) { check_policy("lru", 4, 8, 3, 1); }
static void test_replay_plru(void) { check_policy("plru", 5, 7, 2, 0); }
static void test_replay_fifo(void) { check_policy("fifo", 6, 6, 1, 1); }

/* Two ways: plru has one bit per set and must equal lru exactly. A B A C B A in set 0:
 * lru misses all but the second A (C evicts B, B evicts A, A evicts C); fifo keeps B
 * (C evicts A, the oldest fill), so B hits and A then evicts B. */
static void test_replay_two_ways(void) {
    const char* t = "0 0\n0 100\n0 0\n0 200\n0 100\n0 0\n";
    const char* policies[] = {"lru", "plru"};
    for (int i = 0; i < 2; ++i) {
        sl_config_t* c = small_config(policies[i], 2, NULL);
        sl_cache_stats_t st;
        CU_ASSERT_EQUAL(replay_text(c, t, &st), 0);
        CU_ASSERT_EQUAL(st.hits, 1);
        CU_ASSERT_EQUAL(st.misses, 5);
        CU_ASSERT_EQUAL(st.evictions, 3);
        sl_config_free(c);
    }
    sl_config_t* c = small_config("fifo", 2, NULL);
    sl_cache_stats_t st;
    CU_ASSERT_EQUAL(replay_text(c, t, &st), 0);
    CU_ASSERT_EQUAL(st.hits, 2);
    CU_ASSERT_EQUAL(st.misses, 4);
    CU_ASSERT_EQUAL(st.evictions, 2);
    sl_config_free(c);
}

/* Three sets (not a power of two), direct mapped: set = line % 3, so 0x000 (line 0) and
 * 0x0c0 (line 3) conflict while 0x040 (line 1) and 0x100 (line 4, set 1) conflict too. */
static void test_replay_three_sets(void) {
    sl_config_t* c = small_config("lru", 1, NULL);
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "cache.size", "192"), 0);
    sl_cache_stats_t st;
    CU_ASSERT_EQUAL(replay_text(c, "1 0\n0 c0\n0 0\n0 40\n0 80\n0 40\n0 100\n0 80\n", &st), 0);
    /* misses: 0, c0 (evicts dirty 0), 0 (evicts c0), 40, 80, -, 100 (evicts 40), - */
    CU_ASSERT_EQUAL(st.misses, 6);
    CU_ASSERT_EQUAL(st.hits, 2);
    CU_ASSERT_EQUAL(st.evictions, 3);
    CU_ASSERT_EQUAL(st.writebacks, 1);
    sl_config_free(c);
}

/* Reference MT19937-64 (Matsumoto and Nishimura), the generator behind cache.policy =
 * random: std::mt19937_64 seeded with sim.seed, victim = next() % ways. */
typedef struct {
    uint64_t mt[312];
    int i;
} mt64_t;
static void mt64_seed(mt64_t* m, uint64_t seed) {
    m->mt[0] = seed;
    for (m->i = 1; m->i < 312; ++m->i)
        m->mt[m->i] = 6364136223846793005ULL * (m->mt[m->i - 1] ^ (m->mt[m->i - 1] >> 62)) + (uint64_t)m->i;
}
static uint64_t mt64_next(mt64_t* m) {
    static const uint64_t mag[2] = {0, 0xB5026F5AA96619E9ULL};
    const uint64_t um = 0xFFFFFFFF80000000ULL, lm = 0x7FFFFFFFULL;
    uint64_t x;
    if (m->i >= 312) {
        int k;
        for (k = 0; k < 312 - 156; ++k) {
            x = (m->mt[k] & um) | (m->mt[k + 1] & lm);
            m->mt[k] = m->mt[k + 156] ^ (x >> 1) ^ mag[x & 1];
        }
        for (; k < 311; ++k) {
            x = (m->mt[k] & um) | (m->mt[k + 1] & lm);
            m->mt[k] = m->mt[k + 156 - 312] ^ (x >> 1) ^ mag[x & 1];
        }
        x = (m->mt[311] & um) | (m->mt[0] & lm);
        m->mt[311] = m->mt[155] ^ (x >> 1) ^ mag[x & 1];
        m->i = 0;
    }
    x = m->mt[m->i++];
    x ^= (x >> 29) & 0x5555555555555555ULL;
    x ^= (x << 17) & 0x71D67FFFEDA60000ULL;
    x ^= (x << 37) & 0xFFF7EEE000000000ULL;
    x ^= x >> 43;
    return x;
}

/* A B C cycled 100 times through one 2-way set: lru misses every time (300); random
 * follows the reference generator exactly, hits sometimes, and replays identically. */
static void test_replay_random(void) {
    mt64_t m;
    mt64_seed(&m, 5489);
    CU_ASSERT_EQUAL(mt64_next(&m), 14514284786278117030ULL); /* the C++ standard's check value */

    char trace[4096] = "";
    for (int i = 0; i < 100; ++i) strcat(trace, "0 0\n0 100\n0 200\n");

    const uint64_t seeds[] = {1, 42};
    for (int s = 0; s < 2; ++s) {
        /* reference: 1 set x 2 ways, lowest free way first, else next() % 2 */
        uint64_t tag[2] = {~0ULL, ~0ULL}, hits = 0, misses = 0, evictions = 0;
        mt64_seed(&m, seeds[s]);
        for (int i = 0; i < 300; ++i) {
            uint64_t line = (uint64_t)(i % 3);
            if (tag[0] == line || tag[1] == line) { ++hits; continue; }
            ++misses;
            int way = tag[0] == ~0ULL ? 0 : tag[1] == ~0ULL ? 1 : -1;
            if (way < 0) { way = (int)(mt64_next(&m) % 2); ++evictions; }
            tag[way] = line;
        }
        char seed[16];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)seeds[s]);
        sl_config_t* c = small_config("random", 2, seed);
        CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "cache.size", "128"), 0); /* one set */
        sl_cache_stats_t a, b;
        CU_ASSERT_EQUAL(replay_text(c, trace, &a), 0);
        CU_ASSERT_EQUAL(replay_text(c, trace, &b), 0);
        CU_ASSERT_EQUAL(a.hits, hits);
        CU_ASSERT_EQUAL(a.misses, misses);
        CU_ASSERT_EQUAL(a.evictions, evictions);
        CU_ASSERT(a.hits > 0 && a.misses > 3);
        CU_ASSERT_EQUAL(a.hits + a.misses, 300);
        CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
        sl_config_free(c);

        c = small_config("lru", 2, seed);
        CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "cache.size", "128"), 0);
        CU_ASSERT_EQUAL(replay_text(c, trace, &a), 0);
        CU_ASSERT_EQUAL(a.misses, 300);
        sl_config_free(c);
    }
}

/* The reader takes its input in blocks of 1 MiB: records that straddle a block boundary, and
 * an error far into the file, are read and numbered as in a small file. */
static void test_replay_large(void) {
    sl_config_t* c = small_config("lru", 2, NULL);
    size_t lines = 200000, cap = lines * 24 + 64, len = 0;
    char* text = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    uint64_t writes = 0;
    for (size_t i = 0; i < lines; ++i) {
        unsigned label = (unsigned)(i % 3);
        writes += label == 1;
        len += (size_t)snprintf(text + len, cap - len, i % 7 ? "%u %llx\n" : "%u 0x%llx\n", label,
                                (unsigned long long)(i * 64 * 977 % 1048576));
    }
    sl_cache_stats_t st;
    CU_ASSERT_EQUAL(replay_text(c, text, &st), 0);
    CU_ASSERT_EQUAL(st.accesses, lines);
    CU_ASSERT_EQUAL(st.write_accesses, writes);
    len += (size_t)snprintf(text + len, cap - len, "1 zz\n");
    CU_ASSERT_EQUAL(replay_text(c, text, &st), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 200001: ", 13), 0);
    free(text);
    sl_config_free(c);
}

/* Malformed lines are reported with their line number; comments and blank lines count. */
static void test_replay_errors(void) {
    sl_config_t* c = small_config("lru", 2, NULL);
    sl_cache_stats_t st;
    CU_ASSERT_EQUAL(replay_text(c, "0 100\n# comment\n\n1 zz\n0 0\n", &st), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 4: ", 8), 0);
    CU_ASSERT_EQUAL(replay_text(c, "0 100\n3 200\n", &st), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 2: ", 8), 0);
    CU_ASSERT_EQUAL(replay_text(c, "1 100 junk\n", &st), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 1: ", 8), 0);
    CU_ASSERT_EQUAL(replay_text(c, "0 100\n1 12345678123456789\n", &st), -1); /* 17 significant hex digits */
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 2: address out of range", 28), 0);
    CU_ASSERT_EQUAL(replay_text(c, "0 100\n1 0x\n", &st), -1);
    CU_ASSERT_EQUAL(strncmp(sl_error(), "line 2: missing or malformed hex address", 40), 0);
    /* the last line needs no newline; CRLF line ends are fine */
    CU_ASSERT_EQUAL(replay_text(c, "0 100\r\n1 0x0000000000000200", &st), 0);
    CU_ASSERT_EQUAL(st.accesses, 2);
    CU_ASSERT_EQUAL(st.write_accesses, 1);
    /* a NUL byte and an endless line are errors that name their line, not a crash or a hang */
    {
        static const char nul[] = "0 100\n0 1\0002\n";
        FILE* f = fmemopen((void*)nul, sizeof nul - 1, "r");
        CU_ASSERT_EQUAL(sl_cache_replay_din(c, f, &st), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "line 2: NUL byte after the address, got '0 1\\02'"));
        fclose(f);
        size_t n = 10000;
        char* longline = malloc(n + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(longline);
        memset(longline, '0', n);
        memcpy(longline, "0 ", 2);
        longline[n] = '\0';
        CU_ASSERT_EQUAL(replay_text(c, longline, &st), -1);
        CU_ASSERT_EQUAL(strncmp(sl_error(), "line 1: line longer than 4096 characters", 40), 0);
        free(longline);
    }
    /* an empty trace is fine and counts nothing */
    CU_ASSERT_EQUAL(replay_text(c, "", &st), 0);
    CU_ASSERT_EQUAL(st.accesses, 0);
    CU_ASSERT_EQUAL(sl_cache_replay_din(c, NULL, &st), -1);
    sl_config_free(c);

    /* a geometry the cache cannot have names its key (validation is not required first) */
    c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.size", "640"), 0);
    CU_ASSERT_EQUAL(sl_config_set(c, "cache.ways", "4"), 0);
    CU_ASSERT_EQUAL(replay_text(c, "0 0\n", &st), -1);
    CU_ASSERT_STRING_EQUAL(sl_error_key(), "cache.size");
    sl_config_free(c);
}

/* ---------------------------------------------------------------------------------- */
/* The cache model on a platform                                                      */

#define RAM 0x80000000ULL /* platform.phys_base: addresses in set 0 are RAM + k * 0x100 */

typedef struct {
    sl_platform_t* p;
    int step; /* how far the thread got: a failed assertion must not hide a stuck thread */
} ctx_t;

static sl_platform_t* make(const char* policy, int ways, const char* extra) {
    sl_config_t* c = small_config(policy, ways, NULL);
    if (extra) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, extra), 0);
    sl_platform_t* p = sl_platform_create(c);
    if (!p) fprintf(stderr, "sl_platform_create: %s\n", sl_error());
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    sl_config_free(c);
    return p;
}

static void run(sl_platform_t* p, sl_thread_fn fn, ctx_t* c, int steps) {
    c->p = p;
    c->step = 0;
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(p, "test", fn, c), 0);
    CU_ASSERT_EQUAL(sl_platform_run(p, 0), 0);
    CU_ASSERT_EQUAL(c->step, steps);
}

static void rd(sl_platform_t* p, uint64_t pa) {
    uint8_t b[8];
    CU_ASSERT_EQUAL(sl_cpu_read(p, pa, b, sizeof b), 0);
}
static void wr(sl_platform_t* p, uint64_t pa, uint8_t v) {
    uint8_t b[8];
    memset(b, v, sizeof b);
    CU_ASSERT_EQUAL(sl_cpu_write(p, pa, b, sizeof b), 0);
}

/* The policy trace through the real cache: same counts as replay, and the write-back
 * of a dirty victim carries the CPU's bytes to DRAM. */
static void policy_thread(void* arg) {
    ctx_t* c = arg;
    sl_platform_t* p = c->p;
    const uint64_t A = RAM, B = RAM + 0x100, C = RAM + 0x200, D = RAM + 0x300, E = RAM + 0x400;
    wr(p, A, 0xaa);
    wr(p, B, 0xbb);
    rd(p, RAM + 0x40);
    rd(p, C);
    wr(p, RAM + 0x78, 0x11); /* 0x78..0x7f: same line as 0x40 */
    rd(p, D);
    rd(p, C);
    rd(p, A);
    rd(p, RAM + 0x44);
    rd(p, E);
    rd(p, B);
    rd(p, D);
    c->step = 1;
}

static void test_cache_lru_on_platform(void) {
    ctx_t c;
    sl_platform_t* p = make("lru", 4, NULL);
    run(p, policy_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.accesses, 12);
    CU_ASSERT_EQUAL(st.hits, 4);
    CU_ASSERT_EQUAL(st.misses, 8);
    CU_ASSERT_EQUAL(st.evictions, 3);
    CU_ASSERT_EQUAL(st.writebacks, 1);
    /* B was evicted dirty and refilled: DRAM has the CPU's 0xbb, the line is clean now */
    uint8_t b[8];
    sl_dram_read(p, RAM + 0x100, b, 8);
    CU_ASSERT_EQUAL(b[0], 0xbb);
    CU_ASSERT_EQUAL(b[7], 0xbb);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x100), 1);
    /* A is still dirty in the cache, so DRAM has never seen 0xaa */
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM), 2);
    sl_dram_read(p, RAM, b, 8);
    CU_ASSERT_EQUAL(b[0], 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x200), 0); /* C evicted by D */
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x40), 2);
    sl_platform_destroy(p);
}

static void test_cache_plru_on_platform(void) {
    ctx_t c;
    sl_platform_t* p = make("plru", 4, NULL);
    run(p, policy_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.hits, 5);
    CU_ASSERT_EQUAL(st.misses, 7);
    CU_ASSERT_EQUAL(st.evictions, 2);
    CU_ASSERT_EQUAL(st.writebacks, 0);
    /* D and C went, clean; B stayed dirty, so DRAM never saw 0xbb */
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x100), 2);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x200), 0);
    uint8_t b[8];
    sl_dram_read(p, RAM + 0x100, b, 8);
    CU_ASSERT_EQUAL(b[0], 0);
    sl_platform_destroy(p);
}

static void test_cache_fifo_on_platform(void) {
    ctx_t c;
    sl_platform_t* p = make("fifo", 4, NULL);
    run(p, policy_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.hits, 6);
    CU_ASSERT_EQUAL(st.misses, 6);
    CU_ASSERT_EQUAL(st.evictions, 1);
    CU_ASSERT_EQUAL(st.writebacks, 1);
    uint8_t b[8];
    sl_dram_read(p, RAM, b, 8); /* A, evicted dirty */
    CU_ASSERT_EQUAL(b[3], 0xaa);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM), 0);
    sl_platform_destroy(p);
}

/* Random on the platform replays identically for the same seed. */
static void random_thread(void* arg) {
    ctx_t* c = arg;
    for (int i = 0; i < 60; ++i) wr(c->p, RAM + (uint64_t)(i % 5) * 0x100, (uint8_t)i);
    c->step = 1;
}
static void test_cache_random_on_platform(void) {
    ctx_t c;
    sl_platform_t* p = make("random", 2, "sim.seed=7");
    run(p, random_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    /* the same accesses replayed through the bare array with the same seed */
    sl_config_t* cfg = small_config("random", 2, "7");
    char trace[1024] = "";
    for (int i = 0; i < 60; ++i) {
        char line[32];
        snprintf(line, sizeof line, "1 %llx\n", (unsigned long long)(RAM + (uint64_t)(i % 5) * 0x100));
        strcat(trace, line);
    }
    sl_cache_stats_t ref;
    CU_ASSERT_EQUAL(replay_text(cfg, trace, &ref), 0);
    CU_ASSERT_EQUAL(st.hits, ref.hits);
    CU_ASSERT_EQUAL(st.misses, ref.misses);
    CU_ASSERT_EQUAL(st.evictions, ref.evictions);
    CU_ASSERT_EQUAL(st.writebacks, ref.writebacks);
    CU_ASSERT_EQUAL(st.evictions, st.misses - 2);  /* all writes: every eviction is dirty */
    CU_ASSERT_EQUAL(st.writebacks, st.evictions);
    sl_config_free(cfg);
    sl_platform_destroy(p);
}

/* Timing with the defaults: hit 1 ns; miss 4 ns + DRAM 60 ns + 64 B at 12.8 GB/s (5 ns);
 * a miss with a dirty victim pays a second DRAM transaction; maintenance 2 ns per line. */
static void timing_thread(void* arg) {
    ctx_t* c = arg;
    sl_platform_t* p = c->p;
    uint64_t t0 = sl_time_ns();
    rd(p, RAM);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 69);
    t0 = sl_time_ns();
    rd(p, RAM + 8);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 1);
    wr(p, RAM + 0x100, 1); /* miss into the free way: 69 */
    t0 = sl_time_ns();
    rd(p, RAM + 0x200); /* 2 ways: evicts RAM (lru, clean): 69 */
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 69);
    t0 = sl_time_ns();
    rd(p, RAM + 0x300); /* evicts 0x100 (dirty): 4 + 65 + 65 */
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 134);
    t0 = sl_time_ns();
    wr(p, RAM + 0x200, 2); /* hit */
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 1);
    /* clean over 4 lines (0x200..0x2ff, one dirty line at 0x200): 4 * 2 + 65 */
    t0 = sl_time_ns();
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN, RAM + 0x200, 256), 0);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 73);
    /* invalidate a range not cached at all: still 2 ns per line */
    t0 = sl_time_ns();
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_INVALIDATE, RAM + 0x10000, 640), 0);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 20);
    c->step = 1;
}
static void test_cache_timing(void) {
    ctx_t c;
    sl_platform_t* p = make("lru", 2, NULL);
    run(p, timing_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.maintenance_lines, 14);
    CU_ASSERT_EQUAL(st.cleans, 1);
    CU_ASSERT_EQUAL(st.writebacks, 2);
    sl_platform_destroy(p);
}

/* clean writes back and keeps the line clean; invalidate drops the line and discards
 * dirty bytes; clean+invalidate writes back and drops. */
static void maintenance_thread(void* arg) {
    ctx_t* c = arg;
    sl_platform_t* p = c->p;
    char b[8];
    const uint64_t X = RAM + 0x1000;
    sl_dram_write(p, X, "KEEP", 5);
    CU_ASSERT_EQUAL(sl_cpu_write(p, X, "CPU1", 5), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, X), 2);
    /* clean */
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN, X, 5), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, X), 1);
    sl_dram_read(p, X, b, 5);
    CU_ASSERT_STRING_EQUAL(b, "CPU1");
    /* cleaning a clean line writes nothing back */
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN, X, 64), 0);
    /* invalidate discards */
    CU_ASSERT_EQUAL(sl_cpu_write(p, X, "LOST", 5), 0);
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_INVALIDATE, X + 63, 1), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, X), 0);
    sl_dram_read(p, X, b, 5);
    CU_ASSERT_STRING_EQUAL(b, "CPU1");
    CU_ASSERT_EQUAL(sl_cpu_read(p, X, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "CPU1");
    CU_ASSERT_EQUAL(sl_cache_line_state(p, X), 1);
    /* clean + invalidate */
    CU_ASSERT_EQUAL(sl_cpu_write(p, X, "BOTH", 5), 0);
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN_INVALIDATE, X, 64), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, X), 0);
    sl_dram_read(p, X, b, 5);
    CU_ASSERT_STRING_EQUAL(b, "BOTH");
    /* a bad operation is refused */
    CU_ASSERT_EQUAL(sl_cache_maintain(p, (sl_cache_op_t)7, X, 64), -1);
    c->step = 1;
}
static void test_cache_maintenance(void) {
    ctx_t c;
    sl_platform_t* p = make("lru", 4, NULL);
    run(p, maintenance_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.cleans, 2);                /* CPU1 by clean, BOTH by clean+invalidate */
    CU_ASSERT_EQUAL(st.writebacks, 2);
    CU_ASSERT_EQUAL(st.invalidates, 2);           /* LOST's line, BOTH's line */
    CU_ASSERT_EQUAL(st.discarded_dirty_lines, 1); /* LOST */
    CU_ASSERT_EQUAL(st.maintenance_lines, 4);
    CU_ASSERT_EQUAL(st.misses, 2);                /* first write, read after invalidate */
    sl_platform_destroy(p);
}

/* Not coherent: a device write to DRAM is invisible to the CPU until it invalidates,
 * and a CPU write is invisible to a device until it cleans. */
static void noncoherent_thread(void* arg) {
    ctx_t* c = arg;
    sl_platform_t* p = c->p;
    char b[8];
    const uint64_t X = RAM + 0x2000, Y = RAM + 0x3000;
    CU_ASSERT_EQUAL(sl_device_write_dram(p, X, "DEV1", 5), 0);
    CU_ASSERT_EQUAL(sl_cpu_read(p, X, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "DEV1");
    CU_ASSERT_EQUAL(sl_device_write_dram(p, X, "DEV2", 5), 0);
    CU_ASSERT_EQUAL(sl_cpu_read(p, X, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "DEV1"); /* stale: the cached line */
    CU_ASSERT_EQUAL(sl_cpu_peek(p, X, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "DEV1");
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_INVALIDATE, X, 5), 0);
    CU_ASSERT_EQUAL(sl_cpu_peek(p, X, b, 5), 0); /* not cached: peek shows DRAM */
    CU_ASSERT_STRING_EQUAL(b, "DEV2");
    CU_ASSERT_EQUAL(sl_cpu_read(p, X, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "DEV2");

    CU_ASSERT_EQUAL(sl_cpu_write(p, Y, "CPU1", 5), 0);
    memset(b, 'x', sizeof b);
    CU_ASSERT_EQUAL(sl_device_read_dram(p, Y, b, 5), 0);
    CU_ASSERT_EQUAL(memcmp(b, "\0\0\0\0\0", 5), 0); /* DRAM never saw the write */
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN, Y, 5), 0);
    CU_ASSERT_EQUAL(sl_device_read_dram(p, Y, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "CPU1");
    c->step = 1;
}
static void test_noncoherent(void) {
    ctx_t c;
    sl_platform_t* p = make("lru", 4, NULL);
    run(p, noncoherent_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.snoop_writebacks, 0);
    CU_ASSERT_EQUAL(st.snoop_invalidates, 0);
    sl_platform_destroy(p);
}

/* Coherent (x86-like): the same sequence shows no staleness, by snooping. */
static void coherent_thread(void* arg) {
    ctx_t* c = arg;
    sl_platform_t* p = c->p;
    char b[8];
    const uint64_t X = RAM + 0x2000, Y = RAM + 0x3000;
    CU_ASSERT_EQUAL(sl_device_write_dram(p, X, "DEV1", 5), 0);
    CU_ASSERT_EQUAL(sl_cpu_read(p, X, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "DEV1");
    CU_ASSERT_EQUAL(sl_device_write_dram(p, X, "DEV2", 5), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, X), 0); /* the device write dropped the line */
    CU_ASSERT_EQUAL(sl_cpu_read(p, X, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "DEV2");

    CU_ASSERT_EQUAL(sl_cpu_write(p, Y, "CPU1", 5), 0);
    CU_ASSERT_EQUAL(sl_device_read_dram(p, Y, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "CPU1");
    CU_ASSERT_EQUAL(sl_cache_line_state(p, Y), 1); /* written back, kept */
    /* a partial device write into a dirty line keeps the CPU's other bytes */
    CU_ASSERT_EQUAL(sl_cpu_write(p, Y + 8, "cpu", 4), 0);
    CU_ASSERT_EQUAL(sl_device_write_dram(p, Y, "dev", 4), 0);
    CU_ASSERT_EQUAL(sl_cpu_read(p, Y, b, 4), 0);
    CU_ASSERT_STRING_EQUAL(b, "dev");
    CU_ASSERT_EQUAL(sl_cpu_read(p, Y + 8, b, 4), 0);
    CU_ASSERT_STRING_EQUAL(b, "cpu");
    c->step = 1;
}
static void test_coherent(void) {
    ctx_t c;
    sl_platform_t* p = make("lru", 4, "platform.coherent=true");
    run(p, coherent_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.snoop_invalidates, 2); /* X for DEV2, Y for "dev" */
    CU_ASSERT_EQUAL(st.snoop_writebacks, 2);  /* Y for the device read, Y before "dev" */
    CU_ASSERT_EQUAL(st.invalidates, 0);
    CU_ASSERT_EQUAL(st.cleans, 0);
    sl_platform_destroy(p);
}

/* An access crossing a line boundary touches both lines. */
static void span_thread(void* arg) {
    ctx_t* c = arg;
    sl_platform_t* p = c->p;
    const uint64_t X = RAM + 0x4000 + 60; /* 60..67: lines 0x4000 and 0x4040 */
    uint8_t w[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r[8] = {0};
    CU_ASSERT_EQUAL(sl_cpu_write(p, X, w, 8), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x4000), 2);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x4040), 2);
    CU_ASSERT_EQUAL(sl_cpu_read(p, X, r, 8), 0);
    CU_ASSERT_EQUAL(memcmp(r, w, 8), 0);
    /* cleaning only the second line publishes only bytes 64..67 */
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN, RAM + 0x4040, 1), 0);
    sl_dram_read(p, X, r, 8);
    uint8_t want[8] = {0, 0, 0, 0, 5, 6, 7, 8};
    CU_ASSERT_EQUAL(memcmp(r, want, 8), 0);
    c->step = 1;
}
static void test_access_spanning_lines(void) {
    ctx_t c;
    sl_platform_t* p = make("lru", 4, NULL);
    run(p, span_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.accesses, 4);
    CU_ASSERT_EQUAL(st.write_misses, 2);
    CU_ASSERT_EQUAL(st.read_hits, 2);
    CU_ASSERT_EQUAL(st.maintenance_lines, 1);
    CU_ASSERT_EQUAL(st.cleans, 1);
    sl_platform_destroy(p);
}

/* Maintenance over a range far larger than the cache visits only what is cached but
 * charges every line; a range reaching the top of the address space is clamped. */
static void big_range_thread(void* arg) {
    ctx_t* c = arg;
    sl_platform_t* p = c->p;
    wr(p, RAM + 0x100000, 1);
    wr(p, RAM + 0x200040, 2);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN_INVALIDATE, RAM, 64 << 20), 0);
    /* 1 Mi lines * 2 ns + two write-backs of 65 ns */
    CU_ASSERT_EQUAL(sl_time_ns() - t0, (uint64_t)(1 << 20) * 2 + 130);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x100000), 0);
    CU_ASSERT_EQUAL(sl_cache_line_state(p, RAM + 0x200040), 0);
    uint8_t b = 0;
    sl_dram_read(p, RAM + 0x200040, &b, 1);
    CU_ASSERT_EQUAL(b, 2);
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_INVALIDATE, 0xffffffffffffffc0ULL, 4096), 0);
    c->step = 1;
}
static void test_maintenance_large_range(void) {
    ctx_t c;
    sl_platform_t* p = make("lru", 4, NULL);
    run(p, big_range_thread, &c, 1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.cleans, 2);
    CU_ASSERT_EQUAL(st.invalidates, 2);
    CU_ASSERT_EQUAL(st.maintenance_lines, (1u << 20) + 1);
    sl_platform_destroy(p);
}

/* Timed calls outside a simulated thread are refused with a message, not a crash. */
static void test_outside_thread(void) {
    sl_platform_t* p = make("lru", 4, NULL);
    char b[4];
    CU_ASSERT_EQUAL(sl_cpu_read(p, RAM, b, 4), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "simulated thread"));
    CU_ASSERT_EQUAL(sl_cache_maintain(p, SL_CACHE_CLEAN, RAM, 4), -1);
    CU_ASSERT_EQUAL(sl_device_write_dram(p, RAM, b, 4), -1);
    CU_ASSERT_EQUAL(sl_cpu_peek(p, RAM, b, 4), 0); /* untimed: fine anywhere */
    CU_ASSERT_EQUAL(sl_cpu_read(NULL, RAM, b, 4), -1);
    CU_ASSERT_EQUAL(sl_cache_line_state(NULL, RAM), -1);
    sl_cache_stats_t st;
    sl_cache_get_stats(p, &st);
    CU_ASSERT_EQUAL(st.accesses, 0);
    sl_platform_destroy(p);
}

static const sl_test_t tests[] = {
    SL_TEST(test_replay_lru),
    SL_TEST(test_replay_plru),
    SL_TEST(test_replay_fifo),
    SL_TEST(test_replay_two_ways),
    SL_TEST(test_replay_three_sets),
    SL_TEST(test_replay_random),
    SL_TEST(test_replay_errors), SL_TEST(test_replay_large),
    SL_TEST(test_cache_lru_on_platform),
    SL_TEST(test_cache_plru_on_platform),
    SL_TEST(test_cache_fifo_on_platform),
    SL_TEST(test_cache_random_on_platform),
    SL_TEST(test_cache_timing),
    SL_TEST(test_cache_maintenance),
    SL_TEST(test_noncoherent),
    SL_TEST(test_coherent),
    SL_TEST(test_access_spanning_lines),
    SL_TEST(test_maintenance_large_range),
    SL_TEST(test_outside_thread),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "cache", tests, SL_COUNT(tests)); }
