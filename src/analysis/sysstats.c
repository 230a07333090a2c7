/* sysstats.c - min/avg/p95/max/at-peak of each system series of a run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sysstats.h"
#include "cli.h"
#include "stats/percentile.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* The time of peak load: middle of the first run bucket with the maximum vus. */
static int peak_time(struct store *st, const struct run_info *run, double *peak, struct err *err) {
  *peak = NAN;
  if (isnan(run->start_ts))
    return 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT t FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND vus IS NOT NULL "
                                  "ORDER BY vus DESC, t ASC LIMIT 1",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run->id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *peak = run->start_ts + (double)sqlite3_column_int64(s, 0) + 0.5;
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read buckets");
  return 0;
}

int sysstats_json(struct store *st, const struct run_info *run, json_t **out, struct err *err) {
  double peak;
  *out = NULL;
  if (peak_time(st, run, &peak, err) < 0)
    return -1;
  int windowed = !isnan(run->start_ts) && !isnan(run->end_ts);
  sqlite3_stmt *ser = store_prepare(st,
                                    "SELECT id, host, name, unit, source FROM sys_series WHERE run_id = ? "
                                    "ORDER BY source, host, id",
                                    err);
  if (!ser)
    return -1;
  sqlite3_stmt *smp = store_prepare(st,
                                    "SELECT ts, value FROM sys_samples WHERE series_id = ?1 "
                                    "AND (?2 = 0 OR (ts >= ?3 AND ts <= ?4)) ORDER BY ts",
                                    err);
  if (!smp) {
    sqlite3_finalize(ser);
    return -1;
  }
  json_t *arr = json_array();
  double *v = NULL;
  size_t cap = 0;
  int rc = 0, step;
  sqlite3_bind_int64(ser, 1, run->id);
  while ((step = sqlite3_step(ser)) == SQLITE_ROW) {
    sqlite3_reset(smp);
    sqlite3_bind_int64(smp, 1, sqlite3_column_int64(ser, 0));
    sqlite3_bind_int(smp, 2, windowed);
    sqlite3_bind_double(smp, 3, windowed ? run->start_ts : 0);
    sqlite3_bind_double(smp, 4, windowed ? run->end_ts : 0);
    size_t n = 0;
    double sum = 0, at_peak = NAN, best = INFINITY;
    int s2;
    while ((s2 = sqlite3_step(smp)) == SQLITE_ROW) {
      double ts = sqlite3_column_double(smp, 0), x = sqlite3_column_double(smp, 1);
      XGROW(v, cap, n + 1);
      v[n++] = x;
      sum += x;
      if (!isnan(peak) && fabs(ts - peak) < best) {
        best = fabs(ts - peak);
        at_peak = x;
      }
    }
    if (s2 != SQLITE_DONE) {
      rc = store_fail(st, err, "cannot read system samples");
      break;
    }
    double mn = NAN, mx = NAN, avg = NAN, p95 = NAN;
    if (n) {
      stats_sort(v, n);
      mn = v[0];
      mx = v[n - 1];
      avg = sum / (double)n;
      p95 = stats_pct_sorted(v, n, 0.95);
    }
    json_t *o = json_object();
    json_object_set_new(o, "host", json_string(store_col_text(ser, 1)));
    json_object_set_new(o, "series", json_string(store_col_text(ser, 2)));
    json_object_set_new(o, "unit", json_string(store_col_text(ser, 3)));
    json_object_set_new(o, "source", json_string(store_col_text(ser, 4)));
    json_object_set_new(o, "samples", json_integer((json_int_t)n));
    json_object_set_new(o, "min", jx_real_or_null(mn));
    json_object_set_new(o, "avg", jx_real_or_null(avg));
    json_object_set_new(o, "p95", jx_real_or_null(p95));
    json_object_set_new(o, "max", jx_real_or_null(mx));
    json_object_set_new(o, "at_peak", jx_real_or_null(at_peak));
    json_array_append_new(arr, o);
  }
  if (rc == 0 && step != SQLITE_DONE)
    rc = store_fail(st, err, "cannot read system series");
  free(v);
  sqlite3_finalize(ser);
  sqlite3_finalize(smp);
  if (rc < 0) {
    json_decref(arr);
    return -1;
  }
  *out = arr;
  return 0;
}

/* ---------------------------------------------------------------- text */

static void fmt_value(const char *unit, json_t *jv, char *buf, size_t n) {
  if (!json_is_number(jv)) {
    snprintf(buf, n, "-");
    return;
  }
  double v = json_number_value(jv);
  if (!strcmp(unit, "bytes") || !strcmp(unit, "bytes/s")) {
    static const char *const suf[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    double a = v;
    while (fabs(a) >= 1024 && i < 4) {
      a /= 1024;
      i++;
    }
    snprintf(buf, n, i ? "%.1f %s%s" : "%.0f %s%s", a, suf[i], unit[5] ? "/s" : "");
  } else if (!strcmp(unit, "percent")) {
    snprintf(buf, n, "%.1f%%", v);
  } else if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 0.01)) {
    snprintf(buf, n, "%.3g", v);
  } else if (v == floor(v)) {
    snprintf(buf, n, "%.0f", v);
  } else {
    snprintf(buf, n, "%.2f", v);
  }
}

static size_t display_width(const char *s) {
  size_t w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80)
      w++;
  return w;
}

static void pad(FILE *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    fputc(' ', f);
}

void sysstats_print_text(json_t *system, FILE *f) {
  size_t rows = json_array_size(system);
  if (!rows)
    return;
  enum { NCOL = 7 };
  static const char *const head[NCOL] = {"samples", "min", "avg", "p95", "max", "at peak", "unit"};
  static const char *const keys[5] = {"min", "avg", "p95", "max", "at_peak"};
  char(*cell)[NCOL][32] = xcalloc(rows, sizeof *cell);
  char **label = xcalloc(rows, sizeof *label);
  size_t w0 = strlen("system series"), w[NCOL];
  for (int c = 0; c < NCOL; c++)
    w[c] = strlen(head[c]);
  for (size_t i = 0; i < rows; i++) {
    json_t *o = json_array_get(system, i);
    const char *host = json_string_value(json_object_get(o, "host"));
    const char *unit = json_string_value(json_object_get(o, "unit"));
    struct strbuf sb = STRBUF_INIT;
    if (host && *host)
      strbuf_addf(&sb, "%s: ", host);
    strbuf_addstr(&sb, json_string_value(json_object_get(o, "series")) ? json_string_value(json_object_get(o, "series")) : "");
    label[i] = strbuf_detach(&sb, NULL);
    if (display_width(label[i]) > w0)
      w0 = display_width(label[i]);
    snprintf(cell[i][0], 32, "%lld", (long long)json_integer_value(json_object_get(o, "samples")));
    for (int k = 0; k < 5; k++)
      fmt_value(unit ? unit : "", json_object_get(o, keys[k]), cell[i][k + 1], 32);
    snprintf(cell[i][6], 32, "%s", unit ? unit : "");
    for (int c = 0; c < NCOL; c++)
      if (strlen(cell[i][c]) > w[c])
        w[c] = strlen(cell[i][c]);
  }
  fputs("system series", f);
  pad(f, w0 - strlen("system series"));
  for (int c = 0; c < NCOL; c++) {
    fputs("  ", f);
    if (c < NCOL - 1) {
      pad(f, w[c] - strlen(head[c]));
      fputs(head[c], f);
    } else {
      fputs(head[c], f);
    }
  }
  fputc('\n', f);
  for (size_t i = 0; i < rows; i++) {
    fputs_term(label[i], f);
    pad(f, w0 - display_width(label[i]));
    for (int c = 0; c < NCOL; c++) {
      fputs("  ", f);
      if (c < NCOL - 1)
        pad(f, w[c] - strlen(cell[i][c]));
      fputs_term(cell[i][c], f);
    }
    fputc('\n', f);
    free(label[i]);
  }
  free(label);
  free(cell);
}
