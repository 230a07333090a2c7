/* utf8.h - strict UTF-8 validation (no overlong forms, surrogates or code
 * points past U+10FFFF), for names that reach JSON, SQL and reports. It
 * accepts exactly what jansson accepts in a JSON string. */
#ifndef LOADREP_UTF8_H
#define LOADREP_UTF8_H
#include <stddef.h>

/** Length (1 to 4) of the valid UTF-8 sequence that starts s[0..n), or 0
 *  when it is not valid (or n is 0). */
size_t utf8_seq_len(const char *s, size_t n);

/** Offset of the first byte of s[0..n) that is not valid UTF-8, or n. */
size_t utf8_invalid_at(const char *s, size_t n);

/** The start of the UTF-8 character that byte i of s is part of (i itself,
 *  or before it past continuation bytes; 0 at the most). */
size_t utf8_char_start(const char *s, size_t i);

/** 3 when s[0..n) starts with the UTF-8 byte order mark, else 0. */
size_t utf8_bom_len(const unsigned char *s, size_t n);
/** Where the text of s[0..n) starts: past a byte order mark and white space
 *  (space, tab, CR, LF); n when there is none. */
size_t utf8_text_start(const unsigned char *s, size_t n);

#endif
