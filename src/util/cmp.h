/* cmp.h - qsort() comparators shared across modules. */
#ifndef LOADREP_CMP_H
#define LOADREP_CMP_H

/** Orders doubles ascending (for qsort; NaN-free input). */
int cmp_double(const void *a, const void *b);

#endif
