/* report_series.c - the time series the report's charts draw
 * (report_model.h), read from the store. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_model.h"
#include "ingest/endpoint.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/xalloc.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

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
                          struct report_series *thr, struct err *err) {
  lat->ncols = 4;
  thr->ncols = 3;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT t, requests, failures, p50, p95, p99, vus FROM buckets "
                                  "WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  while (sqlite3_step(s) == SQLITE_ROW) {
    double t = sqlite3_column_double(s, 0);
    double v4[4] = {store_col_double(s, 3), store_col_double(s, 4), store_col_double(s, 5),
                    store_col_double(s, 6)};
    report_series_row(lat, t, v4);
    double v3[3] = {(double)sqlite3_column_int64(s, 1), (double)sqlite3_column_int64(s, 2),
                    store_col_double(s, 6)};
    report_series_row(thr, t, v3);
  }
  sqlite3_finalize(s);
  return 0;
}

int report_series_endpoints(struct store *st, int64_t run_id, struct report_series *out, char ***labels_out,
                            size_t *nlabels, struct err *err) {
  *labels_out = NULL;
  *nlabels = 0;
  sqlite3_stmt *s = store_prepare(
      st, "SELECT id, method, name FROM endpoints WHERE run_id = ? ORDER BY name, method", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  int64_t *eids = NULL;
  char **labels = NULL;
  size_t ne = 0, ecap = 0, lcap = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    XGROW(eids, ecap, ne + 1);
    XGROW(labels, lcap, ne + 1);
    eids[ne] = sqlite3_column_int64(s, 0);
    labels[ne++] = endpoint_label(store_col_text(s, 1), store_col_text(s, 2));
  }
  sqlite3_finalize(s);
  *labels_out = labels;
  *nlabels = ne;
  out->ncols = ne;
  if (ne == 0) {
    free(eids);
    return 0;
  }
  /* Each endpoint's p95 over windows wide enough for its rate: at least
   * MIN_PER_WINDOW requests a window on average (1, 2, 5, 10, 15, 30 or
   * 60 s), so an endpoint of a few requests a second never gets a "p95"
   * of one sample. All requests, as k6's http_req_duration{name:...}. */
  enum { MIN_PER_WINDOW = 20 };
  static const double widths[] = {1, 2, 5, 10, 15, 30, 60};
  double **px = xcalloc(ne, sizeof *px), **py = xcalloc(ne, sizeof *py);
  size_t *pn = xcalloc(ne, sizeof *pn), total = 0;
  int rc = 0;
  for (size_t e = 0; e < ne && rc == 0; e++) {
    s = store_prepare(st, "SELECT data FROM samples WHERE endpoint_id = ?", err);
    if (!s) {
      rc = -1;
      break;
    }
    sqlite3_bind_int64(s, 1, eids[e]);
    struct sample *v = NULL;
    size_t n = 0;
    if (sqlite3_step(s) == SQLITE_ROW &&
        samples_decode(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0), &v, &n, err) < 0)
      rc = -1;
    sqlite3_finalize(s);
    if (rc || n == 0) {
      free(v);
      continue;
    }
    double span = v[n - 1].t - v[0].t, w = widths[6];
    for (size_t k = 0; k < 7; k++) {
      if (span <= 0 || (double)n / span * widths[k] >= MIN_PER_WINDOW) {
        w = widths[k];
        break;
      }
    }
    double *d = xmalloc(n * sizeof *d);
    px[e] = xmalloc((size_t)(span / w + 2) * sizeof **px);
    py[e] = xmalloc((size_t)(span / w + 2) * sizeof **py);
    for (size_t i = 0; i < n;) {
      double w0 = floor(v[i].t / w) * w;
      size_t m = 0;
      while (i < n && v[i].t < w0 + w)
        d[m++] = v[i++].dur_ms;
      if (w > 1 && m < 5)
        continue; /* a scrap of a window at the end says nothing */
      qsort(d, m, sizeof *d, cmp_double);
      double h = (double)(m - 1) * 0.95; /* R-7, as k6 */
      size_t lo = (size_t)h;
      double p = lo + 1 < m ? d[lo] + (h - (double)lo) * (d[lo + 1] - d[lo]) : d[lo];
      px[e][pn[e]] = (w0 + fmin(w0 + w, v[n - 1].t)) / 2; /* the middle of what the window covers */
      py[e][pn[e]++] = p;
    }
    total += pn[e];
    free(d);
    free(v);
    /* The label says a window wider than a second. */
    if (w <= 1)
      continue;
    char *old = labels[e];
    size_t l = strlen(old) + 32;
    labels[e] = xmalloc(l);
    snprintf(labels[e], l, "%s (%g-s windows)", old, w);
    free(old);
  }
  /* One table: the union of the window centres, NAN where an endpoint has
   * no window centred there. */
  double *xs = xmalloc((total + 1) * sizeof *xs);
  size_t nx = 0;
  for (size_t e = 0; e < ne; e++)
    for (size_t k = 0; k < pn[e]; k++)
      xs[nx++] = px[e][k];
  qsort(xs, nx, sizeof *xs, cmp_double);
  double *row = xmalloc(ne * sizeof *row);
  size_t *at = xcalloc(ne, sizeof *at);
  for (size_t i = 0; i < nx && rc == 0; i++) {
    if (i && xs[i] == xs[i - 1])
      continue;
    for (size_t e = 0; e < ne; e++) {
      row[e] = NAN;
      if (at[e] < pn[e] && px[e][at[e]] == xs[i])
        row[e] = py[e][at[e]++];
    }
    report_series_row(out, xs[i], row);
  }
  for (size_t e = 0; e < ne; e++) {
    free(px[e]);
    free(py[e]);
  }
  free(px);
  free(py);
  free(pn);
  free(at);
  free(xs);
  free(row);
  free(eids);
  return rc;
}

/* Picks a system series by conventional names (first pattern that matches
 * any series wins). Returns its id or 0. */
int64_t report_pick_series(struct store *st, int64_t run_id, const char *const *patterns,
                           char **name_out, struct err *err) {
  sqlite3_stmt *s = store_prepare(
      st, "SELECT id, name FROM sys_series WHERE run_id = ? ORDER BY id", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  char **names = NULL;
  int64_t *ids = NULL;
  size_t n = 0, cap = 0, icap = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    XGROW(names, cap, n + 1);
    XGROW(ids, icap, n + 1);
    ids[n] = sqlite3_column_int64(s, 0);
    names[n++] = xstrdup(store_col_text(s, 1));
  }
  sqlite3_finalize(s);
  int64_t found = 0;
  for (const char *const *p = patterns; *p && !found; p++)
    for (size_t i = 0; i < n && !found; i++)
      if (!strcmp(names[i], *p)) {
        found = ids[i];
        *name_out = xstrdup(names[i]);
      }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  free(ids);
  return found;
}

const char *const report_cpu_patterns[] = {
    "sut_cpu_pct", "process_cpu_pct", "sut_process_cpu_seconds_rate", "app_cpu_pct",
    "host_cpu_busy_pct", "node_cpu_utilisation_pct", "cpu_pct", "cpu", NULL};
const char *const report_mem_patterns[] = {
    "sut_rss_kb", "sut_rss_bytes", "sut_process_resident_memory_bytes", "process_rss_kb",
    "process_resident_memory_bytes", "rss_kb", "mem_used_kb", "node_memory_used_bytes",
    "mem_used_bytes", NULL};

int report_series_system(struct store *st, int64_t run_id, json_t *entry, struct report_series *out,
                         struct err *err) {
  (void)entry;
  out->ncols = 2;
  char *cpu_name = NULL, *mem_name = NULL;
  int64_t cpu_id = report_pick_series(st, run_id, report_cpu_patterns, &cpu_name, err);
  int64_t mem_id = report_pick_series(st, run_id, report_mem_patterns, &mem_name, err);
  free(cpu_name);
  free(mem_name);
  if (cpu_id < 0 || mem_id < 0)
    return -1;
  if (!cpu_id && !mem_id)
    return 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT s.series_id, s.ts - r.start_ts, s.value FROM sys_samples s "
                                  "JOIN runs r ON r.id = ? WHERE s.series_id IN (?, ?) AND s.in_window = 1 "
                                  "ORDER BY s.ts, s.series_id",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, cpu_id);
  sqlite3_bind_int64(s, 3, mem_id);
  while (sqlite3_step(s) == SQLITE_ROW) {
    double v[2] = {NAN, NAN};
    double val = sqlite3_column_double(s, 2);
    if (sqlite3_column_int64(s, 0) == cpu_id)
      v[0] = val;
    else
      v[1] = val / (1024.0 * 1024.0);
    report_series_row(out, sqlite3_column_double(s, 1), v);
  }
  sqlite3_finalize(s);
  return 0;
}

