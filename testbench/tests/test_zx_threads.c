/* C11 threads (<threads.h>) under the shim: with a runtime attached they are simulated threads
 * (SystemC processes) and simulated-time waits; without one they are glibc's. */
#include <string.h>
#include <threads.h>
#include <time.h>

#include "sl_test.h"
#include "staleline/shim.h"
#include "staleline/staleline.h"

static sl_platform_t* P;

static void sim(sl_thread_fn body) {
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL_FATAL(sl_config_set(c, "pci.scratch_device", "true"), 0);
    P = sl_platform_create(c);
    sl_config_free(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sl_shim_attach(P, (unsigned)sl_pci_scratch_slot(P)));
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(P, "test", body, NULL), 0);
    CU_ASSERT_EQUAL(sl_platform_run(P, 0), 0);
    sl_platform_destroy(P);
}

static struct timespec ns_to_ts(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
    return ts;
}

/* ---- create, join, sleep, exit, current ---- */

static thrd_t g_ids[4];
static uint64_t g_end[4];

static int sleeper(void* arg) {
    int i = (int)(intptr_t)arg;
    g_ids[i] = thrd_current();
    struct timespec d = ns_to_ts(1000u * (uint64_t)(i + 1));
    CU_ASSERT_EQUAL(thrd_sleep(&d, NULL), 0);
    g_end[i] = sl_time_ns();
    if (i == 2) thrd_exit(100 + i); /* from inside: the result still reaches thrd_join */
    return 10 + i;
}

static void create_join_body(void* arg) {
    uint64_t t0 = sl_time_ns();
    thrd_t t[3];
    for (int i = 0; i < 3; ++i) CU_ASSERT_EQUAL_FATAL(thrd_create(&t[i], sleeper, (void*)(intptr_t)i), thrd_success);
    int res = -1;
    CU_ASSERT_EQUAL(thrd_join(t[2], &res), thrd_success);
    CU_ASSERT_EQUAL(res, 102);
    CU_ASSERT_EQUAL(sl_time_ns(), t0 + 3000); /* the joiner waited for the slowest */
    CU_ASSERT_EQUAL(thrd_join(t[0], &res), thrd_success);
    CU_ASSERT_EQUAL(res, 10);
    CU_ASSERT_EQUAL(thrd_join(t[1], &res), thrd_success);
    CU_ASSERT_EQUAL(res, 11);
    for (int i = 0; i < 3; ++i) {
        CU_ASSERT_EQUAL(g_end[i], t0 + 1000u * (uint64_t)(i + 1)); /* simulated sleeps, in parallel */
        CU_ASSERT_TRUE(thrd_equal(g_ids[i], t[i]));
    }
    CU_ASSERT_FALSE(thrd_equal(t[0], t[1]));
    CU_ASSERT_FALSE(thrd_equal(thrd_current(), t[0]));
    CU_ASSERT_TRUE(thrd_equal(thrd_current(), thrd_current()));
    CU_ASSERT_EQUAL(thrd_join(t[0], &res), thrd_error); /* already joined */
    /* detached threads run to their end and cannot be joined */
    thrd_t d;
    CU_ASSERT_EQUAL(thrd_create(&d, sleeper, (void*)(intptr_t)3), thrd_success);
    CU_ASSERT_EQUAL(thrd_detach(d), thrd_success);
    CU_ASSERT_EQUAL(thrd_join(d, &res), thrd_error);
    thrd_yield();
    CU_ASSERT_EQUAL(thrd_create(NULL, sleeper, NULL), thrd_error);
}
static void test_create_join_sleep(void) { sim(create_join_body); }

/* ---- mutexes ---- */

static mtx_t g_mtx;
static int g_order[8], g_n;

static int locker(void* arg) {
    int id = (int)(intptr_t)arg;
    CU_ASSERT_EQUAL(mtx_lock(&g_mtx), thrd_success);
    g_order[g_n++] = id;
    sl_wait_ns(500); /* hold it for a while */
    CU_ASSERT_EQUAL(mtx_unlock(&g_mtx), thrd_success);
    return 0;
}

static void mutex_body(void* arg) {
    CU_ASSERT_EQUAL_FATAL(mtx_init(&g_mtx, mtx_plain), thrd_success);
    CU_ASSERT_EQUAL(mtx_lock(&g_mtx), thrd_success);
    CU_ASSERT_EQUAL(mtx_lock(&g_mtx), thrd_error);   /* a plain mutex does not recurse */
    CU_ASSERT_EQUAL(mtx_trylock(&g_mtx), thrd_busy);
    thrd_t a, b;
    thrd_create(&a, locker, (void*)1);
    thrd_create(&b, locker, (void*)2);
    sl_wait_ns(100); /* both block on the mutex */
    CU_ASSERT_EQUAL(g_n, 0);
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(mtx_unlock(&g_mtx), thrd_success);
    thrd_join(a, NULL);
    thrd_join(b, NULL);
    CU_ASSERT_EQUAL(g_n, 2);
    CU_ASSERT_EQUAL(sl_time_ns(), t0 + 1000); /* held 500 ns each, one after the other */
    CU_ASSERT_EQUAL(mtx_unlock(&g_mtx), thrd_error); /* not the owner */
    CU_ASSERT_EQUAL(mtx_trylock(&g_mtx), thrd_success);
    mtx_destroy(&g_mtx);
    /* recursive */
    mtx_t r;
    CU_ASSERT_EQUAL(mtx_init(&r, mtx_plain | mtx_recursive), thrd_success);
    CU_ASSERT_EQUAL(mtx_lock(&r), thrd_success);
    CU_ASSERT_EQUAL(mtx_lock(&r), thrd_success);
    CU_ASSERT_EQUAL(mtx_trylock(&r), thrd_success);
    CU_ASSERT_EQUAL(mtx_unlock(&r), thrd_success);
    CU_ASSERT_EQUAL(mtx_unlock(&r), thrd_success);
    CU_ASSERT_EQUAL(mtx_unlock(&r), thrd_success);
    CU_ASSERT_EQUAL(mtx_unlock(&r), thrd_error);
    mtx_destroy(&r);
    CU_ASSERT_EQUAL(mtx_init(&r, 7), thrd_error);
}
static void test_mutex(void) { sim(mutex_body); }

static mtx_t g_tm;
static int timed_locker(void* arg) {
    struct timespec deadline = ns_to_ts(sl_time_ns() + 2000);
    int st = mtx_timedlock(&g_tm, &deadline);
    return st == thrd_timedout ? (int)(sl_time_ns() % 100000) : -1;
}
static void timedlock_body(void* arg) {
    CU_ASSERT_EQUAL_FATAL(mtx_init(&g_tm, mtx_timed), thrd_success);
    CU_ASSERT_EQUAL(mtx_lock(&g_tm), thrd_success);
    uint64_t t0 = sl_time_ns();
    thrd_t t;
    thrd_create(&t, timed_locker, NULL);
    int res = -2;
    CU_ASSERT_EQUAL(thrd_join(t, &res), thrd_success);
    CU_ASSERT_EQUAL(res, (int)((t0 + 2000) % 100000)); /* gave up exactly at its deadline */
    mtx_unlock(&g_tm);
    mtx_destroy(&g_tm);
}
static void test_timedlock(void) { sim(timedlock_body); }

/* ---- condition variables ---- */

static mtx_t g_m;
static cnd_t g_cv;
static int g_ready, g_woken;

static int waiter(void* arg) {
    mtx_lock(&g_m);
    while (!g_ready) cnd_wait(&g_cv, &g_m);
    g_woken++;
    mtx_unlock(&g_m);
    return 0;
}

static void condvar_body(void* arg) {
    CU_ASSERT_EQUAL_FATAL(mtx_init(&g_m, mtx_plain), thrd_success);
    CU_ASSERT_EQUAL_FATAL(cnd_init(&g_cv), thrd_success);
    thrd_t t[3];
    for (int i = 0; i < 3; ++i) thrd_create(&t[i], waiter, NULL);
    sl_wait_ns(100);
    mtx_lock(&g_m);
    g_ready = 1;
    CU_ASSERT_EQUAL(cnd_signal(&g_cv), thrd_success);
    mtx_unlock(&g_m);
    sl_wait_ns(100);
    CU_ASSERT_EQUAL(g_woken, 1); /* signal wakes one */
    CU_ASSERT_EQUAL(cnd_broadcast(&g_cv), thrd_success);
    for (int i = 0; i < 3; ++i) thrd_join(t[i], NULL);
    CU_ASSERT_EQUAL(g_woken, 3);
    /* a timed wait nobody signals returns thrd_timedout at the deadline, mutex held again */
    mtx_lock(&g_m);
    uint64_t t0 = sl_time_ns();
    struct timespec deadline = ns_to_ts(t0 + 7000);
    CU_ASSERT_EQUAL(cnd_timedwait(&g_cv, &g_m, &deadline), thrd_timedout);
    CU_ASSERT_EQUAL(sl_time_ns(), t0 + 7000);
    CU_ASSERT_EQUAL(mtx_trylock(&g_m), thrd_busy); /* held by this thread again */
    CU_ASSERT_EQUAL(mtx_unlock(&g_m), thrd_success);
    CU_ASSERT_EQUAL(cnd_wait(&g_cv, &g_m), thrd_error); /* waiting without holding the mutex */
    cnd_destroy(&g_cv);
    mtx_destroy(&g_m);
}
static void test_condvar(void) { sim(condvar_body); }

/* ---- once, thread-specific storage ---- */

static int g_once_calls;
static once_flag g_once = ONCE_FLAG_INIT;
static void once_fn(void) { g_once_calls++; }
static tss_t g_key;

static int tss_user(void* arg) {
    CU_ASSERT_PTR_NULL(tss_get(g_key));
    tss_set(g_key, arg);
    sl_wait_ns(100);
    CU_ASSERT_PTR_EQUAL(tss_get(g_key), arg);
    call_once(&g_once, once_fn);
    return 0;
}

static void once_tss_body(void* arg) {
    CU_ASSERT_EQUAL(tss_create(&g_key, NULL), thrd_success);
    static int a, b;
    thrd_t t1, t2;
    thrd_create(&t1, tss_user, &a);
    thrd_create(&t2, tss_user, &b);
    thrd_join(t1, NULL);
    thrd_join(t2, NULL);
    CU_ASSERT_EQUAL(g_once_calls, 1);
    CU_ASSERT_PTR_NULL(tss_get(g_key));
    tss_delete(g_key);
}
static void test_once_and_tss(void) { sim(once_tss_body); }

/* ---- no runtime: glibc's threads ---- */

static int real_thread(void* arg) {
    *(int*)arg = 5;
    return 9;
}

static void test_without_runtime(void) {
    CU_ASSERT_FALSE(sl_shim_attached());
    int v = 0, res = 0;
    thrd_t t;
    CU_ASSERT_EQUAL_FATAL(thrd_create(&t, real_thread, &v), thrd_success);
    CU_ASSERT_EQUAL(thrd_join(t, &res), thrd_success);
    CU_ASSERT_EQUAL(v, 5);
    CU_ASSERT_EQUAL(res, 9);
    mtx_t m;
    CU_ASSERT_EQUAL(mtx_init(&m, mtx_plain), thrd_success);
    CU_ASSERT_EQUAL(mtx_lock(&m), thrd_success);
    CU_ASSERT_EQUAL(mtx_trylock(&m), thrd_busy);
    CU_ASSERT_EQUAL(mtx_unlock(&m), thrd_success);
    mtx_destroy(&m);
    struct timespec d = {0, 1000};
    CU_ASSERT_EQUAL(thrd_sleep(&d, NULL), 0);
}

static const sl_test_t tests[] = {
    SL_TEST(test_create_join_sleep), SL_TEST(test_mutex),        SL_TEST(test_timedlock),
    SL_TEST(test_condvar),           SL_TEST(test_once_and_tss), SL_TEST(test_without_runtime),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "zx-threads", tests, SL_COUNT(tests)); }
