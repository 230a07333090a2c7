#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/percentile.h"
#include "util/cmp.h"
#include "util/xalloc.h"

/* Maps a double to an unsigned key with the same order (negatives included). */
static uint64_t key_of(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return (u >> 63) ? ~u : (u | UINT64_C(0x8000000000000000));
}

void stats_sort(double *v, size_t n) {
  if (n < 2) /* nothing to sort (v may be NULL) */
    return;
  if (n < 256) {
    qsort(v, n, sizeof *v, cmp_double);
    return;
  }
  uint64_t *a = xmalloc(n * sizeof *a), *b = xmalloc(n * sizeof *b);
  for (size_t i = 0; i < n; i++)
    a[i] = key_of(v[i]);
  size_t count[256];
  for (int pass = 0; pass < 8; pass++) {
    int shift = pass * 8;
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
      count[(a[i] >> shift) & 0xff]++;
    if (count[(a[0] >> shift) & 0xff] == n)
      continue; /* every key has this byte: the pass would change nothing */
    size_t pos = 0;
    for (int k = 0; k < 256; k++) {
      size_t c = count[k];
      count[k] = pos;
      pos += c;
    }
    for (size_t i = 0; i < n; i++)
      b[count[(a[i] >> shift) & 0xff]++] = a[i];
    uint64_t *t = a;
    a = b;
    b = t;
  }
  for (size_t i = 0; i < n; i++) {
    uint64_t u = a[i];
    u = (u >> 63) ? (u & ~UINT64_C(0x8000000000000000)) : ~u;
    memcpy(&v[i], &u, 8);
  }
  free(a);
  free(b);
}

double stats_pct_sorted(const double *v, size_t n, double p) {
  if (n == 0)
    return 0.0;
  if (n == 1)
    return v[0];
  double i = p * (double)(n - 1);
  double fl = floor(i), ce = ceil(i);
  if (fl < 0)
    fl = 0;
  if (ce > (double)(n - 1))
    ce = (double)(n - 1);
  double lo = v[(size_t)fl], hi = v[(size_t)ce];
  return lo + (hi - lo) * (i - floor(i));
}

double stats_pct_text(const double *sorted, size_t n, const char *text) {
  return stats_pct_sorted(sorted, n, strtod(text, NULL) / 100.0);
}

void trend_compute(double *v, size_t n, double sum, struct trend_stats *st) {
  memset(st, 0, sizeof *st);
  st->count = n;
  if (isnan(sum)) {
    sum = 0;
    for (size_t i = 0; i < n; i++)
      sum += v[i];
  }
  st->sum = sum;
  if (n == 0)
    return;
  stats_sort(v, n);
  st->avg = sum / (double)n;
  st->min = v[0];
  st->max = v[n - 1];
  st->med = stats_pct_text(v, n, "50");
  st->p90 = stats_pct_text(v, n, "90");
  st->p95 = stats_pct_text(v, n, "95");
  st->p99 = stats_pct_text(v, n, "99");
}
