/* bootstrap.h - block Poisson bootstrap of percentile, mean and rate ratios.
 *
 * Requests close in time share state, so a run is cut into blocks of whole
 * time windows (METHODS.md §4.1, §4.2 item 5): each replicate gives every
 * block an independent Poisson(1) weight and recomputes the statistic on the
 * weighted multiset. Percentiles are k6's R-7 definition applied to that
 * multiset, so the replicate with all weights 1 is k6's own number.
 * A fixed seed makes every interval, and so every verdict, reproducible.
 */
#ifndef LOADREP_BOOTSTRAP_H
#define LOADREP_BOOTSTRAP_H
#include <stddef.h>
#include <stdint.h>

#include "stats/fit.h" /* struct fit_rng: xoshiro256**, the same on every platform */

/** Poisson(1) by inversion. */
unsigned boot_poisson1(struct fit_rng *r);

/** One run's values cut into time blocks: v sorted ascending, blk[i] the
 *  block of v[i]. Owned arrays; boot_set_release(). */
struct boot_set {
  size_t n;
  double *v;
  uint32_t *blk;
  size_t n_blocks;
  /* Index for large sets (NULL when small): per block, the count and sum of
   * its values, and at every BOOT_STRIDE-th position of v the count of each
   * block's values before it, so a weighted rank is found without a scan. */
  uint32_t *cum;   /* (n / BOOT_STRIDE + 1) x n_blocks */
  double *bsum;    /* n_blocks */
  uint32_t *bcnt;  /* n_blocks */
};
enum { BOOT_STRIDE = 256 };

/** Builds a set from values and their times (seconds since run start):
 *  block = floor(t / block_s), clamped to [0, n_blocks-1]. */
void boot_set_init(struct boot_set *s, const double *values, const double *times, size_t n,
                   double block_s, size_t n_blocks);
void boot_set_release(struct boot_set *s);

/** Statistics of the multiset where v[i] counts w[blk[i]] times (w NULL =
 *  every weight 1): out_q[k] = R-7 percentile probs[k] (probs ascending, in
 *  [0,1]), *out_mean = mean. Returns the total weight; 0 leaves outputs NaN. */
double boot_weighted_stats(const struct boot_set *s, const unsigned *w, const double *probs, size_t np,
                           double *out_q, double *out_mean);

/** Percentile interval [lo, hi] at `level` (e.g. 0.95); lo/hi NaN when too
 *  few replicates were usable. */
struct boot_ci {
  double lo, hi;
};

/** The statistic a bootstrap is about. */
enum { BOOT_MAX_STATS = 8 };

/** Block bootstrap of the ratios cand/base of the statistics probs[0..np-1]
 *  (percentiles) and, at index np, the mean. The baseline side may be a
 *  group of runs (n_base >= 1): its replicate value is the geometric mean of
 *  each run's replicate (the rolling baseline of METHODS.md §3). Replicates
 *  whose baseline value is 0 or whose total weight is 0 are skipped.
 *  ci has np + 1 entries. np <= BOOT_MAX_STATS - 1. */
void boot_ratio_ci(const struct boot_set *base, size_t n_base, const struct boot_set *cand,
                   const double *probs, size_t np, int replicates, double level, uint64_t seed,
                   struct boot_ci *ci);

/** Per-block request counts and block lengths (seconds) of one run. */
struct boot_counts {
  size_t n_blocks;
  const double *count;
  const double *len;
};

/** Block bootstrap of the rate ratio cand/base, where a run's rate is
 *  sum(m_w count_w) / sum(m_w len_w); geometric mean over a baseline group. */
void boot_rate_ratio_ci(const struct boot_counts *base, size_t n_base, const struct boot_counts *cand,
                        int replicates, double level, uint64_t seed, struct boot_ci *ci);

/** The block length (whole seconds) for runs of `duration_s`: at least 1 s,
 *  about 20 blocks per run, at most 30 s (METHODS.md §4.1: >= ~20 blocks,
 *  blocks several correlation times long). */
double boot_block_seconds(double duration_s);

#endif
