/* sl_tb_main (staleline/testbench.h): run each CUnit case in a forked process. SystemC
 * elaborates once per process, so a case that builds a platform needs a fresh one; a crash or
 * a hang then fails that case alone. */
#define _GNU_SOURCE
#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "staleline/testbench.h"

/* In the child: a CUnit registry holding only this one case. */
static int run_one(const char* suite, const sl_tb_case_t* t) {
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

int sl_tb_main(int argc, char** argv, const char* suite, const sl_tb_case_t* cases, size_t ncases) {
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < ncases; ++i) puts(cases[i].name);
        return 0;
    }
    /* Every name asked for must exist: a misspelt case must not pass by running nothing. */
    for (int a = 1; a < argc; ++a) {
        int known = 0;
        for (size_t i = 0; i < ncases; ++i) known |= strcmp(argv[a], cases[i].name) == 0;
        if (!known) {
            fprintf(stderr, "%s: no test case '%s' (--list shows them)\n", suite, argv[a]);
            return 2;
        }
    }
    int timeout = 300;
    if (getenv("SL_TEST_TIMEOUT")) timeout = atoi(getenv("SL_TEST_TIMEOUT"));
    unsigned passed = 0, failed = 0;
    for (size_t i = 0; i < ncases; ++i) {
        if (argc > 1) {
            int wanted = 0;
            for (int a = 1; a < argc; ++a) wanted |= strcmp(argv[a], cases[i].name) == 0;
            if (!wanted) continue;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            alarm((unsigned)timeout);
            _exit(run_one(suite, &cases[i]));
        }
        int st = 0;
        waitpid(pid, &st, 0);
        int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (ok) {
            ++passed;
            printf("  %-50s ok\n", cases[i].name);
        } else {
            ++failed;
            if (WIFSIGNALED(st))
                printf("  %-50s FAILED (%s)\n", cases[i].name,
                       WTERMSIG(st) == SIGALRM ? "timed out" : strsignal(WTERMSIG(st)));
            else
                printf("  %-50s FAILED\n", cases[i].name);
        }
        fflush(stdout);
    }
    printf("%s: %u passed, %u failed\n", suite, passed, failed);
    return failed ? 1 : 0;
}
