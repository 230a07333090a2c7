/* store_levels.h - what load levels, capacity and bottleneck read of a run:
 * each endpoint's decoded samples, and the whole-run per-second buckets.
 *
 *   struct store_ep_samples *e; size_t n;
 *   store_ep_samples_of(st, run_id, &e, &n, &err);   // by endpoint id
 *   store_ep_samples_free(e, n);
 *
 * Plain C values in and out; 0 or -1 with *err filled. The same SQL serves
 * both backends (store/sq.h).
 */
#ifndef LOADREP_STORE_LEVELS_H
#define LOADREP_STORE_LEVELS_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;
struct sample;

/** An endpoint that has samples, with them decoded (time-sorted). Owned. */
struct store_ep_samples {
  int64_t id; /* endpoints.id */
  char *method, *name;
  struct sample *s;
  size_t n;
};
/** The run's endpoints that have samples, by endpoint id. */
int store_ep_samples_of(struct store *st, int64_t run_id, struct store_ep_samples **out, size_t *n,
                        struct err *err);
/** Frees e and whatever of its members the caller has not taken (NULL). */
void store_ep_samples_free(struct store_ep_samples *e, size_t n);

/** The phases of a request's time, in the order of the phase sums. */
enum { STORE_BLOCKED, STORE_CONNECTING, STORE_TLS, STORE_SENDING, STORE_WAITING, STORE_RECEIVING, STORE_NPHASES };

/** One bucket (one second). Absent numbers read 0, except vus: NaN when
 *  no VU sample fell in it. p50, p95, p99: the successful requests'
 *  latency, written by ingest (store_bucket_put()); store_run_buckets()
 *  does not read them (NaN). */
struct store_bucket {
  int64_t t; /* seconds since the run's start */
  int64_t requests, failures, ok_count, iterations;
  double dur_sum, iter_dur_sum;
  double p50, p95, p99;
  double phase_sum[STORE_NPHASES];
  double vus;
  double data_sent, data_received; /* bytes; NaN for endpoint rows and runs ingested before v4 */
};
/** The run's whole-run buckets, by t. */
int store_run_buckets(struct store *st, int64_t run_id, struct store_bucket **out, size_t *n, struct err *err);

/** The first whole-run second with the most VUs: *found 0 when no bucket
 *  has a VU count. */
int store_peak_vus_second(struct store *st, int64_t run_id, int64_t *t, int *found, struct err *err);

/** The most VUs of any whole-run second; NaN when no bucket has a VU count. */
int store_run_max_vus(struct store *st, int64_t run_id, double *vus, struct err *err);

/** The successful requests of the whole-run seconds from_s <= t <= to_s
 *  (seconds from the run's start); NaN when no bucket is there. */
int store_ok_between(struct store *st, int64_t run_id, double from_s, double to_s, double *ok, struct err *err);

/** The most VUs of the whole-run seconds from_s <= t < to_s; NaN when no
 *  bucket there has a VU count. */
int store_max_vus_between(struct store *st, int64_t run_id, double from_s, double to_s, double *vus,
                          struct err *err);

#endif
