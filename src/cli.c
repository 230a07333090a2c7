#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

int parse_format(const char *opt, const char *s, enum out_format *out, struct err *err) {
  if (!strcmp(s, "text"))
    *out = FMT_TEXT;
  else if (!strcmp(s, "json"))
    *out = FMT_JSON;
  else if (!strcmp(s, "md") || !strcmp(s, "markdown"))
    *out = FMT_MD;
  else
    return err_set(err, LR_USAGE, "option '%s': expected text, json or md, got '%s'", opt, s);
  return 0;
}

static int parse_number(const char *s, double *v, const char **end) {
  errno = 0;
  char *e;
  *v = strtod(s, &e);
  if (e == s || errno == ERANGE || !isfinite(*v))
    return -1;
  *end = e;
  return 0;
}

int parse_double(const char *opt, const char *s, double *out, struct err *err) {
  const char *end;
  if (parse_number(s, out, &end) < 0 || *end)
    return err_set(err, LR_USAGE, "option '%s': expected a number, got '%s'", opt, s);
  return 0;
}

int parse_long(const char *opt, const char *s, long min, long max, long *out, struct err *err) {
  errno = 0;
  char *e;
  long v = strtol(s, &e, 10);
  if (e == s || *e || errno == ERANGE || v < min || v > max)
    return err_set(err, LR_USAGE, "option '%s': expected a whole number from %ld to %ld, got '%s'",
                   opt, min, max, s);
  *out = v;
  return 0;
}

int parse_percent(const char *opt, const char *s, double *out, struct err *err) {
  const char *end;
  double v;
  if (parse_number(s, &v, &end) < 0 || (*end && strcmp(end, "%")) || v < 0 || v > 1000)
    return err_set(err, LR_USAGE, "option '%s': expected a percentage like 20%%, got '%s'", opt, s);
  *out = v;
  return 0;
}

int parse_duration(const char *opt, const char *s, double *out, struct err *err) {
  const char *end;
  double v;
  if (parse_number(s, &v, &end) < 0 || v < 0)
    goto bad;
  if (!*end || !strcmp(end, "s"))
    *out = v;
  else if (!strcmp(end, "ms"))
    *out = v / 1000.0;
  else if (!strcmp(end, "m"))
    *out = v * 60.0;
  else if (!strcmp(end, "h"))
    *out = v * 3600.0;
  else
    goto bad;
  return 0;
bad:
  return err_set(err, LR_USAGE, "option '%s': expected a duration like 500ms, 10s, 5m or 1h, got '%s'",
                 opt, s);
}

int usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fputs("loadrep: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nloadrep: try 'loadrep %s --help'\n", cmd);
  return LR_USAGE;
}

int fail(const struct err *err) {
  err_print(err);
  return err->code ? err->code : LR_SOFTWARE;
}

int cli_open_store(const struct global_opts *g, struct store **st, struct err *err) {
  return store_open_existing(st, g->db, err);
}

int print_json(json_t *doc) {
  int rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
  fputc('\n', stdout);
  return rc == 0 ? 0 : -1;
}

void print_doc(json_t *doc, enum out_format fmt, jx_render_fn *md, jx_render_fn *text) {
  if (fmt == FMT_JSON) {
    print_json(doc);
    return;
  }
  struct strbuf sb = STRBUF_INIT;
  (fmt == FMT_MD ? md : text)(doc, &sb);
  fputs(sb.buf, stdout);
  strbuf_release(&sb);
}

int cli_format_opt(void *ctx, int id, const char *arg, struct err *err) {
  (void)id;
  return parse_format("--format", arg, ctx, err);
}

void fputs_term(const char *s, FILE *f) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x20 || *p == 0x7f)
      fputc('?', f);
    else
      fputc(*p, f);
  }
}

int cli_one_run(const char *cmd, int argc, char **argv, const struct global_opts *g, struct store **st,
                struct run_info *run) {
  struct err err = ERR_INIT;
  if (optind >= argc)
    return usage_error(cmd, "missing RUN");
  if (optind + 1 < argc)
    return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
  if (cli_open_store(g, st, &err) < 0)
    return fail(&err);
  if (store_find_run(*st, argv[optind], run, &err) < 0) {
    store_close(*st);
    *st = NULL;
    return fail(&err);
  }
  return 0;
}
