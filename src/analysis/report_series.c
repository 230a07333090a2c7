/* report_series.c - the time series the report's charts draw
 * (report_model.h, report_series.h), read through store/: no SQL here. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_model.h"
#include "analysis/report_series.h"
#include "ingest/endpoint.h"
#include "stats/percentile.h"
#include "store/samples.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "store/store_report_series.h"
#include "store/store_status.h"
#include "store/store_sys.h"
#include "util/cmp.h"
#include "util/err.h"
#include "util/xalloc.h"

void report_series_row(struct report_series *b, double x, const double *vals) {
  XGROW(b->x, b->cap, b->n + 1);
  b->y = xrealloc(b->y, b->cap * b->ncols * sizeof *b->y);
  b->x[b->n] = x;
  memcpy(b->y + b->n * b->ncols, vals, b->ncols * sizeof *vals);
  b->n++;
}

void report_series_free(struct report_series *b) {
  free(b->x);
  free(b->y);
  memset(b, 0, sizeof *b);
}

int report_series_overall(struct store *st, int64_t run_id, struct report_series *lat,
                          struct report_series *thr, struct report_series *net, struct err *err) {
  lat->ncols = 4;
  thr->ncols = 3;
  if (net)
    net->ncols = 2;
  struct store_latency_second *s;
  size_t n;
  if (store_latency_seconds(st, run_id, &s, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    double v4[4] = {s[i].p50, s[i].p95, s[i].p99, s[i].vus};
    report_series_row(lat, s[i].t, v4);
    double v3[3] = {(double)s[i].requests, (double)s[i].failures, s[i].vus};
    report_series_row(thr, s[i].t, v3);
    double kib[2] = {s[i].data_sent / 1024, s[i].data_received / 1024};
    if (net && !isnan(s[i].data_sent)) /* a run ingested before v4 has none */
      report_series_row(net, s[i].t, kib);
  }
  free(s);
  return 0;
}

/* ------------------------------------------------------------ per endpoint */

/* The narrowest window (1, 2, 5, 10, 15, 30 or 60 s) that holds at least
 * MIN_PER_WINDOW requests on average, so that an endpoint of a few requests
 * a second never gets a "p95" of one sample. */
static double window_of(const struct sample *v, size_t n) {
  enum { MIN_PER_WINDOW = 20 };
  static const double widths[] = {1, 2, 5, 10, 15, 30, 60};
  double span = v[n - 1].t - v[0].t;
  for (size_t k = 0; k < sizeof widths / sizeof *widths; k++)
    if (span <= 0 || (double)n / span * widths[k] >= MIN_PER_WINDOW)
      return widths[k];
  return 60;
}

/* p50, p95, p99 of every window of e's samples, at the middle of what the
 * window covers. */
static void ep_windows(const struct sample *v, size_t n, struct report_ep_series *e) {
  double w = e->window_s = window_of(v, n);
  size_t cap = (size_t)((v[n - 1].t - v[0].t) / w + 2);
  e->t = xmalloc(cap * sizeof *e->t);
  e->p50 = xmalloc(cap * sizeof *e->p50);
  e->p95 = xmalloc(cap * sizeof *e->p95);
  e->p99 = xmalloc(cap * sizeof *e->p99);
  double *d = xmalloc(n * sizeof *d);
  for (size_t i = 0; i < n;) {
    double w0 = floor(v[i].t / w) * w;
    size_t m = 0;
    while (i < n && v[i].t < w0 + w)
      d[m++] = v[i++].dur_ms;
    if (w > 1 && m < 5)
      continue; /* a scrap of a window at the end says nothing */
    stats_sort(d, m);
    e->t[e->n] = (w0 + fmin(w0 + w, v[n - 1].t)) / 2;
    e->p50[e->n] = stats_pct_sorted(d, m, 0.50);
    e->p95[e->n] = stats_pct_sorted(d, m, 0.95);
    e->p99[e->n] = stats_pct_sorted(d, m, 0.99);
    e->n++;
  }
  free(d);
}

/* Log-spaced bins, ten a decade, from the fastest to the slowest request
 * of any endpoint. */
static void hist_edges(const struct store_ep_samples *es, size_t n, struct report_ep_detail *d) {
  double lo = INFINITY, hi = 0;
  for (size_t e = 0; e < n; e++)
    for (size_t i = 0; i < es[e].n; i++) {
      double x = es[e].s[i].dur_ms;
      if (x > 0 && x < lo)
        lo = x;
      if (x > hi)
        hi = x;
    }
  if (!(hi > 0) || !isfinite(lo))
    return;
  int a = (int)floor(log10(lo) * 10), b = (int)ceil(log10(hi) * 10);
  if (b <= a)
    b = a + 1;
  d->nbins = (size_t)(b - a);
  d->edges = xmalloc((d->nbins + 1) * sizeof *d->edges);
  for (int k = a; k <= b; k++)
    d->edges[k - a] = pow(10, k / 10.0);
}

static void ep_hist(const struct report_ep_detail *d, const struct sample *v, size_t n,
                    struct report_ep_series *e) {
  e->hist = xcalloc(d->nbins ? d->nbins : 1, sizeof *e->hist);
  if (!d->nbins || !n)
    return;
  double l0 = log10(d->edges[0]);
  for (size_t i = 0; i < n; i++) {
    double x = v[i].dur_ms;
    long k = x > 0 ? (long)floor((log10(x) - l0) * 10 + 1e-9) : 0;
    k = k < 0 ? 0 : k >= (long)d->nbins ? (long)d->nbins - 1 : k;
    e->hist[k] += 100.0 / (double)n;
  }
}

/* By name, then method (as the endpoint tables). */
static int by_name(const void *a, const void *b) {
  const struct store_ep_samples *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->method, y->method);
}

int report_ep_detail_read(struct store *st, int64_t run_id, struct report_ep_detail *d, struct err *err) {
  memset(d, 0, sizeof *d);
  struct store_ep_samples *es;
  size_t n;
  if (store_ep_samples_of(st, run_id, &es, &n, err) < 0)
    return -1;
  hist_edges(es, n, d);
  if (n)
    qsort(es, n, sizeof *es, by_name);
  d->ep = xcalloc(n ? n : 1, sizeof *d->ep);
  for (size_t i = 0; i < n; i++) {
    if (es[i].n == 0)
      continue;
    struct report_ep_series *e = &d->ep[d->n++];
    e->label = endpoint_label(es[i].method, es[i].name);
    e->requests = es[i].n;
    ep_windows(es[i].s, es[i].n, e);
    ep_hist(d, es[i].s, es[i].n, e);
  }
  store_ep_samples_free(es, n);
  return 0;
}

void report_ep_detail_free(struct report_ep_detail *d) {
  for (size_t i = 0; i < d->n; i++) {
    struct report_ep_series *e = &d->ep[i];
    void *owned[] = {e->label, e->t, e->p50, e->p95, e->p99, e->hist};
    for (size_t k = 0; k < sizeof owned / sizeof *owned; k++)
      free(owned[k]);
  }
  free(d->ep);
  free(d->edges);
  memset(d, 0, sizeof *d);
}

void report_ep_table(const struct report_ep_detail *d, int which, struct report_series *out, char ***labels_out,
                     size_t *nlabels) {
  size_t ne = d->n, total = 0;
  out->ncols = ne;
  char **labels = xcalloc(ne ? ne : 1, sizeof *labels);
  for (size_t e = 0; e < ne; e++) {
    total += d->ep[e].n;
    size_t l = strlen(d->ep[e].label) + 32;
    labels[e] = xmalloc(l);
    if (d->ep[e].window_s > 1)
      snprintf(labels[e], l, "%s (%g-s windows)", d->ep[e].label, d->ep[e].window_s);
    else
      snprintf(labels[e], l, "%s", d->ep[e].label);
  }
  *labels_out = labels;
  *nlabels = ne;
  /* One table: the union of the window centres, NAN where an endpoint has
   * no window centred there. */
  double *xs = xmalloc((total + 1) * sizeof *xs), *row = xmalloc((ne + 1) * sizeof *row);
  size_t nx = 0, *at = xcalloc(ne + 1, sizeof *at);
  for (size_t e = 0; e < ne; e++)
    for (size_t k = 0; k < d->ep[e].n; k++)
      xs[nx++] = d->ep[e].t[k];
  qsort(xs, nx, sizeof *xs, cmp_double);
  for (size_t i = 0; i < nx; i++) {
    if (i && xs[i] == xs[i - 1])
      continue;
    for (size_t e = 0; e < ne; e++) {
      const struct report_ep_series *s = &d->ep[e];
      const double *y = which == 0 ? s->p50 : which == 2 ? s->p99 : s->p95;
      row[e] = NAN;
      if (at[e] < s->n && s->t[at[e]] == xs[i])
        row[e] = y[at[e]++];
    }
    report_series_row(out, xs[i], row);
  }
  free(at);
  free(xs);
  free(row);
}

int report_series_endpoints(struct store *st, int64_t run_id, struct report_series *out, char ***labels,
                            size_t *nlabels, struct err *err) {
  struct report_ep_detail d;
  *labels = NULL;
  *nlabels = 0;
  if (report_ep_detail_read(st, run_id, &d, err) < 0)
    return -1;
  report_ep_table(&d, 1, out, labels, nlabels);
  report_ep_detail_free(&d);
  return 0;
}

/* ------------------------------------------------------------ status codes */

static int by_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int report_series_status(struct store *st, int64_t run_id, struct report_series *out, char ***statuses,
                         size_t *nstatus, struct err *err) {
  struct store_status_count *c;
  size_t n, ns = 0, cap = 0;
  *statuses = NULL;
  *nstatus = 0;
  if (store_status_counts(st, run_id, &c, &n, err) < 0)
    return -1;
  char **names = NULL;
  for (size_t i = 0; i < n; i++) {
    size_t k = 0;
    while (k < ns && strcmp(names[k], c[i].status))
      k++;
    if (k == ns) {
      XGROW(names, cap, ns + 1);
      names[ns++] = xstrdup(c[i].status);
    }
  }
  if (ns)
    qsort(names, ns, sizeof *names, by_str);
  out->ncols = ns;
  double *row = xcalloc(ns + 1, sizeof *row);
  for (size_t i = 0; i < n;) {
    int64_t t = c[i].t;
    memset(row, 0, (ns + 1) * sizeof *row);
    for (; i < n && c[i].t == t; i++) {
      char *key = c[i].status;
      char **hit = bsearch(&key, names, ns, sizeof *names, by_str);
      row[hit - names] += (double)c[i].count;
    }
    report_series_row(out, (double)t, row);
  }
  free(row);
  store_status_counts_free(c, n);
  *statuses = names;
  *nstatus = ns;
  return 0;
}

/* ------------------------------------------------------------ system series */

/* Picks a system series by conventional names (first pattern that matches
 * any series wins; of several series of that name, the first written).
 * Returns its id or 0. */
int64_t report_pick_series(struct store *st, int64_t run_id, const char *const *patterns,
                           char **name_out, struct err *err) {
  struct store_sys_series *s;
  size_t n;
  if (store_sys_series_list(st, run_id, &s, &n, err) < 0)
    return -1;
  int64_t found = 0;
  for (const char *const *p = patterns; *p && !found; p++)
    for (size_t i = 0; i < n; i++)
      if (!strcmp(s[i].name, *p) && (!found || s[i].id < found)) {
        found = s[i].id;
        free(*name_out);
        *name_out = xstrdup(s[i].name);
      }
  store_sys_series_free(s, n);
  return found;
}

const char *const report_cpu_patterns[] = {
    "sut_cpu_pct", "process_cpu_pct", "sut_process_cpu_seconds_rate", "app_cpu_pct",
    "host_cpu_busy_pct", "node_cpu_utilisation_pct", "cpu_pct", "cpu", NULL};
const char *const report_mem_patterns[] = {
    "sut_rss_kb", "sut_rss_bytes", "sut_process_resident_memory_bytes", "process_rss_kb",
    "process_resident_memory_bytes", "rss_kb", "mem_used_kb", "node_memory_used_bytes",
    "mem_used_bytes", NULL};

/* The in-window samples of series id (0: none) relative to start. */
static int sys_read(struct store *st, int64_t id, double **ts, double **v, size_t *n, struct err *err) {
  *ts = *v = NULL;
  *n = 0;
  return id > 0 ? store_sys_samples(st, id, 1, NAN, NAN, ts, v, n, err) : 0;
}

int report_series_system(struct store *st, int64_t run_id, json_t *entry, struct report_series *out,
                         struct err *err) {
  (void)entry;
  out->ncols = 2;
  char *cpu_name = NULL, *mem_name = NULL;
  int64_t cpu_id = report_pick_series(st, run_id, report_cpu_patterns, &cpu_name, err);
  int64_t mem_id = cpu_id < 0 ? -1 : report_pick_series(st, run_id, report_mem_patterns, &mem_name, err);
  free(cpu_name);
  free(mem_name);
  if (cpu_id < 0 || mem_id < 0)
    return -1;
  if (!cpu_id && !mem_id)
    return 0;
  struct run_info run;
  double *ct, *cv, *mt, *mv;
  size_t nc, nm;
  if (store_get_run(st, run_id, &run, err) < 0)
    return -1;
  int rc = sys_read(st, cpu_id, &ct, &cv, &nc, err);
  if (rc == 0 && sys_read(st, mem_id, &mt, &mv, &nm, err) < 0) {
    free(ct);
    free(cv);
    rc = -1;
  }
  if (rc == 0) {
    /* Both series merged by time: one row a time. */
    for (size_t i = 0, j = 0; i < nc || j < nm;) {
      double t = j >= nm || (i < nc && ct[i] <= mt[j]) ? ct[i] : mt[j];
      double v[2] = {NAN, NAN};
      if (i < nc && ct[i] == t)
        v[0] = cv[i++];
      if (j < nm && mt[j] == t)
        v[1] = mv[j++] / (1024.0 * 1024.0);
      report_series_row(out, t - run.start_ts, v);
    }
    free(ct);
    free(cv);
    free(mt);
    free(mv);
  }
  run_info_release(&run);
  return rc;
}
