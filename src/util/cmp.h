/* cmp.h - qsort() comparators shared across modules. */
#ifndef LOADREP_CMP_H
#define LOADREP_CMP_H
#include <stddef.h>

/** Orders doubles ascending (for qsort; NaN-free input). */
int cmp_double(const void *a, const void *b);

/** A value and where it came from (an index, a block). */
struct value_index {
  double v;
  size_t i;
};
/** Orders struct value_index by value, then by index (for qsort; NaN-free). */
int cmp_value_index(const void *a, const void *b);

#endif
