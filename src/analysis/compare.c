#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "ingest/endpoint.h"
#include "render/escape.h"
#include "stats/binomial.h"
#include "stats/bootstrap.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Minimum successful requests per side for a percentile verdict (§4.8). */
#define MIN_N_P50 20
#define MIN_N_P95 110
#define MIN_N_P99 555
#define MIN_N_AVG 20
#define MIN_N_RPS 110
#define MIN_ERR_SLO 2 /* a single failed request never fails the gate by itself */
#define LEVEL 0.95

enum metric { M_P50, M_P95, M_P99, M_AVG, M_RPS, M_ERR, M_COUNT };
static const char *const metric_names[M_COUNT] = {"p50", "p95", "p99", "avg", "rps", "error_rate"};
static const int metric_gated[M_COUNT] = {0, 1, 0, 0, 1, 1};

void compare_opts_init(struct compare_opts *o) {
  memset(o, 0, sizeof *o);
  o->threshold_pct = 20;
  o->seed = UINT64_C(0x6c6f616472657021); /* "loadrep!" */
  o->error_slo_pct = 1;
}

static int metric_by_name(const char *s, size_t len) {
  static const struct {
    const char *name;
    int m;
  } alias[] = {{"p50", M_P50}, {"med", M_P50},      {"median", M_P50},     {"p95", M_P95},
               {"p99", M_P99}, {"avg", M_AVG},      {"mean", M_AVG},       {"rps", M_RPS},
               {"throughput", M_RPS}, {"error_rate", M_ERR}, {"errors", M_ERR}, {"error", M_ERR},
               {"err", M_ERR}};
  for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
    if (strlen(alias[i].name) == len && !strncmp(alias[i].name, s, len))
      return alias[i].m;
  return -1;
}

static int parse_metrics(const char *list, int *want, struct err *err) {
  for (int m = 0; m < M_COUNT; m++)
    want[m] = list ? 0 : 1;
  if (!list)
    return 0;
  const char *p = list;
  int any = 0;
  while (*p) {
    size_t len = strcspn(p, ",");
    if (len) {
      int m = metric_by_name(p, len);
      if (m < 0)
        return err_set(err, LR_USAGE,
                       "option '--metric': unknown metric '%.*s' (expected p50, p95, p99, avg, rps, error_rate)",
                       (int)len, p);
      want[m] = 1;
      any = 1;
    }
    p += len;
    if (*p == ',')
      p++;
  }
  if (!any)
    return err_set(err, LR_USAGE, "option '--metric': no metric given");
  return 0;
}

int compare_check_metrics(const char *list, struct err *err) {
  int want[M_COUNT];
  return parse_metrics(list, want, err);
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

const char *compare_classify_errors(uint64_t xb, uint64_t nb, uint64_t xc, uint64_t nc,
                                    double threshold_pct, double slo_pct, double *p_value) {
  double pv = 1, pv_down = 1;
  if (p_value)
    *p_value = NAN;
  if (nb == 0 || nc == 0)
    return "inconclusive";
  double pb = (double)xb / (double)nb, pc = (double)xc / (double)nc;
  double f = 1 + threshold_pct / 100;
  pv = binom_cond_test(xb, nb, xc, nc);
  pv_down = binom_cond_test(xc, nc, xb, nb);
  if (p_value)
    *p_value = pv;
  int down = pb - pc >= 0.001 - 1e-12 && pb >= f * pc - 1e-15 && pv_down < 0.01;
  /* At or over the SLO is a regression, unless the rate is significantly
   * lower than the baseline's: then the build is better, if not yet good. */
  int sig_lower = pc < pb && pv_down < 0.01;
  if (pc * 100 >= slo_pct - 1e-12 && xc >= MIN_ERR_SLO && !sig_lower)
    return "regression";
  if (pc - pb >= 0.001 - 1e-12 && pc >= f * pb - 1e-15 && pv < 0.01)
    return "regression";
  if (down) {
    if (p_value)
      *p_value = pv_down;
    return "improvement";
  }
  return "unchanged";
}

/* ---- loading runs ----------------------------------------------------- */

struct ep {
  char *method, *name, *label;
  uint64_t requests, failed;
  struct sample *s; /* every request (NULL without samples) */
  size_t ns;
  double agg[4]; /* p50 p95 p99 avg of successful requests, from endpoint_metrics */
  uint64_t agg_n;
};

struct rdata {
  const struct run_info *info;
  struct run_info own; /* history runs are loaded here */
  double dur;          /* k6's test-run duration, else the sample span */
  double span;         /* covers every sample time */
  double max_vus;
  double plat0, plat1; /* the VU plateau (>= 95 % of max VUs), seconds; NaN when unknown */
  double iter_ms;      /* mean iteration duration; NaN when unknown */
  double w0, w1;       /* steady window used for the intervals (seconds since start) */
  int samples;         /* every endpoint has its samples */
  size_t n_eps;
  struct ep *eps;
  struct ep all;
};

static void ep_release(struct ep *e) {
  free(e->method);
  free(e->name);
  free(e->label);
  free(e->s);
}

static void rdata_release(struct rdata *r) {
  for (size_t i = 0; i < r->n_eps; i++)
    ep_release(&r->eps[i]);
  free(r->eps);
  ep_release(&r->all);
  if (r->own.name)
    run_info_release(&r->own);
  memset(r, 0, sizeof *r);
}

static int load_run(struct store *st, const struct run_info *info, struct rdata *r, struct err *err) {
  memset(r, 0, sizeof *r);
  r->info = info;
  r->samples = info->has_samples ? 1 : 0;
  sqlite3_stmt *s = store_prepare(
      st,
      "SELECT e.id, e.method, e.name, e.requests, e.failed, s.data, "
      " m.count, m.med, m.p95, m.p99, m.avg "
      "FROM endpoints e LEFT JOIN samples s ON s.endpoint_id = e.id "
      "LEFT JOIN endpoint_metrics m ON m.endpoint_id = e.id AND m.metric = 'http_req_duration' "
      " AND m.scope = 'ok' "
      "WHERE e.run_id = ? ORDER BY e.method, e.name",
      err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, info->id);
  size_t cap = 0;
  int rc;
  double maxt = 0;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    XGROW(r->eps, cap, r->n_eps + 1);
    struct ep *e = &r->eps[r->n_eps++];
    memset(e, 0, sizeof *e);
    e->method = xstrdup(store_col_text(s, 1));
    e->name = xstrdup(store_col_text(s, 2));
    e->label = endpoint_label(e->method, e->name);
    e->requests = (uint64_t)sqlite3_column_int64(s, 3);
    e->failed = (uint64_t)sqlite3_column_int64(s, 4);
    e->agg_n = (uint64_t)sqlite3_column_int64(s, 6);
    for (int k = 0; k < 4; k++)
      e->agg[k] = store_col_double(s, 7 + k);
    if (sqlite3_column_type(s, 5) == SQLITE_BLOB) {
      if (samples_decode(sqlite3_column_blob(s, 5), (size_t)sqlite3_column_bytes(s, 5), &e->s, &e->ns, err) < 0) {
        sqlite3_finalize(s);
        return -1;
      }
      for (size_t i = 0; i < e->ns; i++)
        if (e->s[i].t > maxt)
          maxt = e->s[i].t;
    } else {
      r->samples = 0;
    }
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read endpoints");
  if (r->n_eps == 0)
    r->samples = 0;
  r->dur = info->duration_s;
  if (!(r->dur > 0))
    r->dur = info->end_ts - info->start_ts;
  if (!(r->dur > 0))
    r->dur = maxt;
  r->span = maxt > r->dur ? maxt : r->dur;

  /* ALL: every endpoint together. */
  r->all.method = xstrdup("");
  r->all.name = xstrdup("ALL");
  r->all.label = xstrdup("ALL");
  size_t total = 0;
  for (size_t i = 0; i < r->n_eps; i++) {
    r->all.requests += r->eps[i].requests;
    r->all.failed += r->eps[i].failed;
    total += r->eps[i].ns;
  }
  if (r->samples) {
    r->all.s = xmalloc((total ? total : 1) * sizeof *r->all.s);
    for (size_t i = 0; i < r->n_eps; i++) {
      memcpy(r->all.s + r->all.ns, r->eps[i].s, r->eps[i].ns * sizeof *r->all.s);
      r->all.ns += r->eps[i].ns;
    }
  }
  /* Whole-run aggregates from the metrics table when there are no samples. */
  for (int k = 0; k < 4; k++)
    r->all.agg[k] = NAN;
  sqlite3_stmt *m = store_prepare(st, "SELECT count, med, p95, p99, avg FROM metrics WHERE run_id = ? "
                                      "AND name = 'http_req_duration{expected_response:true}'", err);
  if (!m)
    return -1;
  sqlite3_bind_int64(m, 1, info->id);
  if (sqlite3_step(m) == SQLITE_ROW) {
    r->all.agg_n = (uint64_t)sqlite3_column_int64(m, 0);
    for (int k = 0; k < 4; k++)
      r->all.agg[k] = store_col_double(m, 1 + k);
  }
  sqlite3_finalize(m);
  if (r->n_eps == 0) {
    /* Summary-only run: whole-run counts from k6's own aggregates. */
    m = store_prepare(st, "SELECT (SELECT count FROM metrics WHERE run_id = ?1 AND name = 'http_reqs'), "
                          "(SELECT passes FROM metrics WHERE run_id = ?1 AND name = 'http_req_failed')", err);
    if (!m)
      return -1;
    sqlite3_bind_int64(m, 1, info->id);
    if (sqlite3_step(m) == SQLITE_ROW) {
      r->all.requests = (uint64_t)sqlite3_column_int64(m, 0);
      r->all.failed = (uint64_t)sqlite3_column_int64(m, 1);
    }
    sqlite3_finalize(m);
  }

  r->max_vus = r->plat0 = r->plat1 = r->iter_ms = NAN;
  sqlite3_stmt *it = store_prepare(st, "SELECT sum(iter_dur_sum) / sum(iterations) FROM buckets WHERE run_id = ? "
                                       "AND endpoint_id IS NULL AND iterations > 0", err);
  if (!it)
    return -1;
  sqlite3_bind_int64(it, 1, info->id);
  if (sqlite3_step(it) == SQLITE_ROW)
    r->iter_ms = store_col_double(it, 0);
  sqlite3_finalize(it);
  sqlite3_stmt *v = store_prepare(st, "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL", err);
  if (!v)
    return -1;
  sqlite3_bind_int64(v, 1, info->id);
  if (sqlite3_step(v) == SQLITE_ROW)
    r->max_vus = store_col_double(v, 0);
  sqlite3_finalize(v);
  if (r->max_vus > 0) {
    v = store_prepare(st, "SELECT min(t), max(t) + 1 FROM buckets WHERE run_id = ? AND endpoint_id IS NULL "
                          "AND vus >= ?", err);
    if (!v)
      return -1;
    sqlite3_bind_int64(v, 1, info->id);
    sqlite3_bind_double(v, 2, 0.95 * r->max_vus);
    if (sqlite3_step(v) == SQLITE_ROW) {
      r->plat0 = store_col_double(v, 0);
      r->plat1 = store_col_double(v, 1);
    }
    sqlite3_finalize(v);
  }
  return 0;
}

/* The steady window of a run for the intervals: the VU plateau when it holds
 * at least half the run, minus one block at each end (start-up burst, graceful
 * stop). Transients happen once per run at a fixed place in the schedule, so
 * resampling them as if they were random blocks would make every interval
 * as wide as the transient (METHODS.md §3: compare steady states). */
static void steady_window(struct rdata *r, double block_s) {
  double a = 0, b = r->span;
  if (isfinite(r->plat0) && isfinite(r->plat1) && r->plat1 - r->plat0 >= 0.5 * r->dur) {
    a = r->plat0;
    b = r->plat1 < r->span ? r->plat1 : r->span;
  }
  if (b - a >= 5 * block_s) {
    a += block_s;
    b -= block_s;
  }
  r->w0 = a;
  r->w1 = b;
}

/* ---- per-endpoint statistics ------------------------------------------ */

struct side {
  struct boot_set lat;    /* successful requests' durations */
  double *cnt, *len;      /* per-block request counts and lengths */
  struct boot_counts counts;
  double stat[4];         /* p50 p95 p99 avg (point) */
  double steady[4];       /* the same over the steady window */
  double steady_rps;
  double rps;
  uint64_t n_ok, requests, failed;
  int has;                /* the endpoint exists in this run */
  int exact;              /* from samples (else aggregates, no interval) */
};

static void side_release(struct side *sd) {
  boot_set_release(&sd->lat);
  free(sd->cnt);
  free(sd->len);
}

static const double probs[3] = {0.5, 0.95, 0.99};

static void side_build(const struct rdata *r, const struct ep *e, double block_s, int samples, struct side *sd) {
  memset(sd, 0, sizeof *sd);
  for (int k = 0; k < 4; k++)
    sd->stat[k] = sd->steady[k] = NAN;
  sd->steady_rps = NAN;
  if (!e)
    return;
  sd->has = 1;
  sd->requests = e->requests;
  sd->failed = e->failed;
  sd->rps = r->dur > 0 ? (double)e->requests / r->dur : NAN;
  if (!samples) {
    for (int k = 0; k < 4; k++)
      sd->stat[k] = e->agg[k];
    sd->n_ok = e->agg_n;
    return;
  }
  sd->exact = 1;
  /* Point values: every successful request, as k6 computes them. */
  double *v = xmalloc((e->ns ? e->ns : 1) * sizeof *v), *t = xmalloc((e->ns ? e->ns : 1) * sizeof *t);
  size_t n = 0;
  uint64_t failed = 0;
  for (size_t i = 0; i < e->ns; i++) {
    if (e->s[i].flags & SAMPLE_FAILED)
      failed++;
    if (e->s[i].flags & SAMPLE_OK)
      v[n++] = e->s[i].dur_ms;
  }
  struct boot_set full;
  boot_set_init(&full, v, NULL, n, 1, 1);
  double q[3], mean;
  if (boot_weighted_stats(&full, NULL, probs, 3, q, &mean) > 0) {
    sd->stat[0] = q[0];
    sd->stat[1] = q[1];
    sd->stat[2] = q[2];
    sd->stat[3] = mean;
  }
  boot_set_release(&full);
  sd->n_ok = n;
  sd->requests = e->ns;
  sd->failed = failed;
  sd->rps = r->dur > 0 ? (double)e->ns / r->dur : NAN;
  /* Intervals: the steady window, cut into blocks. */
  double w = r->w1 - r->w0;
  size_t nb = (size_t)ceil(w / block_s);
  if (nb == 0)
    nb = 1;
  sd->cnt = xcalloc(nb, sizeof *sd->cnt);
  sd->len = xmalloc(nb * sizeof *sd->len);
  for (size_t i = 0; i < nb; i++) {
    double end = (double)(i + 1) * block_s;
    sd->len[i] = (end > w ? w : end) - (double)i * block_s;
    if (!(sd->len[i] > 0))
      sd->len[i] = block_s;
  }
  n = 0;
  for (size_t i = 0; i < e->ns; i++) {
    const struct sample *x = &e->s[i];
    double rel = x->t - r->w0;
    if (rel < 0 || x->t >= r->w1)
      continue;
    size_t bi = (size_t)floor(rel / block_s);
    if (bi >= nb)
      bi = nb - 1;
    sd->cnt[bi] += 1;
    if (x->flags & SAMPLE_OK) {
      v[n] = x->dur_ms;
      t[n] = rel;
      n++;
    }
  }
  boot_set_init(&sd->lat, v, t, n, block_s, nb);
  free(v);
  free(t);
  if (boot_weighted_stats(&sd->lat, NULL, probs, 3, q, &mean) > 0) {
    sd->steady[0] = q[0];
    sd->steady[1] = q[1];
    sd->steady[2] = q[2];
    sd->steady[3] = mean;
  }
  double sc = 0;
  for (size_t i = 0; i < nb; i++)
    sc += sd->cnt[i];
  sd->steady_rps = w > 0 ? sc / w : NAN;
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

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static const char *fmt_value(char *buf, size_t len, int metric, double v) {
  if (!isfinite(v))
    snprintf(buf, len, "-");
  else if (metric == M_ERR)
    snprintf(buf, len, "%.2f%%", v * 100);
  else if (metric == M_RPS)
    snprintf(buf, len, "%.2f/s", v);
  else if (v < 10)
    snprintf(buf, len, "%.2f ms", v);
  else if (v < 1000)
    snprintf(buf, len, "%.1f ms", v);
  else
    snprintf(buf, len, "%.0f ms", v);
  return buf;
}

static json_t *finding(const char *label, int m, double base, double cand, double change, double lo, double hi,
                       uint64_t nb, uint64_t nc, const char *verdict, const char *reason) {
  json_t *f = json_object();
  json_object_set_new(f, "endpoint", json_string(label));
  json_object_set_new(f, "metric", json_string(metric_names[m]));
  json_object_set_new(f, "baseline", num(base));
  json_object_set_new(f, "candidate", num(cand));
  json_object_set_new(f, "change_pct", num(change));
  json_object_set_new(f, "ci_low_pct", num(lo));
  json_object_set_new(f, "ci_high_pct", num(hi));
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

static int differs(double a, double b, double tol) {
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
    if (!(base[j].iter_ms > 0) || !(base[j].max_vus > 0) || differs(base[j].max_vus, cand->max_vus, 0.02))
      return NAN;
    lb += log(base[j].iter_ms);
  }
  if (!(cand->iter_ms > 0) || nbase == 0)
    return NAN;
  return exp(lb / (double)nbase) / cand->iter_ms;
}

/* Findings of one endpoint (ep label) across the baseline group and the candidate. */
static void endpoint_findings(struct rdata *base, size_t nbase, struct rdata *cand, const char *label,
                              const int *want, const struct compare_opts *o, double block_s, json_t *arr) {
  struct side *bs = xcalloc(nbase, sizeof *bs);
  struct side cs;
  int samples = cand->samples;
  for (size_t j = 0; j < nbase; j++)
    samples = samples && base[j].samples;
  for (size_t j = 0; j < nbase; j++) {
    const struct ep *e = NULL;
    if (!strcmp(label, "ALL"))
      e = &base[j].all;
    else
      for (size_t i = 0; i < base[j].n_eps; i++)
        if (!strcmp(base[j].eps[i].label, label))
          e = &base[j].eps[i];
    side_build(&base[j], e, block_s, samples, &bs[j]);
  }
  const struct ep *ce = NULL;
  if (!strcmp(label, "ALL"))
    ce = &cand->all;
  else
    for (size_t i = 0; i < cand->n_eps; i++)
      if (!strcmp(cand->eps[i].label, label))
        ce = &cand->eps[i];
  side_build(cand, ce, block_s, samples, &cs);

  /* Baseline group values: geometric means (pooled counts for errors). */
  double bstat[4], brps = 0;
  uint64_t bn_min = UINT64_MAX, bn_sum = 0, breq = 0, bfail = 0, breq_min = UINT64_MAX;
  int bstat_ok[4] = {1, 1, 1, 1}, brps_ok = 1;
  double lsum[4] = {0, 0, 0, 0};
  size_t present = 0;
  for (size_t j = 0; j < nbase; j++) {
    if (!bs[j].has)
      continue;
    present++;
    for (int k = 0; k < 4; k++) {
      if (bs[j].stat[k] > 0)
        lsum[k] += log(bs[j].stat[k]);
      else
        bstat_ok[k] = 0;
    }
    if (bs[j].rps > 0)
      brps += log(bs[j].rps);
    else
      brps_ok = 0;
    if (bs[j].n_ok < bn_min)
      bn_min = bs[j].n_ok;
    if (bs[j].requests < breq_min)
      breq_min = bs[j].requests;
    bn_sum += bs[j].n_ok;
    breq += bs[j].requests;
    bfail += bs[j].failed;
  }
  if (present < nbase || !cs.has) { /* endpoint missing on a side: reported as a warning elsewhere */
    for (size_t j = 0; j < nbase; j++)
      side_release(&bs[j]);
    free(bs);
    side_release(&cs);
    return;
  }
  for (int k = 0; k < 4; k++)
    bstat[k] = bstat_ok[k] ? exp(lsum[k] / (double)nbase) : NAN;
  brps = brps_ok ? exp(brps / (double)nbase) : NAN;
  /* Steady-state ratios, the centre of the intervals. */
  double sratio[5];
  for (int k = 0; k < 5; k++) {
    double lb = 0;
    int ok = 1;
    for (size_t j = 0; j < nbase; j++) {
      double x = k < 4 ? bs[j].steady[k] : bs[j].steady_rps;
      if (x > 0)
        lb += log(x);
      else
        ok = 0;
    }
    double c = k < 4 ? cs.steady[k] : cs.steady_rps;
    sratio[k] = ok && c >= 0 ? c / exp(lb / (double)nbase) : NAN;
  }

  uint64_t seed = o->seed ^ fnv1a(label);
  struct boot_ci ci[4] = {{NAN, NAN}, {NAN, NAN}, {NAN, NAN}, {NAN, NAN}}, rci = {NAN, NAN};
  int need_lat = want[M_P50] || want[M_P95] || want[M_P99] || want[M_AVG];
  struct boot_set *bsets = xcalloc(nbase, sizeof *bsets);
  struct boot_counts *bcnt = xcalloc(nbase, sizeof *bcnt);
  for (size_t j = 0; j < nbase; j++) {
    bsets[j] = bs[j].lat;
    bcnt[j] = bs[j].counts;
  }
  if (samples && need_lat && cs.n_ok > 0 && bn_min > 0)
    boot_ratio_ci(bsets, nbase, &cs.lat, probs, 3, replicates_for(bs, nbase, &cs, o->replicates), LEVEL, seed, ci);
  if (samples && want[M_RPS])
    boot_rate_ratio_ci(bcnt, nbase, &cs.counts, o->replicates > 0 ? o->replicates : 2000, LEVEL, seed ^ 1, &rci);
  free(bsets);
  free(bcnt);

  uint64_t nb_report = bn_sum;
  static const int lat_metrics[4] = {M_P50, M_P95, M_P99, M_AVG};
  static const int min_n[4] = {MIN_N_P50, MIN_N_P95, MIN_N_P99, MIN_N_AVG};
  char reason[512], b1[64], b2[64];
  for (int k = 0; k < 4; k++) {
    int m = lat_metrics[k];
    if (!want[m])
      continue;
    double r = bstat[k] > 0 ? cs.stat[k] / bstat[k] : NAN;
    int enough = bn_min >= (uint64_t)min_n[k] && cs.n_ok >= (uint64_t)min_n[k];
    const char *v = compare_classify(r, ci[k].lo, ci[k].hi, enough, o->threshold_pct, 1);
    double ch = (r - 1) * 100;
    if (!enough)
      snprintf(reason, sizeof reason, "too few successful requests for %s (%llu and %llu; needs %d per side)",
               metric_names[m], (unsigned long long)bn_min, (unsigned long long)cs.n_ok, min_n[k]);
    else if (!isfinite(r))
      snprintf(reason, sizeof reason, "no baseline value");
    else if (!strcmp(v, "inconclusive") && !samples)
      snprintf(reason, sizeof reason, "%+.1f%% but no per-request samples to test it", ch);
    else if (!strcmp(v, "inconclusive"))
      snprintf(reason, sizeof reason, "%+.1f%%, but the steady-state 95%% interval [%+.1f%%, %+.1f%%] does not exclude no change",
               ch, (ci[k].lo - 1) * 100, (ci[k].hi - 1) * 100);
    else if (!strcmp(v, "unchanged"))
      snprintf(reason, sizeof reason, "%+.1f%% is within the %.4g%% threshold", ch, o->threshold_pct);
    else
      snprintf(reason, sizeof reason, "%s %s -> %s (%+.1f%%, 95%% interval [%+.1f%%, %+.1f%%], threshold %.4g%%)",
               metric_names[m], fmt_value(b1, sizeof b1, m, bstat[k]), fmt_value(b2, sizeof b2, m, cs.stat[k]), ch,
               (ci[k].lo - 1) * 100, (ci[k].hi - 1) * 100, o->threshold_pct);
    json_t *f = finding(label, m, bstat[k], cs.stat[k], ch, (ci[k].lo - 1) * 100, (ci[k].hi - 1) * 100, nb_report,
                        cs.n_ok, v, reason);
    json_object_set_new(f, "steady_change_pct", num((sratio[k] - 1) * 100));
    json_array_append_new(arr, f);
  }
  if (want[M_RPS]) {
    double r = brps > 0 ? cs.rps / brps : NAN;
    int enough = breq_min >= MIN_N_RPS && cs.requests >= MIN_N_RPS;
    const char *v = compare_classify(r, rci.lo, rci.hi, enough, o->threshold_pct, 0);
    double ch = (r - 1) * 100;
    /* Closed model (same VUs): X = N / (R + Z), so longer iterations lower every
     * endpoint's throughput. That drop is the latency change seen again; the
     * latency findings carry it (METHODS.md §4.6: do not double-count). */
    double explained = closed_model_ratio(base, nbase, cand);
    int echo = !strcmp(v, "regression") && isfinite(explained) && explained < 1 &&
               !beyond(-(r / explained - 1) * 100, o->threshold_pct);
    if (echo)
      v = "inconclusive";
    if (echo)
      snprintf(reason, sizeof reason,
               "%+.1f%%, but iterations got longer at the same VUs (closed model: %+.1f%% expected from "
               "latency alone); the latency findings carry this change", ch, (explained - 1) * 100);
    else if (!enough)
      snprintf(reason, sizeof reason, "too few requests for throughput (%llu and %llu; needs %d per side)",
               (unsigned long long)breq_min, (unsigned long long)cs.requests, MIN_N_RPS);
    else if (!strcmp(v, "inconclusive"))
      snprintf(reason, sizeof reason, "%+.1f%%, but the steady-state 95%% interval [%+.1f%%, %+.1f%%] does not exclude no change", ch,
               (rci.lo - 1) * 100, (rci.hi - 1) * 100);
    else if (!strcmp(v, "unchanged"))
      snprintf(reason, sizeof reason, "%+.1f%% is within the %.4g%% threshold", ch, o->threshold_pct);
    else
      snprintf(reason, sizeof reason, "throughput %s -> %s (%+.1f%%, 95%% interval [%+.1f%%, %+.1f%%])",
               fmt_value(b1, sizeof b1, M_RPS, brps), fmt_value(b2, sizeof b2, M_RPS, cs.rps), ch,
               (rci.lo - 1) * 100, (rci.hi - 1) * 100);
    json_t *f = finding(label, M_RPS, brps, cs.rps, ch, (rci.lo - 1) * 100, (rci.hi - 1) * 100, breq, cs.requests,
                        v, reason);
    json_object_set_new(f, "steady_change_pct", num((sratio[4] - 1) * 100));
    json_array_append_new(arr, f);
  }
  if (want[M_ERR]) {
    double pv;
    const char *v = compare_classify_errors(bfail, breq, cs.failed, cs.requests, o->threshold_pct,
                                            o->error_slo_pct, &pv);
    double pb = breq ? (double)bfail / (double)breq : NAN;
    double pc = cs.requests ? (double)cs.failed / (double)cs.requests : NAN;
    double lo = NAN, hi = NAN;
    if (breq && cs.requests)
      binom_newcombe_diff(bfail, breq, cs.failed, cs.requests, 1.959963984540054, &lo, &hi);
    double ch = (pc - pb) * 100;
    if (!strcmp(v, "regression") && pc * 100 >= o->error_slo_pct - 1e-12 && cs.failed >= MIN_ERR_SLO)
      snprintf(reason, sizeof reason, "error rate %.2f%% (%llu of %llu) reaches the %.4g%% SLO", pc * 100,
               (unsigned long long)cs.failed, (unsigned long long)cs.requests, o->error_slo_pct);
    else if (!strcmp(v, "improvement") && pc * 100 >= o->error_slo_pct - 1e-12)
      snprintf(reason, sizeof reason, "%.3f%% -> %.3f%% (%+.3f points; one-sided exact p = %.3g), still above the "
               "%.4g%% SLO", pb * 100, pc * 100, ch, pv, o->error_slo_pct);
    else
      snprintf(reason, sizeof reason, "%.3f%% -> %.3f%% (%+.3f points; one-sided exact p = %.3g)", pb * 100,
               pc * 100, ch, pv);
    json_t *f = finding(label, M_ERR, pb, pc, ch, lo * 100, hi * 100, breq, cs.requests, v, reason);
    json_object_set_new(f, "failed_baseline", json_integer((json_int_t)bfail));
    json_object_set_new(f, "failed_candidate", json_integer((json_int_t)cs.failed));
    json_object_set_new(f, "p_value", num(pv));
    json_array_append_new(arr, f);
  }
  for (size_t j = 0; j < nbase; j++)
    side_release(&bs[j]);
  free(bs);
  side_release(&cs);
}

static int selected(const char *label, const struct compare_opts *o) {
  if (!o->n_endpoints)
    return 1;
  for (size_t i = 0; i < o->n_endpoints; i++)
    if (!strcmp(o->endpoints[i], label) || (strcmp(label, "ALL") && strstr(label, o->endpoints[i])))
      return 1;
  return 0;
}

static void warn(json_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_t *w, const char *fmt, ...) {
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
static json_t *build_findings(struct rdata *base, size_t nbase, struct rdata *cand, const struct compare_opts *o,
                              const int *want, json_t *warnings, double *block_out) {
  double dmax = cand->dur;
  for (size_t j = 0; j < nbase; j++)
    if (base[j].dur > dmax)
      dmax = base[j].dur;
  double block_s = boot_block_seconds(dmax);
  if (block_out)
    *block_out = block_s;
  steady_window(cand, block_s);
  for (size_t j = 0; j < nbase; j++)
    steady_window(&base[j], block_s);
  json_t *arr = json_array();
  if (selected("ALL", o))
    endpoint_findings(base, nbase, cand, "ALL", want, o, block_s, arr);
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
        warn(warnings, "endpoint '%s' is not in baseline run '%s' (not compared)", label, base[j].info->name);
      }
    }
    if (everywhere)
      endpoint_findings(base, nbase, cand, label, want, o, block_s, arr);
  }
  for (size_t j = 0; j < nbase; j++)
    for (size_t k = 0; k < base[j].n_eps; k++) {
      const char *label = base[j].eps[k].label;
      int found = 0;
      for (size_t i = 0; i < cand->n_eps; i++)
        found |= !strcmp(cand->eps[i].label, label);
      if (!found && selected(label, o))
        warn(warnings, "endpoint '%s' of baseline run '%s' is not in the candidate (not compared)", label,
             base[j].info->name);
    }
  return arr;
}

static void shape_warnings(const struct rdata *b, const struct rdata *c, json_t *w) {
  const struct run_info *bi = b->info, *ci = c->info;
  if (strcmp(bi->scenario, ci->scenario))
    warn(w, "the runs have different scenarios ('%s' and '%s'): compared anyway", bi->scenario, ci->scenario);
  if (strcmp(bi->env, ci->env))
    warn(w, "the runs have different environments ('%s' and '%s')", bi->env, ci->env);
  if (*bi->k6_version && *ci->k6_version && strcmp(bi->k6_version, ci->k6_version))
    warn(w, "the runs were made by different k6 versions ('%s' and '%s')", bi->k6_version, ci->k6_version);
  if (differs(b->dur, c->dur, 0.10))
    warn(w, "the load shape differs: durations %.1f s and %.1f s", b->dur, c->dur);
  if (differs(b->iter_ms, c->iter_ms, 0.10))
    warn(w, "iterations took %.0f ms and %.0f ms on average: in a closed model throughput follows", b->iter_ms,
         c->iter_ms);
  if (differs(b->max_vus, c->max_vus, 0.10))
    warn(w, "the load shape differs: max VUs %.0f and %.0f", b->max_vus, c->max_vus);
  if (!b->samples || !c->samples)
    warn(w, "run '%s' has no per-request samples (ingest k6 NDJSON): changes cannot be tested, only reported",
         !b->samples ? bi->name : ci->name);
}

static json_t *run_ref(const struct run_info *r) {
  json_t *j = json_object();
  json_object_set_new(j, "id", json_integer((json_int_t)r->id));
  json_object_set_new(j, "name", json_string(r->name));
  json_object_set_new(j, "scenario", json_string(r->scenario));
  json_object_set_new(j, "env", json_string(r->env));
  return j;
}

static int history_runs(struct store *st, const struct run_info *cand, int k, int64_t **ids, size_t *n,
                        struct err *err) {
  *ids = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(
      st,
      "SELECT r.id FROM runs r WHERE r.scenario = ?1 AND r.env = ?2 AND r.id <> ?3 "
      " AND (SELECT c.verdict FROM check_results c WHERE c.run_id = r.id "
      "      ORDER BY c.checked_at DESC, c.rowid DESC LIMIT 1) = 'ok' "
      " AND (r.start_ts IS NULL OR ?4 IS NULL OR r.start_ts <= ?4) "
      "ORDER BY r.start_ts DESC, r.id DESC LIMIT ?5",
      err);
  if (!s)
    return -1;
  sqlite3_bind_text(s, 1, cand->scenario, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, cand->env, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, cand->id);
  if (isfinite(cand->start_ts))
    sqlite3_bind_double(s, 4, cand->start_ts);
  else
    sqlite3_bind_null(s, 4);
  sqlite3_bind_int(s, 5, k);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    XGROW(*ids, cap, *n + 1);
    (*ids)[(*n)++] = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    free(*ids);
    *ids = NULL;
    return store_fail(st, err, "cannot read check results");
  }
  return 0;
}

static json_t *k6_thresholds_failed(struct store *st, const struct run_info *r, struct err *err) {
  sqlite3_stmt *s = store_prepare(st, "SELECT metric, expression FROM thresholds WHERE run_id = ? AND ok = 0 "
                                      "AND source = 'k6' ORDER BY metric, expression", err);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, r->id);
  json_t *a = json_array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    json_t *t = json_object();
    json_object_set_new(t, "metric", json_string(store_col_text(s, 0)));
    json_object_set_new(t, "expression", json_string(store_col_text(s, 1)));
    json_array_append_new(a, t);
  }
  sqlite3_finalize(s);
  return a;
}

static const char *overall_verdict(json_t *findings) {
  for (size_t i = 0; i < json_array_size(findings); i++) {
    json_t *f = json_array_get(findings, i);
    if (json_is_true(json_object_get(f, "gated")) &&
        !strcmp(json_string_value(json_object_get(f, "verdict")), "regression"))
      return "regression";
  }
  return "ok";
}

int compare_build(struct store *st, const struct run_info *base, const struct run_info *cand,
                  const struct compare_opts *o, json_t **out, struct err *err) {
  int want[M_COUNT];
  *out = NULL;
  if (parse_metrics(o->metrics, want, err) < 0)
    return -1;
  if (!(o->threshold_pct >= 0))
    return err_set(err, LR_USAGE, "the threshold must be a percentage >= 0");
  struct rdata pinned, cd;
  struct rdata *hist = NULL;
  size_t nhist = 0;
  int rc = -1;
  json_t *warnings = json_array();
  if (load_run(st, base, &pinned, err) < 0) {
    rdata_release(&pinned);
    json_decref(warnings);
    return -1;
  }
  if (load_run(st, cand, &cd, err) < 0)
    goto done;
  if (o->history_k > 0) {
    int64_t *ids;
    size_t n;
    if (history_runs(st, cand, o->history_k, &ids, &n, err) < 0)
      goto done;
    hist = xcalloc(n ? n : 1, sizeof *hist);
    for (size_t i = 0; i < n; i++) {
      struct run_info ri;
      if (store_get_run(st, ids[i], &ri, err) < 0) {
        free(ids);
        goto done;
      }
      int lr = load_run(st, &ri, &hist[nhist], err);
      hist[nhist].own = ri;
      hist[nhist].info = &hist[nhist].own;
      nhist++;
      if (lr < 0) {
        free(ids);
        goto done;
      }
    }
    free(ids);
    if (nhist == 0)
      warn(warnings, "no earlier run of scenario '%s' passed 'loadrep check': using the pinned baseline '%s'",
           cand->scenario, base->name);
    else if ((int)nhist < o->history_k)
      warn(warnings, "only %zu earlier run%s passed 'loadrep check' (asked for %d)", nhist, nhist == 1 ? "" : "s",
           o->history_k);
  }
  if (base->id == cand->id)
    warn(warnings, "the baseline is the candidate run itself");
  shape_warnings(&pinned, &cd, warnings);
  for (size_t j = 0; j < nhist; j++)
    shape_warnings(&hist[j], &cd, warnings);

  double block_s = 1;
  json_t *findings;
  if (nhist) {
    findings = build_findings(hist, nhist, &cd, o, want, warnings, &block_s);
    json_t *tmpw = json_array();
    json_t *pf = build_findings(&pinned, 1, &cd, o, want, tmpw, NULL);
    json_decref(tmpw);
    for (size_t i = 0; i < json_array_size(findings); i++) {
      json_t *f = json_array_get(findings, i);
      const char *e = json_string_value(json_object_get(f, "endpoint"));
      const char *m = json_string_value(json_object_get(f, "metric"));
      for (size_t k = 0; k < json_array_size(pf); k++) {
        json_t *g = json_array_get(pf, k);
        if (strcmp(e, json_string_value(json_object_get(g, "endpoint"))) ||
            strcmp(m, json_string_value(json_object_get(g, "metric"))))
          continue;
        json_object_set(f, "pinned_baseline", json_object_get(g, "baseline"));
        json_object_set(f, "pinned_change_pct", json_object_get(g, "change_pct"));
        json_object_set(f, "pinned_verdict", json_object_get(g, "verdict"));
      }
    }
    json_decref(pf);
  } else {
    findings = build_findings(&pinned, 1, &cd, o, want, warnings, &block_s);
  }
  json_t *k6t = k6_thresholds_failed(st, cand, err);
  if (!k6t) {
    json_decref(findings);
    goto done;
  }
  json_t *doc = json_object();
  json_object_set_new(doc, "baseline", run_ref(base));
  json_object_set_new(doc, "candidate", run_ref(cand));
  json_object_set_new(doc, "threshold_pct", json_real(o->threshold_pct));
  json_object_set_new(doc, "verdict", json_string(overall_verdict(findings)));
  json_object_set_new(doc, "baseline_kind", json_string(nhist ? "history" : "pinned"));
  if (nhist) {
    json_t *h = json_array();
    for (size_t j = 0; j < nhist; j++)
      json_array_append_new(h, run_ref(hist[j].info));
    json_object_set_new(doc, "history_runs", h);
  }
  json_object_set_new(doc, "error_slo_pct", json_real(o->error_slo_pct));
  json_t *bt = json_object();
  json_object_set_new(bt, "method", json_string("block Poisson bootstrap, percentile interval"));
  json_object_set_new(bt, "block_s", json_real(block_s));
  json_object_set_new(bt, "basis", json_string("steady state: the VU plateau minus one block at each end"));
  json_t *win = json_object();
  json_t *wb = json_array(), *wc = json_array();
  json_array_append_new(wb, json_real(nhist ? hist[0].w0 : pinned.w0));
  json_array_append_new(wb, json_real(nhist ? hist[0].w1 : pinned.w1));
  json_array_append_new(wc, json_real(cd.w0));
  json_array_append_new(wc, json_real(cd.w1));
  json_object_set_new(win, "baseline", wb);
  json_object_set_new(win, "candidate", wc);
  json_object_set_new(bt, "window_s", win);
  json_object_set_new(bt, "level", json_real(LEVEL));
  char seedbuf[32];
  snprintf(seedbuf, sizeof seedbuf, "%llu", (unsigned long long)o->seed);
  json_object_set_new(bt, "seed", json_string(seedbuf));
  json_object_set_new(doc, "bootstrap", bt);
  json_t *counts = json_object();
  static const char *const verdicts[] = {"regression", "improvement", "unchanged", "inconclusive"};
  for (int v = 0; v < 4; v++) {
    json_int_t c = 0;
    for (size_t i = 0; i < json_array_size(findings); i++)
      c += !strcmp(json_string_value(json_object_get(json_array_get(findings, i), "verdict")), verdicts[v]);
    json_object_set_new(counts, verdicts[v], json_integer(c));
  }
  json_object_set_new(doc, "counts", counts);
  json_object_set_new(doc, "findings", findings);
  json_object_set(doc, "warnings", warnings);
  json_object_set_new(doc, "k6_thresholds_failed", k6t);
  *out = doc;
  rc = 0;
done:
  rdata_release(&pinned);
  rdata_release(&cd);
  for (size_t j = 0; j < nhist; j++)
    rdata_release(&hist[j]);
  free(hist);
  json_decref(warnings);
  return rc;
}

/* ---- rendering -------------------------------------------------------- */

static int metric_index(const char *name) {
  for (int m = 0; m < M_COUNT; m++)
    if (!strcmp(name, metric_names[m]))
      return m;
  return M_P95;
}

static double jnum(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *jstr(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static void fmt_change(char *buf, size_t len, int m, double ch) {
  if (!isfinite(ch))
    snprintf(buf, len, "-");
  else if (m == M_ERR)
    snprintf(buf, len, "%+.2f pt", ch);
  else
    snprintf(buf, len, "%+.1f%%", ch);
}

static void fmt_ci(char *buf, size_t len, int m, double lo, double hi) {
  if (!isfinite(lo) || !isfinite(hi))
    snprintf(buf, len, "-");
  else if (m == M_ERR)
    snprintf(buf, len, "[%+.2f, %+.2f] pt", lo, hi);
  else
    snprintf(buf, len, "[%+.1f%%, %+.1f%%]", lo, hi);
}

/* The cells of one finding row. */
enum { C_EP, C_METRIC, C_BASE, C_CAND, C_CHANGE, C_CI, C_N, C_VERDICT, C_COUNT };
static void row_cells(json_t *f, char cells[C_COUNT][96]) {
  int m = metric_index(jstr(f, "metric"));
  snprintf(cells[C_EP], 96, "%s", jstr(f, "endpoint"));
  snprintf(cells[C_METRIC], 96, "%s%s", jstr(f, "metric"), json_is_true(json_object_get(f, "gated")) ? "" : "*");
  fmt_value(cells[C_BASE], 96, m, jnum(f, "baseline"));
  fmt_value(cells[C_CAND], 96, m, jnum(f, "candidate"));
  fmt_change(cells[C_CHANGE], 96, m, jnum(f, "change_pct"));
  fmt_ci(cells[C_CI], 96, m, jnum(f, "ci_low_pct"), jnum(f, "ci_high_pct"));
  snprintf(cells[C_N], 96, "%lld/%lld", (long long)json_integer_value(json_object_get(f, "n_baseline")),
           (long long)json_integer_value(json_object_get(f, "n_candidate")));
  snprintf(cells[C_VERDICT], 96, "%s", jstr(f, "verdict"));
}

static const char *const headers[C_COUNT] = {"Endpoint", "Metric", "Baseline", "Candidate",
                                             "Change",   "95% CI (steady)", "n base/cand", "Verdict"};

static int any_ungated(json_t *findings) {
  for (size_t i = 0; i < json_array_size(findings); i++)
    if (!json_is_true(json_object_get(json_array_get(findings, i), "gated")))
      return 1;
  return 0;
}

void compare_render_md(json_t *cmp, struct strbuf *out) {
  json_t *b = json_object_get(cmp, "baseline"), *c = json_object_get(cmp, "candidate");
  const char *verdict = jstr(cmp, "verdict");
  strbuf_addf(out, "### loadrep: %s\n\n", !strcmp(verdict, "regression") ? "regression" : "no regression");
  strbuf_addstr(out, "Candidate ");
  esc_md_code(out, jstr(c, "name"));
  strbuf_addstr(out, " against ");
  strbuf_addstr(out, !strcmp(jstr(cmp, "baseline_kind"), "history") ? "the rolling baseline (pinned: " : "baseline ");
  esc_md_code(out, jstr(b, "name"));
  if (!strcmp(jstr(cmp, "baseline_kind"), "history"))
    strbuf_addch(out, ')');
  strbuf_addf(out, ", threshold %.4g%%.\n\n", jnum(cmp, "threshold_pct"));
  json_t *fs = json_object_get(cmp, "findings");
  if (json_array_size(fs)) {
    strbuf_addch(out, '|');
    for (int k = 0; k < C_COUNT; k++) {
      strbuf_addch(out, ' ');
      esc_md(out, headers[k]);
      strbuf_addstr(out, " |");
    }
    strbuf_addstr(out, "\n|---|---|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < json_array_size(fs); i++) {
      char cells[C_COUNT][96];
      json_t *f = json_array_get(fs, i);
      row_cells(f, cells);
      strbuf_addch(out, '|');
      for (int k = 0; k < C_COUNT; k++) {
        strbuf_addch(out, ' ');
        int strong = k == C_VERDICT && !strcmp(cells[k], "regression");
        if (strong)
          strbuf_addstr(out, "**");
        esc_md(out, cells[k]);
        if (strong)
          strbuf_addstr(out, "**");
        strbuf_addstr(out, " |");
      }
      strbuf_addch(out, '\n');
    }
    if (any_ungated(fs))
      strbuf_addstr(out, "\n\\* warns only (not gated).\n");
  } else {
    strbuf_addstr(out, "No findings.\n");
  }
  json_t *k6t = json_object_get(cmp, "k6_thresholds_failed");
  json_t *w = json_object_get(cmp, "warnings");
  if (json_array_size(k6t) || json_array_size(w))
    strbuf_addch(out, '\n');
  for (size_t i = 0; i < json_array_size(k6t); i++) {
    json_t *t = json_array_get(k6t, i);
    strbuf_addstr(out, "- k6 threshold failed in the candidate: ");
    esc_md_code(out, jstr(t, "metric"));
    strbuf_addch(out, ' ');
    esc_md_code(out, jstr(t, "expression"));
    strbuf_addch(out, '\n');
  }
  for (size_t i = 0; i < json_array_size(w); i++) {
    strbuf_addstr(out, "- warning: ");
    esc_md(out, json_string_value(json_array_get(w, i)));
    strbuf_addch(out, '\n');
  }
}

void compare_render_text(json_t *cmp, struct strbuf *out) {
  json_t *b = json_object_get(cmp, "baseline"), *c = json_object_get(cmp, "candidate");
  json_t *fs = json_object_get(cmp, "findings");
  size_t n = json_array_size(fs);
  strbuf_addstr(out, "candidate ");
  esc_term(out, jstr(c, "name"));
  strbuf_addstr(out, !strcmp(jstr(cmp, "baseline_kind"), "history") ? " vs rolling baseline (pinned " : " vs baseline ");
  esc_term(out, jstr(b, "name"));
  if (!strcmp(jstr(cmp, "baseline_kind"), "history"))
    strbuf_addch(out, ')');
  strbuf_addf(out, ", threshold %.4g%%\n\n", jnum(cmp, "threshold_pct"));
  char(*cells)[C_COUNT][96] = xmalloc((n ? n : 1) * sizeof *cells);
  size_t width[C_COUNT];
  for (int k = 0; k < C_COUNT; k++)
    width[k] = strlen(headers[k]);
  for (size_t i = 0; i < n; i++) {
    row_cells(json_array_get(fs, i), cells[i]);
    for (int k = 0; k < C_COUNT; k++)
      if (strlen(cells[i][k]) > width[k])
        width[k] = strlen(cells[i][k]);
  }
  for (int k = 0; k < C_COUNT; k++) {
    int right = k >= C_BASE && k <= C_N;
    if (k + 1 == C_COUNT)
      strbuf_addf(out, "%s\n", headers[k]);
    else
      strbuf_addf(out, right ? "%*s  " : "%-*s  ", (int)width[k], headers[k]);
  }
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < C_COUNT; k++) {
      struct strbuf cell = STRBUF_INIT;
      esc_term(&cell, cells[i][k]);
      int right = k >= C_BASE && k <= C_N;
      if (k + 1 == C_COUNT)
        strbuf_addf(out, "%s\n", cell.buf);
      else
        strbuf_addf(out, right ? "%*s  " : "%-*s  ", (int)width[k], cell.buf);
      strbuf_release(&cell);
    }
  free(cells);
  if (any_ungated(fs))
    strbuf_addstr(out, "(* warns only, not gated)\n");
  json_t *k6t = json_object_get(cmp, "k6_thresholds_failed");
  for (size_t i = 0; i < json_array_size(k6t); i++) {
    json_t *t = json_array_get(k6t, i);
    strbuf_addstr(out, "k6 threshold failed in the candidate: ");
    esc_term(out, jstr(t, "metric"));
    strbuf_addch(out, ' ');
    esc_term(out, jstr(t, "expression"));
    strbuf_addch(out, '\n');
  }
  json_t *w = json_object_get(cmp, "warnings");
  for (size_t i = 0; i < json_array_size(w); i++) {
    strbuf_addstr(out, "warning: ");
    esc_term(out, json_string_value(json_array_get(w, i)));
    strbuf_addch(out, '\n');
  }
  json_t *cnt = json_object_get(cmp, "counts");
  strbuf_addf(out, "\nverdict: %s (%lld regression, %lld improvement, %lld unchanged, %lld inconclusive)\n",
              jstr(cmp, "verdict"), (long long)json_integer_value(json_object_get(cnt, "regression")),
              (long long)json_integer_value(json_object_get(cnt, "improvement")),
              (long long)json_integer_value(json_object_get(cnt, "unchanged")),
              (long long)json_integer_value(json_object_get(cnt, "inconclusive")));
}
