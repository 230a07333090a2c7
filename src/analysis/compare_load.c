#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare_load.h"
#include "util/xalloc.h"
#include "util/jsonx.h"

/* The rules of "comparable load" (docs/methods.md states them as written here). */
#define LOAD_REL_TOL 0.10     /* duration and max VUs: at most 10 % apart */
#define LOAD_CURVE_TOL 0.10   /* VU profile: mean distance of the normalised curves at most 10 % of peak */
#define LOAD_THINK_TOL 0.25   /* think time per iteration: at most 25 % apart ... */
#define LOAD_THINK_MIN_MS 100 /* ... when both runs think at least this long */
#define LOAD_MIX_TOL 0.05     /* request mix: each endpoint's share within 5 points */
#define LEVEL_MATCH_TOL 0.10  /* matched levels: mean VUs within 10 % */

void load_profile_release(struct load_profile *p) {
  free(p->mix_share);
  free(p->mix_label);
  p->mix_share = NULL;
  p->mix_label = NULL;
  p->n_mix = 0;
}

json_t *load_profile_json(const struct load_profile *p) {
  json_t *j = json_object();
  json_object_set_new(j, "duration_s", jx_real_or_null(p->duration_s));
  json_object_set_new(j, "max_vus", jx_real_or_null(p->max_vus));
  json_t *c = json_array();
  for (int i = 0; i < LOAD_CURVE_N; i++)
    json_array_append_new(c, jx_real_or_null(p->curve[i]));
  json_object_set_new(j, "vus_profile", c);
  json_object_set_new(j, "iteration_ms", jx_real_or_null(p->iter_ms));
  json_object_set_new(j, "think_ms", jx_real_or_null(p->think_ms));
  json_object_set_new(j, "shape", json_string(p->ramp ? "ramp" : "constant"));
  json_object_set_new(j, "executor", p->executor ? json_string(p->executor) : json_null());
  json_t *m = json_object();
  for (size_t i = 0; i < p->n_mix; i++)
    json_object_set_new(m, p->mix_label[i], jx_real_or_null(p->mix_share[i]));
  json_object_set_new(j, "mix", m);
  return j;
}

static int rel_differs(double a, double b, double tol) {
  if (!isfinite(a) || !isfinite(b))
    return 0;
  double m = fmax(fabs(a), fabs(b));
  return m > 0 && fabs(a - b) / m > tol;
}

static void reason(json_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(json_t *r, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  json_array_append_new(r, json_string(buf));
}

static double share_of(const struct load_profile *p, const char *label) {
  for (size_t i = 0; i < p->n_mix; i++)
    if (!strcmp(p->mix_label[i], label))
      return p->mix_share[i];
  return 0;
}

static void mix_reasons(const struct load_profile *b, const struct load_profile *c, json_t *r) {
  if (b->n_mix == 0 || c->n_mix == 0)
    return; /* a run known from its summary alone: its mix is unknown, not empty */
  for (int side = 0; side < 2; side++) {
    const struct load_profile *x = side ? c : b, *y = side ? b : c;
    for (size_t i = 0; i < x->n_mix; i++) {
      double sx = x->mix_share[i], sy = share_of(y, x->mix_label[i]);
      if (side && share_of(b, x->mix_label[i]) > 0)
        continue; /* already judged from the baseline side */
      if (fabs(sx - sy) > LOAD_MIX_TOL)
        reason(r, "request mix: '%s' is %.1f%% of the baseline's requests and %.1f%% of the candidate's",
               x->mix_label[i], (side ? sy : sx) * 100, (side ? sx : sy) * 100);
    }
  }
}

/* VU profiles: each run's mean VUs per twentieth of its duration, as a share
 * of its own peak; the mean distance of the two curves (the graceful stop at
 * the end of a constant run moves one twentieth, not the whole curve). */
static void curve_reason(const struct load_profile *b, const struct load_profile *c, json_t *r) {
  if (!(b->max_vus > 0) || !(c->max_vus > 0))
    return;
  double worst = 0, total = 0;
  int at = -1, n = 0;
  for (int i = 0; i < LOAD_CURVE_N; i++) {
    if (!isfinite(b->curve[i]) || !isfinite(c->curve[i]))
      continue;
    double d = fabs(b->curve[i] / b->max_vus - c->curve[i] / c->max_vus);
    total += d;
    n++;
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  if (n && total / n > LOAD_CURVE_TOL)
    reason(r, "VU profile: the curves differ by %.0f %% of peak on average; e.g. at %d-%d %% of the run the "
              "baseline ran %.0f VUs (%.0f %% of its peak), the candidate %.0f (%.0f %%)", 100 * total / n,
           at * 100 / LOAD_CURVE_N, (at + 1) * 100 / LOAD_CURVE_N, b->curve[at], 100 * b->curve[at] / b->max_vus,
           c->curve[at], 100 * c->curve[at] / c->max_vus);
}

json_t *load_compare(const struct load_profile *b, const struct load_profile *c, int *comparable) {
  json_t *r = json_array();
  if (b->executor && c->executor && strcmp(b->executor, c->executor))
    reason(r, "executor: %s and %s", b->executor, c->executor);
  if (b->ramp != c->ramp)
    reason(r, "shape: the baseline %s, the candidate %s", b->ramp ? "ramps" : "holds its VUs",
           c->ramp ? "ramps" : "holds its VUs");
  if (rel_differs(b->duration_s, c->duration_s, LOAD_REL_TOL))
    reason(r, "duration: %.1f s and %.1f s", b->duration_s, c->duration_s);
  if (rel_differs(b->max_vus, c->max_vus, LOAD_REL_TOL))
    reason(r, "max VUs: %.0f and %.0f", b->max_vus, c->max_vus);
  curve_reason(b, c, r);
  if (b->think_ms >= LOAD_THINK_MIN_MS && c->think_ms >= LOAD_THINK_MIN_MS &&
      rel_differs(b->think_ms, c->think_ms, LOAD_THINK_TOL))
    reason(r, "think time per iteration: %.0f ms and %.0f ms", b->think_ms, c->think_ms);
  mix_reasons(b, c, r);
  *comparable = json_array_size(r) == 0;
  json_t *j = json_object();
  json_object_set_new(j, "comparable", json_boolean(*comparable));
  /* A run known from its summary alone has no VU profile and no mix: its
   * load cannot be checked (its findings cannot be tested either). */
  json_object_set_new(j, "known", json_boolean(isfinite(b->max_vus) && isfinite(c->max_vus)));
  json_object_set_new(j, "reasons", r);
  json_object_set_new(j, "baseline", load_profile_json(b));
  json_object_set_new(j, "candidate", load_profile_json(c));
  return j;
}

static json_t *level_side(json_t *lv) {
  json_t *j = json_object();
  static const char *const keys[] = {"time_s", "vus", "p95_ms", "ok_rps", "rps", "error_rate"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    json_object_set_new(j, keys[i], jx_real_or_null(jx_num(lv, keys[i])));
  json_object_set(j, "pass", json_object_get(lv, "pass"));
  return j;
}

static int usable_level(json_t *lv) {
  return !json_is_true(json_object_get(lv, "ramp_down")) && jx_num(lv, "vus") > 0;
}

json_t *load_matched_levels(json_t *cap_base, json_t *cap_cand) {
  json_t *out = json_array();
  json_t *lb = json_object_get(cap_base, "levels"), *lc = json_object_get(cap_cand, "levels");
  for (size_t i = 0; i < json_array_size(lc); i++) {
    json_t *c = json_array_get(lc, i);
    if (!usable_level(c))
      continue;
    double vc = jx_num(c, "vus"), best = INFINITY;
    json_t *match = NULL;
    for (size_t k = 0; k < json_array_size(lb); k++) {
      json_t *b = json_array_get(lb, k);
      if (!usable_level(b))
        continue;
      double d = fabs(jx_num(b, "vus") - vc);
      if (d <= LEVEL_MATCH_TOL * vc && d < best) {
        best = d;
        match = b;
      }
    }
    if (!match)
      continue;
    json_t *m = json_object();
    json_object_set_new(m, "vus", json_real((vc + jx_num(match, "vus")) / 2));
    json_object_set_new(m, "baseline", level_side(match));
    json_object_set_new(m, "candidate", level_side(c));
    double pb = jx_num(match, "p95_ms"), pc = jx_num(c, "p95_ms");
    double rb = jx_num(match, "ok_rps"), rc = jx_num(c, "ok_rps");
    json_object_set_new(m, "p95_change_pct", jx_real_or_null(pb > 0 ? (pc / pb - 1) * 100 : NAN));
    json_object_set_new(m, "ok_rps_change_pct", jx_real_or_null(rb > 0 ? (rc / rb - 1) * 100 : NAN));
    json_object_set_new(m, "error_rate_change_pts",
                        jx_real_or_null((jx_num(c, "error_rate") - jx_num(match, "error_rate")) * 100));
    json_array_append_new(out, m);
  }
  return out;
}

/* max_ok_rps_within_slo, or the older total figure when that is all there is. */
static double ok_rps_within(json_t *cap) {
  double v = jx_num(cap, "max_ok_rps_within_slo");
  return isfinite(v) ? v : NAN;
}

static json_t *cap_side(json_t *cap) {
  json_t *j = json_object();
  json_t *run = json_object_get(cap, "run");
  json_object_set(j, "run", run ? run : json_null());
  json_t *u = json_object_get(cap, "max_users_within_slo");
  double est = jx_num(u, "estimate"), low = jx_num(u, "low"), high = jx_num(u, "high");
  /* The SLO held to the end of the ramp: capacity is at least the last level. */
  int at_least = !isfinite(est) && isfinite(low) && !isfinite(high);
  json_object_set_new(j, "max_users_within_slo", jx_real_or_null(at_least ? low : est));
  json_object_set_new(j, "users_at_least", json_boolean(at_least));
  json_object_set_new(j, "users_low", jx_real_or_null(low));
  json_object_set_new(j, "users_high", jx_real_or_null(jx_num(u, "high")));
  json_object_set_new(j, "max_ok_rps_within_slo", jx_real_or_null(ok_rps_within(cap)));
  json_object_set(j, "breaking_point", json_object_get(cap, "breaking_point") ? json_object_get(cap, "breaking_point")
                                                                              : json_null());
  return j;
}

json_t *load_capacity_pair(json_t *cap_base, json_t *cap_cand) {
  json_t *j = json_object();
  json_t *b = cap_side(cap_base), *c = cap_side(cap_cand);
  double ub = jx_num(b, "max_users_within_slo"), uc = jx_num(c, "max_users_within_slo");
  double rb = jx_num(b, "max_ok_rps_within_slo"), rc = jx_num(c, "max_ok_rps_within_slo");
  json_object_set_new(j, "baseline", b);
  json_object_set_new(j, "candidate", c);
  json_object_set_new(j, "users_ratio", jx_real_or_null(ub > 0 ? uc / ub : NAN));
  /* A side whose SLO held to its last level gives a bound, not a figure. */
  json_object_set_new(j, "users_ratio_bound",
                      json_string(json_is_true(json_object_get(c, "users_at_least"))
                                      ? (json_is_true(json_object_get(b, "users_at_least")) ? "unknown" : "at_least")
                                      : json_is_true(json_object_get(b, "users_at_least")) ? "at_most"
                                                                                           : "none"));
  json_object_set_new(j, "ok_rps_ratio", jx_real_or_null(rb > 0 ? rc / rb : NAN));
  return j;
}
