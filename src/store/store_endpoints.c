#include "store/sq.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_endpoints.h"
#include "util/err.h"

#define F(type, member) STORE_FIELD(type, struct store_ep_trend, member)
static const struct store_field trend_fields[] = {
    F(SF_STR, metric), F(SF_STR, scope),   F(SF_I64, t.count), F(SF_DBL, t.avg), F(SF_DBL, t.min),
    F(SF_DBL, t.med),  F(SF_DBL, t.max),   F(SF_DBL, t.p90),   F(SF_DBL, t.p95), F(SF_DBL, t.p99)};
#undef F
static const struct store_shape trend_shape = STORE_SHAPE(struct store_ep_trend, trend_fields);

#define F(type, member) STORE_FIELD(type, struct store_ep_detail, member)
static const struct store_field detail_fields[] = {F(SF_I64, id),       F(SF_STR, method), F(SF_STR, name),
                                                   F(SF_I64, requests), F(SF_I64, failed), F(SF_I64, ok_count)};
#undef F
static const struct store_shape detail_shape = STORE_SHAPE(struct store_ep_detail, detail_fields);

void store_ep_details_free(struct store_ep_detail *e, size_t n) {
  for (size_t i = 0; i < n; i++)
    store_rows_free(e[i].trends, e[i].ntrends, &trend_shape);
  store_rows_free(e, n, &detail_shape);
}

int store_endpoint_details(struct store *st, int64_t run_id, const char *scenario, struct store_ep_detail **out,
                           size_t *n, struct err *err) {
  struct sq_stmt *s = sq_query(st, err,
                               scenario ? "SELECT e.id, e.method, e.name, e.requests, e.failed, e.ok_count "
                                          "FROM scenario_endpoints e WHERE e.run_id = ? AND e.scenario = ? "
                                          "ORDER BY e.name, e.method"
                                        : "SELECT e.id, e.method, e.name, e.requests, e.failed, e.ok_count "
                                          "FROM endpoints e WHERE e.run_id = ? ORDER BY e.name, e.method",
                               scenario ? "is" : "i", run_id, scenario);
  if (store_rows_map(st, s, &detail_shape, "cannot read endpoints", (void **)out, n, err) < 0)
    return -1;
  const char *trends = scenario ? "SELECT metric, scope, count, avg, min, med, max, p90, p95, p99 "
                                  "FROM scenario_endpoint_metrics WHERE se_id = ? ORDER BY metric, scope"
                                : "SELECT metric, scope, count, avg, min, med, max, p90, p95, p99 "
                                  "FROM endpoint_metrics WHERE endpoint_id = ? ORDER BY metric, scope";
  for (size_t i = 0; i < *n; i++) {
    struct store_ep_detail *e = &(*out)[i];
    if (store_rows_map_of_id(st, trends, e->id, &trend_shape, "cannot read endpoints", (void **)&e->trends,
                             &e->ntrends, err) < 0) {
      store_ep_details_free(*out, *n);
      *out = NULL;
      *n = 0;
      return -1;
    }
  }
  return 0;
}

#define F(type, member) STORE_FIELD(type, struct store_ep_ok, member)
/* ok_count: an integer column, 0 for NULL. */
static const struct store_field ep_ok_fields[] = {F(SF_STR, method), F(SF_STR, name), F(SF_DBL0, ok_count)};
#undef F
static const struct store_shape ep_ok_shape = STORE_SHAPE(struct store_ep_ok, ep_ok_fields);

int store_endpoint_ok_counts(struct store *st, int64_t run_id, struct store_ep_ok **out, size_t *n, struct err *err) {
  return store_rows_map_of_id(st, "SELECT method, name, ok_count FROM endpoints WHERE run_id = ? ORDER BY id", run_id,
                              &ep_ok_shape, "cannot read endpoints", (void **)out, n, err);
}

void store_ep_oks_free(struct store_ep_ok *e, size_t n) { store_rows_free(e, n, &ep_ok_shape); }
