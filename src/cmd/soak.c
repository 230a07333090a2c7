/* soak.c - `loadrep soak RUN`: leaks, drift, error bursts (analysis/soak.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/soak.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"

static const char usage[] =
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
    "\n"
    "options:\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 no leak and no failing drift; 1 a leak (memory, threads or\n"
    "fds) or a latency drift of x1.20 or more; 64 usage; 65 the run has no\n"
    "per-request samples (summary-only ingest); 66 no such run.\n";

static void put(const char *s, int md, FILE *f) {
  if (md)
    fputs(s, f);
  else
    fputs_term(s, f);
}

static void print_resource(const char *label, json_t *o, int bytes, int md, FILE *f) {
  if (md)
    fprintf(f, "- **%s** ", label);
  else
    fprintf(f, "  %-9s ", label);
  fprintf(f, "%-12s", jx_str(o, "verdict"));
  if (json_is_string(json_object_get(o, "metric"))) {
    fputs(" (", f);
    put(jx_str(o, "metric"), md, f);
    fputs(")", f);
  }
  fputc('\n', f);
  const char *ind = md ? "  " : "            ";
  fprintf(f, "%s", ind);
  put(jx_str(o, "reason"), md, f);
  fputc('\n', f);
  if (isfinite(jx_num(o, "slope_per_hour"))) {
    double sc = bytes ? 1048576.0 : 1.0;
    char ub[32];
    snprintf(ub, sizeof ub, " %s", bytes ? "MiB" : jx_str(o, "unit"));
    const char *u = ub;
    fprintf(f, "%sfloor %.1f%s -> %.1f%s; slope %.2f%s/h (interval %.2f .. %.2f%s/h); growth %.1f%% (threshold %.0f%%)",
            ind, jx_num(o, "floor_start") / sc, u, jx_num(o, "floor_end") / sc, u, jx_num(o, "slope_per_hour") / sc, u,
            json_number_value(json_array_get(json_object_get(o, "slope_ci_per_hour"), 0)) / sc,
            json_number_value(json_array_get(json_object_get(o, "slope_ci_per_hour"), 1)) / sc, u,
            jx_num(o, "growth_pct"), jx_num(o, "threshold_pct"));
    if (isfinite(jx_num(o, "time_to_limit_h")))
      fprintf(f, "; host memory full in %.1f h at this rate", jx_num(o, "time_to_limit_h"));
    fputc('\n', f);
  }
}

static void print_soak(json_t *doc, int md, FILE *f) {
  json_t *run = json_object_get(doc, "run");
  fputs(md ? "## Soak: run " : "Soak analysis of run '", f);
  put(jx_str(run, "name"), md, f);
  fprintf(f, "%s%.0f s under load, windows of %.0f s, first %.0f s dropped as warm-up\n\n", md ? "\n\n" : "'\n",
          jx_num(doc, "steady_until_s"), jx_num(doc, "window_s"), jx_num(doc, "warmup_s"));
  const char *v = jx_str(doc, "verdict");
  fprintf(f, "%sVerdict: %s%s ", md ? "**" : "", v, md ? "**" : "");
  if (!strcmp(v, "leak"))
    fprintf(f, "- a resource grows steadily through the soak; it will run out.\n\n");
  else if (!strcmp(v, "drift"))
    fprintf(f, "- latency grows over the soak.\n\n");
  else if (!strcmp(v, "pool_exhaustion"))
    fprintf(f, "- the database connection pool leaks connections or runs out.\n\n");
  else if (!strcmp(v, "inconclusive"))
    fprintf(f, "- the data cannot tell (see the reasons below).\n\n");
  else
    fprintf(f, "- no leak and no latency drift found.\n\n");
  print_resource("memory", json_object_get(doc, "memory"), 1, md, f);
  print_resource("threads", json_object_get(doc, "threads"), 0, md, f);
  print_resource("fds", json_object_get(doc, "fds"), 0, md, f);
  json_t *lat = json_object_get(doc, "latency");
  fprintf(f, md ? "- **%s** %s\n" : "  %-9s %s\n", "latency", jx_str(lat, "verdict"));
  fprintf(f, "%s", md ? "  " : "            ");
  put(jx_str(lat, "reason"), md, f);
  fprintf(f, "; p95 %.1f ms in the first window, %.1f ms in the last\n", jx_num(lat, "p95_first_ms"),
          jx_num(lat, "p95_last_ms"));
  json_t *pe = json_object_get(doc, "pool_exhaustion");
  if (pe) {
    fprintf(f, md ? "- **%s** %s\n" : "  %-9s %s\n", "db pool", jx_str(pe, "verdict"));
    fprintf(f, "%s", md ? "  " : "            ");
    put(jx_str(pe, "reason"), md, f);
    fputc('\n', f);
  }
  json_t *er = json_object_get(doc, "errors");
  fprintf(f, md ? "- **%s** %s\n" : "  %-9s %s\n", "errors", jx_str(er, "verdict"));
  fprintf(f, "%s%lld failed of %lld requests (%.3f%%), %lld at the 60 s timeout, %zu burst window(s)\n",
          md ? "  " : "            ", (long long)json_integer_value(json_object_get(er, "failed")),
          (long long)json_integer_value(json_object_get(er, "requests")), 100 * jx_num(er, "error_rate"),
          (long long)json_integer_value(json_object_get(er, "timeouts_60s")),
          json_array_size(json_object_get(er, "bursts")));
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(er, "by_code"), i, x) {
    fprintf(f, "%sstatus ", md ? "  - " : "              ");
    put(jx_str(x, "status"), md, f);
    fputs(" error_code ", f);
    put(jx_str(x, "error_code"), md, f);
    fprintf(f, ": %lld\n", (long long)json_integer_value(json_object_get(x, "count")));
  }
  json_t *cav = json_object_get(doc, "caveats");
  if (json_array_size(cav)) {
    fputs(md ? "\n**Caveats**\n\n" : "\nCaveats\n", f);
    json_array_foreach(cav, i, x) {
      fputs(md ? "- " : "  - ", f);
      put(json_string_value(x), md, f);
      fputc('\n', f);
    }
  }
  fputc('\n', f);
}

int cmd_soak(int argc, char **argv, const struct global_opts *g) {
  static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
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
        return usage_error("soak", "%s", err.msg);
    } else {
      return usage_error("soak", "unknown option '%s'", argv[optind - 1]);
    }
  }
  struct store *st;
  struct run_info run;
  int orc = cli_one_run("soak", argc, argv, g, &st, &run);
  if (orc)
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
    print_soak(doc, fmt == FMT_MD, stdout);
  int code = json_is_true(json_object_get(doc, "failed")) ? LR_NO : LR_OK;
  json_decref(doc);
  return code;
}
