/* loadrep report: LOAD_TEST_RESULTS.md, CAPACITY_PLANNING.md, their HTML
 * twins, report.pdf and charts/, from templates over one JSON model.
 *
 * Glue only: options, then analysis/report_model.h builds the model,
 * render/report_charts.h draws the charts, render/template.h, markdown.h
 * and pdf.h write the documents.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_model.h"
#include "analysis/report_series.h"
#include "analysis/slo.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "render/chart.h"
#include "render/outfile.h"
#include "render/report_charts.h"
#include "render/report_docs.h"
#include "render/report_html.h"
#include "store/store.h"
#include "util/err.h"
#include "util/spawn.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const char usage[] =
    "usage: loadrep report [RUN...] [--out DIR] [--format md,html,pdf]\n"
    "                      [--charts auto|always|never] [--template-dir DIR]\n"
    "                      [--targets 'p95=-50%,rps=x2,errors=/10']\n"
    "                      [--slo 'p95<2000ms,errors<1%'] [--slo-file FILE]\n"
    "                      [--target-users N]\n"
    "                      [--baseline-of RUN=BASE]... [--threshold 20%]\n"
    "                      [--title NAME] [--chart-timeout 30s] [--model FILE]\n"
    "\n"
    "Writes LOAD_TEST_RESULTS.md and CAPACITY_PLANNING.md (from the templates\n"
    "of the same name plus .tmpl, embedded or in --template-dir), their .html\n"
    "twins, report.pdf and charts/ (PNG and SVG, with the gnuplot scripts and\n"
    "data) into DIR (default docs/performance). Without RUN: the latest run of\n"
    "every scenario. Each run is compared with the baseline of its scenario\n"
    "(or BASE from --baseline-of); stress runs (scenario containing 'stress',\n"
    "or a ramp) get capacity planning, soak runs a soak section.\n"
    "\n"
    "  --targets   goals relative to the baseline: METRIC=-N% | +N% | xN | /N\n"
    "              for p50, p95, p99, avg, rps, errors\n"
    "  --charts    auto: without gnuplot, reports say charts are missing;\n"
    "              always: gnuplot is required (exit 69); never: no charts\n"
    "  --slo-file  objectives by scenario and endpoint (JSON; see docs/methods.md);\n"
    "              --slo overrides it, k6 thresholds of the run fill what it leaves\n"
    "  --title     the system's name, for the headings and the PDF title page\n"
    "  --model     also write the JSON model the templates rendered\n"
    "  --chart-lib the dygraphs directory (dygraph.min.js, dygraph.min.css) inlined\n"
    "              into the HTML for its interactive charts; default\n"
    "              $LOADREP_DYGRAPHS, else " REPORT_HTML_LIB_DEFAULT ";\n"
    "              without it the HTML keeps its static SVG charts\n"
    "\n"
    "gnuplot is $LOADREP_GNUPLOT, else 'gnuplot' in PATH. Every file is written\n"
    "to a temporary name and renamed.\n"
    "\n"
    "Exit: 0; 64 usage; 65 bad template; 66 no such run; 69 gnuplot missing or\n"
    "failed with --charts always; 73 cannot create output; 74 I/O error.\n";

struct report_opts {
  const char *out_dir;
  struct report_docs docs;
  const char *model_path;
  const char *chart_lib; /* --chart-lib */
  struct report_baseline_of *bof;
  size_t nbof, bof_cap;
  struct report_model_opts model;
  struct report_charts charts;
  struct slo_set *slo;
};

static int parse_formats(const char *s, struct report_opts *o, struct err *err) {
  o->docs.html = o->docs.pdf = 0;
  char *copy = xstrdup(s), *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (!strcmp(t, "md") || !strcmp(t, "markdown"))
      continue;
    if (!strcmp(t, "html"))
      o->docs.html = 1;
    else if (!strcmp(t, "pdf"))
      o->docs.pdf = 1;
    else {
      err_set(err, LR_USAGE, "option '--format': expected md, html or pdf (comma-separated), got '%s'", t);
      free(copy);
      return -1;
    }
  }
  free(copy);
  /* HTML and PDF are made from the Markdown, which is always written. */
  return 0;
}

static int parse_charts(const char *s, struct report_opts *o, struct err *err) {
  if (!strcmp(s, "auto"))
    o->charts.mode = REPORT_CHARTS_AUTO;
  else if (!strcmp(s, "always"))
    o->charts.mode = REPORT_CHARTS_ALWAYS;
  else if (!strcmp(s, "never"))
    o->charts.mode = REPORT_CHARTS_NEVER;
  else
    return err_set(err, LR_USAGE, "option '--charts': expected auto, always or never, got '%s'", s);
  return 0;
}

static int parse_bof(char *arg, struct report_opts *o, struct err *err) {
  char *eq = strchr(arg, '=');
  if (!eq || eq == arg || !eq[1])
    return err_set(err, LR_USAGE, "option '--baseline-of': expected RUN=BASE, got '%s'", arg);
  *eq = 0;
  XGROW(o->bof, o->bof_cap, o->nbof + 1);
  o->bof[o->nbof++] = (struct report_baseline_of){arg, eq + 1};
  return 0;
}

enum { O_OUT = 'o', O_FORMAT = 'f', O_CHARTS = 256, O_TDIR, O_TARGETS, O_SLO, O_BOF, O_THR,
       O_TITLE, O_CTIMEOUT, O_MODEL, O_TUSERS, O_SLOFILE, O_CHARTLIB };

static int parse_one(int c, char *arg, struct report_opts *o, struct err *err) {
  struct report_model_opts *m = &o->model;
  switch (c) {
  case O_OUT: o->out_dir = arg; return 0;
  case O_FORMAT: return parse_formats(arg, o, err);
  case O_CHARTS: return parse_charts(arg, o, err);
  case O_TDIR: o->docs.template_dir = arg; return 0;
  case O_TARGETS: return report_parse_targets(arg, m->targets, &m->ntargets, err);
  case O_SLO: return slo_set_cli(o->slo, arg, err);
  case O_SLOFILE: return slo_set_file(o->slo, arg, err);
  case O_TUSERS: return parse_long("--target-users", arg, 1, 100000000, &m->target_users, err);
  case O_THR: return parse_percent("--threshold", arg, &m->cmp.threshold_pct, err);
  case O_TITLE: m->title = arg; return 0;
  case O_MODEL: o->model_path = arg; return 0;
  case O_CHARTLIB: o->chart_lib = arg; return 0;
  case O_CTIMEOUT: {
    double s;
    int bad = parse_duration("--chart-timeout", arg, &s, err);
    if (!bad && (s < 0.1 || s > 3600))
      bad = err_set(err, LR_USAGE, "option '--chart-timeout': expected 100ms to 1h, got '%s'", arg);
    o->charts.timeout_ms = (int)(s * 1000);
    return bad;
  }
  case O_BOF: return parse_bof(arg, o, err);
  }
  return 0;
}

/* Returns -1 to go on, else the exit code (help, usage error). */
static int parse_args(int argc, char **argv, struct report_opts *o) {
  static const struct option opts[] = {
      {"out", required_argument, NULL, O_OUT},
      {"format", required_argument, NULL, O_FORMAT},
      {"charts", required_argument, NULL, O_CHARTS},
      {"template-dir", required_argument, NULL, O_TDIR},
      {"targets", required_argument, NULL, O_TARGETS},
      {"slo", required_argument, NULL, O_SLO},
      {"slo-file", required_argument, NULL, O_SLOFILE},
      {"target-users", required_argument, NULL, O_TUSERS},
      {"baseline-of", required_argument, NULL, O_BOF},
      {"threshold", required_argument, NULL, O_THR},
      {"title", required_argument, NULL, O_TITLE},
      {"chart-timeout", required_argument, NULL, O_CTIMEOUT},
      {"model", required_argument, NULL, O_MODEL},
      {"chart-lib", required_argument, NULL, O_CHARTLIB},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  struct err err = ERR_INIT;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "ho:f:", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage, stdout);
      return LR_OK;
    }
    if (c == '?' || c == ':')
      return usage_error("report", "unknown option '%s'", argv[optind - 1]);
    if (parse_one(c, optarg, o, &err)) {
      if (err.code == LR_USAGE)
        return usage_error("report", "%s", err.msg);
      return fail(&err);
    }
  }
  o->model.bof = o->bof;
  o->model.slo = o->model.cmp.slo = o->slo;
  o->model.nbof = o->nbof;
  o->charts.slo_p95_ms = o->model.cap.slo_p95_ms;
  return -1;
}

/* The charting library the HTML inlines: without it the pages keep their
 * static SVG charts, said once here. */
static int find_chart_lib(struct report_opts *o) {
  if (!o->docs.html || !o->charts.gnuplot_ok)
    return 0;
  const char *dir = report_html_lib_dir(o->chart_lib);
  if (!report_html_lib_ok(dir)) {
    warnf("no dygraph.min.js in '%s' (install libjs-dygraphs, or set --chart-lib or LOADREP_DYGRAPHS): "
          "the HTML pages get static charts only",
          dir);
    return 0;
  }
  o->docs.chart_lib = dir;
  o->charts.specs = json_object();
  o->docs.specs = o->charts.specs;
  return 0;
}

/* gnuplot: decided before anything is written. Returns 0 or an exit code. */
static int find_gnuplot(struct report_opts *o) {
  struct report_charts *cx = &o->charts;
  if (cx->mode == REPORT_CHARTS_NEVER) {
    o->model.charts_note = "Charts were not requested (--charts never).";
    return 0;
  }
  cx->gnuplot = chart_gnuplot_program();
  cx->gnuplot_ok = spawn_find_program(cx->gnuplot);
  if (!cx->gnuplot_ok && cx->mode == REPORT_CHARTS_ALWAYS) {
    errorf("cannot run '%s': not found (install gnuplot, set LOADREP_GNUPLOT, or use --charts auto)",
           cx->gnuplot);
    return LR_UNAVAILABLE;
  }
  if (!cx->gnuplot_ok) {
    warnf("gnuplot not found ('%s'): writing the reports without charts", cx->gnuplot);
    o->model.charts_note = "Charts are missing: gnuplot was not found (install gnuplot, or set "
                           "LOADREP_GNUPLOT, and run the report again).";
  }
  o->model.charts_enabled = cx->gnuplot_ok;
  return find_chart_lib(o);
}

/* The series of one run entry and of its baseline (when it has one). */
static int run_series(struct store *st, const struct run_info *run, json_t *entry, struct report_run_series *s,
                      struct err *err) {
  int rc = report_series_overall(st, run->id, &s->lat, &s->thr, &s->net, err);
  if (rc == 0 && (rc = report_ep_detail_read(st, run->id, &s->detail, err)) == 0)
    report_ep_table(&s->detail, 1, &s->ep, &s->labels, &s->nlabels);
  if (rc == 0)
    rc = report_series_system(st, run->id, entry, &s->sys, err);
  if (rc == 0)
    rc = report_series_status(st, run->id, &s->status, &s->statuses, &s->nstatus, err);
  const char *base = json_string_value(json_object_get(json_object_get(entry, "baseline"), "name"));
  if (rc == 0 && base) {
    struct run_info b;
    if ((rc = store_find_run(st, base, &b, err)) == 0) {
      rc = report_series_overall(st, b.id, &s->base_lat, &s->base_thr, NULL, err);
      s->base_name = json_string_value(json_object_get(json_object_get(entry, "baseline"), "name"));
      run_info_release(&b);
    }
  }
  return rc;
}

/* Writes the charts of every run, its comparison and its capacity entry. */
static int make_charts(struct store *st, const struct report_runs *rl, json_t *model, struct report_charts *cx,
                       struct err *err) {
  json_t *caps = json_object_get(model, "capacity");
  size_t ci = 0;
  for (size_t i = 0; i < rl->n; i++) {
    const struct run_info *run = &rl->v[i];
    json_t *entry = json_array_get(json_object_get(model, "runs"), i);
    struct report_run_series s;
    memset(&s, 0, sizeof s);
    int rc = run_series(st, run, entry, &s, err);
    if (rc == 0)
      rc = report_charts_run(cx, run->name, run->id, entry, &s, err);
    report_run_series_release(&s);
    if (rc < 0 || report_charts_compare(cx, run->name, run->id, entry, err) < 0)
      return -1;
    if (json_is_true(json_object_get(entry, "has_capacity")) &&
        report_charts_capacity(cx, run->name, run->id, json_array_get(caps, ci++), err) < 0)
      return -1;
    json_t *sk;
    size_t k;
    json_array_foreach(json_object_get(model, "soak"), k, sk) {
      if (json_object_get(sk, "charts") == json_object_get(entry, "charts") &&
          report_charts_soak(cx, run->name, run->id, sk, err) < 0)
        return -1;
    }
  }
  return report_charts_draw(cx, model, err);
}

static int write_model(const char *path, json_t *model, struct err *err) {
  char *s = json_dumps(model, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
  int rc = outfile_write(path, s, strlen(s), err);
  free(s);
  return rc;
}

static int make_dirs(const struct report_opts *o, struct err *err) {
  if (outfile_mkdirs(o->out_dir, err) < 0)
    return -1;
  if (o->charts.mode == REPORT_CHARTS_NEVER)
    return 0;
  struct strbuf dir = STRBUF_INIT;
  strbuf_addf(&dir, "%s/charts", o->out_dir);
  int rc = outfile_mkdirs(dir.buf, err);
  strbuf_release(&dir);
  return rc;
}

static void say_done(const struct report_opts *o) {
  fprintf(stderr, "loadrep: wrote %s/LOAD_TEST_RESULTS.md, CAPACITY_PLANNING.md", o->out_dir);
  if (o->docs.html)
    fputs(", .html", stderr);
  if (o->docs.pdf)
    fputs(", report.pdf", stderr);
  if (o->charts.n && o->charts.gnuplot_ok)
    fprintf(stderr, " and %zu charts", o->charts.n);
  fputc('\n', stderr);
}

int cmd_report(int argc, char **argv, const struct global_opts *g) {
  struct report_opts o;
  memset(&o, 0, sizeof o);
  o.out_dir = "docs/performance";
  o.docs.html = o.docs.pdf = 1;
  o.charts.mode = REPORT_CHARTS_AUTO;
  o.charts.timeout_ms = 30000;
  capacity_opts_init(&o.model.cap);
  compare_opts_init(&o.model.cmp);
  o.slo = slo_set_new();
  int rc = parse_args(argc, argv, &o);
  if (rc < 0)
    rc = find_gnuplot(&o);
  else if (rc == 0)
    rc = -2; /* --help */
  if (rc != 0) {
    free(o.bof);
    slo_set_free(o.slo);
    return rc == -2 ? LR_OK : rc;
  }
  o.charts.out_dir = o.docs.out_dir = o.out_dir;
  struct err err = ERR_INIT;
  struct store *st = NULL;
  struct report_runs rl = {0};
  json_t *model = NULL;
  if (cli_open_store(g, &st, &err) < 0 || report_resolve_runs(st, argc - optind, argv + optind, &rl, &err) < 0 ||
      make_dirs(&o, &err) < 0 || report_model_build(st, &rl, &o.model, &model, &err) < 0 ||
      make_charts(st, &rl, model, &o.charts, &err) < 0) {
    rc = fail(&err);
    goto done;
  }
  report_docs_decorate(model);
  if ((o.model_path && write_model(o.model_path, model, &err) < 0) || report_docs_write(&o.docs, model, &err) < 0) {
    rc = fail(&err);
    goto done;
  }
  if (!g->quiet)
    say_done(&o);
done:
  json_decref(model);
  report_runs_release(&rl);
  report_charts_release(&o.charts);
  json_decref(o.charts.specs);
  free(o.bof);
  slo_set_free(o.slo);
  store_close(st);
  return rc;
}
