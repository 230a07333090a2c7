/* capacity_text.c - `loadrep capacity` and `loadrep bottleneck` as text or
 * Markdown, from the documents capacity_build() and bottleneck_build()
 * return (analysis/capacity.h, analysis/bottleneck.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/capacity_text.h"
#include "render/escape.h"
#include "util/jsonx.h"

/* "%.*f" or "-" when NAN. */
static const char *fmtn(char *buf, size_t n, double v, int prec) {
  if (!isfinite(v))
    snprintf(buf, n, "-");
  else
    snprintf(buf, n, "%.*f", prec, v);
  return buf;
}

/* The run, its objectives and the verdict in a sentence. */
static void cap_head(json_t *doc, int md, FILE *f) {
  json_t *run = json_object_get(doc, "run");
  json_t *slo = json_object_get(doc, "slo");
  json_t *br = json_object_get(doc, "max_users_within_slo");
  json_t *met = json_object_get(doc, "target_met");
  double low = jx_num(br, "low");
  double high = jx_num(br, "high");
  double target = jx_num(doc, "target_users");
  if (md)
    fprintf(f, "## Capacity: run %s\n\n", jx_str(run, "name"));
  else {
    fputs("Capacity of run '", f);
    esc_put(jx_str(run, "name"), 0, f);
    fprintf(f, "' (id %lld)\n", (long long)json_integer_value(json_object_get(run, "id")));
  }
  fprintf(f, "%sSLO: p95 < %g ms (%s), errors < %g%% (%s); windows of %g s; target %g VUs\n\n", md ? "" : "",
          jx_num(slo, "p95_ms"), jx_str(json_object_get(slo, "slo_from"), "p95"), 100 * jx_num(slo, "error_rate"),
          jx_str(json_object_get(slo, "slo_from"), "errors"), jx_num(doc, "window_s"), target);
  /* the verdict in a sentence */
  fprintf(f, "%s", md ? "**Verdict:** " : "Verdict: ");
  if (json_is_true(met))
    fprintf(f, "target MET: the SLO held up to %.0f VUs, at or above the target of %.0f.\n", low, target);
  else if (json_is_null(met))
    fprintf(f, "target NOT SHOWN: the SLO held at %.0f VUs and broke at %.0f; the target of %.0f lies in between.\n",
            low, high, target);
  else if (isfinite(high) && isfinite(low))
    fprintf(f, "target NOT MET: the SLO broke at %.0f VUs (last passing level %.0f), below the target of %.0f.\n", high,
            low, target);
  else if (isfinite(high))
    fprintf(f, "target NOT MET: the SLO failed from the first load level (%.0f VUs).\n", high);
  else
    fprintf(f, "target NOT SHOWN: the SLO held up to %.0f VUs, the highest load tested, below the target of %.0f.\n",
            low, target);
  fputc('\n', f);
}

/* Max VUs and req/s within the SLO, the breaking point and the signals. */
static void cap_bracket(json_t *doc, int md, FILE *f) {
  char a[64], b[64], c[64], d[64], e[64];
  json_t *br = json_object_get(doc, "max_users_within_slo");
  json_t *bp = json_object_get(doc, "breaking_point");
  json_t *thr = json_object_get(doc, "throughput");
  double low = jx_num(br, "low");
  double high = jx_num(br, "high");
  const char *bullet = md ? "- " : "  ";
  fprintf(f, "%sMax VUs within SLO:   %s .. %s (last passing .. first failing level", bullet, fmtn(a, sizeof a, low, 0),
          isfinite(high) ? fmtn(b, sizeof b, high, 0) : "not reached");
  if (isfinite(jx_num(br, "estimate")))
    fprintf(f, "; interpolated %.0f", jx_num(br, "estimate"));
  fprintf(f, ")\n");
  json_t *lci = json_object_get(br, "low_p95_ci_ms"), *hci = json_object_get(br, "high_p95_ci_ms");
  if (json_is_number(json_array_get(lci, 0)) || json_is_number(json_array_get(hci, 0))) {
    fprintf(f, "                        p95 %s ms (95%% interval %s..%s) at the low edge",
            fmtn(a, sizeof a, jx_num(br, "low_p95_ms"), 1), fmtn(b, sizeof b, json_number_value(json_array_get(lci, 0)), 1),
            fmtn(c, sizeof c, json_number_value(json_array_get(lci, 1)), 1));
    if (json_is_number(json_array_get(hci, 0)))
      fprintf(f, ", %s ms (%s..%s) at the high edge", fmtn(a, sizeof a, jx_num(br, "high_p95_ms"), 1),
              fmtn(b, sizeof b, json_number_value(json_array_get(hci, 0)), 1),
              fmtn(c, sizeof c, json_number_value(json_array_get(hci, 1)), 1));
    fputc('\n', f);
  }
  json_t *mx = json_object_get(doc, "max_ok_rps_level");
  fprintf(f, "%sMax successful req/s within SLO: %s req/s at %s VUs (t=%s s; total %s req/s, failed %s req/s there)\n",
          bullet, fmtn(a, sizeof a, jx_num(doc, "max_ok_rps_within_slo"), 1), fmtn(b, sizeof b, jx_num(mx, "vus"), 0),
          fmtn(c, sizeof c, jx_num(mx, "time_s"), 0), fmtn(d, sizeof d, jx_num(thr, "rps_at_max_ok_level"), 1),
          fmtn(e, sizeof e, jx_num(thr, "failed_rps_at_max_ok_level"), 1));
  if (json_is_object(bp))
    fprintf(f, "%sBreaking point:       %.0f VUs at t=%.0f s, by %s (p95 %s ms, errors %s%%, %s req/s)\n", bullet,
            jx_num(bp, "vus"), jx_num(bp, "time_s"), jx_str(bp, "reason"), fmtn(a, sizeof a, jx_num(bp, "p95_ms"), 1),
            fmtn(b, sizeof b, 100 * jx_num(bp, "error_rate"), 2), fmtn(c, sizeof c, jx_num(bp, "rps"), 1));
  else
    fprintf(f, "%sBreaking point:       none within the tested range\n", bullet);
  static const char *const sig_names[][2] = {{"p95_over_slo", "p95 over the SLO"},
                                             {"errors_over_slo", "errors over the SLO"},
                                             {"knee", "knee (ok/s per VU < 80% of low load)"},
                                             {"retrograde", "retrograde (ok/s <= 90% of an earlier level)"}};
  json_t *sig = json_object_get(doc, "signals");
  for (size_t si = 0; si < 4; si++) {
    json_t *x = json_object_get(sig, sig_names[si][0]);
    if (json_is_object(x))
      fprintf(f, "%sSignal, %s: %.0f VUs at t=%.0f s\n", bullet, sig_names[si][1], jx_num(x, "vus"), jx_num(x, "time_s"));
    else
      fprintf(f, "%sSignal, %s: not seen\n", bullet, sig_names[si][1]);
  }
}

/* Functional errors, errors by class and at 80%, USL, Little's law, the bottleneck. */
static void cap_findings(json_t *doc, int md, FILE *f) {
  char a[64], b[64];
  json_t *e80 = json_object_get(doc, "errors_at_80pct");
  json_t *usl = json_object_get(doc, "usl");
  json_t *ll = json_object_get(doc, "littles_law");
  json_t *bn = json_object_get(doc, "bottleneck");
  const char *bullet = md ? "- " : "  ";
  size_t fi;
  json_t *fe;
  json_array_foreach(json_object_get(doc, "functional_errors"), fi, fe) {
    fprintf(f, "%sFunctional errors:    status %s on ", bullet, jx_str(fe, "status"));
    esc_put(jx_str(fe, "endpoint"), md, f);
    fprintf(f, ": %lld requests (%.2f%% of all), first at t=%.1f s; not judged as capacity\n",
            (long long)json_integer_value(json_object_get(fe, "count")), 100 * jx_num(fe, "share"), jx_num(fe, "first_seen_s"));
  }
  json_t *bc = json_object_get(json_object_get(doc, "errors"), "by_class");
  fprintf(f, "%sErrors by class:      4xx %lld, 5xx %lld, timeouts %lld, connection %lld, other %lld\n", bullet,
          (long long)json_integer_value(json_object_get(bc, "http_4xx")),
          (long long)json_integer_value(json_object_get(bc, "http_5xx")),
          (long long)json_integer_value(json_object_get(bc, "timeout")),
          (long long)json_integer_value(json_object_get(bc, "connection")),
          (long long)json_integer_value(json_object_get(bc, "other")));
  if (json_integer_value(json_object_get(e80, "requests")) > 0)
    fprintf(f, "%sErrors at 80%%:        %lld errors in %lld requests at <= %.1f req/s (95%% upper bound %.3f%%)%s\n",
            bullet, (long long)json_integer_value(json_object_get(e80, "errors")),
            (long long)json_integer_value(json_object_get(e80, "requests")), jx_num(e80, "rps_limit"),
            100 * jx_num(e80, "upper_bound"),
            json_is_true(json_object_get(e80, "zero_errors")) ? ": zero errors" : ": NOT zero");
  else
    fprintf(f, "%sErrors at 80%%:        no level ran at or below 80%% of the sustained rate\n", bullet);
  if (json_is_number(json_object_get(usl, "sigma"))) {
    json_t *sc = json_object_get(usl, "sigma_ci"), *kc = json_object_get(usl, "kappa_ci");
    fprintf(f, "%sUSL:                  sigma %.4g [%.4g, %.4g], kappa %.3g [%.3g, %.3g], lambda %.4g (R2 %.3f, %lld levels)\n",
            bullet, jx_num(usl, "sigma"), json_number_value(json_array_get(sc, 0)), json_number_value(json_array_get(sc, 1)),
            jx_num(usl, "kappa"), json_number_value(json_array_get(kc, 0)), json_number_value(json_array_get(kc, 1)),
            jx_num(usl, "lambda"), jx_num(usl, "r2"), (long long)json_integer_value(json_object_get(usl, "points")));
    fprintf(f, "%s", md ? "  " : "                        ");
  } else {
    fprintf(f, "%sUSL:                  ", bullet);
  }
  fprintf(f, "%s\n", jx_str(usl, "statement"));
  fprintf(f, "%sLittle's law:         %s (median error %s%%, worst %s%%)\n", bullet,
          json_is_true(json_object_get(ll, "consistent")) ? "consistent"
          : json_is_false(json_object_get(ll, "consistent")) ? "NOT consistent"
                                                              : "not checked",
          fmtn(a, sizeof a, 100 * jx_num(ll, "median_rel_error"), 1), fmtn(b, sizeof b, 100 * jx_num(ll, "max_rel_error"), 1));
  fprintf(f, "%sBottleneck:           %s: %s\n", bullet, jx_str(bn, "resource"), jx_str(bn, "detail"));
  json_array_foreach(json_object_get(doc, "bottlenecks"), fi, fe)
    fprintf(f, "%s  #%lld %s (%s): saturated from %.0f VUs%s\n", bullet,
            (long long)json_integer_value(json_object_get(fe, "rank")), jx_str(fe, "resource"), jx_str(fe, "kind"),
            jx_num(fe, "first_saturated_vus"), json_is_true(json_object_get(fe, "after_knee")) ? ", after the breaking point" : "");
  if (json_is_string(json_object_get(bn, "endpoint")))
    fprintf(f, "%sFirst to degrade:     %s\n", bullet, jx_str(bn, "endpoint"));
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(bn, "evidence"), i, v) {
    fprintf(f, md ? "  - " : "      * ");
    esc_put(json_string_value(v), md, f);
    fputc('\n', f);
  }
}

/* The load levels as a table, then the caveats. */
static void cap_levels(json_t *doc, int md, FILE *f) {
  char a[64], b[64], c[64], d[64], e[64], h[64], k[64], l[64];
  size_t i;
  json_t *v;
  /* levels */
  fputc('\n', f);
  if (md) {
    fputs("| t s | VUs | ok/s | req/s | failed/s | mean ms | p95 ms | errors % | in flight | CPU % | SLO |\n", f);
    fputs("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n", f);
  } else {
    fputs("Load levels\n", f);
    fprintf(f, "%6s %7s %8s %8s %8s %9s %9s %8s %9s %6s  %s\n", "t s", "VUs", "ok/s", "req/s", "failed/s", "mean ms",
            "p95 ms", "errors%", "in-flight", "CPU%", "SLO");
  }
  json_array_foreach(json_object_get(doc, "levels"), i, v) {
    json_t *sys = json_object_get(v, "system");
    double cpu = sys ? jx_num(sys, "host_cpu_pct") : NAN;
    const char *ok = json_is_true(json_object_get(v, "ramp_down")) ? "ramp-down"
                     : json_is_true(json_object_get(v, "pass"))    ? "pass"
                                                                   : "FAIL";
    fmtn(a, sizeof a, jx_num(v, "vus"), 0);
    fmtn(b, sizeof b, jx_num(v, "ok_rps"), 1);
    fmtn(c, sizeof c, jx_num(v, "rps"), 1);
    char fr[64];
    fmtn(fr, sizeof fr, jx_num(v, "failed_rps"), 1);
    fmtn(d, sizeof d, jx_num(v, "mean_ms"), 1);
    fmtn(e, sizeof e, jx_num(v, "p95_ms"), 1);
    fmtn(h, sizeof h, 100 * jx_num(v, "error_rate"), 2);
    fmtn(k, sizeof k, jx_num(v, "inflight"), 1);
    fmtn(l, sizeof l, cpu, 0);
    if (md)
      fprintf(f, "| %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", jx_num(v, "time_s"), a, b, c, fr, d, e, h, k,
              l, ok);
    else
      fprintf(f, "%6.0f %7s %8s %8s %8s %9s %9s %8s %9s %6s  %s\n", jx_num(v, "time_s"), a, b, c, fr, d, e, h, k, l, ok);
  }
  caveats_print(json_object_get(doc, "caveats"), md, f);
  fprintf(f, "\n");
  fprintf(f, "%s", md ? "" : "See 'loadrep bottleneck RUN' for the per-endpoint and per-resource detail.\n");
}

/* The strings of arr, one bullet a line. */
static void bullets(json_t *arr, int md, FILE *f) {
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    fputs(md ? "- " : "  - ", f);
    esc_put(json_string_value(v), md, f);
    fputc('\n', f);
  }
}

void caveats_print(json_t *cav, int md, FILE *f) {
  if (!json_array_size(cav))
    return;
  fputs(md ? "\n**Caveats**\n\n" : "\nCaveats\n", f);
  bullets(cav, md, f);
}

void capacity_print(json_t *doc, int md, FILE *f) {
  cap_head(doc, md, f);
  cap_bracket(doc, md, f);
  cap_findings(doc, md, f);
  cap_levels(doc, md, f);
}

/* A table of endpoints in bottleneck_print(): a row an endpoint, four
 * numbers (keys[k] with dec[k] decimals, "-" for none) and a fifth with two
 * decimals; the text columns are w[] wide. */
struct ep_table {
  const char *md_head, *txt_head, *cols[5];
  int w[5];
  const char *keys[5];
  int dec[4];
};

static void ep_table_print(const struct ep_table *t, json_t *rows, int md, FILE *f) {
  fputs(md ? t->md_head : t->txt_head, f);
  if (!md) {
    fprintf(f, "  %-40s", "endpoint");
    for (int k = 0; k < 5; k++)
      fprintf(f, " %*s", t->w[k], t->cols[k]);
    fputc('\n', f);
  }
  size_t i;
  json_t *x;
  json_array_foreach(rows, i, x) {
    if (md) {
      fputs("| ", f);
      esc_put(jx_str(x, "endpoint"), md, f);
    } else {
      char nm[41];
      snprintf(nm, sizeof nm, "%-40s", jx_str(x, "endpoint"));
      fputs("  ", f);
      esc_put(nm, 0, f);
    }
    for (int k = 0; k < 4; k++) {
      char v[64];
      fmtn(v, sizeof v, jx_num(x, t->keys[k]), t->dec[k]);
      if (md)
        fprintf(f, " | %s", v);
      else
        fprintf(f, " %*s", t->w[k], v);
    }
    if (md)
      fprintf(f, " | %.2f |\n", jx_num(x, t->keys[4]));
    else
      fprintf(f, " %*.2f\n", t->w[4], jx_num(x, t->keys[4]));
  }
}

/* The resources at the breaking point, one line each with its figures. */
static void bn_resources(json_t *res, int md, FILE *f) {
  char a[64], b[64], c[64];
  size_t i;
  json_t *x;
  if (!json_array_size(res))
    return;
  fputs(md ? "\n**Resources at the breaking point**\n\n" : "\nResources at the breaking point\n", f);
  json_array_foreach(res, i, x) {
    const char *r = jx_str(x, "resource");
    fputs(md ? "- " : "  - ", f);
    fprintf(f, "%s (", r);
    esc_put(jx_str(x, "series"), md, f);
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

void bottleneck_print(json_t *bn, int md, FILE *f) {
  char a[64], b[64], c[64];
  json_t *v = json_object_get(bn, "verdict"), *knee = json_object_get(bn, "knee");
  json_t *run = json_object_get(bn, "run");
  if (run) {
    fputs(md ? "## Bottleneck: run " : "Bottleneck of run '", f);
    esc_put(jx_str(run, "name"), md, f);
    fputs(md ? "\n\n" : "'\n\n", f);
  }
  fprintf(f, "%sVerdict: %s", md ? "**" : "", jx_str(v, "resource"));
  fprintf(f, "%s: ", md ? "**" : "");
  esc_put(jx_str(v, "detail"), md, f);
  fprintf(f, ".\nAttributed at: %.0f VUs, t=%.0f s (%s).\n", jx_num(knee, "vus"), jx_num(knee, "time_s"),
          jx_str(knee, "basis"));
  if (json_is_string(json_object_get(bn, "first_to_degrade"))) {
    fputs("First endpoint to degrade: ", f);
    esc_put(jx_str(bn, "first_to_degrade"), md, f);
    fputc('\n', f);
  }
  fputs(md ? "\n**Evidence**\n\n" : "\nEvidence\n", f);
  bullets(json_object_get(v, "evidence"), md, f);
  static const struct ep_table degradation = {
      "\n**Endpoint degradation order**\n\n| endpoint | base p95 ms | onset VUs | onset t s | p95 at breaking ms | x at "
      "breaking |\n|---|---:|---:|---:|---:|---:|\n",
      "\nEndpoint degradation order (p95 x1.5 over low load, sustained)\n",
      {"base p95 ms", "onset VUs", "onset t s", "p95 at break ms", "x at break"},
      {11, 9, 9, 14, 9},
      {"base_p95_ms", "onset_vus", "onset_time_s", "p95_at_knee_ms", "ratio_at_knee"},
      {1, 0, 0, 1}};
  ep_table_print(&degradation, json_object_get(bn, "endpoints"), md, f);
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
  bn_resources(json_object_get(bn, "resources"), md, f);
  static const struct ep_table capacity = {
      "\n**Per-endpoint capacity**\n\n| endpoint | service ms | req/s within SLO | calls/hour within SLO | peak "
      "calls/hour | X*S at peak |\n|---|---:|---:|---:|---:|---:|\n",
      "\nPer-endpoint capacity (X*S at peak = requests in service by the utilisation law)\n",
      {"service ms", "req/s SLO", "calls/h SLO", "peak calls/h", "X*S"},
      {10, 9, 12, 12, 8},
      {"service_time_ms", "rps_within_slo", "calls_per_hour_within_slo", "peak_calls_per_hour", "concurrency_at_peak"},
      {1, 1, 0, 0}};
  ep_table_print(&capacity, json_object_get(bn, "endpoint_capacity"), md, f);
  if (json_is_string(json_object_get(bn, "llm_endpoint"))) {
    fputs(md ? "\nLLM calls/hour within SLO (" : "\nLLM calls/hour within SLO (", f);
    esc_put(jx_str(bn, "llm_endpoint"), md, f);
    fprintf(f, "): %s\n", fmtn(a, sizeof a, jx_num(bn, "llm_calls_per_hour"), 0));
  }
  if (run)
    caveats_print(json_object_get(bn, "caveats"), md, f);
  fputc('\n', f);
}

