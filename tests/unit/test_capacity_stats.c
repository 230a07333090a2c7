/* test_capacity_stats.c - quantiles, hinge regression, rule of three, USL fit. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis/capacity.h"
#include "harness.h"
#include "util/err.h"
#include "stats/fit.h"
#include "stats/usl.h"

static void test_quantiles(void) {
  DBL_NEAR(fit_norm_quantile(0.975), 1.959963984540054, 1e-12, "z 0.975");
  DBL_NEAR(fit_norm_quantile(0.5), 0, 1e-15, "z 0.5");
  DBL_NEAR(fit_norm_quantile(0.001), -3.090232306167813, 1e-11, "z 0.001");
  DBL_NEAR(fit_norm_quantile(1e-10), -6.361340902404056, 1e-8, "z far tail");
  for (double p = 0.0001; p < 1; p += 0.0317)
    DBL_NEAR(fit_norm_cdf(fit_norm_quantile(p)), p, 1e-13, "Phi(Phi^-1(%g))", p);
  DBL_NEAR(fit_t_quantile(0.975, 1), 12.706204736174707, 1e-9, "t df1");
  DBL_NEAR(fit_t_quantile(0.975, 2), 4.302652729749464, 1e-9, "t df2");
  DBL_NEAR(fit_t_quantile(0.975, 3), 3.182446305284263, 1e-9, "t df3");
  DBL_NEAR(fit_t_quantile(0.975, 9), 2.262157162798205, 1e-9, "t df9");
  DBL_NEAR(fit_t_quantile(0.975, 30), 2.042272456301238, 1e-9, "t df30");
  DBL_NEAR(fit_t_quantile(0.025, 5), -2.570581835636314, 1e-9, "t df5 lower");
  double v[] = {5, 1, 4, 2, 3};
  DBL_NEAR(fit_median(v, 5), 3, 0, "median");
  DBL_NEAR(fit_quantile(v, 5, 0.95), 4.8, 1e-12, "R-7 p95");
  double w[] = {9, 2, 7, 4, 4, 1, 8};
  DBL_NEAR(fit_select(w, 7, 3), 4, 0, "select");
  DBL_NEAR(fit_select(w, 7, 0), 1, 0, "select min");
  DBL_NEAR(fit_select(w, 7, 6), 9, 0, "select max");
}

static void test_rule_of_three(void) {
  DBL_NEAR(fit_zero_failure_upper(2995, 0.95), 0.001, 2e-6, "n for 0.1%%");
  OK(fabs(fit_zero_failure_upper(100000, 0.95) * 100000 - 3) < 0.01, "≈ 3/n");
  DBL_NEAR(fit_zero_failure_upper(0, 0.95), 1, 0, "no trials");
}

static void test_hinge(void) {
  double x[40], y[40];
  struct fit_rng r;
  fit_rng_seed(&r, 7);
  for (int i = 0; i < 40; i++) {
    x[i] = 10 * (i + 1);
    y[i] = x[i] < 250 ? 2 * x[i] : 500 + 0.1 * (x[i] - 250);
    y[i] += fit_rng_normal(&r) * 5;
  }
  struct fit_hinge h;
  OK(fit_hinge_regression(x, y, 40, 3, &h) == 0, "hinge fits");
  OK(fabs(h.c - 250) <= 20, "breakpoint %g near 250", h.c);
  DBL_NEAR(h.b1, 2, 0.1, "pre slope");
  DBL_NEAR(h.b1 + h.b2, 0.1, 0.2, "post slope");
  OK(h.sse < h.sse_linear / 10, "hinge beats a line");
  OK(fit_hinge_regression(x, y, 5, 3, &h) < 0, "too few points");
}

static void test_spearman(void) {
  double x[] = {1, 2, 3, 4, 5, 6}, y[] = {1, 4, 9, 16, 25, 36}, z[] = {6, 5, 4, 3, 2, 1};
  DBL_NEAR(fit_spearman(x, y, 6), 1, 1e-12, "monotone");
  DBL_NEAR(fit_spearman(x, z, 6), -1, 1e-12, "reverse");
}

static double usl_x(double s, double k, double l, double n) {
  return l * n / (1 + s * (n - 1) + k * n * (n - 1));
}

/* Known σ, κ, λ with 2 % multiplicative noise, levels up to ~2×N*. */
static void test_usl_recovers(void) {
  const double S = 0.05, K = 0.0005, L = 100;  /* N* = 43.6 */
  double N[16], X[16];
  int covered_s = 0, covered_k = 0, trials = 20;
  for (int t = 0; t < trials; t++) {
    struct fit_rng r;
    fit_rng_seed(&r, 1000 + (uint64_t)t);
    for (int i = 0; i < 16; i++) {
      N[i] = 1 + i * 6;
      X[i] = usl_x(S, K, L, N[i]) * (1 + 0.02 * fit_rng_normal(&r));
    }
    struct usl_fit f;
    OK(usl_fit(N, X, 16, t == 0 ? 300 : 0, 42, &f) == 0, "fit runs");
    covered_s += f.sigma_ci[0] <= S && S <= f.sigma_ci[1];
    covered_k += f.kappa_ci[0] <= K && K <= f.kappa_ci[1];
    if (t == 0) {
      OK(f.sigma_ci[0] <= S && S <= f.sigma_ci[1], "sigma %g in [%g, %g]", f.sigma, f.sigma_ci[0],
         f.sigma_ci[1]);
      OK(f.kappa_ci[0] <= K && K <= f.kappa_ci[1], "kappa %g in [%g, %g]", f.kappa, f.kappa_ci[0],
         f.kappa_ci[1]);
      OK(f.lambda_ci[0] <= L && L <= f.lambda_ci[1], "lambda %g in [%g, %g]", f.lambda,
         f.lambda_ci[0], f.lambda_ci[1]);
      OK(f.peak_n_ci[0] <= sqrt((1 - S) / K) && sqrt((1 - S) / K) <= f.peak_n_ci[1],
         "N* in bootstrap CI [%g, %g]", f.peak_n_ci[0], f.peak_n_ci[1]);
      OK(f.identified, "peak identified (%s)", f.why ? f.why : "");
      DBL_NEAR(f.peak_n, 43.6, 5, "N*");
      fprintf(stderr, "USL fit: sigma %.4f [%.4f, %.4f], kappa %.6f [%.6f, %.6f], N* %.1f [%.1f, %.1f]\n", f.sigma,
              f.sigma_ci[0], f.sigma_ci[1], f.kappa, f.kappa_ci[0], f.kappa_ci[1], f.peak_n, f.peak_n_ci[0],
              f.peak_n_ci[1]);
    }
  }
  fprintf(stderr, "USL 95%% interval coverage over %d noisy fits: sigma %d, kappa %d\n", trials, covered_s,
          covered_k);
  /* 95 % intervals: expect ≥ 16 of 20 to cover. */
  OK(covered_s >= 16, "sigma coverage %d/20", covered_s);
  OK(covered_k >= 16, "kappa coverage %d/20", covered_k);
}

/* Exact data: the fit is exact. */
static void test_usl_exact(void) {
  double N[10], X[10];
  for (int i = 0; i < 10; i++) {
    N[i] = 1 + i * 10;
    X[i] = usl_x(0.1, 0.001, 50, N[i]);
  }
  struct usl_fit f;
  OK(usl_fit(N, X, 10, 0, 1, &f) == 0, "exact fit");
  DBL_NEAR(f.sigma, 0.1, 1e-4, "sigma exact");
  DBL_NEAR(f.kappa, 0.001, 1e-6, "kappa exact");
  DBL_NEAR(f.lambda, 50, 1e-2, "lambda exact");
}

/* Only the linear part of the curve: the peak must not be claimed. */
static void test_usl_extrapolation(void) {
  const double S = 0.05, K = 0.0005, L = 100;
  double N[10], X[10];
  struct fit_rng r;
  fit_rng_seed(&r, 99);
  for (int i = 0; i < 10; i++) {
    N[i] = 1 + i * 2.5;  /* up to ~24, about 0.55·N* */
    X[i] = usl_x(S, K, L, N[i]) * (1 + 0.03 * fit_rng_normal(&r));
  }
  struct usl_fit f;
  OK(usl_fit(N, X, 10, 300, 42, &f) == 0, "fit runs");
  OK(!f.identified, "peak not identified from the linear part (N*=%g)", f.peak_n);
  OK(f.why != NULL, "reason given");
  /* Linear scaling: κ = 0, σ = 0 fits and there is no peak. */
  for (int i = 0; i < 10; i++)
    X[i] = 10 * N[i];
  OK(usl_fit(N, X, 10, 0, 1, &f) == 0, "linear fit");
  DBL_NEAR(f.sigma, 0, 1e-6, "linear sigma");
  OK(f.kappa == 0, "linear kappa %g", f.kappa);
  OK(isinf(f.peak_n) && !f.identified, "no peak");
  double one[2] = {1, 2};
  OK(usl_fit(one, one, 2, 0, 1, &f) < 0, "too few points");
}

static void test_parse_slo(void) {
  struct capacity_opts o;
  struct err e = ERR_INIT;
  capacity_opts_init(&o);
  DBL_NEAR(o.slo_p95_ms, 2000, 0, "default p95");
  DBL_NEAR(o.slo_error_rate, 0.01, 0, "default errors");
  INT_EQ(o.target_users, 1000, "default target");
  OK(capacity_parse_slo("p95<1500ms,errors<0.5%", &o, &e) == 0, "parses");
  DBL_NEAR(o.slo_p95_ms, 1500, 0, "p95");
  DBL_NEAR(o.slo_error_rate, 0.005, 1e-15, "errors");
  OK(capacity_parse_slo(" p(95) < 2s ; error_rate<0.02 ", &o, &e) == 0, "seconds and fraction");
  DBL_NEAR(o.slo_p95_ms, 2000, 0, "2s");
  DBL_NEAR(o.slo_error_rate, 0.02, 1e-15, "0.02");
  OK(capacity_parse_slo("errors<1%", &o, &e) == 0, "one part");
  DBL_NEAR(o.slo_p95_ms, 2000, 0, "p95 kept");
  const char *bad[] = {"", "p95>2000", "p99<2000ms", "p95<abc", "errors<150%", "p95<2000parsecs", "p95<-1ms", NULL};
  for (int i = 0; bad[i]; i++) {
    struct capacity_opts before = o;
    OK(capacity_parse_slo(bad[i], &o, &e) < 0 && e.code == LR_USAGE, "refuses '%s'", bad[i]);
    DBL_NEAR(o.slo_p95_ms, before.slo_p95_ms, 0, "unchanged after '%s'", bad[i]);
  }
}

int main(void) {
  test_parse_slo();
  test_quantiles();
  test_rule_of_three();
  test_hinge();
  test_spearman();
  test_usl_exact();
  test_usl_recovers();
  test_usl_extrapolation();
  return test_report();
}
