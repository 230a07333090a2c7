/* store_report_series.h - what the report's time-series charts read that
 * no other header gives: the whole-run one-second buckets with their
 * latency percentiles. (Endpoint samples: store_levels.h; system series:
 * store_sys.h; status counts: store_status.h.)
 *
 * Plain C values in and out; 0 or -1 with *err filled.
 */
#ifndef LOADREP_STORE_REPORT_SERIES_H
#define LOADREP_STORE_REPORT_SERIES_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** One whole-run second: t since the run's start, requests and failed
 *  requests, the successful requests' p50, p95, p99 (NaN: none in that
 *  second) and the most VUs (NaN: no VU sample). */
struct store_latency_second {
  double t;
  int64_t requests, failures;
  double p50, p95, p99, vus;
  double data_sent, data_received; /* bytes; NaN when not recorded (ingested before v4) */
};

/** The run's whole-run seconds, by t (the caller frees *out). */
int store_latency_seconds(struct store *st, int64_t run_id, struct store_latency_second **out, size_t *n,
                          struct err *err);

#endif
