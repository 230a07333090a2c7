/* levels.c - load levels of a ramp run and their SLO analysis (see levels.h,
 * METHODS.md §5.1-5.4). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/levels.h"
#include "analysis/slo.h"
#include "stats/fit.h"
#include "store/samples.h"
#include "store/store.h"
#include "store/store_errors.h"
#include "store/store_levels.h"
#include "util/cmp.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MIN_WINDOW_REQUESTS 200
#define CAP_KNEE_EFFICIENCY 0.8
#define CAP_RETRO_FRACTION 0.9

void capacity_opts_init(struct capacity_opts *o) {
  o->slo_p95_ms = 2000;
  o->slo_error_rate = 0.01;
  o->window_s = 10;
  o->target_users = 1000;
  o->slos = NULL;
  o->target_from_cli = 0;
  o->brief = 0;
}

/* ------------------------------------------------------------- SLO text */

int capacity_parse_slo(const char *text, struct capacity_opts *o, struct err *err) {
  double p95, er;
  if (slo_parse_text(text, &p95, &er, err) < 0)
    return -1;
  if (isfinite(p95))
    o->slo_p95_ms = p95;
  if (isfinite(er))
    o->slo_error_rate = er;
  return 0;
}

/* ------------------------------------------------------------- loading */

void cap_data_release(struct cap_data *d) {
  for (size_t i = 0; i < d->nlv; i++)
    free(d->lv[i].ok_dur);
  free(d->lv);
  for (size_t i = 0; i < d->nep; i++) {
    free(d->ep[i].method);
    free(d->ep[i].name);
    free(d->ep[i].s);
  }
  free(d->ep);
  free(d->sec_req);
  free(d->sec_fail);
  free(d->sec_vus);
  memset(d, 0, sizeof *d);
}

struct sec_row {
  long req, fail, ok, iters;
  double dur_sum, iter_dur_sum, vus;
  double phase[CAP_NPHASES];
  int has_vus;
};

static int load_endpoints(struct store *st, const struct run_info *run, struct cap_data *d,
                          struct err *err) {
  struct store_ep_samples *es;
  size_t n;
  if (store_ep_samples_of(st, run->id, &es, &n, err) < 0)
    return -1;
  d->ep = xcalloc(n ? n : 1, sizeof *d->ep);
  for (size_t i = 0; i < n; i++) {
    struct cap_endpoint *e = &d->ep[d->nep++];
    e->id = es[i].id;
    e->method = es[i].method;
    e->name = es[i].name;
    e->s = es[i].s;
    e->n = es[i].n;
    es[i].method = es[i].name = NULL;
    es[i].s = NULL;
  }
  store_ep_samples_free(es, n);
  return 0;
}

static int load_seconds(struct store *st, const struct run_info *run, struct sec_row **out, size_t *n,
                        struct err *err) {
  struct store_bucket *bk;
  size_t nbk;
  if (store_run_buckets(st, run->id, &bk, &nbk, err) < 0)
    return -1;
  struct sec_row *rows = NULL;
  size_t cap = 0, len = 0;
  for (size_t i = 0; i < nbk; i++) {
    const struct store_bucket *b = &bk[i];
    long t = (long)b->t;
    if (t < 0 || t > 10L * 24 * 3600)
      continue;
    if ((size_t)t >= len) {
      XGROW(rows, cap, (size_t)t + 1);
      memset(rows + len, 0, ((size_t)t + 1 - len) * sizeof *rows);
      len = (size_t)t + 1;
    }
    struct sec_row *r = &rows[t];
    r->req += (long)b->requests;
    r->fail += (long)b->failures;
    r->ok += (long)b->ok_count;
    r->dur_sum += b->dur_sum;
    for (int p = 0; p < CAP_NPHASES; p++)
      r->phase[p] += b->phase_sum[p];
    if (!isnan(b->vus)) {
      if (!r->has_vus || b->vus > r->vus)
        r->vus = b->vus;
      r->has_vus = 1;
    }
    r->iters += (long)b->iterations;
    r->iter_dur_sum += b->iter_dur_sum;
  }
  free(bk);
  *out = rows;
  *n = len;
  return 0;
}

/* Cuts the per-second rows into windows of o->window_s, merged forward until
 * each holds MIN_WINDOW_REQUESTS; a short or thin tail is no level. */
static void build_windows(struct cap_data *d, const struct sec_row *sec, size_t nsec, double window_s) {
  long step = lround(window_s);
  if (step < 1)
    step = 1;
  size_t cap = 0, t = 0;
  while (t < nsec) {
    size_t end = t;
    long req = 0;
    do {
      size_t e2 = end + (size_t)step;
      if (e2 > nsec)
        e2 = nsec;
      for (size_t k = end; k < e2; k++)
        req += sec[k].req;
      end = e2;
    } while (req < MIN_WINDOW_REQUESTS && end < nsec);
    if (req < MIN_WINDOW_REQUESTS || (end >= nsec && (double)(end - t) < 0.5 * (double)step && d->nlv > 0)) {
      d->dropped_windows++;
      break;
    }
    XGROW(d->lv, cap, d->nlv + 1);
    struct cap_level *L = &d->lv[d->nlv++];
    memset(L, 0, sizeof *L);
    L->t0 = (double)t;
    L->t1 = (double)end;
    double vsum = 0, dur_sum = 0, iter_dur = 0;
    long vn = 0;
    for (size_t k = t; k < end; k++) {
      L->requests += sec[k].req;
      L->failures += sec[k].fail;
      L->ok += sec[k].ok;
      dur_sum += sec[k].dur_sum;
      for (int p = 0; p < CAP_NPHASES; p++)
        L->phase[p] += sec[k].phase[p];
      if (sec[k].has_vus) {
        vsum += sec[k].vus;
        vn++;
        if (sec[k].vus > L->vus_max)
          L->vus_max = sec[k].vus;
      }
      L->iter_rate += (double)sec[k].iters;
      iter_dur += sec[k].iter_dur_sum;
    }
    double span = L->t1 - L->t0;
    L->vus = vn ? vsum / (double)vn : NAN;
    L->rps = (double)L->requests / span;
    L->ok_rps = (double)L->ok / span;
    L->failed_rps = (double)L->failures / span;
    L->err_rate = L->requests ? (double)L->failures / (double)L->requests : 0;
    L->mean_ms = L->ok ? dur_sum / (double)L->ok : NAN;
    for (int p = 0; p < CAP_NPHASES; p++)
      L->phase[p] = L->requests ? L->phase[p] / (double)L->requests : NAN;
    L->iter_mean_ms = L->iter_rate > 0 ? iter_dur / L->iter_rate : NAN;
    L->iter_rate /= span;
    L->little = (vn && L->vus > 0 && L->iter_rate > 0) ? L->iter_rate * L->iter_mean_ms / 1000 / L->vus - 1
                                                       : NAN;
    L->p95_ms = L->p99_ms = NAN;
    t = end;
  }
}

/* First window with t1 > x (binary search). */
static size_t window_after(const struct cap_data *d, double x) {
  size_t lo = 0, hi = d->nlv;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (d->lv[mid].t1 <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Samples → successful durations per window (sorted), exact in-flight, and
 * each endpoint's failures. */
static void fill_samples(struct cap_data *d) {
  size_t *cnt = xcalloc(d->nlv, sizeof *cnt), *fill = xcalloc(d->nlv, sizeof *fill);
  double tend = d->lv[d->nlv - 1].t1;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1)
      for (size_t i = 0; i < d->nlv; i++)
        d->lv[i].ok_dur = xmalloc((cnt[i] ? cnt[i] : 1) * sizeof(double));
    for (size_t e = 0; e < d->nep; e++) {
      struct cap_endpoint *ep = &d->ep[e];
      if (pass == 0) {
        ep->failures = 0;
        ep->first_fail_s = NAN;
      }
      for (size_t k = 0; k < ep->n; k++) {
        const struct sample *s = &ep->s[k];
        double end = s->t, start = s->t - s->dur_ms / 1000;
        if (pass == 0 && (s->flags & SAMPLE_FAILED) && ep->failures++ == 0)
          ep->first_fail_s = end;
        if (pass == 1)
          for (size_t j = window_after(d, start); j < d->nlv && d->lv[j].t0 < end; j++) {
            double a = fmax(start, d->lv[j].t0), b = fmin(end, d->lv[j].t1);
            if (b > a)
              d->lv[j].inflight += b - a;
          }
        if (!(s->flags & SAMPLE_OK) || end < 0 || end >= tend)
          continue;
        size_t w = window_after(d, end);
        if (w >= d->nlv || end < d->lv[w].t0)
          continue;
        if (pass == 0)
          cnt[w]++;
        else
          d->lv[w].ok_dur[fill[w]++] = s->dur_ms;
      }
    }
  }
  for (size_t i = 0; i < d->nlv; i++) {
    struct cap_level *L = &d->lv[i];
    L->n_ok_dur = fill[i];
    qsort(L->ok_dur, L->n_ok_dur, sizeof(double), cmp_double);
    L->p95_ms = fit_quantile_sorted(L->ok_dur, L->n_ok_dur, 0.95);
    L->p99_ms = fit_quantile_sorted(L->ok_dur, L->n_ok_dur, 0.99);
    L->inflight /= (L->t1 - L->t0);
  }
  free(cnt);
  free(fill);
}

/* Ramp-down: after the highest level, VUs below 90 % of it. */
static void mark_rampdown(struct cap_data *d) {
  size_t top = 0;
  for (size_t i = 1; i < d->nlv; i++)
    if (d->lv[i].vus > d->lv[top].vus)
      top = i;
  d->nload = d->nlv;
  for (size_t i = top + 1; i < d->nlv; i++)
    if (d->lv[i].vus < 0.9 * d->lv[top].vus) {
      d->nload = i;
      break;
    }
  for (size_t i = d->nload; i < d->nlv; i++)
    d->lv[i].rampdown = 1;
}

const char *cap_error_class(const char *status, const char *error_code, const char *error) {
  long st = strtol(status ? status : "", NULL, 10);
  long code = strtol(error_code ? error_code : "", NULL, 10);
  if (st >= 400 && st < 500)
    return "http_4xx";
  if (st >= 500 && st < 600)
    return "http_5xx";
  if (code == 1050 || code == 1211 || (error && strstr(error, "timeout")))
    return "timeout";
  if ((code >= 1100 && code < 1300) || (error && (strstr(error, "refused") || strstr(error, "reset"))))
    return "connection";
  if (code >= 1400 && code < 1500)
    return "http_4xx";
  if (code >= 1500 && code < 1600)
    return "http_5xx";
  return "other";
}

/* 1 when every recorded error of the endpoint is an HTTP 4xx. */
static int endpoint_only_4xx(struct store *st, int64_t id) {
  struct store_error_row *e;
  size_t n;
  if (store_errors_of_endpoint(st, id, &e, &n, NULL) < 0)
    return 0;
  int all = 1;
  for (size_t i = 0; i < n; i++)
    if (strcmp(cap_error_class(e[i].status, e[i].error_code, e[i].error), "http_4xx"))
      all = 0;
  store_error_rows_free(e, n);
  return n > 0 && all;
}

/* An endpoint's failures in [t0, t1) and its requests there. */
static void ep_fail_count(const struct cap_endpoint *ep, double t0, double t1, long *fail, long *req) {
  for (size_t k = 0; k < ep->n; k++)
    if (ep->s[k].t >= t0 && ep->s[k].t < t1) {
      (*req)++;
      if (ep->s[k].flags & SAMPLE_FAILED)
        (*fail)++;
    }
}

/* Functional failures (docs/methods.md §4.5): an endpoint's failures are
 * functional when their share of its requests does not grow with load (the
 * top third of the load levels at most 1.5 x the bottom third + 2 points)
 * and they are present from the first load level or are all HTTP 4xx. Then
 * subtracts them from each level's judged failures. */
static void classify_functional(struct store *st, struct cap_data *d) {
  size_t third = d->nload / 3 ? d->nload / 3 : 1;
  for (size_t e = 0; e < d->nep; e++) {
    struct cap_endpoint *ep = &d->ep[e];
    ep->functional = 0;
    if (ep->failures == 0 || d->nload == 0)
      continue;
    long f_lo = 0, r_lo = 0, f_hi = 0, r_hi = 0, f_first = 0, r_first = 0;
    ep_fail_count(ep, d->lv[0].t0, d->lv[third - 1].t1, &f_lo, &r_lo);
    ep_fail_count(ep, d->lv[d->nload - third].t0, d->lv[d->nload - 1].t1, &f_hi, &r_hi);
    ep_fail_count(ep, d->lv[0].t0, d->lv[0].t1, &f_first, &r_first);
    double lo = r_lo ? (double)f_lo / (double)r_lo : 0, hi = r_hi ? (double)f_hi / (double)r_hi : 0;
    int grows = hi > 1.5 * lo + 0.02;
    ep->functional = !grows && (f_first > 0 || endpoint_only_4xx(st, ep->id));
  }
  for (size_t i = 0; i < d->nlv; i++) {
    struct cap_level *L = &d->lv[i];
    long fun = 0;
    for (size_t e = 0; e < d->nep; e++)
      if (d->ep[e].functional) {
        long req = 0;
        ep_fail_count(&d->ep[e], L->t0, L->t1, &fun, &req);
      }
    L->load_failures = L->failures - fun > 0 ? L->failures - fun : 0;
    L->load_err_rate = L->requests ? (double)L->load_failures / (double)L->requests : 0;
  }
}

/* The PASS/FAIL of every level: p95 of successful requests below the p95
 * objective and the judged error rate within the error objective. */
static void judge_levels(struct cap_data *d) {
  for (size_t i = 0; i < d->nlv; i++) {
    struct cap_level *L = &d->lv[i];
    L->pass_p95 = L->n_ok_dur > 0 && slo_p95_met(L->p95_ms, d->opts.slo_p95_ms);
    L->pass_err = slo_errors_met(L->load_err_rate, d->opts.slo_error_rate);
    L->pass = L->pass_p95 && L->pass_err;
  }
}

int cap_data_resolve_slo(struct store *st, struct cap_data *d, struct err *err) {
  if (!d->opts.slos) {
    d->slo_p95_src = d->slo_err_src = "cli";
    snprintf(d->slo_p95_from, sizeof d->slo_p95_from, "options");
    snprintf(d->slo_err_from, sizeof d->slo_err_from, "options");
    return 0;
  }
  struct slo o;
  if (slo_resolve(d->opts.slos, st, d->run->id, d->run->scenario, NULL, &o, err) < 0)
    return -1;
  d->opts.slo_p95_ms = o.p95_ms;
  d->opts.slo_error_rate = o.error_rate;
  d->slo_p95_src = slo_source_name(o.p95_src);
  d->slo_err_src = slo_source_name(o.err_src);
  snprintf(d->slo_p95_from, sizeof d->slo_p95_from, "%s", o.p95_from);
  snprintf(d->slo_err_from, sizeof d->slo_err_from, "%s", o.err_from);
  return 0;
}

int cap_data_load(struct store *st, const struct run_info *run, const struct capacity_opts *o,
                  struct cap_data *d, struct err *err) {
  memset(d, 0, sizeof *d);
  d->run = run;
  d->opts = *o;
  if (!run->has_samples)
    return err_set(err, LR_DATAERR,
                   "run '%s' has no per-request samples (it was ingested from a summary only); "
                   "this analysis needs the run's samples: ingest k6's NDJSON (--out json) or CSV output",
                   run->name);
  if (cap_data_resolve_slo(st, d, err) < 0)
    return -1;
  struct sec_row *sec = NULL;
  size_t nsec = 0;
  if (load_seconds(st, run, &sec, &nsec, err) < 0)
    return -1;
  if (load_endpoints(st, run, d, err) < 0) {
    free(sec);
    cap_data_release(d);
    return -1;
  }
  long total = 0;
  for (size_t i = 0; i < nsec; i++)
    total += sec[i].req;
  if (nsec == 0 || total == 0) {
    free(sec);
    cap_data_release(d);
    return err_set(err, LR_DATAERR, "run '%s' has no HTTP requests in its time buckets", run->name);
  }
  d->nsec = nsec;
  d->sec_req = xcalloc(nsec, sizeof *d->sec_req);
  d->sec_fail = xcalloc(nsec, sizeof *d->sec_fail);
  d->sec_vus = xcalloc(nsec, sizeof *d->sec_vus);
  for (size_t i = 0; i < nsec; i++) {
    d->sec_req[i] = sec[i].req;
    d->sec_fail[i] = sec[i].fail;
    d->sec_vus[i] = sec[i].has_vus ? sec[i].vus : NAN;
  }
  build_windows(d, sec, nsec, o->window_s);
  free(sec);
  if (d->nlv == 0) {
    cap_data_release(d);
    return err_set(err, LR_DATAERR, "run '%s' has fewer than %d requests: too few for load levels", run->name,
                   MIN_WINDOW_REQUESTS);
  }
  fill_samples(d);
  mark_rampdown(d);
  classify_functional(st, d);
  judge_levels(d);
  return 0;
}

/* ------------------------------------------------------------- SLO */

size_t cap_low_load_count(const struct cap_data *d) {
  double top = 0;
  for (size_t i = 0; i < d->nload; i++)
    if (d->lv[i].vus > top)
      top = d->lv[i].vus;
  size_t n = 0;
  while (n < d->nload && d->lv[n].vus <= 0.1 * top)
    n++;
  if (n < 2)
    n = d->nload < 2 ? d->nload : 2;
  return n;
}

static long first_level(const struct cap_data *d, int (*cond)(const struct cap_level *)) {
  for (size_t i = 0; i < d->nload; i++)
    if (cond(&d->lv[i]))
      return (long)i;
  return -1;
}

static int fails_any(const struct cap_level *L) { return !L->pass; }
static int fails_p95(const struct cap_level *L) { return !L->pass_p95; }
static int fails_err(const struct cap_level *L) { return !L->pass_err; }

/* Knee: the first level after the low-load ones whose successful req/s per
 * VU is below 80 % of the low-load figure (the median over the low-load
 * levels): throughput no longer grows in step with the load. */
static long knee_level(const struct cap_data *d, double *base) {
  size_t nlow = cap_low_load_count(d);
  double r[64];
  size_t m = 0;
  for (size_t i = 0; i < nlow && m < 64; i++)
    if (d->lv[i].vus > 0)
      r[m++] = d->lv[i].ok_rps / d->lv[i].vus;
  *base = fit_median(r, m);
  if (!(*base > 0))
    return -1;
  for (size_t i = nlow; i < d->nload; i++)
    if (d->lv[i].vus > 0 && d->lv[i].ok_rps / d->lv[i].vus < CAP_KNEE_EFFICIENCY * *base)
      return (long)i;
  return -1;
}

/* Retrograde: the first level whose successful req/s is at most 90 % of the
 * highest successful req/s of the levels before it. */
static long retro_level(const struct cap_data *d, long *peak) {
  size_t pk = 0;
  *peak = -1;
  for (size_t j = 1; j < d->nload; j++) {
    if (d->lv[j].ok_rps <= CAP_RETRO_FRACTION * d->lv[pk].ok_rps) {
      *peak = (long)pk;
      return (long)j;
    }
    if (d->lv[j].ok_rps > d->lv[pk].ok_rps)
      pk = j;
  }
  return -1;
}

void cap_slo_analyse(const struct cap_data *d, struct cap_slo *s) {
  memset(s, 0, sizeof *s);
  s->first_fail = first_level(d, fails_any);
  s->fail_p95 = first_level(d, fails_p95);
  s->fail_err = first_level(d, fails_err);
  s->last_pass = -1;
  s->best_pass = -1;
  size_t lim = s->first_fail >= 0 ? (size_t)s->first_fail : d->nload;
  for (size_t i = 0; i < lim; i++) {
    s->last_pass = (long)i; /* every level before the first failure passes */
    if (s->best_pass < 0 || d->lv[i].ok_rps > d->lv[s->best_pass].ok_rps)
      s->best_pass = (long)i;
  }
  s->knee = knee_level(d, &s->base_ok_rps_per_vu);
  s->retro = retro_level(d, &s->retro_peak);
  s->breaking = s->first_fail;
  s->reason[0] = 0;
  if (s->breaking < 0)
    return;
  const struct cap_level *B = &d->lv[s->breaking];
  if (!B->pass_p95 && !B->pass_err)
    snprintf(s->reason, sizeof s->reason, "p95 and errors over the SLO");
  else if (!B->pass_p95)
    snprintf(s->reason, sizeof s->reason, "p95 over the SLO");
  else
    snprintf(s->reason, sizeof s->reason, "errors over the SLO");
}

long cap_knee_index(const struct cap_data *d, const struct cap_slo *s) {
  if (s->breaking >= 0)
    return s->breaking;
  return d->nload ? (long)d->nload - 1 : 0;
}
