/* instances.h - the k6 instances (runners) of a run, for `show`: each
 * runner's figures over its own samples beside the merged run, warnings
 * when their clocks or their load disagree, and each runner's own
 * threshold verdicts beside the verdicts re-evaluated on the merged
 * samples. */
#ifndef LOADREP_INSTANCES_H
#define LOADREP_INSTANCES_H
#include <jansson.h>
#include <stddef.h>

struct store;
struct run_info;
struct err;

/** Start offsets beyond this many seconds mean the runners' clocks (or
 *  their starts) disagree. */
#define INSTANCE_CLOCK_SKEW_S 1.0
/** A runner whose requests are further than this fraction from the mean
 *  of the runners' is uneven load. */
#define INSTANCE_UNEVEN 0.20

/** Fills *instances with [{"name", "requests", "rps", "p95_ms",
 *  "error_rate", "vus_max", "start", "end"}] (in start order; [] for a run
 *  ingested before schema v4), *merge with {"runners": N, "percentiles":
 *  "exact" (from the union of the samples) | "approximate" (from the
 *  runners' summaries only), "warnings": [sentences]}, and adds
 *  "instances": {"runner": true|false|null} to each row of `thresholds`
 *  (show's array) that runners judged themselves. */
int instances_json(struct store *st, const struct run_info *run, json_t *thresholds, json_t **instances,
                   json_t **merge, struct err *err);

/** *runners = the number of runners when `run` is merged from several
 *  runners' summaries without samples (its percentiles approximate), else 0. */
int instances_approximate(struct store *st, const struct run_info *run, size_t *runners, struct err *err);

#endif
