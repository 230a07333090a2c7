/* store_metrics.c - the metrics, thresholds and checks tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_metrics.h"
#include "util/xalloc.h"

struct metric_writer {
  struct store *st;
  enum store_conflict conflict;
  enum store_check_mode checks;
  sqlite3_stmt *metric, *threshold, *check;
};

void metric_row_init(struct metric_row *r) {
  r->name = r->type = r->contains = r->extra = NULL;
  r->count = r->sum = r->avg = r->min = r->med = r->max = NAN;
  r->p90 = r->p95 = r->p99 = r->rate = r->passes = r->fails = r->value = NAN;
}

struct metric_writer *store_metric_writer(struct store *st, enum store_conflict metrics,
                                          enum store_check_mode checks) {
  struct metric_writer *w = xcalloc(1, sizeof *w);
  w->st = st;
  w->conflict = metrics;
  w->checks = checks;
  return w;
}

void store_metric_writer_free(struct metric_writer *w) {
  if (!w)
    return;
  sqlite3_finalize(w->metric);
  sqlite3_finalize(w->threshold);
  sqlite3_finalize(w->check);
  free(w);
}

static void bind_num(sqlite3_stmt *s, int col, double v) {
  if (isfinite(v))
    sqlite3_bind_double(s, col, v);
  else
    sqlite3_bind_null(s, col);
}

int store_metric_put(struct metric_writer *w, int64_t run_id, const struct metric_row *r, struct err *err) {
  static const char *const verb[] = {"INSERT", "INSERT OR IGNORE", "INSERT OR REPLACE"};
  if (!w->metric) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "%s INTO metrics (run_id, name, type, contains, count, sum, avg, min, med, max, "
             "p90, p95, p99, rate, passes, fails, value, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
             verb[w->conflict]);
    if (!(w->metric = store_prepare(w->st, sql, err)))
      return -1;
  }
  sqlite3_stmt *s = w->metric;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, r->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, r->type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, r->contains, -1, SQLITE_TRANSIENT);
  const double v[] = {r->count, r->sum, r->avg, r->min, r->med, r->max, r->p90,
                      r->p95,   r->p99, r->rate, r->passes, r->fails, r->value};
  for (int k = 0; k < 13; k++)
    bind_num(s, 5 + k, v[k]);
  if (r->extra)
    sqlite3_bind_text(s, 18, r->extra, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE)
    return store_fail(w->st, err, "cannot store metric");
  return 0;
}

int store_threshold_put(struct metric_writer *w, int64_t run_id, const char *metric, const char *expr, int ok,
                        const char *source, struct err *err) {
  if (!w->threshold && !(w->threshold = store_prepare(w->st,
                                                      "INSERT OR REPLACE INTO thresholds (run_id, metric, "
                                                      "expression, ok, source) VALUES (?,?,?,?,?)",
                                                      err)))
    return -1;
  sqlite3_stmt *s = w->threshold;
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, metric, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, expr, -1, SQLITE_TRANSIENT);
  if (ok < 0)
    sqlite3_bind_null(s, 4);
  else
    sqlite3_bind_int(s, 4, ok);
  sqlite3_bind_text(s, 5, source, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE)
    return store_fail(w->st, err, "cannot store threshold");
  return 0;
}

int store_check_put(struct metric_writer *w, int64_t run_id, const char *group, const char *name, int64_t passes,
                    int64_t fails, struct err *err) {
  if (!w->check) {
    const char *sql = w->checks == STORE_CHECK_ADD
                          ? "INSERT INTO checks (run_id, grp, name, passes, fails) VALUES (?,?,?,?,?) "
                            "ON CONFLICT (run_id, grp, name) DO UPDATE SET passes = passes + excluded.passes, "
                            "fails = fails + excluded.fails"
                          : "INSERT OR REPLACE INTO checks (run_id, grp, name, passes, fails) VALUES (?,?,?,?,?)";
    if (!(w->check = store_prepare(w->st, sql, err)))
      return -1;
  }
  sqlite3_stmt *s = w->check;
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, group, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 4, (sqlite3_int64)passes);
  sqlite3_bind_int64(s, 5, (sqlite3_int64)fails);
  if (sqlite3_step(s) != SQLITE_DONE)
    return store_fail(w->st, err, "cannot store checks");
  return 0;
}
