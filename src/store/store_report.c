/* store_report.c - what `loadrep report` reads (store/store_report.h). */
#include "store/store_report.h"
#include "store/store_rows.h"

int store_report_latest_runs(struct store *st, int64_t **ids, size_t *n, struct err *err) {
  return store_rows_query(st, err, &store_id_shape, "reading the latest run of each scenario", (void **)ids, n,
                          "SELECT (SELECT r.id FROM runs r WHERE r.scenario = g.scenario AND r.env = g.env "
                          "ORDER BY r.start_ts DESC NULLS LAST, r.id DESC LIMIT 1) "
                          "FROM (SELECT scenario, env FROM runs GROUP BY scenario, env) g "
                          "ORDER BY g.scenario, g.env",
                          "");
}

static const struct store_field vus_fields[] = {STORE_FIELD(SF_DBL, struct store_vus_point, t),
                                                STORE_FIELD(SF_DBL, struct store_vus_point, vus)};
static const struct store_shape vus_shape = STORE_SHAPE(struct store_vus_point, vus_fields);

STORE_LIST_OF_ID(store_report_vus_points, struct store_vus_point, vus_shape,
                 "SELECT t, vus FROM buckets WHERE run_id = ? AND endpoint_id IS NULL "
                 "AND vus IS NOT NULL ORDER BY t",
                 "reading the run's VUs")

#define F(type, member) STORE_FIELD(type, struct store_check_verdict, member)
static const struct store_field verdict_fields[] = {F(SF_STR, run), F(SF_STR, baseline), F(SF_STR, verdict)};
#undef F
STORE_SHAPE_FREE(verdict_shape, struct store_check_verdict, verdict_fields, store_check_verdicts_free)

int store_report_check_verdicts(struct store *st, struct store_check_verdict **rows, size_t *n, struct err *err) {
  return store_rows_query(st, err, &verdict_shape, "reading the recorded checks", (void **)rows, n,
                          "SELECT r.name, b.name, c.verdict FROM check_results c JOIN runs r ON r.id = c.run_id "
                          "LEFT JOIN runs b ON b.id = c.baseline_id ORDER BY c.rowid",
                          "");
}
