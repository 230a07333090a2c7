/* soak.h - soak (endurance) analysis (METHODS.md §7): memory growth of the
 * service (window floors, Mann–Kendall with autocorrelation correction,
 * Theil–Sen slope, growth per hour, time to the memory limit), thread and
 * file-descriptor growth, latency drift, error bursts and timeout clusters.
 * Each part has a verdict: leak / drift / none / inconclusive.
 */
#ifndef LOADREP_SOAK_H
#define LOADREP_SOAK_H
#include <jansson.h>

struct err;
struct run_info;
struct store;

/** Builds the soak document: {"run", "duration_s", "window_s", "warmup_s",
 *  "memory": {"metric" (the stored series' name), "series" (per window after
 *  the warm-up: [{"time_s", "min", "median"}]), "slope_per_hour" (units/h,
 *  bytes for memory), "growth_pct", "verdict", "reason", "p_value", ...},
 *  "threads", "fds" (the same shape), "latency": {"drift", "verdict",
 *  "windows": [{"time_s", "p95_ms", "requests"}], ...}, "errors": {...},
 *  "verdict", "failed", "caveats"}. "failed" is true when a leak or a
 *  latency drift of ≥ 20 % was found. LR_DATAERR when the run has no
 *  per-request samples. */
int soak_build(struct store *st, const struct run_info *run, json_t **out, struct err *err);

#endif
