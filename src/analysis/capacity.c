/* capacity.c - capacity from a ramp run (see capacity.h, METHODS.md §5). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "analysis/slo.h"
#include "analysis/sysroles.h"
#include "stats/binomial.h"
#include "stats/fit.h"
#include "stats/usl.h"
#include "store/samples.h"
#include "store/store.h"
#include "store/store_errors.h"
#include "util/cmp.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define USL_MIN_POINTS 6
#define USL_BOOT 300
#define USL_SEED 20261126u

/* ------------------------------------------------------------- JSON helpers */

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
    json_object_set_new(o, "vus", jx_real_or_null(round_to(L->vus, 0.1)));
    json_object_set_new(o, "vus_max", jx_real_or_null(L->vus_max));
    json_object_set_new(o, "ok_rps", jx_real_or_null(round_to(L->ok_rps, 0.01)));
    json_object_set_new(o, "rps", jx_real_or_null(round_to(L->rps, 0.01)));
    json_object_set_new(o, "failed_rps", jx_real_or_null(round_to(L->failed_rps, 0.01)));
    json_object_set_new(o, "p95_ms", jx_real_or_null(round_to(L->p95_ms, 0.001)));
    json_object_set_new(o, "mean_ms", jx_real_or_null(round_to(L->mean_ms, 0.001)));
    json_object_set_new(o, "p99_ms", jx_real_or_null(round_to(L->p99_ms, 0.001)));
    json_object_set_new(o, "error_rate", jx_real_or_null(round_to(L->err_rate, 1e-6)));
    json_object_set_new(o, "load_error_rate", jx_real_or_null(round_to(L->load_err_rate, 1e-6)));
    json_object_set_new(o, "requests", json_integer(L->requests));
    json_object_set_new(o, "failures", json_integer(L->failures));
    json_object_set_new(o, "load_failures", json_integer(L->load_failures));
    json_object_set_new(o, "inflight", jx_real_or_null(round_to(L->inflight, 0.01)));
    json_object_set_new(o, "iterations_per_s", jx_real_or_null(round_to(L->iter_rate, 0.01)));
    json_object_set_new(o, "iteration_mean_ms", jx_real_or_null(round_to(L->iter_mean_ms, 0.01)));
    json_object_set_new(o, "littles_law_error", jx_real_or_null(round_to(L->little, 1e-4)));
    json_t *ph = json_object();
    for (int p = 0; p < CAP_NPHASES; p++)
      json_object_set_new(ph, phase_names[p], jx_real_or_null(round_to(L->phase[p], 0.001)));
    json_object_set_new(o, "phase_mean_ms", ph);
    if (roles && roles->any) {
      json_t *sys = json_object();
      for (int r = 0; r < SR_N; r++) {
        if (!roles->r[r].id)
          continue;
        double v = sys_role_mean(st, d->run, roles, (enum sys_role)r, L->t0, L->t1);
        json_object_set_new(sys, sys_role_name((enum sys_role)r), jx_real_or_null(round_to(v, 0.001)));
      }
      json_object_set_new(o, "system", sys);
    }
    json_object_set_new(o, "pass_p95", json_boolean(L->pass_p95));
    json_object_set_new(o, "pass_errors", json_boolean(L->pass_err));
    json_object_set_new(o, "pass", json_boolean(L->pass));
    json_object_set_new(o, "ramp_down", json_boolean(L->rampdown));
    json_array_append_new(a, o);
  }
  return a;
}

/* Max over rolling `win`-second means of the per-second successful request
 * counts in [0, tend); *used_win gets the window actually used. */
static double rolling_max_ok_rps(const struct cap_data *d, size_t tend, size_t win, size_t *used_win,
                                 double *at_t) {
  if (tend > d->nsec)
    tend = d->nsec;
  *used_win = 0;
  if (tend == 0)
    return NAN;
  if (win > tend)
    win = tend;
  *used_win = win;
  long s = 0;
  for (size_t k = 0; k < win; k++)
    s += d->sec_req[k] - d->sec_fail[k];
  long best = s;
  size_t bt = 0;
  for (size_t k = win; k < tend; k++) {
    s += (d->sec_req[k] - d->sec_fail[k]) - (d->sec_req[k - win] - d->sec_fail[k - win]);
    if (s > best) {
      best = s;
      bt = k + 1 - win;
    }
  }
  *at_t = (double)bt;
  return (double)best / (double)win;
}

/* The value at rank r (0-based) of the resample that holds ok_dur[i]
 * cnt[i] times: ok_dur is sorted, so the resample's order is the index order. */
static double rank_value(const double *v, const uint32_t *cnt, size_t n, size_t r) {
  size_t cum = 0;
  for (size_t i = 0; i < n; i++) {
    cum += cnt[i];
    if (r < cum)
      return v[i];
  }
  return v[n - 1];
}

/* 95 % bootstrap interval of a level's p95 (i.i.d. resampling of its
 * successful requests, B = 400, fixed seed). Each replicate is counted, not
 * sorted: the same multiset, so the same R-7 value, in O(n). */
static void p95_interval(const struct cap_level *L, double ci[2]) {
  ci[0] = ci[1] = NAN;
  size_t n = L->n_ok_dur;
  if (n < 20)
    return;
  enum { B = 400 };
  uint32_t *cnt = xmalloc(n * sizeof *cnt);
  double est[B];
  struct fit_rng rng;
  fit_rng_seed(&rng, 0x5eed + n);
  double h = 0.95 * (double)(n - 1);
  size_t fl = (size_t)floor(h), ce = (size_t)ceil(h);
  for (int b = 0; b < B; b++) {
    memset(cnt, 0, n * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
      cnt[fit_rng_index(&rng, n)]++;
    double lo = rank_value(L->ok_dur, cnt, n, fl), hi = ce == fl ? lo : rank_value(L->ok_dur, cnt, n, ce);
    est[b] = lo + (hi - lo) * (h - floor(h));
  }
  free(cnt);
  qsort(est, B, sizeof est[0], cmp_double);
  ci[0] = fit_quantile_sorted(est, B, 0.025);
  ci[1] = fit_quantile_sorted(est, B, 0.975);
}

/* ------------------------------------------------------------- sections */

/* Everything one build needs. */
struct cap_ctx {
  struct store *st;
  const struct cap_data *d;
  const struct cap_slo *s;
  json_t *doc, *caveats;
  double max_ok_rps;     /* successful req/s of the best passing level (NAN: none) */
  long target_users;
  double zero_errors_at; /* fraction of capacity for the errors check */
};

static json_t *level_ref(const struct cap_data *d, long i) {
  if (i < 0)
    return json_null();
  const struct cap_level *L = &d->lv[i];
  return json_pack("{s:o, s:f, s:I, s:o}", "vus", jx_real_or_null(round_to(L->vus, 0.1)), "time_s", L->t0, "level",
                   (json_int_t)i, "ok_rps", jx_real_or_null(round_to(L->ok_rps, 0.01)));
}

static void section_slo(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  json_t *o = json_pack("{s:f, s:f, s:f, s:f}", "p95_ms", d->opts.slo_p95_ms, "error_rate", d->opts.slo_error_rate,
                        "p95_slo_ms", d->opts.slo_p95_ms, "error_slo", d->opts.slo_error_rate);
  json_object_set_new(o, "slo_source", json_pack("{s:s, s:s}", "p95", d->slo_p95_src, "errors", d->slo_err_src));
  json_object_set_new(o, "slo_from", json_pack("{s:s, s:s}", "p95", d->slo_p95_from, "errors", d->slo_err_from));
  json_object_set_new(c->doc, "slo", o);
}

static void section_load_caveats(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  if (d->dropped_windows)
    json_array_append_new(c->caveats, json_string("the last seconds of the run held too few requests for a "
                                                  "level and were left out"));
  double vmin = INFINITY, vmax = 0;
  for (size_t i = 0; i < d->nload; i++)
    if (isfinite(d->lv[i].vus)) {
      vmin = fmin(vmin, d->lv[i].vus);
      vmax = fmax(vmax, d->lv[i].vus);
    }
  if (d->nload < 3 || !(vmax >= 2 * vmin))
    json_array_append_new(c->caveats, json_string("the load barely varied: this is not a ramp (stress) run, so "
                                                  "the figures are lower bounds, not a capacity"));
}

/* Interpolated VUs where the failing criterion crosses its objective
 * between the last passing level P and the first failing level F. */
static double bracket_estimate(const struct cap_data *d, const struct cap_level *P, const struct cap_level *F) {
  double f = NAN;
  if (!F->pass_p95 && isfinite(F->p95_ms) && isfinite(P->p95_ms) && F->p95_ms > P->p95_ms)
    f = (d->opts.slo_p95_ms - P->p95_ms) / (F->p95_ms - P->p95_ms);
  if (!F->pass_err && F->load_err_rate > P->load_err_rate) {
    double fe = (d->opts.slo_error_rate - P->load_err_rate) / (F->load_err_rate - P->load_err_rate);
    if (!isfinite(f) || fe < f)
      f = fe;
  }
  return isfinite(f) && f >= 0 && f <= 1 ? P->vus + f * (F->vus - P->vus) : NAN;
}

static void bracket_edge(json_t *b, const char *edge, const struct cap_level *L, double ci[2]) {
  char k[32];
  snprintf(k, sizeof k, "%s_time_s", edge);
  json_object_set_new(b, k, json_real(L->t0));
  snprintf(k, sizeof k, "%s_vus_max", edge);
  json_object_set_new(b, k, jx_real_or_null(L->vus_max));
  snprintf(k, sizeof k, "%s_p95_ms", edge);
  json_object_set_new(b, k, jx_real_or_null(round_to(L->p95_ms, 0.001)));
  snprintf(k, sizeof k, "%s_error_rate", edge);
  json_object_set_new(b, k, jx_real_or_null(round_to(L->load_err_rate, 1e-6)));
  snprintf(k, sizeof k, "%s_ok_rps", edge);
  json_object_set_new(b, k, jx_real_or_null(round_to(L->ok_rps, 0.01)));
  p95_interval(L, ci);
  snprintf(k, sizeof k, "%s_p95_ci_ms", edge);
  json_object_set_new(b, k, json_pack("[o,o]", jx_real_or_null(round_to(ci[0], 0.001)), jx_real_or_null(round_to(ci[1], 0.001))));
}

static void section_bracket(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  const struct cap_slo *s = c->s;
  json_t *b = json_object();
  double low = s->last_pass >= 0 ? d->lv[s->last_pass].vus : NAN;
  double high = s->first_fail >= 0 ? d->lv[s->first_fail].vus : NAN;
  json_object_set_new(b, "low", jx_real_or_null(round_to(low, 0.1)));
  json_object_set_new(b, "high", jx_real_or_null(round_to(high, 0.1)));
  double ci[2];
  if (s->last_pass >= 0) {
    bracket_edge(b, "low", &d->lv[s->last_pass], ci);
    if (ci[0] < d->opts.slo_p95_ms && ci[1] >= d->opts.slo_p95_ms)
      json_array_append_new(c->caveats, json_string("the p95 interval of the last passing level reaches the SLO: "
                                                    "that level passes only narrowly"));
  }
  if (s->first_fail >= 0) {
    const struct cap_level *F = &d->lv[s->first_fail];
    bracket_edge(b, "high", F, ci);
    if (!F->pass_p95 && F->pass_err && ci[0] < d->opts.slo_p95_ms)
      json_array_append_new(c->caveats, json_string("the p95 interval of the first failing level reaches below the "
                                                    "SLO: the breach there is narrow"));
    if (s->last_pass >= 0) {
      double est = bracket_estimate(d, &d->lv[s->last_pass], F);
      if (isfinite(est))
        json_object_set_new(b, "estimate", jx_real_or_null(round_to(est, 1)));
    }
  }
  json_object_set_new(c->doc, "max_users_within_slo", b);
  if (s->first_fail == 0)
    json_array_append_new(c->caveats,
                          json_string("the SLO failed from the first load level: no load within SLO was observed"));
}

static void section_throughput(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  const struct cap_slo *s = c->s;
  c->max_ok_rps = s->best_pass >= 0 ? d->lv[s->best_pass].ok_rps : NAN;
  json_object_set_new(c->doc, "max_ok_rps_within_slo", jx_real_or_null(round_to(c->max_ok_rps, 0.01)));
  json_object_set_new(c->doc, "max_ok_rps_level", level_ref(d, s->best_pass));
  /* the old key, now the same successful figure */
  json_object_set_new(c->doc, "max_rps_within_slo", jx_real_or_null(round_to(c->max_ok_rps, 0.01)));
  json_t *x = json_object();
  if (s->best_pass >= 0) {
    const struct cap_level *B = &d->lv[s->best_pass];
    json_object_set_new(x, "rps_at_max_ok_level", jx_real_or_null(round_to(B->rps, 0.01)));
    json_object_set_new(x, "failed_rps_at_max_ok_level", jx_real_or_null(round_to(B->failed_rps, 0.01)));
  }
  if (s->last_pass >= 0) {
    const struct cap_level *P = &d->lv[s->last_pass];
    json_object_set_new(x, "ok_rps_at_last_passing_level", jx_real_or_null(round_to(P->ok_rps, 0.01)));
    json_object_set_new(x, "rps_at_last_passing_level", jx_real_or_null(round_to(P->rps, 0.01)));
    json_object_set_new(x, "failed_rps_at_last_passing_level", jx_real_or_null(round_to(P->failed_rps, 0.01)));
  }
  size_t tend = s->first_fail >= 0 ? (size_t)d->lv[s->first_fail].t0 : (size_t)d->lv[d->nload ? d->nload - 1 : 0].t1;
  size_t used = 0;
  double at_t = NAN;
  double sus = rolling_max_ok_rps(d, tend, 60, &used, &at_t);
  json_object_set_new(x, "sustained_ok_rps", jx_real_or_null(round_to(sus, 0.01)));
  json_object_set_new(x, "rolling_window_s", json_integer((json_int_t)used));
  json_object_set_new(x, "from_time_s", jx_real_or_null(at_t));
  json_object_set_new(x, "until_time_s", json_real((double)tend));
  double xpk = 0, gpk = 0, fpk = 0;
  for (size_t i = 0; i < d->nload; i++) {
    xpk = fmax(xpk, d->lv[i].rps);
    gpk = fmax(gpk, d->lv[i].ok_rps);
    fpk = fmax(fpk, d->lv[i].failed_rps);
  }
  json_object_set_new(x, "peak_window_ok_rps", json_real(round_to(gpk, 0.01)));
  json_object_set_new(x, "peak_window_rps", json_real(round_to(xpk, 0.01)));
  json_object_set_new(x, "peak_window_failed_rps", json_real(round_to(fpk, 0.01)));
  json_object_set_new(c->doc, "throughput", x);
}

static void section_signals(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  const struct cap_slo *s = c->s;
  json_t *sig = json_object();
  json_object_set_new(sig, "p95_over_slo", level_ref(d, s->fail_p95));
  json_object_set_new(sig, "errors_over_slo", level_ref(d, s->fail_err));
  json_object_set_new(sig, "knee", level_ref(d, s->knee));
  json_object_set_new(sig, "retrograde", level_ref(d, s->retro));
  json_object_set_new(c->doc, "signals", sig);
  json_object_set_new(c->doc, "last_passing_level", level_ref(d, s->last_pass));
  if (s->breaking >= 0) {
    const struct cap_level *B = &d->lv[s->breaking];
    json_t *bp = level_ref(d, s->breaking);
    json_object_set_new(bp, "reason", json_string(s->reason));
    json_object_set_new(bp, "rps", jx_real_or_null(round_to(B->rps, 0.01)));
    json_object_set_new(bp, "failed_rps", jx_real_or_null(round_to(B->failed_rps, 0.01)));
    json_object_set_new(bp, "p95_ms", jx_real_or_null(round_to(B->p95_ms, 0.001)));
    json_object_set_new(bp, "error_rate", jx_real_or_null(round_to(B->load_err_rate, 1e-6)));
    json_object_set_new(c->doc, "breaking_point", bp);
  } else {
    json_object_set_new(c->doc, "breaking_point", json_null());
  }
  /* the older names of the same signals */
  json_t *crit = json_object();
  json_object_set_new(crit, "p95_over_slo_vus", s->fail_p95 >= 0 ? jx_real_or_null(round_to(d->lv[s->fail_p95].vus, 0.1)) : json_null());
  json_object_set_new(crit, "error_onset_vus", s->fail_err >= 0 ? jx_real_or_null(round_to(d->lv[s->fail_err].vus, 0.1)) : json_null());
  json_object_set_new(crit, "retrograde_peak_vus", s->retro >= 0 ? jx_real_or_null(round_to(d->lv[s->retro].vus, 0.1)) : json_null());
  json_object_set_new(crit, "retrograde_from_peak_vus",
                      s->retro_peak >= 0 ? jx_real_or_null(round_to(d->lv[s->retro_peak].vus, 0.1)) : json_null());
  if (s->knee >= 0) {
    const struct cap_level *K = &d->lv[s->knee];
    json_object_set_new(crit, "throughput_knee",
                        json_pack("{s:o, s:f, s:o, s:o, s:b}", "vus", jx_real_or_null(round_to(K->vus, 0.1)), "time_s", K->t0,
                                  "ok_rps_per_vu", jx_real_or_null(round_to(K->ok_rps / K->vus, 1e-4)),
                                  "low_load_ok_rps_per_vu", jx_real_or_null(round_to(s->base_ok_rps_per_vu, 1e-4)),
                                  "confirmed", 1));
  } else {
    json_object_set_new(crit, "throughput_knee", json_null());
  }
  json_object_set_new(c->doc, "criteria", crit);
}

static void section_errors_80(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  const struct cap_slo *s = c->s;
  double lim = c->zero_errors_at * c->max_ok_rps;
  long req = 0, fails = 0;
  double vmax = NAN;
  size_t lim_i = s->first_fail >= 0 ? (size_t)s->first_fail : d->nload;
  for (size_t i = 0; i < lim_i; i++)
    if (isfinite(lim) && d->lv[i].ok_rps <= lim) {
      req += d->lv[i].requests;
      fails += d->lv[i].failures;
      if (!isfinite(vmax) || d->lv[i].vus > vmax)
        vmax = d->lv[i].vus;
    }
  json_t *e = json_object();
  json_object_set_new(e, "fraction", json_real(c->zero_errors_at));
  json_object_set_new(e, "rps_limit", jx_real_or_null(round_to(lim, 0.01)));
  json_object_set_new(e, "vus_limit", jx_real_or_null(round_to(vmax, 0.1)));
  json_object_set_new(e, "requests", json_integer(req));
  json_object_set_new(e, "errors", json_integer(fails));
  json_object_set_new(e, "upper_bound", req > 0 ? jx_real_or_null(cp_upper(fails, req, 0.95)) : json_null());
  json_object_set_new(e, "zero_errors", req > 0 ? json_boolean(fails == 0) : json_null());
  json_object_set_new(c->doc, "errors_at_80pct", e);
}

/* The fitted curve at 25 points over the fitted VU range only. */
static json_t *usl_curve(const struct usl_fit *f, double nmin, double nmax) {
  json_t *a = json_array();
  for (int i = 0; i <= 24; i++) {
    double n = nmin + (nmax - nmin) * i / 24.0;
    json_array_append_new(a, json_pack("{s:o, s:o}", "vus", jx_real_or_null(round_to(n, 0.1)), "ok_rps",
                                       jx_real_or_null(round_to(usl_predict(f, n), 0.01))));
  }
  return a;
}

static void usl_fitted(json_t *u, const struct usl_fit *f, double nmin, double xfit, double nfit) {
  json_object_set_new(u, "sigma", jx_real_or_null(f->sigma));
  json_object_set_new(u, "kappa", jx_real_or_null(f->kappa));
  json_object_set_new(u, "lambda", jx_real_or_null(f->lambda));
  json_object_set_new(u, "sigma_ci", json_pack("[o,o]", jx_real_or_null(f->sigma_ci[0]), jx_real_or_null(f->sigma_ci[1])));
  json_object_set_new(u, "kappa_ci", json_pack("[o,o]", jx_real_or_null(f->kappa_ci[0]), jx_real_or_null(f->kappa_ci[1])));
  json_object_set_new(u, "lambda_ci", json_pack("[o,o]", jx_real_or_null(f->lambda_ci[0]), jx_real_or_null(f->lambda_ci[1])));
  json_object_set_new(u, "r2", jx_real_or_null(f->r2));
  json_object_set_new(u, "min_tested_vus", jx_real_or_null(round_to(nmin, 0.1)));
  json_object_set_new(u, "max_tested_vus", jx_real_or_null(round_to(f->max_n, 0.1)));
  /* a peak is told only when the data identify it inside the tested range */
  int in_range = f->identified && isfinite(f->peak_n) && f->peak_n <= f->max_n;
  json_object_set_new(u, "peak_users", in_range ? jx_real_or_null(round_to(f->peak_n, 0.1)) : json_null());
  json_object_set_new(u, "peak_rps", in_range ? jx_real_or_null(round_to(f->peak_x, 0.01)) : json_null());
  json_object_set_new(u, "peak_users_ci", in_range ? json_pack("[o,o]", jx_real_or_null(round_to(f->peak_n_ci[0], 0.1)),
                                                               jx_real_or_null(round_to(f->peak_n_ci[1], 0.1)))
                                                   : json_null());
  json_object_set_new(u, "identified", json_boolean(in_range));
  json_object_set_new(u, "curve", usl_curve(f, nmin, f->max_n));
  char msg[400];
  if (in_range)
    snprintf(msg, sizeof msg, "the fit of successful req/s identifies a peak of %.0f req/s at %.0f VUs", f->peak_x,
             f->peak_n);
  else
    snprintf(msg, sizeof msg,
             "no throughput peak within the tested range (%s); successful throughput reached %.0f req/s at %.0f "
             "VUs, and the model is not extrapolated beyond %.0f VUs",
             f->identified ? "the modelled peak lies beyond the largest tested load" : f->why, xfit, nfit,
             f->max_n);
  json_object_set_new(u, "statement", json_string(msg));
}

static void section_usl(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  size_t lim = c->s->knee >= 0 ? (size_t)c->s->knee + 1 : d->nload;
  double *N = xmalloc((lim ? lim : 1) * sizeof *N), *X = xmalloc((lim ? lim : 1) * sizeof *X);
  size_t m = 0;
  double nmin = INFINITY, xfit = 0, nfit = 0;
  for (size_t i = 0; i < lim; i++)
    if (isfinite(d->lv[i].vus) && d->lv[i].vus >= 1 && d->lv[i].pass_err) {
      N[m] = d->lv[i].vus;
      X[m] = d->lv[i].ok_rps;
      nmin = fmin(nmin, N[m]);
      if (X[m] > xfit) {
        xfit = X[m];
        nfit = N[m];
      }
      m++;
    }
  json_t *u = json_object();
  json_object_set_new(u, "throughput", json_string("ok_rps"));
  json_object_set_new(u, "points", json_integer((json_int_t)m));
  json_object_set_new(u, "fitted_up_to", json_string(c->s->knee >= 0 ? "knee" : "last load level"));
  struct usl_fit f;
  if (m >= USL_MIN_POINTS && usl_fit(N, X, m, USL_BOOT, USL_SEED, &f) == 0) {
    usl_fitted(u, &f, nmin, xfit, nfit);
  } else {
    json_object_set_new(u, "identified", json_false());
    char msg[200];
    if (m >= USL_MIN_POINTS)
      snprintf(msg, sizeof msg, "not fitted: the %zu load levels up to the knee have fewer than 3 distinct VU counts",
               m);
    else
      snprintf(msg, sizeof msg,
               "not fitted: %zu load levels up to the knee with errors within the SLO, at least %d are needed", m,
               USL_MIN_POINTS);
    json_object_set_new(u, "statement", json_string(msg));
  }
  json_object_set_new(c->doc, "usl", u);
  free(N);
  free(X);
}

static void section_little(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  size_t lim_i = c->s->first_fail >= 0 ? (size_t)c->s->first_fail : d->nload;
  double *e = xmalloc((lim_i ? lim_i : 1) * sizeof *e);
  size_t m = 0;
  for (size_t i = 0; i < lim_i; i++)
    if (isfinite(d->lv[i].little))
      e[m++] = fabs(d->lv[i].little);
  double med = fit_median(e, m), worst = NAN;
  for (size_t i = 0; i < m; i++)
    if (!isfinite(worst) || e[i] > worst)
      worst = e[i];
  int ok = m > 0 && med <= 0.10;
  json_object_set_new(c->doc, "littles_law",
                      json_pack("{s:o, s:o, s:o, s:s}", "median_rel_error", jx_real_or_null(round_to(med, 1e-4)),
                                "max_rel_error", jx_real_or_null(round_to(worst, 1e-4)), "consistent",
                                m ? json_boolean(ok) : json_null(), "check",
                                "VUs = iterations/s x mean iteration duration, per level before the breach"));
  if (m && !ok)
    json_array_append_new(c->caveats,
                          json_string("Little's law does not hold within 10% (VUs vs iteration rate x duration): "
                                      "the load generator may have been saturated or VUs idle; treat the "
                                      "capacity numbers with caution"));
  free(e);
}

/* Errors by class (4xx, 5xx, timeouts, connection, other) and the
 * functional failures, from the run's error table. */
static int section_errors(struct cap_ctx *c, struct err *err) {
  const struct cap_data *d = c->d;
  struct store_error_row *er;
  size_t ner;
  if (store_errors_of_run(c->st, d->run->id, &er, &ner, err) < 0)
    return -1;
  static const char *const classes[] = {"http_4xx", "http_5xx", "timeout", "connection", "other"};
  long by[5] = {0}, total_req = 0;
  for (size_t i = 0; i < d->nlv; i++)
    total_req += d->lv[i].requests;
  json_t *rows = json_array(), *fun = json_array();
  for (size_t i = 0; i < ner; i++) {
    int64_t eid = er[i].endpoint_id;
    const char *status = er[i].status, *code = er[i].error_code, *msg = er[i].error;
    long n = (long)er[i].count;
    const char *cls = cap_error_class(status, code, msg);
    for (int k = 0; k < 5; k++)
      if (!strcmp(cls, classes[k]))
        by[k] += n;
    const struct cap_endpoint *ep = NULL;
    for (size_t e = 0; e < d->nep; e++)
      if (d->ep[e].id == eid)
        ep = &d->ep[e];
    const char *name = ep ? ep->name : "";
    int functional = ep && ep->functional;
    double share = total_req ? (double)n / (double)total_req : NAN;
    json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:b}", "endpoint", name, "status", status,
                                          "error_code", code, "class", cls, "count", (json_int_t)n, "share",
                                          jx_real_or_null(round_to(share, 1e-6)), "functional", functional));
    if (functional)
      json_array_append_new(fun, json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "status", status, "endpoint", name,
                                           "class", cls, "count", (json_int_t)n, "share",
                                           jx_real_or_null(round_to(share, 1e-6)), "first_seen_s",
                                           jx_real_or_null(round_to(ep->first_fail_s, 0.001))));
  }
  store_error_rows_free(er, ner);
  json_t *cls = json_object();
  for (int k = 0; k < 5; k++)
    json_object_set_new(cls, classes[k], json_integer(by[k]));
  json_object_set_new(c->doc, "errors", json_pack("{s:o, s:o}", "by_class", cls, "rows", rows));
  if (json_array_size(fun))
    json_array_append_new(c->caveats,
                          json_string("some failures are functional (present from the first load level or HTTP 4xx, "
                                      "not growing with load): they are listed under functional errors and not "
                                      "judged as capacity"));
  json_object_set_new(c->doc, "functional_errors", fun);
  return 0;
}

static int section_bottleneck(struct cap_ctx *c, struct err *err) {
  json_t *bn = NULL;
  if (bottleneck_analyse(c->st, c->d, c->s, &bn, err) < 0)
    return -1;
  json_t *verdict = json_object_get(bn, "verdict");
  json_t *bsum = json_object();
  json_object_set(bsum, "endpoint", json_object_get(bn, "first_to_degrade"));
  json_object_set(bsum, "resource", json_object_get(verdict, "resource"));
  json_object_set(bsum, "detail", json_object_get(verdict, "detail"));
  json_object_set(bsum, "evidence", json_object_get(verdict, "evidence"));
  json_object_set(c->doc, "bottlenecks", json_object_get(bn, "bottlenecks"));
  json_array_extend(c->caveats, json_object_get(bn, "caveats"));
  json_object_set_new(bsum, "full", bn);
  json_object_set_new(c->doc, "bottleneck", bsum);
  return 0;
}

static void section_target(struct cap_ctx *c) {
  const struct cap_data *d = c->d;
  const struct cap_slo *s = c->s;
  double low = s->last_pass >= 0 ? d->lv[s->last_pass].vus : NAN;
  double high = s->first_fail >= 0 ? d->lv[s->first_fail].vus : NAN;
  json_object_set_new(c->doc, "target_users", json_integer(c->target_users));
  json_t *met;
  const char *why;
  double tu = (double)c->target_users;
  if (isfinite(low) && low >= tu) {
    met = json_true();
    why = "the SLO held at a level at or above the target";
  } else if (isfinite(high) && high <= tu) {
    met = json_false();
    why = "the SLO broke at or below the target";
  } else if (!isfinite(high)) {
    met = json_false();
    why = isfinite(low) ? "the run never reached the target load, so it cannot show it" : "no level met the SLO";
  } else {
    met = json_null();
    why = "the target lies between the last passing and the first failing level";
  }
  json_object_set_new(c->doc, "target_met", met);
  json_object_set_new(c->doc, "target_reason", json_string(why));
  if (isfinite(low) && low > 0 && low < tu)
    json_object_set_new(c->doc, "instances_for_target", json_integer((json_int_t)ceil(tu / (0.8 * low))));
}

/* ------------------------------------------------------------- build */

static void ctx_targets(struct cap_ctx *c, const struct capacity_opts *o) {
  c->target_users = o->target_users;
  c->zero_errors_at = 0.8;
  if (o->slos) {
    struct slo_capacity sc;
    slo_capacity_of(o->slos, &sc);
    if (sc.target_users > 0 && !o->target_from_cli)
      c->target_users = sc.target_users;
    if (isfinite(sc.zero_errors_at))
      c->zero_errors_at = sc.zero_errors_at;
  }
}

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
  struct cap_ctx c = {st, &d, &s, json_object(), json_array(), NAN, 0, 0.8};
  ctx_targets(&c, o);
  json_object_set_new(c.doc, "run", run_json(run));
  section_slo(&c);
  json_object_set_new(c.doc, "window_s", json_real((double)lround(o->window_s < 1 ? 1 : o->window_s)));
  json_object_set_new(c.doc, "levels", cap_levels_json(st, &d, &roles));
  section_load_caveats(&c);
  section_bracket(&c);
  section_throughput(&c);
  section_signals(&c);
  int rc = 0;
  if (!o->brief) { /* what compare does not read */
    section_errors_80(&c);
    section_usl(&c);
    section_little(&c);
    rc = section_errors(&c, err);
    if (rc == 0)
      rc = section_bottleneck(&c, err);
  }
  if (rc == 0)
    section_target(&c);
  sys_roles_release(&roles);
  cap_data_release(&d);
  if (rc < 0) {
    json_decref(c.doc);
    json_decref(c.caveats);
    return -1;
  }
  json_array_append_new(c.caveats, json_string("closed-model (VU) ramp: latency near saturation is optimistic "
                                               "(coordinated omission); confirm the figure with a "
                                               "constant-arrival-rate run at the claimed req/s"));
  json_object_set_new(c.doc, "caveats", c.caveats);
  *out = c.doc;
  return 0;
}
