#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/bootstrap.h"
#include "util/cmp.h"
#include "util/xalloc.h"

unsigned boot_poisson1(struct fit_rng *r) {
  double u = fit_rng_uniform(r);
  double p = 0.36787944117144233; /* e^-1 */
  double cdf = p;
  unsigned k = 0;
  while (u > cdf && k < 30) {
    k++;
    p /= k;
    cdf += p;
  }
  return k;
}

static void build_index(struct boot_set *s) {
  size_t nb = s->n_blocks, nc = s->n / BOOT_STRIDE + 1;
  s->cum = xcalloc(nc * nb, sizeof *s->cum);
  s->bsum = xcalloc(nb, sizeof *s->bsum);
  s->bcnt = xcalloc(nb, sizeof *s->bcnt);
  for (size_t i = 0; i < s->n; i++) {
    if (i % BOOT_STRIDE == 0)
      memcpy(s->cum + (i / BOOT_STRIDE) * nb, s->bcnt, nb * sizeof *s->cum);
    s->bcnt[s->blk[i]]++;
    s->bsum[s->blk[i]] += s->v[i];
  }
}

void boot_set_init(struct boot_set *s, const double *values, const double *times, size_t n,
                   double block_s, size_t n_blocks) {
  memset(s, 0, sizeof *s);
  if (n_blocks == 0)
    n_blocks = 1;
  if (!(block_s > 0))
    block_s = 1;
  struct value_index *p = xmalloc((n ? n : 1) * sizeof *p);
  for (size_t i = 0; i < n; i++) {
    double b = times ? floor(times[i] / block_s) : 0;
    if (!(b >= 0))
      b = 0;
    if (b >= (double)n_blocks)
      b = (double)(n_blocks - 1);
    p[i].v = values[i];
    p[i].i = (size_t)b;
  }
  qsort(p, n, sizeof *p, cmp_value_index);
  s->n = n;
  s->n_blocks = n_blocks;
  s->v = xmalloc((n ? n : 1) * sizeof *s->v);
  s->blk = xmalloc((n ? n : 1) * sizeof *s->blk);
  for (size_t i = 0; i < n; i++) {
    s->v[i] = p[i].v;
    s->blk[i] = (uint32_t)p[i].i;
  }
  free(p);
  if (n >= 8 * BOOT_STRIDE)
    build_index(s);
}

void boot_set_release(struct boot_set *s) {
  void *owned[] = {s->v, s->blk, s->cum, s->bsum, s->bcnt};
  for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
    free(owned[i]);
  memset(s, 0, sizeof *s);
}

/* Weight of the first c * BOOT_STRIDE values of the sorted set. */
static double weight_before(const struct boot_set *s, const unsigned *w, size_t c) {
  const uint32_t *row = s->cum + c * s->n_blocks;
  double t = 0;
  for (size_t b = 0; b < s->n_blocks; b++)
    t += (double)w[b] * row[b];
  return t;
}

/* The value at multiset rank `rank` (0-based): binary search over the
 * checkpoints, then a scan of at most BOOT_STRIDE values. Exact: the same
 * value the full scan of boot_weighted_stats finds. */
static double value_at_rank(const struct boot_set *s, const unsigned *w, double rank) {
  size_t lo = 0, hi = s->n / BOOT_STRIDE; /* weight_before(lo) <= rank */
  while (lo < hi) {
    size_t mid = (lo + hi + 1) / 2;
    if (weight_before(s, w, mid) <= rank)
      lo = mid;
    else
      hi = mid - 1;
  }
  double cum = weight_before(s, w, lo);
  for (size_t i = lo * BOOT_STRIDE; i < s->n; i++) {
    double wi = (double)w[s->blk[i]];
    if (wi == 0)
      continue;
    if (rank < cum + wi)
      return s->v[i];
    cum += wi;
  }
  return s->v[s->n - 1];
}

static double indexed_stats(const struct boot_set *s, const unsigned *w, const double *probs, size_t np,
                            double *out_q, double *out_mean) {
  double total = 0, sum = 0;
  for (size_t b = 0; b < s->n_blocks; b++) {
    total += (double)w[b] * s->bcnt[b];
    sum += (double)w[b] * s->bsum[b];
  }
  if (total <= 0)
    return 0;
  if (out_mean)
    *out_mean = sum / total;
  for (size_t k = 0; k < np; k++) {
    double r = probs[k] * (total - 1);
    double a = value_at_rank(s, w, floor(r)), c = value_at_rank(s, w, ceil(r));
    out_q[k] = a + (c - a) * (r - floor(r));
  }
  return total;
}

double boot_weighted_stats(const struct boot_set *s, const unsigned *w, const double *probs, size_t np,
                           double *out_q, double *out_mean) {
  double total = 0, sum = 0;
  for (size_t k = 0; k < np; k++)
    out_q[k] = NAN;
  if (out_mean)
    *out_mean = NAN;
  if (w && s->cum)
    return indexed_stats(s, w, probs, np, out_q, out_mean);
  for (size_t i = 0; i < s->n; i++) {
    double wi = w ? (double)w[s->blk[i]] : 1.0;
    total += wi;
    sum += wi * s->v[i];
  }
  if (total <= 0)
    return 0;
  if (out_mean)
    *out_mean = sum / total;
  if (total == 1) {
    for (size_t i = 0; i < s->n; i++)
      if (!w || w[s->blk[i]])
        for (size_t k = 0; k < np; k++)
          out_q[k] = s->v[i];
    return total;
  }
  /* Ranks wanted: floor and ceil of p*(N-1) for each p (probs ascending). */
  double lo_rank[BOOT_MAX_STATS], hi_rank[BOOT_MAX_STATS], frac[BOOT_MAX_STATS];
  double lo_val[BOOT_MAX_STATS], hi_val[BOOT_MAX_STATS];
  if (np > BOOT_MAX_STATS)
    np = BOOT_MAX_STATS;
  for (size_t k = 0; k < np; k++) {
    double r = probs[k] * (total - 1);
    lo_rank[k] = floor(r);
    hi_rank[k] = ceil(r);
    frac[k] = r - floor(r);
    lo_val[k] = hi_val[k] = NAN;
  }
  double cum = 0; /* multiset ranks [cum, cum + wi) hold v[i] */
  size_t next_lo = 0, next_hi = 0;
  for (size_t i = 0; i < s->n && (next_lo < np || next_hi < np); i++) {
    double wi = w ? (double)w[s->blk[i]] : 1.0;
    if (wi == 0)
      continue;
    double end = cum + wi;
    while (next_lo < np && lo_rank[next_lo] < end)
      lo_val[next_lo++] = s->v[i];
    while (next_hi < np && hi_rank[next_hi] < end)
      hi_val[next_hi++] = s->v[i];
    cum = end;
  }
  for (size_t k = 0; k < np; k++)
    out_q[k] = lo_val[k] + (hi_val[k] - lo_val[k]) * frac[k];
  return total;
}

/* Percentile interval of n replicate values (sorted here). */
static void interval(double *r, size_t n, double level, struct boot_ci *ci) {
  ci->lo = ci->hi = NAN;
  if (n < 20)
    return;
  qsort(r, n, sizeof *r, cmp_double);
  double a = (1 - level) / 2;
  double pl = a * (double)(n - 1), ph = (1 - a) * (double)(n - 1);
  ci->lo = r[(size_t)floor(pl)] + (r[(size_t)ceil(pl)] - r[(size_t)floor(pl)]) * (pl - floor(pl));
  ci->hi = r[(size_t)floor(ph)] + (r[(size_t)ceil(ph)] - r[(size_t)floor(ph)]) * (ph - floor(ph));
}

/* Poisson(1) weights of n blocks into the buffer w (grown as needed). */
struct weights {
  unsigned *w;
  size_t cap;
};

static unsigned *draw_weights(struct fit_rng *g, struct weights *ws, size_t n) {
  XGROW(ws->w, ws->cap, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    ws->w[i] = boot_poisson1(g);
  return ws->w;
}

void boot_ratio_ci(const struct boot_set *base, size_t n_base, const struct boot_set *cand,
                   const double *probs, size_t np, int replicates, double level, uint64_t seed,
                   struct boot_ci *ci) {
  if (np > BOOT_MAX_STATS - 1)
    np = BOOT_MAX_STATS - 1;
  size_t ns = np + 1;
  for (size_t k = 0; k < ns; k++)
    ci[k].lo = ci[k].hi = NAN;
  if (replicates <= 0 || n_base == 0)
    return;
  struct weights ws = {NULL, 0};
  double *rep[BOOT_MAX_STATS];
  size_t used[BOOT_MAX_STATS] = {0};
  for (size_t k = 0; k < ns; k++)
    rep[k] = xmalloc((size_t)replicates * sizeof(double));
  struct fit_rng g;
  fit_rng_seed(&g, seed);
  double q[BOOT_MAX_STATS], mean, logb[BOOT_MAX_STATS];
  for (int b = 0; b < replicates; b++) {
    int ok[BOOT_MAX_STATS];
    for (size_t k = 0; k < ns; k++) {
      logb[k] = 0;
      ok[k] = 1;
    }
    for (size_t j = 0; j < n_base; j++) {
      if (boot_weighted_stats(&base[j], draw_weights(&g, &ws, base[j].n_blocks), probs, np, q, &mean) <= 0) {
        for (size_t k = 0; k < ns; k++)
          ok[k] = 0;
        continue;
      }
      q[np] = mean;
      for (size_t k = 0; k < ns; k++) {
        if (!(q[k] > 0))
          ok[k] = 0;
        else
          logb[k] += log(q[k]);
      }
    }
    if (boot_weighted_stats(cand, draw_weights(&g, &ws, cand->n_blocks), probs, np, q, &mean) <= 0)
      continue;
    q[np] = mean;
    for (size_t k = 0; k < ns; k++) {
      if (!ok[k] || !(q[k] >= 0))
        continue;
      double bv = exp(logb[k] / (double)n_base);
      rep[k][used[k]++] = q[k] / bv;
    }
  }
  for (size_t k = 0; k < ns; k++) {
    interval(rep[k], used[k], level, &ci[k]);
    free(rep[k]);
  }
  free(ws.w);
}

static double weighted_rate(const struct boot_counts *c, const unsigned *w) {
  double n = 0, t = 0;
  for (size_t i = 0; i < c->n_blocks; i++) {
    double m = w ? (double)w[i] : 1.0;
    n += m * c->count[i];
    t += m * c->len[i];
  }
  return t > 0 ? n / t : NAN;
}

void boot_rate_ratio_ci(const struct boot_counts *base, size_t n_base, const struct boot_counts *cand,
                        int replicates, double level, uint64_t seed, struct boot_ci *ci) {
  ci->lo = ci->hi = NAN;
  if (replicates <= 0 || n_base == 0)
    return;
  struct weights ws = {NULL, 0};
  double *rep = xmalloc((size_t)replicates * sizeof *rep);
  size_t used = 0;
  struct fit_rng g;
  fit_rng_seed(&g, seed);
  for (int b = 0; b < replicates; b++) {
    double logb = 0;
    int ok = 1;
    for (size_t j = 0; j < n_base; j++) {
      double r = weighted_rate(&base[j], draw_weights(&g, &ws, base[j].n_blocks));
      if (!(r > 0))
        ok = 0;
      else
        logb += log(r);
    }
    double rc = weighted_rate(cand, draw_weights(&g, &ws, cand->n_blocks));
    if (ok && rc >= 0)
      rep[used++] = rc / exp(logb / (double)n_base);
  }
  interval(rep, used, level, ci);
  free(rep);
  free(ws.w);
}

double boot_block_seconds(double duration_s) {
  if (!(duration_s > 0))
    return 1;
  double b = floor(duration_s / 20);
  if (b < 1)
    b = 1;
  if (b > 30)
    b = 30;
  return b;
}
