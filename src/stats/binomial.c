#include <math.h>

#include "stats/binomial.h"

static double log_choose(uint64_t n, uint64_t k) {
  return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);
}

double binom_upper_tail(uint64_t k, uint64_t n, double p) {
  if (k == 0)
    return 1;
  if (k > n)
    return 0;
  if (p <= 0)
    return 0;
  if (p >= 1)
    return 1;
  double lp = log(p), lq = log1p(-p);
  /* Sum from the largest term outward (log-sum-exp) for accuracy. */
  double mx = -INFINITY;
  for (uint64_t j = k; j <= n; j++) {
    double t = log_choose(n, j) + (double)j * lp + (double)(n - j) * lq;
    if (t > mx)
      mx = t;
  }
  double s = 0;
  for (uint64_t j = k; j <= n; j++) {
    double t = log_choose(n, j) + (double)j * lp + (double)(n - j) * lq;
    s += exp(t - mx);
  }
  double r = exp(mx + log(s));
  return r > 1 ? 1 : r;
}

double binom_cond_test(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2) {
  if (n1 == 0 || n2 == 0)
    return 1;
  uint64_t x = x1 + x2;
  if (x == 0)
    return 1;
  double pi0 = (double)n2 / ((double)n1 + (double)n2);
  return binom_upper_tail(x2, x, pi0);
}

void binom_wilson(uint64_t x, uint64_t n, double z, double *lo, double *hi) {
  if (n == 0) {
    *lo = 0;
    *hi = 1;
    return;
  }
  double nn = (double)n, p = (double)x / nn, z2 = z * z;
  double d = 1 + z2 / nn;
  double c = (p + z2 / (2 * nn)) / d;
  double h = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / d;
  *lo = c - h < 0 ? 0 : c - h;
  *hi = c + h > 1 ? 1 : c + h;
  if (x == 0)
    *lo = 0;
  if (x == n)
    *hi = 1;
}

void binom_newcombe_diff(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double z, double *lo,
                         double *hi) {
  double l1, u1, l2, u2;
  binom_wilson(x1, n1, z, &l1, &u1);
  binom_wilson(x2, n2, z, &l2, &u2);
  double p1 = n1 ? (double)x1 / (double)n1 : 0, p2 = n2 ? (double)x2 / (double)n2 : 0;
  double d = p2 - p1;
  *lo = d - sqrt((p2 - l2) * (p2 - l2) + (u1 - p1) * (u1 - p1));
  *hi = d + sqrt((u2 - p2) * (u2 - p2) + (p1 - l1) * (p1 - l1));
}
