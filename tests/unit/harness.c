#include "harness.h"

int test_run, test_failed;

int test_report(void) {
  printf("%d passed, %d failed\n", test_run - test_failed, test_failed);
  return test_failed ? 1 : 0;
}
