/* cli.h - what every command shares: global options, value parsers, output.
 *
 * Parsers return 0 on success or -1 with err filled (LR_USAGE) naming the
 * option, e.g. "option '--threshold': expected a percentage like 20%, got 'x'".
 */
#ifndef LOADREP_CLI_H
#define LOADREP_CLI_H
#include <jansson.h>
#include <stdio.h>

#include "util/jsonx.h"

struct err;
struct store;

enum out_format { FMT_TEXT, FMT_JSON, FMT_MD };

struct global_opts {
  const char *db; /* --db, $LOADREP_DB, or "loadrep.db" */
  int color;      /* stdout is a TTY and NO_COLOR is unset */
  int quiet;
};

/* Parsers. */
int parse_format(const char *opt, const char *s, enum out_format *out, struct err *err);
/** "20%", "20", "0.2" is NOT accepted as 0.2%: a bare number is percent. */
int parse_percent(const char *opt, const char *s, double *out, struct err *err);
/** "1s", "200ms", "5m", "1h", "1.5s", bare number = seconds. Result in seconds. */
int parse_duration(const char *opt, const char *s, double *out, struct err *err);
int parse_double(const char *opt, const char *s, double *out, struct err *err);
int parse_long(const char *opt, const char *s, long min, long max, long *out, struct err *err);

/** Usage error for a command: prints msg and "try 'loadrep CMD --help'", returns 64. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Prints err and returns its code (LR_SOFTWARE when unset). */
int fail(const struct err *err);

/** Opens the database of g for reading (must exist). */
int cli_open_store(const struct global_opts *g, struct store **st, struct err *err);

struct run_info;
/** After option parsing, for commands that take one RUN: checks that exactly
 *  one operand is left at argv[optind], opens the database and resolves the
 *  run. Returns 0, or an exit code after printing the error (the store is
 *  then closed). On 0 the caller releases *run and closes *st. */
int cli_one_run(const char *cmd, int argc, char **argv, const struct global_opts *g, struct store **st,
                struct run_info *run);

/** Writes a JSON document to stdout (indented, keys in insertion order, newline). */
int print_json(json_t *doc);

/** Writes doc to stdout as fmt asks: JSON, or what md() or text() make of it. */
void print_doc(json_t *doc, enum out_format fmt, jx_render_fn *md, jx_render_fn *text);

/** A cli_parse_opts() callback (cli_opts.h) for a command whose one option
 *  is --format: ctx is its enum out_format. */
int cli_format_opt(void *ctx, int id, const char *arg, struct err *err);

/** Writes s to f with control characters (and ESC) replaced, for terminals. */
void fputs_term(const char *s, FILE *f);

#endif
