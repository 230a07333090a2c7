/* report_charts.h - the report's charts (render/chart.h) from the report
 * model and the time series of analysis/report_model.h.
 *
 * Each report_charts_* call writes the gnuplot script and data of its
 * charts and sets their links ("charts/STEM.svg", or null) in the entry's
 * "charts" object; report_charts_draw() then runs gnuplot on all of them.
 */
#ifndef LOADREP_REPORT_CHARTS_H
#define LOADREP_REPORT_CHARTS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/report_model.h"
#include "analysis/report_series.h"

struct err;

enum report_charts_mode { REPORT_CHARTS_AUTO, REPORT_CHARTS_ALWAYS, REPORT_CHARTS_NEVER };

struct report_charts {
  const char *out_dir;          /* charts go to OUT_DIR/charts */
  enum report_charts_mode mode;
  int gnuplot_ok;               /* gnuplot was found */
  const char *gnuplot;
  int timeout_ms;
  double slo_p95_ms;            /* the SLO line of the latency charts */
  double run_end_s;             /* the x axes of the run's time charts end here (0: at the data's end) */
  char **stems;                 /* charts written so far */
  size_t n, cap;
  json_t *specs;                /* {STEM: spec} of the interactive twins (render/report_html.h), or NULL */
};

/** The series of one run entry: latency, throughput, per endpoint p95,
 *  CPU and memory (labels: the endpoints' names, one per column of ep);
 *  each endpoint's percentiles and distribution (detail); responses per
 *  second by status (one column per statuses[i]; nstatus 0: none stored);
 *  the baseline's latency and throughput (base_name NULL: no baseline). */
struct report_run_series {
  struct report_series lat, thr, ep, sys, net;
  char **labels;
  size_t nlabels;
  struct report_ep_detail detail;
  struct report_series status;
  char **statuses;
  size_t nstatus;
  struct report_series base_lat, base_thr;
  const char *base_name;
};
/** Frees what s holds. */
void report_run_series_release(struct report_run_series *s);

int report_charts_run(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *entry,
                      const struct report_run_series *s, struct err *err);
/** Baseline-vs-candidate p95 per endpoint (null when the entry has no baseline). */
int report_charts_compare(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *entry,
                          struct err *err);
/** Capacity, USL and phases charts of a capacity entry of the model. */
int report_charts_capacity(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *centry,
                           struct err *err);

/** Memory of a soak entry of the model: floor per window, fitted trend and
 *  leak threshold ("soak_memory" in the run's charts). */
int report_charts_soak(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *sentry,
                       struct err *err);

/** Runs gnuplot on every chart; failures are fatal in ALWAYS mode and
 *  otherwise drop that chart's links from the model (with a warning). */
int report_charts_draw(struct report_charts *cx, json_t *model, struct err *err);

void report_charts_release(struct report_charts *cx);

#endif
