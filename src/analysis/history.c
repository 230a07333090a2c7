#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/history.h"
#include "ingest/endpoint.h"
#include "render/escape.h"
#include "stats/bootstrap.h"
#include "stats/edivisive.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"


int history_pin_baseline(struct store *st, const struct run_info *r, struct err *err) {
  char now[64];
  time_now_iso(now);
  sqlite3_stmt *s = store_prepare(st,
                                  "INSERT INTO baselines (scenario, env, run_id, set_at) VALUES (?, ?, ?, ?) "
                                  "ON CONFLICT (scenario, env) DO UPDATE SET run_id = excluded.run_id, "
                                  "set_at = excluded.set_at",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_text(s, 1, r->scenario, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, r->env, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, r->id);
  sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot set the baseline");
}

int history_record_check(struct store *st, int64_t run_id, int64_t baseline_id, const char *verdict,
                         struct err *err) {
  char now[64];
  time_now_iso(now);
  sqlite3_stmt *s = store_prepare(
      st, "INSERT INTO check_results (run_id, baseline_id, verdict, checked_at) VALUES (?, ?, ?, ?)", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  if (baseline_id)
    sqlite3_bind_int64(s, 2, baseline_id);
  else
    sqlite3_bind_null(s, 2);
  sqlite3_bind_text(s, 3, verdict, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, now, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot record the check result");
}

void history_opts_init(struct history_opts *o) {
  memset(o, 0, sizeof *o);
  o->p_final = 0.001;
  o->min_magnitude = 0.03;
}

enum { H_P50, H_P95, H_P99, H_AVG, H_RPS, H_ERR };

static int metric_code(const char *m) {
  if (!m || !strcmp(m, "p95"))
    return H_P95;
  if (!strcmp(m, "p50") || !strcmp(m, "med") || !strcmp(m, "median"))
    return H_P50;
  if (!strcmp(m, "p99"))
    return H_P99;
  if (!strcmp(m, "avg") || !strcmp(m, "mean"))
    return H_AVG;
  if (!strcmp(m, "rps") || !strcmp(m, "throughput"))
    return H_RPS;
  if (!strcmp(m, "error_rate") || !strcmp(m, "errors") || !strcmp(m, "err"))
    return H_ERR;
  return -1;
}

static const char *const canon[] = {"p50", "p95", "p99", "avg", "rps", "error_rate"};

/* The metric of one run: from its samples, else its stored aggregates. */
static int run_value(struct store *st, int64_t run_id, double dur, const char *endpoint, int metric, double *value,
                     long long *n, struct err *err) {
  *value = NAN;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT e.method, e.name, e.requests, e.failed, s.data, m.count, m.med, m.p95, "
                                  "m.p99, m.avg FROM endpoints e LEFT JOIN samples s ON s.endpoint_id = e.id "
                                  "LEFT JOIN endpoint_metrics m ON m.endpoint_id = e.id AND "
                                  "m.metric = 'http_req_duration' AND m.scope = 'ok' WHERE e.run_id = ?",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  double *v = NULL, *t = NULL;
  size_t nv = 0, cap = 0, cap2 = 0, matched = 0;
  long long req = 0, failed = 0;
  int all_samples = 1;
  double agg[4] = {NAN, NAN, NAN, NAN};
  long long agg_n = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    char *label = endpoint_label(store_col_text(s, 0), store_col_text(s, 1));
    int take = !endpoint || !strcmp(endpoint, "ALL") || strstr(label, endpoint) != NULL;
    free(label);
    if (!take)
      continue;
    matched++;
    req += sqlite3_column_int64(s, 2);
    failed += sqlite3_column_int64(s, 3);
    agg_n = sqlite3_column_int64(s, 5);
    for (int k = 0; k < 4; k++)
      agg[k] = store_col_double(s, 6 + k);
    if (sqlite3_column_type(s, 4) != SQLITE_BLOB) {
      all_samples = 0;
      continue;
    }
    struct sample *x;
    size_t nx;
    if (samples_decode(sqlite3_column_blob(s, 4), (size_t)sqlite3_column_bytes(s, 4), &x, &nx, err) < 0) {
      sqlite3_finalize(s);
      free(v);
      free(t);
      return -1;
    }
    for (size_t i = 0; i < nx; i++)
      if (x[i].flags & SAMPLE_OK) {
        XGROW(v, cap, nv + 1);
        XGROW(t, cap2, nv + 1);
        v[nv] = x[i].dur_ms;
        t[nv] = x[i].t;
        nv++;
      }
    free(x);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    free(v);
    free(t);
    return store_fail(st, err, "cannot read endpoints");
  }
  if (!matched) {
    free(v);
    free(t);
    return 0;
  }
  if (metric == H_RPS) {
    *value = dur > 0 ? (double)req / dur : NAN;
    *n = req;
  } else if (metric == H_ERR) {
    *value = req ? (double)failed / (double)req : NAN;
    *n = req;
  } else if (all_samples) {
    struct boot_set bs;
    boot_set_init(&bs, v, t, nv, 1, 1);
    static const double pr[3] = {0.5, 0.95, 0.99};
    double q[3], mean;
    if (boot_weighted_stats(&bs, NULL, pr, 3, q, &mean) > 0)
      *value = metric == H_AVG ? mean : q[metric];
    boot_set_release(&bs);
    *n = (long long)nv;
  } else if (matched == 1) {
    *value = agg[metric];
    *n = agg_n;
  }
  free(v);
  free(t);
  return 0;
}

int history_build(struct store *st, const struct history_opts *o, json_t **out, struct err *err) {
  *out = NULL;
  int metric = metric_code(o->metric);
  if (metric < 0)
    return err_set(err, LR_USAGE, "option '--metric': unknown metric '%s' (expected p50, p95, p99, avg, rps, error_rate)",
                   o->metric);
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT id, name, scenario, env, start_ts, duration_s, end_ts FROM runs "
                                  "WHERE (?1 IS NULL OR scenario = ?1) AND (?2 IS NULL OR env = ?2) "
                                  "ORDER BY start_ts, id",
                                  err);
  if (!s)
    return -1;
  if (o->scenario)
    sqlite3_bind_text(s, 1, o->scenario, -1, SQLITE_TRANSIENT);
  if (o->env)
    sqlite3_bind_text(s, 2, o->env, -1, SQLITE_TRANSIENT);
  json_t *runs = json_array();
  double *z = NULL;
  size_t nz = 0, cap = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(s, 0);
    double start = store_col_double(s, 4), dur = store_col_double(s, 5);
    if (!(dur > 0))
      dur = store_col_double(s, 6) - start;
    double value;
    long long n;
    if (run_value(st, id, dur, o->endpoint, metric, &value, &n, err) < 0) {
      sqlite3_finalize(s);
      json_decref(runs);
      free(z);
      return -1;
    }
    if (!isfinite(value))
      continue;
    json_t *r = json_object();
    json_object_set_new(r, "id", json_integer((json_int_t)id));
    json_object_set_new(r, "name", json_string(store_col_text(s, 1)));
    json_object_set_new(r, "scenario", json_string(store_col_text(s, 2)));
    json_object_set_new(r, "env", json_string(store_col_text(s, 3)));
    json_object_set_new(r, "start_ts", isfinite(start) ? json_real(start) : json_null());
    json_object_set_new(r, "value", json_real(value));
    json_object_set_new(r, "n", json_integer(n));
    json_object_set_new(r, "change_point", json_false());
    json_array_append_new(runs, r);
    XGROW(z, cap, nz + 1);
    /* Log scale: a change is a ratio. Error rates get a 0.1-point floor so 0 is defined. */
    z[nz++] = metric == H_ERR ? log(value + 0.001) : log(value > 0 ? value : 1e-9);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    json_decref(runs);
    free(z);
    return store_fail(st, err, "cannot read runs");
  }
  struct ediv_opts eo;
  ediv_opts_init(&eo);
  eo.p_final = o->p_final;
  eo.min_magnitude = o->min_magnitude;
  struct ediv_cp *cps = xmalloc((nz ? nz : 1) * sizeof *cps);
  size_t ncp = ediv_detect(z, nz, &eo, cps, nz);
  json_t *cpa = json_array();
  for (size_t i = 0; i < ncp; i++) {
    json_t *r = json_array_get(runs, cps[i].index);
    double ch = (exp(cps[i].mean_after - cps[i].mean_before) - 1) * 100;
    json_object_set_new(r, "change_point", json_true());
    json_object_set_new(r, "change_pct", json_real(ch));
    json_object_set_new(r, "p_value", json_real(cps[i].p_value));
    json_t *c = json_object();
    json_object_set_new(c, "index", json_integer((json_int_t)cps[i].index));
    json_object_set(c, "run", json_object_get(r, "name"));
    json_object_set_new(c, "change_pct", json_real(ch));
    json_object_set_new(c, "p_value", json_real(cps[i].p_value));
    json_array_append_new(cpa, c);
  }
  free(cps);
  free(z);
  json_t *doc = json_object();
  json_object_set_new(doc, "scenario", o->scenario ? json_string(o->scenario) : json_null());
  json_object_set_new(doc, "env", o->env ? json_string(o->env) : json_null());
  json_object_set_new(doc, "endpoint", json_string(o->endpoint ? o->endpoint : "ALL"));
  json_object_set_new(doc, "metric", json_string(canon[metric]));
  json_object_set_new(doc, "unit", json_string(metric == H_ERR ? "fraction" : metric == H_RPS ? "req/s" : "ms"));
  json_t *m = json_object();
  json_object_set_new(m, "method", json_string("e-divisive means, Student t significance"));
  json_object_set_new(m, "p_final", json_real(eo.p_final));
  json_object_set_new(m, "min_magnitude", json_real(eo.min_magnitude));
  json_object_set_new(m, "window", json_integer((json_int_t)eo.window));
  json_object_set_new(doc, "detector", m);
  json_object_set_new(doc, "runs", runs);
  json_object_set_new(doc, "change_points", cpa);
  *out = doc;
  return 0;
}

static void fmt_hval(char *buf, size_t len, const char *unit, double v) {
  if (!strcmp(unit, "fraction"))
    snprintf(buf, len, "%.3f%%", v * 100);
  else if (!strcmp(unit, "req/s"))
    snprintf(buf, len, "%.2f/s", v);
  else
    snprintf(buf, len, "%.2f ms", v);
}

void history_render_text(json_t *h, struct strbuf *out) {
  json_t *runs = json_object_get(h, "runs");
  const char *unit = json_string_value(json_object_get(h, "unit"));
  strbuf_addstr(out, "metric ");
  strbuf_addstr(out, json_string_value(json_object_get(h, "metric")));
  strbuf_addstr(out, " of ");
  esc_term(out, json_string_value(json_object_get(h, "endpoint")));
  if (json_is_string(json_object_get(h, "scenario"))) {
    strbuf_addstr(out, ", scenario ");
    esc_term(out, json_string_value(json_object_get(h, "scenario")));
  }
  strbuf_addstr(out, "\n\n");
  size_t wn = 3;
  for (size_t i = 0; i < json_array_size(runs); i++) {
    size_t l = strlen(json_string_value(json_object_get(json_array_get(runs, i), "name")));
    wn = l > wn ? l : wn;
  }
  strbuf_addf(out, "%6s  %-*s  %14s  %8s  %s\n", "ID", (int)wn, "RUN", "VALUE", "N", "CHANGE POINT");
  for (size_t i = 0; i < json_array_size(runs); i++) {
    json_t *r = json_array_get(runs, i);
    char val[64];
    fmt_hval(val, sizeof val, unit, json_number_value(json_object_get(r, "value")));
    struct strbuf name = STRBUF_INIT;
    esc_term(&name, json_string_value(json_object_get(r, "name")));
    strbuf_addf(out, "%6lld  %-*s  %14s  %8lld", (long long)json_integer_value(json_object_get(r, "id")), (int)wn,
                name.buf, val, (long long)json_integer_value(json_object_get(r, "n")));
    strbuf_release(&name);
    if (json_is_true(json_object_get(r, "change_point")))
      strbuf_addf(out, "  <- %+.1f%% (p = %.2g)", json_number_value(json_object_get(r, "change_pct")),
                  json_number_value(json_object_get(r, "p_value")));
    strbuf_addch(out, '\n');
  }
  size_t ncp = json_array_size(json_object_get(h, "change_points"));
  strbuf_addf(out, "\n%zu run%s, %zu change point%s\n", json_array_size(runs), json_array_size(runs) == 1 ? "" : "s",
              ncp, ncp == 1 ? "" : "s");
}

void history_render_md(json_t *h, struct strbuf *out) {
  json_t *runs = json_object_get(h, "runs");
  const char *unit = json_string_value(json_object_get(h, "unit"));
  strbuf_addstr(out, "| Id | Run | ");
  esc_md(out, json_string_value(json_object_get(h, "metric")));
  strbuf_addstr(out, " | n | Change point |\n|---:|---|---:|---:|---|\n");
  for (size_t i = 0; i < json_array_size(runs); i++) {
    json_t *r = json_array_get(runs, i);
    char val[64];
    fmt_hval(val, sizeof val, unit, json_number_value(json_object_get(r, "value")));
    strbuf_addf(out, "| %lld | ", (long long)json_integer_value(json_object_get(r, "id")));
    esc_md(out, json_string_value(json_object_get(r, "name")));
    strbuf_addf(out, " | %s | %lld | ", val, (long long)json_integer_value(json_object_get(r, "n")));
    if (json_is_true(json_object_get(r, "change_point")))
      strbuf_addf(out, "%+.1f%% (p = %.2g)", json_number_value(json_object_get(r, "change_pct")),
                  json_number_value(json_object_get(r, "p_value")));
    strbuf_addstr(out, " |\n");
  }
}
