/* loadrep report: LOAD_TEST_RESULTS.md, CAPACITY_PLANNING.md, their HTML
 * twins, report.pdf and charts/, from templates over one JSON model.
 *
 * The model holds the very documents `show`, `compare`, `capacity` (and
 * `soak`) print with --format json, plus a few derived tables (SLO rows,
 * targets, errors by status); templates only format what is in it, so every
 * number in the Markdown is the number those commands give.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analysis/capacity.h"
#include "analysis/compare.h"
#include "analysis/show.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "ingest/endpoint.h"
#include "render/chart.h"
#include "render/escape.h"
#include "render/markdown.h"
#include "render/outfile.h"
#include "render/pdf.h"
#include "render/template.h"
#include "store/store.h"
#include "util/embedded.h"
#include "util/err.h"
#include "util/spawn.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#if defined(__has_include)
#if __has_include("analysis/soak.h")
#include "analysis/soak.h"
#define HAVE_SOAK 1
#endif
#endif

static const char usage[] =
    "usage: loadrep report [RUN...] [--out DIR] [--format md,html,pdf]\n"
    "                      [--charts auto|always|never] [--template-dir DIR]\n"
    "                      [--targets 'p95=-50%,rps=x2,errors=/10']\n"
    "                      [--slo 'p95<2000ms,errors<1%'] [--target-users N]\n"
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
    "  --title     the system's name, for the headings and the PDF title page\n"
    "  --model     also write the JSON model the templates rendered\n"
    "\n"
    "gnuplot is $LOADREP_GNUPLOT, else 'gnuplot' in PATH. Every file is written\n"
    "to a temporary name and renamed.\n"
    "\n"
    "Exit: 0; 64 usage; 65 bad template; 66 no such run; 69 gnuplot missing or\n"
    "failed with --charts always; 73 cannot create output; 74 I/O error.\n";

enum charts_mode { CHARTS_AUTO, CHARTS_ALWAYS, CHARTS_NEVER };

struct baseline_of {
  const char *run, *base;
};

struct target {
  char metric[16];
  char op;      /* '-' lower by pct, '+' higher by pct, 'x' times, '/' divided */
  double value;
  char text[64];
};

struct report_opts {
  const char *out_dir;
  int md, html, pdf;
  enum charts_mode charts;
  const char *template_dir;
  const char *title;
  const char *model_path;
  struct target targets[8];
  size_t ntargets;
  struct baseline_of *bof;
  size_t nbof, bof_cap;
  struct capacity_opts cap;
  struct compare_opts cmp;
  int chart_timeout_ms;
  const char *gnuplot;
  int gnuplot_ok;
};

/* Charts made so far (for the PDF/HTML and the "ran gnuplot" step). */
struct chart_list {
  char **stems;
  size_t n, cap;
};

/* ---------------------------------------------------------------- options */

static int parse_formats(const char *s, struct report_opts *o, struct err *err) {
  o->md = o->html = o->pdf = 0;
  char *copy = xstrdup(s), *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (!strcmp(t, "md") || !strcmp(t, "markdown"))
      o->md = 1;
    else if (!strcmp(t, "html"))
      o->html = 1;
    else if (!strcmp(t, "pdf"))
      o->pdf = 1;
    else {
      err_set(err, LR_USAGE, "option '--format': expected md, html or pdf (comma-separated), got '%s'", t);
      free(copy);
      return -1;
    }
  }
  free(copy);
  /* HTML and PDF are made from the Markdown, which is always written. */
  o->md = 1;
  return 0;
}

static int parse_targets(const char *s, struct report_opts *o, struct err *err) {
  char *copy = xstrdup(s), *save = NULL;
  int rc = 0;
  o->ntargets = 0;
  for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
    while (*t == ' ')
      t++;
    char *eq = strchr(t, '=');
    struct target tg;
    memset(&tg, 0, sizeof tg);
    if (!eq || eq == t || (size_t)(eq - t) >= sizeof tg.metric || o->ntargets == 8) {
      rc = -1;
      break;
    }
    memcpy(tg.metric, t, (size_t)(eq - t));
    if (strcmp(tg.metric, "p50") && strcmp(tg.metric, "p95") && strcmp(tg.metric, "p99") &&
        strcmp(tg.metric, "avg") && strcmp(tg.metric, "rps") && strcmp(tg.metric, "errors")) {
      rc = -1;
      break;
    }
    const char *v = eq + 1;
    char *end;
    if (*v == 'x' || *v == '/' || *v == '*') {
      tg.op = *v == '/' ? '/' : 'x';
      errno = 0;
      tg.value = strtod(v + 1, &end);
      if (end == v + 1 || *end || errno || !(tg.value > 0) || !isfinite(tg.value))
        rc = -1;
    } else if (*v == '-' || *v == '+') {
      tg.op = *v;
      errno = 0;
      tg.value = strtod(v + 1, &end);
      if (end == v + 1 || strcmp(end, "%") || errno || !(tg.value >= 0) || tg.value > 1000)
        rc = -1;
    } else {
      rc = -1;
    }
    snprintf(tg.text, sizeof tg.text, "%s", v);
    if (rc == 0)
      o->targets[o->ntargets++] = tg;
  }
  if (rc < 0)
    err_set(err, LR_USAGE,
            "option '--targets': expected METRIC=-N%%|+N%%|xN|/N for p50, p95, p99, avg, rps or "
            "errors (comma-separated), got '%s'",
            s);
  free(copy);
  return rc;
}

/* ------------------------------------------------------------------ helpers */

static json_t *jget(json_t *o, const char *path) {
  char *copy = xstrdup(path), *save = NULL;
  json_t *v = o;
  for (char *t = strtok_r(copy, ".", &save); t && v; t = strtok_r(NULL, ".", &save))
    v = json_object_get(v, t);
  free(copy);
  return v;
}

static double jnum(json_t *o, const char *path) {
  json_t *v = jget(o, path);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *jstr(json_t *o, const char *path) {
  json_t *v = jget(o, path);
  return json_is_string(v) ? json_string_value(v) : "";
}

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* A formatted number as a string member: fmt_set(o, "p95_text", "ms", v). */
static void fmt_set(json_t *o, const char *key, const char *filter, double v) {
  struct strbuf sb = STRBUF_INIT;
  tmpl_format_number(filter, v, &sb);
  json_object_set_new(o, key, json_string(sb.buf));
  strbuf_release(&sb);
}

static int contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (const char *p = hay; *p; p++)
    if (!strncasecmp(p, needle, n))
      return 1;
  return 0;
}

/* ------------------------------------------------------------------- charts */

static char *unique_stem(struct chart_list *cl, const char *run_name, int64_t id,
                         const char *what) {
  struct strbuf sb = STRBUF_INIT;
  esc_filename(&sb, run_name);
  strbuf_addf(&sb, "-%s", what);
  for (size_t i = 0; i < cl->n; i++)
    if (!strcmp(cl->stems[i], sb.buf)) {
      strbuf_reset(&sb);
      esc_filename(&sb, run_name);
      strbuf_addf(&sb, "-%lld-%s", (long long)id, what);
      break;
    }
  return strbuf_detach(&sb, NULL);
}

/* Writes the chart's files; on success records it and returns the Markdown
 * link target ("charts/STEM.svg") as a JSON string, else JSON null. */
static json_t *make_chart(const struct report_opts *o, struct chart_list *cl, struct chart *c,
                          struct err *err, int *failed) {
  if (o->charts == CHARTS_NEVER || c->nrows == 0)
    return json_null();
  struct strbuf dir = STRBUF_INIT;
  strbuf_addf(&dir, "%s/charts", o->out_dir);
  if (chart_write(c, dir.buf, err) < 0) {
    strbuf_release(&dir);
    *failed = 1;
    return json_null();
  }
  strbuf_release(&dir);
  XGROW(cl->stems, cl->cap, cl->n + 1);
  cl->stems[cl->n++] = xstrdup(c->name);
  if (!o->gnuplot_ok)
    return json_null();
  struct strbuf link = STRBUF_INIT;
  strbuf_addf(&link, "charts/%s.svg", c->name);
  json_t *j = json_string(link.buf);
  strbuf_release(&link);
  return j;
}

struct series_buf {
  double *x, *y;
  size_t n, cap, ncols;
};

static void sb_row(struct series_buf *b, double x, const double *vals) {
  XGROW(b->x, b->cap, b->n + 1);
  b->y = xrealloc(b->y, b->cap * b->ncols * sizeof *b->y);
  b->x[b->n] = x;
  memcpy(b->y + b->n * b->ncols, vals, b->ncols * sizeof *vals);
  b->n++;
}

static void sb_free(struct series_buf *b) {
  free(b->x);
  free(b->y);
  memset(b, 0, sizeof *b);
}

/* Picks a system series by conventional names (first pattern that matches
 * any series wins). Returns its id or 0. */
static int64_t pick_series(struct store *st, int64_t run_id, const char *const *patterns,
                           char **name_out, struct err *err) {
  sqlite3_stmt *s = store_prepare(
      st, "SELECT id, name FROM sys_series WHERE run_id = ? ORDER BY id", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  char **names = NULL;
  int64_t *ids = NULL;
  size_t n = 0, cap = 0, icap = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    XGROW(names, cap, n + 1);
    XGROW(ids, icap, n + 1);
    ids[n] = sqlite3_column_int64(s, 0);
    names[n++] = xstrdup(store_col_text(s, 1));
  }
  sqlite3_finalize(s);
  int64_t found = 0;
  for (const char *const *p = patterns; *p && !found; p++)
    for (size_t i = 0; i < n && !found; i++)
      if (!strcmp(names[i], *p)) {
        found = ids[i];
        *name_out = xstrdup(names[i]);
      }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  free(ids);
  return found;
}

static const char *const cpu_patterns[] = {
    "sut_cpu_pct", "process_cpu_pct", "sut_process_cpu_seconds_rate", "app_cpu_pct",
    "host_cpu_busy_pct", "node_cpu_utilisation_pct", "cpu_pct", "cpu", NULL};
static const char *const mem_patterns[] = {
    "sut_rss_kb", "sut_rss_bytes", "sut_process_resident_memory_bytes", "process_rss_kb",
    "process_resident_memory_bytes", "rss_kb", "mem_used_kb", "node_memory_used_bytes",
    "mem_used_bytes", NULL};

/* The show.system entry for series `name` (NULL when absent). */
static json_t *system_entry(json_t *show, const char *name) {
  json_t *sys = json_object_get(show, "system"), *e;
  size_t i;
  json_array_foreach(sys, i, e) if (!strcmp(jstr(e, "series"), name)) return e;
  return NULL;
}

static int run_charts(struct store *st, const struct run_info *run, json_t *entry,
                      const struct report_opts *o, struct chart_list *cl, struct err *err) {
  json_t *charts = json_object();
  json_object_set_new(entry, "charts", charts);
  int failed = 0;
  /* Overall one-second buckets. */
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT t, requests, failures, p50, p95, p99, vus FROM buckets "
                                  "WHERE run_id = ? AND endpoint_id IS NULL ORDER BY t",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run->id);
  struct series_buf lat = {.ncols = 4}, thr = {.ncols = 3};
  while (sqlite3_step(s) == SQLITE_ROW) {
    double t = sqlite3_column_double(s, 0);
    double v4[4] = {store_col_double(s, 3), store_col_double(s, 4), store_col_double(s, 5),
                    store_col_double(s, 6)};
    sb_row(&lat, t, v4);
    double v3[3] = {(double)sqlite3_column_int64(s, 1), (double)sqlite3_column_int64(s, 2),
                    store_col_double(s, 6)};
    sb_row(&thr, t, v3);
  }
  sqlite3_finalize(s);
  const char *title_name = run->name;
  struct strbuf title = STRBUF_INIT;

  static const struct chart_series lat_s[] = {
      {"p50", 0, 0}, {"p95", 0, 0}, {"p99", 0, 0}, {"VUs (right axis)", 1, 3}};
  char *stem = unique_stem(cl, run->name, run->id, "latency");
  strbuf_addf(&title, "Response time percentiles per second - %s", title_name);
  struct chart c = {stem, title.buf, "seconds since start", "ms (successful requests)", "VUs",
                    CHART_LINES, 4, lat_s, lat.n, lat.x, NULL, lat.y,
                    o->cap.slo_p95_ms, "SLO p95", NAN, NULL, 1, 1};
  /* Draw the SLO line only when it is within reach of the data. */
  double ymax = 0;
  for (size_t i = 0; i < lat.n * 4; i++)
    if (i % 4 != 3 && isfinite(lat.y[i]) && lat.y[i] > ymax)
      ymax = lat.y[i];
  if (ymax < o->cap.slo_p95_ms * 0.25)
    c.hline = NAN;
  json_object_set_new(charts, "latency", make_chart(o, cl, &c, err, &failed));
  free(stem);

  static const struct chart_series thr_s[] = {
      {"requests/s", 0, 0}, {"failed requests/s", 0, 0}, {"VUs (right axis)", 1, 3}};
  stem = unique_stem(cl, run->name, run->id, "throughput");
  strbuf_reset(&title);
  strbuf_addf(&title, "Requests and errors per second - %s", title_name);
  struct chart c2 = {stem, title.buf, "seconds since start", "requests per second", "VUs",
                     CHART_LINES, 3, thr_s, thr.n, thr.x, NULL, thr.y, NAN, NULL, NAN, NULL, 1, 0};
  json_object_set_new(charts, "throughput", make_chart(o, cl, &c2, err, &failed));
  free(stem);
  sb_free(&lat);
  sb_free(&thr);

  /* Per-endpoint p95 per second: one column per endpoint. */
  s = store_prepare(st, "SELECT id, method, name FROM endpoints WHERE run_id = ? ORDER BY name, method",
                    err);
  if (!s) {
    strbuf_release(&title);
    return -1;
  }
  sqlite3_bind_int64(s, 1, run->id);
  int64_t *eids = NULL;
  char **labels = NULL;
  size_t ne = 0, ecap = 0, lcap = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    XGROW(eids, ecap, ne + 1);
    XGROW(labels, lcap, ne + 1);
    eids[ne] = sqlite3_column_int64(s, 0);
    labels[ne++] = endpoint_label(store_col_text(s, 1), store_col_text(s, 2));
  }
  sqlite3_finalize(s);
  if (ne > 0) {
    s = store_prepare(st,
                      "SELECT t, endpoint_id, p95 FROM buckets WHERE run_id = ? AND endpoint_id IS NOT NULL "
                      "ORDER BY t, endpoint_id",
                      err);
    if (!s) {
      strbuf_release(&title);
      return -1;
    }
    sqlite3_bind_int64(s, 1, run->id);
    struct series_buf ep = {.ncols = ne};
    double *row = xmalloc(ne * sizeof *row);
    double cur_t = NAN;
    for (size_t i = 0; i < ne; i++)
      row[i] = NAN;
    while (sqlite3_step(s) == SQLITE_ROW) {
      double t = sqlite3_column_double(s, 0);
      if (!isnan(cur_t) && t != cur_t) {
        sb_row(&ep, cur_t, row);
        for (size_t i = 0; i < ne; i++)
          row[i] = NAN;
      }
      cur_t = t;
      int64_t id = sqlite3_column_int64(s, 1);
      for (size_t i = 0; i < ne; i++)
        if (eids[i] == id)
          row[i] = store_col_double(s, 2);
    }
    if (!isnan(cur_t))
      sb_row(&ep, cur_t, row);
    sqlite3_finalize(s);
    struct chart_series *es = xcalloc(ne, sizeof *es);
    for (size_t i = 0; i < ne; i++)
      es[i].title = labels[i];
    stem = unique_stem(cl, run->name, run->id, "endpoints-p95");
    strbuf_reset(&title);
    strbuf_addf(&title, "p95 per endpoint per second - %s", title_name);
    struct chart c3 = {stem, title.buf, "seconds since start", "ms (successful requests)", NULL,
                       CHART_LINES, ne, es, ep.n, ep.x, NULL, ep.y, NAN, NULL, NAN, NULL, 1, 1};
    json_object_set_new(charts, "endpoints_p95", make_chart(o, cl, &c3, err, &failed));
    free(stem);
    free(es);
    free(row);
    sb_free(&ep);
  } else {
    json_object_set_new(charts, "endpoints_p95", json_null());
  }
  for (size_t i = 0; i < ne; i++)
    free(labels[i]);
  free(labels);
  free(eids);

  /* CPU and memory over time. */
  char *cpu_name = NULL, *mem_name = NULL;
  int64_t cpu_id = pick_series(st, run->id, cpu_patterns, &cpu_name, err);
  int64_t mem_id = pick_series(st, run->id, mem_patterns, &mem_name, err);
  if (cpu_id < 0 || mem_id < 0) {
    free(cpu_name);
    free(mem_name);
    strbuf_release(&title);
    return -1;
  }
  json_object_set_new(charts, "system", json_null());
  if (cpu_id || mem_id) {
    s = store_prepare(st,
                      "SELECT s.series_id, s.ts - r.start_ts, s.value FROM sys_samples s "
                      "JOIN runs r ON r.id = ? WHERE s.series_id IN (?, ?) AND s.in_window = 1 "
                      "ORDER BY s.ts, s.series_id",
                      err);
    if (!s) {
      free(cpu_name);
      free(mem_name);
      strbuf_release(&title);
      return -1;
    }
    sqlite3_bind_int64(s, 1, run->id);
    sqlite3_bind_int64(s, 2, cpu_id);
    sqlite3_bind_int64(s, 3, mem_id);
    struct series_buf sy = {.ncols = 2};
    while (sqlite3_step(s) == SQLITE_ROW) {
      double v[2] = {NAN, NAN};
      double val = sqlite3_column_double(s, 2);
      if (sqlite3_column_int64(s, 0) == cpu_id)
        v[0] = val;
      else
        v[1] = val / (1024.0 * 1024.0);
      sb_row(&sy, sqlite3_column_double(s, 1), v);
    }
    sqlite3_finalize(s);
    struct strbuf t1 = STRBUF_INIT, t2 = STRBUF_INIT;
    strbuf_addf(&t1, "CPU %% (%s)", cpu_name ? cpu_name : "none");
    strbuf_addf(&t2, "memory MiB (%s, right axis)", mem_name ? mem_name : "none");
    struct chart_series ss[2] = {{t1.buf, 0, 0}, {t2.buf, 1, 0}};
    stem = unique_stem(cl, run->name, run->id, "system");
    strbuf_reset(&title);
    strbuf_addf(&title, "System under test: CPU and memory - %s", title_name);
    struct chart c4 = {stem, title.buf, "seconds since start", "CPU %", "MiB", CHART_LINES, 2, ss,
                       sy.n, sy.x, NULL, sy.y, NAN, NULL, NAN, NULL, 1, 0};
    json_object_set_new(charts, "system", make_chart(o, cl, &c4, err, &failed));
    free(stem);
    sb_free(&sy);
    strbuf_release(&t1);
    strbuf_release(&t2);
  }
  /* Peak CPU and memory, the numbers of show's "system" table. */
  json_t *show = json_object_get(entry, "show");
  json_t *cpu = cpu_name ? system_entry(show, cpu_name) : NULL;
  json_t *mem = mem_name ? system_entry(show, mem_name) : NULL;
  json_object_set_new(entry, "peak_cpu",
                      cpu ? json_pack("{s:s,s:o,s:o}", "series", cpu_name, "max",
                                      num_or_null(jnum(cpu, "max")), "avg", num_or_null(jnum(cpu, "avg")))
                          : json_null());
  json_object_set_new(entry, "peak_mem",
                      mem ? json_pack("{s:s,s:o,s:o}", "series", mem_name, "max",
                                      num_or_null(jnum(mem, "max")), "min", num_or_null(jnum(mem, "min")))
                          : json_null());
  free(cpu_name);
  free(mem_name);
  strbuf_release(&title);
  return failed ? -1 : 0;
}

/* Baseline-vs-candidate p95 per endpoint, from the compare findings. */
static int compare_chart(const struct run_info *run, json_t *entry, json_t *cmp,
                         const struct report_opts *o, struct chart_list *cl, struct err *err) {
  json_t *findings = json_object_get(cmp, "findings"), *f;
  size_t i, n = 0;
  const char **labels = xcalloc(json_array_size(findings) + 1, sizeof *labels);
  double *y = xcalloc(2 * (json_array_size(findings) + 1), sizeof *y);
  json_array_foreach(findings, i, f) {
    if (strcmp(jstr(f, "metric"), "p95"))
      continue;
    labels[n] = jstr(f, "endpoint");
    y[2 * n] = jnum(f, "baseline");
    y[2 * n + 1] = jnum(f, "candidate");
    n++;
  }
  struct strbuf t = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
  strbuf_addf(&t, "p95 per endpoint: baseline vs %s", run->name);
  strbuf_addf(&b, "baseline %s", jstr(cmp, "baseline.name"));
  strbuf_addf(&c, "candidate %s", run->name);
  struct chart_series s[2] = {{b.buf, 0, 0}, {c.buf, 0, 0}};
  char *stem = unique_stem(cl, run->name, run->id, "vs-baseline");
  struct chart ch = {stem, t.buf, NULL, "p95 ms (successful requests)", NULL, CHART_BARS, 2, s, n,
                     NULL, labels, y, NAN, NULL, NAN, NULL, 1, 0};
  int failed = 0;
  json_object_set_new(json_object_get(entry, "charts"), "compare", make_chart(o, cl, &ch, err, &failed));
  free(stem);
  free(labels);
  free(y);
  strbuf_release(&t);
  strbuf_release(&b);
  strbuf_release(&c);
  return failed ? -1 : 0;
}

static int capacity_charts(const struct run_info *run, json_t *centry, json_t *cap,
                           const struct report_opts *o, struct chart_list *cl, struct err *err) {
  json_t *charts = json_object();
  json_object_set_new(centry, "charts", charts);
  json_t *levels = json_object_get(cap, "levels"), *L;
  size_t i;
  int failed = 0;
  struct series_buf lv = {.ncols = 2};
  json_array_foreach(levels, i, L) {
    if (json_is_true(json_object_get(L, "ramp_down")))
      continue;
    double v[2] = {jnum(L, "p95_ms"), jnum(L, "rps")};
    sb_row(&lv, jnum(L, "vus"), v);
  }
  double knee = jnum(cap, "breaking_point.vus");
  struct strbuf t = STRBUF_INIT, slo = STRBUF_INIT;
  strbuf_addf(&t, "Throughput and p95 against concurrent users - %s", run->name);
  strbuf_addf(&slo, "SLO p95 %g ms", o->cap.slo_p95_ms);
  static const struct chart_series ls[2] = {{"p95 ms", 0, 2}, {"requests/s (right axis)", 1, 2}};
  char *stem = unique_stem(cl, run->name, run->id, "capacity");
  struct chart c = {stem, t.buf, "concurrent users (VUs)", "p95 ms", "requests/s", CHART_LINES, 2,
                    ls, lv.n, lv.x, NULL, lv.y, o->cap.slo_p95_ms, slo.buf, knee,
                    isfinite(knee) ? "breaking point" : NULL, 1, 0};
  json_object_set_new(charts, "load", make_chart(o, cl, &c, err, &failed));
  free(stem);

  /* USL: measured points and the fitted curve. */
  json_t *usl = json_object_get(cap, "usl");
  double sigma = jnum(usl, "sigma"), kappa = jnum(usl, "kappa"), lambda = jnum(usl, "lambda");
  json_object_set_new(charts, "usl", json_null());
  if (isfinite(sigma) && isfinite(kappa) && isfinite(lambda) && lv.n > 0) {
    struct series_buf u = {.ncols = 2};
    double nmax = 0;
    for (size_t k = 0; k < lv.n; k++)
      if (lv.x[k] > nmax)
        nmax = lv.x[k];
    double peak = jnum(usl, "peak_users");
    if (isfinite(peak) && peak > nmax && peak < nmax * 3)
      nmax = peak;
    nmax *= 1.2;
    /* Merge measured (sorted by VUs) and a 60-point grid. */
    for (int g = 0; g <= 60; g++) {
      double N = 1 + (nmax - 1) * g / 60.0;
      double X = lambda * N / (1 + sigma * (N - 1) + kappa * N * (N - 1));
      double v[2] = {NAN, X};
      sb_row(&u, N, v);
    }
    for (size_t k = 0; k < lv.n; k++) {
      double v[2] = {lv.y[2 * k + 1], NAN};
      sb_row(&u, lv.x[k], v);
    }
    /* Sort rows by x (insertion sort: small). */
    for (size_t a = 1; a < u.n; a++)
      for (size_t b = a; b > 0 && u.x[b - 1] > u.x[b]; b--) {
        double tx = u.x[b];
        u.x[b] = u.x[b - 1];
        u.x[b - 1] = tx;
        for (int k = 0; k < 2; k++) {
          double ty = u.y[2 * b + k];
          u.y[2 * b + k] = u.y[2 * (b - 1) + k];
          u.y[2 * (b - 1) + k] = ty;
        }
      }
    strbuf_reset(&t);
    strbuf_addf(&t, "Universal Scalability Law fit - %s", run->name);
    int ident = json_is_true(json_object_get(usl, "identified"));
    struct chart_series us[2] = {{"measured requests/s", 0, 1},
                                 {ident ? "USL fit" : "USL fit (peak not identified by the data)", 0, 0}};
    stem = unique_stem(cl, run->name, run->id, "usl");
    struct chart c2 = {stem, t.buf, "concurrent users (VUs)", "requests/s", NULL, CHART_LINES, 2, us,
                       u.n, u.x, NULL, u.y, NAN, NULL, isfinite(peak) ? peak : NAN,
                       isfinite(peak) ? "USL peak" : NULL, 1, 0};
    json_object_set_new(charts, "usl", make_chart(o, cl, &c2, err, &failed));
    free(stem);
    sb_free(&u);
  }

  /* Phase breakdown at low load vs the knee (the bottleneck analysis). */
  json_object_set_new(charts, "phases", json_null());
  json_t *pl = jget(cap, "bottleneck.full.phases.low_load_mean_ms");
  json_t *pk = jget(cap, "bottleneck.full.phases.knee_mean_ms");
  if (json_is_object(pl) && json_is_object(pk)) {
    const char *key;
    json_t *val;
    const char **labels = xcalloc(json_object_size(pl) + 1, sizeof *labels);
    double *y = xcalloc(2 * (json_object_size(pl) + 1), sizeof *y);
    size_t m = 0;
    json_object_foreach(pl, key, val) {
      labels[m] = key;
      y[2 * m] = json_is_number(val) ? json_number_value(val) : NAN;
      y[2 * m + 1] = jnum(pk, key);
      m++;
    }
    struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    strbuf_addf(&a, "low load (up to %g VUs)", jnum(cap, "bottleneck.full.low_load.vus_max"));
    strbuf_addf(&b, "at the knee (%g VUs)", jnum(cap, "bottleneck.full.knee.vus"));
    struct chart_series ps[2] = {{a.buf, 0, 0}, {b.buf, 0, 0}};
    strbuf_reset(&t);
    strbuf_addf(&t, "Where the time goes: mean request phases - %s", run->name);
    stem = unique_stem(cl, run->name, run->id, "phases");
    struct chart c3 = {stem, t.buf, NULL, "mean ms per request", NULL, CHART_BARS, 2, ps, m, NULL,
                       labels, y, NAN, NULL, NAN, NULL, 1, 0};
    json_object_set_new(charts, "phases", make_chart(o, cl, &c3, err, &failed));
    free(stem);
    free(labels);
    free(y);
    strbuf_release(&a);
    strbuf_release(&b);
  }
  sb_free(&lv);
  strbuf_release(&t);
  strbuf_release(&slo);
  return failed ? -1 : 0;
}

/* -------------------------------------------------------------------- model */

/* Test shape: VUs at the start and at the peak, and whether it ramps. */
static int run_shape(struct store *st, const struct run_info *run, json_t *show, json_t *entry,
                     struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT t, vus FROM buckets WHERE run_id = ? AND endpoint_id IS NULL "
                                  "AND vus IS NOT NULL ORDER BY t",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run->id);
  double first = NAN, max = 0, t_max = 0, t_last = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    double t = sqlite3_column_double(s, 0), v = sqlite3_column_double(s, 1);
    if (isnan(first))
      first = v;
    if (v > max) {
      max = v;
      t_max = t;
    }
    t_last = t;
  }
  sqlite3_finalize(s);
  int ramp = isfinite(first) && max >= 4 * (first > 1 ? first : 1) && t_last > 0 &&
             t_max > 0.4 * t_last;
  json_t *shape = json_object();
  json_object_set_new(shape, "vus_start", num_or_null(first));
  json_object_set_new(shape, "vus_max", num_or_null(jnum(show, "summary.vus_max")));
  json_object_set_new(shape, "ramp", json_boolean(ramp));
  json_object_set_new(shape, "duration_s", num_or_null(jnum(show, "run.duration_s")));
  json_object_set_new(shape, "iterations", num_or_null(jnum(show, "summary.iterations")));
  json_t *script = jget(show, "run.labels.script");
  json_object_set_new(shape, "script", json_is_string(script) ? json_incref(script) : json_null());
  json_object_set_new(entry, "shape", shape);
  return 0;
}

/* Errors summed by (status, error_code), largest first. */
static json_t *errors_by_status(json_t *show) {
  json_t *out = json_array(), *e;
  size_t i;
  double total = jnum(show, "summary.requests");
  json_array_foreach(json_object_get(show, "errors"), i, e) {
    const char *st = jstr(e, "status"), *code = jstr(e, "error_code");
    json_t *hit = NULL, *x;
    size_t k;
    json_array_foreach(out, k, x) if (!strcmp(jstr(x, "status"), st) && !strcmp(jstr(x, "error_code"), code)) hit = x;
    if (!hit) {
      hit = json_pack("{s:s,s:s,s:I}", "status", st, "error_code", code, "count", (json_int_t)0);
      json_array_append_new(out, hit);
    }
    json_object_set_new(hit, "count",
                        json_integer(json_integer_value(json_object_get(hit, "count")) +
                                     json_integer_value(json_object_get(e, "count"))));
  }
  /* Sort by count, descending (stable: insertion). */
  size_t n = json_array_size(out);
  for (size_t a = 1; a < n; a++)
    for (size_t b = a; b > 0; b--) {
      json_t *p = json_array_get(out, b - 1), *q = json_array_get(out, b);
      if (json_integer_value(json_object_get(p, "count")) >= json_integer_value(json_object_get(q, "count")))
        break;
      json_incref(p);
      json_array_set(out, b - 1, q);
      json_array_set_new(out, b, p);
    }
  json_array_foreach(out, i, e) {
    double c = (double)json_integer_value(json_object_get(e, "count"));
    json_object_set_new(e, "share_of_requests", num_or_null(total > 0 ? c / total : NAN));
  }
  return out;
}

static void slo_rows(json_t *entry, json_t *show, const struct report_opts *o, json_t *rows) {
  json_t *e;
  size_t i;
  int all_ok = 1;
  json_t *mine = json_array();
  json_array_foreach(json_object_get(show, "endpoints"), i, e) {
    double p95 = jnum(e, "http_req_duration.p(95)"), er = jnum(e, "error_rate");
    int p_ok = isfinite(p95) && p95 < o->cap.slo_p95_ms, e_ok = isfinite(er) && er < o->cap.slo_error_rate;
    all_ok &= p_ok && e_ok;
    json_array_append_new(mine, json_pack("{s:s,s:s,s:s,s:o,s:b,s:o,s:b,s:b}", "scenario",
                                          jstr(show, "run.scenario"), "run", jstr(show, "run.name"),
                                          "endpoint", jstr(e, "endpoint"), "p95_ms", num_or_null(p95),
                                          "p95_ok", p_ok, "error_rate", num_or_null(er), "errors_ok",
                                          e_ok, "ok", p_ok && e_ok));
  }
  double p95 = jnum(show, "summary.p95"), er = jnum(show, "summary.error_rate");
  int p_ok = isfinite(p95) && p95 < o->cap.slo_p95_ms, e_ok = isfinite(er) && er < o->cap.slo_error_rate;
  all_ok &= p_ok && e_ok;
  json_array_append_new(mine, json_pack("{s:s,s:s,s:s,s:o,s:b,s:o,s:b,s:b}", "scenario",
                                        jstr(show, "run.scenario"), "run", jstr(show, "run.name"),
                                        "endpoint", "all requests", "p95_ms", num_or_null(p95), "p95_ok",
                                        p_ok, "error_rate", num_or_null(er), "errors_ok", e_ok, "ok",
                                        p_ok && e_ok));
  json_array_extend(rows, mine);
  json_object_set_new(entry, "slo_rows", mine);
  json_object_set_new(entry, "slo_ok", json_boolean(all_ok));
}

/* Achieved vs target for --targets, from the overall numbers of both runs. */
static json_t *targets_json(const struct report_opts *o, json_t *base_show, json_t *cand_show) {
  json_t *out = json_array();
  for (size_t i = 0; i < o->ntargets; i++) {
    const struct target *t = &o->targets[i];
    const char *key = !strcmp(t->metric, "errors") ? "summary.error_rate"
                      : !strcmp(t->metric, "rps")  ? "summary.rps"
                      : !strcmp(t->metric, "avg")  ? "summary.avg"
                      : !strcmp(t->metric, "p50")  ? "summary.p50"
                      : !strcmp(t->metric, "p99")  ? "summary.p99"
                                                   : "summary.p95";
    double b = jnum(base_show, key), c = jnum(cand_show, key), goal = NAN;
    int lower_better = strcmp(t->metric, "rps") != 0;
    switch (t->op) {
    case '-': goal = b * (1 - t->value / 100); break;
    case '+': goal = b * (1 + t->value / 100); break;
    case 'x': goal = lower_better ? b / t->value : b * t->value; break;
    case '/': goal = b / t->value; break;
    }
    int met = isfinite(goal) && isfinite(c) && (lower_better ? c <= goal : c >= goal);
    double change = isfinite(b) && b != 0 && isfinite(c) ? (c - b) / b * 100 : NAN;
    double factor = isfinite(b) && isfinite(c) && b > 0 && c > 0 ? (lower_better ? b / c : c / b) : NAN;
    const char *filter = !strcmp(t->metric, "errors") ? "pct" : !strcmp(t->metric, "rps") ? "f1" : "ms";
    const char *unit = !strcmp(t->metric, "errors") ? "" : !strcmp(t->metric, "rps") ? " req/s" : " ms";
    json_t *row = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "metric", t->metric, "goal",
                            t->text, "baseline", num_or_null(b), "candidate", num_or_null(c),
                            "target", num_or_null(goal), "change_pct", num_or_null(change),
                            "improvement_factor", num_or_null(factor), "met", met);
    struct strbuf sb = STRBUF_INIT;
    const char *keys[3] = {"baseline_text", "candidate_text", "target_text"};
    double vals[3] = {b, c, goal};
    for (int k = 0; k < 3; k++) {
      strbuf_reset(&sb);
      tmpl_format_number(filter, vals[k], &sb);
      if (isfinite(vals[k]))
        strbuf_addstr(&sb, unit);
      json_object_set_new(row, keys[k], json_string(sb.buf));
    }
    strbuf_release(&sb);
    json_array_append_new(out, row);
  }
  return out;
}

/* Formats the compare findings for the tables. */
static void decorate_findings(json_t *cmp) {
  json_t *f;
  size_t i;
  json_array_foreach(json_object_get(cmp, "findings"), i, f) {
    const char *unit = jstr(f, "unit");
    const char *filter = !strcmp(unit, "fraction") ? "pct" : !strcmp(unit, "req/s") ? "f1" : "ms";
    fmt_set(f, "baseline_text", filter, jnum(f, "baseline"));
    fmt_set(f, "candidate_text", filter, jnum(f, "candidate"));
    struct strbuf sb = STRBUF_INIT;
    if (!strcmp(unit, "fraction")) {
      double d = (jnum(f, "candidate") - jnum(f, "baseline")) * 100;
      if (isfinite(d))
        strbuf_addf(&sb, "%+.2f pp", fabs(d) < 0.005 ? 0.0 : d);
      else
        strbuf_addstr(&sb, "n/a");
    } else {
      tmpl_format_number("chg", jnum(f, "change_pct"), &sb);
    }
    json_object_set_new(f, "change_text", json_string(sb.buf));
    strbuf_reset(&sb);
    double lo = jnum(f, "ci_low_pct"), hi = jnum(f, "ci_high_pct");
    if (isfinite(lo) && isfinite(hi) && !strcmp(unit, "fraction")) {
      strbuf_addf(&sb, "%+.2f .. %+.2f pp", lo, hi); /* error rates: the interval is in points */
    } else if (isfinite(lo) && isfinite(hi)) {
      tmpl_format_number("chg", lo, &sb);
      strbuf_addstr(&sb, " .. ");
      tmpl_format_number("chg", hi, &sb);
    } else {
      strbuf_addstr(&sb, "n/a");
    }
    json_object_set_new(f, "ci_text", json_string(sb.buf));
    strbuf_release(&sb);
    const char *v = jstr(f, "verdict");
    json_object_set_new(f, "is_regression", json_boolean(!strcmp(v, "regression")));
    json_object_set_new(f, "is_improvement", json_boolean(!strcmp(v, "improvement")));
  }
}

static const char *baseline_spec(const struct report_opts *o, const struct run_info *run) {
  char idbuf[32];
  snprintf(idbuf, sizeof idbuf, "%lld", (long long)run->id);
  for (size_t i = 0; i < o->nbof; i++)
    if (!strcmp(o->bof[i].run, run->name) || !strcmp(o->bof[i].run, idbuf))
      return o->bof[i].base;
  return NULL;
}

static int is_stress(const struct run_info *run, json_t *entry) {
  return contains_ci(run->scenario ? run->scenario : "", "stress") ||
         json_is_true(jget(entry, "shape.ramp"));
}

static int is_soak(const struct run_info *run) {
  return contains_ci(run->scenario ? run->scenario : "", "soak");
}

/* LLM calls per hour within the SLO: the capacity document's own figure
 * (bottleneck.full.llm_*); NULL when the run has no LLM-like endpoint. */
static json_t *llm_capacity(json_t *cap) {
  json_t *full = jget(cap, "bottleneck.full");
  double calls = jnum(full, "llm_calls_per_hour");
  const char *ep = jstr(full, "llm_endpoint");
  if (!isfinite(calls) || !*ep)
    return json_null();
  json_t *out = json_pack("{s:s,s:f}", "endpoint", ep, "calls_per_hour", calls);
  json_t *e;
  size_t i;
  json_array_foreach(json_object_get(full, "endpoint_capacity"), i, e) {
    if (!strcmp(jstr(e, "endpoint"), ep)) {
      json_object_set_new(out, "rps_within_slo", num_or_null(jnum(e, "rps_within_slo")));
      json_object_set_new(out, "peak_calls_per_hour", num_or_null(jnum(e, "peak_calls_per_hour")));
      json_object_set_new(out, "service_time_ms", num_or_null(jnum(e, "service_time_ms")));
    }
  }
  return out;
}

/* Scaling advice from the USL fit and the resources at the knee. */
static json_t *scaling_advice(json_t *cap) {
  json_t *reasons = json_array();
  const char *strategy = "horizontal";
  json_t *usl = json_object_get(cap, "usl");
  double sigma = jnum(usl, "sigma"), kappa = jnum(usl, "kappa");
  const char *res = jstr(cap, "bottleneck.resource");
  json_t *r, *cpu = NULL;
  size_t i;
  json_array_foreach(jget(cap, "bottleneck.full.resources"), i, r) if (!strcmp(jstr(r, "resource"), "cpu")) cpu = r;
  struct strbuf sb = STRBUF_INIT;
  if (!strcmp(res, "cpu")) {
    strategy = "vertical or horizontal";
    json_array_append_new(reasons, json_string("CPU saturates at the knee: more or faster cores "
                                               "(vertical) raise the ceiling directly; more "
                                               "instances (horizontal) do too if state is shared "
                                               "outside the process."));
  } else if (!strcmp(res, "memory")) {
    strategy = "vertical";
    json_array_append_new(reasons, json_string("memory is the saturated resource: a larger "
                                               "instance (vertical) or less memory per request "
                                               "helps; more instances only if the working set "
                                               "partitions."));
  } else if (!strcmp(res, "backend_pool") || !strcmp(res, "server_concurrency")) {
    strategy = "horizontal (or a larger pool)";
    json_array_append_new(reasons, json_string("a fixed-size pool or concurrency limit fills up "
                                               "first: raise the limit where the backend allows "
                                               "it, or add instances each with their own pool; "
                                               "a bigger machine alone does not help."));
  } else {
    strategy = "horizontal";
    if (cpu && jnum(cpu, "knee_pct") < 70) {
      strbuf_addf(&sb, "no host resource saturates at the knee (host CPU %.0f%%): the limit is a "
                       "soft one inside the service (a lock, pool or single-threaded stage), "
                       "so a bigger machine (vertical) is unlikely to help; more instances "
                       "behind a load balancer (horizontal) multiply it, as long as the shared "
                       "backends keep up.", jnum(cpu, "knee_pct"));
      json_array_append_new(reasons, json_string(sb.buf));
    } else {
      json_array_append_new(reasons, json_string("the saturated resource is not identified from "
                                                 "the metrics; scale out (horizontal) and repeat "
                                                 "the ramp to confirm the gain."));
    }
  }
  if (isfinite(sigma) && sigma > 0.05) {
    strbuf_reset(&sb);
    strbuf_addf(&sb, "contention is high (USL sigma %.3f): part of the work is serialised, so "
                     "each added instance or core gains less; reduce the shared critical "
                     "section first.", sigma);
    json_array_append_new(reasons, json_string(sb.buf));
  }
  if (isfinite(kappa) && kappa > 1e-4) {
    strbuf_reset(&sb);
    strbuf_addf(&sb, "coherency cost is visible (USL kappa %.2g): throughput falls past the "
                     "peak, so run each instance below its peak concurrency and partition "
                     "state rather than share it.", kappa);
    json_array_append_new(reasons, json_string(sb.buf));
  } else if (isfinite(sigma) && sigma <= 0.05) {
    json_array_append_new(reasons, json_string("the USL fit shows near-linear scaling up to the "
                                               "tested load (small sigma and kappa), which "
                                               "favours adding instances."));
  }
  double inst = jnum(cap, "instances_for_target");
  if (isfinite(inst)) {
    strbuf_reset(&sb);
    strbuf_addf(&sb, "to carry the target of %.0f users within the SLO, plan for %.0f "
                     "instance(s) like the one tested, plus headroom for the loss of one.",
                jnum(cap, "target_users"), inst);
    json_array_append_new(reasons, json_string(sb.buf));
  }
  strbuf_release(&sb);
  return json_pack("{s:s,s:o}", "strategy", strategy, "reasons", reasons);
}

struct run_list {
  struct run_info *v;
  size_t n, cap;
};

static int resolve_runs(struct store *st, int argc, char **argv, struct run_list *rl,
                        struct err *err) {
  if (argc > 0) {
    for (int i = 0; i < argc; i++) {
      XGROW(rl->v, rl->cap, rl->n + 1);
      if (store_find_run(st, argv[i], &rl->v[rl->n], err) < 0)
        return -1;
      rl->n++;
    }
    return 0;
  }
  sqlite3_stmt *s = store_prepare(
      st, "SELECT scenario, env FROM runs GROUP BY scenario, env ORDER BY scenario, env", err);
  if (!s)
    return -1;
  while (sqlite3_step(s) == SQLITE_ROW) {
    sqlite3_stmt *q = store_prepare(st,
                                    "SELECT id FROM runs WHERE scenario = ? AND env = ? "
                                    "ORDER BY start_ts DESC, id DESC LIMIT 1",
                                    err);
    if (!q) {
      sqlite3_finalize(s);
      return -1;
    }
    sqlite3_bind_text(q, 1, store_col_text(s, 0), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, store_col_text(s, 1), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) {
      XGROW(rl->v, rl->cap, rl->n + 1);
      if (store_get_run(st, sqlite3_column_int64(q, 0), &rl->v[rl->n], err) < 0) {
        sqlite3_finalize(q);
        sqlite3_finalize(s);
        return -1;
      }
      rl->n++;
    }
    sqlite3_finalize(q);
  }
  sqlite3_finalize(s);
  if (rl->n == 0)
    return err_set(err, LR_NOINPUT, "no runs in the database: run 'loadrep ingest' first");
  return 0;
}

static json_t *now_json(void) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return json_string(buf);
}

static int build_model(struct store *st, struct run_list *rl, struct report_opts *o,
                       struct chart_list *cl, json_t **out, struct err *err) {
  json_t *m = json_object();
  *out = m;
  json_object_set_new(m, "title", json_string(o->title ? o->title : ""));
  json_object_set_new(m, "generated", now_json());
  json_object_set_new(m, "version", json_string(LOADREP_VERSION));
  json_object_set_new(m, "slo", json_pack("{s:f,s:f}", "p95_ms", o->cap.slo_p95_ms, "error_rate",
                                          o->cap.slo_error_rate));
  json_object_set_new(m, "threshold_pct", json_real(o->cmp.threshold_pct));
  json_object_set_new(m, "target_users", json_integer(o->cap.target_users));
  json_t *charts = json_object();
  json_object_set_new(charts, "enabled", json_boolean(o->charts != CHARTS_NEVER && o->gnuplot_ok));
  json_object_set_new(charts, "note",
                      o->charts == CHARTS_NEVER ? json_string("Charts were not requested (--charts never).")
                      : !o->gnuplot_ok
                          ? json_string("Charts are missing: gnuplot was not found (install gnuplot, or set "
                                        "LOADREP_GNUPLOT, and run the report again).")
                          : json_null());
  json_object_set_new(m, "charts", charts);
  json_t *runs = json_array(), *slo = json_array(), *caps = json_array(), *soaks = json_array();
  json_object_set_new(m, "runs", runs);
  json_object_set_new(m, "slo_rows", slo);
  json_object_set_new(m, "capacity", caps);
  json_object_set_new(m, "soak", soaks);
  json_object_set_new(m, "targets_given", json_boolean(o->ntargets > 0));
  int all_slo_ok = 1;
  for (size_t i = 0; i < rl->n; i++) {
    const struct run_info *run = &rl->v[i];
    json_t *entry = json_object(), *show = NULL;
    json_array_append_new(runs, entry);
    if (show_build(st, run, &show, err) < 0)
      return -1;
    json_object_set_new(entry, "name", json_string(run->name));
    json_object_set_new(entry, "scenario", json_string(run->scenario ? run->scenario : ""));
    json_object_set_new(entry, "show", show);
    json_object_set_new(entry, "has_endpoints",
                        json_boolean(json_array_size(json_object_get(show, "endpoints")) > 0));
    json_object_set_new(entry, "errors_by_status", errors_by_status(show));
    int th_ok = 1;
    json_t *t;
    size_t k;
    json_array_foreach(json_object_get(show, "thresholds"), k, t) if (json_is_false(json_object_get(t, "ok"))) th_ok = 0;
    json_object_set_new(entry, "thresholds_ok", json_boolean(th_ok));
    if (run_shape(st, run, show, entry, err) < 0)
      return -1;
    slo_rows(entry, show, o, slo);
    all_slo_ok &= json_is_true(json_object_get(entry, "slo_ok"));
    if (run_charts(st, run, entry, o, cl, err) < 0)
      return -1;

    /* Baseline comparison. */
    json_object_set_new(entry, "baseline", json_null());
    json_object_set_new(entry, "targets", json_null());
    const char *spec = baseline_spec(o, run);
    struct run_info base;
    memset(&base, 0, sizeof base);
    int have_base = 0;
    if (spec) {
      if (store_find_run(st, spec, &base, err) < 0)
        return -1;
      have_base = 1;
    } else {
      int64_t bid = 0;
      if (store_get_baseline(st, run->scenario ? run->scenario : "", run->env ? run->env : "", &bid,
                             err) < 0)
        return -1;
      if (bid && bid != run->id) {
        if (store_get_run(st, bid, &base, err) < 0)
          return -1;
        have_base = 1;
      }
    }
    json_object_set_new(entry, "is_baseline", json_false());
    if (!have_base) {
      int64_t bid = 0;
      store_get_baseline(st, run->scenario ? run->scenario : "", run->env ? run->env : "", &bid, NULL);
      json_object_set_new(entry, "is_baseline", json_boolean(bid == run->id));
    }
    if (have_base) {
      json_t *cmp = NULL, *bshow = NULL;
      if (compare_build(st, &base, run, &o->cmp, &cmp, err) < 0 ||
          show_build(st, &base, &bshow, err) < 0) {
        json_decref(cmp);
        run_info_release(&base);
        return -1;
      }
      decorate_findings(cmp);
      json_t *b = json_object();
      json_object_set_new(b, "name", json_string(base.name));
      json_object_set_new(b, "compare", cmp);
      json_object_set_new(b, "regression", json_boolean(!strcmp(jstr(cmp, "verdict"), "regression")));
      json_object_set_new(entry, "baseline", b);
      if (o->ntargets)
        json_object_set_new(entry, "targets", targets_json(o, bshow, show));
      json_decref(bshow);
      run_info_release(&base);
      if (compare_chart(run, entry, cmp, o, cl, err) < 0)
        return -1;
    } else {
      json_object_set_new(json_object_get(entry, "charts"), "compare", json_null());
    }

    /* Capacity for stress runs. */
    json_object_set_new(entry, "has_capacity", json_false());
    if (is_stress(run, entry)) {
      json_t *cap = NULL;
      struct err cerr = ERR_INIT;
      json_t *centry = json_object();
      json_object_set_new(centry, "name", json_string(run->name));
      json_object_set_new(centry, "scenario", json_string(run->scenario ? run->scenario : ""));
      json_object_set_new(centry, "show", json_incref(show));
      if (capacity_build(st, run, &o->cap, &cap, &cerr) < 0) {
        json_object_set_new(centry, "capacity", json_null());
        json_object_set_new(centry, "error", json_string(cerr.msg));
        json_object_set_new(centry, "charts", json_object());
      } else {
        json_object_set_new(centry, "capacity", cap);
        json_object_set_new(centry, "error", json_null());
        json_object_set_new(centry, "llm", llm_capacity(cap));
        json_object_set_new(centry, "scaling", scaling_advice(cap));
        json_t *tm = json_object_get(cap, "target_met");
        json_object_set_new(centry, "target_state",
                            json_string(json_is_true(tm) ? "yes" : json_is_false(tm) ? "no" : "undetermined"));
        if (capacity_charts(run, centry, cap, o, cl, err) < 0) {
          json_decref(centry);
          return -1;
        }
      }
      json_array_append_new(caps, centry);
      json_object_set_new(entry, "has_capacity", json_true());
    }
    /* Soak findings. */
    if (is_soak(run)) {
      json_t *sentry = json_pack("{s:s,s:s}", "name", run->name, "scenario", run->scenario);
#ifdef HAVE_SOAK
      json_t *sk = NULL;
      struct err serr = ERR_INIT;
      if (soak_build(st, run, &sk, &serr) < 0) {
        json_object_set_new(sentry, "soak", json_null());
        json_object_set_new(sentry, "error", json_string(serr.msg));
      } else {
        json_object_set_new(sentry, "soak", sk);
        json_object_set_new(sentry, "error", json_null());
      }
#else
      json_object_set_new(sentry, "soak", json_null());
      json_object_set_new(sentry, "error", json_string("soak analysis is not available in this build"));
#endif
      json_object_set_new(sentry, "peak_mem", json_incref(json_object_get(entry, "peak_mem")));
      json_object_set_new(sentry, "charts", json_incref(json_object_get(entry, "charts")));
      json_array_append_new(soaks, sentry);
    }
  }
  json_object_set_new(m, "slo_ok", json_boolean(all_slo_ok));
  json_object_set_new(m, "has_capacity", json_boolean(json_array_size(caps) > 0));
  json_object_set_new(m, "has_soak", json_boolean(json_array_size(soaks) > 0));
  return 0;
}

/* ---------------------------------------------------------------- rendering */

static int load_template(const struct report_opts *o, const char *name, char **text,
                         char **label, struct err *err) {
  if (o->template_dir) {
    struct strbuf path = STRBUF_INIT;
    strbuf_addf(&path, "%s/%s", o->template_dir, name);
    FILE *f = fopen(path.buf, "rbe");
    if (f) {
      struct strbuf sb = STRBUF_INIT;
      char buf[8192];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
      int bad = ferror(f);
      fclose(f);
      if (bad) {
        err_set(err, LR_IOERR, "cannot read '%s': %s", path.buf, strerror(errno));
        strbuf_release(&sb);
        strbuf_release(&path);
        return -1;
      }
      *text = strbuf_detach(&sb, NULL);
      *label = strbuf_detach(&path, NULL);
      return 0;
    }
    if (errno != ENOENT) {
      err_set(err, LR_NOINPUT, "cannot open '%s': %s", path.buf, strerror(errno));
      strbuf_release(&path);
      return -1;
    }
    strbuf_release(&path);
  }
  const struct embedded_file *ef = embedded_find(name);
  if (!ef)
    return err_set(err, LR_SOFTWARE, "template '%s' is not embedded in this build", name);
  *text = xstrdup((const char *)ef->data);
  struct strbuf l = STRBUF_INIT;
  strbuf_addf(&l, "templates/%s", name);
  *label = strbuf_detach(&l, NULL);
  return 0;
}

static int render_doc(const struct report_opts *o, json_t *model, const char *base,
                      struct strbuf *md, struct err *err) {
  char *text = NULL, *label = NULL;
  struct strbuf name = STRBUF_INIT;
  strbuf_addf(&name, "%s.md.tmpl", base);
  int rc = load_template(o, name.buf, &text, &label, err);
  if (rc == 0)
    rc = tmpl_render_string(label, text, model, md, err);
  free(text);
  free(label);
  strbuf_release(&name);
  return rc;
}

static int write_outputs(const struct report_opts *o, json_t *model, struct err *err) {
  static const char *const docs[] = {"LOAD_TEST_RESULTS", "CAPACITY_PLANNING"};
  struct strbuf md[2] = {STRBUF_INIT, STRBUF_INIT};
  int rc = 0;
  for (int d = 0; d < 2 && rc == 0; d++)
    rc = render_doc(o, model, docs[d], &md[d], err);
  for (int d = 0; d < 2 && rc == 0; d++) {
    struct strbuf path = STRBUF_INIT;
    strbuf_addf(&path, "%s/%s.md", o->out_dir, docs[d]);
    rc = outfile_write(path.buf, md[d].buf, md[d].len, err);
    if (rc == 0 && o->html) {
      struct strbuf html = STRBUF_INIT, title = STRBUF_INIT;
      strbuf_addstr(&title, d == 0 ? "Load test results" : "Capacity planning");
      if (*jstr(model, "title"))
        strbuf_addf(&title, ": %s", jstr(model, "title"));
      rc = md_to_html(md[d].buf, title.buf, o->out_dir, &html, err);
      strbuf_reset(&path);
      strbuf_addf(&path, "%s/%s.html", o->out_dir, docs[d]);
      if (rc == 0)
        rc = outfile_write(path.buf, html.buf, html.len, err);
      strbuf_release(&html);
      strbuf_release(&title);
    }
    strbuf_release(&path);
  }
  if (rc == 0 && o->pdf) {
    struct strbuf path = STRBUF_INIT, l1 = STRBUF_INIT, l2 = STRBUF_INIT;
    strbuf_addf(&path, "%s/report.pdf", o->out_dir);
    json_t *r;
    size_t i;
    strbuf_addstr(&l1, "Runs: ");
    json_array_foreach(json_object_get(model, "runs"), i, r) {
      strbuf_addf(&l1, "%s%s (%s)", i ? ", " : "", jstr(r, "name"), jstr(r, "scenario"));
    }
    strbuf_addf(&l2, "Generated %s by loadrep %s", jstr(model, "generated"), LOADREP_VERSION);
    const char *sub[] = {l1.buf, l2.buf, NULL};
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    struct strbuf pt = STRBUF_INIT;
    strbuf_addstr(&pt, "Load test report");
    if (*jstr(model, "title"))
      strbuf_addf(&pt, ": %s", jstr(model, "title"));
    struct pdf_opts po = {pt.buf, sub, NULL, o->out_dir,
                          sde && *sde ? strtoll(sde, NULL, 10) : (long long)time(NULL)};
    const char *mds[2] = {md[0].buf, md[1].buf};
    rc = pdf_write(&po, mds, 2, path.buf, err);
    strbuf_release(&pt);
    strbuf_release(&path);
    strbuf_release(&l1);
    strbuf_release(&l2);
  }
  strbuf_release(&md[0]);
  strbuf_release(&md[1]);
  return rc;
}

/* Runs gnuplot on every chart; failures are fatal with --charts always and
 * otherwise drop that chart from the report (with a warning). */
static int draw_charts(const struct report_opts *o, struct chart_list *cl, json_t *model,
                       struct err *err) {
  if (o->charts == CHARTS_NEVER || !o->gnuplot_ok)
    return 0;
  struct strbuf dir = STRBUF_INIT;
  strbuf_addf(&dir, "%s/charts", o->out_dir);
  int rc = 0, failures = 0;
  for (size_t i = 0; i < cl->n && rc == 0; i++) {
    struct err cerr = ERR_INIT;
    if (chart_run(o->gnuplot, dir.buf, cl->stems[i], o->chart_timeout_ms, &cerr) < 0) {
      if (o->charts == CHARTS_ALWAYS) {
        *err = cerr;
        rc = -1;
      } else {
        warnf("%s", cerr.msg);
        failures++;
        /* Drop links to this chart: replace "charts/STEM.svg" by null. */
        struct strbuf link = STRBUF_INIT;
        strbuf_addf(&link, "charts/%s.svg", cl->stems[i]);
        json_t *lists[2] = {json_object_get(model, "runs"), json_object_get(model, "capacity")};
        for (int l = 0; l < 2; l++) {
          json_t *e;
          size_t k;
          json_array_foreach(lists[l], k, e) {
            json_t *ch = json_object_get(e, "charts");
            const char *key;
            json_t *val;
            json_object_foreach(ch, key, val) if (json_is_string(val) &&
                                                   !strcmp(json_string_value(val), link.buf))
                json_object_set_new(ch, key, json_null());
          }
        }
        strbuf_release(&link);
      }
    }
  }
  if (failures)
    json_object_set_new(json_object_get(model, "charts"), "note",
                        json_string("Some charts are missing: gnuplot failed on them (see the "
                                    "warnings of 'loadrep report')."));
  strbuf_release(&dir);
  return rc;
}

int cmd_report(int argc, char **argv, const struct global_opts *g) {
  enum { O_OUT = 'o', O_FORMAT = 'f', O_CHARTS = 256, O_TDIR, O_TARGETS, O_SLO, O_BOF, O_THR,
         O_TITLE, O_CTIMEOUT, O_MODEL, O_TUSERS };
  static const struct option opts[] = {
      {"out", required_argument, NULL, O_OUT},
      {"format", required_argument, NULL, O_FORMAT},
      {"charts", required_argument, NULL, O_CHARTS},
      {"template-dir", required_argument, NULL, O_TDIR},
      {"targets", required_argument, NULL, O_TARGETS},
      {"slo", required_argument, NULL, O_SLO},
      {"target-users", required_argument, NULL, O_TUSERS},
      {"baseline-of", required_argument, NULL, O_BOF},
      {"threshold", required_argument, NULL, O_THR},
      {"title", required_argument, NULL, O_TITLE},
      {"chart-timeout", required_argument, NULL, O_CTIMEOUT},
      {"model", required_argument, NULL, O_MODEL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  struct report_opts o;
  memset(&o, 0, sizeof o);
  o.out_dir = "docs/performance";
  o.md = o.html = o.pdf = 1;
  o.charts = CHARTS_AUTO;
  o.chart_timeout_ms = 30000;
  capacity_opts_init(&o.cap);
  compare_opts_init(&o.cmp);
  struct err err = ERR_INIT;
  int c, rc = LR_OK;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "ho:f:", opts, NULL)) != -1) {
    int bad = 0;
    switch (c) {
    case 'h':
      fputs(usage, stdout);
      free(o.bof);
      return LR_OK;
    case O_OUT: o.out_dir = optarg; break;
    case O_FORMAT: bad = parse_formats(optarg, &o, &err); break;
    case O_CHARTS:
      if (!strcmp(optarg, "auto"))
        o.charts = CHARTS_AUTO;
      else if (!strcmp(optarg, "always"))
        o.charts = CHARTS_ALWAYS;
      else if (!strcmp(optarg, "never"))
        o.charts = CHARTS_NEVER;
      else
        bad = err_set(&err, LR_USAGE, "option '--charts': expected auto, always or never, got '%s'", optarg);
      break;
    case O_TDIR: o.template_dir = optarg; break;
    case O_TARGETS: bad = parse_targets(optarg, &o, &err); break;
    case O_SLO: bad = capacity_parse_slo(optarg, &o.cap, &err); break;
    case O_TUSERS: {
      long v;
      bad = parse_long("--target-users", optarg, 1, 100000000, &v, &err);
      o.cap.target_users = v;
      break;
    }
    case O_THR: bad = parse_percent("--threshold", optarg, &o.cmp.threshold_pct, &err); break;
    case O_TITLE: o.title = optarg; break;
    case O_MODEL: o.model_path = optarg; break;
    case O_CTIMEOUT: {
      double s;
      bad = parse_duration("--chart-timeout", optarg, &s, &err);
      if (!bad && (s < 0.1 || s > 3600))
        bad = err_set(&err, LR_USAGE, "option '--chart-timeout': expected 100ms to 1h, got '%s'", optarg);
      o.chart_timeout_ms = (int)(s * 1000);
      break;
    }
    case O_BOF: {
      char *eq = strchr(optarg, '=');
      if (!eq || eq == optarg || !eq[1]) {
        bad = err_set(&err, LR_USAGE, "option '--baseline-of': expected RUN=BASE, got '%s'", optarg);
        break;
      }
      *eq = 0;
      XGROW(o.bof, o.bof_cap, o.nbof + 1);
      o.bof[o.nbof++] = (struct baseline_of){optarg, eq + 1};
      break;
    }
    default:
      free(o.bof);
      return usage_error("report", "unknown option '%s'", argv[optind - 1]);
    }
    if (bad) {
      free(o.bof);
      return usage_error("report", "%s", err.msg);
    }
  }
  /* gnuplot: decided before anything is written. */
  if (o.charts != CHARTS_NEVER) {
    o.gnuplot = chart_gnuplot_program();
    o.gnuplot_ok = spawn_find_program(o.gnuplot);
    if (!o.gnuplot_ok && o.charts == CHARTS_ALWAYS) {
      errorf("cannot run '%s': not found (install gnuplot, set LOADREP_GNUPLOT, or use --charts auto)",
             o.gnuplot);
      free(o.bof);
      return LR_UNAVAILABLE;
    }
    if (!o.gnuplot_ok)
      warnf("gnuplot not found ('%s'): writing the reports without charts", o.gnuplot);
  }
  struct store *st = NULL;
  struct run_list rl = {0};
  struct chart_list cl = {0};
  json_t *model = NULL;
  if (cli_open_store(g, &st, &err) < 0 ||
      resolve_runs(st, argc - optind, argv + optind, &rl, &err) < 0 ||
      outfile_mkdirs(o.out_dir, &err) < 0) {
    rc = fail(&err);
    goto done;
  }
  if (o.charts != CHARTS_NEVER) {
    struct strbuf dir = STRBUF_INIT;
    strbuf_addf(&dir, "%s/charts", o.out_dir);
    int mk = outfile_mkdirs(dir.buf, &err);
    strbuf_release(&dir);
    if (mk < 0) {
      rc = fail(&err);
      goto done;
    }
  }
  if (build_model(st, &rl, &o, &cl, &model, &err) < 0 || draw_charts(&o, &cl, model, &err) < 0) {
    rc = fail(&err);
    goto done;
  }
  if (o.model_path) {
    char *s = json_dumps(model, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    int w = outfile_write(o.model_path, s, strlen(s), &err);
    free(s);
    if (w < 0) {
      rc = fail(&err);
      goto done;
    }
  }
  if (write_outputs(&o, model, &err) < 0) {
    rc = fail(&err);
    goto done;
  }
  if (!g->quiet) {
    fprintf(stderr, "loadrep: wrote %s/LOAD_TEST_RESULTS.md, CAPACITY_PLANNING.md", o.out_dir);
    if (o.html)
      fputs(", .html", stderr);
    if (o.pdf)
      fputs(", report.pdf", stderr);
    if (cl.n && o.gnuplot_ok)
      fprintf(stderr, " and %zu charts", cl.n);
    fputc('\n', stderr);
  }
done:
  json_decref(model);
  for (size_t i = 0; i < rl.n; i++)
    run_info_release(&rl.v[i]);
  free(rl.v);
  for (size_t i = 0; i < cl.n; i++)
    free(cl.stems[i]);
  free(cl.stems);
  free(o.bof);
  store_close(st);
  return rc;
}
