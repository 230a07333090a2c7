/* Percentiles, endpoint names, RFC 3339 times, kind detection, sample blobs;
 * completeness rules and per-scenario storage (schema v2). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ingest/completeness.h"
#include "ingest/detect.h"
#include "ingest/k6_agg.h"
#include "store/store.h"
#include "store/store_scenarios.h"
#include "ingest/endpoint.h"
#include "stats/percentile.h"
#include "store/samples.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeparse.h"

static void percentiles(void) {
  /* k6's own example (K6_FORMATS §1f): p90 of three values. */
  double v[] = {1.156282, 0.528747, 0.532603};
  struct trend_stats st;
  trend_compute(v, 3, NAN, &st);
  DBL_NEAR(st.p90, 1.0315462, 1e-12, "p90 of k6's example");
  DBL_NEAR(st.med, 0.532603, 0, "median of three");
  DBL_NEAR(st.min, 0.528747, 0, "min");
  DBL_NEAR(st.max, 1.156282, 0, "max");
  /* Empty and single. */
  trend_compute(NULL, 0, NAN, &st);
  DBL_NEAR(st.p95, 0, 0, "empty: 0 as k6");
  double one[] = {7.5};
  trend_compute(one, 1, NAN, &st);
  DBL_NEAR(st.p99, 7.5, 0, "single value");
  /* 1..100: R-7 p95 = 95.05; p(99.9) uses strtod("99.9")/100. */
  double h[100];
  for (int i = 0; i < 100; i++)
    h[99 - i] = i + 1;
  trend_compute(h, 100, NAN, &st);
  DBL_NEAR(st.p95, 95.05, 1e-12, "p95 of 1..100");
  DBL_NEAR(st.avg, 50.5, 1e-12, "avg of 1..100");
  DBL_NEAR(stats_pct_text(h, 100, "99.9"), 1 + 0.999 * 99, 1e-9, "p(99.9)");
  /* The radix sort agrees with qsort on a large mixed-sign array. */
  size_t n = 5000;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  unsigned s = 12345;
  for (size_t i = 0; i < n; i++) {
    s = s * 1103515245u + 12345u;
    a[i] = b[i] = ((double)(s >> 8) / 16777216.0 - 0.3) * 1000.0;
  }
  a[7] = b[7] = -0.0;
  a[8] = b[8] = 0.0;
  stats_sort(a, n);
  int sorted = 1;
  for (size_t i = 1; i < n; i++)
    sorted &= a[i - 1] <= a[i];
  OK(sorted, "radix sort orders mixed-sign values");
  free(a);
  free(b);
}

static void endpoints(void) {
  static const char *cases[][2] = {
      {"http://127.0.0.1:8080/api/assessments?page=2&x=1", "http://127.0.0.1:8080/api/assessments"},
      {"http://h/api/assessments/42/start", "http://h/api/assessments/{id}/start"},
      {"https://h/users/550e8400-e29b-41d4-a716-446655440000/x#frag", "https://h/users/{id}/x"},
      {"/api/items/deadbeef0123456789/y", "/api/items/{id}/y"},
      {"/api/v2/items", "/api/v2/items"},
      {"/api/items/abc123", "/api/items/{id}"},
      {"/api/items/a1b2c3/x", "/api/items/{id}/x"},
      {"/api/items/ab12", "/api/items/ab12"},
      {"/api/items/deadbeef", "/api/items/deadbeef"},
      {"/api/items/facade", "/api/items/facade"},
      {"/api/students/stu-42/analytics", "/api/students/{id}/analytics"},
      {"/api/orders/order_2024_7", "/api/orders/{id}"},
      {"/api/students/user-a1b2c3", "/api/students/{id}"},
      {"/api/api-v2/x", "/api/api-v2/x"},
      {"/api/v2/x-y", "/api/v2/x-y"},
      {"/api/x/-42", "/api/x/-42"},
      {"/api/x/42-", "/api/x/42-"},
      {"/api/x/stu.42", "/api/x/stu.42"},
      {"http://h:8080/api/analytics/student/stu-42?full=1", "http://h:8080/api/analytics/student/{id}"},
      {"${}/api/analytics/student/${}", "/api/analytics/student/{id}"},
      {"${}/api/assessments/${}/start", "/api/assessments/{id}/start"},
      {"${}/api/assessments?page=${}", "/api/assessments"},
      {"${}${}/api/x/stu-${}", "/api/x/{id}"},
      {"http://h/api/x/${}/y", "http://h/api/x/{id}/y"},
      {"${}", "${}"},
      {"${}api", "${}api"},
      {"GET /api/assessments", "GET /api/assessments"},
      {"POST /api/assessments/{id}/start", "POST /api/assessments/{id}/start"},
      {"login", "login"},
      {"http://host", "http://host"},
      {"http://host?q=1", "http://host"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *got = endpoint_normalize(cases[i][0]);
    STR_EQ(got, cases[i][1], "normalize '%s'", cases[i][0]);
    free(got);
  }
  char *l = endpoint_label("GET", "GET /api/x");
  STR_EQ(l, "GET /api/x", "label keeps a name that starts with its method");
  free(l);
  l = endpoint_label("POST", "http://h/a");
  STR_EQ(l, "POST http://h/a", "label prefixes the method");
  free(l);
  char *n = endpoint_normalize("${}/api/analytics/student/${}");
  l = endpoint_label("GET", n);
  STR_EQ(l, "GET /api/analytics/student/{id}", "an http.url template names the same row as the script's name tag");
  free(l);
  free(n);
}

static void times(void) {
  int64_t ns;
  OK(rfc3339_parse("2026-11-26T21:52:45.133664672Z", 30, 0, &ns) == 0, "9 digits");
  INT_EQ(ns / 1000000000, INT64_C(1795729965), "epoch seconds of a k6 time");
  int64_t base;
  rfc3339_parse("2026-11-26T21:52:45Z", 20, 0, &base);
  INT_EQ(ns - base, 133664672, "fraction in ns");
  const char *var[] = {"2026-11-26T21:52:45.1Z", "2026-11-26T21:52:45.10Z", "2026-11-26T21:52:45.100000000Z"};
  for (int i = 0; i < 3; i++) {
    OK(rfc3339_parse(var[i], strlen(var[i]), 0, &ns) == 0, "parse %s", var[i]);
    INT_EQ(ns - base, 100000000, "fraction of %s", var[i]);
  }
  OK(rfc3339_parse("2026-11-26T22:52:45+01:00", 25, 0, &ns) == 0, "offset");
  INT_EQ(ns, base, "+01:00 is one hour ahead of UTC");
  OK(rfc3339_parse("2026-11-26T16:22:45-0530", 24, 0, &ns) == 0, "offset without colon");
  INT_EQ(ns, base, "-05:30");
  OK(rfc3339_parse("2026-11-26 21:52:45 UTC", 23, 0, &ns) == 0, "sadf style");
  INT_EQ(ns, base, "space and UTC");
  OK(rfc3339_parse("2026-11-26T21:52:45", 19, 0, &ns) < 0, "no zone is rejected");
  OK(rfc3339_parse("2026-11-26T21:52:45", 19, 1, &ns) == 0, "no zone accepted when told");
  OK(rfc3339_parse("2026-02-30T21:52:45Z", 20, 0, &ns) < 0, "30 February");
  OK(rfc3339_parse("2026-11-26T21:52:45.Z", 21, 0, &ns) < 0, "empty fraction");
  OK(rfc3339_parse("2026-11-26T21:52:45Zjunk", 24, 0, &ns) < 0, "trailing junk");
  OK(rfc3339_parse("1970-01-01T00:00:00Z", 20, 0, &ns) == 0 && ns == 0, "epoch");
  OK(rfc3339_parse("9999-01-01T00:00:00Z", 20, 0, &ns) < 0, "a year past int64 nanoseconds is rejected");
  OK(rfc3339_parse("0001-01-01T00:00:00Z", 20, 0, &ns) < 0, "year 1 is rejected");
  char buf[64];
  time_format_iso(1795730000.5, buf);
  STR_EQ(buf, "2026-11-26T21:53:20.500Z", "format");
}

static void detection(void) {
  const char *nd = "{\"type\":\"Metric\",\"data\":{\"name\":\"vus\",\"type\":\"gauge\"},\"metric\":\"vus\"}\n{";
  INT_EQ(detect_head((const unsigned char *)nd, strlen(nd)), IN_K6_NDJSON, "NDJSON by its first line");
  const char *doc = "{\n  \"metrics\": {}\n}";
  INT_EQ(detect_head((const unsigned char *)doc, strlen(doc)), IN_JSON_DOC, "a JSON document");
  const char *csv = "metric_name,timestamp,metric_value,check\nhttp_reqs,1,1,\n";
  INT_EQ(detect_head((const unsigned char *)csv, strlen(csv)), IN_K6_CSV, "k6 CSV");
  const char *junk = "hello world\n";
  INT_EQ(detect_head((const unsigned char *)junk, strlen(junk)), IN_UNKNOWN, "text");
  json_error_t je;
  json_t *legacy = json_loads("{\"metrics\":{\"http_reqs\":{\"count\":1,\"rate\":2}},\"root_group\":{}}", 0, &je);
  INT_EQ(detect_json_doc(legacy), IN_K6_SUMMARY_EXPORT, "summary-export");
  json_t *handle = json_loads("{\"metrics\":{\"http_reqs\":{\"type\":\"counter\",\"values\":{\"count\":1}}},"
                              "\"state\":{\"testRunDurationMs\":1}}",
                              0, &je);
  INT_EQ(detect_json_doc(handle), IN_K6_HANDLE_SUMMARY, "handleSummary");
  json_t *machine = json_loads("{\"version\":\"1.0.0\",\"results\":{\"metrics\":[]},\"config\":{}}", 0, &je);
  INT_EQ(detect_json_doc(machine), IN_K6_MACHINE_SUMMARY, "machine-readable summary");
  json_t *other = json_loads("{\"foo\":1}", 0, &je);
  INT_EQ(detect_json_doc(other), IN_UNKNOWN, "unknown shape");
  json_decref(legacy);
  json_decref(handle);
  json_decref(machine);
  json_decref(other);
}

static void sample_blobs(void) {
  struct sample s[4] = {{2.5, 12.345678, SAMPLE_OK}, {0.000001, 0.960851, SAMPLE_OK},
                        {1.25, 60000.0, SAMPLE_FAILED}, {1.25, 0.0, SAMPLE_FAILED}};
  struct strbuf sb = STRBUF_INIT;
  samples_encode(s, 4, &sb);
  OK(sb.buf[0] == 'N', "whole-ns durations use the compact form");
  struct sample *out;
  size_t n;
  struct err err = ERR_INIT;
  OK(samples_decode(sb.buf, sb.len, &out, &n, &err) == 0, "decode");
  INT_EQ(n, 4, "count");
  DBL_NEAR(out[0].dur_ms, 0.960851, 0, "exact duration after round trip");
  DBL_NEAR(out[3].dur_ms, 12.345678, 0, "exact duration, last");
  INT_EQ(out[0].flags, SAMPLE_OK, "flags");
  DBL_NEAR(out[1].t, 1.25, 1e-6, "time sorted");
  free(out);
  struct sample odd[1] = {{0, 1.0 / 3.0, SAMPLE_OK}};
  strbuf_reset(&sb);
  samples_encode(odd, 1, &sb);
  OK(sb.buf[0] == 'D', "a non-ns duration is stored as a raw double");
  OK(samples_decode(sb.buf, sb.len, &out, &n, &err) == 0 && out[0].dur_ms == 1.0 / 3.0, "raw double exact");
  free(out);
  OK(samples_decode("N\xff", 2, &out, &n, &err) < 0, "corrupt blob rejected");
  strbuf_release(&sb);
}

static void completeness_rules(void) {
  int early = -1;
  k6_exit_meaning(0, &early);
  INT_EQ(early, 0, "exit 0 ran its course");
  k6_exit_meaning(99, &early);
  INT_EQ(early, 0, "exit 99 (thresholds crossed) ran its course");
  k6_exit_meaning(110, &early);
  INT_EQ(early, 0, "exit 110 (marked as failed) ran its course");
  STR_EQ(k6_exit_meaning(105, &early), "interrupted from outside (SIGINT or SIGTERM, or the REST API)", "105");
  INT_EQ(early, 1, "exit 105 stopped early");
  k6_exit_meaning(130, &early);
  INT_EQ(early, 1, "exit 130 (SIGINT through a shell) stopped early");
  k6_exit_meaning(108, &early);
  INT_EQ(early, 1, "exit 108 (test.abort) stopped early");

  json_t *v = json_string("1m30s");
  DBL_NEAR(k6_duration_s(v), 90, 0, "1m30s");
  json_decref(v);
  v = json_string("500ms");
  DBL_NEAR(k6_duration_s(v), 0.5, 1e-12, "500ms");
  json_decref(v);
  v = json_string("1h2m3.5s");
  DBL_NEAR(k6_duration_s(v), 3723.5, 1e-9, "1h2m3.5s");
  json_decref(v);
  v = json_integer(2500);
  DBL_NEAR(k6_duration_s(v), 2.5, 1e-12, "a number is ms");
  json_decref(v);
  v = json_string("soon");
  OK(isnan(k6_duration_s(v)), "unparsable");
  json_decref(v);

  json_error_t je;
  json_t *doc = json_loads("{\"options\": {\"scenarios\": {"
                           "\"a\": {\"executor\": \"constant-arrival-rate\", \"duration\": \"30s\"},"
                           "\"b\": {\"executor\": \"ramping-vus\", \"startTime\": \"10s\","
                           " \"stages\": [{\"duration\": \"20s\", \"target\": 5}, {\"duration\": \"15s\", \"target\": 0}]}}}}",
                           0, &je);
  json_t *cfg = k6_scenario_config(doc);
  OK(cfg && json_object_size(cfg) == 2, "options.scenarios found");
  DBL_NEAR(k6_configured_duration_s(cfg), 45, 1e-12, "max of 30 s and 10 s + 35 s");
  json_decref(cfg);
  json_decref(doc);
  doc = json_loads("{\"scenarios\": {\"it\": {\"executor\": \"per-vu-iterations\", \"iterations\": 3}}}", 0, &je);
  cfg = k6_scenario_config(doc);
  OK(cfg && isnan(k6_configured_duration_s(cfg)), "iteration-based: no configured length");
  json_decref(cfg);
  json_decref(doc);
  doc = json_loads("{\"options\": {\"duration\": \"20s\", \"vus\": 5}}", 0, &je);
  cfg = k6_scenario_config(doc);
  DBL_NEAR(k6_configured_duration_s(cfg), 20, 0, "options.duration");
  json_decref(cfg);
  json_decref(doc);
  doc = json_loads("{\"k6_exit_status\": 0}", 0, &je);
  OK(k6_scenario_config(doc) == NULL, "nothing known");
  json_decref(doc);
}

/* Two scenarios on one endpoint, stored and read back per scenario. */
static void scenarios_store(void) {
  struct err err = ERR_INIT;
  struct store *st = NULL;
  if (store_open(&st, ":memory:", &err) < 0) {
    T_FAIL("store_open: %s", err.msg);
    return;
  }
  struct k6_agg *a = k6_agg_new();
  const char *tags[] = {
      "{\"method\":\"GET\",\"name\":\"/x\",\"scenario\":\"a\",\"status\":\"200\",\"expected_response\":\"true\"}",
      "{\"method\":\"GET\",\"name\":\"/x\",\"scenario\":\"b\",\"status\":\"500\",\"expected_response\":\"false\"}",
      "{\"method\":\"GET\",\"name\":\"/y\",\"scenario\":\"b\",\"status\":\"200\",\"expected_response\":\"true\"}"};
  int ts[3];
  for (int i = 0; i < 3; i++)
    ts[i] = k6_agg_tagset(a, tags[i], strlen(tags[i]), NULL, &err);
  /* a: /x 1..10 ms; b: /x 100, 200 ms (failed), /y 5 ms. */
  int64_t t0 = INT64_C(1795729965000000000);
  for (int i = 0; i < 10; i++) {
    k6_agg_point(a, "http_reqs", 9, t0 + i * 1000000, 1, ts[0]);
    k6_agg_point(a, "http_req_duration", 17, t0 + i * 1000000, i + 1, ts[0]);
    k6_agg_point(a, "http_req_failed", 15, t0 + i * 1000000, 0, ts[0]);
  }
  for (int i = 0; i < 2; i++) {
    k6_agg_point(a, "http_reqs", 9, t0 + i * 3000000, 1, ts[1]);
    k6_agg_point(a, "http_req_duration", 17, t0 + i * 3000000, 100 * (i + 1), ts[1]);
    k6_agg_point(a, "http_req_failed", 15, t0 + i * 3000000, 1, ts[1]);
  }
  k6_agg_point(a, "http_reqs", 9, t0, 1, ts[2]);
  k6_agg_point(a, "http_req_duration", 17, t0, 5, ts[2]);
  char name[65];
  INT_EQ(k6_agg_scenarios(a, name, sizeof name), 2, "two scenarios");
  STR_EQ(name, "a+b", "joined names");
  char tiny[4];
  k6_agg_scenarios(a, tiny, sizeof tiny);
  STR_EQ(tiny, "a+b", "fits in 4 bytes");
  char tiny2[3];
  k6_agg_scenarios(a, tiny2, sizeof tiny2);
  STR_EQ(tiny2, "mi", "too long: mixed (cut to the buffer)");
  /* Requests of setup() carry no scenario tag: they do not name the run. */
  struct k6_agg *a2 = k6_agg_new();
  const char *t1 = "{\"method\":\"GET\",\"name\":\"/s\",\"group\":\"::setup\"}";
  const char *t2 = "{\"method\":\"GET\",\"name\":\"/x\",\"scenario\":\"load\"}";
  k6_agg_point(a2, "http_reqs", 9, t0, 1, k6_agg_tagset(a2, t1, strlen(t1), NULL, &err));
  k6_agg_point(a2, "http_reqs", 9, t0, 1, k6_agg_tagset(a2, t2, strlen(t2), NULL, &err));
  INT_EQ(k6_agg_scenarios(a2, name, sizeof name), 1, "setup requests are no scenario of their own");
  STR_EQ(name, "load", "named after the one k6 scenario");
  k6_agg_free(a2);
  OK(store_exec(st, "INSERT INTO runs (name, created_at) VALUES ('r', 'now')", &err) == 0, "run row");
  OK(k6_agg_store(a, st, 1, NULL, &err) == 0, "stored: %s", err.msg);
  struct scenario *sc = NULL;
  size_t n = 0;
  OK(store_scenarios_of(st, 1, &sc, &n, &err) == 0, "read: %s", err.msg);
  INT_EQ(n, 2, "two scenarios stored");
  if (n == 2) {
    STR_EQ(sc[0].name, "a", "sorted by name");
    INT_EQ(sc[0].requests, 10, "a requests");
    INT_EQ(sc[1].requests, 3, "b requests");
    INT_EQ(sc[1].failed, 2, "b failed");
    INT_EQ(sc[1].ok_count, 1, "b ok");
    OK(sc[0].executor == NULL, "executor unknown");
    INT_EQ(sc[0].n_eps, 1, "a has /x only");
    INT_EQ(sc[1].n_eps, 2, "b has /x and /y");
    if (sc[0].n_eps == 1 && sc[1].n_eps == 2) {
      DBL_NEAR(sc[0].eps[0].all.p95, 9.55, 1e-12, "a /x p95 of 1..10");
      DBL_NEAR(sc[1].eps[0].all.max, 200, 0, "b /x max");
      INT_EQ(sc[1].eps[0].ok.count, 0, "b /x: no successful request");
      OK(isnan(sc[1].eps[0].ok.p95), "no statistic over zero samples");
      struct sample *smp = NULL;
      size_t ns = 0;
      OK(store_scenario_samples(st, &sc[1].eps[0], &smp, &ns, &err) == 0, "samples: %s", err.msg);
      INT_EQ(ns, 2, "b /x has its own two samples");
      if (ns == 2)
        DBL_NEAR(smp[1].dur_ms, 200, 0, "in time order");
      free(smp);
      OK(sc[0].eps[0].endpoint_id == sc[1].eps[0].endpoint_id, "both point at the whole-run /x");
    }
  }
  store_scenarios_free(sc, n);
  /* Completeness: exit 105 → incomplete. */
  struct completeness_in ci = {105, NULL, 10, NAN};
  int complete = -1;
  char why[256];
  OK(completeness_store(st, 1, &ci, &complete, why, sizeof why, &err) == 0, "judged");
  INT_EQ(complete, 0, "105: incomplete");
  struct completeness_in c2 = {99, NULL, 10, 30};
  OK(completeness_store(st, 1, &c2, &complete, why, sizeof why, &err) == 0, "judged");
  INT_EQ(complete, 0, "10 s of 30 s: incomplete");
  STR_EQ(why, "ended after 10.0 s of the configured 30.0 s", "reason");
  struct completeness_in c3 = {0, NULL, 29.5, 30};
  OK(completeness_store(st, 1, &c3, &complete, why, sizeof why, &err) == 0, "judged");
  INT_EQ(complete, 1, "29.5 s of 30 s, exit 0: complete");
  struct run_info ri;
  OK(store_get_run(st, 1, &ri, &err) == 0, "run read");
  INT_EQ(ri.complete, 1, "run_info.complete");
  INT_EQ(ri.k6_exit_status, 0, "run_info.k6_exit_status");
  OK(ri.incomplete_reason == NULL, "no reason");
  run_info_release(&ri);
  k6_agg_free(a);
  store_close(st);
}

int main(void) {
  completeness_rules();
  scenarios_store();
  percentiles();
  endpoints();
  times();
  detection();
  sample_blobs();
  return test_report();
}
