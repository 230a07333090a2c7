#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/capacity.h"
#include "analysis/compare.h"
#include "analysis/compare_load.h"
#include "analysis/show.h"
#include "analysis/slo.h"
#include "ingest/endpoint.h"
#include "stats/binomial.h"
#include "stats/bootstrap.h"
#include "store/samples.h"
#include "store/store_scenarios.h"
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

/* p50..avg are k6's http_req_duration (every request, as k6 prints it);
 * ok_p95 is http_req_duration{expected_response:true} (successful requests). */
enum metric { M_P50, M_P95, M_P99, M_AVG, M_OKP95, M_RPS, M_ERR, M_COUNT };
static const char *const metric_names[M_COUNT] = {"p50", "p95", "p99", "avg", "ok_p95", "rps", "error_rate"};
static const int metric_gated[M_COUNT] = {0, 1, 0, 0, 0, 1, 1};
enum { NLAT = 5 }; /* latency metrics, in the order above */

void compare_opts_init(struct compare_opts *o) {
  memset(o, 0, sizeof *o);
  o->threshold_pct = 20;
  o->seed = UINT64_C(0x6c6f616472657021); /* "loadrep!" */
}

static int metric_by_name(const char *s, size_t len) {
  static const struct {
    const char *name;
    int m;
  } alias[] = {{"p50", M_P50}, {"med", M_P50},      {"median", M_P50},     {"p95", M_P95},
               {"p99", M_P99}, {"avg", M_AVG},      {"mean", M_AVG},       {"rps", M_RPS},
               {"throughput", M_RPS}, {"error_rate", M_ERR}, {"errors", M_ERR}, {"error", M_ERR},
               {"err", M_ERR}, {"ok_p95", M_OKP95}};
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
                       "option '--metric': unknown metric '%.*s' (expected p50, p95, p99, avg, ok_p95, rps, error_rate)",
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

/* ---- loading runs ----------------------------------------------------- */

struct ep {
  char *method, *name, *label;
  uint64_t requests, failed;
  struct sample *s; /* every request (NULL without samples) */
  size_t ns;
  double agg[NLAT]; /* p50 p95 p99 avg of every request, p95 of successful ones (aggregates) */
  uint64_t agg_n, agg_ok_n;
};

struct rdata {
  const struct run_info *info;
  struct run_info own; /* history runs are loaded here */
  double dur;          /* k6's test-run duration, else the sample span */
  double span;         /* covers every sample time */
  double max_vus;
  double iter_ms;      /* mean iteration duration; NaN when unknown */
  double w0, w1;       /* window of the findings (seconds since start): the whole run */
  struct load_profile load;
  struct scenario *sc; /* the run's k6 scenarios (store_scenarios_of) */
  size_t nsc;
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
  load_profile_release(&r->load);
  store_scenarios_free(r->sc, r->nsc);
  if (r->own.name)
    run_info_release(&r->own);
  memset(r, 0, sizeof *r);
}

static int load_profile_of(struct store *st, struct rdata *r, struct err *err);
static void finish_all(struct rdata *r);

static int load_run(struct store *st, const struct run_info *info, struct rdata *r, struct err *err) {
  memset(r, 0, sizeof *r);
  r->info = info;
  r->samples = info->has_samples ? 1 : 0;
  sqlite3_stmt *s = store_prepare(
      st,
      "SELECT e.id, e.method, e.name, e.requests, e.failed, s.data, "
      " m.count, m.med, m.p95, m.p99, m.avg, k.p95, k.count "
      "FROM endpoints e LEFT JOIN samples s ON s.endpoint_id = e.id "
      "LEFT JOIN endpoint_metrics m ON m.endpoint_id = e.id AND m.metric = 'http_req_duration' "
      " AND m.scope = 'all' "
      "LEFT JOIN endpoint_metrics k ON k.endpoint_id = e.id AND k.metric = 'http_req_duration' "
      " AND k.scope = 'ok' "
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
    e->agg[M_OKP95] = store_col_double(s, 11);
    e->agg_ok_n = (uint64_t)sqlite3_column_int64(s, 12);
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

  /* ALL: every endpoint together; whole-run aggregates from the metrics
   * table when there are no samples. */
  finish_all(r);
  sqlite3_stmt *m = store_prepare(st, "SELECT name, count, med, p95, p99, avg FROM metrics WHERE run_id = ? "
                                      "AND name IN ('http_req_duration', 'http_req_duration{expected_response:true}')",
                                  err);
  if (!m)
    return -1;
  sqlite3_bind_int64(m, 1, info->id);
  while (sqlite3_step(m) == SQLITE_ROW) {
    if (!strcmp(store_col_text(m, 0), "http_req_duration")) {
      r->all.agg_n = (uint64_t)sqlite3_column_int64(m, 1);
      for (int k = 0; k < 4; k++)
        r->all.agg[k] = store_col_double(m, 2 + k);
    } else {
      r->all.agg_ok_n = (uint64_t)sqlite3_column_int64(m, 1);
      r->all.agg[M_OKP95] = store_col_double(m, 3);
    }
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

  r->max_vus = r->iter_ms = NAN;
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
  if (store_scenarios_of(st, info->id, &r->sc, &r->nsc, err) < 0)
    return -1;
  if (load_profile_of(st, r, err) < 0)
    return -1;
  r->load.executor = r->nsc == 1 ? r->sc[0].executor : NULL;
  return 0;
}

/* The run's figures over the endpoints `eps` (already filled): ALL and the
 * request mix. */
static void finish_all(struct rdata *r) {
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
  for (int k = 0; k < NLAT; k++)
    r->all.agg[k] = NAN;
}

/* One k6 scenario of a loaded run as a run of its own: its endpoints and
 * samples, the run's duration and VU profile, the scenario's executor and
 * request mix. */
static int load_scenario(struct store *st, const struct rdata *whole, const struct scenario *sc, struct rdata *r,
                         struct err *err) {
  memset(r, 0, sizeof *r);
  r->info = whole->info;
  r->samples = whole->samples;
  r->dur = whole->dur;
  r->span = whole->span;
  r->max_vus = whole->max_vus;
  r->iter_ms = NAN;
  r->eps = xcalloc(sc->n_eps ? sc->n_eps : 1, sizeof *r->eps);
  for (size_t i = 0; i < sc->n_eps; i++) {
    const struct scenario_endpoint *se = &sc->eps[i];
    struct ep *e = &r->eps[r->n_eps++];
    e->method = xstrdup(se->method);
    e->name = xstrdup(se->name);
    e->label = endpoint_label(e->method, e->name);
    e->requests = (uint64_t)se->requests;
    e->failed = (uint64_t)se->failed;
    e->agg[M_P50] = se->all.med;
    e->agg[M_P95] = se->all.p95;
    e->agg[M_P99] = se->all.p99;
    e->agg[M_AVG] = se->all.avg;
    e->agg[M_OKP95] = se->ok.p95;
    e->agg_n = (uint64_t)se->all.count;
    e->agg_ok_n = (uint64_t)se->ok.count;
    if (r->samples && store_scenario_samples(st, se, &e->s, &e->ns, err) < 0)
      return -1;
  }
  finish_all(r);
  struct load_profile *p = &r->load;
  *p = whole->load;
  p->think_ms = NAN;
  p->iter_ms = NAN;
  p->executor = sc->executor;
  p->n_mix = r->n_eps;
  p->mix_label = xcalloc(r->n_eps ? r->n_eps : 1, sizeof *p->mix_label);
  p->mix_share = xcalloc(r->n_eps ? r->n_eps : 1, sizeof *p->mix_share);
  for (size_t i = 0; i < r->n_eps; i++) {
    p->mix_label[i] = r->eps[i].label;
    p->mix_share[i] = r->all.requests ? (double)r->eps[i].requests / (double)r->all.requests : NAN;
  }
  return 0;
}

/* The load the run put on the service: VU profile, think time, request mix. */
static int load_profile_of(struct store *st, struct rdata *r, struct err *err) {
  struct load_profile *p = &r->load;
  memset(p, 0, sizeof *p);
  p->duration_s = r->dur;
  p->max_vus = r->max_vus;
  p->iter_ms = r->iter_ms;
  p->think_ms = NAN;
  double sum[LOAD_CURVE_N] = {0}, cnt[LOAD_CURVE_N] = {0}, plateau = 0, iterations = 0;
  sqlite3_stmt *v = store_prepare(st, "SELECT t, vus, iterations FROM buckets WHERE run_id = ? "
                                      "AND endpoint_id IS NULL ORDER BY t", err);
  if (!v)
    return -1;
  sqlite3_bind_int64(v, 1, r->info->id);
  while (sqlite3_step(v) == SQLITE_ROW) {
    double t = sqlite3_column_double(v, 0), vus = store_col_double(v, 1);
    iterations += sqlite3_column_double(v, 2);
    if (!isfinite(vus) || !(r->dur > 0))
      continue;
    int i = (int)floor(t / r->dur * LOAD_CURVE_N);
    if (i >= LOAD_CURVE_N)
      i = LOAD_CURVE_N - 1;
    if (i < 0)
      i = 0;
    sum[i] += vus;
    cnt[i] += 1;
    plateau += vus >= 0.95 * r->max_vus;
  }
  sqlite3_finalize(v);
  for (int i = 0; i < LOAD_CURVE_N; i++)
    p->curve[i] = cnt[i] > 0 ? sum[i] / cnt[i] : NAN;
  p->ramp = r->max_vus > 0 && plateau < 0.5 * r->dur;
  if (r->samples && iterations > 0 && r->iter_ms > 0) {
    double dsum = 0;
    for (size_t i = 0; i < r->all.ns; i++)
      dsum += r->all.s[i].dur_ms;
    p->think_ms = r->iter_ms - dsum / iterations;
  }
  p->n_mix = r->n_eps;
  p->mix_label = xcalloc(r->n_eps ? r->n_eps : 1, sizeof *p->mix_label);
  p->mix_share = xcalloc(r->n_eps ? r->n_eps : 1, sizeof *p->mix_share);
  for (size_t i = 0; i < r->n_eps; i++) {
    p->mix_label[i] = r->eps[i].label;
    p->mix_share[i] = r->all.requests ? (double)r->eps[i].requests / (double)r->all.requests : NAN;
  }
  return 0;
}

/* The window of a run the findings are computed over: the whole run, so that
 * every printed value is k6's own and the interval belongs to that value
 * (the all-weights-one replicate of the bootstrap is the printed estimate). */
static void run_window(struct rdata *r) {
  r->w0 = 0;
  r->w1 = r->span;
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
    sd->n_dur = e->agg_n;
    sd->n_ok = e->agg_ok_n;
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
  if (!c->comparable && enough && isfinite(r)) {
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
  if (!c->comparable && enough && isfinite(r)) {
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
        warn(warnings, "endpoint '%s' is not in baseline run '%s' (not compared)", label, base[j].info->name);
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

json_t *compare_k6_failed(struct store *st, const struct run_info *r, struct err *err) {
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

static int has_verdict(json_t *arr, const char *verdict, int gated_only) {
  for (size_t i = 0; i < json_array_size(arr); i++) {
    json_t *f = json_array_get(arr, i);
    if (gated_only && !json_is_true(json_object_get(f, "gated")))
      continue;
    const char *v = json_string_value(json_object_get(f, "verdict"));
    if (v && !strcmp(v, verdict))
      return 1;
  }
  return 0;
}

/* The overall verdict, by the rule docs/methods.md writes down: a gated
 * regression, else a missed objective, else an incomplete candidate, else the relative comparison was not
 * possible (loads differ and no capacity comparison), else ok. */
static const char *overall_verdict(json_t *findings, json_t *scenarios, json_t *objectives, int complete,
                                   int comparable, int capacity_compared) {
  if (has_verdict(findings, "regression", 1))
    return "regression";
  for (size_t i = 0; i < json_array_size(scenarios); i++)
    if (has_verdict(json_object_get(json_array_get(scenarios, i), "findings"), "regression", 1))
      return "regression";
  if (has_verdict(objectives, "slo_breach", 0))
    return "slo_breach";
  if (complete == 0)
    return "incomplete";
  if (!comparable && !capacity_compared)
    return "not_comparable";
  return "ok";
}

/* Capacity of both runs when either ramps, as matched levels, the capacity
 * pair and a gated capacity finding (users within the SLO). */
static int capacity_section(struct store *st, const struct compare_opts *o, struct rdata *b, struct rdata *c,
                            json_t *doc, json_t *findings, json_t **cap_cand, struct err *err) {
  struct capacity_opts cb, cc;
  json_t *capb = NULL, *capc = NULL;
  *cap_cand = NULL;
  if (compare_capacity_opts(st, b->info, o->slo, &cb, err) < 0 || compare_capacity_opts(st, c->info, o->slo, &cc, err) < 0)
    return -1;
  /* One objective for both sides: the candidate's. */
  cb.slo_p95_ms = cc.slo_p95_ms;
  cb.slo_error_rate = cc.slo_error_rate;
  struct err e1 = ERR_INIT, e2 = ERR_INIT;
  if (capacity_build(st, b->info, &cb, &capb, &e1) < 0 || capacity_build(st, c->info, &cc, &capc, &e2) < 0) {
    json_decref(capb);
    json_object_set_new(doc, "levels", json_array());
    json_object_set_new(doc, "capacity", json_null());
    return 0; /* too few samples for capacity: the pair stays not comparable */
  }
  json_object_set_new(doc, "levels", load_matched_levels(capb, capc));
  json_t *pair = load_capacity_pair(capb, capc);
  json_t *pb = json_object_get(pair, "baseline"), *pc = json_object_get(pair, "candidate");
  double ub = json_number_value(json_object_get(pb, "max_users_within_slo"));
  double uc = json_number_value(json_object_get(pc, "max_users_within_slo"));
  double bl = json_number_value(json_object_get(pb, "users_low")), bh = json_number_value(json_object_get(pb, "users_high"));
  double cl = json_number_value(json_object_get(pc, "users_low")), ch = json_number_value(json_object_get(pc, "users_high"));
  if (!json_is_number(json_object_get(pc, "users_high")))
    ch = NAN; /* the candidate held its SLO to the end: no upper bound */
  if (!json_is_number(json_object_get(pb, "users_high")))
    bh = NAN;
  int both_open = json_is_true(json_object_get(pb, "users_at_least")) && json_is_true(json_object_get(pc, "users_at_least"));
  if (ub > 0 && uc > 0 && !both_open) {
    /* The interval of the users ratio from the two brackets, its widest reading. */
    /* An open side (its SLO held to its last level) leaves that end open. */
    double lo = bh > 0 && cl > 0 ? cl / bh : isnan(bh) && cl > 0 ? 0 : NAN;
    double hi = bl > 0 && ch > 0 ? ch / bl : INFINITY;
    double r = uc / ub;
    const char *v = compare_classify(r, lo, hi, 1, o->threshold_pct, 0);
    char reason[512];
    snprintf(reason, sizeof reason, "users within the SLO: %.0f (bracket %.0f-%.0f) -> %.0f (bracket %.0f-%.0f), "
             "x%.2f; interval from the brackets [%+.1f%%, %+.1f%%]", ub, bl, bh, uc, cl, ch, r, (lo - 1) * 100,
             (hi - 1) * 100);
    json_t *f = json_object();
    json_object_set_new(f, "endpoint", json_string("ALL"));
    json_object_set_new(f, "metric", json_string("max_users"));
    json_object_set_new(f, "baseline", json_real(ub));
    json_object_set_new(f, "candidate", json_real(uc));
    json_object_set_new(f, "change_pct", json_real((r - 1) * 100));
    json_object_set_new(f, "ci_low_pct", num((lo - 1) * 100));
    json_object_set_new(f, "ci_high_pct", num((hi - 1) * 100));
    json_object_set_new(f, "n_baseline", json_integer(0));
    json_object_set_new(f, "n_candidate", json_integer(0));
    json_object_set_new(f, "verdict", json_string(v));
    json_object_set_new(f, "gated", json_true());
    json_object_set_new(f, "unit", json_string("users"));
    json_object_set_new(f, "reason", json_string(reason));
    json_object_set_new(f, "n_needed", json_null());
    json_object_set_new(f, "basis", json_string("capacity: max users within the SLO, from the two ramps"));
    json_array_append_new(findings, f);
  }
  json_object_set_new(doc, "capacity", pair);
  json_decref(capb);
  *cap_cand = capc;
  return 0;
}

/* Runs with several k6 scenarios: each scenario of the candidate against the
 * baseline's scenario of the same name, as a comparison of its own. */
static int scenario_section(struct store *st, const struct compare_opts *o, const int *want, struct rdata *b,
                            struct rdata *c, json_t *doc, json_t *warnings, struct err *err) {
  if (b->nsc <= 1 && c->nsc <= 1)
    return 0;
  json_t *arr = json_array();
  for (size_t i = 0; i < c->nsc; i++) {
    const struct scenario *cs = &c->sc[i], *bsc = NULL;
    for (size_t k = 0; k < b->nsc; k++)
      if (!strcmp(b->sc[k].name, cs->name))
        bsc = &b->sc[k];
    if (!bsc) {
      warn(warnings, "scenario '%s' is not in the baseline (not compared)", cs->name);
      continue;
    }
    struct rdata rb, rc;
    memset(&rc, 0, sizeof rc);
    if (load_scenario(st, b, bsc, &rb, err) < 0 || load_scenario(st, c, cs, &rc, err) < 0) {
      rdata_release(&rb);
      rdata_release(&rc);
      json_decref(arr);
      return -1;
    }
    int comparable;
    json_t *load = load_compare(&rb.load, &rc.load, &comparable);
    json_t *one = json_object();
    json_object_set_new(one, "name", json_string(cs->name));
    json_object_set_new(one, "load", load);
    json_object_set_new(one, "findings", build_findings(&rb, 1, &rc, o, want, comparable, warnings, NULL));
    json_array_append_new(arr, one);
    rb.info = rc.info = NULL;
    rdata_release(&rb);
    rdata_release(&rc);
  }
  for (size_t k = 0; k < b->nsc; k++) {
    int found = 0;
    for (size_t i = 0; i < c->nsc; i++)
      found |= !strcmp(b->sc[k].name, c->sc[i].name);
    if (!found)
      warn(warnings, "scenario '%s' of the baseline is not in the candidate (not compared)", b->sc[k].name);
  }
  json_object_set_new(doc, "scenarios", arr);
  return 0;
}

static json_t *bootstrap_json(double block_s, const struct rdata *b, const struct rdata *c, uint64_t seed) {
  json_t *bt = json_object();
  json_object_set_new(bt, "method", json_string("block Poisson bootstrap, percentile interval"));
  json_object_set_new(bt, "block_s", json_real(block_s));
  json_object_set_new(bt, "basis", json_string("the whole run, the same samples as the printed values"));
  json_t *win = json_object();
  json_object_set_new(win, "baseline", json_pack("[f,f]", b->w0, b->w1));
  json_object_set_new(win, "candidate", json_pack("[f,f]", c->w0, c->w1));
  json_object_set_new(bt, "window_s", win);
  json_object_set_new(bt, "level", json_real(LEVEL));
  char seedbuf[32];
  snprintf(seedbuf, sizeof seedbuf, "%llu", (unsigned long long)seed);
  json_object_set_new(bt, "seed", json_string(seedbuf));
  return bt;
}

static json_t *counts_json(json_t *findings, json_t *objectives) {
  json_t *counts = json_object();
  static const char *const verdicts[] = {"regression", "improvement", "unchanged", "inconclusive", "not_comparable"};
  for (size_t v = 0; v < sizeof verdicts / sizeof *verdicts; v++) {
    json_int_t c = 0;
    for (size_t i = 0; i < json_array_size(findings); i++)
      c += !strcmp(json_string_value(json_object_get(json_array_get(findings, i), "verdict")), verdicts[v]);
    json_object_set_new(counts, verdicts[v], json_integer(c));
  }
  json_int_t br = 0;
  for (size_t i = 0; i < json_array_size(objectives); i++)
    br += !strcmp(json_string_value(json_object_get(json_array_get(objectives, i), "verdict")), "slo_breach");
  json_object_set_new(counts, "slo_breach", json_integer(br));
  return counts;
}

/* Loads the rolling baseline's runs; warns when fewer than asked. */
static int load_history(struct store *st, const struct run_info *base, const struct run_info *cand,
                        const struct compare_opts *o, struct rdata **hist, size_t *nhist, json_t *warnings,
                        struct err *err) {
  int64_t *ids;
  size_t n;
  *hist = NULL;
  *nhist = 0;
  if (o->history_k <= 0)
    return 0;
  if (history_runs(st, cand, o->history_k, &ids, &n, err) < 0)
    return -1;
  *hist = xcalloc(n ? n : 1, sizeof **hist);
  for (size_t i = 0; i < n; i++) {
    struct run_info ri;
    if (store_get_run(st, ids[i], &ri, err) < 0) {
      free(ids);
      return -1;
    }
    struct rdata *h = &(*hist)[*nhist];
    int lr = load_run(st, &ri, h, err);
    h->own = ri;
    h->info = &h->own;
    (*nhist)++;
    if (lr < 0) {
      free(ids);
      return -1;
    }
  }
  free(ids);
  if (*nhist == 0)
    warn(warnings, "no earlier run of scenario '%s' passed 'loadrep check': using the pinned baseline '%s'",
         cand->scenario, base->name);
  else if ((int)*nhist < o->history_k)
    warn(warnings, "only %zu earlier run%s passed 'loadrep check' (asked for %d)", *nhist, *nhist == 1 ? "" : "s",
         o->history_k);
  return 0;
}

/* Adds the pinned baseline's values to each finding against a rolling one. */
static void add_pinned(json_t *findings, json_t *pf) {
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
}

static json_t *run_ref_full(const struct run_info *r, const struct rdata *d) {
  json_t *j = run_ref(r);
  json_object_set_new(j, "complete", r->complete < 0 ? json_null() : json_boolean(r->complete));
  if (r->incomplete_reason && *r->incomplete_reason)
    json_object_set_new(j, "incomplete_reason", json_string(r->incomplete_reason));
  json_object_set_new(j, "requests", json_integer((json_int_t)d->all.requests));
  return j;
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
  json_t *warnings = json_array(), *doc = json_object(), *findings = NULL, *cap_cand = NULL;
  memset(&cd, 0, sizeof cd);
  if (load_run(st, base, &pinned, err) < 0 || load_run(st, cand, &cd, err) < 0)
    goto done;
  if (load_history(st, base, cand, o, &hist, &nhist, warnings, err) < 0)
    goto done;
  if (base->id == cand->id)
    warn(warnings, "the baseline is the candidate run itself");
  shape_warnings(&pinned, &cd, warnings);
  for (size_t j = 0; j < nhist; j++)
    shape_warnings(&hist[j], &cd, warnings);
  if (cand->complete == 0)
    warn(warnings, "the candidate run is incomplete (%s): its figures cover only what it ran",
         cand->incomplete_reason ? cand->incomplete_reason : "stopped early");
  if (base->complete == 0)
    warn(warnings, "the baseline run is incomplete (%s)", base->incomplete_reason ? base->incomplete_reason : "stopped early");

  int comparable;
  json_t *load = load_compare(nhist ? &hist[0].load : &pinned.load, &cd.load, &comparable);
  for (size_t j = 1; j < nhist; j++) {
    int cj;
    json_decref(load_compare(&hist[j].load, &cd.load, &cj));
    comparable = comparable && cj;
  }
  double block_s = 1;
  findings = build_findings(nhist ? hist : &pinned, nhist ? nhist : 1, &cd, o, want, comparable, warnings, &block_s);
  if (nhist) {
    json_t *tmpw = json_array();
    json_t *pf = build_findings(&pinned, 1, &cd, o, want, comparable, tmpw, NULL);
    add_pinned(findings, pf);
    json_decref(tmpw);
    json_decref(pf);
  }
  json_object_set_new(doc, "baseline", run_ref_full(base, &pinned));
  json_object_set_new(doc, "candidate", run_ref_full(cand, &cd));
  json_object_set_new(doc, "threshold_pct", json_real(o->threshold_pct));
  json_object_set_new(doc, "load", load);
  int capacity_compared = 0;
  if ((pinned.load.ramp || cd.load.ramp) && pinned.samples && cd.samples) {
    if (capacity_section(st, o, &pinned, &cd, doc, findings, &cap_cand, err) < 0)
      goto done;
    capacity_compared = json_is_object(json_object_get(doc, "capacity"));
  }
  if (scenario_section(st, o, want, &pinned, &cd, doc, warnings, err) < 0)
    goto done;
  json_t *k6t = compare_k6_failed(st, cand, err);
  if (!k6t)
    goto done;
  json_t *objectives = json_array();
  if (!o->no_slo) {
    json_decref(objectives);
    if (compare_objectives(st, cand, o->slo, cd.load.ramp, cap_cand, k6t, &objectives, err) < 0) {
      json_decref(k6t);
      goto done;
    }
  }
  json_object_set_new(doc, "verdict", json_string(overall_verdict(findings, json_object_get(doc, "scenarios"), objectives, cand->complete, comparable,
                                                                  capacity_compared)));
  json_object_set_new(doc, "baseline_kind", json_string(nhist ? "history" : "pinned"));
  if (nhist) {
    json_t *h = json_array();
    for (size_t j = 0; j < nhist; j++)
      json_array_append_new(h, run_ref(hist[j].info));
    json_object_set_new(doc, "history_runs", h);
  }
  json_object_set_new(doc, "bootstrap", bootstrap_json(block_s, nhist ? &hist[0] : &pinned, &cd, o->seed));
  json_object_set_new(doc, "counts", counts_json(findings, objectives));
  json_object_set_new(doc, "findings", findings);
  findings = NULL;
  json_object_set_new(doc, "objectives", objectives);
  json_object_set(doc, "warnings", warnings);
  json_object_set_new(doc, "k6_thresholds_failed", k6t);
  *out = doc;
  doc = NULL;
  rc = 0;
done:
  json_decref(doc);
  json_decref(findings);
  json_decref(cap_cand);
  rdata_release(&pinned);
  rdata_release(&cd);
  for (size_t j = 0; j < nhist; j++)
    rdata_release(&hist[j]);
  free(hist);
  json_decref(warnings);
  return rc;
}
