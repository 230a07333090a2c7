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

struct metric_writer *store_metric_writer(struct store *st, enum store_conflict metrics, enum store_check_mode checks) {
  struct metric_writer *w = xcalloc(1, sizeof *w);
  w->st = st;
  w->conflict = metrics;
  w->checks = checks;
  return w;
}

void store_metric_writer_free(struct metric_writer *w) { free(w); }

#define METRIC_INSERT                                                                                                  \
  "INSERT INTO metrics (run_id, name, type, contains, count, sum, avg, min, med, max, p90, p95, p99, rate, "           \
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

/* A figure, or NULL (NaN) when it is not finite. */
static double fin(double v) { return isfinite(v) ? v : NAN; }

int store_metric_put(struct metric_writer *w, int64_t run_id, const struct metric_row *r, struct err *err) {
  return sq_run(w->st, err, "cannot store metric", metric_sql[w->conflict], "isssddddddddddddds", run_id, r->name,
                r->type, r->contains, fin(r->count), fin(r->sum), fin(r->avg), fin(r->min), fin(r->med), fin(r->max),
                fin(r->p90), fin(r->p95), fin(r->p99), fin(r->rate), fin(r->passes), fin(r->fails), fin(r->value),
                r->extra);
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

#define F(type, member) STORE_FIELD(type, struct store_metric, member)
static const struct store_field metric_fields[] = {
    F(SF_STR, name), F(SF_STR, type), F(SF_STR, contains), F(SF_DBL, count),  F(SF_DBL, avg),   F(SF_DBL, min),
    F(SF_DBL, med),  F(SF_DBL, max),  F(SF_DBL, p90),      F(SF_DBL, p95),    F(SF_DBL, p99),   F(SF_DBL, rate),
    F(SF_DBL, passes), F(SF_DBL, fails), F(SF_DBL, value), F(SF_STR_OR_NULL, extra)};
#undef F
STORE_SHAPE_FREE(metric_shape, struct store_metric, metric_fields, store_metrics_free)

STORE_LIST_OF_ID(store_metrics_of, struct store_metric, metric_shape,
                 "SELECT name, type, contains, count, avg, min, med, max, p90, p95, p99, rate, "
                 "passes, fails, value, extra FROM metrics WHERE run_id = ? ORDER BY name",
                 "reading the run's metrics")

#define F(type, member) STORE_FIELD(type, struct store_threshold_row, member)
static const struct store_field threshold_fields[] = {F(SF_STR, metric), F(SF_STR, expression), F(SF_TRI, ok),
                                                      F(SF_STR, source)};
#undef F
STORE_SHAPE_FREE(threshold_shape, struct store_threshold_row, threshold_fields, store_threshold_rows_free)

STORE_LIST_OF_ID(store_thresholds_of, struct store_threshold_row, threshold_shape,
                 "SELECT metric, expression, ok, source FROM thresholds WHERE run_id = ? "
                 "ORDER BY metric, expression",
                 "reading the run's thresholds")

int store_threshold_ok(struct store *st, int64_t run_id, const char *metric, const char *expression, int *ok,
                       struct err *err) {
  int64_t v;
  int rc = sq_int64_of(st, err, "cannot read thresholds", -1, &v,
                       "SELECT ok FROM thresholds WHERE run_id = ? AND metric = ? AND expression = ?", "iss", run_id,
                       metric, expression);
  *ok = v < 0 ? -1 : v != 0;
  return rc;
}

#define F(type, member) STORE_FIELD(type, struct store_check, member)
static const struct store_field check_fields[] = {F(SF_STR, group), F(SF_STR, name), F(SF_I64, passes),
                                                  F(SF_I64, fails)};
#undef F
STORE_SHAPE_FREE(check_shape, struct store_check, check_fields, store_checks_free)

STORE_LIST_OF_ID(store_checks_of, struct store_check, check_shape,
                 "SELECT grp, name, passes, fails FROM checks WHERE run_id = ? ORDER BY grp, name",
                 "reading the run's checks")

int store_ok_requests(struct store *st, int64_t run_id, double *ok, struct err *err) {
  *ok = NAN;
  return store_scan_first(st,
                          sq_query(st, err,
                                   "SELECT r.count - coalesce((SELECT f.passes FROM metrics f WHERE f.run_id = "
                                   "r.run_id AND f.name = 'http_req_failed'), 0) FROM metrics r WHERE r.run_id = ? "
                                   "AND r.name = 'http_reqs'",
                                   "i", run_id),
                          "cannot read the run's requests", err, "d", ok);
}
