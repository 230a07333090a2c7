/* bottleneck.h - what saturates first (METHODS.md §6): endpoint degradation
 * order, where the time goes (k6 phases), resource utilisation and
 * saturation at the knee from the system metrics (USE, utilisation law),
 * fixed-pool backend capacity, and a verdict naming the likely bottleneck
 * with its evidence ("unknown" when the evidence does not support one).
 * The system-metric roles it reads are analysis/sysroles.h.
 */
#ifndef LOADREP_BOTTLENECK_H
#define LOADREP_BOTTLENECK_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/levels.h"
#include "analysis/sysroles.h"

struct err;
struct run_info;
struct store;
struct capacity_opts;
struct cap_data;
struct cap_slo;

/** Builds the bottleneck document for a ramp run (loads the data itself). */
int bottleneck_build(struct store *st, const struct run_info *run, const struct capacity_opts *o,
                     json_t **out, struct err *err);

/** The same from data capacity.c already loaded. */
int bottleneck_analyse(struct store *st, const struct cap_data *d, const struct cap_slo *slo,
                       json_t **out, struct err *err);

#endif
