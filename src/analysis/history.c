#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/history.h"
#include "ingest/endpoint.h"
#include "stats/bootstrap.h"
#include "stats/edivisive.h"
#include "store/samples.h"
#include "store/store.h"
#include "store/store_compare.h"
#include "store/store_history.h"
#include "store/store_runs.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"


int history_pin_baseline(struct store *st, const struct run_info *r, struct err *err) {
  char now[64];
  time_now_iso(now);
  return store_baseline_set(st, r->scenario, r->env, r->id, now, err);
}

int history_record_check(struct store *st, int64_t run_id, int64_t baseline_id, const char *verdict,
                         struct err *err) {
  char now[64];
  time_now_iso(now);
  return store_check_record(st, run_id, baseline_id, verdict, now, err);
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
  struct store_endpoint *eps;
  size_t neps;
  if (store_endpoints_of(st, run_id, &eps, &neps, err) < 0)
    return -1;
  double *v = NULL, *t = NULL;
  size_t nv = 0, cap = 0, cap2 = 0, matched = 0;
  long long req = 0, failed = 0;
  int all_samples = 1;
  double agg[4] = {NAN, NAN, NAN, NAN};
  long long agg_n = 0;
  for (size_t k = 0; k < neps; k++) {
    const struct store_endpoint *e = &eps[k];
    char *label = endpoint_label(e->method, e->name);
    int take = !endpoint || !strcmp(endpoint, "ALL") || strstr(label, endpoint) != NULL;
    free(label);
    if (!take)
      continue;
    matched++;
    req += (long long)e->requests;
    failed += (long long)e->failed;
    agg_n = (long long)e->ok.count;
    agg[H_P50] = e->ok.med;
    agg[H_P95] = e->ok.p95;
    agg[H_P99] = e->ok.p99;
    agg[H_AVG] = e->ok.avg;
    if (!e->has_samples) {
      all_samples = 0;
      continue;
    }
    for (size_t i = 0; i < e->ns; i++)
      if (e->s[i].flags & SAMPLE_OK) {
        XGROW(v, cap, nv + 1);
        XGROW(t, cap2, nv + 1);
        v[nv] = e->s[i].dur_ms;
        t[nv] = e->s[i].t;
        nv++;
      }
  }
  store_endpoints_free(eps, neps);
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
  struct store_run_row *rows;
  size_t nrows;
  if (store_runs_by_start(st, o->scenario, o->env, &rows, &nrows, err) < 0)
    return -1;
  json_t *runs = json_array();
  double *z = NULL;
  size_t nz = 0, cap = 0;
  for (size_t i = 0; i < nrows; i++) {
    const struct store_run_row *row = &rows[i];
    double start = row->start_ts, dur = row->duration_s;
    if (!(dur > 0))
      dur = row->end_ts - start;
    double value;
    long long n;
    if (run_value(st, row->id, dur, o->endpoint, metric, &value, &n, err) < 0) {
      store_run_rows_free(rows, nrows);
      json_decref(runs);
      free(z);
      return -1;
    }
    if (!isfinite(value))
      continue;
    json_t *r = json_object();
    json_object_set_new(r, "id", json_integer((json_int_t)row->id));
    json_object_set_new(r, "name", json_string(row->name));
    json_object_set_new(r, "scenario", json_string(row->scenario));
    json_object_set_new(r, "env", json_string(row->env));
    json_object_set_new(r, "start_ts", isfinite(start) ? json_real(start) : json_null());
    json_object_set_new(r, "value", json_real(value));
    json_object_set_new(r, "n", json_integer(n));
    json_object_set_new(r, "change_point", json_false());
    json_array_append_new(runs, r);
    XGROW(z, cap, nz + 1);
    /* Log scale: a change is a ratio. Error rates get a 0.1-point floor so 0 is defined. */
    z[nz++] = metric == H_ERR ? log(value + 0.001) : log(value > 0 ? value : 1e-9);
  }
  store_run_rows_free(rows, nrows);
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
