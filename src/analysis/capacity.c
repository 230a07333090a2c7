/* capacity.c - capacity from a ramp run (see capacity.h, METHODS.md §5). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "stats/binomial.h"
#include "stats/fit.h"
#include "stats/usl.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MIN_WINDOW_REQUESTS 200
#define USL_MIN_POINTS 6
#define USL_BOOT 300
#define USL_SEED 20261126u

void capacity_opts_init(struct capacity_opts *o) {
  o->slo_p95_ms = 2000;
  o->slo_error_rate = 0.01;
  o->window_s = 10;
  o->target_users = 1000;
}

/* ------------------------------------------------------------- SLO text */

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

int capacity_parse_slo(const char *text, struct capacity_opts *o, struct err *err) {
  if (!text || !*skip_ws(text))
    return err_set(err, LR_USAGE, "option '--slo': expected e.g. 'p95<2000ms,errors<1%%', got ''");
  struct capacity_opts t = *o;
  char *copy = xstrdup(text);
  char *save = NULL;
  int rc = 0;
  for (char *part = strtok_r(copy, ",;", &save); part; part = strtok_r(NULL, ",;", &save)) {
    const char *p = skip_ws(part);
    char key[32];
    size_t k = 0;
    while (*p && *p != '<' && *p != ' ' && k < sizeof key - 1)
      key[k++] = (char)tolower((unsigned char)*p++);
    key[k] = 0;
    p = skip_ws(p);
    if (*p != '<') {
      rc = -1;
      break;
    }
    p++;
    if (*p == '=')
      p++;
    p = skip_ws(p);
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v) || v <= 0) {
      rc = -1;
      break;
    }
    const char *unit = skip_ws(end);
    char u[8];
    size_t ul = 0;
    while (*unit && *unit != ' ' && ul < sizeof u - 1)
      u[ul++] = (char)tolower((unsigned char)*unit++);
    u[ul] = 0;
    if (*skip_ws(unit)) {
      rc = -1;
      break;
    }
    if (!strcmp(key, "p95") || !strcmp(key, "p(95)") || !strcmp(key, "latency")) {
      if (!strcmp(u, "ms") || !*u)
        t.slo_p95_ms = v;
      else if (!strcmp(u, "s"))
        t.slo_p95_ms = v * 1000;
      else {
        rc = -1;
        break;
      }
    } else if (!strcmp(key, "errors") || !strcmp(key, "error") || !strcmp(key, "error_rate") ||
               !strcmp(key, "err")) {
      if (!strcmp(u, "%"))
        t.slo_error_rate = v / 100;
      else if (!*u && v < 1)
        t.slo_error_rate = v;
      else {
        rc = -1;
        break;
      }
      if (t.slo_error_rate >= 1) {
        rc = -1;
        break;
      }
    } else {
      rc = -1;
      break;
    }
  }
  free(copy);
  if (rc < 0)
    return err_set(err, LR_USAGE,
                   "option '--slo': expected e.g. 'p95<2000ms,errors<1%%' (p95 in ms or s, errors in %%), got '%s'",
                   text);
  *o = t;
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

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

struct sec_row {
  long req, fail, ok, iters;
  double dur_sum, iter_dur_sum, vus;
  double phase[CAP_NPHASES];
  int has_vus;
};

static int load_endpoints(struct store *st, const struct run_info *run, struct cap_data *d,
                          struct err *err) {
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT e.id, e.method, e.name, s.data FROM endpoints e "
                                  "JOIN samples s ON s.endpoint_id = e.id WHERE e.run_id = ? ORDER BY e.id",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run->id);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    XGROW(d->ep, cap, d->nep + 1);
    struct cap_endpoint *e = &d->ep[d->nep];
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(q, 0);
    e->method = xstrdup(store_col_text(q, 1));
    e->name = xstrdup(store_col_text(q, 2));
    d->nep++;
    const void *blob = sqlite3_column_blob(q, 3);
    size_t len = (size_t)sqlite3_column_bytes(q, 3);
    if (samples_decode(blob, len, &e->s, &e->n, err) < 0) {
      sqlite3_finalize(q);
      return -1;
    }
  }
  sqlite3_finalize(q);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "reading samples");
  return 0;
}

static int load_seconds(struct store *st, const struct run_info *run, struct sec_row **out, size_t *n,
                        struct err *err) {
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT t, requests, failures, ok_count, dur_sum, blocked_sum, connecting_sum, "
                                  "tls_sum, sending_sum, waiting_sum, receiving_sum, vus, iterations, iter_dur_sum "
                                  "FROM buckets WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run->id);
  struct sec_row *rows = NULL;
  size_t cap = 0, len = 0;
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    long t = (long)sqlite3_column_int64(q, 0);
    if (t < 0 || t > 10L * 24 * 3600)
      continue;
    if ((size_t)t >= len) {
      XGROW(rows, cap, (size_t)t + 1);
      memset(rows + len, 0, ((size_t)t + 1 - len) * sizeof *rows);
      len = (size_t)t + 1;
    }
    struct sec_row *r = &rows[t];
    r->req += (long)sqlite3_column_int64(q, 1);
    r->fail += (long)sqlite3_column_int64(q, 2);
    r->ok += (long)sqlite3_column_int64(q, 3);
    r->dur_sum += sqlite3_column_double(q, 4);
    for (int p = 0; p < CAP_NPHASES; p++)
      r->phase[p] += sqlite3_column_double(q, 5 + p);
    if (sqlite3_column_type(q, 11) != SQLITE_NULL) {
      double v = sqlite3_column_double(q, 11);
      if (!r->has_vus || v > r->vus)
        r->vus = v;
      r->has_vus = 1;
    }
    r->iters += (long)sqlite3_column_int64(q, 12);
    r->iter_dur_sum += sqlite3_column_double(q, 13);
  }
  sqlite3_finalize(q);
  if (rc != SQLITE_DONE) {
    free(rows);
    return store_fail(st, err, "reading buckets");
  }
  *out = rows;
  *n = len;
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

  /* windows, merged forward until they hold enough requests */
  long step = lround(o->window_s);
  if (step < 1)
    step = 1;
  size_t cap = 0;
  size_t t = 0;
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
    /* a short or thin tail is no load level */
    if (req < MIN_WINDOW_REQUESTS || (end >= nsec && (double)(end - t) < 0.5 * (double)step && d->nlv > 0)) {
      d->dropped_windows++;
      break;
    }
    XGROW(d->lv, cap, d->nlv + 1);
    struct cap_level *L = &d->lv[d->nlv++];
    memset(L, 0, sizeof *L);
    L->t0 = (double)t;
    L->t1 = (double)end;
    double vsum = 0;
    long vn = 0;
    double dur_sum = 0, iter_dur = 0;
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
  free(sec);
  if (d->nlv == 0) {
    cap_data_release(d);
    return err_set(err, LR_DATAERR, "run '%s' has fewer than %d requests: too few for load levels", run->name,
                   MIN_WINDOW_REQUESTS);
  }

  /* samples → successful durations per window, and exact in-flight */
  size_t *cnt = xcalloc(d->nlv, sizeof *cnt), *fill = xcalloc(d->nlv, sizeof *fill);
  double tend = d->lv[d->nlv - 1].t1;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1)
      for (size_t i = 0; i < d->nlv; i++)
        d->lv[i].ok_dur = xmalloc((cnt[i] ? cnt[i] : 1) * sizeof(double));
    for (size_t e = 0; e < d->nep; e++) {
      const struct cap_endpoint *ep = &d->ep[e];
      size_t w = 0;
      for (size_t k = 0; k < ep->n; k++) {
        const struct sample *s = &ep->s[k];
        double end = s->t, start = s->t - s->dur_ms / 1000;
        if (pass == 1) {
          /* in-flight: overlap of [start, end] with every window */
          size_t lo = 0, hi = d->nlv;
          while (lo < hi) { /* first window with t1 > start */
            size_t mid = (lo + hi) / 2;
            if (d->lv[mid].t1 <= start)
              lo = mid + 1;
            else
              hi = mid;
          }
          for (size_t j = lo; j < d->nlv && d->lv[j].t0 < end; j++) {
            double a = fmax(start, d->lv[j].t0), b = fmin(end, d->lv[j].t1);
            if (b > a)
              d->lv[j].inflight += b - a;
          }
        }
        if (!(s->flags & SAMPLE_OK) || end < 0 || end >= tend)
          continue;
        while (w < d->nlv && end >= d->lv[w].t1)
          w++;
        while (w > 0 && end < d->lv[w].t0)
          w--;
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
    L->pass_p95 = L->n_ok_dur > 0 && L->p95_ms < o->slo_p95_ms;
    L->pass_err = L->err_rate < o->slo_error_rate;
    L->pass = L->pass_p95 && L->pass_err;
  }
  free(cnt);
  free(fill);

  /* ramp-down: after the highest level, VUs below 90 % of it */
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
  return 0;
}

/* ------------------------------------------------------------- SLO */

/* p95 of the union of two sorted arrays. */
static double pooled_p95(const struct cap_level *a, const struct cap_level *b) {
  size_t n = a->n_ok_dur + b->n_ok_dur;
  if (n == 0)
    return NAN;
  double *m = xmalloc(n * sizeof *m);
  size_t i = 0, j = 0, k = 0;
  while (i < a->n_ok_dur || j < b->n_ok_dur) {
    if (j >= b->n_ok_dur || (i < a->n_ok_dur && a->ok_dur[i] <= b->ok_dur[j]))
      m[k++] = a->ok_dur[i++];
    else
      m[k++] = b->ok_dur[j++];
  }
  double q = fit_quantile_sorted(m, n, 0.95);
  free(m);
  return q;
}

enum { CRIT_P95 = 1, CRIT_ERR = 2, CRIT_BOTH = 3 };

static int level_passes(const struct cap_level *L, int crit) {
  if ((crit & CRIT_P95) && !L->pass_p95)
    return 0;
  if ((crit & CRIT_ERR) && !L->pass_err)
    return 0;
  return 1;
}

static int pooled_passes(const struct cap_data *d, size_t i, int crit) {
  const struct cap_level *a = &d->lv[i], *b = &d->lv[i + 1];
  if (crit & CRIT_P95) {
    double q = pooled_p95(a, b);
    if (!(q < d->opts.slo_p95_ms))
      return 0;
  }
  if (crit & CRIT_ERR) {
    double e = (double)(a->failures + b->failures) / (double)(a->requests + b->requests);
    if (!(e < d->opts.slo_error_rate))
      return 0;
  }
  return 1;
}

/* First window that fails crit and stays failed: the next window fails too,
 * or the two pooled fail (so a blip that the next window averages out is
 * not a breach), or it is the last load level. */
static long first_sustained(const struct cap_data *d, int crit) {
  for (size_t i = 0; i < d->nload; i++) {
    if (level_passes(&d->lv[i], crit))
      continue;
    if (i + 1 >= d->nload || !level_passes(&d->lv[i + 1], crit) || !pooled_passes(d, i, crit))
      return (long)i;
  }
  return -1;
}

void cap_slo_analyse(const struct cap_data *d, struct cap_slo *s) {
  memset(s, 0, sizeof *s);
  s->first_fail = first_sustained(d, CRIT_BOTH);
  s->fail_p95 = first_sustained(d, CRIT_P95);
  s->fail_err = first_sustained(d, CRIT_ERR);
  s->last_pass = -1;
  if (s->first_fail > 0)
    s->last_pass = s->first_fail - 1;
  else if (s->first_fail < 0) {
    for (size_t i = 0; i < d->nload; i++)
      if (d->lv[i].pass && (s->last_pass < 0 || d->lv[i].vus >= d->lv[s->last_pass].vus))
        s->last_pass = (long)i;
  }
  /* retrograde goodput: a drop of ≥ 10 % below the peak for 2 windows */
  s->retro_peak = -1;
  size_t pk = 0;
  for (size_t i = 1; i < d->nload; i++)
    if (d->lv[i].ok_rps > d->lv[pk].ok_rps)
      pk = i;
  for (size_t j = pk + 1; j < d->nload; j++) {
    double lim = 0.9 * d->lv[pk].ok_rps;
    /* two windows, so that the last level's partial ramp-down is no retrograde */
    if (d->lv[j].ok_rps <= lim && j + 1 < d->nload && d->lv[j + 1].ok_rps <= lim) {
      s->retro_peak = (long)pk;
      break;
    }
  }
  long b = -1;
  long cand[2] = {s->first_fail, s->retro_peak};
  for (int k = 0; k < 2; k++)
    if (cand[k] >= 0 && (b < 0 || cand[k] < b))
      b = cand[k];
  s->breaking = b;
  s->reason[0] = 0;
  if (b < 0)
    return;
  struct strbuf sb = STRBUF_INIT;
  if (s->fail_p95 == b)
    strbuf_addstr(&sb, "p95 over SLO");
  if (s->fail_err == b)
    strbuf_addf(&sb, "%serror onset", sb.len ? " and " : "");
  if (s->first_fail == b && s->fail_p95 != b && s->fail_err != b)
    strbuf_addf(&sb, "%sp95 and errors together over SLO", sb.len ? " and " : "");
  if (s->retro_peak == b)
    strbuf_addf(&sb, "%sthroughput retrograde", sb.len ? " and " : "");
  snprintf(s->reason, sizeof s->reason, "%s", sb.buf);
  strbuf_release(&sb);
}

long cap_knee_index(const struct cap_data *d, const struct cap_slo *s) {
  if (s->breaking >= 0)
    return s->breaking;
  return d->nload ? (long)d->nload - 1 : 0;
}

/* ------------------------------------------------------------- JSON helpers */

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
