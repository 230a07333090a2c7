/* usl.c - Universal Scalability Law fit (see usl.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/fit.h"
#include "stats/usl.h"
#include "util/cmp.h"
#include "util/xalloc.h"

#define KAPPA_MIN 1e-8

struct pts {
  const double *N, *X;
  size_t n;
};

/* SSE of the best λ for (σ, κ); *lambda receives it. */
static double vp_sse(const struct pts *p, double sigma, double kappa, double *lambda) {
  double sxg = 0, sgg = 0;
  for (size_t i = 0; i < p->n; i++) {
    double N = p->N[i];
    double g = N / (1 + sigma * (N - 1) + kappa * N * (N - 1));
    sxg += p->X[i] * g;
    sgg += g * g;
  }
  double lam = sgg > 0 ? sxg / sgg : 0;
  if (lam < 0)
    lam = 0;
  double sse = 0;
  for (size_t i = 0; i < p->n; i++) {
    double N = p->N[i];
    double r = p->X[i] - lam * N / (1 + sigma * (N - 1) + kappa * N * (N - 1));
    sse += r * r;
  }
  if (lambda)
    *lambda = lam;
  return sse;
}

static double clamp(double v, double lo, double hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* Objective over (σ, log10 κ), clamped to the box. */
static double obj2(const struct pts *p, const double v[2]) {
  double s = clamp(v[0], 0, 1), lk = clamp(v[1], log10(KAPPA_MIN), 0);
  return vp_sse(p, s, pow(10, lk), NULL);
}

static void nelder_mead(const struct pts *p, double start[2], double step[2]) {
  double sx[3][2], fv[3];
  for (int i = 0; i < 3; i++) {
    sx[i][0] = start[0];
    sx[i][1] = start[1];
  }
  sx[1][0] += step[0];
  sx[2][1] += step[1];
  for (int i = 0; i < 3; i++)
    fv[i] = obj2(p, sx[i]);
  for (int it = 0; it < 400; it++) {
    /* order */
    for (int i = 0; i < 3; i++)
      for (int j = i + 1; j < 3; j++)
        if (fv[j] < fv[i]) {
          double t = fv[i];
          fv[i] = fv[j];
          fv[j] = t;
          for (int k = 0; k < 2; k++) {
            t = sx[i][k];
            sx[i][k] = sx[j][k];
            sx[j][k] = t;
          }
        }
    if (fabs(fv[2] - fv[0]) <= 1e-14 * (fabs(fv[0]) + 1e-300) &&
        fabs(sx[2][0] - sx[0][0]) < 1e-10 && fabs(sx[2][1] - sx[0][1]) < 1e-8)
      break;
    double c[2] = {(sx[0][0] + sx[1][0]) / 2, (sx[0][1] + sx[1][1]) / 2};
    double xr[2] = {c[0] + (c[0] - sx[2][0]), c[1] + (c[1] - sx[2][1])};
    double fr = obj2(p, xr);
    if (fr < fv[0]) {
      double xe[2] = {c[0] + 2 * (c[0] - sx[2][0]), c[1] + 2 * (c[1] - sx[2][1])};
      double fe = obj2(p, xe);
      if (fe < fr) {
        sx[2][0] = xe[0], sx[2][1] = xe[1], fv[2] = fe;
      } else {
        sx[2][0] = xr[0], sx[2][1] = xr[1], fv[2] = fr;
      }
    } else if (fr < fv[1]) {
      sx[2][0] = xr[0], sx[2][1] = xr[1], fv[2] = fr;
    } else {
      double xc[2] = {c[0] + 0.5 * (sx[2][0] - c[0]), c[1] + 0.5 * (sx[2][1] - c[1])};
      double fc = obj2(p, xc);
      if (fc < fv[2]) {
        sx[2][0] = xc[0], sx[2][1] = xc[1], fv[2] = fc;
      } else {
        for (int i = 1; i < 3; i++) {
          sx[i][0] = sx[0][0] + 0.5 * (sx[i][0] - sx[0][0]);
          sx[i][1] = sx[0][1] + 0.5 * (sx[i][1] - sx[0][1]);
          fv[i] = obj2(p, sx[i]);
        }
      }
    }
  }
  int best = 0;
  for (int i = 1; i < 3; i++)
    if (fv[i] < fv[best])
      best = i;
  start[0] = clamp(sx[best][0], 0, 1);
  start[1] = clamp(sx[best][1], log10(KAPPA_MIN), 0);
}

/* Golden-section search of σ for κ = 0. */
static double best_sigma_kappa0(const struct pts *p, double *sse) {
  double a = 0, b = 1, gr = (sqrt(5.0) - 1) / 2;
  double c = b - gr * (b - a), d = a + gr * (b - a);
  double fc = vp_sse(p, c, 0, NULL), fd = vp_sse(p, d, 0, NULL);
  for (int i = 0; i < 100; i++) {
    if (fc < fd) {
      b = d, d = c, fd = fc;
      c = b - gr * (b - a);
      fc = vp_sse(p, c, 0, NULL);
    } else {
      a = c, c = d, fc = fd;
      d = a + gr * (b - a);
      fd = vp_sse(p, d, 0, NULL);
    }
  }
  double s = (a + b) / 2;
  double f = vp_sse(p, s, 0, NULL);
  /* endpoints */
  double f0 = vp_sse(p, 0, 0, NULL);
  if (f0 <= f)
    s = 0, f = f0;
  *sse = f;
  return s;
}

/* Core fit: sigma, kappa, lambda, sse. */
static void fit_core(const struct pts *p, double *sigma, double *kappa, double *lambda,
                     double *sse) {
  double best = INFINITY, bs = 0, blk = log10(KAPPA_MIN);
  for (int i = 0; i <= 100; i++) {
    double s = i / 100.0;
    for (int j = 0; j < 120; j++) {
      double lk = log10(KAPPA_MIN) + (0 - log10(KAPPA_MIN)) * j / 119.0;
      double f = vp_sse(p, s, pow(10, lk), NULL);
      if (f < best)
        best = f, bs = s, blk = lk;
    }
  }
  double v[2] = {bs, blk}, step[2] = {0.02, 0.3};
  nelder_mead(p, v, step);
  /* a second restart from the result polishes it */
  double step2[2] = {0.005, 0.05};
  nelder_mead(p, v, step2);
  double s1 = v[0], k1 = pow(10, v[1]);
  double f1 = vp_sse(p, s1, k1, NULL);
  double f0;
  double s0 = best_sigma_kappa0(p, &f0);
  if (f0 <= f1) {
    *sigma = s0;
    *kappa = 0;
    *sse = f0;
  } else {
    *sigma = s1;
    *kappa = k1;
    *sse = f1;
  }
  vp_sse(p, *sigma, *kappa, lambda);
}

/* Inverts a symmetric 3×3 matrix; -1 when singular. */
static int inv3(double a[3][3], double o[3][3]) {
  double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
               a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
               a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  if (!(fabs(det) > 1e-300) || !isfinite(det))
    return -1;
  o[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
  o[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
  o[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
  o[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
  o[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
  o[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
  o[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
  o[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
  o[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
  return 0;
}

double usl_predict(const struct usl_fit *f, double N) {
  return f->lambda * N / (1 + f->sigma * (N - 1) + f->kappa * N * (N - 1));
}

static void peak_of(double sigma, double kappa, double lambda, double *pn, double *px) {
  if (kappa > 0) {
    double n = sqrt((1 - sigma) / kappa);
    if (n < 1)
      n = 1;
    *pn = n;
    *px = lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
  } else {
    *pn = INFINITY;
    *px = sigma > 0 ? lambda / sigma : INFINITY;
  }
}

int usl_fit(const double *N, const double *X, size_t n, int boot_b, uint64_t seed,
            struct usl_fit *out) {
  memset(out, 0, sizeof *out);
  out->peak_n_ci[0] = out->peak_n_ci[1] = NAN;
  if (n < 3)
    return -1;
  double xmax = 0, nmax = 0;
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(N[i] > 0) || !isfinite(X[i]))
      return -1;
    if (X[i] > xmax)
      xmax = X[i];
    if (N[i] > nmax)
      nmax = N[i];
    int seen = 0;
    for (size_t j = 0; j < i; j++)
      if (N[j] == N[i])
        seen = 1;
    distinct += !seen;
  }
  if (!(xmax > 0) || distinct < 3)
    return -1;
  out->n = n;
  out->max_n = nmax;
  struct pts p = {N, X, n};
  fit_core(&p, &out->sigma, &out->kappa, &out->lambda, &out->sse);
  double mean = 0, sst = 0;
  for (size_t i = 0; i < n; i++)
    mean += X[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++)
    sst += (X[i] - mean) * (X[i] - mean);
  out->r2 = sst > 0 ? 1 - out->sse / sst : NAN;

  /* Jacobian intervals */
  out->se_sigma = out->se_kappa = out->se_lambda = NAN;
  for (int k = 0; k < 2; k++)
    out->sigma_ci[k] = out->kappa_ci[k] = out->lambda_ci[k] = NAN;
  if (n > 3) {
    double jtj[3][3] = {{0}}, cov[3][3];
    for (size_t i = 0; i < n; i++) {
      double Nn = N[i];
      double D = 1 + out->sigma * (Nn - 1) + out->kappa * Nn * (Nn - 1);
      double j[3] = {-out->lambda * Nn * (Nn - 1) / (D * D), -out->lambda * Nn * Nn * (Nn - 1) / (D * D),
                     Nn / D};
      for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++)
          jtj[r][c] += j[r] * j[c];
    }
    if (inv3(jtj, cov) == 0) {
      double s2 = out->sse / (double)(n - 3);
      double t = fit_t_quantile(0.975, (double)(n - 3));
      double se[3];
      for (int k = 0; k < 3; k++)
        se[k] = cov[k][k] > 0 ? sqrt(s2 * cov[k][k]) : NAN;
      out->se_sigma = se[0];
      out->se_kappa = se[1];
      out->se_lambda = se[2];
      out->sigma_ci[0] = clamp(out->sigma - t * se[0], 0, 1);
      out->sigma_ci[1] = clamp(out->sigma + t * se[0], 0, 1);
      out->kappa_ci[0] = clamp(out->kappa - t * se[1], 0, 1);
      out->kappa_ci[1] = clamp(out->kappa + t * se[1], 0, 1);
      out->lambda_ci[0] = fmax(0, out->lambda - t * se[2]);
      out->lambda_ci[1] = out->lambda + t * se[2];
    }
  }
  peak_of(out->sigma, out->kappa, out->lambda, &out->peak_n, &out->peak_x);

  /* residual bootstrap of N* */
  if (boot_b > 0 && n > 3) {
    double *fitted = xmalloc(n * sizeof *fitted), *res = xmalloc(n * sizeof *res);
    double *xb = xmalloc(n * sizeof *xb), *peaks = xmalloc((size_t)boot_b * sizeof *peaks);
    double scale = sqrt((double)n / (double)(n - 3));
    for (size_t i = 0; i < n; i++) {
      fitted[i] = usl_predict(out, N[i]);
      res[i] = (X[i] - fitted[i]) * scale;
    }
    struct fit_rng rng;
    fit_rng_seed(&rng, seed);
    struct pts pb = {N, xb, n};
    for (int b = 0; b < boot_b; b++) {
      for (size_t i = 0; i < n; i++) {
        xb[i] = fitted[i] + res[fit_rng_index(&rng, n)];
        if (xb[i] < 0)
          xb[i] = 0;
      }
      double s, k, l, e, pn, px;
      fit_core(&pb, &s, &k, &l, &e);
      peak_of(s, k, l, &pn, &px);
      if (k == 0)
        out->boot_kappa_zero++;
      peaks[b] = pn;
    }
    qsort(peaks, (size_t)boot_b, sizeof *peaks, cmp_double);
    out->peak_n_ci[0] = fit_quantile_sorted(peaks, (size_t)boot_b, 0.025);
    out->peak_n_ci[1] = fit_quantile_sorted(peaks, (size_t)boot_b, 0.975);
    out->boot_b = boot_b;
    free(fitted);
    free(res);
    free(xb);
    free(peaks);
  }

  /* identifiability (METHODS.md §5.5) */
  out->identified = 0;
  if (!(out->kappa > 0))
    out->why = "kappa is 0: no retrograde region, the throughput has no peak";
  else if (!(out->kappa_ci[0] > 0))
    out->why = "the 95% interval of kappa includes 0";
  else if (out->peak_n > 1.5 * nmax)
    out->why = "the predicted peak is beyond 1.5x the largest tested load";
  else if (out->boot_b == 0)
    out->why = "no bootstrap interval for the peak";
  else if (!(isfinite(out->peak_n_ci[1]) && out->peak_n_ci[0] > 0 &&
             out->peak_n_ci[1] / out->peak_n_ci[0] <= 2))
    out->why = "the bootstrap interval of the peak is too wide (hi/lo > 2)";
  else {
    out->identified = 1;
    out->why = NULL;
  }
  return 0;
}
