/* test_slo.c - SLO resolution: CLI > file (endpoint > scenario > default) >
 * k6 thresholds > built-in; parsing errors name the key. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis/slo.h"
#include "harness.h"
#include "store/sq.h"
#include "store/store.h"
#include "util/err.h"

static char tmpdir[256];

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f)
    return;
  fputs(text, f);
  fclose(f);
}

static const char *EXAMPLE =
    "{\"default\": {\"p95_ms\": 2000, \"error_rate\": 0.01},\n"
    " \"scenarios\": {\"normal\": {\"p95_ms\": 1000, \"error_rate\": 0}},\n"
    " \"endpoints\": {\"POST /api/agents/generate\": {\"p95_ms\": 5000}},\n"
    " \"capacity\": {\"target_users\": 1000, \"zero_errors_at\": 0.8}}\n";

static void test_met(void) {
  OK(slo_p95_met(1999, 2000), "below");
  OK(!slo_p95_met(2000, 2000), "equal is a failure");
  OK(!slo_p95_met(NAN, 2000), "no p95 is a failure");
  OK(slo_errors_met(0, 0), "zero errors meet a zero objective");
  OK(!slo_errors_met(1e-9, 0), "any error fails a zero objective");
  OK(slo_errors_met(0.0099, 0.01), "below 1 %%");
  OK(!slo_errors_met(0.01, 0.01), "1 %% fails < 1 %%");
}

static void test_builtin(void) {
  struct slo_set *s = slo_set_new();
  struct slo o;
  struct err err = ERR_INIT;
  INT_EQ(slo_resolve(s, NULL, 0, "normal", NULL, &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 2000, 0, "built-in p95");
  DBL_NEAR(o.error_rate, 0.01, 0, "built-in errors");
  STR_EQ(slo_source_name(o.p95_src), "default", "source");
  STR_EQ(slo_source_name(o.err_src), "default", "source");
  OK(!slo_set_has_overrides(s), "no overrides");
  struct slo_capacity c;
  slo_capacity_of(s, &c);
  INT_EQ(c.target_users, 0, "no target");
  OK(isnan(c.zero_errors_at), "no zero-errors fraction");
  json_t *j = slo_to_json(&o);
  DBL_NEAR(json_number_value(json_object_get(j, "p95_slo_ms")), 2000, 0, "json p95");
  DBL_NEAR(json_number_value(json_object_get(j, "error_slo")), 0.01, 0, "json errors");
  STR_EQ(json_string_value(json_object_get(json_object_get(j, "slo_source"), "p95")), "default", "json src");
  json_decref(j);
  slo_set_free(s);
}

static void test_cli_text(void) {
  double p, e;
  struct err err = ERR_INIT;
  INT_EQ(slo_parse_text("p95<2s,errors<0.5%", &p, &e, &err), 0, "parse");
  DBL_NEAR(p, 2000, 0, "seconds");
  DBL_NEAR(e, 0.005, 1e-15, "percent");
  INT_EQ(slo_parse_text("p(95)<=750ms", &p, &e, &err), 0, "parse p95 only");
  DBL_NEAR(p, 750, 0, "ms");
  OK(isnan(e), "errors left out");
  INT_EQ(slo_parse_text("errors<0.02", &p, &e, &err), 0, "fraction");
  OK(isnan(p), "p95 left out");
  DBL_NEAR(e, 0.02, 0, "fraction");
  OK(slo_parse_text("p95<fast", &p, &e, &err) < 0, "bad value");
  INT_EQ(err.code, LR_USAGE, "usage error");
  OK(strstr(err.msg, "--slo") != NULL, "names the option: %s", err.msg);
  OK(slo_parse_text("errors<150%", &p, &e, &err) < 0, "rate >= 1");
  OK(slo_parse_text("", &p, &e, &err) < 0, "empty");
  OK(slo_parse_text("p95<0ms", &p, &e, &err) < 0, "zero latency");
}

static void test_file(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/slo.json", tmpdir);
  write_file(path, EXAMPLE);
  struct slo_set *s = slo_set_new();
  struct err err = ERR_INIT;
  struct slo o;
  INT_EQ(slo_set_file(s, path, &err), 0, "reads the example: %s", err.msg);
  OK(slo_set_has_overrides(s), "file counts as an override");
  /* the LLM endpoint in the normal scenario: p95 from the endpoint, errors from the scenario */
  INT_EQ(slo_resolve(s, NULL, 0, "normal", "POST /api/agents/generate", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 5000, 0, "endpoint p95");
  DBL_NEAR(o.error_rate, 0, 0, "scenario errors");
  STR_EQ(o.p95_from, "file: endpoints.POST /api/agents/generate", "p95 from");
  STR_EQ(o.err_from, "file: scenarios.normal", "errors from");
  STR_EQ(slo_source_name(o.p95_src), "file", "p95 source");
  /* the whole normal run: 1 s / 0 % */
  INT_EQ(slo_resolve(s, NULL, 0, "normal", NULL, &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 1000, 0, "scenario p95");
  DBL_NEAR(o.error_rate, 0, 0, "scenario errors");
  /* "ALL" is the whole run */
  INT_EQ(slo_resolve(s, NULL, 0, "normal", "ALL", &o, &err), 0, "resolve ALL");
  DBL_NEAR(o.p95_ms, 1000, 0, "ALL is the run");
  /* the stress scenario falls back to the default */
  INT_EQ(slo_resolve(s, NULL, 0, "stress", "GET /api/assessments", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 2000, 0, "default p95");
  DBL_NEAR(o.error_rate, 0.01, 0, "default errors");
  STR_EQ(o.p95_from, "file: default", "from default");
  /* the LLM endpoint in the stress scenario: 5 s and the default 1 % */
  INT_EQ(slo_resolve(s, NULL, 0, "stress", "POST /api/agents/generate", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 5000, 0, "endpoint p95 in stress");
  DBL_NEAR(o.error_rate, 0.01, 0, "default errors in stress");
  /* an endpoint key with the method matches a bare name tag */
  INT_EQ(slo_resolve(s, NULL, 0, "stress", "/api/agents/generate", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 5000, 0, "bare name matches METHOD NAME");
  struct slo_capacity c;
  slo_capacity_of(s, &c);
  INT_EQ(c.target_users, 1000, "target users");
  DBL_NEAR(c.zero_errors_at, 0.8, 0, "zero errors at");
  /* the command line beats the file, field by field */
  INT_EQ(slo_set_cli(s, "p95<3s", &err), 0, "cli");
  INT_EQ(slo_resolve(s, NULL, 0, "normal", "POST /api/agents/generate", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 3000, 0, "cli p95");
  STR_EQ(slo_source_name(o.p95_src), "cli", "cli source");
  DBL_NEAR(o.error_rate, 0, 0, "errors still from the file");
  slo_set_free(s);
}

static void expect_bad(const char *text, const char *key) {
  char path[512];
  snprintf(path, sizeof path, "%s/bad.json", tmpdir);
  write_file(path, text);
  struct slo_set *s = slo_set_new();
  struct err err = ERR_INIT;
  OK(slo_set_file(s, path, &err) < 0, "rejects %s", text);
  INT_EQ(err.code, LR_DATAERR, "data error for %s", text);
  OK(strstr(err.msg, key) != NULL && strstr(err.msg, path) != NULL, "names '%s' and the file: %s", key, err.msg);
  /* a failed read leaves the set as it was */
  OK(!slo_set_has_overrides(s), "set unchanged");
  slo_set_free(s);
}

static void test_bad_files(void) {
  expect_bad("{\"default\": {\"p95\": 2000}}", "default.p95");
  expect_bad("{\"defaults\": {}}", "defaults");
  expect_bad("{\"scenarios\": {\"normal\": {\"error_rate\": 1.5}}}", "scenarios.normal.error_rate");
  expect_bad("{\"endpoints\": {\"GET /x\": {\"p95_ms\": -1}}}", "endpoints.GET /x.p95_ms");
  expect_bad("{\"capacity\": {\"target_users\": 10.5}}", "capacity.target_users");
  expect_bad("{\"capacity\": {\"zero_errors_at\": 80}}", "capacity.zero_errors_at");
  expect_bad("[1]", "JSON object");
  expect_bad("{\"default\": ", "JSON");
  struct slo_set *s = slo_set_new();
  struct err err = ERR_INIT;
  OK(slo_set_file(s, "/nonexistent/slo.json", &err) < 0, "missing file");
  INT_EQ(err.code, LR_NOINPUT, "no input");
  slo_set_free(s);
}

static int64_t add_run(struct store *st, const char *name, struct err *err) {
  int64_t id = 0;
  sq_int64_of(st, err, "add run", 0, &id, "INSERT INTO runs (name, scenario, created_at) VALUES (?, 'stress', 'x') RETURNING id",
              "s", name);
  return id;
}

static void add_threshold(struct store *st, int64_t run, const char *metric, const char *expr) {
  struct err err = ERR_INIT;
  if (sq_run(st, &err, "add threshold",
             "INSERT INTO thresholds (run_id, metric, expression, ok, source) VALUES (?, ?, ?, 1, 'k6')", "iss", run,
             metric, expr) < 0)
    T_FAIL("add threshold: %s", err.msg);
}

static void test_k6_thresholds(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/t.db", tmpdir);
  struct store *st = NULL;
  struct err err = ERR_INIT;
  if (store_open(&st, path, &err) < 0) {
    T_FAIL("store_open: %s", err.msg);
    return;
  }
  int64_t run = add_run(st, "r1", &err);
  OK(run > 0, "run added");
  add_threshold(st, run, "http_req_duration", "p(95)<1500");
  add_threshold(st, run, "http_req_duration", "p(99)<4000");
  add_threshold(st, run, "http_req_duration{name:POST /api/agents/generate}", "p(95) < 3000");
  add_threshold(st, run, "http_req_failed", "rate<0.05");
  add_threshold(st, run, "http_req_failed{name:GET /api/assessments}", "rate<=0.001");
  add_threshold(st, run, "llm_feedback_latency", "p(95)<2500");
  struct slo_set *s = slo_set_new();
  struct slo o;
  INT_EQ(slo_resolve(s, st, run, "stress", NULL, &o, &err), 0, "resolve: %s", err.msg);
  DBL_NEAR(o.p95_ms, 1500, 0, "overall k6 p95");
  DBL_NEAR(o.error_rate, 0.05, 0, "overall k6 rate");
  STR_EQ(slo_source_name(o.p95_src), "k6_threshold", "k6 source");
  STR_EQ(o.p95_from, "k6: http_req_duration p(95)<1500", "from");
  INT_EQ(slo_resolve(s, st, run, "stress", "POST /api/agents/generate", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 3000, 0, "endpoint k6 p95");
  DBL_NEAR(o.error_rate, 0.05, 0, "overall rate for the endpoint");
  INT_EQ(slo_resolve(s, st, run, "stress", "GET /api/assessments", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 1500, 0, "overall p95 for the endpoint");
  DBL_NEAR(o.error_rate, 0.001, 0, "endpoint rate");
  /* a file default beats the k6 thresholds; a scenario it does not name falls to the default */
  char fpath[512];
  snprintf(fpath, sizeof fpath, "%s/slo2.json", tmpdir);
  write_file(fpath, "{\"default\": {\"p95_ms\": 2500}}");
  INT_EQ(slo_set_file(s, fpath, &err), 0, "file: %s", err.msg);
  INT_EQ(slo_resolve(s, st, run, "stress", "POST /api/agents/generate", &o, &err), 0, "resolve");
  DBL_NEAR(o.p95_ms, 2500, 0, "file default beats k6");
  DBL_NEAR(o.error_rate, 0.05, 0, "errors still from k6 (the file sets none)");
  slo_set_free(s);
  /* an unrelated run has none of these thresholds */
  int64_t run2 = add_run(st, "r2", &err);
  s = slo_set_new();
  INT_EQ(slo_resolve(s, st, run2, "stress", NULL, &o, &err), 0, "resolve r2");
  DBL_NEAR(o.p95_ms, 2000, 0, "built-in for a run without thresholds");
  slo_set_free(s);
  store_close(st);
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/test_slo.XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_met();
  test_builtin();
  test_cli_text();
  test_file();
  test_bad_files();
  test_k6_thresholds();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", tmpdir);
  return test_report();
}
