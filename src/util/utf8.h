/* utf8.h - strict UTF-8 validation (no overlong forms, surrogates or code
 * points past U+10FFFF), for names that reach JSON, SQL and reports. */
#ifndef LOADREP_UTF8_H
#define LOADREP_UTF8_H
#include <stddef.h>

/** Offset of the first byte of s[0..n) that is not valid UTF-8, or n. */
size_t utf8_invalid_at(const char *s, size_t n);

#endif
