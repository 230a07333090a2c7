#include <math.h>
#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_runs.h"
#include "util/err.h"

/* p95 is null when no request got a response (every request failed in 0 ms)
 * or there was no sample: k6's 0 there is not a latency. */
#define P95_SQL                                                                                                        \
  "(SELECT CASE WHEN d.count = 0 OR (d.max = 0 AND f.value = 1) THEN NULL ELSE d.p95 END "                             \
  " FROM metrics d LEFT JOIN metrics f ON f.run_id = d.run_id AND f.name = 'http_req_failed' "                         \
  " WHERE d.run_id = r.id AND d.name = 'http_req_duration')"

#define F(type, member) STORE_FIELD(type, struct store_run_row, member)
/* The columns of both queries (store_runs_by_start(): NULL, NULL, NULL, 0, NULL, NULL, NULL from requests on). */
static const struct store_field run_fields[] = {
    F(SF_I64, id),       F(SF_STR, name),       F(SF_STR, scenario), F(SF_STR, env),
    F(SF_DBL, start_ts), F(SF_DBL, duration_s), F(SF_DBL, end_ts),   F(SF_DBL, requests),
    F(SF_DBL, p95_ms),   F(SF_DBL, error_rate), F(SF_INT, baseline), F(SF_TRI, complete),
    F(SF_STR_OR_NULL, incomplete_reason), F(SF_INT_OR_NEG, k6_exit_status)};
#undef F
STORE_SHAPE_FREE(run_shape, struct store_run_row, run_fields, store_run_rows_free)

int store_runs_list(struct store *st, const char *scenario, struct store_run_row **out, size_t *n, struct err *err) {
  struct sq_stmt *s =
      sq_query(st, err,
               "SELECT r.id, r.name, r.scenario, r.env, r.start_ts, r.duration_s, r.end_ts, "
               "(SELECT count FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_reqs'), " P95_SQL ", "
               "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_req_failed'), "
               "CASE WHEN EXISTS (SELECT 1 FROM baselines b WHERE b.run_id = r.id) THEN 1 ELSE 0 END, "
               "r.complete, r.incomplete_reason, r.k6_exit_status "
               "FROM runs r WHERE CAST(?1 AS TEXT) IS NULL OR r.scenario = ?1 ORDER BY r.id",
               "s", scenario);
  return store_rows_map(st, s, &run_shape, "cannot read runs", (void **)out, n, err);
}

int store_runs_by_start(struct store *st, const char *scenario, const char *env, struct store_run_row **out, size_t *n,
                        struct err *err) {
  return store_rows_query(st, err, &run_shape, "cannot read runs", (void **)out, n,
                          "SELECT id, name, scenario, env, start_ts, duration_s, end_ts, "
                          "NULL, NULL, NULL, 0, NULL, NULL, NULL FROM runs "
                          "WHERE (CAST(?1 AS TEXT) IS NULL OR scenario = ?1) "
                          "AND (CAST(?2 AS TEXT) IS NULL OR env = ?2) "
                          "ORDER BY start_ts, id",
                          "ss", scenario, env);
}

int store_run_set_completeness(struct store *st, int64_t run_id, int complete, const char *reason, int k6_exit_status,
                               struct err *err) {
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

int store_run_create(struct store *st, const char *name, const char *scenario, const char *env, const char *labels_json,
                     const char *created_at, int64_t *id, struct err *err) {
  return sq_int64_of(st, err, "cannot create run", 0, id,
                     "INSERT INTO runs (name, scenario, env, labels, created_at) VALUES (?,?,?,?,?) RETURNING id",
                     "sssss", name, scenario, env, labels_json, created_at);
}

int store_run_set_duration(struct store *st, int64_t run_id, double duration_s, const char *duration_src,
                           struct err *err) {
  return sq_run(st, err, "cannot update run", "UPDATE runs SET duration_s = ?, duration_src = ? WHERE id = ?", "dsi",
                isfinite(duration_s) ? duration_s : NAN, duration_src, run_id);
}

int store_run_set_name(struct store *st, int64_t run_id, const char *name, const char *scenario, const char *k6_version,
                       struct err *err) {
  return sq_run(st, err, "cannot name run", "UPDATE runs SET name = ?, scenario = ?, k6_version = ? WHERE id = ?",
                "sssi", name, scenario, k6_version, run_id);
}
