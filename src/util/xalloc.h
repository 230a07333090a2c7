/* xalloc.h - allocation that never returns NULL: out of memory is fatal
 * ("loadrep: out of memory", exit 71), as in git, cmark and goaccess. */
#ifndef LOADREP_XALLOC_H
#define LOADREP_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/** Grows *p (of *cap elements of `size` bytes) to hold at least `need`. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);
#define XGROW(ptr, cap, need) xgrow((void **)&(ptr), &(cap), (need), sizeof *(ptr))

#endif
