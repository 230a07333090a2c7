/* loadrep show RUN: overall metrics and the per-endpoint table. */
#include <getopt.h>
#include <stdio.h>

#include "analysis/show.h"
#include "cli.h"
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

int cmd_show(int argc, char **argv, const struct global_opts *g) {
  static const struct option opts[] = {
      {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  enum out_format fmt = FMT_TEXT;
  struct err err = ERR_INIT;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage, stdout);
      return LR_OK;
    } else if (c == 'f') {
      if (parse_format("--format", optarg, &fmt, &err) < 0)
        return usage_error("show", "%s", err.msg);
    } else {
      return usage_error("show", "unknown option '%s'", argv[optind - 1]);
    }
  }
  struct store *st;
  struct run_info run;
  int rc = cli_one_run("show", argc, argv, g, &st, &run);
  if (rc)
    return rc;
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
