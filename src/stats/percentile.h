/* percentile.h - k6's exact trend statistics.
 *
 * k6 (metrics/sink.go) keeps every value, sorts, and reads percentile p as
 * i = p*(n-1), lo = v[floor(i)], hi = v[ceil(i)], lo + (hi-lo)*(i-floor(i))
 * (Hyndman-Fan R-7), with p = strtod(text)/100 and med = p(50). This module
 * reproduces that bit for bit.
 */
#ifndef LOADREP_PERCENTILE_H
#define LOADREP_PERCENTILE_H
#include <stddef.h>

struct trend_stats {
  size_t count;
  double sum, avg, min, med, max, p90, p95, p99;
};

/** Sorts v ascending (radix sort on the bit pattern; NaN-free input). */
void stats_sort(double *v, size_t n);
/** R-7 percentile of sorted v; p in [0,1]. 0 for n == 0. */
double stats_pct_sorted(const double *sorted, size_t n, double p);
/** The percentile k6 means by "p(TEXT)", e.g. TEXT "99.9": p = strtod/100. */
double stats_pct_text(const double *sorted, size_t n, const char *text);
/** Sorts v in place and fills st. `sum` is taken as given (k6 sums in
 *  arrival order; the caller passes that sum), or computed when NaN. */
void trend_compute(double *v, size_t n, double sum, struct trend_stats *st);

#endif
