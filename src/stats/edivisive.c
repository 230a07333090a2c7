#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/edivisive.h"
#include "stats/fit.h"
#include "util/xalloc.h"

void ediv_opts_init(struct ediv_opts *o) {
  o->p_final = 0.001;
  o->min_magnitude = 0.03;
  o->window = 50;
  o->min_size = 3;
}

static void mean_var(const double *v, size_t n, double *m, double *var) {
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += v[i];
  *m = n ? s / (double)n : 0;
  double q = 0;
  for (size_t i = 0; i < n; i++)
    q += (v[i] - *m) * (v[i] - *m);
  *var = n > 1 ? q / (double)(n - 1) : 0;
}

double ediv_t_test(const double *a, size_t na, const double *b, size_t nb) {
  if (na < 1 || nb < 1 || na + nb < 3)
    return 1;
  double ma, va, mb, vb;
  mean_var(a, na, &ma, &va);
  mean_var(b, nb, &mb, &vb);
  double df = (double)(na + nb - 2);
  double sp2 = ((double)(na - 1) * va + (double)(nb - 1) * vb) / df;
  double diff = mb - ma;
  double scale = fabs(ma) > fabs(mb) ? fabs(ma) : fabs(mb);
  if (!(sp2 > 1e-24 * (scale * scale + 1e-300))) /* no spread at all */
    return fabs(diff) > 1e-12 * (scale + 1e-300) ? 0 : 1;
  double t = diff / sqrt(sp2 * (1.0 / (double)na + 1.0 / (double)nb));
  return fit_betainc(df / (df + t * t), df / 2, 0.5);
}

/* Best split tau of z[s..e) by Qhat (kappa = e); returns 0 when none. */
static int best_split(const double *z, size_t s, size_t e, size_t min_size, size_t *tau_out, double *q_out) {
  size_t len = e - s;
  if (len < 2 * min_size || min_size < 2)
    return 0;
  /* Within-left WL, within-right WR, between BT sums of |z_i - z_j|. */
  double WL = 0, WR = 0, BT = 0;
  for (size_t i = s; i < e; i++)
    for (size_t j = i + 1; j < e; j++)
      WR += fabs(z[i] - z[j]);
  double best = -INFINITY;
  size_t best_tau = 0;
  for (size_t tau = s + 1; tau <= e - min_size; tau++) {
    size_t m = tau - 1; /* moves from right to left */
    double to_left = 0, to_right = 0;
    for (size_t i = s; i < m; i++)
      to_left += fabs(z[i] - z[m]);
    for (size_t j = m + 1; j < e; j++)
      to_right += fabs(z[m] - z[j]);
    WL += to_left;
    WR -= to_right;
    BT += to_right - to_left;
    size_t nl = tau - s, nr = e - tau;
    if (nl < min_size)
      continue;
    double dl = (double)nl, dr = (double)nr;
    double q = dl * dr / (dl + dr) *
               (2.0 * BT / (dl * dr) - WL / (dl * (dl - 1) / 2) - WR / (dr * (dr - 1) / 2));
    if (q > best) {
      best = q;
      best_tau = tau;
    }
  }
  if (!best_tau)
    return 0;
  *tau_out = best_tau;
  *q_out = best;
  return 1;
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

/* Binary segmentation of z[s..e) at p-threshold p1; appends to cps. */
static void segment_window(const double *z, size_t s, size_t e, const struct ediv_opts *o, double p1,
                           size_t **cps, size_t *ncp, size_t *cap) {
  size_t *local = xmalloc((e - s + 2) * sizeof *local);
  size_t nl = 0;
  for (;;) {
    /* Boundaries: s, local cps (sorted), e. */
    size_t *bd = xmalloc((nl + 2) * sizeof *bd);
    bd[0] = s;
    memcpy(bd + 1, local, nl * sizeof *bd);
    bd[nl + 1] = e;
    qsort(bd, nl + 2, sizeof *bd, cmp_size);
    double best_q = -INFINITY;
    size_t best_tau = 0;
    for (size_t k = 0; k + 1 < nl + 2; k++) {
      size_t tau;
      double q;
      /* The strongest split among the significant ones of every interval. */
      if (best_split(z, bd[k], bd[k + 1], o->min_size, &tau, &q) && q > best_q &&
          ediv_t_test(z + bd[k], tau - bd[k], z + tau, bd[k + 1] - tau) < p1) {
        best_q = q;
        best_tau = tau;
      }
    }
    free(bd);
    if (!best_tau)
      break;
    local[nl++] = best_tau;
  }
  for (size_t i = 0; i < nl; i++) {
    XGROW(*cps, *cap, *ncp + 1);
    (*cps)[(*ncp)++] = local[i];
  }
  free(local);
}

static void judge(const double *z, size_t n, const size_t *cps, size_t ncp, size_t i, struct ediv_cp *c) {
  size_t a = i ? cps[i - 1] : 0, b = cps[i], e = i + 1 < ncp ? cps[i + 1] : n;
  double m1, v1, m2, v2;
  mean_var(z + a, b - a, &m1, &v1);
  mean_var(z + b, e - b, &m2, &v2);
  c->index = b;
  c->p_value = ediv_t_test(z + a, b - a, z + b, e - b);
  c->mean_before = m1;
  c->mean_after = m2;
  c->magnitude = exp(fabs(m2 - m1)) - 1;
}

size_t ediv_detect(const double *z, size_t n, const struct ediv_opts *o, struct ediv_cp *out, size_t max) {
  struct ediv_opts def;
  if (!o) {
    ediv_opts_init(&def);
    o = &def;
  }
  if (n < 2 * (o->min_size < 2 ? 2 : o->min_size))
    return 0;
  double p1 = o->p_final < 0.05 ? 10 * o->p_final : o->p_final;
  size_t w = o->window < 2 * o->min_size ? n : o->window;
  size_t step = w / 2 ? w / 2 : 1;
  size_t *cps = NULL, ncp = 0, cap = 0;
  for (size_t s = 0;; s += step) {
    size_t e = s + w < n ? s + w : n;
    segment_window(z, s, e, o, p1, &cps, &ncp, &cap);
    if (e >= n)
      break;
  }
  if (ncp)
    qsort(cps, ncp, sizeof *cps, cmp_size);
  size_t u = 0;
  for (size_t i = 0; i < ncp; i++)
    if (!u || cps[u - 1] != cps[i])
      cps[u++] = cps[i];
  ncp = u;
  /* Merge pass: drop the weakest point until all are strong. */
  struct ediv_cp *c = xmalloc((ncp ? ncp : 1) * sizeof *c);
  for (;;) {
    for (size_t i = 0; i < ncp; i++)
      judge(z, n, cps, ncp, i, &c[i]);
    size_t worst = ncp;
    int any_p = 0;
    for (size_t i = 0; i < ncp; i++)
      if (!(c[i].p_value < o->p_final)) {
        any_p = 1;
        if (worst == ncp || c[i].p_value > c[worst].p_value)
          worst = i;
      }
    if (!any_p)
      for (size_t i = 0; i < ncp; i++)
        if (!(c[i].magnitude > o->min_magnitude) && (worst == ncp || c[i].magnitude < c[worst].magnitude))
          worst = i;
    if (worst == ncp)
      break;
    memmove(cps + worst, cps + worst + 1, (ncp - worst - 1) * sizeof *cps);
    ncp--;
  }
  size_t k = ncp < max ? ncp : max;
  memcpy(out, c, k * sizeof *out);
  free(c);
  free(cps);
  return k;
}
