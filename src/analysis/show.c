#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "analysis/instances.h"
#include "analysis/show.h"
#include "analysis/sysstats.h"
#include "ingest/endpoint.h"
#include "store/store.h"
#include "store/store_endpoints.h"
#include "store/store_errors.h"
#include "store/store_levels.h"
#include "store/store_metrics.h"
#include "store/store_scenarios.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

/* NULL (not stored, or not finite) is null: every key of the shape is there. */
static void set_num(json_t *o, const char *key, double v) {
  json_object_set_new(o, key, isnan(v) ? json_null() : json_real(v));
}

json_t *show_run_json(const struct run_info *run) {
  char a[64], b[64];
  json_t *o = json_object();
  json_object_set_new(o, "id", json_integer(run->id));
  json_object_set_new(o, "name", json_string(run->name));
  json_object_set_new(o, "scenario", json_string(run->scenario));
  json_object_set_new(o, "env", json_string(run->env));
  if (isfinite(run->start_ts)) {
    time_format_iso(run->start_ts, a);
    time_format_iso(run->end_ts, b);
    json_object_set_new(o, "start", json_string(a));
    json_object_set_new(o, "end", json_string(b));
  } else {
    json_object_set_new(o, "start", json_null());
    json_object_set_new(o, "end", json_null());
  }
  json_object_set_new(o, "duration_s", isfinite(run->duration_s) ? json_real(run->duration_s) : json_null());
  json_object_set_new(o, "duration_source", json_string(run->duration_src));
  json_error_t je;
  json_t *labels = json_loads(run->labels, 0, &je);
  json_object_set_new(o, "labels", labels ? labels : json_object());
  json_object_set_new(o, "has_samples", json_boolean(run->has_samples));
  if (run->k6_version && *run->k6_version)
    json_object_set_new(o, "k6_version", json_string(run->k6_version));
  /* complete: false only when the run is known to have stopped early; a run
   * ingested before schema v2 (unknown) counts as complete. */
  json_object_set_new(o, "complete", json_boolean(run->complete != 0));
  json_object_set_new(o, "incomplete_reason",
                      run->complete == 0 && run->incomplete_reason ? json_string(run->incomplete_reason) : json_null());
  json_object_set_new(o, "k6_exit_status", run->k6_exit_status >= 0 ? json_integer(run->k6_exit_status) : json_null());
  return o;
}

/* A trend's statistics under k6's names (count apart). */
static void set_trend(json_t *o, const struct sc_trend *t) {
  set_num(o, "avg", t->avg);
  set_num(o, "min", t->min);
  set_num(o, "med", t->med);
  set_num(o, "max", t->max);
  set_num(o, "p(90)", t->p90);
  set_num(o, "p(95)", t->p95);
  set_num(o, "p(99)", t->p99);
}

static int load_metrics(struct store *st, int64_t run_id, json_t *metrics, struct err *err) {
  struct store_metric *rows;
  size_t n;
  if (store_metrics_of(st, run_id, &rows, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    const struct store_metric *r = &rows[i];
    json_t *m = json_object();
    json_object_set_new(m, "type", json_string(r->type));
    json_object_set_new(m, "contains", json_string(r->contains));
    if (!strcmp(r->type, "trend")) {
      json_object_set_new(m, "count", jx_whole_or_real(r->count));
      struct sc_trend t = {0, r->avg, r->min, r->med, r->max, r->p90, r->p95, r->p99};
      set_trend(m, &t);
      json_error_t je;
      json_t *extra = r->extra ? json_loads(r->extra, 0, &je) : NULL;
      if (extra)
        json_object_update(m, extra);
      json_decref(extra);
      /* "metrics" reproduces k6's summary exactly, so a trend without
       * samples keeps k6's 0 here (count 0 tells); every figure loadrep
       * derives from it is null instead (summary, endpoints, scenarios). */
    } else if (!strcmp(r->type, "counter")) {
      json_object_set_new(m, "count", jx_whole_or_real(r->count));
      set_num(m, "rate", r->rate);
    } else if (!strcmp(r->type, "rate")) {
      json_object_set_new(m, "passes", jx_whole_or_real(r->passes));
      json_object_set_new(m, "fails", jx_whole_or_real(r->fails));
      set_num(m, "value", r->value);
    } else {
      set_num(m, "value", r->value);
      set_num(m, "min", r->min);
      set_num(m, "max", r->max);
    }
    json_object_set_new(metrics, r->name, m);
  }
  store_metrics_free(rows, n);
  return 0;
}

static json_t *trend_obj(const struct sc_trend *t) {
  json_t *o = json_object();
  json_object_set_new(o, "count", json_integer(t->count));
  set_trend(o, t);
  return o;
}

static const char *const trend_keys[] = {"avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"};

static void null_stats(json_t *t) {
  for (int k = 0; k < 7; k++)
    json_object_set_new(t, trend_keys[k], json_null());
}

/* One endpoint of show's "endpoints" (or a scenario's). */
static json_t *endpoint_json(const struct run_info *run, const struct store_ep_detail *d) {
  json_t *e = json_object();
  double req = (double)d->requests, failed = (double)d->failed;
  char *label = endpoint_label(d->method, d->name);
  json_object_set_new(e, "method", json_string(d->method));
  json_object_set_new(e, "name", json_string(d->name));
  json_object_set_new(e, "endpoint", json_string(label));
  free(label);
  json_object_set_new(e, "requests", json_integer(d->requests));
  json_object_set_new(e, "failed", json_integer(d->failed));
  json_object_set_new(e, "ok", json_integer(d->ok_count));
  json_object_set_new(e, "error_rate", json_real(req > 0 ? failed / req : 0));
  json_object_set_new(e, "rps", json_real(run->duration_s > 0 ? req / run->duration_s : 0));
  json_t *phases = json_object();
  for (size_t k = 0; k < d->ntrends; k++) {
    const char *metric = d->trends[k].metric, *scope = d->trends[k].scope;
    json_t *t = trend_obj(&d->trends[k].t);
    if (!strcmp(metric, "http_req_duration"))
      json_object_set_new(e, !strcmp(scope, "ok") ? "ok_duration" : "http_req_duration", t);
    else if (!strcmp(scope, "all"))
      json_object_set_new(phases, metric + (strncmp(metric, "http_req_", 9) ? 0 : 9), t);
    else
      json_decref(t);
  }
  json_object_set_new(e, "phases", phases);
  /* Every endpoint has the documented shape, even one whose requests
   * never reported a duration. */
  for (int dd = 0; dd < 2; dd++) {
    const char *key = dd ? "ok_duration" : "http_req_duration";
    if (json_object_get(e, key))
      continue;
    json_t *t = json_object();
    json_object_set_new(t, "count", json_integer(0));
    null_stats(t);
    json_object_set_new(e, key, t);
  }
  /* Every request failed without a response (k6 times them 0 ms): no
   * latency was measured, so none is shown. */
  json_t *hd = json_object_get(e, "http_req_duration");
  if (req > 0 && failed >= req && jx_num(hd, "max") == 0)
    null_stats(hd);
  return e;
}

/* The endpoints of the whole run (scenario NULL) or of one scenario. */
static int load_endpoints(struct store *st, const struct run_info *run, const char *scenario, json_t *eps,
                          struct err *err) {
  struct store_ep_detail *d;
  size_t n;
  if (store_endpoint_details(st, run->id, scenario, &d, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    json_array_append_new(eps, endpoint_json(run, &d[i]));
  store_ep_details_free(d, n);
  return 0;
}

static int load_simple(struct store *st, int64_t run_id, json_t *th, json_t *checks, json_t *errors, struct err *err) {
  struct store_threshold_row *t;
  size_t nt;
  if (store_thresholds_of(st, run_id, &t, &nt, err) < 0)
    return -1;
  for (size_t i = 0; i < nt; i++)
    json_array_append_new(th, json_pack("{s:s,s:s,s:o,s:s}", "metric", t[i].metric, "expression", t[i].expression,
                                        "ok", t[i].ok < 0 ? json_null() : json_boolean(t[i].ok), "source",
                                        t[i].source));
  store_threshold_rows_free(t, nt);
  struct store_check *c;
  size_t nc;
  if (store_checks_of(st, run_id, &c, &nc, err) < 0)
    return -1;
  for (size_t i = 0; i < nc; i++)
    json_array_append_new(checks, json_pack("{s:s,s:s,s:I,s:I}", "group", c[i].group, "name", c[i].name, "passes",
                                            (json_int_t)c[i].passes, "fails", (json_int_t)c[i].fails));
  store_checks_free(c, nc);
  struct store_error_row *e;
  size_t ne;
  if (store_errors_named(st, run_id, &e, &ne, err) < 0)
    return -1;
  for (size_t i = 0; i < ne; i++) {
    char *label = endpoint_label(e[i].method, e[i].name);
    json_array_append_new(errors, json_pack("{s:s,s:s,s:s,s:s,s:I}", "endpoint", label, "status", e[i].status,
                                            "error_code", e[i].error_code, "error", e[i].error, "count",
                                            (json_int_t)e[i].count));
    free(label);
  }
  store_error_rows_free(e, ne);
  return 0;
}

/* "scenarios": [{"name", "executor", "requests", "failed", "ok", "endpoints": [...]}],
 * one per k6 scenario of a run with samples; [] for a summary-only run. */
static int load_scenarios(struct store *st, const struct run_info *run, json_t *out, struct err *err) {
  struct scenario *sc;
  size_t n;
  if (store_scenarios_of(st, run->id, &sc, &n, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    json_t *o = json_object(), *eps = json_array();
    json_object_set_new(o, "name", json_string(sc[i].name));
    json_object_set_new(o, "executor", sc[i].executor ? json_string(sc[i].executor) : json_null());
    json_object_set_new(o, "requests", json_integer(sc[i].requests));
    json_object_set_new(o, "failed", json_integer(sc[i].failed));
    json_object_set_new(o, "ok", json_integer(sc[i].ok_count));
    json_object_set_new(o, "error_rate",
                        sc[i].requests > 0 ? json_real((double)sc[i].failed / (double)sc[i].requests) : json_null());
    rc = load_endpoints(st, run, sc[i].name, eps, err);
    json_object_set_new(o, "endpoints", eps);
    json_array_append_new(out, o);
  }
  store_scenarios_free(sc, n);
  return rc;
}

static double mget(json_t *metrics, const char *name, const char *key) {
  json_t *v = json_object_get(json_object_get(metrics, name), key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The run's latency statistics are null when no request got a response:
 * every request failed and k6 timed them all 0 ms (connection refused). */
static int no_response(json_t *metrics) {
  return mget(metrics, "http_req_duration", "count") == 0 ||
         (mget(metrics, "http_req_failed", "value") == 1 && mget(metrics, "http_req_duration", "max") == 0);
}

static json_t *summary_json(struct store *st, const struct run_info *run, json_t *metrics) {
  json_t *o = json_object();
  int nolat = no_response(metrics);
  double req = mget(metrics, "http_reqs", "count");
  json_object_set_new(o, "requests", jx_whole_or_real(req));
  double rps = mget(metrics, "http_reqs", "rate");
  if (isnan(rps) && req > 0 && run->duration_s > 0)
    rps = req / run->duration_s; /* the machine-readable summary has no counter rates */
  json_object_set_new(o, "rps", jx_whole_or_real(rps));
  json_object_set_new(o, "error_rate", jx_whole_or_real(mget(metrics, "http_req_failed", "value")));
  json_object_set_new(o, "failed", jx_whole_or_real(mget(metrics, "http_req_failed", "passes")));
  json_object_set_new(o, "avg", jx_whole_or_real(nolat ? NAN : mget(metrics, "http_req_duration", "avg")));
  json_object_set_new(o, "p50", jx_whole_or_real(nolat ? NAN : mget(metrics, "http_req_duration", "med")));
  json_object_set_new(o, "p90", jx_whole_or_real(nolat ? NAN : mget(metrics, "http_req_duration", "p(90)")));
  json_object_set_new(o, "p95", jx_whole_or_real(nolat ? NAN : mget(metrics, "http_req_duration", "p(95)")));
  json_object_set_new(o, "p99", jx_whole_or_real(nolat ? NAN : mget(metrics, "http_req_duration", "p(99)")));
  json_object_set_new(o, "max", jx_whole_or_real(nolat ? NAN : mget(metrics, "http_req_duration", "max")));
  /* The successful requests' p95 (k6's http_req_duration{expected_response:true}):
   * null when there was none. */
  const char *okm = "http_req_duration{expected_response:true}";
  json_object_set_new(o, "ok_p95", jx_whole_or_real(mget(metrics, okm, "count") == 0 ? NAN : mget(metrics, okm, "p(95)")));
  json_object_set_new(o, "iterations", jx_whole_or_real(mget(metrics, "iterations", "count")));
  double vmax = mget(metrics, "vus_max", "max");
  double vpeak = mget(metrics, "vus", "max");
  struct err e2 = ERR_INIT;
  double bucket_max;
  if (store_run_max_vus(st, run->id, &bucket_max, &e2) == 0 && !isnan(bucket_max) && isnan(vpeak))
    vpeak = bucket_max;
  json_object_set_new(o, "vus_max", jx_whole_or_real(isnan(vpeak) ? vmax : vpeak));
  json_object_set_new(o, "vus_allocated", jx_whole_or_real(vmax));
  return o;
}

int show_build(struct store *st, const struct run_info *run, json_t **out, struct err *err) {
  json_t *metrics = json_object(), *eps = json_array(), *th = json_array(), *checks = json_array(),
         *errors = json_array(), *scen = json_array(), *inst = NULL, *merge = NULL;
  /* Every member belongs to doc from here: one json_decref(doc) frees all on failure. */
  json_t *doc = json_pack("{s:o,s:n,s:o,s:o,s:o,s:o,s:o,s:o,s:n,s:n}", "run", show_run_json(run), "summary", "metrics",
                          metrics, "endpoints", eps, "scenarios", scen, "thresholds", th, "checks", checks, "errors",
                          errors, "instances", "merge"); /* in the order of the output; nulls filled below */
  if (load_metrics(st, run->id, metrics, err) < 0 || load_endpoints(st, run, NULL, eps, err) < 0 ||
      load_simple(st, run->id, th, checks, errors, err) < 0 || load_scenarios(st, run, scen, err) < 0 ||
      instances_json(st, run, th, &inst, &merge, err) < 0) {
    json_decref(doc);
    return -1;
  }
  json_object_set_new(doc, "summary", summary_json(st, run, metrics));
  json_object_set_new(doc, "instances", inst);
  json_object_set_new(doc, "merge", merge);
  json_t *sys = NULL;
  if (sysstats_json(st, run, &sys, err) < 0) {
    json_decref(doc);
    return -1;
  }
  json_object_set_new(doc, "system", sys ? sys : json_array());
  json_t *db = NULL; /* "database": only for a run with database or cache evidence */
  if (db_evidence_json(st, run, DB_SLOW_MS_DEFAULT, &db, err) < 0) {
    json_decref(doc);
    return -1;
  }
  if (db)
    json_object_set_new(doc, "database", db);
  *out = doc;
  return 0;
}
