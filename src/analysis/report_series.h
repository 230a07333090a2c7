/* report_series.h - the per-endpoint and per-status series of the report's
 * charts, beside the whole-run ones of analysis/report_model.h: each
 * endpoint's p50, p95 and p99 over windows wide enough for its rate, its
 * response-time distribution, and responses per second by HTTP status.
 * Read through store/ (no SQL here); numbers only, no drawing.
 */
#ifndef LOADREP_REPORT_SERIES_H
#define LOADREP_REPORT_SERIES_H
#include <stddef.h>
#include <stdint.h>

#include "analysis/report_model.h"

struct err;
struct store;

/** One endpoint: "METHOD name", the width of its windows (1 to 60 s: at
 *  least 20 requests a window on average), and per window its centre t
 *  and the p50, p95, p99 of all its requests (R-7, as k6). */
struct report_ep_series {
  char *label;
  double window_s;
  size_t n;
  double *t, *p50, *p95, *p99;
  size_t requests;
  double *hist; /* share of the requests (%) per bin of report_ep_detail.edges */
};

/** The endpoints of a run (by name, method) with the bins of their
 *  response-time distribution: nbins log-spaced bins shared by every
 *  endpoint, edges[0..nbins]. */
struct report_ep_detail {
  struct report_ep_series *ep;
  size_t n;
  double *edges;
  size_t nbins;
};
int report_ep_detail_read(struct store *st, int64_t run_id, struct report_ep_detail *d, struct err *err);
void report_ep_detail_free(struct report_ep_detail *d);

/** One column per endpoint of d: its p95 (or p50, p99: which 0, 1, 2) at
 *  the union of the windows' centres (NAN where it has none); labels[i]
 *  "METHOD name (W-s windows)" when W > 1 (freed by the caller). */
void report_ep_table(const struct report_ep_detail *d, int which, struct report_series *out, char ***labels,
                     size_t *nlabels);

/** Responses per second by HTTP status: one column per status (sorted),
 *  rows by second; *nstatus 0 when the run has no counts (ingested before
 *  schema v4, or no status tags). statuses freed by the caller. */
int report_series_status(struct store *st, int64_t run_id, struct report_series *out, char ***statuses,
                         size_t *nstatus, struct err *err);

#endif
