/* loadrep ingest: k6 results and system metrics into the database. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd/cmd.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "render/escape.h"
#include "util/err.h"
#include "util/strbuf.h"

static const char usage[] =
    "usage: loadrep ingest [--run NAME] [--scenario S] [--env E] [--label k=v]...\n"
    "                      [--k6-exit-status N] FILE...\n"
    "\n"
    "Loads k6 results into the database as one run, in one transaction.\n"
    "Each FILE's kind is detected from its content (gzip from its magic bytes):\n"
    "  k6 --out json (NDJSON), k6 --out csv, --summary-export, handleSummary JSON,\n"
    "  the machine-readable summary, and system metrics (loadrep sysmon CSV, a long\n"
    "  CSV timestamp,host,metric,value, sadf -d, Prometheus query_range JSON).\n"
    "Several k6 files merge into one run (parallel k6 instances). NDJSON with its\n"
    "handleSummary JSON gives k6's exact run duration and threshold verdicts.\n"
    "\n"
    "  --run NAME       name of the new run (default: SCENARIO-YYYYmmdd-HHMMSS);\n"
    "                   with system-metric files alone: the run to attach them to\n"
    "  --scenario S     scenario (default: the k6 scenario tag of the requests; with\n"
    "                   several k6 scenarios, their names joined by '+', with a warning)\n"
    "  --env E          environment (baselines are per scenario and env)\n"
    "  --label k=v      a label to keep with the run (repeatable)\n"
    "  --k6-exit-status N  k6's exit status (default: k6_exit_status or k6_exit_code\n"
    "                   of a meta.json beside the files, if any)\n"
    "\n"
    "The run is marked incomplete when k6 did not let it run its course: an exit\n"
    "status other than 0, 99 (thresholds crossed) or 110 (e.g. 105 or 130 after\n"
    "SIGINT), a crossed abortOnFail threshold, or an end well before the\n"
    "configured duration. 'loadrep baseline set' refuses incomplete runs.\n"
    "  --db PATH        database (default $LOADREP_DB or ./loadrep.db)\n"
    "\n"
    "Exit: 0 stored; 65 bad input (file:line: message; nothing stored);\n"
    "66 missing file or run; 74 I/O error.\n";

int cmd_ingest(int argc, char **argv, const struct global_opts *g) {
  static const struct option opts[] = {{"run", required_argument, NULL, 'r'},
                                       {"scenario", required_argument, NULL, 's'},
                                       {"env", required_argument, NULL, 'e'},
                                       {"label", required_argument, NULL, 'l'},
                                       {"k6-exit-status", required_argument, NULL, 'x'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  struct ingest_opts o = {0};
  json_t *labels = json_object();
  int c, rc = LR_USAGE;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'r':
      o.run_name = optarg;
      break;
    case 's':
      o.scenario = optarg;
      break;
    case 'e':
      o.env = optarg;
      break;
    case 'l': {
      const char *eq = strchr(optarg, '=');
      if (!eq || eq == optarg) {
        rc = usage_error("ingest", "option '--label': expected KEY=VALUE, got '%s'", optarg);
        goto out;
      }
      json_object_setn_new(labels, optarg, (size_t)(eq - optarg), json_string(eq + 1));
      break;
    }
    case 'x': {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (!*optarg || *end || v < 0 || v > 255) {
        rc = usage_error("ingest", "option '--k6-exit-status': expected 0..255, got '%s'", optarg);
        goto out;
      }
      o.has_exit_status = 1;
      o.k6_exit_status = (int)v;
      break;
    }
    case 'h':
      fputs(usage, stdout);
      rc = LR_OK;
      goto out;
    default:
      rc = usage_error("ingest", "unknown option '%s'", argv[optind - 1]);
      goto out;
    }
  }
  if (optind >= argc) {
    rc = usage_error("ingest", "no input files");
    goto out;
  }
  if (o.run_name && !*o.run_name) {
    rc = usage_error("ingest", "option '--run': the name is empty");
    goto out;
  }
  o.labels = labels;
  o.progress = !g->quiet;
  struct err err = ERR_INIT;
  struct store *st = NULL;
  if (store_open(&st, g->db, &err) < 0) {
    rc = fail(&err);
    goto out;
  }
  struct ingest_result res;
  if (ingest_files(st, &o, argv + optind, argc - optind, &res, &err) < 0) {
    rc = fail(&err);
    store_close(st);
    goto out;
  }
  store_close(st);
  if (!res.sys_overlap)
    warnf("the system metrics' clock never overlaps the run's time window: are the clocks of the two machines "
          "in step, and do the files belong to this run?");
  if (!g->quiet) {
    fputs("loadrep: ", stderr);
    fputs_term(res.attached ? "attached system metrics to run '" : "stored run '", stderr);
    fputs_term(res.run_name, stderr);
    fprintf(stderr, "' (id %lld): %ld file(s), %llu k6 samples, %ld system samples\n", (long long)res.run_id,
            res.files, (unsigned long long)res.points, res.sys_samples);
  }
  if (!res.attached && !res.complete) {
    struct strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "run '");
    esc_term(&sb, res.run_name);
    strbuf_addstr(&sb, "' is incomplete: ");
    esc_term(&sb, res.incomplete_reason);
    warnf("%s", sb.buf);
    strbuf_release(&sb);
  }
  rc = LR_OK;
out:
  json_decref(labels);
  return rc;
}
