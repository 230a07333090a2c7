/* capacity.c - `loadrep capacity RUN`: how many users and requests/s within
 * the SLO, where it breaks, what saturates first (analysis/capacity.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/capacity.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "cmd/cap_print.h"
#include "store/store.h"
#include "util/err.h"

static const char usage[] =
    "usage: loadrep capacity RUN [options]\n"
    "\n"
    "Reads a ramp (stress) run and answers: how many concurrent VUs and requests/s\n"
    "the system carries within the SLO, where it breaks and why, the Universal\n"
    "Scalability Law fit, whether it has zero errors at 80% of capacity, and what\n"
    "saturates first (see 'loadrep bottleneck').\n"
    "\n"
    "Load levels are windows of --window (merged until each holds 200 requests),\n"
    "with mean VUs, throughput, p95 of successful requests and error rate. A level\n"
    "fails when p95 >= the SLO or errors >= the SLO; the SLO is breached where a\n"
    "failing level is followed by another (or pooled with the next one still\n"
    "fails). Max VUs within SLO is the bracket [last passing level, first failing\n"
    "level]; max requests/s is the best 60-s rolling mean before the breach.\n"
    "\n"
    "options:\n"
    "  --slo SPEC         default 'p95<2000ms,errors<1%'\n"
    "  --target-users N   the load the system must carry (default 1000)\n"
    "  --window D         load-level window (default 10s)\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 the target is met (the SLO held at a level >= --target-users);\n"
    "1 it is not, or the run cannot show it (the SLO broke below the target, the\n"
    "target lies inside the bracket, or the run never reached it); 64 usage;\n"
    "65 the run has no per-request samples (summary-only ingest); 66 no such run.\n";

int cmd_capacity(int argc, char **argv, const struct global_opts *g) {
  static const struct option opts[] = {{"slo", required_argument, NULL, 's'},
                                       {"target-users", required_argument, NULL, 't'},
                                       {"window", required_argument, NULL, 'w'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  enum out_format fmt = FMT_TEXT;
  struct capacity_opts o;
  capacity_opts_init(&o);
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
        return usage_error("capacity", "%s", err.msg);
    } else if (c == 's') {
      if (capacity_parse_slo(optarg, &o, &err) < 0)
        return usage_error("capacity", "%s", err.msg);
    } else if (c == 't') {
      if (parse_long("--target-users", optarg, 1, 100000000, &o.target_users, &err) < 0)
        return usage_error("capacity", "%s", err.msg);
    } else if (c == 'w') {
      if (parse_duration("--window", optarg, &o.window_s, &err) < 0)
        return usage_error("capacity", "%s", err.msg);
      if (o.window_s < 1 || o.window_s > 3600)
        return usage_error("capacity", "option '--window': expected 1s to 1h, got '%s'", optarg);
    } else {
      return usage_error("capacity", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return usage_error("capacity", "missing RUN");
  if (optind + 1 < argc)
    return usage_error("capacity", "unexpected argument '%s'", argv[optind + 1]);
  struct store *st;
  if (cli_open_store(g, &st, &err) < 0)
    return fail(&err);
  struct run_info run;
  if (store_find_run(st, argv[optind], &run, &err) < 0) {
    store_close(st);
    return fail(&err);
  }
  json_t *doc = NULL;
  int rc = capacity_build(st, &run, &o, &doc, &err);
  run_info_release(&run);
  store_close(st);
  if (rc < 0)
    return fail(&err);
  if (fmt == FMT_JSON)
    print_json(doc);
  else
    cap_print_capacity(doc, fmt == FMT_MD, stdout);
  int code = json_is_true(json_object_get(doc, "target_met")) ? LR_OK : LR_NO;
  json_decref(doc);
  return code;
}
