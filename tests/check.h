/* tests/check.h -- the smallest test harness: CHECK counts, prints failures,
   and check_summary() prints "N passed, N failed" and gives the exit code. */
#ifndef MEMSTRAT_CHECK_H
#define MEMSTRAT_CHECK_H
#include <stdio.h>

/* Weak, not static: the files of a suite split over several (tests/core.h)
   share one pair of counters, the linker keeping one definition. */
__attribute__((weak)) int check_passed, check_failed;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (cond) {                                                         \
            check_passed++;                                                 \
        } else {                                                            \
            check_failed++;                                                 \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
            printf(__VA_ARGS__);                                            \
            printf("\n");                                                   \
        }                                                                   \
    } while (0)

static inline int check_summary(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
    return check_failed != 0;
}
#endif
