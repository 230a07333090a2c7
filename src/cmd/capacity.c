/* capacity.c - `loadrep capacity RUN`: how many users and requests/s within
 * the SLO, where it breaks, what saturates first (analysis/capacity.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "cli.h"
#include "cmd/cmd.h"
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

/* In cmd/bottleneck.c: prints a bottleneck document (md = Markdown). */
void bottleneck_print(json_t *bn, int md, FILE *f);

static double num(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
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
  double low = num(br, "low"), high = num(br, "high"), target = num(doc, "target_users");
  json_t *met = json_object_get(doc, "target_met");
  const char *bullet = md ? "- " : "  ";
  if (md)
    fprintf(f, "## Capacity: run %s\n\n", str(run, "name"));
  else {
    fputs("Capacity of run '", f);
    fputs_term(str(run, "name"), f);
    fprintf(f, "' (id %lld)\n", (long long)json_integer_value(json_object_get(run, "id")));
  }
  fprintf(f, "%sSLO: p95 < %g ms, errors < %g%%; windows of %g s; target %g VUs\n\n", md ? "" : "", num(slo, "p95_ms"),
          100 * num(slo, "error_rate"), num(doc, "window_s"), target);
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
  if (isfinite(num(br, "estimate")))
    fprintf(f, "; interpolated %.0f", num(br, "estimate"));
  fprintf(f, ")\n");
  json_t *lci = json_object_get(br, "low_p95_ci_ms"), *hci = json_object_get(br, "high_p95_ci_ms");
  if (json_is_number(json_array_get(lci, 0)) || json_is_number(json_array_get(hci, 0))) {
    fprintf(f, "                        p95 %s ms (95%% interval %s..%s) at the low edge",
            fmtn(a, sizeof a, num(br, "low_p95_ms"), 1), fmtn(b, sizeof b, json_number_value(json_array_get(lci, 0)), 1),
            fmtn(c, sizeof c, json_number_value(json_array_get(lci, 1)), 1));
    if (json_is_number(json_array_get(hci, 0)))
      fprintf(f, ", %s ms (%s..%s) at the high edge", fmtn(a, sizeof a, num(br, "high_p95_ms"), 1),
              fmtn(b, sizeof b, json_number_value(json_array_get(hci, 0)), 1),
              fmtn(c, sizeof c, json_number_value(json_array_get(hci, 1)), 1));
    fputc('\n', f);
  }
  fprintf(f, "%sMax req/s within SLO: %s (best %g-s rolling mean before the breach; %s in the last passing level)\n",
          bullet, fmtn(a, sizeof a, num(doc, "max_rps_within_slo"), 1), num(thr, "rolling_window_s"),
          fmtn(b, sizeof b, num(thr, "rps_at_last_passing_level"), 1));
  if (json_is_object(bp))
    fprintf(f, "%sBreaking point:       %.0f VUs at t=%.0f s, by %s (p95 %s ms, errors %s%%, %s req/s)\n", bullet,
            num(bp, "vus"), num(bp, "time_s"), str(bp, "reason"), fmtn(a, sizeof a, num(bp, "p95_ms"), 1),
            fmtn(b, sizeof b, 100 * num(bp, "error_rate"), 2), fmtn(c, sizeof c, num(bp, "rps"), 1));
  else
    fprintf(f, "%sBreaking point:       none within the tested range\n", bullet);
  json_t *knee = json_object_get(crit, "throughput_knee");
  if (json_is_object(knee))
    fprintf(f, "%sThroughput knee:      %.0f VUs (hinge fit, %s; %.3f -> %.3f req/s per VU)\n", bullet,
            num(knee, "vus"), json_is_true(json_object_get(knee, "confirmed")) ? "confirmed" : "not confirmed",
            num(knee, "slope_before"), num(knee, "slope_after"));
  if (json_integer_value(json_object_get(e80, "requests")) > 0)
    fprintf(f, "%sErrors at 80%%:        %lld errors in %lld requests at <= %.1f req/s (95%% upper bound %.3f%%)%s\n",
            bullet, (long long)json_integer_value(json_object_get(e80, "errors")),
            (long long)json_integer_value(json_object_get(e80, "requests")), num(e80, "rps_limit"),
            100 * num(e80, "upper_bound"),
            json_is_true(json_object_get(e80, "zero_errors")) ? ": zero errors" : ": NOT zero");
  else
    fprintf(f, "%sErrors at 80%%:        no level ran at or below 80%% of the sustained rate\n", bullet);
  if (json_is_number(json_object_get(usl, "sigma"))) {
    json_t *sc = json_object_get(usl, "sigma_ci"), *kc = json_object_get(usl, "kappa_ci");
    fprintf(f, "%sUSL:                  sigma %.4g [%.4g, %.4g], kappa %.3g [%.3g, %.3g], lambda %.4g (R2 %.3f, %lld levels)\n",
            bullet, num(usl, "sigma"), json_number_value(json_array_get(sc, 0)), json_number_value(json_array_get(sc, 1)),
            num(usl, "kappa"), json_number_value(json_array_get(kc, 0)), json_number_value(json_array_get(kc, 1)),
            num(usl, "lambda"), num(usl, "r2"), (long long)json_integer_value(json_object_get(usl, "points")));
    fprintf(f, "%s", md ? "  " : "                        ");
  } else {
    fprintf(f, "%sUSL:                  ", bullet);
  }
  fprintf(f, "%s\n", str(usl, "statement"));
  fprintf(f, "%sLittle's law:         %s (median error %s%%, worst %s%%)\n", bullet,
          json_is_true(json_object_get(ll, "consistent")) ? "consistent"
          : json_is_false(json_object_get(ll, "consistent")) ? "NOT consistent"
                                                              : "not checked",
          fmtn(a, sizeof a, 100 * num(ll, "median_rel_error"), 1), fmtn(b, sizeof b, 100 * num(ll, "max_rel_error"), 1));
  fprintf(f, "%sBottleneck:           %s: %s\n", bullet, str(bn, "resource"), str(bn, "detail"));
  if (json_is_string(json_object_get(bn, "endpoint")))
    fprintf(f, "%sFirst to degrade:     %s\n", bullet, str(bn, "endpoint"));
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
    fputs("| t s | VUs | req/s | ok/s | mean ms | p95 ms | errors % | in flight | CPU % | SLO |\n", f);
    fputs("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n", f);
  } else {
    fputs("Load levels\n", f);
    fprintf(f, "%6s %7s %8s %8s %9s %9s %8s %9s %6s  %s\n", "t s", "VUs", "req/s", "ok/s", "mean ms", "p95 ms",
            "errors%", "in-flight", "CPU%", "SLO");
  }
  json_array_foreach(json_object_get(doc, "levels"), i, v) {
    json_t *sys = json_object_get(v, "system");
    double cpu = sys ? num(sys, "host_cpu_pct") : NAN;
    const char *ok = json_is_true(json_object_get(v, "ramp_down")) ? "ramp-down"
                     : json_is_true(json_object_get(v, "pass"))    ? "pass"
                                                                   : "FAIL";
    fmtn(a, sizeof a, num(v, "vus"), 0);
    fmtn(b, sizeof b, num(v, "rps"), 1);
    fmtn(c, sizeof c, num(v, "ok_rps"), 1);
    fmtn(d, sizeof d, num(v, "mean_ms"), 1);
    fmtn(e, sizeof e, num(v, "p95_ms"), 1);
    fmtn(h, sizeof h, 100 * num(v, "error_rate"), 2);
    fmtn(k, sizeof k, num(v, "inflight"), 1);
    fmtn(l, sizeof l, cpu, 0);
    if (md)
      fprintf(f, "| %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", num(v, "time_s"), a, b, c, d, e, h, k, l, ok);
    else
      fprintf(f, "%6.0f %7s %8s %8s %9s %9s %8s %9s %6s  %s\n", num(v, "time_s"), a, b, c, d, e, h, k, l, ok);
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
                                       {NULL, 0, NULL, 0}};
  const char *cmd = bottleneck ? "bottleneck" : "capacity";
  enum out_format fmt = FMT_TEXT;
  struct capacity_opts o;
  capacity_opts_init(&o);
  struct err err = ERR_INIT;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage_text, stdout);
      return LR_OK;
    } else if (c == 'f') {
      if (parse_format("--format", optarg, &fmt, &err) < 0)
        return usage_error(cmd, "%s", err.msg);
    } else if (c == 's') {
      if (capacity_parse_slo(optarg, &o, &err) < 0)
        return usage_error(cmd, "%s", err.msg);
    } else if (c == 't' && !bottleneck) {
      if (parse_long("--target-users", optarg, 1, 100000000, &o.target_users, &err) < 0)
        return usage_error(cmd, "%s", err.msg);
    } else if (c == 'w') {
      if (parse_duration("--window", optarg, &o.window_s, &err) < 0)
        return usage_error(cmd, "%s", err.msg);
      if (o.window_s < 1 || o.window_s > 3600)
        return usage_error(cmd, "option '--window': expected 1s to 1h, got '%s'", optarg);
    } else if (c == 't') {
      return usage_error(cmd, "option '--target-users' belongs to 'loadrep capacity'");
    } else {
      return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    }
  }
  struct store *st;
  struct run_info run;
  int orc = cli_one_run(cmd, argc, argv, g, &st, &run);
  if (orc)
    return orc;
  json_t *doc = NULL;
  int rc = bottleneck ? bottleneck_build(st, &run, &o, &doc, &err) : capacity_build(st, &run, &o, &doc, &err);
  run_info_release(&run);
  store_close(st);
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
