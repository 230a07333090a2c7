/* compare.c - `loadrep compare [BASE] RUN` and, through compare_main(), the
 * option parsing and output that `loadrep check` shares. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/history.h"
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
    "baseline') metric by metric, per endpoint and overall (ALL): latency p50, p95,\n"
    "p99 and avg of successful requests, throughput (requests/s) and error rate.\n"
    "A change is a regression only when it exceeds the threshold AND a block\n"
    "bootstrap interval (blocks of whole seconds, fixed seed) says it is real; the\n"
    "error rate uses percentage points, the error SLO and an exact binomial test.\n"
    "p95, rps and error_rate are gated; p50, p99 and avg are reported only.\n"
    "Too few samples give 'inconclusive', never a regression.\n"
    "\n"
    "options:\n"
    "  --threshold P      relative change that counts (default 20%)\n"
    "  --metric LIST      p50,p95,p99,avg,rps,error_rate (default: all)\n"
    "  --endpoint E       only endpoints whose 'METHOD name' contains E (repeatable; ALL = overall)\n"
    "  --history K        baseline = geometric mean of the last K runs of the scenario\n"
    "                     that passed 'loadrep check' (the pinned baseline is still shown)\n"
    "  --error-slo P      an error rate reaching P is a regression (default 1%)\n"
    "  --seed N           bootstrap seed (default fixed: verdicts are reproducible)\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 compared (whatever the verdict), 64 usage, 66 no such run or baseline.\n";

static const char check_usage[] =
    "usage: loadrep check RUN [options]\n"
    "\n"
    "The CI gate: compares RUN with the baseline of its scenario and environment\n"
    "(as 'loadrep compare' does) and exits 1 when any gated finding (p95, rps,\n"
    "error_rate, per endpoint or overall) regressed. The outcome is recorded for\n"
    "--history. Thresholds that k6 itself judged failed in RUN are reported.\n"
    "\n"
    "options:\n"
    "  --threshold P      relative change that counts (default 20%)\n"
    "  --metric LIST      p50,p95,p99,avg,rps,error_rate (default: all)\n"
    "  --endpoint E       only endpoints whose 'METHOD name' contains E (repeatable)\n"
    "  --history K        baseline = geometric mean of the last K runs that passed check\n"
    "  --error-slo P      an error rate reaching P is a regression (default 1%)\n"
    "  --seed N           bootstrap seed\n"
    "  --junit FILE       write JUnit XML (one testcase per endpoint x gated metric)\n"
    "  --summary FILE     append a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)\n"
    "  --annotations      print GitHub '::error::' lines for regressions\n"
    "  --no-baseline-ok   no baseline yet: pass, and make RUN the baseline\n"
    "  --format F         text (default), json or md\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 no regression, 1 regression, 64 usage, 66 no such run or no\n"
    "baseline (set one with 'loadrep baseline set RUN').\n";

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

static void print_annotations(json_t *cmp) {
  json_t *fs = json_object_get(cmp, "findings");
  for (size_t i = 0; i < json_array_size(fs); i++) {
    json_t *f = json_array_get(fs, i);
    if (!json_is_true(json_object_get(f, "gated")) ||
        strcmp(json_string_value(json_object_get(f, "verdict")), "regression"))
      continue;
    struct strbuf title = STRBUF_INIT, msg = STRBUF_INIT, line = STRBUF_INIT;
    strbuf_addf(&title, "loadrep: %s %s regressed", json_string_value(json_object_get(f, "endpoint")),
                json_string_value(json_object_get(f, "metric")));
    strbuf_addstr(&line, "::error title=");
    gh_escape(&line, title.buf, 1);
    strbuf_addstr(&line, "::");
    strbuf_addf(&msg, "%s %s: %s", json_string_value(json_object_get(f, "endpoint")),
                json_string_value(json_object_get(f, "metric")), json_string_value(json_object_get(f, "reason")));
    gh_escape(&line, msg.buf, 0);
    puts(line.buf);
    strbuf_release(&title);
    strbuf_release(&msg);
    strbuf_release(&line);
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

int compare_main(int argc, char **argv, const struct global_opts *g, int check) {
  enum { O_THRESHOLD = 256, O_METRIC, O_ENDPOINT, O_HISTORY, O_SLO, O_SEED, O_JUNIT, O_SUMMARY, O_ANNOT,
         O_NOBASE, O_FORMAT };
  static const struct option longopts[] = {
      {"threshold", required_argument, NULL, O_THRESHOLD},
      {"metric", required_argument, NULL, O_METRIC},
      {"endpoint", required_argument, NULL, O_ENDPOINT},
      {"history", required_argument, NULL, O_HISTORY},
      {"error-slo", required_argument, NULL, O_SLO},
      {"seed", required_argument, NULL, O_SEED},
      {"junit", required_argument, NULL, O_JUNIT},
      {"summary", required_argument, NULL, O_SUMMARY},
      {"annotations", no_argument, NULL, O_ANNOT},
      {"no-baseline-ok", no_argument, NULL, O_NOBASE},
      {"format", required_argument, NULL, O_FORMAT},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *cmd = check ? "check" : "compare";
  struct compare_opts o;
  compare_opts_init(&o);
  const char **eps = xcalloc((size_t)argc + 1, sizeof *eps);
  const char *junit = NULL, *summary = NULL;
  int annotations = 0, no_base_ok = 0, c, rc = LR_OK;
  enum out_format fmt = FMT_TEXT;
  struct err err = ERR_INIT;
  long lv;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case O_THRESHOLD:
      if (parse_percent("--threshold", optarg, &o.threshold_pct, &err) < 0)
        goto usage;
      break;
    case O_METRIC:
      if (compare_check_metrics(optarg, &err) < 0)
        goto usage;
      o.metrics = optarg;
      break;
    case O_ENDPOINT: eps[o.n_endpoints++] = optarg; break;
    case O_HISTORY:
      if (parse_long("--history", optarg, 1, 1000, &lv, &err) < 0)
        goto usage;
      o.history_k = (int)lv;
      break;
    case O_SLO:
      if (parse_percent("--error-slo", optarg, &o.error_slo_pct, &err) < 0)
        goto usage;
      break;
    case O_SEED: {
      char *end;
      o.seed = strtoull(optarg, &end, 0);
      if (end == optarg || *end) {
        err_set(&err, LR_USAGE, "option '--seed': expected a whole number, got '%s'", optarg);
        goto usage;
      }
      break;
    }
    case O_JUNIT:
    case O_SUMMARY:
    case O_ANNOT:
    case O_NOBASE:
      if (!check) {
        err_set(&err, LR_USAGE, "option '--%s' belongs to 'loadrep check'",
                c == O_JUNIT ? "junit" : c == O_SUMMARY ? "summary" : c == O_ANNOT ? "annotations" : "no-baseline-ok");
        goto usage;
      }
      if (c == O_JUNIT)
        junit = optarg;
      else if (c == O_SUMMARY)
        summary = optarg;
      else if (c == O_ANNOT)
        annotations = 1;
      else
        no_base_ok = 1;
      break;
    case O_FORMAT:
      if (parse_format("--format", optarg, &fmt, &err) < 0)
        goto usage;
      break;
    case 'h':
      fputs(check ? check_usage : compare_usage, stdout);
      free(eps);
      return LR_OK;
    default:
      err_set(&err, LR_USAGE, "unknown or incomplete option '%s'", argv[optind - 1]);
      goto usage;
    }
  }
  o.endpoints = eps;
  int npos = argc - optind;
  if (npos < 1 || npos > (check ? 1 : 2)) {
    err_set(&err, LR_USAGE, check ? "'check' takes one RUN" : "'compare' takes [BASE] RUN");
    goto usage;
  }
  struct store *st;
  if (cli_open_store(g, &st, &err) < 0) {
    free(eps);
    return fail(&err);
  }
  struct run_info base = {0}, cand = {0};
  json_t *cmp = NULL;
  if (store_find_run(st, argv[argc - 1], &cand, &err) < 0)
    goto failed;
  if (npos == 2) {
    if (store_find_run(st, argv[optind], &base, &err) < 0)
      goto failed;
  } else {
    int64_t bid;
    if (store_get_baseline(st, cand.scenario, cand.env, &bid, &err) < 0)
      goto failed;
    if (!bid) {
      if (check && no_base_ok) {
        if (history_pin_baseline(st, &cand, &err) < 0 || history_record_check(st, cand.id, 0, "ok", &err) < 0)
          goto failed;
        if (!g->quiet)
          fprintf(stderr, "loadrep: no baseline for scenario '%s'%s%s%s: run '%s' is now the baseline (passed)\n",
                  cand.scenario, *cand.env ? " env '" : "", cand.env, *cand.env ? "'" : "", cand.name);
        if (fmt == FMT_JSON) {
          json_t *doc = json_object();
          json_t *cj = json_object();
          json_object_set_new(cj, "id", json_integer((json_int_t)cand.id));
          json_object_set_new(cj, "name", json_string(cand.name));
          json_object_set_new(doc, "baseline", json_null());
          json_object_set_new(doc, "candidate", cj);
          json_object_set_new(doc, "threshold_pct", json_real(o.threshold_pct));
          json_object_set_new(doc, "verdict", json_string("ok"));
          json_object_set_new(doc, "findings", json_array());
          json_t *w = json_array();
          json_array_append_new(w, json_string("no baseline: this run was made the baseline"));
          json_object_set_new(doc, "warnings", w);
          print_json(doc);
          json_decref(doc);
        }
        rc = LR_OK;
        goto out;
      }
      err_set(&err, LR_NOINPUT,
              "no baseline for scenario '%s'%s%s%s: set one with 'loadrep baseline set RUN'%s", cand.scenario,
              *cand.env ? " (env '" : "", cand.env, *cand.env ? "')" : "",
              check ? " (or pass --no-baseline-ok)" : ", or name BASE");
      goto failed;
    }
    if (store_get_run(st, bid, &base, &err) < 0)
      goto failed;
  }
  if (compare_build(st, &base, &cand, &o, &cmp, &err) < 0)
    goto failed;
  const char *verdict = json_string_value(json_object_get(cmp, "verdict"));
  int regressed = !strcmp(verdict, "regression");
  if (check && history_record_check(st, cand.id, base.id, verdict, &err) < 0)
    goto failed;
  if (junit && junit_write(cmp, junit, &err) < 0)
    goto failed;
  if (summary && append_summary(cmp, summary, &err) < 0)
    goto failed;
  if (fmt == FMT_JSON) {
    print_json(cmp);
  } else {
    struct strbuf sb = STRBUF_INIT;
    if (fmt == FMT_MD)
      compare_render_md(cmp, &sb);
    else
      compare_render_text(cmp, &sb);
    fputs(sb.buf, stdout);
    strbuf_release(&sb);
  }
  if (annotations)
    print_annotations(cmp);
  rc = check && regressed ? LR_NO : LR_OK;
  goto out;
failed:
  rc = fail(&err);
out:
  json_decref(cmp);
  run_info_release(&base);
  run_info_release(&cand);
  store_close(st);
  free(eps);
  return rc;
usage:
  free(eps);
  return usage_error(cmd, "%s", err.msg);
}

int cmd_compare(int argc, char **argv, const struct global_opts *g) { return compare_main(argc, argv, g, 0); }
