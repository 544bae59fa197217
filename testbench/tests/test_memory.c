/* DRAM model: sparse storage across the 64-bit space, zeros where untouched, pages
 * touched, latency + bandwidth timing, DMI grants per page aliasing the store, byte
 * enables and streaming width, malformed transactions. */
#include <string.h>

#include "sl_test.h"
#include "staleline/memory.h"
#include "staleline/cache.h"
#include "staleline/staleline.h"

static sl_platform_t* make(const char* a, const char* b) {
    sl_config_t* c = sl_config_new();
    if (a) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, a), 0);
    if (b) CU_ASSERT_EQUAL_FATAL(sl_config_set_assignment(c, b), 0);
    sl_platform_t* p = sl_platform_create(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    sl_config_free(c);
    return p;
}

static uint64_t pages(sl_platform_t* p) {
    sl_memory_stats_t s;
    sl_memory_get_stats(p, &s);
    return s.pages_touched;
}

/* Two pages 2^48 bytes apart cost two pages; reading elsewhere allocates nothing and
 * returns zeros; the top page of the 64-bit space is RAM too. */
static void test_sparse_far_apart(void) {
    sl_platform_t* p = make(NULL, NULL);
    uint64_t base = pages(p);
    const uint64_t lo = 0x1000, hi = 0xFFFFFFFFF000ULL, top = 0xFFFFFFFFFFFFF000ULL;
    CU_ASSERT_EQUAL(sl_dram_write(p, lo + 0x10, "low", 4), 0);
    CU_ASSERT_EQUAL(sl_dram_write(p, hi + 0xff0, "high", 5), 0);
    CU_ASSERT_EQUAL(pages(p) - base, 2);
    char b[8];
    CU_ASSERT_EQUAL(sl_dram_read(p, lo + 0x10, b, 4), 0);
    CU_ASSERT_STRING_EQUAL(b, "low");
    CU_ASSERT_EQUAL(sl_dram_read(p, hi + 0xff0, b, 5), 0);
    CU_ASSERT_STRING_EQUAL(b, "high");

    uint8_t z[64];
    memset(z, 0x5a, sizeof z);
    CU_ASSERT_EQUAL(sl_memory_transport(p, 0, 0x7654321000ULL, z, sizeof z, NULL, 0, 0, NULL), 0);
    for (size_t i = 0; i < sizeof z; ++i) CU_ASSERT_EQUAL_FATAL(z[i], 0);
    memset(z, 0x5a, sizeof z);
    CU_ASSERT_EQUAL(sl_dram_read(p, lo + 0x1000, z, sizeof z), 0); /* the page after lo */
    CU_ASSERT_EQUAL(z[0], 0);
    CU_ASSERT_EQUAL(z[63], 0);
    CU_ASSERT_EQUAL(pages(p) - base, 2); /* reads never allocate */

    /* a write straddling a page boundary touches both pages */
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0x20000ULL - 2, "abcd", 4, NULL, 0, 0, NULL), 0);
    CU_ASSERT_EQUAL(pages(p) - base, 4);
    CU_ASSERT_EQUAL(sl_dram_read(p, 0x20000ULL - 2, b, 4), 0);
    CU_ASSERT_EQUAL(memcmp(b, "abcd", 4), 0);
    /* the last byte of the space */
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, top + 0xfff, "!", 1, NULL, 0, 0, NULL), 0);
    CU_ASSERT_EQUAL(sl_dram_read(p, top + 0xfff, b, 1), 0);
    CU_ASSERT_EQUAL(b[0], '!');
    CU_ASSERT_EQUAL(pages(p) - base, 5);
    sl_platform_destroy(p);
}

/* latency + len / bandwidth: 60 ns + 64 B / 12.8 GB/s = 65 ns by default; with 10 ns and
 * 2 GB/s, 1000 B cost 10 + 500 ns and 3 B cost 10 ns + 1.5 ns. */
static void test_timing(void) {
    sl_platform_t* p = make(NULL, NULL);
    uint8_t buf[4096];
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_memory_transport(p, 0, 0x1000, buf, 64, NULL, 0, 0, &d), 0);
    CU_ASSERT_EQUAL(d, 65000);
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0x1000, buf, 4096, NULL, 0, 0, &d), 0);
    CU_ASSERT_EQUAL(d, 380000);
    CU_ASSERT_EQUAL(sl_memory_access_time_ps(p, 0), 60000);
    sl_platform_destroy(p);
}

typedef struct {
    sl_platform_t* p;
    int done;
} ctx_t;

/* A device transaction through the coherency port (not coherent, no cache involved)
 * costs exactly the DRAM access time in simulated time. */
static void timed_thread(void* arg) {
    ctx_t* c = arg;
    uint8_t buf[1000] = {0};
    uint64_t t0 = sl_time_ns();
    CU_ASSERT_EQUAL(sl_device_write_dram(c->p, 0x80000000ULL, buf, 1000), 0);
    CU_ASSERT_EQUAL(sl_time_ns() - t0, 510);
    c->done = 1;
}
static void test_timing_configured(void) {
    sl_platform_t* p = make("dram.latency_ns=10", "dram.bandwidth_gbps=2");
    uint8_t buf[1000];
    uint64_t d = 0;
    CU_ASSERT_EQUAL(sl_memory_transport(p, 0, 0x1000, buf, 1000, NULL, 0, 0, &d), 0);
    CU_ASSERT_EQUAL(d, 510000);
    CU_ASSERT_EQUAL(sl_memory_transport(p, 0, 0x1000, buf, 3, NULL, 0, 0, &d), 0);
    CU_ASSERT_EQUAL(d, 11500);
    ctx_t c = {p, 0};
    CU_ASSERT_EQUAL_FATAL(sl_platform_spawn(p, "dev", timed_thread, &c), 0);
    CU_ASSERT_EQUAL(sl_platform_run(p, 0), 0);
    CU_ASSERT_EQUAL(c.done, 1);
    sl_memory_stats_t s;
    sl_memory_get_stats(p, &s);
    CU_ASSERT_EQUAL(s.reads, 2);
    CU_ASSERT_EQUAL(s.writes, 1);
    CU_ASSERT_EQUAL(s.bytes_read, 1003);
    CU_ASSERT_EQUAL(s.bytes_written, 1000);
    sl_platform_destroy(p);
}

/* DMI covers exactly the 4 KiB page holding the address, read and write, with the DRAM
 * latency, and its pointer is the store itself in both directions. */
static void test_dmi(void) {
    sl_platform_t* p = make(NULL, NULL);
    sl_dmi_t d;
    memset(&d, 0, sizeof d);
    CU_ASSERT_EQUAL_FATAL(sl_memory_dmi(p, 0x12345, &d), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d.ptr);
    CU_ASSERT_EQUAL(d.start, 0x12000);
    CU_ASSERT_EQUAL(d.end, 0x12fff);
    CU_ASSERT(d.read_allowed && d.write_allowed);
    CU_ASSERT_EQUAL(d.read_latency_ps, 60000);
    CU_ASSERT_EQUAL(d.write_latency_ps, 60000);
    d.ptr[0x345] = 0xab;
    uint8_t b = 0;
    CU_ASSERT_EQUAL(sl_dram_read(p, 0x12345, &b, 1), 0);
    CU_ASSERT_EQUAL(b, 0xab);
    b = 0xcd;
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0x12fff, &b, 1, NULL, 0, 0, NULL), 0);
    CU_ASSERT_EQUAL(d.ptr[0xfff], 0xcd);
    CU_ASSERT_EQUAL(d.ptr[0], 0); /* fresh page: zeros */

    /* the top page of the space */
    sl_dmi_t t;
    CU_ASSERT_EQUAL_FATAL(sl_memory_dmi(p, ~0ULL, &t), 0);
    CU_ASSERT_EQUAL(t.start, 0xFFFFFFFFFFFFF000ULL);
    CU_ASSERT_EQUAL(t.end, ~0ULL);
    /* the same page again gives the same pointer */
    sl_dmi_t again;
    CU_ASSERT_EQUAL(sl_memory_dmi(p, 0x12000, &again), 0);
    CU_ASSERT_PTR_EQUAL(again.ptr, d.ptr);
    sl_memory_stats_t s;
    sl_memory_get_stats(p, &s);
    CU_ASSERT_EQUAL(s.dmi_grants, 3);
    sl_platform_destroy(p);
}

/* Byte enables repeat over the data; disabled bytes are neither written nor read. */
static void test_byte_enables(void) {
    sl_platform_t* p = make(NULL, NULL);
    uint8_t fill[8], data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    memset(fill, 0x11, 8);
    CU_ASSERT_EQUAL(sl_dram_write(p, 0x3000, fill, 8), 0);
    const uint8_t be[4] = {0xff, 0x00, 0xff, 0x00};
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0x3000, data, 8, be, 4, 0, NULL), 0);
    CU_ASSERT_EQUAL(sl_dram_read(p, 0x3000, out, 8), 0);
    const uint8_t want[8] = {1, 0x11, 3, 0x11, 5, 0x11, 7, 0x11};
    CU_ASSERT_EQUAL(memcmp(out, want, 8), 0);

    memset(out, 0xee, 8);
    const uint8_t odd[2] = {0x00, 0xff};
    CU_ASSERT_EQUAL(sl_memory_transport(p, 0, 0x3000, out, 8, odd, 2, 0, NULL), 0);
    const uint8_t want_rd[8] = {0xee, 0x11, 0xee, 0x11, 0xee, 0x11, 0xee, 0x11};
    CU_ASSERT_EQUAL(memcmp(out, want_rd, 8), 0);

    /* a zero-length byte-enable array with a pointer is malformed */
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0x3000, data, 8, be, 0, 0, NULL), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "BYTE_ENABLE"));
    sl_platform_destroy(p);
}

/* Streaming width: the data streams through a window that wraps (a FIFO register). */
static void test_streaming_width(void) {
    sl_platform_t* p = make(NULL, NULL);
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0x4000, data, 8, NULL, 0, 4, NULL), 0);
    CU_ASSERT_EQUAL(sl_dram_read(p, 0x4000, out, 8), 0);
    const uint8_t want[8] = {5, 6, 7, 8, 0, 0, 0, 0};
    CU_ASSERT_EQUAL(memcmp(out, want, 8), 0);
    memset(out, 0, 8);
    CU_ASSERT_EQUAL(sl_memory_transport(p, 0, 0x4002, out, 6, NULL, 0, 2, NULL), 0);
    const uint8_t want_rd[6] = {7, 8, 7, 8, 7, 8};
    CU_ASSERT_EQUAL(memcmp(out, want_rd, 6), 0);
    sl_platform_destroy(p);
}

/* Malformed transactions get an error response, never a crash. */
static void test_errors(void) {
    sl_platform_t* p = make(NULL, NULL);
    uint8_t b[8] = {0};
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0xFFFFFFFFFFFFFFFCULL, b, 8, NULL, 0, 0, NULL), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_error(), "ADDRESS_ERROR"));
    CU_ASSERT_EQUAL(sl_memory_transport(p, 0, 0x1000, NULL, 8, NULL, 0, 0, NULL), -1);
    CU_ASSERT_EQUAL(sl_memory_transport(NULL, 0, 0x1000, b, 8, NULL, 0, 0, NULL), -1);
    CU_ASSERT_EQUAL(sl_memory_dmi(p, 0, NULL), -1);
    /* a zero-length transaction is fine and free of data movement */
    uint64_t d = 1;
    CU_ASSERT_EQUAL(sl_memory_transport(p, 1, 0x1000, NULL, 0, NULL, 0, 0, &d), 0);
    CU_ASSERT_EQUAL(d, 60000);
    sl_memory_stats_t s;
    sl_memory_get_stats(p, &s);
    CU_ASSERT_EQUAL(s.writes, 1);
    CU_ASSERT_EQUAL(s.bytes_written, 0);
    sl_platform_destroy(p);
}

static const sl_test_t tests[] = {
    SL_TEST(test_sparse_far_apart),
    SL_TEST(test_timing),
    SL_TEST(test_timing_configured),
    SL_TEST(test_dmi),
    SL_TEST(test_byte_enables),
    SL_TEST(test_streaming_width),
    SL_TEST(test_errors),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "memory", tests, SL_COUNT(tests)); }
