/* compare_load.h - is the load of two runs the same? And, when it is not,
 * what can still be compared: matched load levels and capacity.
 *
 * Whole-run statistics of two runs are comparable only when the runs put
 * the same load on the service: the same executor, VU profile over time,
 * duration, think time per iteration and request mix (docs/methods.md,
 * "Comparable load"). Library code: no printing.
 */
#ifndef LOADREP_COMPARE_LOAD_H
#define LOADREP_COMPARE_LOAD_H
#include <jansson.h>
#include <stddef.h>

enum { LOAD_CURVE_N = 20 };

/** What a run asked of the service. NAN where unknown. */
struct load_profile {
  double duration_s;
  double max_vus;
  double curve[LOAD_CURVE_N]; /* mean VUs in each twentieth of the run */
  double iter_ms;             /* mean iteration duration */
  double think_ms;            /* iteration time outside requests: iter_ms - request time per iteration */
  int ramp;                   /* the VU plateau (>= 95 % of max) holds less than half the run */
  const char *executor;       /* k6 executor when known, else NULL (not owned) */
  size_t n_mix;
  const char **mix_label;     /* endpoint labels (not owned) */
  double *mix_share;          /* share of the run's requests, owned */
};

/** Frees mix_share (and the label array, not its strings). */
void load_profile_release(struct load_profile *p);

/** {"duration_s", "max_vus", "vus_profile": [...], "iteration_ms", "think_ms",
 *   "shape": "ramp"|"constant", "executor", "mix": {label: share}} */
json_t *load_profile_json(const struct load_profile *p);

/** The "load" object of compare: {"comparable", "reasons": [...], "baseline",
 *  "candidate"}; *comparable set to match. */
json_t *load_compare(const struct load_profile *b, const struct load_profile *c, int *comparable);

/** Matched load levels of two capacity documents (capacity_build): for each
 *  candidate level before the ramp-down, the baseline level within 10 % of
 *  its mean VUs, for the VUs both runs reached. */
json_t *load_matched_levels(json_t *cap_base, json_t *cap_cand);

/** {"baseline": {...}, "candidate": {...}, "users_ratio", "ok_rps_ratio"}
 *  from two capacity documents; ratios null when a side is unknown. */
json_t *load_capacity_pair(json_t *cap_base, json_t *cap_cand);

#endif
