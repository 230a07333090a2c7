/* store_levels.c - endpoint samples and whole-run buckets (store/store_levels.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/samples.h"
#include "store/sq.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

void store_ep_samples_free(struct store_ep_samples *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(e[i].method);
    free(e[i].name);
    free(e[i].s);
  }
  free(e);
}

static int ep_samples_row(struct sq_stmt *q, void *item, struct err *err) {
  struct store_ep_samples *e = item;
  e->id = sq_int64(q, 0);
  e->method = xstrdup(sq_text(q, 1));
  e->name = xstrdup(sq_text(q, 2));
  size_t len;
  const void *data = sq_blob(q, 3, &len);
  return samples_decode(data, len, &e->s, &e->n, err);
}

static void ep_samples_release(void *e, size_t n) {
  store_ep_samples_free(e, n);
}

int store_ep_samples_of(struct store *st, int64_t run_id, struct store_ep_samples **out, size_t *n,
                        struct err *err) {
  return store_rows_of_id(st,
                          "SELECT e.id, e.method, e.name, s.data FROM endpoints e "
                          "JOIN samples s ON s.endpoint_id = e.id WHERE e.run_id = ? ORDER BY e.id",
                          run_id, sizeof **out, ep_samples_row, ep_samples_release, "reading samples", (void **)out,
                          n, err);
}

static int bucket_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_bucket *b = item;
  b->t = sq_int64(q, 0);
  b->requests = sq_int64(q, 1);
  b->failures = sq_int64(q, 2);
  b->ok_count = sq_int64(q, 3);
  b->dur_sum = sq_double(q, 4);
  for (int p = 0; p < STORE_NPHASES; p++)
    b->phase_sum[p] = sq_double(q, 5 + p);
  b->p50 = b->p95 = b->p99 = NAN;
  b->vus = sq_double(q, 11); /* NaN when no VU sample */
  b->iterations = sq_int64(q, 12);
  b->iter_dur_sum = sq_double(q, 13);
  return 0;
}

static void buckets_release(void *b, size_t n) {
  (void)n;
  free(b);
}

int store_run_buckets(struct store *st, int64_t run_id, struct store_bucket **out, size_t *n, struct err *err) {
  return store_rows_of_id(st,
                          "SELECT t, requests, failures, ok_count, dur_sum, blocked_sum, connecting_sum, "
                          "tls_sum, sending_sum, waiting_sum, receiving_sum, vus, iterations, iter_dur_sum "
                          "FROM buckets WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                          run_id, sizeof **out, bucket_row, buckets_release, "reading buckets", (void **)out, n, err);
}

int store_peak_vus_second(struct store *st, int64_t run_id, int64_t *t, int *found, struct err *err) {
  int64_t v;
  int rc = sq_int64_of(st, err, "cannot read buckets", INT64_MIN, &v,
                       "SELECT t FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND vus IS NOT NULL "
                       "ORDER BY vus DESC, t ASC LIMIT 1",
                       "i", run_id);
  *found = v != INT64_MIN;
  *t = *found ? v : 0;
  return rc;
}

/* The one number of a query on the whole-run buckets (run_id, then from
 * and to when fmt has them) into *v, NaN when NULL or no row. what NULL:
 * a failed read leaves NaN and is not an error. */
static int bucket_number(struct store *st, const char *sql, const char *fmt, int64_t run_id, double from_s,
                         double to_s, const char *what, double *v, struct err *err) {
  *v = NAN;
  struct sq_stmt *q = sq_query(st, err, sql, fmt, run_id, from_s, to_s);
  if (!q)
    return -1;
  int rc = sq_step(q);
  if (rc == SQ_ROW)
    *v = sq_double(q, 0);
  sq_finalize(q);
  return rc != SQ_ERROR || !what ? 0 : store_fail(st, err, what);
}

int store_run_max_vus(struct store *st, int64_t run_id, double *vus, struct err *err) {
  return bucket_number(st, "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL", "i", run_id, 0,
                       0, NULL, vus, err);
}

int store_ok_between(struct store *st, int64_t run_id, double from_s, double to_s, double *ok, struct err *err) {
  return bucket_number(st,
                       "SELECT sum(ok_count) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND "
                       "t >= ? AND t <= ?",
                       "idd", run_id, from_s, to_s, "cannot read buckets", ok, err);
}

int store_max_vus_between(struct store *st, int64_t run_id, double from_s, double to_s, double *vus,
                          struct err *err) {
  return bucket_number(st,
                       "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND "
                       "t >= ? AND t < ?",
                       "idd", run_id, from_s, to_s, "cannot read buckets", vus, err);
}
