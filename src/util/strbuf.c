#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb, size_t hint) {
  sb->len = sb->alloc = 0;
  sb->buf = strbuf_empty;
  if (hint)
    strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb) {
  if (sb->alloc)
    free(sb->buf);
  strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len) {
  char *r = sb->alloc ? sb->buf : xcalloc(1, 1);
  if (len)
    *len = sb->len;
  strbuf_init(sb, 0);
  return r;
}

void strbuf_grow(struct strbuf *sb, size_t extra) {
  size_t need = sb->len + extra + 1;
  if (need <= sb->alloc)
    return;
  size_t a = sb->alloc ? sb->alloc : 64;
  while (a < need)
    a *= 2;
  if (sb->alloc) {
    sb->buf = xrealloc(sb->buf, a);
  } else {
    sb->buf = xmalloc(a);
    sb->buf[0] = 0;
  }
  sb->alloc = a;
}

void strbuf_reset(struct strbuf *sb) {
  sb->len = 0;
  if (sb->alloc)
    sb->buf[0] = 0;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len) {
  strbuf_grow(sb, len);
  memcpy(sb->buf + sb->len, data, len);
  sb->len += len;
  sb->buf[sb->len] = 0;
}

void strbuf_addstr(struct strbuf *sb, const char *s) { strbuf_add(sb, s, strlen(s)); }

void strbuf_addch(struct strbuf *sb, int c) {
  strbuf_grow(sb, 1);
  sb->buf[sb->len++] = (char)c;
  sb->buf[sb->len] = 0;
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) {
  va_list cp;
  va_copy(cp, ap);
  int n = vsnprintf(NULL, 0, fmt, cp);
  va_end(cp);
  if (n < 0)
    return;
  strbuf_grow(sb, (size_t)n);
  vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
  sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  strbuf_vaddf(sb, fmt, ap);
  va_end(ap);
}
