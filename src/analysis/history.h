/* history.h - baselines, check outcomes and a metric across runs.
 *
 * The pinned baseline of a (scenario, env) lives in `baselines`; every
 * `loadrep check` records its outcome in `check_results`, which the rolling
 * baseline (--history K) reads. history_build() lists one metric run by run
 * and marks the change points e-divisive finds in it (METHODS.md §4.4).
 */
#ifndef LOADREP_HISTORY_H
#define LOADREP_HISTORY_H
#include <jansson.h>
#include <stdint.h>

struct store;
struct run_info;
struct err;

/** Pins run r as the baseline of its (scenario, env). */
int history_pin_baseline(struct store *st, const struct run_info *r, struct err *err);

/** Records the outcome ("ok" | "regression") of checking run_id against
 *  baseline_id (0 = none). */
int history_record_check(struct store *st, int64_t run_id, int64_t baseline_id, const char *verdict,
                         struct err *err);

struct history_opts {
  const char *scenario; /* NULL = every scenario */
  const char *env;      /* NULL = every env */
  const char *endpoint; /* substring of "METHOD name"; NULL = "ALL" (every endpoint together) */
  const char *metric;   /* p50 p95 p99 avg rps error_rate; NULL = p95 */
  double p_final;       /* 0.001 */
  double min_magnitude; /* 0.03 */
};
void history_opts_init(struct history_opts *o);

/** {"scenario", "endpoint", "metric", "runs": [{"id", "name", "start", "value",
 *  "n", "change_point": bool, "change_pct"?, "p_value"?}], "change_points": [...]}.
 *  Caller owns *out. render/history_text.h prints it. */
int history_build(struct store *st, const struct history_opts *o, json_t **out, struct err *err);

#endif
