/* trend.h - monotonic trend tests for soak analysis (METHODS.md §7.2–7.3):
 * Mann–Kendall with the Hamed–Rao autocorrelation correction, the
 * Theil–Sen slope with its rank-based interval, and a wrapper that
 * aggregates autocorrelated series until the correction can cope.
 */
#ifndef LOADREP_TREND_H
#define LOADREP_TREND_H
#include <stddef.h>

struct mk_result {
  size_t n;
  double s;          /* Σ sgn(x_j − x_i) */
  double var_s;      /* tie-corrected variance of S */
  double var_s_adj;  /* after Hamed–Rao (equals var_s without correction) */
  double n_ns;       /* n/n*: the variance inflation factor (≥ 1 here) */
  double z;          /* continuity-corrected score on var_s_adj */
  double tau;        /* Kendall's tau-a: S / (n(n−1)/2) */
  double p_increasing, p_decreasing, p_two_sided;
};

/** Mann–Kendall test of x[0..n) (n ≥ 3). With hamed_rao, the variance is
 *  inflated by the significant (at 5 %) rank autocorrelations of the
 *  Sen-detrended series. Returns -1 when n < 3. */
int trend_mann_kendall(const double *x, size_t n, int hamed_rao, struct mk_result *out);

struct sen_result {
  double slope;      /* median of pairwise slopes (units of x per unit of t) */
  double intercept;  /* Conover: median(x) − slope·median(t) */
  double lo, hi;     /* 1−alpha interval from the ranks of the slopes */
};

/** Theil–Sen slope of x against t (t strictly increasing is not required;
 *  pairs with equal t are skipped). var_s is Var(S) for the interval (pass the
 *  Hamed–Rao value); alpha e.g. 0.05. Returns -1 when no pair has distinct t. */
int trend_sen_slope(const double *t, const double *x, size_t n, double var_s, double alpha,
                    struct sen_result *out);

/** Lag-1 autocorrelation of x (NAN when n < 3 or constant). */
double trend_lag1_acf(const double *x, size_t n);

/** The robust test METHODS.md §7.2 recommends: Hamed–Rao Mann–Kendall;
 *  while the lag-1 autocorrelation of the Sen-detrended series exceeds
 *  2/√n, average adjacent pairs (of t and x) and retest, keeping ≥ min_n
 *  points; then, if the remaining lag-1 autocorrelation r implies a larger
 *  variance inflation than Hamed–Rao applied (1 + 2Σ(1−k/n)r^k, Yue–Wang),
 *  use that. The slope and its interval are in x units per t unit. */
struct trend_result {
  struct mk_result mk;
  struct sen_result sen;
  size_t n_used;      /* points after aggregation */
  int aggregation;    /* how many original points each used point averages */
  double lag1_acf;    /* of the detrended series that was finally tested */
};
int trend_test(const double *t, const double *x, size_t n, double alpha, size_t min_n,
               struct trend_result *out);

#endif
