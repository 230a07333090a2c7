#include <math.h>
#include <stdlib.h>
#include <string.h>

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
static int run_row(sqlite3_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_run_row *r = item;
  r->id = sqlite3_column_int64(s, 0);
  r->name = xstrdup(store_col_text(s, 1));
  r->scenario = xstrdup(store_col_text(s, 2));
  r->env = xstrdup(store_col_text(s, 3));
  r->start_ts = store_col_double(s, 4);
  r->duration_s = store_col_double(s, 5);
  r->end_ts = store_col_double(s, 6);
  r->requests = r->p95_ms = r->error_rate = NAN;
  r->complete = r->k6_exit_status = -1;
  return 0;
}

/* run_row() and columns 7-13 of store_runs_list(). */
static int run_row_full(sqlite3_stmt *s, void *item, struct err *err) {
  struct store_run_row *r = item;
  run_row(s, item, err);
  r->requests = store_col_double(s, 7);
  r->p95_ms = store_col_double(s, 8);
  r->error_rate = store_col_double(s, 9);
  r->baseline = sqlite3_column_int(s, 10);
  if (sqlite3_column_type(s, 11) != SQLITE_NULL)
    r->complete = sqlite3_column_int(s, 11) != 0;
  if (sqlite3_column_type(s, 12) != SQLITE_NULL)
    r->incomplete_reason = xstrdup(store_col_text(s, 12));
  if (sqlite3_column_type(s, 13) != SQLITE_NULL)
    r->k6_exit_status = sqlite3_column_int(s, 13);
  return 0;
}

static void runs_release(void *r, size_t n) {
  store_run_rows_free(r, n);
}

int store_runs_list(struct store *st, const char *scenario, struct store_run_row **out, size_t *n,
                    struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT r.id, r.name, r.scenario, r.env, r.start_ts, r.duration_s, r.end_ts, "
                                  "(SELECT count FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_reqs'), "
                                  P95_SQL ", "
                                  "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_req_failed'), "
                                  "EXISTS (SELECT 1 FROM baselines b WHERE b.run_id = r.id), "
                                  "r.complete, r.incomplete_reason, r.k6_exit_status "
                                  "FROM runs r WHERE ?1 IS NULL OR r.scenario = ?1 ORDER BY r.id",
                                  err);
  if (s && scenario)
    sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
  return store_rows(st, s, sizeof **out, run_row_full, runs_release, "cannot read runs", (void **)out, n, err);
}

int store_runs_by_start(struct store *st, const char *scenario, const char *env, struct store_run_row **out,
                        size_t *n, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT id, name, scenario, env, start_ts, duration_s, end_ts FROM runs "
                                  "WHERE (?1 IS NULL OR scenario = ?1) AND (?2 IS NULL OR env = ?2) "
                                  "ORDER BY start_ts, id",
                                  err);
  if (s && scenario)
    sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
  if (s && env)
    sqlite3_bind_text(s, 2, env, -1, SQLITE_TRANSIENT);
  return store_rows(st, s, sizeof **out, run_row, runs_release, "cannot read runs", (void **)out, n, err);
}

int store_run_set_completeness(struct store *st, int64_t run_id, int complete, const char *reason,
                               int k6_exit_status, struct err *err) {
  sqlite3_stmt *u = store_prepare(st, "UPDATE runs SET complete = ?, incomplete_reason = ?, k6_exit_status = ? "
                                      "WHERE id = ?",
                                  err);
  if (!u)
    return -1;
  sqlite3_bind_int(u, 1, complete);
  if (!reason)
    sqlite3_bind_null(u, 2);
  else
    sqlite3_bind_text(u, 2, reason, -1, SQLITE_TRANSIENT);
  if (k6_exit_status >= 0)
    sqlite3_bind_int(u, 3, k6_exit_status);
  else
    sqlite3_bind_null(u, 3);
  sqlite3_bind_int64(u, 4, run_id);
  int rc = sqlite3_step(u);
  sqlite3_finalize(u);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot record the run's completeness");
}

int store_run_set_span(struct store *st, int64_t run_id, double start_ts, double end_ts, double duration_s,
                       const char *duration_src, struct err *err) {
  sqlite3_stmt *up = store_prepare(st,
                                   "UPDATE runs SET start_ts = ?, end_ts = ?, duration_s = ?, duration_src = ?, "
                                   "has_samples = 1 WHERE id = ?",
                                   err);
  if (!up)
    return -1;
  sqlite3_bind_double(up, 1, start_ts);
  sqlite3_bind_double(up, 2, end_ts);
  sqlite3_bind_double(up, 3, duration_s);
  sqlite3_bind_text(up, 4, duration_src, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(up, 5, run_id);
  int r = sqlite3_step(up);
  sqlite3_finalize(up);
  return r == SQLITE_DONE ? 0 : store_fail(st, err, "cannot update run");
}

int store_run_id_of(struct store *st, const char *name, int64_t *id, struct err *err) {
  sqlite3_stmt *s = store_prepare(st, "SELECT id FROM runs WHERE name = ?", err);
  if (!s)
    return -1;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read runs");
  return 0;
}

int store_run_create(struct store *st, const char *name, const char *scenario, const char *env,
                     const char *labels_json, const char *created_at, int64_t *id, struct err *err) {
  sqlite3_stmt *s = store_prepare(st, "INSERT INTO runs (name, scenario, env, labels, created_at) VALUES (?,?,?,?,?)",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, scenario, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, env, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, labels_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 5, created_at, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "cannot create run");
  *id = sqlite3_last_insert_rowid(st->db);
  return 0;
}

int store_run_set_duration(struct store *st, int64_t run_id, double duration_s, const char *duration_src,
                           struct err *err) {
  sqlite3_stmt *u = store_prepare(st, "UPDATE runs SET duration_s = ?, duration_src = ? WHERE id = ?", err);
  if (!u)
    return -1;
  if (isfinite(duration_s))
    sqlite3_bind_double(u, 1, duration_s);
  sqlite3_bind_text(u, 2, duration_src, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(u, 3, run_id);
  int r = sqlite3_step(u);
  sqlite3_finalize(u);
  return r == SQLITE_DONE ? 0 : store_fail(st, err, "cannot update run");
}

int store_run_set_name(struct store *st, int64_t run_id, const char *name, const char *scenario,
                       const char *k6_version, struct err *err) {
  sqlite3_stmt *u = store_prepare(st, "UPDATE runs SET name = ?, scenario = ?, k6_version = ? WHERE id = ?", err);
  if (!u)
    return -1;
  sqlite3_bind_text(u, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(u, 2, scenario, -1, SQLITE_TRANSIENT);
  if (k6_version)
    sqlite3_bind_text(u, 3, k6_version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(u, 4, run_id);
  int r = sqlite3_step(u);
  sqlite3_finalize(u);
  return r == SQLITE_DONE ? 0 : store_fail(st, err, "cannot name run");
}
