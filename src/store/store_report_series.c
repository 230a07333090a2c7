/* store_report_series.c - the report's whole-run seconds
 * (store/store_report_series.h). */
#include "store/sq.h"
#include "store/store.h"
#include "store/store_report_series.h"
#include "store/store_rows.h"
#include "util/err.h"

#define F(type, member) STORE_FIELD(type, struct store_latency_second, member)
static const struct store_field second_fields[] = {F(SF_DBL, t),   F(SF_I64, requests), F(SF_I64, failures),
                                                   F(SF_DBL, p50), F(SF_DBL, p95),      F(SF_DBL, p99),
                                                   F(SF_DBL, vus)};
#undef F
static const struct store_shape second_shape = STORE_SHAPE(struct store_latency_second, second_fields);

int store_latency_seconds(struct store *st, int64_t run_id, struct store_latency_second **out, size_t *n,
                          struct err *err) {
  return store_rows_map_of_id(st,
                              "SELECT t, requests, failures, p50, p95, p99, vus FROM buckets "
                              "WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                              run_id, &second_shape, "reading buckets", (void **)out, n, err);
}
