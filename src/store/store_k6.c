/* store_k6.c - the k6 sample tables (store/store_k6.h). */
#include <math.h>
#include <stdlib.h>

#include "store/samples.h"
#include "store/store.h"
#include "store/store_k6.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

enum { S_EP, S_EP_TREND, S_ERROR, S_SAMPLES, S_SCEN, S_SC_EP, S_SC_TREND, S_SC_SAMPLES, S_BUCKET, S_N };

static const char *const sql[S_N] = {
    [S_EP] = "INSERT INTO endpoints (run_id, method, name, requests, failed, ok_count) VALUES (?,?,?,?,?,?)",
    [S_EP_TREND] = "INSERT INTO endpoint_metrics (endpoint_id, metric, scope, count, avg, min, med, "
                   "max, p90, p95, p99) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    [S_ERROR] = "INSERT INTO errors (endpoint_id, status, error_code, error, count) "
                "VALUES (?,?,?,?,?) ON CONFLICT (endpoint_id, status, error_code, error) "
                "DO UPDATE SET count = count + excluded.count",
    [S_SAMPLES] = "INSERT INTO samples (endpoint_id, count, data) VALUES (?,?,?)",
    [S_SCEN] = "INSERT INTO scenarios (run_id, name, executor, requests, failed, ok_count) VALUES (?,?,?,?,?,?)",
    [S_SC_EP] = "INSERT INTO scenario_endpoints (run_id, scenario, endpoint_id, method, name, requests, failed, "
                "ok_count) VALUES (?,?,?,?,?,?,?,?)",
    [S_SC_TREND] = "INSERT INTO scenario_endpoint_metrics (se_id, metric, scope, count, avg, min, med, max, p90, "
                   "p95, p99) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    [S_SC_SAMPLES] = "INSERT INTO scenario_samples (se_id, count, data) VALUES (?,?,?)",
    [S_BUCKET] = "INSERT INTO buckets (run_id, endpoint_id, t, requests, failures, ok_count, "
                 "dur_sum, p50, p95, p99, blocked_sum, connecting_sum, tls_sum, sending_sum, "
                 "waiting_sum, receiving_sum, vus, iterations, iter_dur_sum) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
};

struct k6_writer {
  struct store *st;
  sqlite3_stmt *s[S_N];
  struct strbuf blob;
};

struct k6_writer *store_k6_writer(struct store *st) {
  struct k6_writer *w = xcalloc(1, sizeof *w);
  w->st = st;
  w->blob = (struct strbuf)STRBUF_INIT;
  return w;
}

void store_k6_writer_free(struct k6_writer *w) {
  if (!w)
    return;
  for (int i = 0; i < S_N; i++)
    sqlite3_finalize(w->s[i]);
  strbuf_release(&w->blob);
  free(w);
}

/* The statement k, prepared on first use and reset with no bindings. */
static sqlite3_stmt *stmt(struct k6_writer *w, int k, struct err *err) {
  if (!w->s[k])
    w->s[k] = store_prepare(w->st, sql[k], err);
  else {
    sqlite3_reset(w->s[k]);
    sqlite3_clear_bindings(w->s[k]);
  }
  return w->s[k];
}

static void bind_num(sqlite3_stmt *s, int col, double v) {
  if (isfinite(v))
    sqlite3_bind_double(s, col, v);
  else
    sqlite3_bind_null(s, col);
}

static int step(struct k6_writer *w, sqlite3_stmt *s, const char *what, struct err *err) {
  return sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(w->st, err, what);
}

static int ep_row(struct k6_writer *w, int k, int64_t run_id, const char *scenario, int64_t endpoint_id,
                  const struct store_ep_row *e, int64_t *id, const char *what, struct err *err) {
  sqlite3_stmt *s = stmt(w, k, err);
  if (!s)
    return -1;
  int c = 1;
  sqlite3_bind_int64(s, c++, run_id);
  if (scenario) {
    sqlite3_bind_text(s, c++, scenario, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, c++, endpoint_id);
  }
  sqlite3_bind_text(s, c++, e->method, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, c++, e->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, c++, e->requests);
  sqlite3_bind_int64(s, c++, e->failed);
  sqlite3_bind_int64(s, c, e->ok_count);
  if (step(w, s, what, err) < 0)
    return -1;
  *id = sqlite3_last_insert_rowid(w->st->db);
  return 0;
}

static int trend_row(struct k6_writer *w, int k, int64_t id, const char *metric, const char *scope,
                     const struct sc_trend *t, const char *what, struct err *err) {
  sqlite3_stmt *s = stmt(w, k, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, scope, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 4, t->count);
  double vals[] = {t->avg, t->min, t->med, t->max, t->p90, t->p95, t->p99};
  for (int c = 0; c < 7; c++)
    bind_num(s, 5 + c, t->count > 0 ? vals[c] : NAN);
  return step(w, s, what, err);
}

static int samples_row(struct k6_writer *w, int k, int64_t id, struct sample *smp, size_t n, const char *what,
                       struct err *err) {
  sqlite3_stmt *s = stmt(w, k, err);
  if (!s)
    return -1;
  strbuf_reset(&w->blob);
  samples_encode(smp, n, &w->blob);
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)n);
  sqlite3_bind_blob(s, 3, w->blob.buf, (int)w->blob.len, SQLITE_STATIC);
  return step(w, s, what, err);
}

int store_endpoint_put(struct k6_writer *w, int64_t run_id, const struct store_ep_row *e, int64_t *id,
                       struct err *err) {
  return ep_row(w, S_EP, run_id, NULL, 0, e, id, "cannot store endpoint", err);
}

int store_endpoint_trend_put(struct k6_writer *w, int64_t endpoint_id, const char *metric, const char *scope,
                             const struct sc_trend *t, struct err *err) {
  return trend_row(w, S_EP_TREND, endpoint_id, metric, scope, t, "cannot store endpoint metrics", err);
}

int store_error_add(struct k6_writer *w, int64_t endpoint_id, const char *status, const char *error_code,
                    const char *error, int64_t count, struct err *err) {
  sqlite3_stmt *s = stmt(w, S_ERROR, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, endpoint_id);
  sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, error_code, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, error, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 5, count);
  return step(w, s, "cannot store errors", err);
}

int store_samples_put(struct k6_writer *w, int64_t endpoint_id, struct sample *s, size_t n, struct err *err) {
  return samples_row(w, S_SAMPLES, endpoint_id, s, n, "cannot store samples", err);
}

int store_scenario_put(struct k6_writer *w, int64_t run_id, const char *name, const char *executor,
                       int64_t requests, int64_t failed, int64_t ok_count, struct err *err) {
  sqlite3_stmt *s = stmt(w, S_SCEN, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
  if (executor)
    sqlite3_bind_text(s, 3, executor, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, 3);
  sqlite3_bind_int64(s, 4, requests);
  sqlite3_bind_int64(s, 5, failed);
  sqlite3_bind_int64(s, 6, ok_count);
  return step(w, s, "cannot store scenarios", err);
}

static int exec_bound(struct store *st, const char *q, int64_t run_id, const char *text, struct err *err) {
  sqlite3_stmt *s = store_prepare(st, q, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  if (text)
    sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot store scenarios");
}

int store_scenario_copy_whole_run(struct k6_writer *w, int64_t run_id, const char *scenario, struct err *err) {
  if (exec_bound(w->st,
                 "INSERT INTO scenario_endpoints (run_id, scenario, endpoint_id, method, name, requests, failed, "
                 "ok_count) SELECT run_id, ?2, id, method, name, requests, failed, ok_count FROM endpoints "
                 "WHERE run_id = ?1 ORDER BY id",
                 run_id, scenario, err) < 0)
    return -1;
  return exec_bound(w->st,
                    "INSERT INTO scenario_endpoint_metrics (se_id, metric, scope, count, avg, min, med, max, p90, "
                    "p95, p99) SELECT se.id, m.metric, m.scope, m.count, m.avg, m.min, m.med, m.max, m.p90, m.p95, "
                    "m.p99 FROM scenario_endpoints se JOIN endpoint_metrics m ON m.endpoint_id = se.endpoint_id "
                    "WHERE se.run_id = ?1",
                    run_id, NULL, err);
}

int store_scenario_endpoint_put(struct k6_writer *w, int64_t run_id, const char *scenario, int64_t endpoint_id,
                                const struct store_ep_row *e, int64_t *se_id, struct err *err) {
  return ep_row(w, S_SC_EP, run_id, scenario, endpoint_id, e, se_id, "cannot store scenario endpoint", err);
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
  sqlite3_stmt *s = stmt(w, S_BUCKET, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  if (endpoint_id)
    sqlite3_bind_int64(s, 2, endpoint_id);
  sqlite3_bind_int64(s, 3, b->t);
  sqlite3_bind_int64(s, 4, b->requests);
  sqlite3_bind_int64(s, 5, b->failures);
  sqlite3_bind_int64(s, 6, b->ok_count);
  sqlite3_bind_double(s, 7, b->dur_sum);
  bind_num(s, 8, b->p50);
  bind_num(s, 9, b->p95);
  bind_num(s, 10, b->p99);
  for (int p = 0; p < STORE_NPHASES; p++)
    sqlite3_bind_double(s, 11 + p, b->phase_sum[p]);
  bind_num(s, 17, b->vus);
  sqlite3_bind_int64(s, 18, b->iterations);
  sqlite3_bind_double(s, 19, b->iter_dur_sum);
  return step(w, s, "cannot store time buckets", err);
}
