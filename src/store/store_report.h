/* store_report.h - what `loadrep report` reads beyond the other store
 * headers: the runs it reports by default, the VUs of a run over time (its
 * shape) and the gate's recorded verdicts (the checklist's CI criterion).
 *
 *   int64_t *ids; size_t n;
 *   if (store_report_latest_runs(st, &ids, &n, &err) == 0) { ...; free(ids); }
 */
#ifndef LOADREP_STORE_REPORT_H
#define LOADREP_STORE_REPORT_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** The id of the latest run (latest start, then highest id) of every
 *  (scenario, env), ordered by scenario then env; *ids freed with free()
 *  (NULL and 0 when the database has no run). */
int store_report_latest_runs(struct store *st, int64_t **ids, size_t *n, struct err *err);

/** The run's VUs over time: its overall per-second buckets that carry a VU
 *  count, in time order. */
struct store_vus_point {
  double t, vus;
};
int store_report_vus_points(struct store *st, int64_t run_id, struct store_vus_point **rows, size_t *n,
                            struct err *err);

/** Every check `loadrep check` recorded, in the order they were recorded:
 *  the run's name, its baseline's ("" when it had none) and the verdict. */
struct store_check_verdict {
  char *run, *baseline, *verdict;
};
int store_report_check_verdicts(struct store *st, struct store_check_verdict **rows, size_t *n, struct err *err);
void store_check_verdicts_free(struct store_check_verdict *rows, size_t n);

#endif
