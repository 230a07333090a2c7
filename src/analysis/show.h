/* show.h - everything known about one run, as one JSON document.
 *
 * The shape (keys are never renamed, only added):
 * {"run": {"id", "name", "scenario", "env", "start", "end", "duration_s", ...},
 *  "summary": {"requests", "rps", "error_rate", "p50", "p95", "p99", "vus_max", ...},
 *  "metrics": {"<k6 metric or submetric>": {"type": "trend", "count", "avg", "min", "med", "max",
 *              "p(90)", "p(95)", "p(99)"} | {"type": "counter", "count", "rate"}
 *              | {"type": "rate", "passes", "fails", "value"} | {"type": "gauge", "value", "min", "max"}},
 *  "endpoints": [{"method", "name", "endpoint", "requests", "failed", "error_rate", "rps",
 *                 "http_req_duration": {...}, "ok_duration": {...}, "phases": {...}}],
 *  "thresholds": [{"metric", "expression", "ok", "source"}],
 *  "checks": [{"group", "name", "passes", "fails"}],
 *  "errors": [{"endpoint", "status", "error_code", "error", "count"}],
 *  "system": [{"host", "series", "unit", "samples", "min", "avg", "p95", "max", "at_peak"}]}
 * Numbers are exactly those k6 computes (R-7 percentiles over every sample).
 * render/show_text.h prints it as text or Markdown.
 */
#ifndef LOADREP_SHOW_H
#define LOADREP_SHOW_H
#include <jansson.h>

struct store;
struct run_info;
struct err;

/** Builds the document for `run`; caller owns *out. */
int show_build(struct store *st, const struct run_info *run, json_t **out, struct err *err);

/** The run object alone ({"id","name","scenario","env","start","end","duration_s"}). */
json_t *show_run_json(const struct run_info *run);

#endif
