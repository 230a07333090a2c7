/* store_sys_read.c - reads system series and samples (store/store_sys.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_sys.h"
#include "util/err.h"
#include "util/xalloc.h"

#define F(type, member) STORE_FIELD(type, struct store_sys_series, member)
/* Columns: id, host, name, unit, source, in-window count (NULL: -1). */
static const struct store_field series_fields[] = {F(SF_I64, id),     F(SF_STR, host),   F(SF_STR, name),
                                                   F(SF_STR, unit),   F(SF_STR, source), F(SF_LONG_OR_NEG, in_window)};
#undef F
STORE_SHAPE_FREE(series_shape, struct store_sys_series, series_fields, store_sys_series_free)

STORE_LIST_OF_ID(store_sys_series_list, struct store_sys_series, series_shape,
                 "SELECT id, host, name, unit, source, NULL FROM sys_series WHERE run_id = ? "
                 "ORDER BY source, host, id",
                 "cannot read system series")

STORE_LIST_OF_ID(store_sys_series_counted, struct store_sys_series, series_shape,
                 "SELECT s.id, '', s.name, s.unit, '', (SELECT count(*) FROM sys_samples x WHERE "
                 "x.series_id = s.id AND x.in_window = 1) FROM sys_series s WHERE s.run_id = ? "
                 "ORDER BY s.id",
                 "cannot read system series")

int store_sys_samples(struct store *st, int64_t series_id, int window, double from, double to, double **ts,
                      double **v, size_t *n, struct err *err) {
  *ts = *v = NULL;
  *n = 0;
  int bounded = !window && !isnan(from) && !isnan(to);
  struct sq_stmt *q =
      window ? sq_query(st, err, "SELECT ts, value FROM sys_samples WHERE series_id = ? AND in_window = 1 ORDER BY ts",
                        "i", series_id)
             : sq_query(st, err,
                        "SELECT ts, value FROM sys_samples WHERE series_id = ?1 "
                        "AND (?2 = 0 OR (ts >= ?3 AND ts <= ?4)) ORDER BY ts",
                        "iIdd", series_id, bounded, bounded ? from : 0.0, bounded ? to : 0.0);
  if (!q)
    return -1;
  size_t cap = 0, cap2 = 0;
  int rc;
  while ((rc = sq_step(q)) == SQ_ROW) {
    XGROW(*ts, cap, *n + 1);
    XGROW(*v, cap2, *n + 1);
    (*ts)[*n] = sq_double(q, 0);
    (*v)[*n] = sq_double(q, 1);
    (*n)++;
  }
  sq_finalize(q);
  if (rc == SQ_DONE)
    return 0;
  free(*ts);
  free(*v);
  *ts = *v = NULL;
  *n = 0;
  return store_fail(st, err, window ? "reading system samples" : "cannot read system samples");
}

int store_sys_mean(struct store *st, int64_t series_id, double from, double to, double *mean, long *n,
                   struct err *err) {
  *mean = NAN; /* NaN too when no sample */
  return store_scan_first(st,
                          sq_query(st, err,
                                   "SELECT avg(value), count(*) FROM sys_samples WHERE series_id = ? AND ts >= ? "
                                   "AND ts < ?",
                                   "idd", series_id, from, to),
                          NULL, err, "dl", mean, n);
}
