/* fit.h - small numerical building blocks for capacity and soak analysis:
 * normal and Student-t quantiles, a seeded RNG, R-7 quantiles, OLS, hinge
 * (two-segment) regression, Spearman correlation and the zero-failure
 * ("rule of three") upper bound. Pure functions; nothing prints.
 */
#ifndef LOADREP_FIT_H
#define LOADREP_FIT_H
#include <stddef.h>
#include <stdint.h>

/** Standard normal CDF Φ(z). */
double fit_norm_cdf(double z);
/** Standard normal quantile Φ⁻¹(p) (Acklam + one Halley step, ~1e-15); ±INFINITY at 0/1. */
double fit_norm_quantile(double p);
/** Student-t quantile for df ≥ 1 (exact for df 1, 2;
 *  otherwise: Cornish–Fisher start, Newton on the exact CDF). */
double fit_t_quantile(double p, double df);

/** Regularised incomplete beta I_x(a, b) (continued fraction, ~1e-15). */
double fit_betainc(double x, double a, double b);

/** xoshiro256** generator, deterministic for a given seed. */
struct fit_rng {
  uint64_t s[4];
};
void fit_rng_seed(struct fit_rng *r, uint64_t seed);
uint64_t fit_rng_next(struct fit_rng *r);
/** Uniform in [0, 1). */
double fit_rng_uniform(struct fit_rng *r);
/** Standard normal (Box–Muller, no caching). */
double fit_rng_normal(struct fit_rng *r);
/** Uniform integer in [0, n). */
size_t fit_rng_index(struct fit_rng *r, size_t n);

/** k6/R-7 quantile of v (sorted ascending, n ≥ 1); p in [0,1]. NAN when n = 0. */
double fit_quantile_sorted(const double *v, size_t n, double p);
/** R-7 quantile of an unsorted array (copies; v is not modified). */
double fit_quantile(const double *v, size_t n, double p);
/** Median of an unsorted array; NAN when n = 0. */
double fit_median(const double *v, size_t n);
/** The k-th smallest (0-based) of v, reordering v in place (quickselect). */
double fit_select(double *v, size_t n, size_t k);

/** Ordinary least squares y = a + b·x. Returns -1 when fewer than 2 distinct x. */
int fit_ols(const double *x, const double *y, size_t n, double *a, double *b);

/** Hinge regression y = b0 + b1·x + b2·max(0, x − c), c searched over the
 *  distinct x with at least `min_side` points on each side. */
struct fit_hinge {
  double c;           /* breakpoint */
  double b0, b1, b2;  /* intercept, pre slope, slope change (post slope = b1 + b2) */
  double sse;         /* at the best c */
  double sse_linear;  /* of the plain straight line, for comparison */
  size_t c_index;     /* index (into the input order) of the point at c */
};
/** Returns 0, or -1 when there are too few points for min_side on each side. */
int fit_hinge_regression(const double *x, const double *y, size_t n, size_t min_side,
                         struct fit_hinge *out);

/** Spearman rank correlation (average ranks for ties); NAN when undefined. */
double fit_spearman(const double *x, const double *y, size_t n);
/** Pearson correlation of x and y; NaN when n < 3 or either is constant. */
double fit_pearson(const double *x, const double *y, size_t n);
/** Average ranks (1-based) of x into r. */
void fit_ranks(const double *x, size_t n, double *r);

/** Upper bound of the failure probability after n trials with zero failures,
 *  at confidence `conf` (0.95 → 1 − 0.05^(1/n) ≈ 3/n). 1 when n = 0. */
double fit_zero_failure_upper(double n, double conf);

#endif
