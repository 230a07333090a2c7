/* levels.c - load levels of a ramp run and their SLO analysis (see levels.h,
 * METHODS.md §5.1-5.4). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/levels.h"
#include "stats/fit.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MIN_WINDOW_REQUESTS 200

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
