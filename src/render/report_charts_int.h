/* report_charts_int.h - shared by the report's chart files
 * (report_charts.c, report_charts_detail.c); nothing else includes it. */
#ifndef LOADREP_REPORT_CHARTS_INT_H
#define LOADREP_REPORT_CHARTS_INT_H
#include <jansson.h>
#include <stdint.h>

#include "render/chart.h"
#include "render/report_charts.h"

/** Makes chart `c` named RUN-WHAT, sets charts[key] to its link and records
 *  the spec of its interactive twin: `twin` when not NULL (a chart with
 *  more series than the static one shows), else c itself. */
void report_add_chart_twin(struct report_charts *cx, json_t *charts, const char *key, const char *run_name,
                           int64_t run_id, const char *what, struct chart *c, const struct chart *twin,
                           struct err *err, int *failed);

/** The charts of a run drawn from its per-endpoint and per-status series
 *  and its baseline: p95 per endpoint (with p50 and p99 in the
 *  interactive twin), the response-time distribution per endpoint, status
 *  codes per second and the baseline on the same time axis. */
void report_charts_detail(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *entry,
                          json_t *charts, const struct report_run_series *s, struct err *err, int *failed);

#endif
