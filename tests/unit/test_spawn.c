/* test_spawn.c - running external programs (util/spawn.h) with the fake
 * gnuplot of tests/tools: missing binary, failure with stderr, timeouts. */
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "util/spawn.h"

#ifndef FAKE
#define FAKE FIXTURES "/../tools/fake-gnuplot.sh"
#endif

static struct spawn_result run(const char *mode, int timeout_ms, size_t cap, int *rc) {
  const char *argv[] = {FAKE, "chart.gp", NULL};
  struct spawn_opts o = SPAWN_OPTS_INIT;
  o.argv = argv;
  o.timeout_ms = timeout_ms;
  o.err_cap = cap;
  setenv("FAKE_GNUPLOT", mode, 1);
  struct spawn_result r = SPAWN_RESULT_INIT;
  *rc = spawn_run(&o, &r);
  return r;
}

static void missing(void) {
  const char *argv[] = {"/nonexistent/gnuplot", NULL};
  struct spawn_opts o = SPAWN_OPTS_INIT;
  o.argv = argv;
  struct spawn_result r = SPAWN_RESULT_INIT;
  INT_EQ(spawn_run(&o, &r), -1, "missing binary cannot start");
  INT_EQ(r.not_found, 1, "missing binary is not_found");
  const char *argv2[] = {"loadrep-no-such-program-xyz", NULL};
  o.argv = argv2;
  INT_EQ(spawn_run(&o, &r), -1, "missing in PATH");
  INT_EQ(r.not_found, 1, "missing in PATH is not_found");
  INT_EQ(spawn_find_program("sh"), 1, "sh found in PATH");
  INT_EQ(spawn_find_program("/etc/passwd"), 0, "non-executable file");
  spawn_result_release(&r);
}

static void exit_status(void) {
  int rc;
  struct spawn_result r = run("fail", 5000, 65536, &rc);
  INT_EQ(rc, 0, "failing child ran");
  INT_EQ(r.status, 3, "exit code kept");
  OK(strstr(r.err.buf, "undefined variable: boom") != NULL, "stderr captured: %s", r.err.buf);
  INT_EQ(r.timed_out, 0, "no timeout");
  spawn_result_release(&r);
  r = run("ok", 5000, 65536, &rc);
  INT_EQ(r.status, 0, "ok child");
  spawn_result_release(&r);
}

static void bounded_stderr(void) {
  int rc;
  struct spawn_result r = run("noise", 10000, 1000, &rc);
  INT_EQ(r.status, 0, "noisy child exits 0 (pipe drained, no deadlock)");
  INT_EQ((long long)r.err.len, 1000, "stderr bounded");
  INT_EQ(r.truncated, 1, "truncation flagged");
  spawn_result_release(&r);
}

static void timeouts(void) {
  int rc;
  time_t t0 = time(NULL);
  struct spawn_result r = run("hang", 300, 65536, &rc);
  INT_EQ(r.timed_out, 1, "hang times out");
  INT_EQ(r.status, 128 + 15, "killed by SIGTERM");
  OK(time(NULL) - t0 < 5, "hang stopped quickly");
  spawn_result_release(&r);
  t0 = time(NULL);
  r = run("stubborn", 300, 65536, &rc);
  INT_EQ(r.timed_out, 1, "stubborn times out");
  OK(r.status == 128 + 9 || r.status == 128 + 15, "stubborn killed: %d", r.status);
  OK(time(NULL) - t0 < 5, "stubborn stopped within grace");
  spawn_result_release(&r);
}

int main(void) {
  missing();
  exit_status();
  bounded_stderr();
  timeouts();
  return test_report();
}
