/* store_sys_read.c - reads system series and samples (store/store_sys.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
static int series_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_sys_series *s = item;
  s->id = sqlite3_column_int64(q, 0);
  s->host = xstrdup(store_col_text(q, 1));
  s->name = xstrdup(store_col_text(q, 2));
  s->unit = xstrdup(store_col_text(q, 3));
  s->source = xstrdup(store_col_text(q, 4));
  s->in_window = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(q, 5);
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
  sqlite3_stmt *q =
      window ? store_prepare(st, "SELECT ts, value FROM sys_samples WHERE series_id = ? AND in_window = 1 ORDER BY ts",
                             err)
             : store_prepare(st,
                             "SELECT ts, value FROM sys_samples WHERE series_id = ?1 "
                             "AND (?2 = 0 OR (ts >= ?3 AND ts <= ?4)) ORDER BY ts",
                             err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, series_id);
  if (!window) {
    sqlite3_bind_int(q, 2, bounded);
    sqlite3_bind_double(q, 3, bounded ? from : 0);
    sqlite3_bind_double(q, 4, bounded ? to : 0);
  }
  size_t cap = 0, cap2 = 0;
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    XGROW(*ts, cap, *n + 1);
    XGROW(*v, cap2, *n + 1);
    (*ts)[*n] = sqlite3_column_double(q, 0);
    (*v)[*n] = sqlite3_column_double(q, 1);
    (*n)++;
  }
  sqlite3_finalize(q);
  if (rc == SQLITE_DONE)
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
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT avg(value), count(*) FROM sys_samples WHERE series_id = ? AND ts >= ? "
                                  "AND ts < ?",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, series_id);
  sqlite3_bind_double(q, 2, from);
  sqlite3_bind_double(q, 3, to);
  if (sqlite3_step(q) == SQLITE_ROW) {
    if (sqlite3_column_type(q, 0) != SQLITE_NULL)
      *mean = sqlite3_column_double(q, 0);
    if (n)
      *n = (long)sqlite3_column_int64(q, 1);
  }
  sqlite3_finalize(q);
  return 0;
}
