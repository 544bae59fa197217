/* Inputs the fuzz targets (testbench/fuzz) once crashed the simulator with, replayed as plain
 * cases of the suite so that every build checks them, not only the fuzz build. Each case
 * names its corpus file. */
#include <unistd.h>

#include "syscall_conformance.h"

/* corpus/fuzz_syscalls/contiguous_no_memory_checker_forget (issue table row 1): a contiguous
 * VMO no RAM can hold, with the checker attached. The half-made VMO used to tell the checker
 * to forget pages it never had (a crash); now: ZX_ERR_NO_MEMORY and the next call works. */
SC_CASE_CHECKED(test_contiguous_no_memory_with_checker) {
    zx_handle_t bti = sc_bti();
    zx_handle_t h = ZX_HANDLE_INVALID;
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, 3 * PAGE, 40, &h), ZX_ERR_NO_MEMORY);
    CU_ASSERT_EQUAL(h, ZX_HANDLE_INVALID);
    CU_ASSERT_EQUAL(zx_vmo_create_contiguous(bti, 3 * PAGE, 12, &h), ZX_OK);
    uint64_t size = 0;
    CU_ASSERT_EQUAL(zx_vmo_get_size(h, &size), ZX_OK);
    CU_ASSERT_EQUAL(size, 3 * PAGE);
    CU_ASSERT_EQUAL(zx_handle_close(h), ZX_OK);
    CU_ASSERT_EQUAL(zx_handle_close(bti), ZX_OK);
}

/* corpus/fuzz_config/invalid_utf8_in_literal_string: a byte that is not UTF-8 inside a
 * literal string made the TOML parser read past its buffer while reporting it (ASan). The
 * file is refused before parsing, naming its line. */
static void test_config_not_utf8(void) {
    char path[] = "/tmp/sl_fuzz_regression_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    static const char text[] = "[cache]\npolicy = 'l\x97ru'\n";
    CU_ASSERT_EQUAL_FATAL(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    sl_config_t* c = sl_config_new();
    CU_ASSERT_EQUAL(sl_config_load(c, path), -1);
    char want[128];
    snprintf(want, sizeof want, "config file %s:2: not UTF-8 text (TOML files are UTF-8)", path);
    CU_ASSERT_STRING_EQUAL(sl_error(), want);
    sl_config_free(c);
    unlink(path);
}

static const sl_test_t tests[] = {
    SL_TEST(test_config_not_utf8),
    SL_TEST(test_contiguous_no_memory_with_checker),
};

int main(int argc, char** argv) {
    return sl_test_main(argc, argv, "fuzz-regressions", tests, SL_COUNT(tests));
}
