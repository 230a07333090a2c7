/* store_k6.c - the k6 sample tables (store/store_k6.h). */
#include <math.h>
#include <stdlib.h>

#include "store/samples.h"
#include "store/sq.h"
#include "store/store.h"
#include "store/store_k6.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

enum { S_EP_TREND, S_ERROR, S_SAMPLES, S_SCEN, S_SC_TREND, S_SC_SAMPLES, S_N };

static const char *const sql[S_N] = {
    [S_EP_TREND] = "INSERT INTO endpoint_metrics (endpoint_id, metric, scope, count, avg, min, med, "
                   "max, p90, p95, p99) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    [S_ERROR] = "INSERT INTO errors (endpoint_id, status, error_code, error, count) "
                "VALUES (?,?,?,?,?) ON CONFLICT (endpoint_id, status, error_code, error) "
                "DO UPDATE SET count = errors.count + excluded.count",
    [S_SAMPLES] = "INSERT INTO samples (endpoint_id, count, data) VALUES (?,?,?)",
    [S_SCEN] = "INSERT INTO scenarios (run_id, name, executor, requests, failed, ok_count) VALUES (?,?,?,?,?,?)",
    [S_SC_TREND] = "INSERT INTO scenario_endpoint_metrics (se_id, metric, scope, count, avg, min, med, max, p90, "
                   "p95, p99) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    [S_SC_SAMPLES] = "INSERT INTO scenario_samples (se_id, count, data) VALUES (?,?,?)",
};

#define BUCKET_COLUMNS                                                                                             \
  "run_id, endpoint_id, t, requests, failures, ok_count, dur_sum, p50, p95, p99, blocked_sum, connecting_sum, "    \
  "tls_sum, sending_sum, waiting_sum, receiving_sum, vus, iterations, iter_dur_sum, data_sent, data_received"

struct k6_writer {
  struct store *st;
  struct sq_stmt *s[S_N];
  struct sq_bulk *buckets; /* from the first bucket on */
  struct strbuf blob;
};

struct k6_writer *store_k6_writer(struct store *st) {
  struct k6_writer *w = xcalloc(1, sizeof *w);
  w->st = st;
  w->blob = (struct strbuf)STRBUF_INIT;
  return w;
}

int store_k6_writer_finish(struct k6_writer *w, struct err *err) {
  struct sq_bulk *b = w->buckets;
  w->buckets = NULL;
  if (b && sq_bulk_finish(b, err) < 0)
    return store_fail(w->st, err, "cannot store time buckets");
  return 0;
}

void store_k6_writer_free(struct k6_writer *w) {
  if (!w)
    return;
  for (int i = 0; i < S_N; i++)
    sq_finalize(w->s[i]);
  /* Buckets not sent yet go now, unchecked (store_k6_writer_finish() checks). */
  struct err ignored = ERR_INIT;
  store_k6_writer_finish(w, &ignored);
  strbuf_release(&w->blob);
  free(w);
}

/* The statement k, prepared on first use, ready to bind and step. */
static struct sq_stmt *stmt(struct k6_writer *w, int k, struct err *err) {
  if (!w->s[k])
    w->s[k] = sq_prepare(w->st, sql[k], err);
  else
    sq_reset(w->s[k]);
  return w->s[k];
}

/* A figure or NULL (NaN) when it is not finite. */
static double num(double v) {
  return isfinite(v) ? v : NAN;
}

static int step(struct k6_writer *w, struct sq_stmt *s, const char *what, struct err *err) {
  return sq_step(s) == SQ_DONE ? 0 : store_fail(w->st, err, what);
}

static int ep_row(struct k6_writer *w, int64_t run_id, const char *scenario, int64_t endpoint_id,
                  const struct store_ep_row *e, int64_t *id, const char *what, struct err *err) {
  if (!scenario)
    return sq_int64_of(w->st, err, what, 0, id,
                       "INSERT INTO endpoints (run_id, method, name, requests, failed, ok_count) "
                       "VALUES (?,?,?,?,?,?) RETURNING id",
                       "issiii", run_id, e->method, e->name, e->requests, e->failed, e->ok_count);
  return sq_int64_of(w->st, err, what, 0, id,
                     "INSERT INTO scenario_endpoints (run_id, scenario, endpoint_id, method, name, requests, failed, "
                     "ok_count) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
                     "isissiii", run_id, scenario, endpoint_id, e->method, e->name, e->requests, e->failed,
                     e->ok_count);
}

static int trend_row(struct k6_writer *w, int k, int64_t id, const char *metric, const char *scope,
                     const struct sc_trend *t, const char *what, struct err *err) {
  struct sq_stmt *s = stmt(w, k, err);
  if (!s)
    return -1;
  sq_bindf(s, "issi", id, metric, scope, t->count);
  double vals[] = {t->avg, t->min, t->med, t->max, t->p90, t->p95, t->p99};
  for (int c = 0; c < 7; c++)
    sq_bind_double(s, 5 + c, t->count > 0 ? num(vals[c]) : NAN);
  return step(w, s, what, err);
}

static int samples_row(struct k6_writer *w, int k, int64_t id, struct sample *smp, size_t n, const char *what,
                       struct err *err) {
  struct sq_stmt *s = stmt(w, k, err);
  if (!s)
    return -1;
  strbuf_reset(&w->blob);
  samples_encode(smp, n, &w->blob);
  sq_bindf(s, "iib", id, (int64_t)n, (const void *)w->blob.buf, w->blob.len);
  return step(w, s, what, err);
}

int store_endpoint_put(struct k6_writer *w, int64_t run_id, const struct store_ep_row *e, int64_t *id,
                       struct err *err) {
  return ep_row(w, run_id, NULL, 0, e, id, "cannot store endpoint", err);
}

int store_endpoint_trend_put(struct k6_writer *w, int64_t endpoint_id, const char *metric, const char *scope,
                             const struct sc_trend *t, struct err *err) {
  return trend_row(w, S_EP_TREND, endpoint_id, metric, scope, t, "cannot store endpoint metrics", err);
}

int store_error_add(struct k6_writer *w, int64_t endpoint_id, const char *status, const char *error_code,
                    const char *error, int64_t count, struct err *err) {
  struct sq_stmt *s = stmt(w, S_ERROR, err);
  if (!s)
    return -1;
  sq_bindf(s, "isssi", endpoint_id, status, error_code, error, count);
  return step(w, s, "cannot store errors", err);
}

int store_samples_put(struct k6_writer *w, int64_t endpoint_id, struct sample *s, size_t n, struct err *err) {
  return samples_row(w, S_SAMPLES, endpoint_id, s, n, "cannot store samples", err);
}

int store_scenario_put(struct k6_writer *w, int64_t run_id, const char *name, const char *executor,
                       int64_t requests, int64_t failed, int64_t ok_count, struct err *err) {
  struct sq_stmt *s = stmt(w, S_SCEN, err);
  if (!s)
    return -1;
  sq_bindf(s, "issiii", run_id, name, executor, requests, failed, ok_count);
  return step(w, s, "cannot store scenarios", err);
}

int store_scenario_copy_whole_run(struct k6_writer *w, int64_t run_id, const char *scenario, struct err *err) {
  if (sq_run(w->st, err, "cannot store scenarios",
             "INSERT INTO scenario_endpoints (run_id, scenario, endpoint_id, method, name, requests, failed, "
             "ok_count) SELECT run_id, ?2, id, method, name, requests, failed, ok_count FROM endpoints "
             "WHERE run_id = ?1 ORDER BY id",
             "is", run_id, scenario) < 0)
    return -1;
  return sq_run(w->st, err, "cannot store scenarios",
                "INSERT INTO scenario_endpoint_metrics (se_id, metric, scope, count, avg, min, med, max, p90, "
                "p95, p99) SELECT se.id, m.metric, m.scope, m.count, m.avg, m.min, m.med, m.max, m.p90, m.p95, "
                "m.p99 FROM scenario_endpoints se JOIN endpoint_metrics m ON m.endpoint_id = se.endpoint_id "
                "WHERE se.run_id = ?1",
                "i", run_id);
}

int store_scenario_endpoint_put(struct k6_writer *w, int64_t run_id, const char *scenario, int64_t endpoint_id,
                                const struct store_ep_row *e, int64_t *se_id, struct err *err) {
  return ep_row(w, run_id, scenario, endpoint_id, e, se_id, "cannot store scenario endpoint", err);
}

int store_scenario_trend_put(struct k6_writer *w, int64_t se_id, const char *metric, const char *scope,
                             const struct sc_trend *t, struct err *err) {
  return trend_row(w, S_SC_TREND, se_id, metric, scope, t, "cannot store scenario endpoint metrics", err);
}

int store_scenario_samples_put(struct k6_writer *w, int64_t se_id, struct sample *s, size_t n, struct err *err) {
  return samples_row(w, S_SC_SAMPLES, se_id, s, n, "cannot store scenario samples", err);
}

int store_bucket_put(struct k6_writer *w, int64_t run_id, int64_t endpoint_id, const struct store_bucket *b,
                     struct err *err) {
  if (!w->buckets && !(w->buckets = sq_bulk_begin(w->st, "buckets", BUCKET_COLUMNS, err)))
    return -1;
  struct sq_bulk *q = w->buckets;
  sq_bulk_int64(q, run_id);
  sq_bulk_int64_or_null(q, endpoint_id, endpoint_id);
  sq_bulk_int64(q, b->t);
  sq_bulk_int64(q, b->requests);
  sq_bulk_int64(q, b->failures);
  sq_bulk_int64(q, b->ok_count);
  sq_bulk_double(q, b->dur_sum);
  sq_bulk_double(q, num(b->p50));
  sq_bulk_double(q, num(b->p95));
  sq_bulk_double(q, num(b->p99));
  for (int p = 0; p < STORE_NPHASES; p++)
    sq_bulk_double(q, b->phase_sum[p]);
  sq_bulk_double(q, num(b->vus));
  sq_bulk_int64(q, b->iterations);
  sq_bulk_double(q, b->iter_dur_sum);
  sq_bulk_double(q, b->data_sent);
  sq_bulk_double(q, b->data_received);
  return sq_bulk_end_row(q, err) < 0 ? store_fail(w->st, err, "cannot store time buckets") : 0;
}
