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

#endif
