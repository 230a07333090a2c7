/* capacity.c - capacity from a ramp run (see capacity.h, METHODS.md §5). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "analysis/sysroles.h"
#include "stats/binomial.h"
#include "stats/fit.h"
#include "stats/usl.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define USL_MIN_POINTS 6
#define USL_BOOT 300
#define USL_SEED 20261126u

/* ------------------------------------------------------------- JSON helpers */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static json_t *jnum(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

static double round_to(double v, double unit) {
  return isfinite(v) ? round(v / unit) * unit : v;
}

/* Clopper–Pearson one-sided upper bound of k failures in n at conf. */
static double cp_upper(long k, long n, double conf) {
  if (n <= 0)
    return 1;
  if (k == 0)
    return fit_zero_failure_upper((double)n, conf);
  if (k >= n)
    return 1;
  double lo = (double)k / (double)n, hi = 1;
  for (int i = 0; i < 100; i++) {
    double mid = (lo + hi) / 2;
    /* P(X <= k | mid) = 1 − P(X >= k+1) */
    double cdf = 1 - binom_upper_tail((uint64_t)k + 1, (uint64_t)n, mid);
    if (cdf > 1 - conf)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

static json_t *run_json(const struct run_info *run) {
  return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)run->id, "name", run->name, "scenario",
                   run->scenario ? run->scenario : "");
}

static json_t *cap_levels_json(struct store *st, const struct cap_data *d, const struct sys_roles *roles) {
  json_t *a = json_array();
  static const char *const phase_names[CAP_NPHASES] = {"blocked",   "connecting", "tls",
                                                       "sending",   "waiting",    "receiving"};
  for (size_t i = 0; i < d->nlv; i++) {
    const struct cap_level *L = &d->lv[i];
    json_t *o = json_object();
    json_object_set_new(o, "time_s", json_real(L->t0));
    json_object_set_new(o, "duration_s", json_real(L->t1 - L->t0));
    json_object_set_new(o, "vus", jnum(round_to(L->vus, 0.1)));
    json_object_set_new(o, "vus_max", jnum(L->vus_max));
    json_object_set_new(o, "rps", jnum(round_to(L->rps, 0.01)));
    json_object_set_new(o, "ok_rps", jnum(round_to(L->ok_rps, 0.01)));
    json_object_set_new(o, "p95_ms", jnum(round_to(L->p95_ms, 0.001)));
    json_object_set_new(o, "mean_ms", jnum(round_to(L->mean_ms, 0.001)));
    json_object_set_new(o, "p99_ms", jnum(round_to(L->p99_ms, 0.001)));
    json_object_set_new(o, "error_rate", jnum(round_to(L->err_rate, 1e-6)));
    json_object_set_new(o, "requests", json_integer(L->requests));
    json_object_set_new(o, "failures", json_integer(L->failures));
    json_object_set_new(o, "inflight", jnum(round_to(L->inflight, 0.01)));
    json_object_set_new(o, "iterations_per_s", jnum(round_to(L->iter_rate, 0.01)));
    json_object_set_new(o, "iteration_mean_ms", jnum(round_to(L->iter_mean_ms, 0.01)));
    json_object_set_new(o, "littles_law_error", jnum(round_to(L->little, 1e-4)));
    json_t *ph = json_object();
    for (int p = 0; p < CAP_NPHASES; p++)
      json_object_set_new(ph, phase_names[p], jnum(round_to(L->phase[p], 0.001)));
    json_object_set_new(o, "phase_mean_ms", ph);
    if (roles && roles->any) {
      json_t *sys = json_object();
      for (int r = 0; r < SR_N; r++) {
        if (!roles->r[r].id)
          continue;
        double v = sys_role_mean(st, d->run, roles, (enum sys_role)r, L->t0, L->t1);
        json_object_set_new(sys, sys_role_name((enum sys_role)r), jnum(round_to(v, 0.001)));
      }
      json_object_set_new(o, "system", sys);
    }
    json_object_set_new(o, "pass", json_boolean(L->pass));
    json_object_set_new(o, "ramp_down", json_boolean(L->rampdown));
    json_array_append_new(a, o);
  }
  return a;
}

/* Max over rolling `win`-second means of the per-second request counts in
 * [0, tend); *used_win gets the window actually used (shorter when the
 * range is shorter). */
static double rolling_max_rps(const struct cap_data *d, size_t tend, size_t win, size_t *used_win,
                              double *at_t) {
  if (tend > d->nsec)
    tend = d->nsec;
  if (tend == 0) {
    *used_win = 0;
    return NAN;
  }
  if (win > tend)
    win = tend;
  *used_win = win;
  long s = 0;
  for (size_t k = 0; k < win; k++)
    s += d->sec_req[k];
  long best = s;
  size_t bt = 0;
  for (size_t k = win; k < tend; k++) {
    s += d->sec_req[k] - d->sec_req[k - win];
    if (s > best) {
      best = s;
      bt = k + 1 - win;
    }
  }
  *at_t = (double)bt;
  return (double)best / (double)win;
}

/* 95 % bootstrap interval of a level's p95 (i.i.d. resampling of its
 * successful requests, B = 400, fixed seed). */
static void p95_interval(const struct cap_level *L, double ci[2]) {
  ci[0] = ci[1] = NAN;
  size_t n = L->n_ok_dur;
  if (n < 20)
    return;
  enum { B = 400 };
  double *r = xmalloc(n * sizeof *r), est[B];
  struct fit_rng rng;
  fit_rng_seed(&rng, 0x5eed + n);
  for (int b = 0; b < B; b++) {
    for (size_t i = 0; i < n; i++)
      r[i] = L->ok_dur[fit_rng_index(&rng, n)];
    qsort(r, n, sizeof *r, cmp_double);
    est[b] = fit_quantile_sorted(r, n, 0.95);
  }
  free(r);
  qsort(est, B, sizeof est[0], cmp_double);
  ci[0] = fit_quantile_sorted(est, B, 0.025);
  ci[1] = fit_quantile_sorted(est, B, 0.975);
}

/* ------------------------------------------------------------- build */

int capacity_build(struct store *st, const struct run_info *run, const struct capacity_opts *o,
                   json_t **out, struct err *err) {
  struct cap_data d;
  if (cap_data_load(st, run, o, &d, err) < 0)
    return -1;
  struct sys_roles roles;
  if (sys_roles_find(st, run, &roles, err) < 0) {
    cap_data_release(&d);
    return -1;
  }
  struct cap_slo s;
  cap_slo_analyse(&d, &s);
  json_t *doc = json_object();
  json_t *caveats = json_array();
  json_object_set_new(doc, "run", run_json(run));
  json_object_set_new(doc, "slo", json_pack("{s:f, s:f}", "p95_ms", o->slo_p95_ms, "error_rate", o->slo_error_rate));
  json_object_set_new(doc, "window_s", json_real((double)lround(o->window_s < 1 ? 1 : o->window_s)));
  json_object_set_new(doc, "levels", cap_levels_json(st, &d, &roles));
  if (d.dropped_windows)
    json_array_append_new(caveats, json_string("the last seconds of the run held too few requests for a "
                                               "level and were left out"));
  {
    double vmin = INFINITY, vmax = 0;
    for (size_t i = 0; i < d.nload; i++)
      if (isfinite(d.lv[i].vus)) {
        vmin = fmin(vmin, d.lv[i].vus);
        vmax = fmax(vmax, d.lv[i].vus);
      }
    if (d.nload < 3 || !(vmax >= 2 * vmin))
      json_array_append_new(caveats, json_string("the load barely varied: this is not a ramp (stress) run, so "
                                                 "the figures are lower bounds, not a capacity"));
  }

  /* bracket */
  json_t *bracket = json_object();
  double low = s.last_pass >= 0 ? d.lv[s.last_pass].vus : NAN;
  double high = s.first_fail >= 0 ? d.lv[s.first_fail].vus : NAN;
  json_object_set_new(bracket, "low", jnum(round_to(low, 0.1)));
  json_object_set_new(bracket, "high", jnum(round_to(high, 0.1)));
  if (s.last_pass >= 0) {
    json_object_set_new(bracket, "low_time_s", json_real(d.lv[s.last_pass].t0));
    json_object_set_new(bracket, "low_vus_max", jnum(d.lv[s.last_pass].vus_max));
    json_object_set_new(bracket, "low_p95_ms", jnum(round_to(d.lv[s.last_pass].p95_ms, 0.001)));
    json_object_set_new(bracket, "low_error_rate", jnum(round_to(d.lv[s.last_pass].err_rate, 1e-6)));
    double ci[2];
    p95_interval(&d.lv[s.last_pass], ci);
    json_object_set_new(bracket, "low_p95_ci_ms", json_pack("[o,o]", jnum(round_to(ci[0], 0.001)), jnum(round_to(ci[1], 0.001))));
    if (ci[0] < o->slo_p95_ms && ci[1] >= o->slo_p95_ms)
      json_array_append_new(caveats, json_string("the p95 interval of the last passing level reaches the SLO: "
                                                 "that level passes only narrowly"));
  }
  if (s.first_fail >= 0) {
    const struct cap_level *F = &d.lv[s.first_fail];
    json_object_set_new(bracket, "high_time_s", json_real(F->t0));
    json_object_set_new(bracket, "high_vus_max", jnum(F->vus_max));
    json_object_set_new(bracket, "high_p95_ms", jnum(round_to(F->p95_ms, 0.001)));
    json_object_set_new(bracket, "high_error_rate", jnum(round_to(F->err_rate, 1e-6)));
    double hci[2];
    p95_interval(F, hci);
    json_object_set_new(bracket, "high_p95_ci_ms", json_pack("[o,o]", jnum(round_to(hci[0], 0.001)), jnum(round_to(hci[1], 0.001))));
    if (!F->pass_p95 && F->pass_err && hci[0] < o->slo_p95_ms)
      json_array_append_new(caveats, json_string("the p95 interval of the first failing level reaches below the "
                                                 "SLO: the breach there is narrow"));
    /* interpolate the failing criterion to the SLO value between the edges */
    if (s.last_pass >= 0) {
      const struct cap_level *P = &d.lv[s.last_pass];
      double f = NAN;
      if (!F->pass_p95 && isfinite(F->p95_ms) && isfinite(P->p95_ms) && F->p95_ms > P->p95_ms)
        f = (o->slo_p95_ms - P->p95_ms) / (F->p95_ms - P->p95_ms);
      if (!F->pass_err && F->err_rate > P->err_rate) {
        double fe = (o->slo_error_rate - P->err_rate) / (F->err_rate - P->err_rate);
        if (!isfinite(f) || fe < f)
          f = fe;
      }
      if (isfinite(f) && f >= 0 && f <= 1)
        json_object_set_new(bracket, "estimate", jnum(round_to(P->vus + f * (F->vus - P->vus), 1)));
    }
  }
  json_object_set_new(doc, "max_users_within_slo", bracket);
  /* isolated failing windows before the sustained failure */
  long limit_i = s.first_fail >= 0 ? s.first_fail : (long)d.nload;
  for (long i = 0; i < limit_i; i++)
    if (!d.lv[i].pass) {
      char msg[256];
      snprintf(msg, sizeof msg,
               "an isolated window at %.0f VUs (t=%.0f s) missed the SLO (p95 %.1f ms, errors %.2f%%) but "
               "the next one recovered; not counted as a breach",
               d.lv[i].vus, d.lv[i].t0, d.lv[i].p95_ms, 100 * d.lv[i].err_rate);
      json_array_append_new(caveats, json_string(msg));
    }
  if (s.first_fail == 0)
    json_array_append_new(caveats, json_string("the SLO failed from the first load level: no load within SLO was observed"));

  /* sustained rps within SLO */
  size_t tend = s.first_fail >= 0 ? (size_t)d.lv[s.first_fail].t0 : (size_t)d.lv[d.nload ? d.nload - 1 : 0].t1;
  size_t used = 0;
  double at_t = NAN;
  double xslo = rolling_max_rps(&d, tend, 60, &used, &at_t);
  json_object_set_new(doc, "max_rps_within_slo", jnum(round_to(xslo, 0.01)));
  json_t *xdet = json_object();
  json_object_set_new(xdet, "rolling_window_s", json_integer((json_int_t)used));
  json_object_set_new(xdet, "from_time_s", jnum(at_t));
  json_object_set_new(xdet, "until_time_s", json_real((double)tend));
  if (s.last_pass >= 0)
    json_object_set_new(xdet, "rps_at_last_passing_level", jnum(round_to(d.lv[s.last_pass].rps, 0.01)));
  double xpk = 0, gpk = 0;
  for (size_t i = 0; i < d.nload; i++) {
    xpk = fmax(xpk, d.lv[i].rps);
    gpk = fmax(gpk, d.lv[i].ok_rps);
  }
  json_object_set_new(xdet, "peak_window_rps", json_real(round_to(xpk, 0.01)));
  json_object_set_new(xdet, "peak_window_ok_rps", json_real(round_to(gpk, 0.01)));
  json_object_set_new(doc, "throughput", xdet);
  if (used > 0 && used < 60)
    json_array_append_new(caveats, json_string("less than 60 s of load within SLO: the sustained rate is "
                                               "a mean over a shorter span"));

  /* breaking point */
  if (s.breaking >= 0) {
    const struct cap_level *B = &d.lv[s.breaking];
    json_object_set_new(doc, "breaking_point",
                        json_pack("{s:o, s:f, s:s, s:o, s:o, s:o}", "vus", jnum(round_to(B->vus, 0.1)), "time_s",
                                  B->t0, "reason", s.reason, "rps", jnum(round_to(B->rps, 0.01)), "p95_ms",
                                  jnum(round_to(B->p95_ms, 0.001)), "error_rate", jnum(round_to(B->err_rate, 1e-6))));
  } else {
    json_object_set_new(doc, "breaking_point", json_null());
  }
  json_t *crit = json_object();
  json_object_set_new(crit, "p95_over_slo_vus", s.fail_p95 >= 0 ? jnum(round_to(d.lv[s.fail_p95].vus, 0.1)) : json_null());
  json_object_set_new(crit, "error_onset_vus", s.fail_err >= 0 ? jnum(round_to(d.lv[s.fail_err].vus, 0.1)) : json_null());
  json_object_set_new(crit, "retrograde_peak_vus",
                      s.retro_peak >= 0 ? jnum(round_to(d.lv[s.retro_peak].vus, 0.1)) : json_null());

  /* throughput knee: hinge fit of goodput on VUs */
  {
    size_t n = d.nload;
    double *x = xmalloc((n ? n : 1) * sizeof *x), *y = xmalloc((n ? n : 1) * sizeof *y);
    size_t m = 0;
    /* fast failures inflate throughput: levels over the error SLO stay out */
    for (size_t i = 0; i < n; i++)
      if (isfinite(d.lv[i].vus) && d.lv[i].err_rate < o->slo_error_rate) {
        x[m] = d.lv[i].vus;
        y[m] = d.lv[i].ok_rps;
        m++;
      }
    struct fit_hinge h;
    if (fit_hinge_regression(x, y, m, 3, &h) == 0 && h.b1 > 0) {
      int confirmed = (h.b1 + h.b2) < 0.2 * h.b1;
      json_object_set_new(crit, "throughput_knee",
                          json_pack("{s:o, s:o, s:o, s:b}", "vus", jnum(round_to(h.c, 0.1)), "slope_before",
                                    jnum(round_to(h.b1, 1e-4)), "slope_after", jnum(round_to(h.b1 + h.b2, 1e-4)),
                                    "confirmed", confirmed));
    } else {
      json_object_set_new(crit, "throughput_knee", json_null());
    }
    free(x);
    free(y);
  }
  json_object_set_new(doc, "criteria", crit);

  /* errors at 80 % of the sustained SLO throughput */
  {
    double lim = 0.8 * xslo;
    long req = 0, fails = 0;
    double vmax = NAN;
    size_t lim_i = s.first_fail >= 0 ? (size_t)s.first_fail : d.nload;
    for (size_t i = 0; i < lim_i; i++)
      if (isfinite(lim) && d.lv[i].rps <= lim) {
        req += d.lv[i].requests;
        fails += d.lv[i].failures;
        if (!isfinite(vmax) || d.lv[i].vus > vmax)
          vmax = d.lv[i].vus;
      }
    json_t *e80 = json_object();
    json_object_set_new(e80, "rps_limit", jnum(round_to(lim, 0.01)));
    json_object_set_new(e80, "vus_limit", jnum(round_to(vmax, 0.1)));
    json_object_set_new(e80, "requests", json_integer(req));
    json_object_set_new(e80, "errors", json_integer(fails));
    json_object_set_new(e80, "upper_bound", req > 0 ? jnum(cp_upper(fails, req, 0.95)) : json_null());
    json_object_set_new(e80, "zero_errors", req > 0 ? json_boolean(fails == 0) : json_null());
    json_object_set_new(doc, "errors_at_80pct", e80);
  }

  /* USL on levels without fast failures */
  {
    double *N = xmalloc((d.nload ? d.nload : 1) * sizeof *N), *X = xmalloc((d.nload ? d.nload : 1) * sizeof *X);
    size_t m = 0;
    for (size_t i = 0; i < d.nload; i++)
      if (isfinite(d.lv[i].vus) && d.lv[i].vus >= 1 && d.lv[i].err_rate < o->slo_error_rate) {
        N[m] = d.lv[i].vus;
        X[m] = d.lv[i].ok_rps;
        m++;
      }
    struct usl_fit f;
    json_t *u = json_object();
    double xfit = 0, nfit = 0;
    for (size_t i = 0; i < m; i++)
      if (X[i] > xfit) {
        xfit = X[i];
        nfit = N[i];
      }
    if (m >= USL_MIN_POINTS && usl_fit(N, X, m, USL_BOOT, USL_SEED, &f) == 0) {
      json_object_set_new(u, "sigma", jnum(f.sigma));
      json_object_set_new(u, "kappa", jnum(f.kappa));
      json_object_set_new(u, "lambda", jnum(f.lambda));
      json_object_set_new(u, "sigma_ci", json_pack("[o,o]", jnum(f.sigma_ci[0]), jnum(f.sigma_ci[1])));
      json_object_set_new(u, "kappa_ci", json_pack("[o,o]", jnum(f.kappa_ci[0]), jnum(f.kappa_ci[1])));
      json_object_set_new(u, "lambda_ci", json_pack("[o,o]", jnum(f.lambda_ci[0]), jnum(f.lambda_ci[1])));
      json_object_set_new(u, "r2", jnum(f.r2));
      json_object_set_new(u, "points", json_integer((json_int_t)m));
      json_object_set_new(u, "max_tested_vus", jnum(round_to(f.max_n, 0.1)));
      json_object_set_new(u, "peak_users", jnum(round_to(f.peak_n, 0.1)));
      json_object_set_new(u, "peak_rps", jnum(round_to(f.peak_x, 0.01)));
      json_object_set_new(u, "peak_users_ci",
                          json_pack("[o,o]", jnum(round_to(f.peak_n_ci[0], 0.1)), jnum(round_to(f.peak_n_ci[1], 0.1))));
      json_object_set_new(u, "identified", json_boolean(f.identified));
      char msg[320];
      if (f.identified)
        snprintf(msg, sizeof msg, "the fit identifies a throughput peak of %.0f req/s at %.0f VUs", f.peak_x, f.peak_n);
      else
        snprintf(msg, sizeof msg,
                 "the peak lies beyond what the data identify (%s); the fitted levels reached %.0f req/s at "
                 "%.0f VUs, and the model is not extrapolated beyond that",
                 f.why, xfit, nfit);
      json_object_set_new(u, "statement", json_string(msg));
    } else {
      json_object_set_new(u, "identified", json_false());
      json_object_set_new(u, "points", json_integer((json_int_t)m));
      char msg[200];
      if (m >= USL_MIN_POINTS)
        snprintf(msg, sizeof msg, "not fitted: the %zu load levels without fast failures have fewer than 3 "
                 "distinct VU counts", m);
      else
        snprintf(msg, sizeof msg, "not fitted: %zu load levels without fast failures, at least %d are needed", m,
                 USL_MIN_POINTS);
      json_object_set_new(u, "statement", json_string(msg));
    }
    json_object_set_new(doc, "usl", u);
    free(N);
    free(X);
  }

  /* Little's law */
  {
    size_t lim_i = s.first_fail >= 0 ? (size_t)s.first_fail : d.nload;
    double *e = xmalloc((lim_i ? lim_i : 1) * sizeof *e);
    size_t m = 0;
    for (size_t i = 0; i < lim_i; i++)
      if (isfinite(d.lv[i].little))
        e[m++] = fabs(d.lv[i].little);
    double med = fit_median(e, m);
    double worst = NAN;
    for (size_t i = 0; i < m; i++)
      if (!isfinite(worst) || e[i] > worst)
        worst = e[i];
    int ok = m > 0 && med <= 0.10;
    json_object_set_new(doc, "littles_law",
                        json_pack("{s:o, s:o, s:o, s:s}", "median_rel_error", jnum(round_to(med, 1e-4)),
                                  "max_rel_error", jnum(round_to(worst, 1e-4)), "consistent",
                                  m ? json_boolean(ok) : json_null(), "check",
                                  "VUs = iterations/s x mean iteration duration, per level before the breach"));
    if (m && !ok)
      json_array_append_new(caveats,
                            json_string("Little's law does not hold within 10% (VUs vs iteration rate x duration): "
                                        "the load generator may have been saturated or VUs idle; treat the "
                                        "capacity numbers with caution"));
    free(e);
  }

  /* bottleneck */
  json_t *bn = NULL;
  if (bottleneck_analyse(st, &d, &s, &bn, err) < 0) {
    json_decref(doc);
    json_decref(caveats);
    sys_roles_release(&roles);
    cap_data_release(&d);
    return -1;
  }
  json_t *verdict = json_object_get(bn, "verdict");
  json_t *bsum = json_object();
  json_object_set(bsum, "endpoint", json_object_get(bn, "first_to_degrade"));
  json_object_set(bsum, "resource", json_object_get(verdict, "resource"));
  json_object_set(bsum, "detail", json_object_get(verdict, "detail"));
  json_object_set(bsum, "evidence", json_object_get(verdict, "evidence"));
  json_object_set_new(bsum, "full", bn);
  json_object_set_new(doc, "bottleneck", bsum);

  /* target */
  json_object_set_new(doc, "target_users", json_integer(o->target_users));
  json_t *met;
  const char *why;
  double tu = (double)o->target_users;
  if (isfinite(low) && low >= tu) {
    met = json_true();
    why = "the SLO held at a level at or above the target";
  } else if (isfinite(high) && high <= tu) {
    met = json_false();
    why = "the SLO broke at or below the target";
  } else if (!isfinite(high)) {
    met = json_false();
    why = isfinite(low) ? "the run never reached the target load, so it cannot show it"
                        : "no level met the SLO";
  } else {
    met = json_null();
    why = "the target lies between the last passing and the first failing level";
  }
  json_object_set_new(doc, "target_met", met);
  json_object_set_new(doc, "target_reason", json_string(why));

  /* scaling hint: instances for the target at 80 % of per-instance capacity */
  if (isfinite(low) && low > 0 && !(isfinite(low) && low >= tu))
    json_object_set_new(doc, "instances_for_target",
                        json_integer((json_int_t)ceil(tu / (0.8 * low))));

  json_array_append_new(caveats, json_string("closed-model (VU) ramp: latency near saturation is optimistic "
                                             "(coordinated omission); confirm the figure with a constant-arrival-rate "
                                             "run at the claimed req/s"));
  json_array_extend(caveats, json_object_get(bn, "caveats"));
  json_object_set_new(doc, "caveats", caveats);
  *out = doc;
  sys_roles_release(&roles);
  cap_data_release(&d);
  return 0;
}
