/* store_metrics.h - a run's k6 metrics, thresholds and checks, written by
 * every k6 reader (samples through ingest/k6_agg.c, summaries through
 * ingest/k6_summary.c) through one set of statements.
 *
 * Usage:
 *   struct metric_writer *w = store_metric_writer(st, STORE_INSERT);
 *   store_metric_put(w, run_id, &row, err); store_threshold_put(...); ...
 *   store_metric_writer_free(w);
 * Every function returns 0 or -1 with err filled; the SQL serves both
 * backends (store/sq.h).
 */
#ifndef LOADREP_STORE_METRICS_H
#define LOADREP_STORE_METRICS_H
#include <stddef.h>
#include <stdint.h>

struct err;
struct store;

/** What a row that is already there does: fail, stay, or be replaced. */
enum store_conflict { STORE_INSERT, STORE_OR_IGNORE, STORE_OR_REPLACE };
/** A check row that is already there: add to its counts, or replace them. */
enum store_check_mode { STORE_CHECK_ADD, STORE_CHECK_REPLACE };

/** A row of the metrics table. A NaN (or infinite) number is stored as NULL;
 *  strings are copied; extra is JSON text or NULL. */
struct metric_row {
  const char *name, *type, *contains;
  double count, sum, avg, min, med, max, p90, p95, p99, rate, passes, fails, value;
  const char *extra;
};
/** A metric_row with every number NaN. */
void metric_row_init(struct metric_row *r);

struct metric_writer;
struct metric_writer *store_metric_writer(struct store *st, enum store_conflict metrics,
                                          enum store_check_mode checks);
void store_metric_writer_free(struct metric_writer *w);

int store_metric_put(struct metric_writer *w, int64_t run_id, const struct metric_row *r, struct err *err);
/** ok: 1 passed, 0 failed, -1 not judged (NULL). source: "k6" or "loadrep".
 *  A threshold already stored for (run, metric, expression) is replaced. */
int store_threshold_put(struct metric_writer *w, int64_t run_id, const char *metric, const char *expr, int ok,
                        const char *source, struct err *err);
int store_check_put(struct metric_writer *w, int64_t run_id, const char *group, const char *name, int64_t passes,
                    int64_t fails, struct err *err);

/* Reading (show, objectives). Strings owned; a NULL number reads NaN. */

/** A metrics row as stored; extra NULL when none. */
struct store_metric {
  char *name, *type, *contains, *extra;
  double count, avg, min, med, max, p90, p95, p99, rate, passes, fails, value;
};
/** Every metric of run_id, by name. */
int store_metrics_of(struct store *st, int64_t run_id, struct store_metric **out, size_t *n, struct err *err);
void store_metrics_free(struct store_metric *m, size_t n);

/** A threshold k6 was given: ok 1 passed, 0 failed, -1 not judged. */
struct store_threshold_row {
  char *metric, *expression, *source;
  int ok;
};
/** Every threshold of run_id, by metric, expression. */
int store_thresholds_of(struct store *st, int64_t run_id, struct store_threshold_row **out, size_t *n,
                        struct err *err);
void store_threshold_rows_free(struct store_threshold_row *t, size_t n);
/** Whether threshold (metric, expression) of run_id passed: *ok 1, 0, or -1
 *  when it is not stored or was not judged. */
int store_threshold_ok(struct store *st, int64_t run_id, const char *metric, const char *expression, int *ok,
                       struct err *err);

/** A k6 check with its counts. */
struct store_check {
  char *group, *name;
  int64_t passes, fails;
};
/** Every check of run_id, by group, name. */
int store_checks_of(struct store *st, int64_t run_id, struct store_check **out, size_t *n, struct err *err);
void store_checks_free(struct store_check *c, size_t n);

/** The k6 requests of run_id that succeeded (http_reqs count less
 *  http_req_failed passes); NaN when the run has no http_reqs. */
int store_ok_requests(struct store *st, int64_t run_id, double *ok, struct err *err);

#endif
