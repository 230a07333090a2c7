/* strbuf.h - growable NUL-terminated byte buffer (after git's strbuf).
 *
 * struct strbuf sb = STRBUF_INIT; strbuf_addf(&sb, ...); use sb.buf;
 * strbuf_release(&sb). sb.buf is never NULL after STRBUF_INIT.
 */
#ifndef LOADREP_STRBUF_H
#define LOADREP_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

struct strbuf {
  size_t len;
  size_t alloc;
  char *buf;
};
extern char strbuf_empty[];
#define STRBUF_INIT {0, 0, strbuf_empty}

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/** Takes the buffer out (caller frees) and re-inits sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
