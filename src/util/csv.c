#include <stdlib.h>

#include "util/csv.h"
#include "util/xalloc.h"

char *csv_field(const struct csv_fields *f, size_t i) { return f->buf.buf + f->off[i]; }

void csv_fields_release(struct csv_fields *f) {
  strbuf_release(&f->buf);
  free(f->off);
  free(f->col);
}

static size_t skip_blanks(const char *line, size_t len, size_t i, int flags) {
  if (flags & CSV_TRIM)
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
      i++;
  return i;
}

size_t csv_unquote(const char *s, size_t len, size_t i, struct strbuf *out, int *closed) {
  *closed = 0;
  while (i < len) {
    if (s[i] == '"') {
      if (i + 1 < len && s[i + 1] == '"') {
        strbuf_addch(out, '"');
        i += 2;
        continue;
      }
      *closed = 1;
      return i + 1;
    }
    strbuf_addch(out, s[i++]);
  }
  return i;
}

int csv_split(const char *line, size_t len, char sep, int flags, struct csv_fields *f, size_t *at) {
  strbuf_reset(&f->buf);
  f->n = 0;
  size_t i = 0;
  for (;;) {
    i = skip_blanks(line, len, i, flags);
    XGROW(f->off, f->cap_off, f->n + 1);
    XGROW(f->col, f->cap_col, f->n + 1);
    f->off[f->n] = f->buf.len;
    f->col[f->n] = i + 1;
    f->n++;
    if (i < len && line[i] == '"') {
      size_t start = i;
      int closed;
      i = csv_unquote(line, len, i + 1, &f->buf, &closed);
      if (!closed) {
        *at = start + 1;
        return CSV_UNTERMINATED;
      }
      i = skip_blanks(line, len, i, flags);
      if (i < len && line[i] != sep) {
        *at = i + 1;
        return CSV_AFTER_QUOTE;
      }
    } else {
      size_t s = i;
      while (i < len && line[i] != sep)
        i++;
      size_t e = i;
      if (flags & CSV_TRIM)
        while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t'))
          e--;
      strbuf_add(&f->buf, line + s, e - s);
    }
    strbuf_addch(&f->buf, 0);
    if (i >= len)
      break;
    i++; /* the separator */
  }
  return 0;
}
