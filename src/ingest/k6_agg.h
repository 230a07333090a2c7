/* k6_agg.h - aggregates k6 samples (from NDJSON or CSV) the way k6 does,
 * then writes one run's metrics, endpoints, buckets and samples to the store.
 *
 * k6_agg_new() → k6_agg_metric() for each Metric line, k6_agg_tagset() +
 * k6_agg_point() for each Point → k6_agg_store() → k6_agg_free().
 * Memory grows with the trend values kept (8 bytes each) and the request
 * samples (24 bytes each), never with the file size.
 */
#ifndef LOADREP_K6_AGG_H
#define LOADREP_K6_AGG_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct store;
struct k6_agg;

/** What the summaries given beside the samples add (all optional). */
struct k6_summary_info {
  double duration_s;        /* k6's test-run duration, NaN when unknown */
  const char *duration_src; /* "k6" (handleSummary) | "counter" (count/rate) */
  json_t *verdicts;         /* {"metric": {"expr": true(ok)|false}}: k6's own */
  json_t *trend_stats;      /* summaryTrendStats array, or NULL */
  json_t *metrics;          /* summary-only: {"name": {type, contains, values...}} */
  json_t *checks;           /* summary-only: [{group,name,passes,fails}] */
  const char *k6_version;
  json_t *scenario_config;  /* k6 options.scenarios when known ({name: {executor, ...}}), or NULL */
};

struct k6_agg *k6_agg_new(void);
void k6_agg_free(struct k6_agg *a);

/** Declares a metric (a Metric line). thresholds/submetrics may be NULL. */
int k6_agg_metric(struct k6_agg *a, const char *name, const char *type, const char *contains,
                  json_t *thresholds, json_t *submetrics, struct err *err);
/** Interns a tag set by its raw JSON text; `parsed` (borrowed) may be NULL,
 *  then the text is parsed. Returns its index, or -1 when the text is not a
 *  JSON object of strings (err filled). */
int k6_agg_tagset(struct k6_agg *a, const char *raw, size_t len, json_t *parsed, struct err *err);
/** The instance (runner) the next samples without an `instance` or
 *  `hostname` tag come from, and their file. */
void k6_agg_set_source(struct k6_agg *a, const char *instance, const char *file);
/** The runner most of `file`'s samples came from (NULL when none). */
const char *k6_agg_instance_of(const struct k6_agg *a, const char *file);
/** Adds one sample. */
void k6_agg_point(struct k6_agg *a, const char *metric, size_t metric_len, int64_t time_ns, double value,
                  int tagset);

/** Number of samples added so far. */
uint64_t k6_agg_points(const struct k6_agg *a);
/** The number of named k6 scenarios in the samples (the values of the
 *  `scenario` tag; requests without it, from setup() or teardown(), do not
 *  count here though they form the scenario '' in the store); writes their
 *  names, sorted and joined by '+', into buf ("" when none, "mixed" when they
 *  do not fit in cap bytes). */
size_t k6_agg_scenarios(const struct k6_agg *a, char *buf, size_t cap);

/** The thresholds declared with abortOnFail: [{"metric", "expression"}]
 *  (new reference). */
json_t *k6_agg_abort_thresholds(const struct k6_agg *a);

/** Computes every aggregate and writes them for run_id (inside the caller's
 *  transaction); also sets runs.start_ts/end_ts/duration_s/has_samples. */
int k6_agg_store(struct k6_agg *a, struct store *st, int64_t run_id, const struct k6_summary_info *sum,
                 struct err *err);

/** Evaluates a k6 threshold expression ("p(95)<2000", "rate<0.01",
 *  "avg<200", "count>10") against stats; 1 ok, 0 failed, -1 unparsable. */
int k6_threshold_eval(const char *expr, json_t *stats);

#endif
