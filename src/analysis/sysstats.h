/* sysstats.h - per-series statistics of a run's system metrics, for `show`.
 *
 * For each series of the run (ordered by source kind, host, then first
 * ingested), over the samples with runs.start_ts <= ts <= runs.end_ts (all
 * samples when the run has no time window): samples, min, avg, p95 (R-7,
 * as k6 computes percentiles), max, and at_peak: the sample nearest the
 * moment of peak load. That moment is the middle of the first one-second
 * bucket (buckets, endpoint_id IS NULL) whose vus is the run's maximum;
 * at_peak is null when the run has no VU buckets or the series no sample
 * in the window. Series without samples in the window are listed with
 * samples 0 and null statistics.
 */
#ifndef LOADREP_SYSSTATS_H
#define LOADREP_SYSSTATS_H
#include <jansson.h>

struct err;
struct run_info;
struct store;

/** Builds the "system" array of `show --format json`:
 *  [{"host","series","unit","source","samples","min","avg","p95","max","at_peak"}].
 *  *out is a new reference (an empty array when the run has no series). */
int sysstats_json(struct store *st, const struct run_info *run, json_t **out, struct err *err);

#endif
