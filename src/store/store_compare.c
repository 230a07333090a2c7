#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/samples.h"
#include "store/sq.h"
#include "store/store.h"
#include "store/store_compare.h"
#include "store/store_rows.h"
#include "util/err.h"

#define F(type, member) STORE_FIELD(type, struct store_latency, member)
/* Columns: count, med, p95, p99, avg. */
static const struct store_field latency_fields[] = {F(SF_U64, count), F(SF_DBL, med), F(SF_DBL, p95),
                                                    F(SF_DBL, p99), F(SF_DBL, avg)};
#undef F

static void latency_cols(struct sq_stmt *s, int col, struct store_latency *l) {
  store_row_read(s, col, l, latency_fields, STORE_NF(latency_fields));
}

static void latency_none(struct store_latency *l) {
  l->count = 0;
  l->med = l->p95 = l->p99 = l->avg = NAN;
}

#define F(type, member) STORE_FIELD(type, struct store_endpoint, member)
/* Columns 0-3; the samples' blob, then the latencies of all and ok follow. */
static const struct store_field endpoint_fields[] = {F(SF_STR, method), F(SF_STR, name), F(SF_U64, requests),
                                                     F(SF_U64, failed)};
#undef F
static const struct store_shape endpoint_shape = STORE_SHAPE(struct store_endpoint, endpoint_fields);

void store_endpoints_free(struct store_endpoint *e, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(e[i].s);
  store_rows_free(e, n, &endpoint_shape);
}

/* One row of store_endpoints_of(); -1 when its samples do not decode. */
static int endpoint_row(struct sq_stmt *s, void *item, struct err *err) {
  struct store_endpoint *e = item;
  store_row_read(s, 0, e, endpoint_fields, STORE_NF(endpoint_fields));
  latency_cols(s, 5, &e->all);
  latency_cols(s, 10, &e->ok);
  if (sq_is_null(s, 4))
    return 0;
  e->has_samples = 1;
  size_t len;
  const void *blob = sq_blob(s, 4, &len);
  return samples_decode(blob, len, &e->s, &e->ns, err);
}

static void endpoints_release(void *e, size_t n) { store_endpoints_free(e, n); }

int store_endpoints_of(struct store *st, int64_t run_id, struct store_endpoint **out, size_t *n, struct err *err) {
  return store_rows_of_id(
      st,
      "SELECT e.method, e.name, e.requests, e.failed, s.data, "
      " m.count, m.med, m.p95, m.p99, m.avg, k.count, k.med, k.p95, k.p99, k.avg "
      "FROM endpoints e LEFT JOIN samples s ON s.endpoint_id = e.id "
      "LEFT JOIN endpoint_metrics m ON m.endpoint_id = e.id AND m.metric = 'http_req_duration' AND m.scope = 'all' "
      "LEFT JOIN endpoint_metrics k ON k.endpoint_id = e.id AND k.metric = 'http_req_duration' AND k.scope = 'ok' "
      "WHERE e.run_id = ? ORDER BY e.method, e.name",
      run_id, sizeof **out, endpoint_row, endpoints_release, "cannot read endpoints", (void **)out, n, err);
}

int store_run_latency(struct store *st, int64_t run_id, struct store_latency *all, struct store_latency *ok,
                      struct err *err) {
  latency_none(all);
  latency_none(ok);
  struct sq_stmt *m = sq_query(st, err,
                               "SELECT name, count, med, p95, p99, avg FROM metrics WHERE run_id = ? "
                               "AND name IN ('http_req_duration', 'http_req_duration{expected_response:true}')",
                               "i", run_id);
  if (!m)
    return -1;
  int rc;
  while ((rc = sq_step(m)) == SQ_ROW)
    latency_cols(m, 1, !strcmp(sq_text(m, 0), "http_req_duration") ? all : ok);
  sq_finalize(m);
  return rc == SQ_DONE ? 0 : store_fail(st, err, "cannot read metrics");
}

int store_run_http_counts(struct store *st, int64_t run_id, uint64_t *requests, uint64_t *failed, struct err *err) {
  *requests = *failed = 0;
  return store_scan_first(st,
                          sq_query(st, err,
                                   "SELECT (SELECT count FROM metrics WHERE run_id = ?1 AND name = 'http_reqs'), "
                                   "(SELECT passes FROM metrics WHERE run_id = ?1 AND name = 'http_req_failed')",
                                   "i", run_id),
                          NULL, err, "uu", requests, failed);
}

#define F(type, member) STORE_FIELD(type, struct store_second, member)
static const struct store_field second_fields[] = {F(SF_DBL, t), F(SF_DBL, vus), F(SF_DBL, iterations),
                                                   F(SF_DBL, iter_dur_sum)};
#undef F
static const struct store_shape second_shape = STORE_SHAPE(struct store_second, second_fields);

STORE_LIST_OF_ID(store_run_seconds, struct store_second, second_shape,
                 "SELECT t, vus, iterations, iter_dur_sum FROM buckets WHERE run_id = ? "
                 "AND endpoint_id IS NULL ORDER BY t",
                 "cannot read buckets")

int store_runs_passed_check(struct store *st, const char *scenario, const char *env, int64_t exclude_id,
                            double before_ts, int k, int64_t **ids, size_t *n, struct err *err) {
  return store_rows_query(st, err, &store_id_shape, "cannot read check results", (void **)ids, n,
                          "SELECT r.id FROM runs r WHERE r.scenario = ?1 AND r.env = ?2 AND r.id <> ?3 "
                          " AND (SELECT c.verdict FROM check_results c WHERE c.run_id = r.id "
                          "      ORDER BY c.checked_at DESC, c.rowid DESC LIMIT 1) = 'ok' "
                          " AND (r.start_ts IS NULL OR CAST(?4 AS DOUBLE PRECISION) IS NULL OR r.start_ts <= ?4) "
                          "ORDER BY r.start_ts DESC, r.id DESC LIMIT ?5",
                          "ssidI", scenario, env, exclude_id, isfinite(before_ts) ? before_ts : NAN, k);
}

#define F(type, member) STORE_FIELD(type, struct store_threshold, member)
static const struct store_field threshold_fields[] = {F(SF_STR, metric), F(SF_STR, expression)};
#undef F
STORE_SHAPE_FREE(threshold_shape, struct store_threshold, threshold_fields, store_thresholds_free)

STORE_LIST_OF_ID(store_k6_failed_thresholds, struct store_threshold, threshold_shape,
                 "SELECT metric, expression FROM thresholds WHERE run_id = ? AND ok = 0 "
                 "AND source = 'k6' ORDER BY metric, expression",
                 "cannot read thresholds")
