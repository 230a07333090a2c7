/* instances.c - the runners of a run (analysis/instances.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/instances.h"
#include "store/store.h"
#include "store/store_instances.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/timeparse.h"

static json_t *time_or_null(double ts) {
  if (!isfinite(ts))
    return json_null();
  char b[64];
  time_format_iso(ts, b);
  return json_string(b);
}

static json_t *instance_json(const struct store_instance *in) {
  double span = in->end_ts - in->start_ts;
  json_t *o = json_object();
  json_object_set_new(o, "name", json_string(in->name));
  json_object_set_new(o, "requests", json_integer(in->requests));
  json_object_set_new(o, "rps", jx_real_or_null(span > 0 ? (double)in->requests / span : NAN));
  json_object_set_new(o, "p95_ms", jx_real_or_null(in->p95_ms));
  json_object_set_new(o, "error_rate", jx_real_or_null(in->requests ? (double)in->failed / (double)in->requests : NAN));
  json_object_set_new(o, "vus_max", jx_real_or_null(in->vus_max));
  json_object_set_new(o, "start", time_or_null(in->start_ts));
  json_object_set_new(o, "end", time_or_null(in->end_ts));
  return o;
}

/* The sentences that say where the runners disagree. */
static json_t *warnings(const struct store_instance *v, size_t n) {
  json_t *w = json_array();
  if (n < 2)
    return w;
  size_t first = 0;
  double mean = 0;
  for (size_t i = 0; i < n; i++) {
    if (isfinite(v[i].start_ts) && (!isfinite(v[first].start_ts) || v[i].start_ts < v[first].start_ts))
      first = i;
    mean += (double)v[i].requests / (double)n;
  }
  char b[512];
  for (size_t i = 0; i < n; i++) {
    double off = v[i].start_ts - v[first].start_ts;
    if (isfinite(off) && off > INSTANCE_CLOCK_SKEW_S) {
      snprintf(b, sizeof b,
               "Runner %s started %.1f s after %s: their clocks disagree or they did not start together, so the "
               "merged run's per-second figures mix different moments.",
               v[i].name, off, v[first].name);
      json_array_append_new(w, json_string(b));
    }
  }
  for (size_t i = 0; i < n; i++) {
    double dev = mean > 0 ? (double)v[i].requests / mean - 1 : 0;
    if (fabs(dev) > INSTANCE_UNEVEN) {
      snprintf(b, sizeof b,
               "Uneven load: runner %s made %lld requests, %.0f %% %s than the runners' mean of %.0f.", v[i].name,
               (long long)v[i].requests, fabs(dev) * 100, dev > 0 ? "more" : "fewer", mean);
      json_array_append_new(w, json_string(b));
    }
  }
  return w;
}

static int annotate_thresholds(struct store *st, int64_t run_id, json_t *thresholds, struct err *err) {
  struct store_instance_threshold *t;
  size_t nt;
  if (store_instance_thresholds_of(st, run_id, &t, &nt, err) < 0)
    return -1;
  size_t i, distinct = 0;
  for (i = 0; i < nt; i++) /* ordered by metric, expression, instance: count one threshold's runners */
    if (i == 0 || (!strcmp(t[i].metric, t[0].metric) && !strcmp(t[i].expression, t[0].expression)))
      distinct++;
  json_t *row;
  json_array_foreach(thresholds, i, row) {
    if (distinct < 2) /* one runner: its verdicts are the run's */
      break;
    const char *m = json_string_value(json_object_get(row, "metric"));
    const char *e = json_string_value(json_object_get(row, "expression"));
    json_t *by = NULL;
    for (size_t k = 0; k < nt; k++) {
      if (!m || !e || strcmp(t[k].metric, m) || strcmp(t[k].expression, e))
        continue;
      if (!by)
        by = json_object();
      json_object_set_new(by, t[k].instance, t[k].ok < 0 ? json_null() : json_boolean(t[k].ok));
    }
    if (by)
      json_object_set_new(row, "instances", by);
  }
  store_instance_thresholds_free(t, nt);
  return 0;
}

int instances_json(struct store *st, const struct run_info *run, json_t *thresholds, json_t **instances,
                   json_t **merge, struct err *err) {
  *instances = *merge = NULL;
  struct store_instance *v;
  size_t n;
  if (store_instances_of(st, run->id, &v, &n, err) < 0)
    return -1;
  if (annotate_thresholds(st, run->id, thresholds, err) < 0) {
    store_instances_free(v, n);
    return -1;
  }
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, instance_json(&v[i]));
  json_t *w = warnings(v, n);
  int approximate = !run->has_samples && n > 1;
  if (approximate)
    json_array_append_new(w, json_sprintf("The run is merged from %zu runners' summaries without their samples: its "
                                          "percentiles are approximate (percentiles cannot be merged from summaries; "
                                          "ingest the runners' NDJSON for exact ones).",
                                          n));
  *merge = json_pack("{s:I,s:s,s:o}", "runners", (json_int_t)n, "percentiles", approximate ? "approximate" : "exact",
                     "warnings", w);
  *instances = arr;
  store_instances_free(v, n);
  return 0;
}

int instances_approximate(struct store *st, const struct run_info *run, size_t *runners, struct err *err) {
  *runners = 0;
  if (run->has_samples)
    return 0;
  struct store_instance *v;
  size_t n;
  if (store_instances_of(st, run->id, &v, &n, err) < 0)
    return -1;
  store_instances_free(v, n);
  *runners = n > 1 ? n : 0;
  return 0;
}
