/* cli_opts.c - option tables (cli_opts.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "util/err.h"
#include "util/xalloc.h"

/* The help column: "  --slo-file FILE    objectives ..." */
#define HELP_COL 19

static void print_opt(const char *name, const char *help, FILE *f) {
  fprintf(f, "  %-*s", HELP_COL, name);
  for (const char *p = help; *p; p++) {
    fputc(*p, f);
    if (*p == '\n')
      fprintf(f, "  %-*s", HELP_COL, "");
  }
  fputc('\n', f);
}

void cli_print_opts(const struct cli_opt *opts, FILE *f) {
  fputs("options:\n", f);
  for (const struct cli_opt *o = opts; o->name; o++) {
    if (!o->help)
      continue;
    char name[64];
    snprintf(name, sizeof name, o->arg ? "--%s %s" : "--%s", o->name, o->arg);
    print_opt(name, o->help, f);
  }
  print_opt("-h, --help", "this help", f);
}

static void print_help(const struct cli_opt *opts, const char *head, const char *tail) {
  fputs(head, stdout);
  int listed = 0;
  for (const struct cli_opt *o = opts; o->name; o++)
    listed |= o->help != NULL;
  if (listed)
    cli_print_opts(opts, stdout);
  if (tail)
    fputs(tail, stdout);
}

int cli_parse_opts(const char *cmd, int argc, char **argv, const struct cli_opt *opts, const char *head,
                   const char *tail, cli_opt_fn fn, void *ctx) {
  size_t n = 0;
  while (opts[n].name)
    n++;
  /* getopt_long's table: the entries by index (val = 256 + i), then --help. */
  struct option *lo = xcalloc(n + 2, sizeof *lo);
  for (size_t i = 0; i < n; i++)
    lo[i] = (struct option){opts[i].name, opts[i].arg ? required_argument : no_argument, NULL, 256 + (int)i};
  lo[n] = (struct option){"help", no_argument, NULL, 'h'};
  struct err err = ERR_INIT;
  int c, rc = -1;
  optind = 1;
  opterr = 0;
  while (rc < 0 && (c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
    if (c == 'h') {
      print_help(opts, head, tail);
      rc = LR_OK;
    } else if (c >= 256 && c < 256 + (int)n) {
      if (fn(ctx, opts[c - 256].id, opts[c - 256].arg ? optarg : NULL, &err) < 0)
        rc = usage_error(cmd, "%s", err.msg);
    } else {
      rc = usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  free(lo);
  return rc;
}

int cli_format_one_run(const char *cmd, int argc, char **argv, const struct cli_opt *opts, const char *head,
                       const char *tail, const struct global_opts *g, enum out_format *fmt, struct store **st,
                       struct run_info *run) {
  int orc = cli_parse_opts(cmd, argc, argv, opts, head, tail, cli_format_opt, fmt);
  if (orc >= 0)
    return orc;
  int rc = cli_one_run(cmd, argc, argv, g, st, run);
  return rc ? rc : -1;
}
