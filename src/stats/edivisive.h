/* edivisive.h - change points in a run history (METHODS.md §4.3-4.4).
 *
 * E-divisive means (Matteson & James 2014) in Apache Otava's flavour: the
 * split maximising the energy statistic Qhat is kept when a two-sided
 * Student t-test of the two segments says p < 10 * p_final (weak points),
 * over sliding windows; then a merge pass removes the weakest point until
 * every one has p < p_final and a magnitude above min_magnitude.
 * Deterministic: no permutation test.
 */
#ifndef LOADREP_EDIVISIVE_H
#define LOADREP_EDIVISIVE_H
#include <stddef.h>

struct ediv_opts {
  double p_final;       /* 0.001 */
  double min_magnitude; /* 0.03, so that steps of 5 % show through noise (exp(|Δ|) - 1) */
  size_t window;        /* 50 runs, sliding by window/2 */
  size_t min_size;      /* 3: fewest points on each side of a split */
};
void ediv_opts_init(struct ediv_opts *o);

struct ediv_cp {
  size_t index;        /* first point of the new segment */
  double p_value;      /* t-test of the neighbouring segments */
  double magnitude;    /* exp(|mean_after - mean_before|) - 1 */
  double mean_before;  /* segment means (log scale, as given) */
  double mean_after;
};

/** Change points of z[0..n-1] (values on the log scale, e.g. log p95), in
 *  increasing index order. Writes at most `max` and returns how many. */
size_t ediv_detect(const double *z, size_t n, const struct ediv_opts *o, struct ediv_cp *out, size_t max);

/** Two-sided p-value of the pooled Student t-test of a against b. */
double ediv_t_test(const double *a, size_t na, const double *b, size_t nb);


#endif
