/* compare.c - `loadrep compare [BASE] RUN` and, through compare_main(), the
 * option parsing and output that `loadrep check` shares. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "render/compare_render.h"
#include "analysis/history.h"
#include "analysis/slo.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "render/junit.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Shared with cmd/check.c (declared there too). check = 1 runs the CI gate. */
int compare_main(int argc, char **argv, const struct global_opts *g, int check);

static const char compare_usage[] =
    "usage: loadrep compare [BASE] RUN [options]\n"
    "\n"
    "Compares RUN with BASE (default: the baseline of RUN's scenario, see 'loadrep\n"
    "baseline') metric by metric, per endpoint and overall (ALL), over the whole\n"
    "runs: latency p50, p95, p99 and avg of every request (k6's http_req_duration),\n"
    "ok_p95 of successful requests, throughput (requests/s) and error rate (points).\n"
    "A change is a regression when it is worse than the threshold AND its 95 %\n"
    "interval (block bootstrap; Newcombe for the error rate) excludes no change.\n"
    "p95, rps and error_rate are gated; p50, p99, avg and ok_p95 are reported only.\n"
    "Too few samples give 'inconclusive', never a regression. Runs of different\n"
    "load are 'not_comparable' whole-run; ramps are then compared at matched load\n"
    "levels and by capacity. The candidate's objectives (SLOs) are judged apart:\n"
    "a miss is 'slo_breach'.\n"
    "\n"
    "options:\n"
    "  --threshold P      relative change that counts (default 20%)\n"
    "  --metric LIST      p50,p95,p99,avg,ok_p95,rps,error_rate (default: all)\n"
    "  --endpoint E       only endpoints whose 'METHOD name' contains E (repeatable; ALL = overall)\n"
    "  --history K        baseline = geometric mean of the last K runs of the scenario\n"
    "                     that passed 'loadrep check' (the pinned baseline is still shown)\n"
    "  --slo TEXT         objectives for every endpoint, e.g. 'p95<2000ms,errors<1%'\n"
    "  --slo-file FILE    objectives per scenario and endpoint (JSON, see docs/methods.md)\n"
    "  --no-slo           no absolute objectives: compare with the baseline only\n"
    "  --error-slo P      the error objective alone (same as --slo 'errors<P')\n"
    "  --seed N           bootstrap seed (default fixed: verdicts are reproducible)\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 compared (whatever the verdict), 64 usage, 65 a bad SLO file,\n"
    "66 no such run or baseline.\n";

static const char check_usage[] =
    "usage: loadrep check RUN [options]\n"
    "\n"
    "The CI gate: compares RUN with the baseline of its scenario and environment\n"
    "(as 'loadrep compare' does) and exits 1 when the verdict is not ok: a gated\n"
    "finding (p95, rps, error_rate, per endpoint or overall) regressed, RUN missed\n"
    "an objective (slo_breach, including thresholds k6 judged failed), RUN is\n"
    "incomplete, or the loads are not comparable. The outcome is recorded for\n"
    "--history.\n"
    "\n"
    "options:\n"
    "  --threshold P      relative change that counts (default 20%)\n"
    "  --metric LIST      p50,p95,p99,avg,ok_p95,rps,error_rate (default: all)\n"
    "  --endpoint E       only endpoints whose 'METHOD name' contains E (repeatable)\n"
    "  --history K        baseline = geometric mean of the last K runs that passed check\n"
    "  --slo TEXT         objectives for every endpoint, e.g. 'p95<2000ms,errors<1%'\n"
    "  --slo-file FILE    objectives per scenario and endpoint (JSON)\n"
    "  --no-slo           no absolute objectives: the baseline comparison only\n"
    "  --error-slo P      the error objective alone (same as --slo 'errors<P')\n"
    "  --seed N           bootstrap seed\n"
    "  --junit FILE       write JUnit XML (one testcase per endpoint x gated metric)\n"
    "  --summary FILE     append a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)\n"
    "  --annotations      print GitHub '::error::' lines for regressions\n"
    "  --no-baseline-ok   no baseline yet: judge RUN by its objectives alone; when it\n"
    "                     meets them and is complete, make it the baseline\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 ok, 1 regression, slo_breach, incomplete or not_comparable,\n"
    "64 usage, 65 a bad SLO file, 66 no such run or no baseline (set one with\n"
    "'loadrep baseline set RUN').\n";

/* GitHub workflow-command escaping: data needs % CR LF; properties also : and ,. */
static void gh_escape(struct strbuf *sb, const char *s, int property) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '%')
      strbuf_addstr(sb, "%25");
    else if (c == '\r')
      strbuf_addstr(sb, "%0D");
    else if (c == '\n')
      strbuf_addstr(sb, "%0A");
    else if (property && c == ':')
      strbuf_addstr(sb, "%3A");
    else if (property && c == ',')
      strbuf_addstr(sb, "%2C");
    else if (c < 0x20 || c == 0x7f)
      strbuf_addch(sb, ' ');
    else
      strbuf_addch(sb, (char)c);
  }
}

static void annotate(const char *title, const char *msg) {
  struct strbuf line = STRBUF_INIT;
  strbuf_addstr(&line, "::error title=");
  gh_escape(&line, title, 1);
  strbuf_addstr(&line, "::");
  gh_escape(&line, msg, 0);
  puts(line.buf);
  strbuf_release(&line);
}

/* GitHub annotations: one per gated regression and per missed objective. */
static void print_annotations(json_t *cmp) {
  json_t *fs = json_object_get(cmp, "findings");
  for (size_t i = 0; i < json_array_size(fs); i++) {
    json_t *f = json_array_get(fs, i);
    if (!json_is_true(json_object_get(f, "gated")) ||
        strcmp(json_string_value(json_object_get(f, "verdict")), "regression"))
      continue;
    struct strbuf title = STRBUF_INIT, msg = STRBUF_INIT;
    const char *ep = json_string_value(json_object_get(f, "endpoint"));
    const char *m = json_string_value(json_object_get(f, "metric"));
    strbuf_addf(&title, "loadrep: %s %s regressed", ep, m);
    strbuf_addf(&msg, "%s %s: %s", ep, m, json_string_value(json_object_get(f, "reason")));
    annotate(title.buf, msg.buf);
    strbuf_release(&title);
    strbuf_release(&msg);
  }
  json_t *ob = json_object_get(cmp, "objectives");
  for (size_t i = 0; i < json_array_size(ob); i++) {
    json_t *o = json_array_get(ob, i);
    if (strcmp(json_string_value(json_object_get(o, "verdict")), "slo_breach"))
      continue;
    struct strbuf title = STRBUF_INIT, msg = STRBUF_INIT;
    const char *ep = json_string_value(json_object_get(o, "endpoint"));
    strbuf_addf(&title, "loadrep: %s missed its %s objective", ep, json_string_value(json_object_get(o, "metric")));
    strbuf_addf(&msg, "%s: %s", ep, json_string_value(json_object_get(o, "reason")));
    annotate(title.buf, msg.buf);
    strbuf_release(&title);
    strbuf_release(&msg);
  }
}

static int append_summary(json_t *cmp, const char *path, struct err *err) {
  struct strbuf md = STRBUF_INIT;
  compare_render_md(cmp, &md);
  FILE *f = fopen(path, "a");
  if (!f) {
    strbuf_release(&md);
    return err_set(err, LR_CANTCREAT, "cannot open '%s' for --summary: %s", path, strerror(errno));
  }
  size_t wr = fwrite(md.buf, 1, md.len, f);
  int bad = wr != md.len || fputc('\n', f) == EOF || ferror(f);
  if (fclose(f) != 0 || bad) {
    strbuf_release(&md);
    return err_set(err, LR_IOERR, "cannot write '%s'", path);
  }
  strbuf_release(&md);
  return 0;
}

struct cmp_cli {
  struct compare_opts o;
  struct slo_set *slo;
  const char **eps;
  const char *junit, *summary;
  int annotations, no_base_ok;
  enum out_format fmt;
};

static int set_error_slo(struct slo_set *slo, const char *arg, struct err *err) {
  double pct;
  if (parse_percent("--error-slo", arg, &pct, err) < 0)
    return -1;
  char text[64];
  snprintf(text, sizeof text, "errors<%.17g%%", pct);
  return slo_set_cli(slo, text, err);
}

/* Parses the options; returns 1 after --help, 0 to go on, -1 on a usage error. */
static int parse_cli(int argc, char **argv, int check, struct cmp_cli *c, struct err *err) {
  enum { O_THRESHOLD = 256, O_METRIC, O_ENDPOINT, O_HISTORY, O_ERRSLO, O_SLO, O_SLOFILE, O_NOSLO, O_SEED, O_JUNIT,
         O_SUMMARY, O_ANNOT, O_NOBASE, O_FORMAT };
  static const struct option longopts[] = {
      {"threshold", required_argument, NULL, O_THRESHOLD}, {"metric", required_argument, NULL, O_METRIC},
      {"endpoint", required_argument, NULL, O_ENDPOINT},   {"history", required_argument, NULL, O_HISTORY},
      {"error-slo", required_argument, NULL, O_ERRSLO},    {"slo", required_argument, NULL, O_SLO},
      {"slo-file", required_argument, NULL, O_SLOFILE},    {"no-slo", no_argument, NULL, O_NOSLO},
      {"seed", required_argument, NULL, O_SEED},           {"junit", required_argument, NULL, O_JUNIT},
      {"summary", required_argument, NULL, O_SUMMARY},     {"annotations", no_argument, NULL, O_ANNOT},
      {"no-baseline-ok", no_argument, NULL, O_NOBASE},     {"format", required_argument, NULL, O_FORMAT},
      {"help", no_argument, NULL, 'h'},                    {NULL, 0, NULL, 0},
  };
  long lv;
  int opt;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (opt) {
    case O_THRESHOLD:
      if (parse_percent("--threshold", optarg, &c->o.threshold_pct, err) < 0)
        return -1;
      break;
    case O_METRIC:
      if (compare_check_metrics(optarg, err) < 0)
        return -1;
      c->o.metrics = optarg;
      break;
    case O_ENDPOINT: c->eps[c->o.n_endpoints++] = optarg; break;
    case O_HISTORY:
      if (parse_long("--history", optarg, 1, 1000, &lv, err) < 0)
        return -1;
      c->o.history_k = (int)lv;
      break;
    case O_ERRSLO:
      if (set_error_slo(c->slo, optarg, err) < 0)
        return -1;
      break;
    case O_SLO:
      if (slo_set_cli(c->slo, optarg, err) < 0)
        return -1;
      break;
    case O_SLOFILE:
      if (slo_set_file(c->slo, optarg, err) < 0)
        return -2; /* a bad file is bad data, not a usage error */
      break;
    case O_NOSLO: c->o.no_slo = 1; break;
    case O_SEED: {
      char *end;
      c->o.seed = strtoull(optarg, &end, 0);
      if (end == optarg || *end)
        return err_set(err, LR_USAGE, "option '--seed': expected a whole number, got '%s'", optarg);
      break;
    }
    case O_JUNIT:
    case O_SUMMARY:
    case O_ANNOT:
    case O_NOBASE:
      if (!check)
        return err_set(err, LR_USAGE, "option '--%s' belongs to 'loadrep check'",
                       opt == O_JUNIT     ? "junit"
                       : opt == O_SUMMARY ? "summary"
                       : opt == O_ANNOT   ? "annotations"
                                          : "no-baseline-ok");
      if (opt == O_JUNIT)
        c->junit = optarg;
      else if (opt == O_SUMMARY)
        c->summary = optarg;
      else if (opt == O_ANNOT)
        c->annotations = 1;
      else
        c->no_base_ok = 1;
      break;
    case O_FORMAT:
      if (parse_format("--format", optarg, &c->fmt, err) < 0)
        return -1;
      break;
    case 'h': fputs(check ? check_usage : compare_usage, stdout); return 1;
    default: return err_set(err, LR_USAGE, "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  c->o.endpoints = c->eps;
  c->o.slo = c->slo;
  int npos = argc - optind;
  if (npos < 1 || npos > (check ? 1 : 2))
    return err_set(err, LR_USAGE, check ? "'check' takes one RUN" : "'compare' takes [BASE] RUN");
  return 0;
}

/* check --no-baseline-ok without a baseline: the objectives alone judge the
 * run; a run that meets them and is complete becomes the baseline. */
static int check_without_baseline(struct store *st, const struct run_info *cand, const struct cmp_cli *c,
                                  const struct global_opts *g, json_t **out, struct err *err) {
  json_t *objectives;
  if (compare_objectives_alone(st, cand, &c->o, &objectives, err) < 0)
    return -1;
  int breach = 0;
  for (size_t i = 0; i < json_array_size(objectives); i++)
    breach |= !strcmp(json_string_value(json_object_get(json_array_get(objectives, i), "verdict")), "slo_breach");
  const char *verdict = breach ? "slo_breach" : cand->complete == 0 ? "incomplete" : "ok";
  json_t *w = json_array();
  if (!strcmp(verdict, "ok")) {
    if (history_pin_baseline(st, cand, err) < 0) {
      json_decref(w);
      json_decref(objectives);
      return -1;
    }
    json_array_append_new(w, json_string("no baseline: the run met its objectives and was made the baseline"));
    if (!g->quiet)
      fprintf(stderr, "loadrep: no baseline for scenario '%s'%s%s%s: run '%s' met its objectives and is now the "
                      "baseline\n", cand->scenario, *cand->env ? " env '" : "", cand->env, *cand->env ? "'" : "",
              cand->name);
  } else {
    json_array_append_new(w, json_string(breach ? "no baseline, and the run missed its objectives: not made the baseline"
                                                : "no baseline, and the run is incomplete: not made the baseline"));
  }
  if (history_record_check(st, cand->id, 0, strcmp(verdict, "ok") ? "regression" : "ok", err) < 0) {
    json_decref(w);
    json_decref(objectives);
    return -1;
  }
  json_t *doc = json_object();
  json_object_set_new(doc, "baseline", json_null());
  json_object_set_new(doc, "candidate", json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)cand->id, "name",
                                                  cand->name, "scenario", cand->scenario, "env", cand->env, "complete",
                                                  cand->complete == 0 ? json_false() : json_true()));
  json_object_set_new(doc, "threshold_pct", json_real(c->o.threshold_pct));
  json_object_set_new(doc, "verdict", json_string(verdict));
  json_object_set_new(doc, "baseline_kind", json_string("none"));
  json_object_set_new(doc, "findings", json_array());
  json_object_set_new(doc, "objectives", objectives);
  json_object_set_new(doc, "warnings", w);
  json_object_set_new(doc, "k6_thresholds_failed", json_array());
  *out = doc;
  return 0;
}

/* The baseline of cand: BASE when named, else the pinned one. *none = 1 when
 * there is none. */
static int find_baseline(struct store *st, int argc, char **argv, int npos, const struct run_info *cand,
                         struct run_info *base, int *none, struct err *err) {
  *none = 0;
  if (npos == 2)
    return store_find_run(st, argv[optind], base, err);
  int64_t bid;
  if (store_get_baseline(st, cand->scenario, cand->env, &bid, err) < 0)
    return -1;
  (void)argc;
  if (!bid) {
    *none = 1;
    return 0;
  }
  return store_get_run(st, bid, base, err);
}

int compare_main(int argc, char **argv, const struct global_opts *g, int check) {
  const char *cmd = check ? "check" : "compare";
  struct cmp_cli c;
  memset(&c, 0, sizeof c);
  compare_opts_init(&c.o);
  c.fmt = FMT_TEXT;
  c.slo = slo_set_new();
  c.eps = xcalloc((size_t)argc + 1, sizeof *c.eps);
  struct err err = ERR_INIT;
  int rc = parse_cli(argc, argv, check, &c, &err);
  if (rc != 0) {
    free(c.eps);
    slo_set_free(c.slo);
    if (rc == 1)
      return LR_OK;
    return rc == -2 ? fail(&err) : usage_error(cmd, "%s", err.msg);
  }
  int npos = argc - optind;
  struct store *st;
  if (cli_open_store(g, &st, &err) < 0) {
    free(c.eps);
    slo_set_free(c.slo);
    return fail(&err);
  }
  struct run_info base = {0}, cand = {0};
  json_t *cmp = NULL;
  int none;
  if (store_find_run(st, argv[argc - 1], &cand, &err) < 0 ||
      find_baseline(st, argc, argv, npos, &cand, &base, &none, &err) < 0)
    goto failed;
  if (none && !(check && c.no_base_ok)) {
    err_set(&err, LR_NOINPUT, "no baseline for scenario '%s'%s%s%s: set one with 'loadrep baseline set RUN'%s",
            cand.scenario, *cand.env ? " (env '" : "", cand.env, *cand.env ? "')" : "",
            check ? " (or pass --no-baseline-ok)" : ", or name BASE");
    goto failed;
  }
  if (none ? check_without_baseline(st, &cand, &c, g, &cmp, &err) < 0
           : compare_build(st, &base, &cand, &c.o, &cmp, &err) < 0)
    goto failed;
  const char *verdict = json_string_value(json_object_get(cmp, "verdict"));
  if (check && !none && history_record_check(st, cand.id, base.id, strcmp(verdict, "ok") ? "regression" : "ok", &err) < 0)
    goto failed;
  if (c.junit && junit_write(cmp, c.junit, &err) < 0)
    goto failed;
  if (c.summary && append_summary(cmp, c.summary, &err) < 0)
    goto failed;
  print_doc(cmp, c.fmt, compare_render_md, compare_render_text);
  if (c.annotations)
    print_annotations(cmp);
  rc = check && strcmp(verdict, "ok") ? LR_NO : LR_OK;
  goto out;
failed:
  rc = fail(&err);
out:
  json_decref(cmp);
  run_info_release(&base);
  run_info_release(&cand);
  store_close(st);
  free(c.eps);
  slo_set_free(c.slo);
  return rc;
}

int cmd_compare(int argc, char **argv, const struct global_opts *g) { return compare_main(argc, argv, g, 0); }
