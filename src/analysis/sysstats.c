/* sysstats.c - min/avg/p95/max/at-peak of each system series of a run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sysstats.h"
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

