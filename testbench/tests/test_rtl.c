#include "sl_test.h"
#include "rtl_harness.h"

static void test_id(void) {
    sl_rtl_t* h = sl_rtl_create(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(sl_rtl_reg(h, 0x000), 0x444D4131u);
    sl_rtl_destroy(h);
}

static const sl_test_t tests[] = { SL_TEST(test_id), };
int main(int argc, char** argv) { return sl_test_main(argc, argv, "rtl", tests, SL_COUNT(tests)); }
