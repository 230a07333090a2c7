/* store_metrics.c - the metrics, thresholds and checks tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "store/store_metrics.h"
#include "store/store_rows.h"
#include "util/err.h"
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

void store_metrics_free(struct store_metric *m, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(m[i].name);
    free(m[i].type);
    free(m[i].contains);
    free(m[i].extra);
  }
  free(m);
}

static int metric_row(sqlite3_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_metric *m = item;
  m->name = xstrdup(store_col_text(s, 0));
  m->type = xstrdup(store_col_text(s, 1));
  m->contains = xstrdup(store_col_text(s, 2));
  double *v[] = {&m->count, &m->avg, &m->min, &m->med, &m->max, &m->p90, &m->p95,
                 &m->p99,   &m->rate, &m->passes, &m->fails, &m->value};
  for (int k = 0; k < 12; k++)
    *v[k] = store_col_double(s, 3 + k);
  m->extra = sqlite3_column_type(s, 15) == SQLITE_NULL ? NULL : xstrdup(store_col_text(s, 15));
  return 0;
}

static void metrics_release(void *m, size_t n) {
  store_metrics_free(m, n);
}

int store_metrics_of(struct store *st, int64_t run_id, struct store_metric **out, size_t *n, struct err *err) {
  return store_rows_of_id(st,
                          "SELECT name, type, contains, count, avg, min, med, max, p90, p95, p99, rate, "
                          "passes, fails, value, extra FROM metrics WHERE run_id = ? ORDER BY name",
                          run_id, sizeof **out, metric_row, metrics_release, "reading the run's metrics", (void **)out,
                          n, err);
}

void store_threshold_rows_free(struct store_threshold_row *t, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(t[i].metric);
    free(t[i].expression);
    free(t[i].source);
  }
  free(t);
}

static int threshold_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_threshold_row *t = item;
  t->metric = xstrdup(store_col_text(q, 0));
  t->expression = xstrdup(store_col_text(q, 1));
  t->ok = sqlite3_column_type(q, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 2) != 0;
  t->source = xstrdup(store_col_text(q, 3));
  return 0;
}

static void thresholds_release(void *t, size_t n) {
  store_threshold_rows_free(t, n);
}

int store_thresholds_of(struct store *st, int64_t run_id, struct store_threshold_row **out, size_t *n,
                        struct err *err) {
  return store_rows_of_id(st,
                          "SELECT metric, expression, ok, source FROM thresholds WHERE run_id = ? "
                          "ORDER BY metric, expression",
                          run_id, sizeof **out, threshold_row, thresholds_release, "reading the run's thresholds",
                          (void **)out, n, err);
}

int store_threshold_ok(struct store *st, int64_t run_id, const char *metric, const char *expression, int *ok,
                       struct err *err) {
  *ok = -1;
  sqlite3_stmt *q = store_prepare(st, "SELECT ok FROM thresholds WHERE run_id = ? AND metric = ? AND expression = ?", err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run_id);
  sqlite3_bind_text(q, 2, metric, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(q, 3, expression, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
    *ok = sqlite3_column_int(q, 0) != 0;
  sqlite3_finalize(q);
  return 0;
}

void store_checks_free(struct store_check *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(c[i].group);
    free(c[i].name);
  }
  free(c);
}

static int check_row(sqlite3_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_check *c = item;
  c->group = xstrdup(store_col_text(s, 0));
  c->name = xstrdup(store_col_text(s, 1));
  c->passes = sqlite3_column_int64(s, 2);
  c->fails = sqlite3_column_int64(s, 3);
  return 0;
}

static void checks_release(void *c, size_t n) {
  store_checks_free(c, n);
}

int store_checks_of(struct store *st, int64_t run_id, struct store_check **out, size_t *n, struct err *err) {
  return store_rows_of_id(st, "SELECT grp, name, passes, fails FROM checks WHERE run_id = ? ORDER BY grp, name",
                          run_id, sizeof **out, check_row, checks_release, "reading the run's checks", (void **)out,
                          n, err);
}

int store_ok_requests(struct store *st, int64_t run_id, double *ok, struct err *err) {
  *ok = NAN;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT r.count - coalesce((SELECT f.passes FROM metrics f WHERE f.run_id = r.run_id "
                                  "AND f.name = 'http_req_failed'), 0) FROM metrics r WHERE r.run_id = ? AND "
                                  "r.name = 'http_reqs'",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *ok = store_col_double(s, 0);
  sqlite3_finalize(s);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot read the run's requests");
}
