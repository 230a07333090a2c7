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

#define F(type, member) STORE_FIELD(type, struct store_ep_samples, member)
static const struct store_field ep_samples_fields[] = {F(SF_I64, id), F(SF_STR, method), F(SF_STR, name)};
#undef F
static const struct store_shape ep_samples_shape = STORE_SHAPE(struct store_ep_samples, ep_samples_fields);

void store_ep_samples_free(struct store_ep_samples *e, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(e[i].s);
  store_rows_free(e, n, &ep_samples_shape);
}

/* Columns: id, method, name, then the samples' blob; -1 when it does not decode. */
static int ep_samples_row(struct sq_stmt *q, void *item, struct err *err) {
  struct store_ep_samples *e = item;
  store_row_read(q, 0, e, ep_samples_fields, STORE_NF(ep_samples_fields));
  size_t len;
  const void *data = sq_blob(q, 3, &len);
  return samples_decode(data, len, &e->s, &e->n, err);
}

static void ep_samples_release(void *e, size_t n) { store_ep_samples_free(e, n); }

int store_ep_samples_of(struct store *st, int64_t run_id, struct store_ep_samples **out, size_t *n, struct err *err) {
  return store_rows_of_id(st,
                          "SELECT e.id, e.method, e.name, s.data FROM endpoints e "
                          "JOIN samples s ON s.endpoint_id = e.id WHERE e.run_id = ? ORDER BY e.id",
                          run_id, sizeof **out, ep_samples_row, ep_samples_release, "reading samples", (void **)out, n,
                          err);
}

#define F(type, member) STORE_FIELD(type, struct store_bucket, member)
/* p50, p95 and p99 are not read here (NULL: NaN); phase_sum by enum STORE_BLOCKED ... STORE_RECEIVING. */
static const struct store_field bucket_fields[] = {
    F(SF_I64, t),            F(SF_I64, requests),     F(SF_I64, failures),     F(SF_I64, ok_count),
    F(SF_DBL, dur_sum),      F(SF_DBL, phase_sum[0]), F(SF_DBL, phase_sum[1]), F(SF_DBL, phase_sum[2]),
    F(SF_DBL, phase_sum[3]), F(SF_DBL, phase_sum[4]), F(SF_DBL, phase_sum[5]), F(SF_DBL, vus),
    F(SF_I64, iterations),   F(SF_DBL, iter_dur_sum), F(SF_DBL, p50),          F(SF_DBL, p95),
    F(SF_DBL, p99)};
#undef F
_Static_assert(STORE_BLOCKED == 0 && STORE_RECEIVING == 5 && STORE_NPHASES == 6, "bucket_fields reads every phase");
static const struct store_shape bucket_shape = STORE_SHAPE(struct store_bucket, bucket_fields);

STORE_LIST_OF_ID(store_run_buckets, struct store_bucket, bucket_shape,
                 "SELECT t, requests, failures, ok_count, dur_sum, blocked_sum, connecting_sum, "
                 "tls_sum, sending_sum, waiting_sum, receiving_sum, vus, iterations, iter_dur_sum, "
                 "NULL, NULL, NULL FROM buckets WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                 "reading buckets")

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
static int bucket_number(struct store *st, const char *sql, const char *fmt, int64_t run_id, double from_s, double to_s,
                         const char *what, double *v, struct err *err) {
  *v = NAN;
  return store_scan_first(st, sq_query(st, err, sql, fmt, run_id, from_s, to_s), what, err, "d", v);
}

int store_run_max_vus(struct store *st, int64_t run_id, double *vus, struct err *err) {
  return bucket_number(st, "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL", "i", run_id, 0, 0,
                       NULL, vus, err);
}

int store_ok_between(struct store *st, int64_t run_id, double from_s, double to_s, double *ok, struct err *err) {
  return bucket_number(st,
                       "SELECT sum(ok_count) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND "
                       "t >= ? AND t <= ?",
                       "idd", run_id, from_s, to_s, "cannot read buckets", ok, err);
}

int store_max_vus_between(struct store *st, int64_t run_id, double from_s, double to_s, double *vus, struct err *err) {
  return bucket_number(st,
                       "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND "
                       "t >= ? AND t < ?",
                       "idd", run_id, from_s, to_s, "cannot read buckets", vus, err);
}
