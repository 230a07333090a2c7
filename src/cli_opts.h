/* cli_opts.h - a command's options as one table, in the manner of git's
 * parse-options: the parser and the "options:" block of its --help both
 * come from the table, so they cannot disagree.
 *
 *   static const struct cli_opt opts[] = {
 *       {"format", "F", 'f', "text (default), json or md"},
 *       {NULL, NULL, 0, NULL}};
 *   int rc = cli_parse_opts("soak", argc, argv, opts, usage_head, usage_tail, on_opt, &ctx);
 *   if (rc >= 0)
 *     return rc;          // --help printed (0) or a usage error (64)
 *   // optind is at the first operand
 */
#ifndef LOADREP_CLI_OPTS_H
#define LOADREP_CLI_OPTS_H
#include <stdio.h>

#include "cli.h"

struct err;

struct cli_opt {
  const char *name; /* the long name, without "--"; NULL ends the table */
  const char *arg;  /* the value's placeholder ("F", "SPEC"); NULL: takes no value */
  int id;           /* what the handler is called with */
  const char *help; /* its line(s) in --help, '\n' between lines; NULL: not listed */
};

/** Called for each option given, with its value (NULL when it takes none);
 *  0, or -1 with err filled for a usage error. */
typedef int (*cli_opt_fn)(void *ctx, int id, const char *arg, struct err *err);

/** Parses the options of cmd's argv (-h and --help are built in). --help
 *  prints head, the options block when any entry has help, then tail (NULL:
 *  nothing) to stdout and returns 0; an unknown option or a handler's error
 *  is a usage error (64). Otherwise -1, with optind at the first operand. */
int cli_parse_opts(const char *cmd, int argc, char **argv, const struct cli_opt *opts, const char *head,
                   const char *tail, cli_opt_fn fn, void *ctx);

/** A command whose only option is --format (a cli_format_opt() entry in
 *  opts) and that reads one RUN: parses argv as cli_parse_opts(), then opens
 *  the store and resolves RUN as cli_one_run(). -1 with *fmt, *st and *run
 *  set; otherwise the exit status to return (0 after --help). */
int cli_format_one_run(const char *cmd, int argc, char **argv, const struct cli_opt *opts, const char *head,
                       const char *tail, const struct global_opts *g, enum out_format *fmt, struct store **st,
                       struct run_info *run);

/** The "options:" block: a line per entry with help, then -h, --help. */
void cli_print_opts(const struct cli_opt *opts, FILE *f);

#endif
