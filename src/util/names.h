/* names.h - the name of an enum value, from a table indexed by the value:
 *
 *   static const char *const names[] = {[PG_CSVLOG] = "pg-csvlog", ...};
 *   return name_of(names, NAMES_COUNT(names), k, "none");
 */
#ifndef LOADREP_NAMES_H
#define LOADREP_NAMES_H
#include <stddef.h>

#define NAMES_COUNT(a) (sizeof(a) / sizeof *(a))

/** names[k], or dflt when k is outside the table or has no name there. */
const char *name_of(const char *const *names, size_t n, int k, const char *dflt);

#endif
