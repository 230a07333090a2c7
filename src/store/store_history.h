/* store_history.h - pinned baselines (table baselines) and the outcomes of
 * `loadrep check` (table check_results).
 *
 *   store_baseline_set(st, "checkout", "", run_id, now, &err);
 *   struct store_baseline *b; size_t n;
 *   store_baselines_list(st, NULL, NULL, &b, &n, &err);   // every baseline
 *   store_baselines_free(b, n);
 *
 * Plain C values in and out; every function returns 0 or -1 with *err
 * filled, and prints nothing. The SQL serves both backends (store/sq.h).
 */
#ifndef LOADREP_STORE_HISTORY_H
#define LOADREP_STORE_HISTORY_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** Pins run_id as the baseline of (scenario, env), replacing any other;
 *  set_at is the ISO time to record. */
int store_baseline_set(struct store *st, const char *scenario, const char *env, int64_t run_id, const char *set_at,
                       struct err *err);

/** A pinned baseline with its run's name. Strings owned. */
struct store_baseline {
  char *scenario, *env, *run_name, *set_at;
  int64_t run_id;
};
/** The baselines of scenario and env (NULL: any), sorted by scenario, env. */
int store_baselines_list(struct store *st, const char *scenario, const char *env, struct store_baseline **out,
                         size_t *n, struct err *err);
void store_baselines_free(struct store_baseline *b, size_t n);

/** How many baselines are set. */
int store_baselines_count(struct store *st, int64_t *n, struct err *err);

/** Removes the baseline of (scenario, env), or every baseline when scenario
 *  is NULL; *removed (when not NULL) gets how many went. */
int store_baselines_clear(struct store *st, const char *scenario, const char *env, int *removed, struct err *err);

/** Records one check of run_id against baseline_id (0: none) with its
 *  verdict ("ok" | "regression") at checked_at (ISO time). */
int store_check_record(struct store *st, int64_t run_id, int64_t baseline_id, const char *verdict,
                       const char *checked_at, struct err *err);

#endif
