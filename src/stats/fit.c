/* fit.c - numerical building blocks (see fit.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/fit.h"
#include "stats/percentile.h"
#include "util/cmp.h"
#include "util/xalloc.h"

double fit_norm_cdf(double z) {
  return 0.5 * erfc(-z / sqrt(2.0));
}

/* Acklam's rational approximation (relative error ~1e-9), then one Halley
 * step against erfc, which brings it to full double precision. */
double fit_norm_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                              1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                              6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  if (isnan(p) || p < 0 || p > 1)
    return NAN;
  if (p == 0)
    return -INFINITY;
  if (p == 1)
    return INFINITY;
  const double plow = 0.02425;
  double x, q, r;
  if (p < plow) {
    q = sqrt(-2 * log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    q = p - 0.5;
    r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    q = sqrt(-2 * log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double e = (p < 0.5) ? 0.5 * erfc(-x / sqrt(2.0)) - p : -(0.5 * erfc(x / sqrt(2.0)) - (1 - p));
  double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
  x = x - u / (1 + x * u / 2);
  return x;
}

/* One step of the modified Lentz method with coefficient aa: updates c and
 * d and returns the factor d * c that multiplies the fraction. */
static double lentz_step(double aa, double *c, double *d) {
  const double tiny = 1e-300;
  *d = 1 + aa * *d;
  if (fabs(*d) < tiny)
    *d = tiny;
  *c = 1 + aa / *c;
  if (fabs(*c) < tiny)
    *c = tiny;
  *d = 1 / *d;
  return *d * *c;
}

/* Continued fraction for the regularised incomplete beta (modified Lentz). */
static double betacf(double a, double b, double x) {
  const double tiny = 1e-300;
  double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (fabs(d) < tiny)
    d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; m++) {
    int m2 = 2 * m;
    h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
    double del = lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &c, &d);
    h *= del;
    if (fabs(del - 1) < 1e-15)
      break;
  }
  return h;
}

double fit_betainc(double x, double a, double b) {
  if (x <= 0)
    return 0;
  if (x >= 1)
    return 1;
  double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
  if (x < (a + 1) / (a + b + 2))
    return bt * betacf(a, b, x) / a;
  return 1 - bt * betacf(b, a, 1 - x) / b;
}

static double t_cdf(double t, double df) {
  double x = df / (df + t * t);
  double tail = 0.5 * fit_betainc(x, df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

double fit_t_quantile(double p, double df) {
  if (isnan(p) || p <= 0 || p >= 1 || !(df > 0))
    return NAN;
  if (df == 1)
    return tan(M_PI * (p - 0.5));
  if (df == 2) {
    double a = 4 * p * (1 - p);
    return 2 * (p - 0.5) * sqrt(2 / a);
  }
  double z = fit_norm_quantile(p);
  double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
  double g1 = (z3 + z) / 4;
  double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  double t = z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df);
  /* Newton refinement on the exact CDF. */
  double lc = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * M_PI);
  for (int i = 0; i < 8; i++) {
    double f = t_cdf(t, df) - p;
    double dens = exp(lc - (df + 1) / 2 * log1p(t * t / df));
    if (!(dens > 0))
      break;
    double step = f / dens;
    t -= step;
    if (fabs(step) < 1e-12 * (1 + fabs(t)))
      break;
  }
  return t;
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

void fit_rng_seed(struct fit_rng *r, uint64_t seed) {
  /* splitmix64 to fill the state */
  for (int i = 0; i < 4; i++) {
    uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    r->s[i] = z ^ (z >> 31);
  }
}

uint64_t fit_rng_next(struct fit_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double fit_rng_uniform(struct fit_rng *r) {
  return (double)(fit_rng_next(r) >> 11) * 0x1.0p-53;
}

double fit_rng_normal(struct fit_rng *r) {
  double u1 = fit_rng_uniform(r), u2 = fit_rng_uniform(r);
  if (u1 <= 0)
    u1 = 0x1.0p-53;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

size_t fit_rng_index(struct fit_rng *r, size_t n) {
  if (n == 0)
    return 0;
  return (size_t)(fit_rng_uniform(r) * (double)n) % n;
}

double fit_quantile_sorted(const double *v, size_t n, double p) {
  return n == 0 ? NAN : stats_pct_sorted(v, n, p);
}

double fit_quantile(const double *v, size_t n, double p) {
  if (n == 0)
    return NAN;
  double *c = xmalloc(n * sizeof *c);
  memcpy(c, v, n * sizeof *c);
  qsort(c, n, sizeof *c, cmp_double);
  double q = fit_quantile_sorted(c, n, p);
  free(c);
  return q;
}

double fit_median(const double *v, size_t n) {
  return fit_quantile(v, n, 0.5);
}

double fit_select(double *v, size_t n, size_t k) {
  long lo = 0, hi = (long)n - 1, kk = (long)k;
  while (lo < hi) {
    double pivot = v[lo + (hi - lo) / 2];
    long i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i <= j) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (kk <= j)
      hi = j;
    else if (kk >= i)
      lo = i;
    else
      break;
  }
  return v[k];
}

/* The means of x[0..n) and y[0..n) (n > 0). */
static void means(const double *x, const double *y, size_t n, double *mx, double *my) {
  *mx = 0;
  *my = 0;
  for (size_t i = 0; i < n; i++) {
    *mx += x[i];
    *my += y[i];
  }
  *mx /= (double)n;
  *my /= (double)n;
}

int fit_ols(const double *x, const double *y, size_t n, double *a, double *b) {
  if (n < 2)
    return -1;
  double mx, my;
  means(x, y, n, &mx, &my);
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < n; i++) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 0))
    return -1;
  *b = sxy / sxx;
  *a = my - *b * mx;
  return 0;
}

/* Solves the 3×3 system m·β = v by Gaussian elimination with pivoting. */
static int solve3(double m[3][3], double v[3], double beta[3]) {
  for (int c = 0; c < 3; c++) {
    int p = c;
    for (int r = c + 1; r < 3; r++)
      if (fabs(m[r][c]) > fabs(m[p][c]))
        p = r;
    if (fabs(m[p][c]) < 1e-300)
      return -1;
    if (p != c) {
      for (int k = 0; k < 3; k++) {
        double t = m[c][k];
        m[c][k] = m[p][k];
        m[p][k] = t;
      }
      double t = v[c];
      v[c] = v[p];
      v[p] = t;
    }
    for (int r = c + 1; r < 3; r++) {
      double f = m[r][c] / m[c][c];
      for (int k = c; k < 3; k++)
        m[r][k] -= f * m[c][k];
      v[r] -= f * v[c];
    }
  }
  for (int r = 2; r >= 0; r--) {
    double s = v[r];
    for (int k = r + 1; k < 3; k++)
      s -= m[r][k] * beta[k];
    beta[r] = s / m[r][r];
  }
  return 0;
}

int fit_hinge_regression(const double *x, const double *y, size_t n, size_t min_side,
                         struct fit_hinge *out) {
  if (min_side < 2)
    min_side = 2;
  if (n < 2 * min_side)
    return -1;
  double best = INFINITY;
  int found = 0;
  double a0 = 0, a1 = 0;
  if (fit_ols(x, y, n, &a0, &a1) < 0)
    return -1;
  double sl = 0;
  for (size_t i = 0; i < n; i++) {
    double r = y[i] - a0 - a1 * x[i];
    sl += r * r;
  }
  for (size_t ci = 0; ci < n; ci++) {
    double c = x[ci];
    size_t below = 0, above = 0;
    int dup = 0;
    for (size_t i = 0; i < n; i++) {
      if (x[i] <= c)
        below++;
      else
        above++;
      if (i < ci && x[i] == c)
        dup = 1;
    }
    if (dup || below < min_side || above < min_side)
      continue;
    double m[3][3] = {{0}}, v[3] = {0}, beta[3];
    for (size_t i = 0; i < n; i++) {
      double f[3] = {1, x[i], x[i] > c ? x[i] - c : 0};
      for (int r = 0; r < 3; r++) {
        for (int k = 0; k < 3; k++)
          m[r][k] += f[r] * f[k];
        v[r] += f[r] * y[i];
      }
    }
    if (solve3(m, v, beta) < 0)
      continue;
    double sse = 0;
    for (size_t i = 0; i < n; i++) {
      double r = y[i] - beta[0] - beta[1] * x[i] - beta[2] * (x[i] > c ? x[i] - c : 0);
      sse += r * r;
    }
    if (sse < best) {
      best = sse;
      found = 1;
      out->c = c;
      out->b0 = beta[0];
      out->b1 = beta[1];
      out->b2 = beta[2];
      out->sse = sse;
      out->c_index = ci;
    }
  }
  if (!found)
    return -1;
  out->sse_linear = sl;
  return 0;
}

void fit_ranks(const double *x, size_t n, double *r) {
  struct value_index *t = xmalloc((n ? n : 1) * sizeof *t);
  for (size_t i = 0; i < n; i++) {
    t[i].v = x[i];
    t[i].i = i;
  }
  qsort(t, n, sizeof *t, cmp_value_index);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && t[j + 1].v == t[i].v)
      j++;
    double avg = ((double)i + (double)j) / 2 + 1;
    for (size_t k = i; k <= j; k++)
      r[t[k].i] = avg;
    i = j + 1;
  }
  free(t);
}

double fit_pearson(const double *x, const double *y, size_t n) {
  if (n < 3)
    return NAN;
  double mx, my;
  means(x, y, n, &mx, &my);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (!(sxx > 0 && syy > 0))
    return NAN;
  return sxy / sqrt(sxx * syy);
}

double fit_spearman(const double *x, const double *y, size_t n) {
  if (n < 3)
    return NAN;
  double *rx = xmalloc(n * sizeof *rx), *ry = xmalloc(n * sizeof *ry);
  fit_ranks(x, n, rx);
  fit_ranks(y, n, ry);
  double r = fit_pearson(rx, ry, n);
  free(rx);
  free(ry);
  return r;
}

double fit_zero_failure_upper(double n, double conf) {
  if (!(n > 0))
    return 1;
  return 1 - pow(1 - conf, 1 / n);
}
