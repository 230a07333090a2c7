/* binomial.h - exact tests and intervals for error rates (METHODS.md §4.7).
 *
 * Error rates are compared in percentage points, with the exact conditional
 * binomial test: given x = x1 + x2 errors in n1 + n2 requests, under "same
 * rate" x2 ~ Bin(x, n2 / (n1 + n2)). Computed in log space with lgamma, so
 * counts in the millions neither overflow nor underflow.
 */
#ifndef LOADREP_BINOMIAL_H
#define LOADREP_BINOMIAL_H
#include <stdint.h>

/** P(X >= k) for X ~ Bin(n, p); 1 when k == 0, 0 when k > n. */
double binom_upper_tail(uint64_t k, uint64_t n, double p);

/** One-sided p-value that run 2's error rate (x2 of n2) is higher than run
 *  1's (x1 of n1): P(X >= x2), X ~ Bin(x1 + x2, n2 / (n1 + n2)). 1 when
 *  there are no errors or no requests. */
double binom_cond_test(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2);

/** Wilson score interval of x/n at normal quantile z (1.96 for 95 %). */
void binom_wilson(uint64_t x, uint64_t n, double z, double *lo, double *hi);

/** Newcombe's hybrid score interval of p2 - p1 (Wilson limits), z as above. */
void binom_newcombe_diff(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double z, double *lo,
                         double *hi);

#endif
