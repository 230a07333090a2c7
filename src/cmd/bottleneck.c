/* bottleneck.c - `loadrep bottleneck RUN` (analysis/bottleneck.h), and the
 * printer that `loadrep capacity` shares. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"

static const char usage[] =
    "usage: loadrep bottleneck RUN [options]\n"
    "\n"
    "What saturates first in a ramp (stress) run: the order in which endpoints'\n"
    "p95 rises (x1.5 over low load, sustained), where the added latency goes\n"
    "(k6 phases blocked/sending/waiting/receiving, as shares of the growth from\n"
    "low load to the breaking point), the system metrics at the breaking point (CPU busy and run\n"
    "queue, memory, a backend queue, in-flight requests, the load generator),\n"
    "the utilisation-law CPU ceiling, per-endpoint capacity (calls/hour), and a\n"
    "verdict: cpu, memory, backend_pool, or unknown when the evidence does not\n"
    "support one (for example when no system metrics were ingested). The knee is\n"
    "the breaking point of 'loadrep capacity' (same --slo and --window).\n"
    "\n"
    "options:\n"
    "  --slo SPEC         e.g. 'p95<2000ms,errors<1%' (overrides the SLO file)\n"
    "  --slo-file FILE    objectives by scenario and endpoint (JSON; docs/methods.md);\n"
    "                     without either: the run's k6 thresholds, else p95<2000ms,errors<1%\n"
    "  --window D         load-level window (default 10s)\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 analysed (whatever the verdict), 64 usage, 65 the run has no\n"
    "per-request samples (summary-only ingest), 66 no such run.\n";

void bottleneck_print(json_t *bn, int md, FILE *f);

static const char *fmtn(char *buf, size_t n, double v, int prec) {
  if (!isfinite(v))
    snprintf(buf, n, "-");
  else
    snprintf(buf, n, "%.*f", prec, v);
  return buf;
}

static void put(const char *s, int md, FILE *f) {
  if (md)
    fputs(s, f);
  else
    fputs_term(s, f);
}

void bottleneck_print(json_t *bn, int md, FILE *f) {
  char a[64], b[64], c[64], d[64];
  json_t *v = json_object_get(bn, "verdict"), *knee = json_object_get(bn, "knee");
  json_t *run = json_object_get(bn, "run");
  if (run) {
    fputs(md ? "## Bottleneck: run " : "Bottleneck of run '", f);
    put(jx_str(run, "name"), md, f);
    fputs(md ? "\n\n" : "'\n\n", f);
  }
  fprintf(f, "%sVerdict: %s", md ? "**" : "", jx_str(v, "resource"));
  fprintf(f, "%s: ", md ? "**" : "");
  put(jx_str(v, "detail"), md, f);
  fprintf(f, ".\nAttributed at: %.0f VUs, t=%.0f s (%s).\n", jx_num(knee, "vus"), jx_num(knee, "time_s"),
          jx_str(knee, "basis"));
  if (json_is_string(json_object_get(bn, "first_to_degrade"))) {
    fputs("First endpoint to degrade: ", f);
    put(jx_str(bn, "first_to_degrade"), md, f);
    fputc('\n', f);
  }
  fputs(md ? "\n**Evidence**\n\n" : "\nEvidence\n", f);
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(v, "evidence"), i, x) {
    fputs(md ? "- " : "  - ", f);
    put(json_string_value(x), md, f);
    fputc('\n', f);
  }
  /* endpoints */
  fputs(md ? "\n**Endpoint degradation order**\n\n| endpoint | base p95 ms | onset VUs | onset t s | p95 at breaking ms | x at breaking |\n|---|---:|---:|---:|---:|---:|\n"
           : "\nEndpoint degradation order (p95 x1.5 over low load, sustained)\n",
        f);
  if (!md)
    fprintf(f, "  %-40s %11s %9s %9s %14s %9s\n", "endpoint", "base p95 ms", "onset VUs", "onset t s", "p95 at break ms",
            "x at break");
  json_array_foreach(json_object_get(bn, "endpoints"), i, x) {
    fmtn(a, sizeof a, jx_num(x, "base_p95_ms"), 1);
    fmtn(b, sizeof b, jx_num(x, "onset_vus"), 0);
    fmtn(c, sizeof c, jx_num(x, "onset_time_s"), 0);
    fmtn(d, sizeof d, jx_num(x, "p95_at_knee_ms"), 1);
    if (md) {
      fputs("| ", f);
      put(jx_str(x, "endpoint"), md, f);
      fprintf(f, " | %s | %s | %s | %s | %.2f |\n", a, b, c, d, jx_num(x, "ratio_at_knee"));
    } else {
      fputs("  ", f);
      char nm[41];
      snprintf(nm, sizeof nm, "%-40s", jx_str(x, "endpoint"));
      fputs_term(nm, f);
      fprintf(f, " %11s %9s %9s %14s %9.2f\n", a, b, c, d, jx_num(x, "ratio_at_knee"));
    }
  }
  /* phases */
  json_t *ph = json_object_get(bn, "phases"), *sh = json_object_get(ph, "shares");
  json_t *lo = json_object_get(ph, "low_load_mean_ms"), *kn = json_object_get(ph, "knee_mean_ms");
  fprintf(f, md ? "\n**Where the time goes** (growth %s ms from low load to the breaking point)\n\n| phase | low load ms | breaking ms | share of growth |\n|---|---:|---:|---:|\n"
                : "\nWhere the time goes (mean latency growth %s ms from low load to the breaking point)\n",
          fmtn(a, sizeof a, jx_num(ph, "growth_ms"), 1));
  if (!md)
    fprintf(f, "  %-10s %12s %10s %16s\n", "phase", "low load ms", "break ms", "share of growth");
  static const char *const phases[] = {"blocked", "sending", "waiting", "receiving"};
  for (int p = 0; p < 4; p++) {
    fmtn(a, sizeof a, jx_num(lo, phases[p]), 3);
    fmtn(b, sizeof b, jx_num(kn, phases[p]), 3);
    fmtn(c, sizeof c, 100 * jx_num(sh, phases[p]), 1);
    fprintf(f, md ? "| %s | %s | %s | %s%% |\n" : "  %-10s %12s %10s %15s%%\n", phases[p], a, b, c);
  }
  /* resources */
  json_t *res = json_object_get(bn, "resources");
  if (json_array_size(res)) {
    fputs(md ? "\n**Resources at the breaking point**\n\n" : "\nResources at the breaking point\n", f);
    json_array_foreach(res, i, x) {
      const char *r = jx_str(x, "resource");
      fputs(md ? "- " : "  - ", f);
      fprintf(f, "%s (", r);
      put(jx_str(x, "series"), md, f);
      fputs("): ", f);
      if (!strcmp(r, "cpu")) {
        fprintf(f, "%s%% busy at low load, %s%% at the breaking point%s; utilisation-law ceiling %s req/s",
                fmtn(a, sizeof a, jx_num(x, "low_load_pct"), 0), fmtn(b, sizeof b, jx_num(x, "knee_pct"), 0),
                json_is_true(json_object_get(x, "saturated_at_knee")) ? " (saturated)" : "",
                fmtn(c, sizeof c, jx_num(x, "utilisation_law_ceiling_rps"), 0));
        if (isfinite(jx_num(x, "load1_at_knee")))
          fprintf(f, "; load1 %.1f on %s cores", jx_num(x, "load1_at_knee"), fmtn(a, sizeof a, jx_num(x, "cores"), 0));
        if (isfinite(jx_num(x, "process_cores_at_knee")))
          fprintf(f, "; the service used %.2f cores", jx_num(x, "process_cores_at_knee"));
        fputc('\n', f);
      }
      else if (!strcmp(r, "memory"))
        fprintf(f, "%s MiB used at the breaking point (%s%% of total)\n", fmtn(a, sizeof a, jx_num(x, "knee_bytes") / 1048576, 0),
                fmtn(b, sizeof b, 100 * jx_num(x, "knee_fraction"), 1));
      else if (!strcmp(r, "backend_pool"))
        fprintf(f, "%s waiting at low load, %s at the breaking point; onset %s VUs\n",
                fmtn(a, sizeof a, jx_num(x, "low_load_waiting"), 1), fmtn(b, sizeof b, jx_num(x, "knee_waiting"), 1),
                fmtn(c, sizeof c, jx_num(x, "onset_vus"), 0));
      else if (!strcmp(r, "server_concurrency"))
        fprintf(f, "%s in flight at low load, %s at the breaking point (k6 saw %s)\n", fmtn(a, sizeof a, jx_num(x, "low_load"), 1),
                fmtn(b, sizeof b, jx_num(x, "knee"), 1), fmtn(c, sizeof c, jx_num(x, "client_inflight_at_knee"), 1));
      else if (!strcmp(r, "network"))
        fprintf(f, "%s KiB/s received at low load, %s KiB/s at the breaking point\n",
                fmtn(a, sizeof a, jx_num(x, "low_load_bytes_per_s") / 1024, 0),
                fmtn(b, sizeof b, jx_num(x, "knee_bytes_per_s") / 1024, 0));
      else
        fprintf(f, "%s%% CPU at the breaking point\n", fmtn(a, sizeof a, jx_num(x, "knee_pct"), 0));
    }
  }
  /* endpoint capacity */
  fputs(md ? "\n**Per-endpoint capacity**\n\n| endpoint | service ms | req/s within SLO | calls/hour within SLO | peak calls/hour | X*S at peak |\n|---|---:|---:|---:|---:|---:|\n"
           : "\nPer-endpoint capacity (X*S at peak = requests in service by the utilisation law)\n",
        f);
  if (!md)
    fprintf(f, "  %-40s %10s %9s %12s %12s %8s\n", "endpoint", "service ms", "req/s SLO", "calls/h SLO", "peak calls/h",
            "X*S");
  json_array_foreach(json_object_get(bn, "endpoint_capacity"), i, x) {
    fmtn(a, sizeof a, jx_num(x, "service_time_ms"), 1);
    fmtn(b, sizeof b, jx_num(x, "rps_within_slo"), 1);
    fmtn(c, sizeof c, jx_num(x, "calls_per_hour_within_slo"), 0);
    fmtn(d, sizeof d, jx_num(x, "peak_calls_per_hour"), 0);
    if (md) {
      fputs("| ", f);
      put(jx_str(x, "endpoint"), md, f);
      fprintf(f, " | %s | %s | %s | %s | %.2f |\n", a, b, c, d, jx_num(x, "concurrency_at_peak"));
    } else {
      char nm[41];
      snprintf(nm, sizeof nm, "%-40s", jx_str(x, "endpoint"));
      fputs("  ", f);
      fputs_term(nm, f);
      fprintf(f, " %10s %9s %12s %12s %8.2f\n", a, b, c, d, jx_num(x, "concurrency_at_peak"));
    }
  }
  if (json_is_string(json_object_get(bn, "llm_endpoint"))) {
    fputs(md ? "\nLLM calls/hour within SLO (" : "\nLLM calls/hour within SLO (", f);
    put(jx_str(bn, "llm_endpoint"), md, f);
    fprintf(f, "): %s\n", fmtn(a, sizeof a, jx_num(bn, "llm_calls_per_hour"), 0));
  }
  json_t *cav = json_object_get(bn, "caveats");
  if (run && json_array_size(cav)) {
    fputs(md ? "\n**Caveats**\n\n" : "\nCaveats\n", f);
    json_array_foreach(cav, i, x) {
      fputs(md ? "- " : "  - ", f);
      put(json_string_value(x), md, f);
      fputc('\n', f);
    }
  }
  fputc('\n', f);
}

int cmd_bottleneck(int argc, char **argv, const struct global_opts *g) {
  return capacity_command(argc, argv, g, 1, usage);
}
