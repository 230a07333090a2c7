/* compare.h - metric-by-metric comparison of two runs, with verdicts.
 *
 * Per endpoint and overall ("ALL", every endpoint's samples together):
 * latency p50/p95/p99/avg of successful requests (higher is worse; p95 is
 * gated, p50/p99 warn, avg is reported), throughput = requests / duration
 * (lower is worse, gated) and the error rate in percentage points (gated).
 * A change is a regression only when it exceeds the threshold AND the block
 * bootstrap interval of the ratio lies beyond 1 (or, for errors, an exact
 * one-sided test says it is not chance; or the error SLO is reached); too
 * few samples give "inconclusive" (METHODS.md §4.5-4.8).
 */
#ifndef LOADREP_COMPARE_H
#define LOADREP_COMPARE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct run_info;
struct err;
struct strbuf;
struct slo_set;
struct capacity_opts;

struct compare_opts {
  double threshold_pct;   /* 20 */
  const char *metrics;    /* "p95,rps,error_rate"; NULL = every metric */
  const char **endpoints; /* substrings of "METHOD name" (or "ALL"); none = all */
  size_t n_endpoints;
  int history_k;          /* 0 = the pinned baseline; K = geo-mean of the last K runs that passed check */
  uint64_t seed;          /* bootstrap seed (fixed default: reproducible verdicts) */
  const struct slo_set *slo; /* objectives (analysis/slo.h); NULL = built-in defaults */
  int no_slo;             /* 1: judge against the baseline only, no absolute objectives */
  int replicates;         /* bootstrap replicates; 0 = automatic (2000, fewer for huge runs) */
};
void compare_opts_init(struct compare_opts *o);

/** Checks a --metric list ("p95,p99,rps,errors"); LR_USAGE naming the bad one. */
int compare_check_metrics(const char *list, struct err *err);

/** Builds the compare JSON of issue 4: baseline, candidate, threshold_pct,
 *  verdict ("regression" | "ok"), findings[], warnings[], and
 *  k6_thresholds_failed[] (thresholds k6 itself judged failed in cand).
 *  With history_k > 0 the baseline is the rolling one and every finding also
 *  carries pinned_baseline / pinned_change_pct / pinned_verdict.
 *  Caller owns *out. */
int compare_build(struct store *st, const struct run_info *base, const struct run_info *cand,
                  const struct compare_opts *o, json_t **out, struct err *err);

/** The candidate's absolute objectives (compare_slo.c): p95 and error rate
 *  of ALL and every endpoint against the objective that slo_resolve() gives
 *  ("met" | "slo_breach" | "not_applicable"), the capacity target of a ramp
 *  (from cap, the candidate's capacity document, may be NULL), and each k6
 *  threshold that k6 judged failed (k6_failed). A ramp's whole-run figures
 *  and thresholds are not_applicable: a ramp is judged by its capacity. */
int compare_objectives(struct store *st, const struct run_info *cand, const struct slo_set *set, int ramp,
                       json_t *cap, json_t *k6_failed, json_t **out, struct err *err);

/** The objectives of cand alone (no baseline): its shape decides whether
 *  whole-run figures or its capacity are judged, as in compare_build(). */
int compare_objectives_alone(struct store *st, const struct run_info *cand, const struct compare_opts *o,
                             json_t **objectives, struct err *err);

/** [{"metric", "expression"}] of the thresholds k6 judged failed in r; NULL
 *  with err set on a database error. */
json_t *compare_k6_failed(struct store *st, const struct run_info *r, struct err *err);

/** Capacity options for a run from the objectives (ALL of its scenario). */
int compare_capacity_opts(struct store *st, const struct run_info *run, const struct slo_set *set,
                          struct capacity_opts *co, struct err *err);

/** A finding's value as printed: "15.9 ms", "0.02%", "47.35/s", "1066
 *  users", or "n/a" when not finite (metric: the finding's metric name). */
const char *compare_format_value(char *buf, size_t len, const char *metric, double v);

/* Verdict rules, exposed for the unit tests. */

/** Latency or throughput verdict. ratio = cand/base, [ci_lo, ci_hi] its
 *  interval (NaN = unknown), enough = both sides have the minimum samples.
 *  higher_is_worse: latency 1, throughput 0. Regression when the change
 *  exceeds threshold_pct (strictly) and the interval lies beyond 1;
 *  improvement mirrored; a change beyond the threshold without that evidence
 *  is "inconclusive", as is any finding without enough samples. */
const char *compare_classify(double ratio, double ci_lo, double ci_hi, int enough, double threshold_pct,
                             int higher_is_worse);

/** Error-rate verdict from counts (x failed of n requests), by the same rule
 *  as compare_classify(): the change is beyond the threshold when the rate
 *  rose by >= 0.1 point AND to >= (1 + threshold) x the baseline's; then it
 *  is a regression when the 95 % Newcombe (hybrid score) interval of the
 *  difference, stored in *lo / *hi (fractions), lies above 0, else
 *  inconclusive. Improvement mirrored. An absolute objective (the SLO) is
 *  judged apart, as an objective of the candidate (slo_breach). */
const char *compare_classify_errors(uint64_t xb, uint64_t nb, uint64_t xc, uint64_t nc, double threshold_pct,
                                    double *lo, double *hi);

#endif
