/* soak.c - `loadrep soak RUN`: leaks, drift, error bursts (analysis/soak.h). */
#include <stdio.h>

#include "analysis/soak.h"
#include "cli.h"
#include "cli_opts.h"
#include "cmd/cmd.h"
#include "render/soak_text.h"
#include "store/store.h"
#include "util/err.h"

static const char usage_head[] =
    "usage: loadrep soak RUN [options]\n"
    "\n"
    "Soak (endurance) analysis of RUN. The run is cut into windows (5 min, or\n"
    "1/60 of a short run), the warm-up is dropped (the first max(15 min, 10%), or\n"
    "10% of a run too short for that), then:\n"
    "  memory   the service's RSS, per-window minimum (the floor under the GC\n"
    "           sawtooth): Mann-Kendall trend test with the Hamed-Rao correction\n"
    "           for autocorrelation (windows averaged while it stays high), Sen\n"
    "           slope and interval. 'leak' when p < 0.01, the slope interval is\n"
    "           above 0, the growth over the soak is >= 5% of the floor (10% when\n"
    "           less than an hour remains after the warm-up) and the second half\n"
    "           still rises at >= half the rate (caches that fill then level off\n"
    "           are not leaks). Growth per hour and time to the host's memory.\n"
    "  threads, fds   the same test on the thread and file-descriptor counts.\n"
    "  latency  Sen slope of log p95 per window: 'drift' when p95 grows x1.20 or\n"
    "           more (x1.10: a warning) with Mann-Kendall p < 0.01.\n"
    "  errors   bursts (windows with >= 5x the typical error count), requests\n"
    "           that hit k6's 60 s timeout, errors by status and k6 error_code.\n"
    "Without system metrics the memory verdict is 'inconclusive'.\n"
    "\n";

static const char usage_tail[] =
    "\n"
    "Exit status: 0 no leak and no failing drift; 1 a leak (memory, threads or\n"
    "fds) or a latency drift of x1.20 or more; 64 usage; 65 the run has no\n"
    "per-request samples (summary-only ingest); 66 no such run.\n";

static const struct cli_opt opts[] = {{"format", "F", 'f', "text (default), json or md"}, {NULL, NULL, 0, NULL}};

int cmd_soak(int argc, char **argv, const struct global_opts *g) {
  enum out_format fmt = FMT_TEXT;
  struct err err = ERR_INIT;
  struct store *st;
  struct run_info run;
  int orc = cli_format_one_run("soak", argc, argv, opts, usage_head, usage_tail, g, &fmt, &st, &run);
  if (orc >= 0)
    return orc;
  json_t *doc = NULL;
  int rc = soak_build(st, &run, &doc, &err);
  run_info_release(&run);
  store_close(st);
  if (rc < 0)
    return fail(&err);
  if (fmt == FMT_JSON)
    print_json(doc);
  else
    soak_print(doc, fmt == FMT_MD, stdout);
  int code = json_is_true(json_object_get(doc, "failed")) ? LR_NO : LR_OK;
  json_decref(doc);
  return code;
}
