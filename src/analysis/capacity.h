/* capacity.h - capacity of a system from a ramp (stress) run
 * (METHODS.md §5): SLO bracket, sustained throughput, breaking point, USL
 * fit, errors at 80 % of capacity, and the bottleneck summary. The load
 * levels it is computed from are analysis/levels.h.
 *
 * Everything is computed from the stored per-request samples and one-second
 * buckets (plus system metrics when the run has them); library code, no
 * printing.
 */
#ifndef LOADREP_CAPACITY_H
#define LOADREP_CAPACITY_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/levels.h"

struct err;
struct run_info;
struct store;

/** Builds the capacity document (keys in the issue: run, slo, levels,
 *  max_users_within_slo, max_rps_within_slo, breaking_point, errors_at_80pct,
 *  usl, bottleneck, target_users, target_met, plus details). LR_DATAERR when
 *  the run has no per-request samples or too few requests. */
int capacity_build(struct store *st, const struct run_info *run, const struct capacity_opts *o,
                   json_t **out, struct err *err);

#endif
