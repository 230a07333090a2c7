/* csv.h - one splitter for every delimited text input (k6 CSV, system
 * metrics CSV, sar's semicolon output).
 *
 * Fields may be double-quoted (RFC 4180: "" stands for a quote); a quoted
 * field must be followed by the separator or the end of the line. With
 * CSV_TRIM, spaces and tabs around fields (and around the quotes) are
 * dropped. The unquoted fields are copied, NUL-terminated, into f->buf.
 *
 * Usage:
 *   struct csv_fields f = CSV_FIELDS_INIT;
 *   size_t at;
 *   if (csv_split(line, len, ',', CSV_TRIM, &f, &at) < 0) ... error at column `at` ...
 *   for (size_t i = 0; i < f.n; i++) use(csv_field(&f, i), f.col[i]);
 *   csv_fields_release(&f);
 */
#ifndef LOADREP_CSV_H
#define LOADREP_CSV_H
#include <stddef.h>

#include "util/strbuf.h"

struct csv_fields {
  struct strbuf buf;
  size_t *off;  /* field i starts at buf.buf + off[i] */
  size_t *col;  /* field i's 1-based column (byte) in the line */
  size_t n, cap_off, cap_col;
};
#define CSV_FIELDS_INIT {STRBUF_INIT, NULL, NULL, 0, 0, 0}

enum { CSV_TRIM = 1 };
enum { CSV_UNTERMINATED = -1, CSV_AFTER_QUOTE = -2 };

/** Splits line[0..len) on sep into f (reused from call to call). Returns 0,
 *  or CSV_UNTERMINATED (a quote never closed; *at is the column of the
 *  opening quote) or CSV_AFTER_QUOTE (a character other than sep after a
 *  closing quote; *at is its column). */
int csv_split(const char *line, size_t len, char sep, int flags, struct csv_fields *f, size_t *at);
/** The content of the quoted field whose opening quote is s[i - 1], up to
 *  its closing quote ("" stands for a quote), appended to out. Returns the
 *  index past the closing quote; *closed is 0 (and the index len) when s
 *  ends first. */
size_t csv_unquote(const char *s, size_t len, size_t i, struct strbuf *out, int *closed);
/** Field i (i < f->n), writable until the next csv_split(). */
char *csv_field(const struct csv_fields *f, size_t i);
void csv_fields_release(struct csv_fields *f);

#endif
