/* soak.c - soak analysis (see soak.h, METHODS.md §7). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/levels.h"
#include "analysis/sysroles.h"
#include "analysis/dbevidence.h"
#include "analysis/soak.h"
#include "stats/fit.h"
#include "stats/trend.h"
#include "store/samples.h"
#include "store/store.h"
#include "store/store_errors.h"
#include "util/cmp.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#define ALPHA 0.01
#define MIN_WINDOWS 10
#define K6_TIMEOUT_MS 60000.0

static double rnd(double v, double unit) {
  return isfinite(v) ? round(v / unit) * unit : v;
}

struct soak_win {
  double t0, t1;
  double *v;
  size_t n, cap;
};

/* Cuts (ts, v) into windows of w seconds from `from` to `to`. */
static struct soak_win *windows_of(const double *ts, const double *v, size_t n, double from, double to, double w,
                                   size_t *nw) {
  size_t m = (size_t)ceil((to - from) / w);
  if (m == 0) {
    *nw = 0;
    return NULL;
  }
  struct soak_win *W = xcalloc(m, sizeof *W);
  for (size_t i = 0; i < m; i++) {
    W[i].t0 = from + (double)i * w;
    W[i].t1 = fmin(to, W[i].t0 + w);
  }
  for (size_t i = 0; i < n; i++) {
    if (ts[i] < from || ts[i] >= to)
      continue;
    size_t k = (size_t)((ts[i] - from) / w);
    if (k >= m)
      k = m - 1;
    XGROW(W[k].v, W[k].cap, W[k].n + 1);
    W[k].v[W[k].n++] = v[i];
  }
  *nw = m;
  return W;
}

static void windows_free(struct soak_win *W, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(W[i].v);
  free(W);
}

struct growth {
  int ok;                 /* enough windows */
  size_t n;
  double p, slope, lo, hi;  /* per second */
  double second_half_slope;
  double first, last;     /* fitted value at the start and end of the span */
  int aggregation;
};

/* Trend of per-window statistics (t = window middle). */
static void growth_of(const double *t, const double *x, size_t n, struct growth *g) {
  memset(g, 0, sizeof *g);
  g->p = g->slope = g->lo = g->hi = g->second_half_slope = NAN;
  g->n = n;
  if (n < MIN_WINDOWS)
    return;
  struct trend_result tr;
  if (trend_test(t, x, n, 2 * ALPHA, MIN_WINDOWS / 2, &tr) < 0)
    return;
  g->ok = 1;
  g->p = tr.mk.p_increasing;
  g->slope = tr.sen.slope;
  g->lo = tr.sen.lo;  /* two-sided 1−2α interval: its lower bound is a one-sided α bound */
  g->hi = tr.sen.hi;
  g->aggregation = tr.aggregation;
  g->first = tr.sen.intercept + tr.sen.slope * t[0];
  g->last = tr.sen.intercept + tr.sen.slope * t[n - 1];
  size_t h = n / 2;
  struct mk_result mk;
  struct sen_result sr;
  if (n - h >= 3 && trend_mann_kendall(x + h, n - h, 0, &mk) == 0 &&
      trend_sen_slope(t + h, x + h, n - h, mk.var_s, 0.05, &sr) == 0)
    g->second_half_slope = sr.slope;
}

/* A resource series (memory, threads, fds): floors per window, trend, verdict. */
static json_t *resource_trend(struct store *st, const struct run_info *run, const struct sys_roles *roles,
                              enum sys_role role, double from, double to, double w, double min_growth,
                              double limit, int load_varied, int *leak, json_t *caveats, struct err *err) {
  json_t *o = json_object();
  double *ts = NULL, *v = NULL;
  size_t n = 0;
  if (sys_role_series(st, run, roles, role, &ts, &v, &n, err) < 0) {
    json_decref(o);
    return NULL;
  }
  json_object_set_new(o, "metric", roles->r[role].id ? json_string(roles->r[role].name) : json_null());
  if (n == 0) {
    json_object_set_new(o, "verdict", json_string("inconclusive"));
    json_object_set_new(o, "reason", json_string("no such system metric was ingested for this run"));
    return o;
  }
  size_t nw;
  struct soak_win *W = windows_of(ts, v, n, from, to, w, &nw);
  double *t = xmalloc((nw ? nw : 1) * sizeof *t), *fl = xmalloc((nw ? nw : 1) * sizeof *fl);
  json_t *series = json_array();
  size_t m = 0;
  double restart_drop = 0;
  for (size_t i = 0; i < nw; i++) {
    if (!W[i].n)
      continue;
    qsort(W[i].v, W[i].n, sizeof(double), cmp_double);
    t[m] = (W[i].t0 + W[i].t1) / 2;
    fl[m] = W[i].v[0];
    if (m > 0 && fl[m - 1] > 0 && fl[m] < 0.5 * fl[m - 1])
      restart_drop = fmax(restart_drop, 1 - fl[m] / fl[m - 1]);
    json_array_append_new(series, json_pack("{s:f, s:f, s:f}", "time_s", rnd(t[m], 0.001), "min", fl[m], "median",
                                            fit_quantile_sorted(W[i].v, W[i].n, 0.5)));
    m++;
  }
  json_object_set_new(o, "series", series);
  struct growth g;
  growth_of(t, fl, m, &g);
  const char *verdict = "inconclusive";
  char reason[480];
  snprintf(reason, sizeof reason, "only %zu windows after the warm-up (need %d)", m, MIN_WINDOWS);
  double span = m ? t[m - 1] - t[0] : 0;
  double base = m ? fl[0] : NAN;
  double growth = g.ok ? g.slope * span : NAN;
  double gpct = (g.ok && base > 0) ? growth / base : NAN;
  if (restart_drop > 0) {
    char msg[300];
    snprintf(msg, sizeof msg,
             "%s: a window floor fell by more than half (%.0f%%) from the one before: a restart or OOM kill? "
             "The trend test spans it",
             roles->r[role].name, 100 * restart_drop);
    json_array_append_new(caveats, json_string(msg));
  }
  if (g.ok) {
    int sig = g.p < ALPHA && g.lo > 0;
    int big = gpct >= min_growth && (!isfinite(limit) || growth >= 0);
    int plateau = !(g.second_half_slope >= 0.5 * g.slope);
    if (sig && big && !plateau) {
      verdict = "leak";
      snprintf(reason, sizeof reason,
               "rising steadily: Mann-Kendall p=%.2g < %.2g, Sen slope interval above 0, growth %.1f%% >= %.0f%%, "
               "no plateau",
               g.p, ALPHA, 100 * gpct, 100 * min_growth);
    } else if (sig && big && plateau) {
      verdict = "none";
      snprintf(reason, sizeof reason,
               "rose %.1f%% but levels off (second-half slope %.0f%% of the full slope): a cache or pool filling, "
               "not a leak",
               100 * gpct, 100 * g.second_half_slope / g.slope);
    } else if (sig) {
      verdict = "none";
      snprintf(reason, sizeof reason,
               "a small steady rise (%.1f%%, p=%.2g) below the %.0f%% leak threshold; watch it in a longer soak",
               100 * gpct, g.p, 100 * min_growth);
    } else {
      verdict = "none";
      snprintf(reason, sizeof reason, "no significant upward trend (Mann-Kendall p=%.2g)", g.p);
    }
  }
  if (!strcmp(verdict, "leak") && load_varied) {
    verdict = "inconclusive";
    char r2[480];
    snprintf(r2, sizeof r2, "the load changed during the run, so growth cannot be told from load: %.380s", reason);
    snprintf(reason, sizeof reason, "%s", r2);
  }
  if (!strcmp(verdict, "leak"))
    *leak = 1;
  json_object_set_new(o, "verdict", json_string(verdict));
  json_object_set_new(o, "reason", json_string(reason));
  json_object_set_new(o, "windows", json_integer((json_int_t)m));
  json_object_set_new(o, "floor_start", jx_real_or_null(base));
  json_object_set_new(o, "floor_end", jx_real_or_null(m ? fl[m - 1] : NAN));
  json_object_set_new(o, "slope_per_hour", jx_real_or_null(g.ok ? g.slope * 3600 : NAN));
  json_object_set_new(o, "slope_ci_per_hour", json_pack("[o,o]", jx_real_or_null(g.lo * 3600), jx_real_or_null(g.hi * 3600)));
  json_object_set_new(o, "growth", jx_real_or_null(growth));
  json_object_set_new(o, "growth_pct", jx_real_or_null(rnd(100 * gpct, 0.01)));
  json_object_set_new(o, "p_value", jx_real_or_null(g.p));
  json_object_set_new(o, "second_half_slope_ratio",
                      jx_real_or_null(g.ok && g.slope != 0 ? rnd(g.second_half_slope / g.slope, 0.001) : NAN));
  json_object_set_new(o, "aggregation", json_integer(g.aggregation));
  json_object_set_new(o, "threshold_pct", json_real(100 * min_growth));
  {
    const char *unit = role == SR_PROC_RSS || role == SR_MEM_USED ? "bytes" : role == SR_PROC_THREADS ? "threads"
                                                                              : "fds";
    json_object_set_new(o, "unit", json_string(unit));
    json_object_set_new(o, "slope_unit", json_pack("s+", unit, "/h"));
    /* the fitted line over the window floors, value(t) = intercept + slope_per_s * t
     * (t in seconds since the run start), and the floor that marks a leak */
    if (g.ok && m)
      json_object_set_new(o, "trend", json_pack("{s:o, s:o, s:s, s:s, s:f, s:f}", "slope_per_s", jx_real_or_null(g.slope),
                                                "intercept", jx_real_or_null(g.first - g.slope * t[0]), "unit", unit, "x",
                                                "time_s since the run start", "from_time_s", t[0], "to_time_s",
                                                t[m - 1]));
    json_object_set_new(o, "leak_threshold",
                        json_pack("{s:o, s:s, s:f}", "value", jx_real_or_null(base * (1 + min_growth)), "unit", unit,
                                  "growth_pct", 100 * min_growth));
  }
  if (isfinite(limit) && g.ok && g.slope > 0 && m && !strcmp(verdict, "leak")) {
    double hours = (limit - fl[m - 1]) / g.slope / 3600;
    json_object_set_new(o, "limit", json_real(limit));
    json_object_set_new(o, "time_to_limit_h", jx_real_or_null(rnd(hours, 0.01)));
  }
  free(t);
  free(fl);
  windows_free(W, nw);
  free(ts);
  free(v);
  return o;
}

/* The samples after the warm-up in windows of w seconds: each window's
 * successful durations, its requests and failures; and the whole run's
 * failed requests and k6 timeouts. */
struct soak_bins {
  struct soak_win *W;
  long *werr, *wreq;
  size_t nw;
  long timeouts, failed, total;
};

static void bins_fill(struct soak_bins *b, const struct cap_data *d, double warm, double T, double w, size_t nw) {
  memset(b, 0, sizeof *b);
  b->nw = nw;
  b->W = xcalloc(nw ? nw : 1, sizeof *b->W);
  b->werr = xcalloc(nw ? nw : 1, sizeof *b->werr);
  b->wreq = xcalloc(nw ? nw : 1, sizeof *b->wreq);
  for (size_t e = 0; e < d->nep; e++)
    for (size_t k = 0; k < d->ep[e].n; k++) {
      const struct sample *s = &d->ep[e].s[k];
      if (s->flags & SAMPLE_FAILED) {
        b->failed++;
        if (fabs(s->dur_ms - K6_TIMEOUT_MS) <= 0.01 * K6_TIMEOUT_MS)
          b->timeouts++;
      }
      b->total++;
      if (s->t < warm || s->t >= T)
        continue;
      size_t i = (size_t)((s->t - warm) / w);
      if (i >= nw)
        i = nw - 1;
      b->wreq[i]++;
      if (s->flags & SAMPLE_FAILED)
        b->werr[i]++;
      if (s->flags & SAMPLE_OK) {
        XGROW(b->W[i].v, b->W[i].cap, b->W[i].n + 1);
        b->W[i].v[b->W[i].n++] = s->dur_ms;
      }
    }
}

/* "latency": per-window p95 of successful requests, its trend on the log
 * scale and the drift verdict; *drift_fail 1 when it fails the soak. */
static json_t *latency_section(struct soak_bins *b, double warm, double w, int *drift_fail) {
  size_t nw = b->nw;
  struct soak_win *W = b->W;
  json_t *lat = json_object();
  *drift_fail = 0;
  double *t = xmalloc((nw ? nw : 1) * sizeof *t), *lp = xmalloc((nw ? nw : 1) * sizeof *lp);
  size_t m = 0;
  json_t *wins = json_array();
  for (size_t i = 0; i < nw; i++) {
    if (W[i].n < 20)
      continue;
    qsort(W[i].v, W[i].n, sizeof(double), cmp_double);
    double p95 = fit_quantile_sorted(W[i].v, W[i].n, 0.95);
    if (!(p95 > 0))
      continue;
    t[m] = warm + ((double)i + 0.5) * w;
    lp[m] = log(p95);
    json_array_append_new(wins, json_pack("{s:f, s:f, s:I}", "time_s", t[m], "p95_ms", rnd(p95, 0.001), "requests",
                                          (json_int_t)W[i].n));
    m++;
  }
  struct growth g;
  growth_of(t, lp, m, &g);
  double span = m ? t[m - 1] - t[0] : 0;
  double drift = g.ok ? exp(g.slope * span) : NAN;
  const char *verdict = "inconclusive";
  char reason[256];
  snprintf(reason, sizeof reason, "only %zu windows with enough successful requests (need %d)", m, MIN_WINDOWS);
  if (g.ok) {
    if (drift >= 1.20 && g.p < ALPHA) {
      verdict = "drift";
      *drift_fail = 1;
      snprintf(reason, sizeof reason, "p95 grew x%.2f over the soak (Mann-Kendall p=%.2g)", drift, g.p);
    } else if (drift >= 1.10 && g.p < ALPHA) {
      verdict = "drift";
      snprintf(reason, sizeof reason, "p95 grew x%.2f (a warning: below the x1.20 failure level)", drift);
    } else {
      verdict = "none";
      snprintf(reason, sizeof reason,
               "fitted trend x%.2f over the soak (Mann-Kendall p=%.2g): no drift; first window %.2f ms, last "
               "window %.2f ms (x%.2f)",
               drift, g.p, exp(lp[0]), exp(lp[m - 1]), exp(lp[m - 1] - lp[0]));
    }
  }
  json_object_set_new(lat, "p95_ratio_last_first", m ? jx_real_or_null(rnd(exp(lp[m - 1] - lp[0]), 1e-4)) : json_null());
  if (g.ok && m)
    json_object_set_new(lat, "trend", json_pack("{s:o, s:o, s:s, s:s}", "slope_log_per_s", jx_real_or_null(g.slope),
                                                "intercept_log", jx_real_or_null(g.first - g.slope * t[0]), "unit",
                                                "ms (p95 = exp(intercept_log + slope_log_per_s * t))", "x",
                                                "time_s since the run start"));
  json_object_set_new(lat, "drift", jx_real_or_null(rnd(drift, 1e-4)));
  json_object_set_new(lat, "verdict", json_string(verdict));
  json_object_set_new(lat, "reason", json_string(reason));
  json_object_set_new(lat, "p_value", jx_real_or_null(g.p));
  json_object_set_new(lat, "p95_first_ms", m ? jx_real_or_null(rnd(exp(lp[0]), 0.001)) : json_null());
  json_object_set_new(lat, "p95_last_ms", m ? jx_real_or_null(rnd(exp(lp[m - 1]), 0.001)) : json_null());
  json_object_set_new(lat, "windows", wins);
  free(t);
  free(lp);
  windows_free(W, nw);
  b->W = NULL;
  return lat;
}

/* "errors": bursts (windows far above the typical error count), timeouts
 * and the most frequent status and error codes. */
static json_t *errors_section(struct store *st, const struct run_info *run, const struct soak_bins *b, double warm,
                              double w, json_t *caveats) {
  size_t nw = b->nw;
  json_t *er = json_object();
  double *ec = xmalloc((nw ? nw : 1) * sizeof *ec);
  for (size_t i = 0; i < nw; i++)
    ec[i] = (double)b->werr[i];
  double med = fit_median(ec, nw);
  free(ec);
  json_t *bursts = json_array();
  for (size_t i = 0; i < nw; i++) {
    double lim = fmax(3, 5 * (isfinite(med) ? med : 0));
    if ((double)b->werr[i] >= lim)
      json_array_append_new(bursts, json_pack("{s:f, s:I, s:I}", "time_s", warm + (double)i * w, "errors",
                                              (json_int_t)b->werr[i], "requests", (json_int_t)b->wreq[i]));
  }
  size_t nb = json_array_size(bursts);
  json_object_set_new(er, "requests", json_integer(b->total));
  json_object_set_new(er, "failed", json_integer(b->failed));
  json_object_set_new(er, "error_rate", jx_real_or_null(b->total ? (double)b->failed / (double)b->total : NAN));
  json_object_set_new(er, "timeouts_60s", json_integer(b->timeouts));
  json_object_set_new(er, "bursts", bursts);
  const char *ev = b->failed == 0 ? "none" : nb ? "bursts" : "steady";
  json_object_set_new(er, "verdict", json_string(ev));
  if (b->timeouts > 0)
    json_array_append_new(caveats, json_string("requests timed out at k6's 60 s limit: a sign of pool exhaustion "
                                               "or a deadlock"));
  struct store_error_row *top;
  size_t ntop;
  json_t *codes = json_array();
  if (store_error_codes_top(st, run->id, 10, &top, &ntop, NULL) == 0) {
    for (size_t i = 0; i < ntop; i++)
      json_array_append_new(codes, json_pack("{s:s, s:s, s:I}", "status", top[i].status, "error_code",
                                             top[i].error_code, "count", (json_int_t)top[i].count));
    store_error_rows_free(top, ntop);
  }
  json_object_set_new(er, "by_code", codes);
  return er;
}

int soak_build(struct store *st, const struct run_info *run, json_t **out, struct err *err) {
  struct capacity_opts co;
  capacity_opts_init(&co);
  co.window_s = 1;
  struct cap_data d;
  /* per-second buckets and samples; the level windows are not used here */
  if (cap_data_load(st, run, &co, &d, err) < 0)
    return -1;
  struct sys_roles roles;
  if (sys_roles_find(st, run, &roles, err) < 0) {
    cap_data_release(&d);
    return -1;
  }
  json_t *doc = json_object(), *caveats = json_array();
  json_object_set_new(doc, "run", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)run->id, "name", run->name,
                                            "scenario", run->scenario ? run->scenario : ""));
  /* the span under load: up to the last second with at least half the
   * peak VUs (the ramp-down and the service's shutdown are not soak) */
  double vmax = 0;
  for (size_t i = 0; i < d.nsec; i++)
    if (isfinite(d.sec_vus[i]) && d.sec_vus[i] > vmax)
      vmax = d.sec_vus[i];
  double T = (double)d.nsec;
  if (vmax > 0) {
    size_t last = 0;
    for (size_t i = 0; i < d.nsec; i++)
      if (isfinite(d.sec_vus[i]) && d.sec_vus[i] >= 0.5 * vmax)
        last = i;
    T = (double)last + 1;
  }
  double w = fmin(300, fmax(1, floor(T / 60)));
  double warm = fmax(900, 0.1 * T);
  if (warm > 0.5 * T) {
    warm = ceil(0.1 * T);
    json_array_append_new(caveats, json_string("the run is shorter than the 15-min warm-up a soak analysis needs: "
                                               "only its first 10% is dropped, and the leak threshold is doubled"));
  }
  double post = T - warm;
  int load_varied = 0;
  {
    double lo = INFINITY, hi = 0;
    for (size_t i = (size_t)warm; i < (size_t)T && i < d.nsec; i++)
      if (isfinite(d.sec_vus[i])) {
        lo = fmin(lo, d.sec_vus[i]);
        hi = fmax(hi, d.sec_vus[i]);
      }
    load_varied = hi > 0 && lo < 0.8 * hi;
    if (load_varied)
      json_array_append_new(caveats, json_string("the load (VUs) changed by more than 20% after the warm-up: "
                                                 "memory and latency may follow the load, not time"));
  }
  double min_growth = post >= 3600 ? 0.05 : 0.10;
  json_object_set_new(doc, "duration_s", json_real((double)d.nsec));
  json_object_set_new(doc, "steady_until_s", json_real(T));
  json_object_set_new(doc, "window_s", json_real(w));
  json_object_set_new(doc, "warmup_s", json_real(warm));
  double limit = NAN;
  if (roles.r[SR_MEM_TOTAL].id)
    limit = sys_role_mean(st, run, &roles, SR_MEM_TOTAL, 0, T);
  int leak = 0, rleak = 0;
  json_t *mem = resource_trend(st, run, &roles, SR_PROC_RSS, warm, T, w, min_growth, limit, load_varied, &leak, caveats, err);
  json_t *thr = mem ? resource_trend(st, run, &roles, SR_PROC_THREADS, warm, T, w, min_growth, NAN, load_varied, &rleak, caveats,
                                     err)
                    : NULL;
  json_t *fds = thr ? resource_trend(st, run, &roles, SR_PROC_FDS, warm, T, w, min_growth, NAN, load_varied, &rleak, caveats, err)
                    : NULL;
  if (!fds) {
    json_decref(mem);
    json_decref(thr);
    json_decref(doc);
    json_decref(caveats);
    sys_roles_release(&roles);
    cap_data_release(&d);
    return -1;
  }
  if (!roles.any)
    json_array_append_new(caveats, json_string("no system metrics were ingested: memory, threads and file "
                                               "descriptors cannot be judged (the evidence is missing)"));
  json_object_set_new(doc, "memory", mem);
  json_object_set_new(doc, "threads", thr);
  json_object_set_new(doc, "fds", fds);

  /* latency: per-window p95 of successful requests, log scale */
  size_t nw = (size_t)ceil(post / w);
  struct soak_bins bins;
  bins_fill(&bins, &d, warm, T, w, nw);
  int drift_fail;
  json_t *lat = latency_section(&bins, warm, w, &drift_fail);
  json_object_set_new(doc, "errors", errors_section(st, run, &bins, warm, w, caveats));
  free(bins.werr);
  free(bins.wreq);
  json_object_set_new(doc, "latency", lat);
  /* A database connection pool that leaks or runs out is a verdict of its
   * own (only for runs with pool evidence). */
  json_t *pe = NULL;
  int pool_fail = 0;
  if (db_pool_exhaustion_json(st, run, &pe, NULL) == 0 && pe) {
    const char *pv = json_string_value(json_object_get(pe, "verdict"));
    pool_fail = pv && (!strcmp(pv, "exhausted") || !strcmp(pv, "leak"));
    json_object_set_new(doc, "pool_exhaustion", pe);
  }
  const char *mv = json_string_value(json_object_get(mem, "verdict"));
  const char *lv = json_string_value(json_object_get(lat, "verdict"));
  const char *overall = (leak || rleak)                                  ? "leak"
                        : pool_fail                                      ? "pool_exhaustion"
                        : drift_fail                                     ? "drift"
                        : (mv && !strcmp(mv, "inconclusive")) ||
                                  (lv && !strcmp(lv, "inconclusive"))    ? "inconclusive"
                                                                         : "none";
  json_object_set_new(doc, "verdict", json_string(overall));
  json_object_set_new(doc, "failed", json_boolean(leak || rleak || drift_fail || pool_fail));
  json_object_set_new(doc, "caveats", caveats);
  sys_roles_release(&roles);
  cap_data_release(&d);
  *out = doc;
  return 0;
}
