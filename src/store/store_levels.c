#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/samples.h"
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

static int ep_samples_row(sqlite3_stmt *q, void *item, struct err *err) {
  struct store_ep_samples *e = item;
  e->id = sqlite3_column_int64(q, 0);
  e->method = xstrdup(store_col_text(q, 1));
  e->name = xstrdup(store_col_text(q, 2));
  return samples_decode(sqlite3_column_blob(q, 3), (size_t)sqlite3_column_bytes(q, 3), &e->s, &e->n, err);
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

static int bucket_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_bucket *b = item;
  b->t = sqlite3_column_int64(q, 0);
  b->requests = sqlite3_column_int64(q, 1);
  b->failures = sqlite3_column_int64(q, 2);
  b->ok_count = sqlite3_column_int64(q, 3);
  b->dur_sum = sqlite3_column_double(q, 4);
  for (int p = 0; p < STORE_NPHASES; p++)
    b->phase_sum[p] = sqlite3_column_double(q, 5 + p);
  b->p50 = b->p95 = b->p99 = NAN;
  b->vus = sqlite3_column_type(q, 11) != SQLITE_NULL ? sqlite3_column_double(q, 11) : NAN;
  b->iterations = sqlite3_column_int64(q, 12);
  b->iter_dur_sum = sqlite3_column_double(q, 13);
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
  *found = 0;
  *t = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT t FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND vus IS NOT NULL "
                                  "ORDER BY vus DESC, t ASC LIMIT 1",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *found = 1;
    *t = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read buckets");
  return 0;
}

int store_run_max_vus(struct store *st, int64_t run_id, double *vus, struct err *err) {
  *vus = NAN;
  sqlite3_stmt *s = store_prepare(st, "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    *vus = sqlite3_column_double(s, 0);
  sqlite3_finalize(s);
  return 0;
}

int store_ok_between(struct store *st, int64_t run_id, double from_s, double to_s, double *ok, struct err *err) {
  *ok = NAN;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT sum(ok_count) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND "
                                  "t >= ? AND t <= ?",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_double(s, 2, from_s);
  sqlite3_bind_double(s, 3, to_s);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *ok = store_col_double(s, 0);
  sqlite3_finalize(s);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot read buckets");
}

int store_max_vus_between(struct store *st, int64_t run_id, double from_s, double to_s, double *vus,
                          struct err *err) {
  *vus = NAN;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND t >= ? "
                                  "AND t < ?",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_double(s, 2, from_s);
  sqlite3_bind_double(s, 3, to_s);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *vus = store_col_double(s, 0);
  sqlite3_finalize(s);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot read buckets");
}
