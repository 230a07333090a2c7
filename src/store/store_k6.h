/* store_k6.h - writes what the k6 aggregator (ingest/k6_agg_store.c)
 * computes from a run's samples: endpoints with their trends, errors and
 * samples; scenarios with theirs; the per-second buckets.
 *
 * Usage:
 *   struct k6_writer *w = store_k6_writer(st);
 *   store_endpoint_put(w, run_id, &ep, &ep_id, err);
 *   store_endpoint_trend_put(w, ep_id, "http_req_duration", "all", &t, err); ...
 *   store_bucket_put(w, run_id, 0, &bucket, err); ...
 *   store_k6_writer_finish(w, err);
 *   store_k6_writer_free(w);
 * Statements are prepared on first use, inside the caller's transaction;
 * every function returns 0 or -1 with err filled. Plain C values only.
 * The buckets are loaded in bulk (PostgreSQL: buffered for COPY, sent by
 * the next statement on the store or by store_k6_writer_finish(), which
 * says whether they went in).
 */
#ifndef LOADREP_STORE_K6_H
#define LOADREP_STORE_K6_H
#include <stddef.h>
#include <stdint.h>

#include "store/store_levels.h"    /* struct store_bucket */
#include "store/store_scenarios.h" /* struct sc_trend */

struct err;
struct store;
struct sample;
struct k6_writer;

struct k6_writer *store_k6_writer(struct store *st);
/** Sends the buckets not yet sent; 0 or -1 with err filled. */
int store_k6_writer_finish(struct k6_writer *w, struct err *err);
/** Frees w, sending the buckets not yet sent without a word on failure:
 *  call store_k6_writer_finish() first. */
void store_k6_writer_free(struct k6_writer *w);

/** An endpoint (or a scenario's endpoint) and its counts. */
struct store_ep_row {
  const char *method, *name;
  int64_t requests, failed, ok_count;
};

/** Inserts a whole-run endpoint; *id gets endpoints.id. */
int store_endpoint_put(struct k6_writer *w, int64_t run_id, const struct store_ep_row *e, int64_t *id,
                       struct err *err);
/** One trend of an endpoint (metric, scope "all" | "ok"); with count 0 or
 *  a non-finite figure the figure is stored as NULL. */
int store_endpoint_trend_put(struct k6_writer *w, int64_t endpoint_id, const char *metric, const char *scope,
                             const struct sc_trend *t, struct err *err);
/** Adds count failed requests of (status, error code, error) to the endpoint. */
int store_error_add(struct k6_writer *w, int64_t endpoint_id, const char *status, const char *error_code,
                    const char *error, int64_t count, struct err *err);
/** The endpoint's samples (times relative to the run's start); s is sorted
 *  by time in place. */
int store_samples_put(struct k6_writer *w, int64_t endpoint_id, struct sample *s, size_t n, struct err *err);

/** A k6 scenario of the run (executor NULL when unknown). */
int store_scenario_put(struct k6_writer *w, int64_t run_id, const char *name, const char *executor,
                       int64_t requests, int64_t failed, int64_t ok_count, struct err *err);
/** A run of one scenario: its endpoints and their trends are the whole run's. */
int store_scenario_copy_whole_run(struct k6_writer *w, int64_t run_id, const char *scenario, struct err *err);
/** A scenario's own endpoint; *se_id gets scenario_endpoints.id. */
int store_scenario_endpoint_put(struct k6_writer *w, int64_t run_id, const char *scenario, int64_t endpoint_id,
                                const struct store_ep_row *e, int64_t *se_id, struct err *err);
int store_scenario_trend_put(struct k6_writer *w, int64_t se_id, const char *metric, const char *scope,
                             const struct sc_trend *t, struct err *err);
int store_scenario_samples_put(struct k6_writer *w, int64_t se_id, struct sample *s, size_t n, struct err *err);

/** One per-second bucket of an endpoint (endpoint_id 0: the whole run);
 *  NaN p50/p95/p99 or vus are stored as NULL. */
int store_bucket_put(struct k6_writer *w, int64_t run_id, int64_t endpoint_id, const struct store_bucket *b,
                     struct err *err);

#endif
