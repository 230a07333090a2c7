/* store_sys.h - system-metric series and samples (tables sys_series,
 * sys_samples) of a run.
 *
 * A series is (run, host, name, source kind) with its unit; re-ingesting a
 * series of the same kind into the same run appends to it. Samples are
 * stored as parsed (already in the series' unit, see sysmetrics.h) with
 * in_window = 0 until sys_mark_window() sets it.
 */
#ifndef LOADREP_STORE_SYS_H
#define LOADREP_STORE_SYS_H
#include <stddef.h>
#include <stdint.h>

#include "ingest/sysmetrics.h"

struct err;
struct reader;
struct store;

/** Inserts the samples of one file into run_id, inside the caller's open
 *  transaction. *n_samples (when not NULL) gets the number inserted. On a
 *  parse error (LR_DATAERR, file:line:col) the caller rolls back. */
int sys_ingest_file(struct store *st, int64_t run_id, struct reader *r, enum sys_kind kind, long *n_samples,
                    struct err *err);

/** After all files of an ingest: sets sys_samples.in_window for every sample
 *  of the run to whether ts lies within [start - margin, end + margin].
 *  *overlap = 0 when no sample of the run falls in [start, end] (the caller
 *  warns that the clocks do not overlap); 1 when some does, and also when
 *  the run has no system samples at all (nothing to warn about). When start
 *  or end is NaN (a run without k6 samples) every sample is in the window. */
int sys_mark_window(struct store *st, int64_t run_id, double start_ts, double end_ts, double margin_s,
                    int *overlap, struct err *err);

/* Reading (analysis: show's system table, system roles). */

/** A system series of a run. Strings owned. */
struct store_sys_series {
  int64_t id;
  char *host, *name, *unit, *source; /* host and source "" from store_sys_series_counted() */
  long in_window; /* samples with in_window = 1; -1 from store_sys_series_list() */
};
/** The run's series by source, host, id. */
int store_sys_series_list(struct store *st, int64_t run_id, struct store_sys_series **out, size_t *n,
                          struct err *err);
/** The run's series by id, each with its count of in-window samples. */
int store_sys_series_counted(struct store *st, int64_t run_id, struct store_sys_series **out, size_t *n,
                             struct err *err);
void store_sys_series_free(struct store_sys_series *s, size_t n);

/** The samples of a series by time: those with from <= ts <= to, or every
 *  one when from or to is NaN (window 0), or only the in-window ones
 *  (window 1, from and to unused). *ts and *v are NULL and *n 0 when none;
 *  the caller frees both. */
int store_sys_samples(struct store *st, int64_t series_id, int window, double from, double to, double **ts,
                      double **v, size_t *n, struct err *err);

/** The mean of a series over from <= ts < to (NaN when no sample) and,
 *  when n is not NULL, the number of samples there. */
int store_sys_mean(struct store *st, int64_t series_id, double from, double to, double *mean, long *n,
                   struct err *err);

#endif
