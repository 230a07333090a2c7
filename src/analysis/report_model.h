/* report_model.h - the JSON model behind `loadrep report`.
 *
 * The model holds the very documents `show`, `compare`, `capacity` (and
 * `soak`) print with --format json, plus a few derived tables (SLO rows,
 * targets, errors by status, the run's shape); templates only format what is
 * in it, so every number in the reports is the number those commands give.
 * Every run entry (and capacity entry) gets an empty "charts" object that
 * the chart step (render/report_charts.h) fills in.
 *
 * Also here: the time series the charts draw, read from the store. Library
 * code: no printing, no formatting of numbers for display, no drawing.
 */
#ifndef LOADREP_REPORT_MODEL_H
#define LOADREP_REPORT_MODEL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/capacity.h"
#include "analysis/compare.h"

struct err;
struct run_info;
struct store;

/** One --targets goal: METRIC=-N% | +N% | xN | /N. */
struct report_target {
  char metric[16]; /* p50 p95 p99 avg rps errors */
  char op;         /* '-' lower by pct, '+' higher by pct, 'x' times, '/' divided */
  double value;
  char text[64];   /* the goal as written */
};
#define REPORT_MAX_TARGETS 8

/** --baseline-of RUN=BASE. */
struct report_baseline_of {
  const char *run, *base;
};

struct report_model_opts {
  const char *title;
  struct report_target targets[REPORT_MAX_TARGETS];
  size_t ntargets;
  const struct report_baseline_of *bof;
  size_t nbof;
  struct capacity_opts cap;   /* window; objectives come from slo */
  struct compare_opts cmp;    /* cmp.slo = slo */
  const struct slo_set *slo;  /* --slo, --slo-file, k6 thresholds, defaults (analysis/slo.h) */
  long target_users;          /* --target-users; 0: the SLO file's, else 1000 */
  int charts_enabled;     /* charts will be drawn (gnuplot found, not --charts never) */
  const char *charts_note; /* why charts are missing, or NULL */
};

/** Parses "p95=-50%,rps=x2,errors=/10" into t[0..*n). LR_USAGE naming the
 *  option on bad text. */
int report_parse_targets(const char *s, struct report_target *t, size_t *n, struct err *err);

struct report_runs {
  struct run_info *v;
  size_t n, cap;
};

/** The runs named in argv, or without any the latest run of every
 *  (scenario, env). LR_NOINPUT when the database has no run. */
int report_resolve_runs(struct store *st, int argc, char **argv, struct report_runs *rl,
                        struct err *err);
void report_runs_release(struct report_runs *rl);

/** Builds the model; *out is owned by the caller (set even on error). */
int report_model_build(struct store *st, const struct report_runs *rl, const struct report_model_opts *o,
                       json_t **out, struct err *err);

/* Reading the model by dotted path ("capacity.signals.knee.vus"), for the
 * report's own files: NULL, NAN or "" when a key is missing. */
json_t *rm_get(json_t *o, const char *path);
double rm_num(json_t *o, const char *path);
const char *rm_str(json_t *o, const char *path);

/* Parts of the model (report_acceptance.c), called by report_model_build. */

/** Each run entry's "headline" against its baseline: {"verdict" (compare's
 *  overall verdict), "kind" (ok | regression | slo_breach | not_comparable |
 *  incomplete | capacity_up | capacity_down | capacity_same), "text"}; a
 *  pair of different loads with a capacity comparison is told by its
 *  capacity change, never as a regression of whole-run figures. */
void report_headlines(json_t *model);

/** Top-level "targets": [{"metric", "goal", "met": true|false|null, "basis":
 *  "equal_load"|"capacity", "baseline_run", "candidate_run", "baseline",
 *  "candidate", "target", "reason", ...}]: latency and errors on every pair
 *  of equal load, throughput as max successful req/s within the SLO of a
 *  stress pair; met null (with the missing run in the reason) when the runs
 *  cannot answer. Each run entry's "targets" are its rows. */
int report_targets(struct store *st, const struct report_model_opts *o, json_t *model, struct err *err);

/** Top-level "acceptance": [{"id", "criterion", "status": "met"|"not_met"|
 *  "not_evaluable", "evidence", "runs"}] for five_endpoints, baselines,
 *  users_1000, p95_2s_all_apis, zero_errors_at_80pct, top3_bottlenecks,
 *  before_after_targets, db_query_p95_100ms, cache_hit_70pct, llm_p95_5s (judged on
 *  the runs after the change: a pinned baseline, or the baseline of another
 *  reported run, is quoted for reference), ci_regression_alert. */
int report_acceptance(struct store *st, const struct report_model_opts *o, json_t *model, struct err *err);

/* ------------------------------------------------------------ time series */

/** A table of rows: x and ncols values per row (row-major, NAN = none). */
struct report_series {
  double *x, *y;
  size_t n, cap, ncols;
};
void report_series_row(struct report_series *b, double x, const double *vals);
void report_series_free(struct report_series *b);

/** Overall one-second buckets: lat = p50, p95, p99, VUs; thr = requests,
 *  failures, VUs; net (when not NULL) = KiB sent, KiB received, empty for a
 *  run ingested before they were recorded (ncols preset by the function). */
int report_series_overall(struct store *st, int64_t run_id, struct report_series *lat,
                          struct report_series *thr, struct report_series *net, struct err *err);

/** p95 per endpoint (all requests, R-7) over windows wide enough for its
 *  rate (>= 20 requests a window on average: 1 to 60 s), at the windows'
 *  centres: one column per endpoint, labels[i] its "METHOD name (W-s
 *  windows)" (freed by the caller, as is the array). */
int report_series_endpoints(struct store *st, int64_t run_id, struct report_series *out, char ***labels,
                            size_t *nlabels, struct err *err);

/** CPU (col 0) and memory in MiB (col 1) of the series named in the run
 *  entry's "system_series" (either may be absent). */
int report_series_system(struct store *st, int64_t run_id, json_t *entry, struct report_series *out,
                         struct err *err);

/** The system series the report uses for CPU and memory: the first name of
 *  the list that the run has. Returns its id (0: none; -1: error) and its
 *  name in *name_out (freed by the caller). */
int64_t report_pick_series(struct store *st, int64_t run_id, const char *const *patterns, char **name_out,
                           struct err *err);
extern const char *const report_cpu_patterns[], *const report_mem_patterns[];

#endif
