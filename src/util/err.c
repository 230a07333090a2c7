#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/err.h"

int err_set(struct err *e, int code, const char *fmt, ...) {
  if (!e)
    return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  e->code = code;
  return -1;
}

void err_print(const struct err *e) {
  fprintf(stderr, "loadrep: %s\n", e->msg[0] ? e->msg : "unknown error");
}

/* prefix, the message and a new line, on stderr. */
static void say(const char *prefix, const char *fmt, va_list ap) {
  fputs(prefix, stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

void warnf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say("loadrep: warning: ", fmt, ap);
  va_end(ap);
}

void errorf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say("loadrep: ", fmt, ap);
  va_end(ap);
}

void bug_at(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "loadrep: BUG: %s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  abort();
}
