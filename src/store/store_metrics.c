/* store_metrics.c - the metrics, thresholds and checks tables. */
#include <math.h>
#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_metrics.h"
#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

struct metric_writer {
  struct store *st;
  enum store_conflict conflict;
  enum store_check_mode checks;
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
  free(w);
}

#define METRIC_INSERT                                                                                              \
  "INSERT INTO metrics (run_id, name, type, contains, count, sum, avg, min, med, max, p90, p95, p99, rate, "       \
  "passes, fails, value, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

/* By enum store_conflict: fail, keep the row there, replace it. */
static const char *const metric_sql[] = {
    METRIC_INSERT,
    METRIC_INSERT " ON CONFLICT (run_id, name) DO NOTHING",
    METRIC_INSERT " ON CONFLICT (run_id, name) DO UPDATE SET type = excluded.type, contains = excluded.contains, "
                  "count = excluded.count, sum = excluded.sum, avg = excluded.avg, min = excluded.min, "
                  "med = excluded.med, max = excluded.max, p90 = excluded.p90, p95 = excluded.p95, "
                  "p99 = excluded.p99, rate = excluded.rate, passes = excluded.passes, fails = excluded.fails, "
                  "value = excluded.value, extra = excluded.extra",
};

int store_metric_put(struct metric_writer *w, int64_t run_id, const struct metric_row *r, struct err *err) {
  struct sq_stmt *q = sq_query(w->st, err, metric_sql[w->conflict], "isss", run_id, r->name, r->type, r->contains);
  if (!q)
    return -1;
  const double v[] = {r->count, r->sum, r->avg, r->min, r->med, r->max, r->p90,
                      r->p95,   r->p99, r->rate, r->passes, r->fails, r->value};
  for (int k = 0; k < 13; k++)
    sq_bind_double(q, 5 + k, isfinite(v[k]) ? v[k] : NAN);
  sq_bind_text(q, 18, r->extra);
  int rc = sq_step(q);
  if (rc != SQ_DONE)
    store_fail(w->st, err, "cannot store metric");
  sq_finalize(q);
  return rc == SQ_DONE ? 0 : -1;
}

int store_threshold_put(struct metric_writer *w, int64_t run_id, const char *metric, const char *expr, int ok,
                        const char *source, struct err *err) {
  return sq_run(w->st, err, "cannot store threshold",
                "INSERT INTO thresholds (run_id, metric, expression, ok, source) "
                "VALUES (?1, ?2, ?3, CASE WHEN ?4 < 0 THEN NULL ELSE ?4 END, ?5) "
                "ON CONFLICT (run_id, metric, expression) DO UPDATE SET ok = excluded.ok, source = excluded.source",
                "issIs", run_id, metric, expr, ok, source);
}

int store_check_put(struct metric_writer *w, int64_t run_id, const char *group, const char *name, int64_t passes,
                    int64_t fails, struct err *err) {
  return sq_run(w->st, err, "cannot store checks",
                w->checks == STORE_CHECK_ADD
                    ? "INSERT INTO checks (run_id, grp, name, passes, fails) VALUES (?,?,?,?,?) "
                      "ON CONFLICT (run_id, grp, name) DO UPDATE SET passes = checks.passes + excluded.passes, "
                      "fails = checks.fails + excluded.fails"
                    : "INSERT INTO checks (run_id, grp, name, passes, fails) VALUES (?,?,?,?,?) "
                      "ON CONFLICT (run_id, grp, name) DO UPDATE SET passes = excluded.passes, "
                      "fails = excluded.fails",
                "issii", run_id, group, name, passes, fails);
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

static int metric_row(struct sq_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_metric *m = item;
  m->name = xstrdup(sq_text(s, 0));
  m->type = xstrdup(sq_text(s, 1));
  m->contains = xstrdup(sq_text(s, 2));
  double *v[] = {&m->count, &m->avg, &m->min, &m->med, &m->max, &m->p90, &m->p95,
                 &m->p99,   &m->rate, &m->passes, &m->fails, &m->value};
  for (int k = 0; k < 12; k++)
    *v[k] = sq_double(s, 3 + k);
  m->extra = sq_is_null(s, 15) ? NULL : xstrdup(sq_text(s, 15));
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

static int threshold_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_threshold_row *t = item;
  t->metric = xstrdup(sq_text(q, 0));
  t->expression = xstrdup(sq_text(q, 1));
  t->ok = sq_is_null(q, 2) ? -1 : sq_int(q, 2) != 0;
  t->source = xstrdup(sq_text(q, 3));
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
  int64_t v;
  int rc = sq_int64_of(st, err, "cannot read thresholds", -1, &v,
                       "SELECT ok FROM thresholds WHERE run_id = ? AND metric = ? AND expression = ?", "iss", run_id,
                       metric, expression);
  *ok = v < 0 ? -1 : v != 0;
  return rc;
}

void store_checks_free(struct store_check *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(c[i].group);
    free(c[i].name);
  }
  free(c);
}

static int check_row(struct sq_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_check *c = item;
  c->group = xstrdup(sq_text(s, 0));
  c->name = xstrdup(sq_text(s, 1));
  c->passes = sq_int64(s, 2);
  c->fails = sq_int64(s, 3);
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
  struct sq_stmt *s = sq_query(st, err,
                               "SELECT r.count - coalesce((SELECT f.passes FROM metrics f WHERE f.run_id = r.run_id "
                               "AND f.name = 'http_req_failed'), 0) FROM metrics r WHERE r.run_id = ? AND "
                               "r.name = 'http_reqs'",
                               "i", run_id);
  if (!s)
    return -1;
  int rc = sq_step(s);
  if (rc == SQ_ROW)
    *ok = sq_double(s, 0);
  else if (rc != SQ_DONE)
    store_fail(st, err, "cannot read the run's requests");
  sq_finalize(s);
  return rc == SQ_ERROR ? -1 : 0;
}
