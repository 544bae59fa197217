/* dma-outside-pin (docs/findings.md): with translation off (iommu.mode=bypass) a device write
 * that no live pin of its device with write permission covers is a finding; with translation
 * on the IOMMU refuses it (iommu-fault) and it never reaches memory. The driver is copyonly
 * built with COPYONLY_OUTSIDE_PIN (drivers/copyonly/copyonly.c): the first descriptor of each
 * copy points one page past the destination's pin. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_test.h"

#define SMALL "--set workload.transfers=2 --set workload.max_size=2048 --set sim.seed=5"

/* How many findings of `kind` the run's JSON lists; the first one's message in *message. */
static int count_kind(json_t* j, const char* kind, const char** message) {
    int n = 0;
    json_t* fs = json_object_get(j, "findings");
    for (size_t i = 0; i < json_array_size(fs); ++i) {
        json_t* f = json_array_get(fs, i);
        if (strcmp(json_string_value(json_object_get(f, "kind")) ? json_string_value(json_object_get(f, "kind")) : "",
                   kind))
            continue;
        if (n++ == 0 && message) *message = json_string_value(json_object_get(f, "message"));
    }
    return n;
}

static void test_bypass_write_outside_pin(void) {
    int rc = -1;
    char* out = NULL;
    json_t* j = sl_test_run_json(&rc, &out, "--driver %s/outside_pin.so --workload copy --set iommu.mode=bypass " SMALL,
                                 SL_DRIVER_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    const char* msg = NULL;
    /* one per write burst outside the pin: at least one per copy, and nothing else */
    const int n = count_kind(j, "dma-outside-pin", &msg);
    CU_ASSERT(n >= 2);
    CU_ASSERT_EQUAL((int)json_array_size(json_object_get(j, "findings")), n);
    CU_ASSERT_PTR_NOT_NULL(msg ? strstr(msg, "with translation off (IOMMU bypass): no live pin of this device covers it")
                               : NULL);
    char summary[96];
    snprintf(summary, sizeof summary, "SUMMARY: staleline: %d findings (dma-outside-pin %d)", n, n);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, summary));
    json_decref(j);
    free(out);
}

static void test_translation_on_faults_instead(void) {
    int rc = -1;
    char* out = NULL;
    json_t* j = sl_test_run_json(&rc, &out, "--driver %s/outside_pin.so --workload copy " SMALL, SL_DRIVER_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_EQUAL(count_kind(j, "dma-outside-pin", NULL), 0);
    CU_ASSERT(count_kind(j, "iommu-fault", NULL) >= 1);
    json_decref(j);
    free(out);
}

/* The correct driver in bypass: every write lands in its pins. */
static void test_bypass_correct_driver_clean(void) {
    int rc = -1;
    char* out = NULL;
    json_t* j = sl_test_run_json(&rc, &out, "--driver %s/copyonly.so --workload copy --set iommu.mode=bypass " SMALL,
                                 SL_DRIVER_DIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(count_kind(j, "dma-outside-pin", NULL), 0);
    json_decref(j);
    free(out);
}

static const sl_test_t tests[] = {
    SL_TEST(test_bypass_write_outside_pin),
    SL_TEST(test_translation_on_faults_instead),
    SL_TEST(test_bypass_correct_driver_clean),
};

int main(int argc, char** argv) { return sl_test_main(argc, argv, "dma_outside_pin", tests, SL_COUNT(tests)); }
