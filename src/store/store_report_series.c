/* store_report_series.c - the report's whole-run seconds
 * (store/store_report_series.h). */
#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_report_series.h"
#include "store/store_rows.h"
#include "util/err.h"

static int second_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_latency_second *s = item;
  s->t = sq_double(q, 0);
  s->requests = sq_int64(q, 1);
  s->failures = sq_int64(q, 2);
  s->p50 = sq_double(q, 3);
  s->p95 = sq_double(q, 4);
  s->p99 = sq_double(q, 5);
  s->vus = sq_double(q, 6);
  return 0;
}

static void seconds_release(void *s, size_t n) {
  (void)n;
  free(s);
}

int store_latency_seconds(struct store *st, int64_t run_id, struct store_latency_second **out, size_t *n,
                          struct err *err) {
  return store_rows_of_id(st,
                          "SELECT t, requests, failures, p50, p95, p99, vus FROM buckets "
                          "WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                          run_id, sizeof **out, second_row, seconds_release, "reading buckets", (void **)out, n,
                          err);
}
