/* sysstats.c - min/avg/p95/max/at-peak of each system series of a run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sysstats.h"
#include "stats/percentile.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "store/store_sys.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* The time of peak load: middle of the first run bucket with the maximum vus. */
static int peak_time(struct store *st, const struct run_info *run, double *peak, struct err *err) {
  *peak = NAN;
  if (isnan(run->start_ts))
    return 0;
  int64_t t;
  int found;
  if (store_peak_vus_second(st, run->id, &t, &found, err) < 0)
    return -1;
  if (found)
    *peak = run->start_ts + (double)t + 0.5;
  return 0;
}

int sysstats_json(struct store *st, const struct run_info *run, json_t **out, struct err *err) {
  double peak;
  *out = NULL;
  if (peak_time(st, run, &peak, err) < 0)
    return -1;
  struct store_sys_series *ser;
  size_t nser;
  if (store_sys_series_list(st, run->id, &ser, &nser, err) < 0)
    return -1;
  json_t *arr = json_array();
  int rc = 0;
  for (size_t i = 0; i < nser; i++) {
    double *ts, *v;
    size_t n;
    if (store_sys_samples(st, ser[i].id, 0, run->start_ts, run->end_ts, &ts, &v, &n, err) < 0) {
      rc = -1;
      break;
    }
    double sum = 0, at_peak = NAN, best = INFINITY;
    for (size_t k = 0; k < n; k++) {
      sum += v[k];
      if (!isnan(peak) && fabs(ts[k] - peak) < best) {
        best = fabs(ts[k] - peak);
        at_peak = v[k];
      }
    }
    double mn = NAN, mx = NAN, avg = NAN, p95 = NAN;
    if (n) {
      stats_sort(v, n);
      mn = v[0];
      mx = v[n - 1];
      avg = sum / (double)n;
      p95 = stats_pct_sorted(v, n, 0.95);
    }
    free(ts);
    free(v);
    json_t *o = json_object();
    json_object_set_new(o, "host", json_string(ser[i].host));
    json_object_set_new(o, "series", json_string(ser[i].name));
    json_object_set_new(o, "unit", json_string(ser[i].unit));
    json_object_set_new(o, "source", json_string(ser[i].source));
    json_object_set_new(o, "samples", json_integer((json_int_t)n));
    json_object_set_new(o, "min", jx_real_or_null(mn));
    json_object_set_new(o, "avg", jx_real_or_null(avg));
    json_object_set_new(o, "p95", jx_real_or_null(p95));
    json_object_set_new(o, "max", jx_real_or_null(mx));
    json_object_set_new(o, "at_peak", jx_real_or_null(at_peak));
    json_array_append_new(arr, o);
  }
  store_sys_series_free(ser, nser);
  if (rc < 0) {
    json_decref(arr);
    return -1;
  }
  *out = arr;
  return 0;
}
