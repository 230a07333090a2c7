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

void store_sys_series_free(struct store_sys_series *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(s[i].host);
    free(s[i].name);
    free(s[i].unit);
    free(s[i].source);
  }
  free(s);
}

/* Columns: id, host, name, unit, source, in-window count (NULL: -1). */
static int series_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_sys_series *s = item;
  s->id = sq_int64(q, 0);
  s->host = xstrdup(sq_text(q, 1));
  s->name = xstrdup(sq_text(q, 2));
  s->unit = xstrdup(sq_text(q, 3));
  s->source = xstrdup(sq_text(q, 4));
  s->in_window = sq_is_null(q, 5) ? -1 : (long)sq_int64(q, 5);
  return 0;
}

static void series_release(void *s, size_t n) {
  store_sys_series_free(s, n);
}

int store_sys_series_list(struct store *st, int64_t run_id, struct store_sys_series **out, size_t *n,
                          struct err *err) {
  return store_rows_of_id(st,
                          "SELECT id, host, name, unit, source, NULL FROM sys_series WHERE run_id = ? "
                          "ORDER BY source, host, id",
                          run_id, sizeof **out, series_row, series_release, "cannot read system series", (void **)out,
                          n, err);
}

int store_sys_series_counted(struct store *st, int64_t run_id, struct store_sys_series **out, size_t *n,
                             struct err *err) {
  return store_rows_of_id(st,
                          "SELECT s.id, '', s.name, s.unit, '', (SELECT count(*) FROM sys_samples x WHERE "
                          "x.series_id = s.id AND x.in_window = 1) FROM sys_series s WHERE s.run_id = ? "
                          "ORDER BY s.id",
                          run_id, sizeof **out, series_row, series_release, "cannot read system series", (void **)out,
                          n, err);
}

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
  *mean = NAN;
  struct sq_stmt *q = sq_query(st, err, "SELECT avg(value), count(*) FROM sys_samples WHERE series_id = ? AND ts >= ? "
                                        "AND ts < ?",
                               "idd", series_id, from, to);
  if (!q)
    return -1;
  if (sq_step(q) == SQ_ROW) {
    *mean = sq_double(q, 0); /* NaN when no sample */
    if (n)
      *n = (long)sq_int64(q, 1);
  }
  sq_finalize(q);
  return 0;
}
