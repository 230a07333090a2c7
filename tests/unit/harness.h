/* harness.h - the unit-test harness (after cmark's api_test).
 *
 * Each test_*.c has main() calling topic functions, then returns
 * test_report(). Checks print "file:line: message", plus Got/Expected.
 */
#ifndef LOADREP_HARNESS_H
#define LOADREP_HARNESS_H
#include <math.h>
#include <stdio.h>
#include <string.h>

extern int test_run, test_failed;

#define T_FAIL(...)                                                            \
  do {                                                                         \
    test_failed++;                                                             \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
  } while (0)

#define OK(cond, ...)                                                          \
  do {                                                                         \
    test_run++;                                                                \
    if (!(cond))                                                               \
      T_FAIL(__VA_ARGS__);                                                     \
  } while (0)

#define INT_EQ(got, want, ...)                                                 \
  do {                                                                         \
    long long g_ = (long long)(got), w_ = (long long)(want);                   \
    test_run++;                                                                \
    if (g_ != w_) {                                                            \
      T_FAIL(__VA_ARGS__);                                                     \
      fprintf(stderr, "  Got:      %lld\n  Expected: %lld\n", g_, w_);         \
    }                                                                          \
  } while (0)

#define STR_EQ(got, want, ...)                                                 \
  do {                                                                         \
    const char *g_ = (got), *w_ = (want);                                      \
    test_run++;                                                                \
    if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                   \
      T_FAIL(__VA_ARGS__);                                                     \
      fprintf(stderr, "  Got:      \"%s\"\n  Expected: \"%s\"\n",              \
              g_ ? g_ : "(null)", w_ ? w_ : "(null)");                         \
    }                                                                          \
  } while (0)

#define DBL_NEAR(got, want, eps, ...)                                          \
  do {                                                                         \
    double g_ = (got), w_ = (want);                                            \
    test_run++;                                                                \
    if (!(fabs(g_ - w_) <= (eps))) {                                           \
      T_FAIL(__VA_ARGS__);                                                     \
      fprintf(stderr, "  Got:      %.17g\n  Expected: %.17g\n", g_, w_);       \
    }                                                                          \
  } while (0)

/** Prints "N passed, N failed" and returns the exit status for main(). */
int test_report(void);

#endif
