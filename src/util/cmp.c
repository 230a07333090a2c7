#include "util/cmp.h"

int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int cmp_value_index(const void *a, const void *b) {
  const struct value_index *x = a, *y = b;
  if (x->v != y->v)
    return (x->v > y->v) - (x->v < y->v);
  return (x->i > y->i) - (x->i < y->i);
}
