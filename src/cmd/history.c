/* history.c - `loadrep history`: one metric run by run, with change points. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis/history.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "render/history_text.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

static const char usage[] =
    "usage: loadrep history [--scenario S] [--env E] [--endpoint E] [--metric M] [--format F]\n"
    "\n"
    "Lists a metric run by run (oldest first) and marks the change points that\n"
    "e-divisive change-point detection finds in the series (on the log scale,\n"
    "Student t significance, p < 0.001, steps of at least 3 %), so a slow creep of\n"
    "small steps shows even when no single step crossed the regression threshold.\n"
    "\n"
    "options:\n"
    "  --scenario S     only runs of this scenario (recommended)\n"
    "  --env E          only runs of this environment\n"
    "  --endpoint E     the endpoint whose 'METHOD name' contains E (default: ALL)\n"
    "  --metric M       p50, p95 (default), p99, avg, rps or error_rate\n"
    "  --p-value P      significance of a change point (default 0.001)\n"
    "  --min-change P   smallest step reported (default 3%)\n"
    "  --format F       text (default), json or md\n"
    "  -h, --help       this help\n";

int cmd_history(int argc, char **argv, const struct global_opts *g) {
  enum { O_SCEN = 256, O_ENV, O_EP, O_METRIC, O_P, O_MIN, O_FMT };
  static const struct option longopts[] = {
      {"scenario", required_argument, NULL, O_SCEN}, {"env", required_argument, NULL, O_ENV},
      {"endpoint", required_argument, NULL, O_EP},   {"metric", required_argument, NULL, O_METRIC},
      {"p-value", required_argument, NULL, O_P},     {"min-change", required_argument, NULL, O_MIN},
      {"format", required_argument, NULL, O_FMT},    {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  struct history_opts o;
  history_opts_init(&o);
  enum out_format fmt = FMT_TEXT;
  struct err err = ERR_INIT;
  int c;
  double pct;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case O_SCEN: o.scenario = optarg; break;
    case O_ENV: o.env = optarg; break;
    case O_EP: o.endpoint = optarg; break;
    case O_METRIC: o.metric = optarg; break;
    case O_P:
      if (parse_double("--p-value", optarg, &o.p_final, &err) < 0 || !(o.p_final > 0 && o.p_final < 1))
        return usage_error("history", "option '--p-value': expected a number between 0 and 1, got '%s'", optarg);
      break;
    case O_MIN:
      if (parse_percent("--min-change", optarg, &pct, &err) < 0)
        return usage_error("history", "%s", err.msg);
      o.min_magnitude = pct / 100;
      break;
    case O_FMT:
      if (parse_format("--format", optarg, &fmt, &err) < 0)
        return usage_error("history", "%s", err.msg);
      break;
    case 'h': fputs(usage, stdout); return LR_OK;
    default: return usage_error("history", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc)
    return usage_error("history", "unexpected argument '%s'", argv[optind]);
  struct store *st;
  if (cli_open_store(g, &st, &err) < 0)
    return fail(&err);
  json_t *h;
  if (history_build(st, &o, &h, &err) < 0) {
    store_close(st);
    return err.code == LR_USAGE ? usage_error("history", "%s", err.msg) : fail(&err);
  }
  store_close(st);
  print_doc(h, fmt, history_render_md, history_render_text);
  json_decref(h);
  return LR_OK;
}
