/* soak_text.c - `loadrep soak` as text or Markdown, from the document
 * soak_build() returns (analysis/soak.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/capacity_text.h"
#include "render/escape.h"
#include "render/soak_text.h"
#include "util/jsonx.h"

static void print_resource(const char *label, json_t *o, int bytes, int md, FILE *f) {
  if (md)
    fprintf(f, "- **%s** ", label);
  else
    fprintf(f, "  %-9s ", label);
  fprintf(f, "%-12s", jx_str(o, "verdict"));
  if (json_is_string(json_object_get(o, "metric"))) {
    fputs(" (", f);
    esc_put(jx_str(o, "metric"), md, f);
    fputs(")", f);
  }
  fputc('\n', f);
  const char *ind = md ? "  " : "            ";
  fprintf(f, "%s", ind);
  esc_put(jx_str(o, "reason"), md, f);
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

void soak_print(json_t *doc, int md, FILE *f) {
  json_t *run = json_object_get(doc, "run");
  fputs(md ? "## Soak: run " : "Soak analysis of run '", f);
  esc_put(jx_str(run, "name"), md, f);
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
  esc_put(jx_str(lat, "reason"), md, f);
  fprintf(f, "; p95 %.1f ms in the first window, %.1f ms in the last\n", jx_num(lat, "p95_first_ms"),
          jx_num(lat, "p95_last_ms"));
  json_t *pe = json_object_get(doc, "pool_exhaustion");
  if (pe) {
    fprintf(f, md ? "- **%s** %s\n" : "  %-9s %s\n", "db pool", jx_str(pe, "verdict"));
    fprintf(f, "%s", md ? "  " : "            ");
    esc_put(jx_str(pe, "reason"), md, f);
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
    esc_put(jx_str(x, "status"), md, f);
    fputs(" error_code ", f);
    esc_put(jx_str(x, "error_code"), md, f);
    fprintf(f, ": %lld\n", (long long)json_integer_value(json_object_get(x, "count")));
  }
  caveats_print(json_object_get(doc, "caveats"), md, f);
  fputc('\n', f);
}

