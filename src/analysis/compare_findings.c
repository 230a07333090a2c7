/* compare_findings.c - one finding per endpoint and metric: the change, its
 * interval and its verdict from the same samples (docs/methods.md, 2.1). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare_int.h"
#include "stats/binomial.h"
#include "stats/bootstrap.h"
#include "store/samples.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

const char *const metric_names[M_COUNT] = {"p50", "p95", "p99", "avg", "ok_p95", "rps", "error_rate"};
const int metric_gated[M_COUNT] = {0, 1, 0, 0, 0, 1, 1};

/* The window of a run the findings are computed over: the whole run, so that
 * every printed value is k6's own and the interval belongs to that value
 * (the all-weights-one replicate of the bootstrap is the printed estimate). */
static void run_window(struct rdata *r) {
  r->w0 = 0;
  r->w1 = r->span;
}

/* ---- verdict rules ---------------------------------------------------- */

static int beyond(double change_pct, double threshold_pct) {
  return change_pct > threshold_pct + 1e-9 * (threshold_pct > 1 ? threshold_pct : 1);
}

const char *compare_classify(double ratio, double ci_lo, double ci_hi, int enough, double threshold_pct,
                             int higher_is_worse) {
  if (!enough || !isfinite(ratio))
    return "inconclusive";
  double change = (ratio - 1) * 100;
  int worse = higher_is_worse ? beyond(change, threshold_pct) : beyond(-change, threshold_pct);
  int better = higher_is_worse ? beyond(-change, threshold_pct) : beyond(change, threshold_pct);
  if (worse) {
    int sure = higher_is_worse ? ci_lo > 1 : ci_hi < 1;
    return sure ? "regression" : "inconclusive";
  }
  if (better) {
    int sure = higher_is_worse ? ci_hi < 1 : ci_lo > 1;
    return sure ? "improvement" : "inconclusive";
  }
  return "unchanged";
}

const char *compare_classify_errors(uint64_t xb, uint64_t nb, uint64_t xc, uint64_t nc, double threshold_pct,
                                    double *lo, double *hi) {
  double l = NAN, h = NAN;
  if (nb && nc)
    binom_newcombe_diff(xb, nb, xc, nc, 1.959963984540054, &l, &h);
  if (lo)
    *lo = l;
  if (hi)
    *hi = h;
  if (nb == 0 || nc == 0)
    return "inconclusive";
  double pb = (double)xb / (double)nb, pc = (double)xc / (double)nc;
  double f = 1 + threshold_pct / 100;
  /* Beyond the threshold: at least 0.1 point AND at least (1 + threshold) x. */
  int worse = pc - pb >= 0.001 - 1e-12 && pc >= f * pb - 1e-15;
  int better = pb - pc >= 0.001 - 1e-12 && pb >= f * pc - 1e-15;
  if (worse)
    return l > 0 ? "regression" : "inconclusive";
  if (better)
    return h < 0 ? "improvement" : "inconclusive";
  return "unchanged";
}

/* ---- per-endpoint statistics ------------------------------------------ */

struct side {
  struct boot_set lat;    /* every request's duration (k6's http_req_duration) */
  struct boot_set lat_ok; /* successful requests' durations */
  double *cnt, *len;      /* per-block request counts and lengths */
  struct boot_counts counts;
  double stat[NLAT];      /* p50 p95 p99 avg (every request), ok_p95 */
  double rps;
  uint64_t n_dur, n_ok, requests, failed;
  int has;                /* the endpoint exists in this run */
  int exact;              /* from samples (else aggregates, no interval) */
};

static void side_release(struct side *sd) {
  boot_set_release(&sd->lat);
  boot_set_release(&sd->lat_ok);
  free(sd->cnt);
  free(sd->len);
}

static const double probs[3] = {0.5, 0.95, 0.99};
static const double prob95[1] = {0.95};

static void side_build(const struct rdata *r, const struct ep *e, double block_s, int samples, struct side *sd) {
  memset(sd, 0, sizeof *sd);
  for (int k = 0; k < NLAT; k++)
    sd->stat[k] = NAN;
  if (!e)
    return;
  sd->has = 1;
  sd->requests = e->requests;
  sd->failed = e->failed;
  sd->rps = r->dur > 0 ? (double)e->requests / r->dur : NAN;
  if (!samples) {
    for (int k = 0; k < NLAT; k++)
      sd->stat[k] = e->agg[k];
    /* k6 times every request: without a count in the summary, the requests are the count. */
    sd->n_dur = e->agg_n ? e->agg_n : e->requests;
    sd->n_ok = e->agg_ok_n ? e->agg_ok_n : e->requests - e->failed;
    return;
  }
  sd->exact = 1;
  double w = r->w1 - r->w0;
  size_t nb = (size_t)ceil(w / block_s);
  if (nb == 0)
    nb = 1;
  /* Block lengths add up to k6's duration, so that the rate of the replicate
   * with every weight 1 is the printed requests / duration. */
  double scale = r->dur > 0 && w > 0 ? r->dur / w : 1;
  sd->cnt = xcalloc(nb, sizeof *sd->cnt);
  sd->len = xmalloc(nb * sizeof *sd->len);
  for (size_t i = 0; i < nb; i++) {
    double end = (double)(i + 1) * block_s;
    sd->len[i] = (end > w ? w : end) - (double)i * block_s;
    if (!(sd->len[i] > 0))
      sd->len[i] = block_s;
    sd->len[i] *= scale;
  }
  size_t cap = e->ns ? e->ns : 1;
  double *v = xmalloc(cap * sizeof *v), *t = xmalloc(cap * sizeof *t);
  double *vo = xmalloc(cap * sizeof *vo), *to = xmalloc(cap * sizeof *to);
  size_t n = 0, no = 0;
  uint64_t failed = 0;
  for (size_t i = 0; i < e->ns; i++) {
    const struct sample *x = &e->s[i];
    double rel = x->t - r->w0;
    if (rel < 0)
      rel = 0;
    size_t bi = (size_t)floor(rel / block_s);
    if (bi >= nb)
      bi = nb - 1;
    sd->cnt[bi] += 1;
    if (x->flags & SAMPLE_FAILED)
      failed++;
    v[n] = x->dur_ms;
    t[n++] = rel;
    if (x->flags & SAMPLE_OK) {
      vo[no] = x->dur_ms;
      to[no++] = rel;
    }
  }
  boot_set_init(&sd->lat, v, t, n, block_s, nb);
  boot_set_init(&sd->lat_ok, vo, to, no, block_s, nb);
  free(v);
  free(t);
  free(vo);
  free(to);
  double q[3], mean;
  if (boot_weighted_stats(&sd->lat, NULL, probs, 3, q, &mean) > 0) {
    sd->stat[M_P50] = q[0];
    sd->stat[M_P95] = q[1];
    sd->stat[M_P99] = q[2];
    sd->stat[M_AVG] = mean;
  }
  if (boot_weighted_stats(&sd->lat_ok, NULL, prob95, 1, q, NULL) > 0)
    sd->stat[M_OKP95] = q[0];
  sd->n_dur = n;
  sd->n_ok = no;
  sd->requests = e->ns;
  sd->failed = failed;
  sd->rps = r->dur > 0 ? (double)e->ns / r->dur : NAN;
  sd->counts.n_blocks = nb;
  sd->counts.count = sd->cnt;
  sd->counts.len = sd->len;
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

const char *compare_format_value(char *buf, size_t len, const char *metric, double v) {
  if (!isfinite(v))
    snprintf(buf, len, "n/a");
  else if (!strcmp(metric, "error_rate"))
    snprintf(buf, len, "%.2f%%", v * 100);
  else if (!strcmp(metric, "rps"))
    snprintf(buf, len, "%.2f/s", v);
  else if (!strcmp(metric, "max_users"))
    snprintf(buf, len, "%.0f users", v);
  else if (v < 10)
    snprintf(buf, len, "%.2f ms", v);
  else if (v < 1000)
    snprintf(buf, len, "%.1f ms", v);
  else
    snprintf(buf, len, "%.0f ms", v);
  return buf;
}

static const char *fmt_value(char *buf, size_t len, int metric, double v) {
  return compare_format_value(buf, len, metric_names[metric], v);
}

static json_t *finding(const char *label, int m, double base, double cand, double change, double lo, double hi,
                       uint64_t nb, uint64_t nc, const char *verdict, const char *reason) {
  json_t *f = json_object();
  json_object_set_new(f, "endpoint", json_string(label));
  json_object_set_new(f, "metric", json_string(metric_names[m]));
  json_object_set_new(f, "baseline", jx_real_or_null(base));
  json_object_set_new(f, "candidate", jx_real_or_null(cand));
  json_object_set_new(f, "change_pct", jx_real_or_null(change));
  json_object_set_new(f, "ci_low_pct", jx_real_or_null(lo));
  json_object_set_new(f, "ci_high_pct", jx_real_or_null(hi));
  json_object_set_new(f, "n_baseline", json_integer((json_int_t)nb));
  json_object_set_new(f, "n_candidate", json_integer((json_int_t)nc));
  json_object_set_new(f, "verdict", json_string(verdict));
  json_object_set_new(f, "gated", json_boolean(metric_gated[m]));
  json_object_set_new(f, "unit", json_string(m == M_ERR ? "fraction" : m == M_RPS ? "req/s" : "ms"));
  json_object_set_new(f, "reason", json_string(reason));
  return f;
}

static int replicates_for(const struct side *b, size_t nbase, const struct side *c, int want) {
  if (want > 0)
    return want;
  double n = (double)c->lat.n;
  for (size_t j = 0; j < nbase; j++)
    n += (double)b[j].lat.n;
  int r = 2000;
  if (n * r > 4e8)
    r = (int)(4e8 / n);
  return r < 200 ? 200 : r;
}

int cmp_differs(double a, double b, double tol) {
  if (!isfinite(a) || !isfinite(b))
    return 0;
  double m = a > b ? a : b;
  return m > 0 && fabs(a - b) / m > tol;
}

/* The throughput ratio that longer (or shorter) iterations alone explain when
 * the VUs are the same (closed model); NaN when unknown or the VUs differ. */
static double closed_model_ratio(const struct rdata *base, size_t nbase, const struct rdata *cand) {
  double lb = 0;
  for (size_t j = 0; j < nbase; j++) {
    if (!(base[j].iter_ms > 0) || !(base[j].max_vus > 0) || cmp_differs(base[j].max_vus, cand->max_vus, 0.02))
      return NAN;
    lb += log(base[j].iter_ms);
  }
  if (!(cand->iter_ms > 0) || nbase == 0)
    return NAN;
  return exp(lb / (double)nbase) / cand->iter_ms;
}

/* One endpoint across the baseline group and the candidate. */
struct epc {
  const char *label;
  const struct compare_opts *o;
  int samples, comparable;
  size_t nbase;
  struct side *bs, cs;
  double bstat[NLAT], brps;     /* baseline group: geometric means */
  uint64_t bn_min[NLAT], bn_sum[NLAT], breq, bfail, breq_min;
  struct boot_ci ci[NLAT], rci;
};

static const struct ep *find_ep(const struct rdata *r, const char *label) {
  if (!strcmp(label, "ALL"))
    return &r->all;
  for (size_t i = 0; i < r->n_eps; i++)
    if (!strcmp(r->eps[i].label, label))
      return &r->eps[i];
  return NULL;
}

/* Baseline group values: geometric means (pooled counts for errors). 0 when
 * the endpoint is missing on a side. */
static int epc_group(struct epc *c) {
  double lsum[NLAT] = {0}, lrps = 0;
  int ok[NLAT], rps_ok = 1;
  for (int k = 0; k < NLAT; k++) {
    ok[k] = 1;
    c->bn_min[k] = UINT64_MAX;
  }
  c->breq_min = UINT64_MAX;
  for (size_t j = 0; j < c->nbase; j++) {
    const struct side *b = &c->bs[j];
    if (!b->has || !c->cs.has)
      return 0;
    for (int k = 0; k < NLAT; k++) {
      uint64_t n = k == M_OKP95 ? b->n_ok : b->n_dur;
      if (b->stat[k] > 0)
        lsum[k] += log(b->stat[k]);
      else
        ok[k] = 0;
      c->bn_min[k] = n < c->bn_min[k] ? n : c->bn_min[k];
      c->bn_sum[k] += n;
    }
    if (b->rps > 0)
      lrps += log(b->rps);
    else
      rps_ok = 0;
    c->breq_min = b->requests < c->breq_min ? b->requests : c->breq_min;
    c->breq += b->requests;
    c->bfail += b->failed;
  }
  for (int k = 0; k < NLAT; k++)
    c->bstat[k] = ok[k] ? exp(lsum[k] / (double)c->nbase) : NAN;
  c->brps = rps_ok ? exp(lrps / (double)c->nbase) : NAN;
  return 1;
}

static void epc_intervals(struct epc *c, const int *want) {
  for (int k = 0; k < NLAT; k++)
    c->ci[k].lo = c->ci[k].hi = NAN;
  c->rci.lo = c->rci.hi = NAN;
  if (!c->samples)
    return;
  const struct compare_opts *o = c->o;
  uint64_t seed = o->seed ^ fnv1a(c->label);
  struct boot_set *sets = xcalloc(c->nbase, sizeof *sets), *oks = xcalloc(c->nbase, sizeof *oks);
  struct boot_counts *cnt = xcalloc(c->nbase, sizeof *cnt);
  for (size_t j = 0; j < c->nbase; j++) {
    sets[j] = c->bs[j].lat;
    oks[j] = c->bs[j].lat_ok;
    cnt[j] = c->bs[j].counts;
  }
  int reps = replicates_for(c->bs, c->nbase, &c->cs, o->replicates);
  if ((want[M_P50] || want[M_P95] || want[M_P99] || want[M_AVG]) && c->cs.n_dur && c->bn_min[M_P95])
    boot_ratio_ci(sets, c->nbase, &c->cs.lat, probs, 3, reps, LEVEL, seed, c->ci);
  if (want[M_OKP95] && c->cs.n_ok && c->bn_min[M_OKP95]) {
    struct boot_ci okci[2];
    boot_ratio_ci(oks, c->nbase, &c->cs.lat_ok, prob95, 1, reps, LEVEL, seed ^ 2, okci);
    c->ci[M_OKP95] = okci[0];
  }
  if (want[M_RPS])
    boot_rate_ratio_ci(cnt, c->nbase, &c->cs.counts, o->replicates > 0 ? o->replicates : 2000, LEVEL, seed ^ 1,
                       &c->rci);
  free(sets);
  free(oks);
  free(cnt);
}

/* Requests per side that would resolve a change of the threshold's size,
 * from the width of the interval at the current size (width ~ 1/sqrt(n));
 * 0 when the current size suffices or nothing is known. */
static uint64_t needed_n(double lo, double hi, uint64_t n, double threshold_pct, int min_n) {
  if (n < (uint64_t)min_n)
    return (uint64_t)min_n;
  if (!(lo > 0) || !(hi > 0) || !(threshold_pct > 0))
    return 0;
  double half = (log(hi) - log(lo)) / 2, target = log(1 + threshold_pct / 100);
  if (half <= target)
    return 0;
  double need = (double)n * (half / target) * (half / target);
  return need > 1e12 ? UINT64_C(1000000000000) : (uint64_t)ceil(need);
}

static const char *not_comparable_reason = "the two runs ran different loads (see load.reasons): their whole-run "
                                           "figures are not comparable";

static void latency_finding(struct epc *c, int m, json_t *arr) {
  static const int min_n[NLAT] = {MIN_N_P50, MIN_N_P95, MIN_N_P99, MIN_N_AVG, MIN_N_P95};
  const struct compare_opts *o = c->o;
  const struct side *cs = &c->cs;
  uint64_t cn = m == M_OKP95 ? cs->n_ok : cs->n_dur;
  double r = c->bstat[m] > 0 ? cs->stat[m] / c->bstat[m] : NAN;
  int enough = c->bn_min[m] >= (uint64_t)min_n[m] && cn >= (uint64_t)min_n[m];
  double lo = c->ci[m].lo, hi = c->ci[m].hi;
  const char *v = compare_classify(r, lo, hi, enough, o->threshold_pct, 1);
  double ch = (r - 1) * 100;
  const char *what = m == M_OKP95 ? "successful requests" : "requests";
  char reason[512], b1[64], b2[64];
  if (!c->comparable && isfinite(r)) {
    v = "not_comparable";
    snprintf(reason, sizeof reason, "%+.1f%%, but %s", ch, not_comparable_reason);
  } else if (!enough)
    snprintf(reason, sizeof reason, "too few %s for %s (%llu and %llu; needs %d per side)", what, metric_names[m],
             (unsigned long long)c->bn_min[m], (unsigned long long)cn, min_n[m]);
  else if (!isfinite(r))
    snprintf(reason, sizeof reason, "no baseline value");
  else if (!strcmp(v, "inconclusive") && !c->samples)
    snprintf(reason, sizeof reason, "%+.1f%% but no per-request samples to test it", ch);
  else if (!strcmp(v, "inconclusive"))
    snprintf(reason, sizeof reason, "%+.1f%% is beyond the %.4g%% threshold, but its 95%% interval [%+.1f%%, %+.1f%%] "
             "includes no change", ch, o->threshold_pct, (lo - 1) * 100, (hi - 1) * 100);
  else if (!strcmp(v, "unchanged"))
    snprintf(reason, sizeof reason, "%+.1f%% is within the %.4g%% threshold", ch, o->threshold_pct);
  else
    snprintf(reason, sizeof reason, "%s %s -> %s (%+.1f%%, 95%% interval [%+.1f%%, %+.1f%%], threshold %.4g%%)",
             metric_names[m], fmt_value(b1, sizeof b1, m, c->bstat[m]), fmt_value(b2, sizeof b2, m, cs->stat[m]), ch,
             (lo - 1) * 100, (hi - 1) * 100, o->threshold_pct);
  json_t *f = finding(c->label, m, c->bstat[m], cs->stat[m], ch, (lo - 1) * 100, (hi - 1) * 100, c->bn_sum[m], cn, v,
                      reason);
  uint64_t nmin = cn < c->bn_min[m] ? cn : c->bn_min[m];
  uint64_t need = c->comparable ? needed_n(lo, hi, nmin, o->threshold_pct, min_n[m]) : 0;
  json_object_set_new(f, "n_needed", need ? json_integer((json_int_t)need) : json_null());
  json_object_set_new(f, "basis", json_string(m == M_OKP95 ? "http_req_duration{expected_response:true}, whole run"
                                                           : "http_req_duration, whole run"));
  json_array_append_new(arr, f);
}

static void rps_finding(struct epc *c, const struct rdata *base, const struct rdata *cand, json_t *arr) {
  const struct compare_opts *o = c->o;
  const struct side *cs = &c->cs;
  double r = c->brps > 0 ? cs->rps / c->brps : NAN;
  int enough = c->breq_min >= MIN_N_RPS && cs->requests >= MIN_N_RPS;
  const char *v = compare_classify(r, c->rci.lo, c->rci.hi, enough, o->threshold_pct, 0);
  double ch = (r - 1) * 100;
  char reason[512], b1[64], b2[64];
  /* Closed model (same VUs): X = N / (R + Z), so longer iterations lower every
   * endpoint's throughput. That drop is the latency change seen again; the
   * latency findings carry it (METHODS.md §4.6: do not double-count). */
  double explained = closed_model_ratio(base, c->nbase, cand);
  int echo = !strcmp(v, "regression") && isfinite(explained) && explained < 1 &&
             !beyond(-(r / explained - 1) * 100, o->threshold_pct);
  if (!c->comparable && isfinite(r)) {
    v = "not_comparable";
    snprintf(reason, sizeof reason, "%+.1f%%, but %s", ch, not_comparable_reason);
  } else if (echo) {
    v = "inconclusive";
    snprintf(reason, sizeof reason,
             "%+.1f%%, but iterations got longer at the same VUs (closed model: %+.1f%% expected from "
             "latency alone); the latency findings carry this change", ch, (explained - 1) * 100);
  } else if (!enough)
    snprintf(reason, sizeof reason, "too few requests for throughput (%llu and %llu; needs %d per side)",
             (unsigned long long)c->breq_min, (unsigned long long)cs->requests, MIN_N_RPS);
  else if (!strcmp(v, "inconclusive"))
    snprintf(reason, sizeof reason, "%+.1f%% is beyond the %.4g%% threshold, but its 95%% interval [%+.1f%%, %+.1f%%] "
             "includes no change", ch, o->threshold_pct, (c->rci.lo - 1) * 100, (c->rci.hi - 1) * 100);
  else if (!strcmp(v, "unchanged"))
    snprintf(reason, sizeof reason, "%+.1f%% is within the %.4g%% threshold", ch, o->threshold_pct);
  else
    snprintf(reason, sizeof reason, "throughput %s -> %s (%+.1f%%, 95%% interval [%+.1f%%, %+.1f%%])",
             fmt_value(b1, sizeof b1, M_RPS, c->brps), fmt_value(b2, sizeof b2, M_RPS, cs->rps), ch,
             (c->rci.lo - 1) * 100, (c->rci.hi - 1) * 100);
  json_t *f = finding(c->label, M_RPS, c->brps, cs->rps, ch, (c->rci.lo - 1) * 100, (c->rci.hi - 1) * 100, c->breq,
                      cs->requests, v, reason);
  uint64_t nmin = cs->requests < c->breq_min ? cs->requests : c->breq_min;
  uint64_t need = c->comparable ? needed_n(c->rci.lo, c->rci.hi, nmin, o->threshold_pct, MIN_N_RPS) : 0;
  json_object_set_new(f, "n_needed", need ? json_integer((json_int_t)need) : json_null());
  json_object_set_new(f, "basis", json_string("requests / k6's test duration, whole run"));
  json_array_append_new(arr, f);
}

static void error_finding(struct epc *c, json_t *arr) {
  const struct compare_opts *o = c->o;
  const struct side *cs = &c->cs;
  double lo, hi;
  const char *v = compare_classify_errors(c->bfail, c->breq, cs->failed, cs->requests, o->threshold_pct, &lo, &hi);
  double pb = c->breq ? (double)c->bfail / (double)c->breq : NAN;
  double pc = cs->requests ? (double)cs->failed / (double)cs->requests : NAN;
  double ch = (pc - pb) * 100;
  char reason[512];
  if (!c->comparable && isfinite(ch)) {
    v = "not_comparable";
    snprintf(reason, sizeof reason, "%+.2f points, but %s", ch, not_comparable_reason);
  } else if (!strcmp(v, "inconclusive") && isfinite(ch))
    snprintf(reason, sizeof reason, "%.3f%% -> %.3f%% (%+.3f points) is beyond the threshold, but its 95%% interval "
             "[%+.3f, %+.3f] points includes no change", pb * 100, pc * 100, ch, lo * 100, hi * 100);
  else
    snprintf(reason, sizeof reason, "%.3f%% -> %.3f%% (%+.3f points, 95%% interval [%+.3f, %+.3f] points)", pb * 100,
             pc * 100, ch, lo * 100, hi * 100);
  json_t *f = finding(c->label, M_ERR, pb, pc, ch, lo * 100, hi * 100, c->breq, cs->requests, v, reason);
  json_object_set_new(f, "failed_baseline", json_integer((json_int_t)c->bfail));
  json_object_set_new(f, "failed_candidate", json_integer((json_int_t)cs->failed));
  json_object_set_new(f, "n_needed", json_null());
  json_object_set_new(f, "basis", json_string("http_req_failed, whole run"));
  json_array_append_new(arr, f);
}

/* Findings of one endpoint (ep label) across the baseline group and the candidate. */
static void endpoint_findings(struct rdata *base, size_t nbase, struct rdata *cand, const char *label,
                              const int *want, const struct compare_opts *o, double block_s, int comparable,
                              json_t *arr) {
  struct epc c;
  memset(&c, 0, sizeof c);
  c.label = label;
  c.o = o;
  c.nbase = nbase;
  c.comparable = comparable;
  c.samples = cand->samples;
  for (size_t j = 0; j < nbase; j++)
    c.samples = c.samples && base[j].samples;
  c.bs = xcalloc(nbase, sizeof *c.bs);
  for (size_t j = 0; j < nbase; j++)
    side_build(&base[j], find_ep(&base[j], label), block_s, c.samples, &c.bs[j]);
  side_build(cand, find_ep(cand, label), block_s, c.samples, &c.cs);
  if (epc_group(&c)) { /* else the endpoint is missing on a side: a warning elsewhere */
    epc_intervals(&c, want);
    for (int m = 0; m < NLAT; m++)
      if (want[m])
        latency_finding(&c, m, arr);
    if (want[M_RPS])
      rps_finding(&c, base, cand, arr);
    if (want[M_ERR])
      error_finding(&c, arr);
  }
  for (size_t j = 0; j < nbase; j++)
    side_release(&c.bs[j]);
  free(c.bs);
  side_release(&c.cs);
}

static int selected(const char *label, const struct compare_opts *o) {
  if (!o->n_endpoints)
    return 1;
  for (size_t i = 0; i < o->n_endpoints; i++)
    if (!strcmp(o->endpoints[i], label) || (strcmp(label, "ALL") && strstr(label, o->endpoints[i])))
      return 1;
  return 0;
}

void cmp_warn(json_t *w, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  for (size_t i = 0; i < json_array_size(w); i++)
    if (!strcmp(json_string_value(json_array_get(w, i)), buf))
      return;
  json_array_append_new(w, json_string(buf));
}


/* Findings of the baseline group against cand. */
json_t *cmp_build_findings(struct rdata *base, size_t nbase, struct rdata *cand, const struct compare_opts *o,
                              const int *want, int comparable, json_t *warnings, double *block_out) {
  double dmax = cand->dur;
  for (size_t j = 0; j < nbase; j++)
    if (base[j].dur > dmax)
      dmax = base[j].dur;
  double block_s = boot_block_seconds(dmax);
  if (block_out)
    *block_out = block_s;
  run_window(cand);
  for (size_t j = 0; j < nbase; j++)
    run_window(&base[j]);
  json_t *arr = json_array();
  if (selected("ALL", o))
    endpoint_findings(base, nbase, cand, "ALL", want, o, block_s, comparable, arr);
  /* Endpoints of the candidate, then those only in a baseline run. */
  for (size_t i = 0; i < cand->n_eps; i++) {
    const char *label = cand->eps[i].label;
    if (!selected(label, o))
      continue;
    int everywhere = 1;
    for (size_t j = 0; j < nbase; j++) {
      int found = 0;
      for (size_t k = 0; k < base[j].n_eps; k++)
        found |= !strcmp(base[j].eps[k].label, label);
      if (!found) {
        everywhere = 0;
        cmp_warn(warnings, "endpoint '%s' is not in baseline run '%s' (not compared)", label, base[j].info->name);
      }
    }
    if (everywhere)
      endpoint_findings(base, nbase, cand, label, want, o, block_s, comparable, arr);
  }
  for (size_t j = 0; j < nbase; j++)
    for (size_t k = 0; k < base[j].n_eps; k++) {
      const char *label = base[j].eps[k].label;
      int found = 0;
      for (size_t i = 0; i < cand->n_eps; i++)
        found |= !strcmp(cand->eps[i].label, label);
      if (!found && selected(label, o))
        cmp_warn(warnings, "endpoint '%s' of baseline run '%s' is not in the candidate (not compared)", label,
             base[j].info->name);
    }
  return arr;
}
