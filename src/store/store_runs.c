#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_runs.h"
#include "util/err.h"
#include "util/xalloc.h"

/* p95 is null when no request got a response (every request failed in 0 ms)
 * or there was no sample: k6's 0 there is not a latency. */
#define P95_SQL                                                                                                    \
  "(SELECT CASE WHEN d.count = 0 OR (d.max = 0 AND f.value = 1) THEN NULL ELSE d.p95 END "                        \
  " FROM metrics d LEFT JOIN metrics f ON f.run_id = d.run_id AND f.name = 'http_req_failed' "                     \
  " WHERE d.run_id = r.id AND d.name = 'http_req_duration')"

void store_run_rows_free(struct store_run_row *r, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(r[i].name);
    free(r[i].scenario);
    free(r[i].env);
    free(r[i].incomplete_reason);
  }
  free(r);
}

/* Columns 0-6 of both queries: id, name, scenario, env, start_ts, duration_s, end_ts. */
static int run_row(struct sq_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_run_row *r = item;
  r->id = sq_int64(s, 0);
  r->name = xstrdup(sq_text(s, 1));
  r->scenario = xstrdup(sq_text(s, 2));
  r->env = xstrdup(sq_text(s, 3));
  r->start_ts = sq_double(s, 4);
  r->duration_s = sq_double(s, 5);
  r->end_ts = sq_double(s, 6);
  r->requests = r->p95_ms = r->error_rate = NAN;
  r->complete = r->k6_exit_status = -1;
  return 0;
}

/* run_row() and columns 7-13 of store_runs_list(). */
static int run_row_full(struct sq_stmt *s, void *item, struct err *err) {
  struct store_run_row *r = item;
  run_row(s, item, err);
  r->requests = sq_double(s, 7);
  r->p95_ms = sq_double(s, 8);
  r->error_rate = sq_double(s, 9);
  r->baseline = sq_int(s, 10);
  if (!sq_is_null(s, 11))
    r->complete = sq_int(s, 11) != 0;
  if (!sq_is_null(s, 12))
    r->incomplete_reason = xstrdup(sq_text(s, 12));
  if (!sq_is_null(s, 13))
    r->k6_exit_status = sq_int(s, 13);
  return 0;
}

static void runs_release(void *r, size_t n) {
  store_run_rows_free(r, n);
}

int store_runs_list(struct store *st, const char *scenario, struct store_run_row **out, size_t *n,
                    struct err *err) {
  struct sq_stmt *s = sq_query(st, err,
                               "SELECT r.id, r.name, r.scenario, r.env, r.start_ts, r.duration_s, r.end_ts, "
                               "(SELECT count FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_reqs'), "
                               P95_SQL ", "
                               "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_req_failed'), "
                               "CASE WHEN EXISTS (SELECT 1 FROM baselines b WHERE b.run_id = r.id) THEN 1 ELSE 0 END, "
                               "r.complete, r.incomplete_reason, r.k6_exit_status "
                               "FROM runs r WHERE CAST(?1 AS TEXT) IS NULL OR r.scenario = ?1 ORDER BY r.id",
                               "s", scenario);
  return store_rows(st, s, sizeof **out, run_row_full, runs_release, "cannot read runs", (void **)out, n, err);
}

int store_runs_by_start(struct store *st, const char *scenario, const char *env, struct store_run_row **out,
                        size_t *n, struct err *err) {
  struct sq_stmt *s = sq_query(st, err,
                               "SELECT id, name, scenario, env, start_ts, duration_s, end_ts FROM runs "
                               "WHERE (CAST(?1 AS TEXT) IS NULL OR scenario = ?1) "
                               "AND (CAST(?2 AS TEXT) IS NULL OR env = ?2) "
                               "ORDER BY start_ts, id",
                               "ss", scenario, env);
  return store_rows(st, s, sizeof **out, run_row, runs_release, "cannot read runs", (void **)out, n, err);
}

int store_run_set_completeness(struct store *st, int64_t run_id, int complete, const char *reason,
                               int k6_exit_status, struct err *err) {
  return sq_run(st, err, "cannot record the run's completeness",
                "UPDATE runs SET complete = ?1, incomplete_reason = ?2, "
                "k6_exit_status = CASE WHEN ?3 < 0 THEN NULL ELSE ?3 END WHERE id = ?4",
                "IsIi", complete, reason, k6_exit_status, run_id);
}

int store_run_set_span(struct store *st, int64_t run_id, double start_ts, double end_ts, double duration_s,
                       const char *duration_src, struct err *err) {
  return sq_run(st, err, "cannot update run",
                "UPDATE runs SET start_ts = ?, end_ts = ?, duration_s = ?, duration_src = ?, "
                "has_samples = 1 WHERE id = ?",
                "dddsi", start_ts, end_ts, duration_s, duration_src, run_id);
}

int store_run_id_of(struct store *st, const char *name, int64_t *id, struct err *err) {
  return sq_int64_of(st, err, "cannot read runs", 0, id, "SELECT id FROM runs WHERE name = ?", "s", name);
}

int store_run_create(struct store *st, const char *name, const char *scenario, const char *env,
                     const char *labels_json, const char *created_at, int64_t *id, struct err *err) {
  return sq_int64_of(st, err, "cannot create run", 0, id,
                     "INSERT INTO runs (name, scenario, env, labels, created_at) VALUES (?,?,?,?,?) RETURNING id",
                     "sssss", name, scenario, env, labels_json, created_at);
}

int store_run_set_duration(struct store *st, int64_t run_id, double duration_s, const char *duration_src,
                           struct err *err) {
  return sq_run(st, err, "cannot update run", "UPDATE runs SET duration_s = ?, duration_src = ? WHERE id = ?", "dsi",
                isfinite(duration_s) ? duration_s : NAN, duration_src, run_id);
}

int store_run_set_name(struct store *st, int64_t run_id, const char *name, const char *scenario,
                       const char *k6_version, struct err *err) {
  return sq_run(st, err, "cannot name run", "UPDATE runs SET name = ?, scenario = ?, k6_version = ? WHERE id = ?",
                "sssi", name, scenario, k6_version, run_id);
}
