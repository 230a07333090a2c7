/* usl.h - Universal Scalability Law fit (METHODS.md §5.5).
 *
 * X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted by variable projection (λ is
 * linear for fixed σ, κ) with σ ∈ [0,1], κ ∈ {0} ∪ [1e-8, 1]: a coarse grid,
 * then Nelder–Mead on (σ, log10 κ). Intervals from the Jacobian (t with n−3
 * df) and a residual bootstrap for the peak N*. Deterministic (fixed seed).
 */
#ifndef LOADREP_USL_H
#define LOADREP_USL_H
#include <stddef.h>
#include <stdint.h>

struct usl_fit {
  size_t n;                 /* points fitted */
  double sigma, kappa, lambda;
  double se_sigma, se_kappa, se_lambda;   /* NAN when n ≤ 3 or singular */
  double sigma_ci[2], kappa_ci[2], lambda_ci[2];  /* 95 %, clamped to the constraints */
  double sse, r2;
  double peak_n, peak_x;    /* N* = sqrt((1−σ)/κ) and X(N*); INFINITY/λ/σ when κ = 0 */
  double peak_n_ci[2];      /* bootstrap 2.5/97.5 % of N* (INFINITY where κ* = 0); NAN if not run */
  int boot_b;               /* bootstrap replicates run (0 = none) */
  int boot_kappa_zero;      /* replicates with κ = 0 */
  double max_n;             /* largest N in the data */
  int identified;           /* the peak is supported by the data (usl_judge) */
  const char *why;          /* when not identified: the failed condition (static string) */
};

/** Fits n points (N_i > 0, X_i ≥ 0). Returns -1 when n < 3 or the data are
 *  degenerate (all X zero, fewer than 3 distinct N). Fills the parameters,
 *  their intervals, the peak, then runs `boot_b` residual-bootstrap
 *  replicates (0 to skip) with `seed`, and judges identifiability. */
int usl_fit(const double *N, const double *X, size_t n, int boot_b, uint64_t seed,
            struct usl_fit *out);

/** Model throughput at N. */
double usl_predict(const struct usl_fit *f, double N);

#endif
