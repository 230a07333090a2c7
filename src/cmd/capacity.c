/* capacity.c - `loadrep capacity RUN`: how many users and requests/s within
 * the SLO, where it breaks, what saturates first (analysis/capacity.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "analysis/slo.h"
#include "cli.h"
#include "cli_opts.h"
#include "cmd/cmd.h"
#include "render/capacity_text.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"

static const char cap_usage_head[] =
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
    "\n";

static const char cap_usage_tail[] =
    "\n"
    "Exit status: 0 the target is met (the SLO held at a level >= --target-users);\n"
    "1 it is not, or the run cannot show it (the SLO broke below the target, the\n"
    "target lies inside the bracket, or the run never reached it); 64 usage;\n"
    "65 the run has no per-request samples (summary-only ingest); 66 no such run.\n";

/* The options of capacity; bottleneck's are the same without --target-users
 * (accepted, to say it belongs to capacity, but not listed). */
#define SLO_HELP "e.g. 'p95<2000ms,errors<1%' (overrides the SLO file)"
#define SLO_FILE_HELP                                                                                              \
  "objectives by scenario and endpoint (JSON; docs/methods.md);\n"                                                \
  "without either: the run's k6 thresholds, else p95<2000ms,errors<1%"
static const struct cli_opt cap_opts[] = {{"slo", "SPEC", 's', SLO_HELP},
                                          {"slo-file", "FILE", 'S', SLO_FILE_HELP},
                                          {"target-users", "N", 't', "the load the system must carry (default 1000)"},
                                          {"window", "D", 'w', "load-level window (default 10s)"},
                                          {"format", "F", 'f', "text (default), json or md"},
                                          {NULL, NULL, 0, NULL}};
static const struct cli_opt bn_opts[] = {{"slo", "SPEC", 's', SLO_HELP},
                                         {"slo-file", "FILE", 'S', SLO_FILE_HELP},
                                         {"target-users", "N", 't', NULL},
                                         {"window", "D", 'w', "load-level window (default 10s)"},
                                         {"format", "F", 'f', "text (default), json or md"},
                                         {NULL, NULL, 0, NULL}};

struct cap_args {
  int bottleneck;
  enum out_format fmt;
  struct capacity_opts o;
  struct slo_set *slos;
  const char *slo_file;
};

static int on_opt(void *ctx, int id, const char *arg, struct err *err) {
  struct cap_args *a = ctx;
  int rc;
  switch (id) {
  case 'f': return parse_format("--format", arg, &a->fmt, err);
  case 's': return slo_set_cli(a->slos, arg, err);
  case 'S': a->slo_file = arg; return 0;
  case 't':
    if (a->bottleneck)
      return err_set(err, LR_USAGE, "option '--target-users' belongs to 'loadrep capacity'");
    a->o.target_from_cli = 1;
    return parse_long("--target-users", arg, 1, 100000000, &a->o.target_users, err);
  default:
    rc = parse_duration("--window", arg, &a->o.window_s, err);
    if (rc == 0 && (a->o.window_s < 1 || a->o.window_s > 3600))
      rc = err_set(err, LR_USAGE, "option '--window': expected 1s to 1h, got '%s'", arg);
    return rc;
  }
}

/* `capacity` and `bottleneck` take the same options (bottleneck has no
 * --target-users) and differ only in what they build and print. */
int capacity_command(int argc, char **argv, const struct global_opts *g, int bottleneck, const char *usage_head,
                     const char *usage_tail) {
  const char *cmd = bottleneck ? "bottleneck" : "capacity";
  struct cap_args a = {.bottleneck = bottleneck, .fmt = FMT_TEXT, .slos = slo_set_new()};
  capacity_opts_init(&a.o);
  struct err err = ERR_INIT;
  int rc = cli_parse_opts(cmd, argc, argv, bottleneck ? bn_opts : cap_opts, usage_head, usage_tail, on_opt, &a);
  if (rc >= 0) {
    slo_set_free(a.slos);
    return rc;
  }
  struct slo_set *slos = a.slos;
  const char *slo_file = a.slo_file;
  struct capacity_opts o = a.o;
  enum out_format fmt = a.fmt;
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
  return capacity_command(argc, argv, g, 0, cap_usage_head, cap_usage_tail);
}
