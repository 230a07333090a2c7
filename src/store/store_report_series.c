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
                                                   F(SF_DBL, vus), F(SF_DBL, data_sent),  F(SF_DBL, data_received)};
#undef F
static const struct store_shape second_shape = STORE_SHAPE(struct store_latency_second, second_fields);

STORE_LIST_OF_ID(store_latency_seconds, struct store_latency_second, second_shape,
                 "SELECT t, requests, failures, p50, p95, p99, vus, data_sent, data_received FROM buckets "
                 "WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                 "reading buckets")
