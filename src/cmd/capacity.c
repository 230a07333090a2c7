/* capacity.c - `loadrep capacity RUN`: how many users and requests/s within
 * the SLO, where it breaks, what saturates first (analysis/capacity.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "analysis/slo.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "render/capacity_text.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"

static const char usage[] =
    "usage: loadrep capacity RUN [options]\n"
    "\n"
    "Reads a ramp (stress) run and answers: how many concurrent VUs and requests/s\n"
    "the system carries within the SLO, where it breaks and why, the Universal\n"
    "Scalability Law fit, whether it has zero errors at 80% of capacity, and what\n"
    "saturates first (see 'loadrep bottleneck').\n"
    "\n"
    "Load levels are windows of --window (merged until each holds 200 requests),\n"
    "with mean VUs, successful req/s (ok/s), total and failed req/s, p95 of\n"
    "successful requests and error rate. A level FAILs when its p95 >= the p95\n"
    "objective or its judged error rate (functional errors left out) is over the\n"
    "error objective. The breaking point is the first failing level; the last\n"
    "passing level is the one before it; max successful req/s within the SLO is\n"
    "the ok/s of the best passing level before it. Signals (p95 over SLO, errors\n"
    "over SLO, knee, retrograde) each name the first level where they hold.\n"
    "\n"
    "options:\n"
    "  --slo SPEC         e.g. 'p95<2000ms,errors<1%' (overrides the SLO file)\n"
    "  --slo-file FILE    objectives by scenario and endpoint (JSON; docs/methods.md);\n"
    "                     without either: the run's k6 thresholds, else p95<2000ms,errors<1%\n"
    "  --target-users N   the load the system must carry (default 1000)\n"
    "  --window D         load-level window (default 10s)\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 the target is met (the SLO held at a level >= --target-users);\n"
    "1 it is not, or the run cannot show it (the SLO broke below the target, the\n"
    "target lies inside the bracket, or the run never reached it); 64 usage;\n"
    "65 the run has no per-request samples (summary-only ingest); 66 no such run.\n";

/* `capacity` and `bottleneck` take the same options (bottleneck has no
 * --target-users) and differ only in what they build and print. */
int capacity_command(int argc, char **argv, const struct global_opts *g, int bottleneck, const char *usage_text) {
  static const struct option opts[] = {{"slo", required_argument, NULL, 's'},
                                       {"window", required_argument, NULL, 'w'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {"target-users", required_argument, NULL, 't'},
                                       {"slo-file", required_argument, NULL, 'S'},
                                       {NULL, 0, NULL, 0}};
  const char *cmd = bottleneck ? "bottleneck" : "capacity";
  enum out_format fmt = FMT_TEXT;
  struct capacity_opts o;
  capacity_opts_init(&o);
  struct err err = ERR_INIT;
  struct slo_set *slos = slo_set_new();
  const char *slo_file = NULL;
  int c, rc;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    rc = -1;
    if (c == 'h') {
      fputs(usage_text, stdout);
      slo_set_free(slos);
      return LR_OK;
    } else if (c == 'f') {
      rc = parse_format("--format", optarg, &fmt, &err);
    } else if (c == 's') {
      rc = slo_set_cli(slos, optarg, &err);
    } else if (c == 'S') {
      slo_file = optarg;
      rc = 0;
    } else if (c == 't' && !bottleneck) {
      rc = parse_long("--target-users", optarg, 1, 100000000, &o.target_users, &err);
      o.target_from_cli = 1;
    } else if (c == 'w') {
      rc = parse_duration("--window", optarg, &o.window_s, &err);
      if (rc == 0 && (o.window_s < 1 || o.window_s > 3600))
        rc = err_set(&err, LR_USAGE, "option '--window': expected 1s to 1h, got '%s'", optarg);
    } else if (c == 't') {
      rc = err_set(&err, LR_USAGE, "option '--target-users' belongs to 'loadrep capacity'");
    } else {
      rc = err_set(&err, LR_USAGE, "unknown option '%s'", argv[optind - 1]);
    }
    if (rc < 0) {
      slo_set_free(slos);
      return usage_error(cmd, "%s", err.msg);
    }
  }
  if (slo_file && slo_set_file(slos, slo_file, &err) < 0) {
    slo_set_free(slos);
    return fail(&err);
  }
  o.slos = slos;
  struct store *st;
  struct run_info run;
  int orc = cli_one_run(cmd, argc, argv, g, &st, &run);
  if (orc) {
    slo_set_free(slos);
    return orc;
  }
  json_t *doc = NULL;
  rc = bottleneck ? bottleneck_build(st, &run, &o, &doc, &err) : capacity_build(st, &run, &o, &doc, &err);
  run_info_release(&run);
  store_close(st);
  slo_set_free(slos);
  if (rc < 0)
    return fail(&err);
  if (fmt == FMT_JSON)
    print_json(doc);
  else if (bottleneck)
    bottleneck_print(doc, fmt == FMT_MD, stdout);
  else
    capacity_print(doc, fmt == FMT_MD, stdout);
  int code = bottleneck || json_is_true(json_object_get(doc, "target_met")) ? LR_OK : LR_NO;
  json_decref(doc);
  return code;
}

int cmd_capacity(int argc, char **argv, const struct global_opts *g) {
  return capacity_command(argc, argv, g, 0, usage);
}
