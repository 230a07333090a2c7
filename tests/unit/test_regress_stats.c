/* Unit tests of the regression statistics: block bootstrap, exact binomial
 * tests, e-divisive change points and the verdict thresholds at their edges. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "harness.h"
#include "stats/binomial.h"
#include "stats/bootstrap.h"
#include "stats/edivisive.h"
#include "stats/fit.h"

static double normal(struct fit_rng *g) {
  double u1 = fit_rng_uniform(g), u2 = fit_rng_uniform(g);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* A synthetic run: 60 s, `rate` requests/s, log-normal latencies around
 * `median` ms with a per-second AR(1) level (autocorrelated, as real runs). */
static void synth_run(uint64_t seed, double median, size_t rate, double **v, double **t, size_t *n) {
  struct fit_rng g;
  fit_rng_seed(&g, seed);
  *n = 60 * rate;
  *v = malloc(*n * sizeof **v);
  *t = malloc(*n * sizeof **t);
  double level = 0;
  for (size_t s = 0; s < 60; s++) {
    level = 0.8 * level + 0.1 * normal(&g);
    for (size_t i = 0; i < rate; i++) {
      size_t k = s * rate + i;
      (*t)[k] = (double)s + (double)i / (double)rate;
      (*v)[k] = median * exp(level + 0.4 * normal(&g));
    }
  }
}

static void test_rng(void) {
  struct fit_rng a, b;
  fit_rng_seed(&a, 42);
  fit_rng_seed(&b, 42);
  int same = 1;
  for (int i = 0; i < 1000; i++)
    same &= fit_rng_next(&a) == fit_rng_next(&b);
  OK(same, "same seed, same stream");
  /* Poisson(1): mean 1, P(0) = e^-1. */
  fit_rng_seed(&a, 7);
  double sum = 0, zeros = 0;
  for (int i = 0; i < 200000; i++) {
    unsigned k = boot_poisson1(&a);
    sum += k;
    zeros += k == 0;
  }
  DBL_NEAR(sum / 200000, 1.0, 0.01, "Poisson(1) mean");
  DBL_NEAR(zeros / 200000, 0.36787944117144233, 0.005, "Poisson(1) P(0)");
}

/* The checkpoint index of large sets gives exactly the values of the scan. */
static void test_indexed_stats(void) {
  enum { N = 50000, NB = 23 };
  double *v = malloc(N * sizeof *v), *t = malloc(N * sizeof *t);
  struct fit_rng g;
  fit_rng_seed(&g, 7);
  for (int i = 0; i < N; i++) {
    v[i] = floor(fit_rng_uniform(&g) * 5000) / 10; /* ties on purpose */
    t[i] = fit_rng_uniform(&g) * NB;
  }
  struct boot_set s;
  boot_set_init(&s, v, t, N, 1, NB);
  OK(s.cum != NULL, "a set of %d values is indexed", N);
  static const double pr[4] = {0, 0.5, 0.95, 0.999};
  int same = 1;
  for (int rep = 0; rep < 50; rep++) {
    unsigned w[NB];
    for (int b = 0; b < NB; b++)
      w[b] = boot_poisson1(&g);
    if (rep == 0)
      for (int b = 0; b < NB; b++)
        w[b] = b == 5; /* a single block */
    double qi[4], qs[4], mi, ms;
    double ti = boot_weighted_stats(&s, w, pr, 4, qi, &mi);
    uint32_t *cum = s.cum;
    s.cum = NULL; /* the plain scan */
    double ts = boot_weighted_stats(&s, w, pr, 4, qs, &ms);
    s.cum = cum;
    same &= ti == ts && fabs(mi - ms) <= 1e-9 * fabs(ms);
    for (int k = 0; k < 4; k++)
      same &= qi[k] == qs[k] || (isnan(qi[k]) && isnan(qs[k]));
  }
  OK(same, "indexed and scanned replicates agree exactly (percentiles) and to 1e-9 (mean)");
  boot_set_release(&s);
  free(v);
  free(t);
}

static void test_weighted_stats(void) {
  double v[100], t[100];
  for (int i = 0; i < 100; i++) {
    v[i] = 100 - i; /* unsorted on purpose */
    t[i] = i / 10.0; /* 10 blocks of 1 s */
  }
  struct boot_set s;
  boot_set_init(&s, v, t, 100, 1, 10);
  const double p[3] = {0.5, 0.95, 0.99};
  double q[3], mean;
  OK(boot_weighted_stats(&s, NULL, p, 3, q, &mean) == 100, "total weight");
  DBL_NEAR(q[0], 50.5, 1e-12, "R-7 median of 1..100");
  DBL_NEAR(q[1], 95.05, 1e-12, "R-7 p95 of 1..100");
  DBL_NEAR(q[2], 99.01, 1e-12, "R-7 p99 of 1..100");
  DBL_NEAR(mean, 50.5, 1e-12, "mean");
  /* Block b holds values 100-10b-9 .. 100-10b: weight 0 on block 0 (91..100)
   * leaves 1..90; weight 2 everywhere else duplicates each value. */
  unsigned w[10] = {0, 2, 2, 2, 2, 2, 2, 2, 2, 2};
  OK(boot_weighted_stats(&s, w, p, 3, q, &mean) == 180, "weighted total");
  /* 180 values, each of 1..90 twice: rank 0.5*179 = 89.5 -> between 45 and 46. */
  DBL_NEAR(q[0], 45.5, 1e-12, "weighted median");
  DBL_NEAR(mean, 45.5, 1e-12, "weighted mean");
  unsigned z[10] = {0};
  OK(boot_weighted_stats(&s, z, p, 3, q, &mean) == 0 && isnan(q[1]), "all weights 0");
  boot_set_release(&s);
}

static void test_bootstrap_ci(void) {
  double *v1, *t1, *v2, *t2, *v3, *t3;
  size_t n1, n2, n3;
  synth_run(1, 100, 50, &v1, &t1, &n1);
  synth_run(2, 100, 50, &v2, &t2, &n2);
  synth_run(3, 150, 50, &v3, &t3, &n3);
  struct boot_set a, b, c;
  boot_set_init(&a, v1, t1, n1, 3, 20);
  boot_set_init(&b, v2, t2, n2, 3, 20);
  boot_set_init(&c, v3, t3, n3, 3, 20);
  const double p[2] = {0.5, 0.95};
  struct boot_ci ci1[3], ci2[3], ci3[3], ci4[3];
  boot_ratio_ci(&a, 1, &b, p, 2, 1000, 0.95, 99, ci1);
  boot_ratio_ci(&a, 1, &b, p, 2, 1000, 0.95, 99, ci2);
  OK(ci1[1].lo == ci2[1].lo && ci1[1].hi == ci2[1].hi && ci1[2].lo == ci2[2].lo,
     "same seed: identical intervals (reproducible verdicts)");
  boot_ratio_ci(&a, 1, &b, p, 2, 1000, 0.95, 100, ci3);
  OK(ci3[1].lo != ci1[1].lo, "another seed: another interval");
  OK(ci1[1].lo < 1 && ci1[1].hi > 1, "same distribution: p95 interval contains 1 [%g, %g]", ci1[1].lo, ci1[1].hi);
  OK(ci1[0].lo < 1 && ci1[0].hi > 1, "same distribution: median interval contains 1");
  boot_ratio_ci(&a, 1, &c, p, 2, 1000, 0.95, 99, ci4);
  OK(ci4[1].lo > 1.2 && ci4[1].hi < 1.9, "x1.5: p95 interval [%g, %g] around 1.5", ci4[1].lo, ci4[1].hi);
  OK(ci4[2].lo > 1.2, "x1.5: mean interval above 1.2");
  /* A baseline group of two runs (rolling baseline). */
  struct boot_set grp[2] = {a, b};
  boot_ratio_ci(grp, 2, &c, p, 2, 500, 0.95, 5, ci4);
  OK(ci4[1].lo > 1.2, "x1.5 against a 2-run geometric-mean baseline");
  /* Rates: 20 blocks of 3 s, 150 vs 120 requests per block. */
  double cb[20], cc[20], len[20];
  struct fit_rng g;
  fit_rng_seed(&g, 3);
  for (int i = 0; i < 20; i++) {
    cb[i] = 150 + floor(10 * normal(&g));
    cc[i] = 120 + floor(10 * normal(&g));
    len[i] = 3;
  }
  struct boot_counts kb = {20, cb, len}, kc = {20, cc, len};
  struct boot_ci r1, r2;
  boot_rate_ratio_ci(&kb, 1, &kc, 1000, 0.95, 11, &r1);
  boot_rate_ratio_ci(&kb, 1, &kc, 1000, 0.95, 11, &r2);
  OK(r1.lo == r2.lo && r1.hi == r2.hi, "rate interval reproducible");
  OK(r1.lo > 0.7 && r1.hi < 0.9, "rate ratio 0.8 inside [%g, %g]", r1.lo, r1.hi);
  DBL_NEAR(boot_block_seconds(60), 3, 0, "60 s run: 3 s blocks (20 blocks)");
  DBL_NEAR(boot_block_seconds(10), 1, 0, "short run: 1 s blocks");
  DBL_NEAR(boot_block_seconds(3600), 30, 0, "long run: 30 s blocks");
  boot_set_release(&a);
  boot_set_release(&b);
  boot_set_release(&c);
  free(v1), free(t1), free(v2), free(t2), free(v3), free(t3);
}

static void test_binomial(void) {
  /* Reference values computed exactly with rational arithmetic. */
  DBL_NEAR(binom_upper_tail(3, 10, 0.5), 0.9453125, 1e-12, "P(Bin(10,.5) >= 3)");
  DBL_NEAR(binom_upper_tail(5, 40, 0.05), 0.04802826025421537, 1e-12, "P(Bin(40,.05) >= 5)");
  DBL_NEAR(binom_upper_tail(30, 200, 0.1), 0.016326565931766433, 1e-11, "P(Bin(200,.1) >= 30)");
  DBL_NEAR(binom_upper_tail(1000, 2000, 0.5), 0.5089195055729272, 1e-10, "P(Bin(2000,.5) >= 1000)");
  DBL_NEAR(binom_upper_tail(0, 10, 0.3), 1, 0, "k = 0");
  DBL_NEAR(binom_upper_tail(11, 10, 0.3), 0, 0, "k > n");
  DBL_NEAR(binom_cond_test(0, 100, 7, 100), 0.0078125, 1e-14, "0/100 vs 7/100: 0.5^7");
  DBL_NEAR(binom_cond_test(2, 1000, 10, 1000), 0.019287109375, 1e-13, "2 vs 10 of 1000");
  DBL_NEAR(binom_cond_test(1, 300, 4, 100), 0.015625, 1e-13, "unequal sizes");
  DBL_NEAR(binom_cond_test(3, 5000, 12, 3000), 0.0009886172259712112, 1e-13, "3/5000 vs 12/3000");
  DBL_NEAR(binom_cond_test(0, 100, 0, 100), 1, 0, "no errors: p = 1");
  double p = binom_cond_test(70000, 1000000, 71000, 1000000);
  OK(p > 0.001 && p < 0.01, "large counts stay finite: p = %g", p);
  double lo, hi;
  binom_wilson(0, 100, 1.96, &lo, &hi);
  OK(lo == 0 && hi > 0.03 && hi < 0.04, "Wilson upper bound of 0/100 = %g", hi);
  binom_newcombe_diff(0, 1000, 20, 1000, 1.96, &lo, &hi);
  OK(lo > 0 && hi < 0.04, "Newcombe interval of 0%% -> 2%% excludes 0: [%g, %g]", lo, hi);
}

static size_t series_cps(const double *z, size_t n, size_t *idx) {
  struct ediv_opts o;
  ediv_opts_init(&o);
  struct ediv_cp cp[64];
  size_t k = ediv_detect(z, n, &o, cp, 64);
  for (size_t i = 0; i < k; i++)
    idx[i] = cp[i].index;
  return k;
}

static void test_edivisive(void) {
  struct fit_rng g;
  double z[200];
  size_t idx[64], k;
  /* One step of +30 % at 30. */
  fit_rng_seed(&g, 1);
  for (int i = 0; i < 60; i++)
    z[i] = (i >= 30 ? log(1.3) : 0) + 0.02 * normal(&g);
  k = series_cps(z, 60, idx);
  INT_EQ(k, 1, "one step: one change point");
  if (k == 1)
    INT_EQ(idx[0], 30, "at the step");
  /* A creep of five 5 % steps, none near 20 %. */
  fit_rng_seed(&g, 2);
  for (int i = 0; i < 60; i++)
    z[i] = (double)(i / 10) * log(1.05) + 0.01 * normal(&g);
  k = series_cps(z, 60, idx);
  INT_EQ(k, 5, "creep: five change points");
  for (size_t i = 0; i < k && k == 5; i++)
    INT_EQ(idx[i], 10 * (i + 1), "creep step %zu", i);
  /* Noise only. */
  fit_rng_seed(&g, 3);
  for (int i = 0; i < 120; i++)
    z[i] = 0.03 * normal(&g);
  INT_EQ(series_cps(z, 120, idx), 0, "noise only: no change point");
  /* Up then down, longer than one window (50). */
  fit_rng_seed(&g, 4);
  for (int i = 0; i < 150; i++)
    z[i] = (i >= 60 && i < 110 ? log(1.25) : 0) + 0.02 * normal(&g);
  k = series_cps(z, 150, idx);
  INT_EQ(k, 2, "up and down: two change points");
  if (k == 2) {
    INT_EQ(idx[0], 60, "up");
    INT_EQ(idx[1], 110, "down");
  }
  /* Too short. */
  INT_EQ(series_cps(z, 4, idx), 0, "4 points: nothing");
  /* Student t: t = 0 -> p = 1; identical constant segments -> 1; different constants -> 0. */
  double a[5] = {1, 2, 3, 4, 5}, b[5] = {1, 2, 3, 4, 5}, c[3] = {7, 7, 7}, d[3] = {9, 9, 9};
  DBL_NEAR(ediv_t_test(a, 5, b, 5), 1, 1e-12, "t = 0");
  DBL_NEAR(ediv_t_test(c, 3, c, 3), 1, 0, "no spread, same mean");
  DBL_NEAR(ediv_t_test(c, 3, d, 3), 0, 0, "no spread, other mean");
  /* Known value: a = 1..5, b = 3..7: t = -2/sqrt(2.5*0.4) = -2, df = 8, p = 0.0805162... */
  double e[5] = {3, 4, 5, 6, 7};
  DBL_NEAR(ediv_t_test(a, 5, e, 5), 0.080516238, 1e-7, "t-test p for t = 2, df = 8");
  DBL_NEAR(fit_betainc(0.5, 2, 2), 0.5, 1e-12, "I_0.5(2,2)");
  DBL_NEAR(fit_betainc(0.3, 1, 1), 0.3, 1e-12, "I_x(1,1) = x");
}

static void test_threshold_edges(void) {
  /* Latency: regression only when the change EXCEEDS the threshold. */
  STR_EQ(compare_classify(1.2, 1.1, 1.3, 1, 20, 1), "unchanged", "equal to +20%%: not a regression");
  STR_EQ(compare_classify(1.2000001, 1.1, 1.3, 1, 20, 1), "regression", "just above +20%%");
  STR_EQ(compare_classify(1.1999999, 1.1, 1.3, 1, 20, 1), "unchanged", "just below +20%%");
  STR_EQ(compare_classify(120.0 / 100.0, 1.1, 1.3, 1, 20, 1), "unchanged", "120/100 is exactly +20%%");
  STR_EQ(compare_classify(1.5, 0.99, 2.0, 1, 20, 1), "inconclusive", "beyond but interval includes 1");
  STR_EQ(compare_classify(1.5, 1.0, 2.0, 1, 20, 1), "inconclusive", "interval touching 1 is not above 1");
  STR_EQ(compare_classify(1.5, 1.3, 2.0, 0, 20, 1), "inconclusive", "too few samples: never a failure");
  STR_EQ(compare_classify(NAN, 1.3, 2.0, 1, 20, 1), "inconclusive", "no baseline value");
  STR_EQ(compare_classify(0.8, 0.7, 0.9, 1, 20, 1), "unchanged", "latency -20%% exactly: not an improvement");
  STR_EQ(compare_classify(0.79, 0.7, 0.9, 1, 20, 1), "improvement", "latency just below -20%%");
  STR_EQ(compare_classify(1.3, 1.1, 1.5, 1, 50, 1), "unchanged", "--threshold 50%%");
  STR_EQ(compare_classify(1.0001, 1.00005, 1.0002, 1, 0, 1), "regression", "--threshold 0");
  /* Throughput: lower is worse. */
  STR_EQ(compare_classify(0.8, 0.7, 0.9, 1, 20, 0), "unchanged", "rps -20%% exactly");
  STR_EQ(compare_classify(0.7999999, 0.7, 0.9, 1, 20, 0), "regression", "rps just below -20%%");
  STR_EQ(compare_classify(0.8000001, 0.7, 0.9, 1, 20, 0), "unchanged", "rps just above -20%%");
  STR_EQ(compare_classify(0.7, 0.5, 1.01, 1, 20, 0), "inconclusive", "rps interval reaching 1");
  STR_EQ(compare_classify(1.3, 1.1, 1.5, 1, 20, 0), "improvement", "rps +30%%");
  /* Error rate, in points: the same rule, with the Newcombe interval of the
   * difference; an objective (SLO) is judged elsewhere. */
  double lo, hi;
  STR_EQ(compare_classify_errors(0, 1000, 10, 1000, 20, &lo, &hi), "regression", "0 -> 1%%: interval above 0");
  OK(lo > 0 && lo <= 0.01 && hi >= 0.01, "the interval [%g, %g] holds the change 0.01 and excludes 0", lo, hi);
  STR_EQ(compare_classify_errors(9, 1000, 10, 1000, 20, &lo, &hi), "unchanged", "0.9%% -> 1%%: within the threshold");
  STR_EQ(compare_classify_errors(0, 100, 1, 50, 20, &lo, &hi), "inconclusive", "0 -> 1 of 50: beyond, interval has 0");
  OK(lo < 0 && hi > 0.02, "interval [%g, %g] straddles 0 and holds the change", lo, hi);
  STR_EQ(compare_classify_errors(0, 1000, 6, 1000, 20, &lo, &hi), "regression", "0 -> 6/1000: interval above 0");
  STR_EQ(compare_classify_errors(0, 1000, 2, 1000, 20, &lo, &hi), "inconclusive", "0 -> 2/1000: interval has 0");
  STR_EQ(compare_classify_errors(100, 100000, 199, 100000, 20, &lo, &hi), "unchanged", "rise just under 0.1 point");
  STR_EQ(compare_classify_errors(500, 100000, 599, 100000, 20, &lo, &hi), "unchanged", "just under x1.2");
  STR_EQ(compare_classify_errors(5000, 1000000, 6000, 1000000, 20, &lo, &hi), "regression", "x1.2 exactly, many requests");
  STR_EQ(compare_classify_errors(20, 1000, 0, 1000, 20, &lo, &hi), "improvement", "2%% -> 0");
  OK(hi < 0, "its interval lies below 0 (%g)", hi);
  STR_EQ(compare_classify_errors(380, 1000, 286, 1000, 20, &lo, &hi), "improvement", "38%% -> 28.6%%");
  STR_EQ(compare_classify_errors(300, 1000, 290, 1000, 20, &lo, &hi), "unchanged", "29%% vs 30%%: no relative change");
  STR_EQ(compare_classify_errors(1740 * 2793 / 10000, 1740, 7258 * 2914 / 10000, 7258, 20, &lo, &hi), "unchanged",
         "27.93%% -> 29.14%%: +1.2 points is under x1.2");
  STR_EQ(compare_classify_errors(0, 0, 0, 10, 20, &lo, &hi), "inconclusive", "no baseline requests");
}

int main(void) {
  test_rng();
  test_weighted_stats();
  test_indexed_stats();
  test_bootstrap_ci();
  test_binomial();
  test_edivisive();
  test_threshold_edges();
  return test_report();
}
