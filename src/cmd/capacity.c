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

/* In cmd/bottleneck.c: prints a bottleneck document (md = Markdown). */
void bottleneck_print(json_t *bn, int md, FILE *f);

static void put_text(const char *s, int md, FILE *f) {
  if (md)
    fputs(s, f);
  else
    fputs_term(s, f);
}

/* "%.*f" or "-" when NAN. */
static const char *fmtn(char *buf, size_t n, double v, int prec) {
  if (!isfinite(v))
    snprintf(buf, n, "-");
  else
    snprintf(buf, n, "%.*f", prec, v);
  return buf;
}

static void print_capacity(json_t *doc, int md, FILE *f) {
  char a[64], b[64], c[64], d[64], e[64], h[64], k[64], l[64];
  json_t *run = json_object_get(doc, "run"), *slo = json_object_get(doc, "slo");
  json_t *br = json_object_get(doc, "max_users_within_slo"), *bp = json_object_get(doc, "breaking_point");
  json_t *thr = json_object_get(doc, "throughput"), *crit = json_object_get(doc, "criteria");
  json_t *e80 = json_object_get(doc, "errors_at_80pct"), *usl = json_object_get(doc, "usl");
  json_t *ll = json_object_get(doc, "littles_law"), *bn = json_object_get(doc, "bottleneck");
  double low = jx_num(br, "low"), high = jx_num(br, "high"), target = jx_num(doc, "target_users");
  json_t *met = json_object_get(doc, "target_met");
  const char *bullet = md ? "- " : "  ";
  if (md)
    fprintf(f, "## Capacity: run %s\n\n", jx_str(run, "name"));
  else {
    fputs("Capacity of run '", f);
    fputs_term(jx_str(run, "name"), f);
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
  (void)crit;
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
  size_t fi;
  json_t *fe;
  json_array_foreach(json_object_get(doc, "functional_errors"), fi, fe) {
    fprintf(f, "%sFunctional errors:    status %s on ", bullet, jx_str(fe, "status"));
    put_text(jx_str(fe, "endpoint"), md, f);
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
    if (md)
      fputs(json_string_value(v), f);
    else
      fputs_term(json_string_value(v), f);
    fputc('\n', f);
  }
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
  json_t *cav = json_object_get(doc, "caveats");
  if (json_array_size(cav)) {
    fprintf(f, md ? "\n**Caveats**\n\n" : "\nCaveats\n");
    json_array_foreach(cav, i, v) {
      fputs(md ? "- " : "  - ", f);
      if (md)
        fputs(json_string_value(v), f);
      else
        fputs_term(json_string_value(v), f);
      fputc('\n', f);
    }
  }
  fprintf(f, "\n");
  fprintf(f, "%s", md ? "" : "See 'loadrep bottleneck RUN' for the per-endpoint and per-resource detail.\n");
}

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
    print_capacity(doc, fmt == FMT_MD, stdout);
  int code = bottleneck || json_is_true(json_object_get(doc, "target_met")) ? LR_OK : LR_NO;
  json_decref(doc);
  return code;
}

int cmd_capacity(int argc, char **argv, const struct global_opts *g) {
  return capacity_command(argc, argv, g, 0, usage);
}
