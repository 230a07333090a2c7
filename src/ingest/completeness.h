/* completeness.h - did a k6 run run its course? Decided once, at ingest,
 * from what the inputs tell (docs/formats.md, "Complete or not"):
 *
 *  - k6's exit status when known (--k6-exit-status N, or k6_exit_status /
 *    k6_exit_code in a meta.json beside the k6 files): 0, 99 (thresholds
 *    crossed) and 110 (marked as failed) let the run finish; 105 (stopped from
 *    outside: SIGINT), 128+N (killed by signal N) and k6's other error codes
 *    did not;
 *  - a threshold declared with abortOnFail (NDJSON Metric lines) that the
 *    run crossed: k6 stopped the test there;
 *  - k6's test-run duration well short of the configured one, when the
 *    configuration is known (options.scenarios / duration / stages in the
 *    handleSummary data or in meta.json).
 * No sign of any of these: complete.
 */
#ifndef LOADREP_COMPLETENESS_H
#define LOADREP_COMPLETENESS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** What a k6 exit status means: the text, and *early = 1 when k6 did not
 *  let the test run its course. */
const char *k6_exit_meaning(int status, int *early);

/** Parses a k6 duration ("30s", "1m30s", "1h", "500ms", "2.5s" or a number
 *  of ms); NaN when unparsable. In seconds. */
double k6_duration_s(json_t *v);

/** The scenarios configuration ({name: {executor, duration|stages, startTime}})
 *  found in a handleSummary data object or a meta.json: "scenarios" or
 *  "options.scenarios", else one "default" scenario from "options.duration"
 *  / "options.stages" (or top-level "duration" / "stages"). New reference or
 *  NULL. */
json_t *k6_scenario_config(json_t *doc);

/** The configured length of the test in seconds (max of startTime + duration
 *  or the sum of stages over the scenarios); NaN when some scenario's length
 *  is not fixed (iteration-based executors) or nothing is known. */
double k6_configured_duration_s(json_t *scenario_config);

struct completeness_in {
  int exit_status;         /* -1 unknown */
  json_t *abort_thresholds; /* [{"metric", "expression"}] declared with abortOnFail, or NULL */
  double duration_s;       /* the run's duration (k6's when known), NaN unknown */
  double configured_s;     /* NaN unknown */
};

/** Judges run_id and writes runs.complete, incomplete_reason and
 *  k6_exit_status (inside the caller's transaction). The verdicts of the
 *  abortOnFail thresholds are read from the thresholds table. *complete and
 *  reason (may be NULL) receive the verdict. */
int completeness_store(struct store *st, int64_t run_id, const struct completeness_in *in, int *complete,
                       char *reason, size_t cap, struct err *err);

#endif
