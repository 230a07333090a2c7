/* loadrep show RUN: overall metrics and the per-endpoint table. */
#include <stdio.h>

#include "analysis/show.h"
#include "cli.h"
#include "cli_opts.h"
#include "cmd/cmd.h"
#include "render/show_text.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

static const char usage[] =
    "usage: loadrep show [--format text|json|md] RUN\n"
    "\n"
    "Prints a run: overall numbers, the per-endpoint table (requests, rps,\n"
    "error %, avg/med/p90/p95/p99/max latency), every k6 metric and submetric\n"
    "with k6's own statistics, thresholds, checks, errors and system metrics.\n"
    "RUN is an id, a name, 'latest' or 'latest:SCENARIO'.\n"
    "\n"
    "Exit: 0; 66 no such run or database.\n";

static const struct cli_opt opts[] = {{"format", "F", 'f', NULL}, {NULL, NULL, 0, NULL}};

int cmd_show(int argc, char **argv, const struct global_opts *g) {
  enum out_format fmt = FMT_TEXT;
  struct err err = ERR_INIT;
  struct store *st;
  struct run_info run;
  int rc = cli_format_one_run("show", argc, argv, opts, usage, NULL, g, &fmt, &st, &run);
  if (rc >= 0)
    return rc;
  rc = 0;
  json_t *doc = NULL;
  if (show_build(st, &run, &doc, &err) < 0) {
    rc = fail(&err);
  } else if (fmt == FMT_JSON) {
    print_json(doc);
  } else if (fmt == FMT_MD) {
    struct strbuf sb = STRBUF_INIT;
    show_render_md(doc, &sb);
    fputs(sb.buf, stdout);
    strbuf_release(&sb);
  } else {
    show_print_text(doc, stdout, g->color);
  }
  json_decref(doc);
  run_info_release(&run);
  store_close(st);
  return rc;
}
