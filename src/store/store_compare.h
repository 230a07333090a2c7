/* store_compare.h - what a comparison reads of a run: its endpoints with
 * their samples and aggregates, the run's latency aggregates, its seconds
 * (VUs, iterations), the runs that passed `check`, and the thresholds k6
 * judged failed. Typed reads only; the SQL serves both backends (store/sq.h). */
#ifndef LOADREP_STORE_COMPARE_H
#define LOADREP_STORE_COMPARE_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;
struct sample;

/** k6's http_req_duration aggregates of one scope: NaN and count 0 when none. */
struct store_latency {
  uint64_t count;
  double med, p95, p99, avg;
};

struct store_endpoint {
  char *method, *name;            /* owned */
  uint64_t requests, failed;
  struct store_latency all, ok;   /* every request; successful requests */
  struct sample *s;               /* every request, time-sorted; NULL when the run has no samples */
  size_t ns;
  int has_samples;
};

/** The run's endpoints, sorted by method and name, with decoded samples. */
int store_endpoints_of(struct store *st, int64_t run_id, struct store_endpoint **out, size_t *n, struct err *err);
void store_endpoints_free(struct store_endpoint *e, size_t n);

/** The run's http_req_duration and http_req_duration{expected_response:true}. */
int store_run_latency(struct store *st, int64_t run_id, struct store_latency *all, struct store_latency *ok,
                      struct err *err);

/** http_reqs count and http_req_failed passes from k6's aggregates (summary-only runs). */
int store_run_http_counts(struct store *st, int64_t run_id, uint64_t *requests, uint64_t *failed, struct err *err);

/** One second of the run (whole-run bucket). vus NaN when unknown. */
struct store_second {
  double t, vus, iterations, iter_dur_sum;
};
int store_run_seconds(struct store *st, int64_t run_id, struct store_second **out, size_t *n, struct err *err);

/** Up to k runs of (scenario, env) other than exclude_id, started no later
 *  than before_ts (NaN: any), whose latest check passed; newest first. */
int store_runs_passed_check(struct store *st, const char *scenario, const char *env, int64_t exclude_id,
                            double before_ts, int k, int64_t **ids, size_t *n, struct err *err);

/** The thresholds k6 itself judged failed in the run, sorted. */
struct store_threshold {
  char *metric, *expression;
};
int store_k6_failed_thresholds(struct store *st, int64_t run_id, struct store_threshold **out, size_t *n,
                               struct err *err);
void store_thresholds_free(struct store_threshold *t, size_t n);

#endif
