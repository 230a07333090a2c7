/* store_runs.h - the runs of the database as lists: every run with its
 * headline figures (`loadrep runs`), and the runs of a scenario in the order
 * they started (`loadrep history`).
 *
 *   struct store_run_row *r; size_t n;
 *   store_runs_list(st, NULL, &r, &n, &err);   // every run, oldest id first
 *   store_run_rows_free(r, n);
 *
 * Plain C values in and out; 0 or -1 with *err filled. The SQL serves
 * both backends (store/sq.h).
 */
#ifndef LOADREP_STORE_RUNS_H
#define LOADREP_STORE_RUNS_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** One run. Strings owned; NaN where the database has no value. */
struct store_run_row {
  int64_t id;
  char *name, *scenario, *env;
  double start_ts, end_ts, duration_s;
  /* store_runs_list() only (store_runs_by_start(): NaN, 0, NULL, -1): */
  double requests;    /* k6's http_reqs count */
  double p95_ms;      /* http_req_duration p95; NaN when no request got a response */
  double error_rate;  /* http_req_failed rate */
  int baseline;       /* 1 when pinned as a baseline */
  int complete;       /* 1, 0 (stopped early), -1 unknown (see struct run_info) */
  char *incomplete_reason; /* NULL when not known */
  int k6_exit_status;      /* -1 when unknown */
};

/** Every run of scenario (NULL: any) by id, with its headline figures. */
int store_runs_list(struct store *st, const char *scenario, struct store_run_row **out, size_t *n,
                    struct err *err);
/** The runs of scenario and env (NULL: any) by start time, then id. */
int store_runs_by_start(struct store *st, const char *scenario, const char *env, struct store_run_row **out,
                        size_t *n, struct err *err);
void store_run_rows_free(struct store_run_row *r, size_t n);

/** Records whether run_id ran its course: complete 1 or 0 with the reason
 *  (NULL when complete), and k6's exit status (-1: unknown). */
int store_run_set_completeness(struct store *st, int64_t run_id, int complete, const char *reason,
                               int k6_exit_status, struct err *err);

/** Records the span of a run known from its samples (has_samples = 1):
 *  start and end as epoch seconds, duration in seconds and its source
 *  ("samples", "k6", ...). */
int store_run_set_span(struct store *st, int64_t run_id, double start_ts, double end_ts, double duration_s,
                       const char *duration_src, struct err *err);

/** The id of the run named name in *id, or 0 when there is none. */
int store_run_id_of(struct store *st, const char *name, int64_t *id, struct err *err);

/** Creates a run (name, scenario, env, labels as a JSON object's text,
 *  created_at as ISO 8601) and returns its id in *id. */
int store_run_create(struct store *st, const char *name, const char *scenario, const char *env,
                     const char *labels_json, const char *created_at, int64_t *id, struct err *err);

/** Records the duration of a run without samples: duration_s (NaN: none)
 *  and where it comes from ("k6", "unknown", ...). */
int store_run_set_duration(struct store *st, int64_t run_id, double duration_s, const char *duration_src,
                           struct err *err);

/** Names a run: its name, scenario and k6 version (NULL: not known). */
int store_run_set_name(struct store *st, int64_t run_id, const char *name, const char *scenario,
                       const char *k6_version, struct err *err);

#endif
