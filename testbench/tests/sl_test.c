#define _GNU_SOURCE
#include "sl_test.h"

#include <CUnit/TestRun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SL_BIN_DIR
#define SL_BIN_DIR "."
#endif

const char* sl_test_bin(const char* name) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", SL_BIN_DIR, name);
    return buf;
}

int sl_test_run(const char* cmd, char** out) {
    char* full = NULL;
    if (asprintf(&full, "%s 2>&1", cmd) < 0) return -1;
    FILE* f = popen(full, "r");
    free(full);
    if (!f) return -1;
    size_t cap = 4096, len = 0;
    char* buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 1024) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    int st = pclose(f);
    if (out) *out = buf;
    else free(buf);
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return -1;
}

/* In the child: a CUnit registry holding only this one test. */
static int run_one(const char* suite, const sl_test_t* t) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    CU_add_test(s, t->name, t->fn);
    CU_run_all_tests(); /* the core runner: no output of its own, failures listed below */
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned asserts_failed = CU_get_number_of_failures();
    if (failed || asserts_failed) {
        for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext)
            fprintf(stderr, "    %s:%u: %s\n", f->strFileName, f->uiLineNumber, f->strCondition);
    }
    CU_cleanup_registry();
    return failed || asserts_failed ? 1 : 0;
}

int sl_test_main(int argc, char** argv, const char* suite, const sl_test_t* tests, size_t ntests) {
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < ntests; ++i) puts(tests[i].name);
        return 0;
    }
    int timeout = 300;
    if (getenv("SL_TEST_TIMEOUT")) timeout = atoi(getenv("SL_TEST_TIMEOUT"));
    unsigned passed = 0, failed = 0;
    for (size_t i = 0; i < ntests; ++i) {
        if (argc > 1) {
            int wanted = 0;
            for (int a = 1; a < argc; ++a) wanted |= strcmp(argv[a], tests[i].name) == 0;
            if (!wanted) continue;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            alarm((unsigned)timeout);
            _exit(run_one(suite, &tests[i]));
        }
        int st = 0;
        waitpid(pid, &st, 0);
        int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (ok) {
            ++passed;
            printf("  %-50s ok\n", tests[i].name);
        } else {
            ++failed;
            if (WIFSIGNALED(st))
                printf("  %-50s FAILED (%s)\n", tests[i].name,
                       WTERMSIG(st) == SIGALRM ? "timed out" : strsignal(WTERMSIG(st)));
            else
                printf("  %-50s FAILED\n", tests[i].name);
        }
        fflush(stdout);
    }
    printf("%s: %u passed, %u failed\n", suite, passed, failed);
    return failed ? 1 : 0;
}
