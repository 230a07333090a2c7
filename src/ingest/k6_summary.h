/* k6_summary.h - k6's end-of-test summaries: --summary-export (legacy shape,
 * threshold booleans inverted: true = failed), handleSummary data, and the
 * machine-readable summary (schema 1.x, snake_case keys as k6 writes them).
 *
 * k6_summary_parse() brings all three to one normalised shape:
 *   metrics: {"name": {"type", "contains", "values": {k6 stat names},
 *                      "thresholds": {"expr": ok(bool)}}}
 *   checks:  [{"group", "name", "passes", "fails"}]
 */
#ifndef LOADREP_K6_SUMMARY_H
#define LOADREP_K6_SUMMARY_H
#include <jansson.h>
#include <stdint.h>

#include "ingest/detect.h"

struct err;
struct store;

struct k6_summary {
  enum input_kind kind;
  double duration_s;        /* NaN when the summary does not tell */
  const char *duration_src; /* "k6" or "counter" */
  json_t *metrics;          /* normalised (owned) */
  json_t *checks;           /* normalised (owned) */
  json_t *trend_stats;      /* summaryTrendStats, or NULL (owned) */
  char *k6_version;
  json_t *scenario_config;  /* options.scenarios (or duration/stages) when the document has them, or NULL (owned) */
};

/** Normalises `doc` (a JSON document of `kind`). LR_DATAERR naming `path`
 *  and the metric on a wrong shape. */
int k6_summary_parse(json_t *doc, enum input_kind kind, const char *path, struct k6_summary *out, struct err *err);
void k6_summary_release(struct k6_summary *s);

/** {"metric": {"expr": ok}} of every threshold k6 judged (new reference). */
json_t *k6_summary_verdicts(const struct k6_summary *s);

/** Stores a run known from a summary alone (no samples): its metrics,
 *  thresholds and checks. With `only_missing`, adds just the metrics the
 *  samples did not have (k6 lists metrics that never got a sample). */
int k6_summary_store(const struct k6_summary *s, struct store *st, int64_t run_id, int only_missing,
                     struct err *err);

#endif
