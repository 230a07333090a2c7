/* compare_slo.c - the candidate's absolute objectives (slo_breach), judged
 * apart from the comparison with the baseline. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/capacity.h"
#include "analysis/compare.h"
#include "analysis/show.h"
#include "analysis/slo.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"

static json_t *objective(const char *endpoint, const char *metric, double target, double value, uint64_t requests,
                         const char *verdict, const char *source, const char *from, const char *reason) {
  json_t *j = json_object();
  json_object_set_new(j, "endpoint", json_string(endpoint));
  json_object_set_new(j, "metric", json_string(metric));
  json_object_set_new(j, "objective", jx_real_or_null(target));
  json_object_set_new(j, "candidate", jx_real_or_null(value));
  json_object_set_new(j, "requests", json_integer((json_int_t)requests));
  json_object_set_new(j, "verdict", json_string(verdict));
  json_object_set_new(j, "slo_source", json_string(source));
  json_object_set_new(j, "slo_from", json_string(from));
  json_object_set_new(j, "reason", json_string(reason));
  return j;
}

/* p95 and error-rate objectives of one row (an endpoint of show, or ALL). */
static int row_objectives(struct store *st, const struct run_info *cand, const struct slo_set *set, const char *label,
                          double p95, double err_rate, uint64_t requests, int ramp, json_t *out, struct err *err) {
  struct slo o;
  if (slo_resolve(set, st, cand->id, cand->scenario, strcmp(label, "ALL") ? label : NULL, &o, err) < 0)
    return -1;
  char reason[256];
  const char *na = "a ramp (stress) run is judged by its capacity, not by whole-run figures";
  if (isfinite(o.p95_ms)) {
    const char *v = ramp ? "not_applicable" : !isfinite(p95) ? "not_applicable"
                    : slo_p95_met(p95, o.p95_ms)             ? "met"
                                                             : "slo_breach";
    if (ramp)
      snprintf(reason, sizeof reason, "%s", na);
    else if (!isfinite(p95))
      snprintf(reason, sizeof reason, "no request, no p95");
    else
      snprintf(reason, sizeof reason, "p95 %.1f ms %s the objective p95 < %.0f ms (%s)", p95,
               !strcmp(v, "met") ? "meets" : "misses", o.p95_ms, o.p95_from);
    json_array_append_new(out, objective(label, "p95", o.p95_ms, p95, requests, v, slo_source_name(o.p95_src),
                                         o.p95_from, reason));
  }
  if (isfinite(o.error_rate)) {
    const char *v = ramp ? "not_applicable" : requests == 0 ? "not_applicable"
                    : slo_errors_met(err_rate, o.error_rate) ? "met"
                                                             : "slo_breach";
    if (ramp)
      snprintf(reason, sizeof reason, "%s", na);
    else if (requests == 0)
      snprintf(reason, sizeof reason, "no request");
    else
      snprintf(reason, sizeof reason, "error rate %.3f%% %s the objective %s %.4g%% (%s)", err_rate * 100,
               !strcmp(v, "met") ? "meets" : "misses", o.error_rate > 0 ? "<" : "=", o.error_rate * 100,
               o.err_from);
    json_array_append_new(out, objective(label, "error_rate", o.error_rate, err_rate, requests, v,
                                         slo_source_name(o.err_src), o.err_from, reason));
  }
  return 0;
}

/* The capacity target, judged by capacity's own rule (target_met): shown
 * (met), refuted or not shown (both a miss for the gate, with capacity's
 * reason). */
static void capacity_objective(const struct slo_set *set, json_t *cap, json_t *out) {
  struct slo_capacity sc;
  slo_capacity_of(set, &sc);
  if (sc.target_users <= 0 || !cap)
    return;
  json_t *u = json_object_get(cap, "max_users_within_slo");
  double users = jx_num(u, "estimate");
  if (!isfinite(users))
    users = jx_num(u, "low");
  json_t *tm = json_object_get(cap, "target_met");
  int met = json_is_true(tm);
  const char *why = json_string_value(json_object_get(cap, "target_reason"));
  char hi[32] = "none", reason[512];
  if (isfinite(jx_num(u, "high")))
    snprintf(hi, sizeof hi, "%.0f", jx_num(u, "high"));
  snprintf(reason, sizeof reason, "target %ld users %s: last passing level %.0f, first failing %s; %s",
           sc.target_users, met ? "shown" : json_is_false(tm) ? "not met" : "not shown", jx_num(u, "low"), hi,
           why ? why : "");
  json_array_append_new(out, objective("ALL", "max_users", (double)sc.target_users, users, 0,
                                       met ? "met" : "slo_breach", "file", "file: capacity.target_users", reason));
}

int compare_objectives(struct store *st, const struct run_info *cand, const struct slo_set *set, int ramp,
                       json_t *cap, json_t *k6_failed, json_t **out, struct err *err) {
  json_t *show = NULL;
  *out = NULL;
  struct slo_set *own = NULL;
  if (!set)
    set = own = slo_set_new(); /* built-in defaults and the run's thresholds */
  if (show_build(st, cand, &show, err) < 0) {
    slo_set_free(own);
    return -1;
  }
  json_t *arr = json_array(), *sum = json_object_get(show, "summary");
  uint64_t total = (uint64_t)json_integer_value(json_object_get(sum, "requests"));
  if (row_objectives(st, cand, set, "ALL", jx_num(sum, "p95"), jx_num(sum, "error_rate"), total, ramp, arr, err) < 0)
    goto fail;
  json_t *eps = json_object_get(show, "endpoints");
  for (size_t i = 0; i < json_array_size(eps); i++) {
    json_t *e = json_array_get(eps, i);
    uint64_t n = (uint64_t)json_integer_value(json_object_get(e, "requests"));
    double p95 = jx_num(json_object_get(e, "http_req_duration"), "p(95)");
    if (!(jx_num(json_object_get(e, "http_req_duration"), "count") > 0))
      p95 = NAN;
    if (row_objectives(st, cand, set, json_string_value(json_object_get(e, "endpoint")), p95,
                       jx_num(e, "error_rate"), n, ramp, arr, err) < 0)
      goto fail;
  }
  if (ramp)
    capacity_objective(set, cap, arr);
  size_t nrows = json_array_size(arr);
  for (size_t i = 0; i < json_array_size(k6_failed); i++) {
    json_t *t = json_array_get(k6_failed, i);
    char reason[512], from[512];
    /* A threshold that already set an objective above is judged there. */
    snprintf(from, sizeof from, "k6: %s %s", json_string_value(json_object_get(t, "metric")),
             json_string_value(json_object_get(t, "expression")));
    int seen = 0;
    for (size_t k = 0; k < nrows; k++)
      seen |= !strcmp(json_string_value(json_object_get(json_array_get(arr, k), "slo_from")), from);
    if (seen)
      continue;
    snprintf(reason, sizeof reason, "k6 judged its threshold '%s' on %s failed%s",
             json_string_value(json_object_get(t, "expression")), json_string_value(json_object_get(t, "metric")),
             ramp ? "; a ramp (stress) run is judged by its capacity" : "");
    json_t *o = objective(json_string_value(json_object_get(t, "metric")), "k6_threshold", NAN, NAN, 0,
                          ramp ? "not_applicable" : "slo_breach", "k6_threshold", "k6: thresholds of the run", reason);
    json_object_set(o, "expression", json_object_get(t, "expression"));
    json_array_append_new(arr, o);
  }
  json_decref(show);
  slo_set_free(own);
  *out = arr;
  return 0;
fail:
  json_decref(show);
  json_decref(arr);
  slo_set_free(own);
  return -1;
}

int compare_capacity_opts(struct store *st, const struct run_info *run, const struct slo_set *set,
                          struct capacity_opts *co, struct err *err) {
  capacity_opts_init(co);
  if (!set)
    return 0;
  struct slo o;
  if (slo_resolve(set, st, run->id, run->scenario, NULL, &o, err) < 0)
    return -1;
  if (isfinite(o.p95_ms))
    co->slo_p95_ms = o.p95_ms;
  if (isfinite(o.error_rate))
    co->slo_error_rate = o.error_rate;
  struct slo_capacity sc;
  slo_capacity_of(set, &sc);
  if (sc.target_users > 0)
    co->target_users = sc.target_users;
  return 0;
}
