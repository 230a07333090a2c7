/* report_charts.c - the report's charts (report_charts.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/chart.h"
#include "render/escape.h"
#include "render/report_charts.h"
#include "render/report_charts_int.h"
#include "render/report_html.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"


static char *unique_stem(const struct report_charts *cx, const char *run_name, int64_t id, const char *what) {
  struct strbuf sb = STRBUF_INIT;
  esc_filename(&sb, run_name);
  strbuf_addf(&sb, "-%s", what);
  for (size_t i = 0; i < cx->n; i++)
    if (!strcmp(cx->stems[i], sb.buf)) {
      strbuf_reset(&sb);
      esc_filename(&sb, run_name);
      strbuf_addf(&sb, "-%lld-%s", (long long)id, what);
      break;
    }
  return strbuf_detach(&sb, NULL);
}

/* Writes the chart's files; on success records it (and the spec of its
 * interactive twin: `twin`, or the chart itself) and returns the Markdown
 * link target ("charts/STEM.svg") as a JSON string, else JSON null. */
static json_t *make_chart(struct report_charts *cx, struct chart *c, const struct chart *twin, struct err *err,
                          int *failed) {
  if (cx->mode == REPORT_CHARTS_NEVER || c->nrows == 0)
    return json_null();
  struct strbuf dir = STRBUF_INIT;
  strbuf_addf(&dir, "%s/charts", cx->out_dir);
  if (chart_write(c, dir.buf, err) < 0) {
    strbuf_release(&dir);
    *failed = 1;
    return json_null();
  }
  strbuf_release(&dir);
  XGROW(cx->stems, cx->cap, cx->n + 1);
  cx->stems[cx->n++] = xstrdup(c->name);
  if (!cx->gnuplot_ok)
    return json_null();
  json_t *spec = cx->specs ? report_html_spec(twin ? twin : c) : NULL;
  if (spec)
    json_object_set_new(cx->specs, c->name, spec);
  struct strbuf link = STRBUF_INIT;
  strbuf_addf(&link, "charts/%s.svg", c->name);
  json_t *j = json_string(link.buf);
  strbuf_release(&link);
  return j;
}

void report_add_chart_twin(struct report_charts *cx, json_t *charts, const char *key, const char *run_name,
                           int64_t run_id, const char *what, struct chart *c, const struct chart *twin,
                           struct err *err, int *failed) {
  char *stem = unique_stem(cx, run_name, run_id, what);
  c->name = stem;
  json_object_set_new(charts, key, make_chart(cx, c, twin, err, failed));
  free(stem);
}

/* Makes chart `c` named RUN-WHAT and sets charts[key] to its link. */
static void add_chart(struct report_charts *cx, json_t *charts, const char *key, const char *run_name,
                      int64_t run_id, const char *what, struct chart *c, struct err *err, int *failed) {
  report_add_chart_twin(cx, charts, key, run_name, run_id, what, c, NULL, err, failed);
}

static void latency_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                          const struct report_series *lat, double slo_ms, struct err *err, int *failed) {
  static const struct chart_series lat_s[] = {
      {"p50", 0, 0}, {"p95", 0, 0}, {"p99", 0, 0}, {"VUs (right axis)", 1, 3}};
  struct strbuf title = STRBUF_INIT;
  strbuf_addf(&title, "Response time percentiles per second - %s", run_name);
  /* Draw the SLO line only when it is within reach of the data. */
  double ymax = 0;
  for (size_t i = 0; i < lat->n * 4; i++)
    if (i % 4 != 3 && isfinite(lat->y[i]) && lat->y[i] > ymax)
      ymax = lat->y[i];
  struct chart c = {
      .title = title.buf, .xlabel = "seconds since start", .ylabel = "ms, successful requests only",
      .y2label = "VUs", .kind = CHART_LINES, .nseries = 4, .series = lat_s,
      .nrows = lat->n, .x = lat->x, .y = lat->y,
      .hline = !isfinite(slo_ms) || ymax < slo_ms * 0.25 ? NAN : slo_ms, .hline_title = "SLO p95",
      .vline = NAN, .ymin_zero = 1, .logy = 1, .time_axis = 1, .xmax = cx->run_end_s};
  add_chart(cx, charts, "latency", run_name, run_id, "latency", &c, err, failed);
  strbuf_release(&title);
}

static void throughput_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                             const struct report_series *thr, struct err *err, int *failed) {
  static const struct chart_series thr_s[] = {
      {"successful requests/s", 0, 0}, {"failed requests/s", 0, 0}, {"VUs (right axis)", 1, 3}};
  struct strbuf title = STRBUF_INIT;
  strbuf_addf(&title, "Successful and failed requests per second, with VUs - %s", run_name);
  /* requests, failures, VUs -> successful, failed, VUs */
  double *y = xmalloc((thr->n * 3 + 1) * sizeof *y);
  for (size_t r = 0; r < thr->n; r++) {
    y[3 * r] = thr->y[3 * r] - thr->y[3 * r + 1];
    y[3 * r + 1] = thr->y[3 * r + 1];
    y[3 * r + 2] = thr->y[3 * r + 2];
  }
  struct chart c = {
      .title = title.buf, .xlabel = "seconds since start", .ylabel = "requests per second",
      .y2label = "VUs", .kind = CHART_LINES, .nseries = 3, .series = thr_s,
      .nrows = thr->n, .x = thr->x, .y = y, .hline = NAN, .vline = NAN, .ymin_zero = 1, .time_axis = 1, .xmax = cx->run_end_s};
  add_chart(cx, charts, "throughput", run_name, run_id, "throughput", &c, err, failed);
  free(y);
  strbuf_release(&title);
}

/* Bytes k6 sent and received per second (JMeter's and the k6 dashboard's
 * network chart): none for a run ingested before they were recorded. */
static void network_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                          const struct report_series *net, struct err *err, int *failed) {
  json_object_set_new(charts, "network", json_null());
  if (!net->n)
    return;
  static const struct chart_series net_s[] = {{"KiB sent/s", 0, 0}, {"KiB received/s", 0, 0}};
  struct strbuf title = STRBUF_INIT;
  strbuf_addf(&title, "Bytes sent and received per second - %s", run_name);
  struct chart c = {
      .title = title.buf, .xlabel = "seconds since start", .ylabel = "KiB per second", .kind = CHART_LINES,
      .nseries = 2, .series = net_s, .nrows = net->n, .x = net->x, .y = net->y, .hline = NAN, .vline = NAN,
      .ymin_zero = 1, .time_axis = 1, .xmax = cx->run_end_s};
  add_chart(cx, charts, "network", run_name, run_id, "network", &c, err, failed);
  strbuf_release(&title);
}

static void system_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *entry,
                         json_t *charts, const struct report_series *sy, struct err *err, int *failed) {
  json_object_set_new(charts, "system", json_null());
  const char *cpu = rm_str(entry, "system_series.cpu"), *mem = rm_str(entry, "system_series.mem");
  if (!*cpu && !*mem)
    return;
  struct strbuf t1 = STRBUF_INIT, t2 = STRBUF_INIT, title = STRBUF_INIT;
  strbuf_addf(&t1, "CPU %% (%s)", *cpu ? cpu : "none");
  strbuf_addf(&t2, "memory MiB (%s, right axis)", *mem ? mem : "none");
  struct chart_series ss[2] = {{t1.buf, 0, 0}, {t2.buf, 1, 0}};
  strbuf_addf(&title, "System under test: CPU and memory - %s", run_name);
  struct chart c = {
      .title = title.buf, .xlabel = "seconds since start", .ylabel = "CPU %", .y2label = "MiB",
      .kind = CHART_LINES, .nseries = 2, .series = ss,
      .nrows = sy->n, .x = sy->x, .y = sy->y, .hline = NAN, .vline = NAN, .ymin_zero = 1, .time_axis = 1, .xmax = cx->run_end_s};
  add_chart(cx, charts, "system", run_name, run_id, "system", &c, err, failed);
  strbuf_release(&t1);
  strbuf_release(&t2);
  strbuf_release(&title);
}

int report_charts_run(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *entry,
                      const struct report_run_series *s, struct err *err) {
  json_t *charts = json_object_get(entry, "charts");
  int failed = 0;
  /* The SLO line: the run's objective for all requests (the last SLO row). */
  json_t *rows = json_object_get(entry, "slo_rows");
  double slo_ms = rm_num(json_array_get(rows, json_array_size(rows) - 1), "p95_slo_ms");
  double dur = rm_num(entry, "show.run.duration_s");
  cx->run_end_s = isfinite(dur) && dur > 0 ? dur : 0;
  latency_chart(cx, run_name, run_id, charts, &s->lat, isfinite(slo_ms) ? slo_ms : cx->slo_p95_ms, err, &failed);
  throughput_chart(cx, run_name, run_id, charts, &s->thr, err, &failed);
  network_chart(cx, run_name, run_id, charts, &s->net, err, &failed);
  system_chart(cx, run_name, run_id, entry, charts, &s->sys, err, &failed);
  report_charts_detail(cx, run_name, run_id, entry, charts, s, err, &failed);
  cx->run_end_s = 0;
  return failed ? -1 : 0;
}

int report_charts_compare(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *entry,
                          struct err *err) {
  json_t *charts = json_object_get(entry, "charts");
  json_t *cmp = rm_get(entry, "baseline.compare");
  /* Runs of different loads are compared by capacity, never by whole-run
   * p95: no bar chart of figures that are not comparable. */
  if (!cmp || json_is_false(rm_get(cmp, "load.comparable"))) {
    json_object_set_new(charts, "compare", json_null());
    return 0;
  }
  json_t *findings = json_object_get(cmp, "findings"), *f;
  size_t i, n = 0;
  const char **labels = xcalloc(json_array_size(findings) + 1, sizeof *labels);
  double *y = xcalloc(2 * (json_array_size(findings) + 1), sizeof *y);
  json_array_foreach(findings, i, f) {
    if (strcmp(rm_str(f, "metric"), "p95"))
      continue;
    labels[n] = rm_str(f, "endpoint");
    y[2 * n] = rm_num(f, "baseline");
    y[2 * n + 1] = rm_num(f, "candidate");
    n++;
  }
  struct strbuf t = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
  strbuf_addf(&t, "p95 per endpoint: baseline vs %s", run_name);
  strbuf_addf(&b, "baseline %s", rm_str(cmp, "baseline.name"));
  strbuf_addf(&c, "candidate %s", run_name);
  struct chart_series s[2] = {{b.buf, 0, 0}, {c.buf, 0, 0}};
  struct chart ch = {
      .title = t.buf, .ylabel = "p95 ms (all requests)", .kind = CHART_BARS, .nseries = 2,
      .series = s, .nrows = n, .labels = labels, .y = y, .hline = NAN, .vline = NAN, .ymin_zero = 1};
  int failed = 0;
  add_chart(cx, charts, "compare", run_name, run_id, "vs-baseline", &ch, err, &failed);
  free(labels);
  free(y);
  strbuf_release(&t);
  strbuf_release(&b);
  strbuf_release(&c);
  return failed ? -1 : 0;
}

/* Levels before the ramp-down: x = VUs, y = p95 ms, successful req/s,
 * total req/s, error %. */
static void load_levels(json_t *cap, struct report_series *lv) {
  json_t *L;
  size_t i;
  lv->ncols = 4;
  json_array_foreach(json_object_get(cap, "levels"), i, L) {
    if (json_is_true(json_object_get(L, "ramp_down")))
      continue;
    double v[4] = {rm_num(L, "p95_ms"), rm_num(L, "ok_rps"), rm_num(L, "rps"), rm_num(L, "error_rate") * 100};
    report_series_row(lv, rm_num(L, "vus"), v);
  }
}

/* The markers of the capacity charts: the knee, the last passing level and
 * the breaking point, with their VUs as the tables print them. */
struct cap_marks {
  struct chart_mark m[3];
  char t[3][96];
  double xmax;
};

static void cap_marks(json_t *cap, const struct report_series *lv, struct cap_marks *cm) {
  double at[3] = {rm_num(cap, "signals.knee.vus"), rm_num(cap, "max_users_within_slo.low"),
                  rm_num(cap, "breaking_point.vus")};
  static const char *const names[3] = {"knee", "last passing level", "breaking point"};
  /* Markers at the same level are one line with one label ("knee and
   * breaking point (250 VUs)"): two labels there would write over each other. */
  for (int i = 0; i < 3; i++) {
    char who[64] = "";
    double a = at[i];
    for (int j = i; j < 3; j++) {
      if (j > i && !(isfinite(a) && at[j] == a))
        continue;
      if (j > i)
        at[j] = NAN;
      snprintf(who + strlen(who), sizeof who - strlen(who), "%s%s", *who ? " and " : "", names[j]);
    }
    snprintf(cm->t[i], sizeof cm->t[i], "%s (%.0f VUs)", who, a);
    cm->m[i] = (struct chart_mark){.at = a, .title = cm->t[i]};
  }
  cm->xmax = 0;
  for (size_t k = 0; k < lv->n; k++)
    if (lv->x[k] > cm->xmax)
      cm->xmax = lv->x[k];
}

/* Picks columns `cols` of lv into out (same rows). */
static void pick_cols(const struct report_series *lv, const size_t *cols, size_t n, struct report_series *out) {
  out->ncols = n;
  double v[8];
  for (size_t r = 0; r < lv->n; r++) {
    for (size_t k = 0; k < n; k++)
      v[k] = lv->y[r * lv->ncols + cols[k]];
    report_series_row(out, lv->x[r], v);
  }
}

/* p95 against users, with its SLO line; successful req/s on the right. */
static void load_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *centry, json_t *cap,
                       const struct report_series *lv, const struct cap_marks *cm, struct err *err, int *failed) {
  double slo = rm_num(centry, "slo.p95_ms");
  if (!isfinite(slo))
    slo = cx->slo_p95_ms;
  struct strbuf t = STRBUF_INIT, st = STRBUF_INIT;
  strbuf_addf(&t, "p95 and successful throughput against concurrent users - %s", run_name);
  strbuf_addf(&st, "SLO p95 %g ms", slo);
  static const struct chart_series ls[2] = {{"p95 ms", 0, 2}, {"successful requests/s (right axis)", 1, 2}};
  struct report_series d = {0};
  pick_cols(lv, (const size_t[]){0, 1}, 2, &d);
  struct chart c = {
      .title = t.buf, .xlabel = "concurrent users (VUs)", .ylabel = "p95 ms", .y2label = "successful requests/s",
      .kind = CHART_LINES, .nseries = 2, .series = ls, .nrows = d.n, .x = d.x, .y = d.y,
      .hline = slo, .hline_title = st.buf, .vline = NAN, .ymin_zero = 1,
      .vmarks = cm->m, .nvmarks = 3, .xmax = cm->xmax};
  (void)cap;
  add_chart(cx, json_object_get(centry, "charts"), "load", run_name, run_id, "capacity", &c, err, failed);
  report_series_free(&d);
  strbuf_release(&t);
  strbuf_release(&st);
}

/* Successful and total req/s against users; error % on the right with its SLO line. */
static void rate_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *centry,
                       const struct report_series *lv, const struct cap_marks *cm, struct err *err, int *failed) {
  double es = rm_num(centry, "slo.error_rate") * 100;
  struct strbuf t = STRBUF_INIT, st = STRBUF_INIT;
  strbuf_addf(&t, "Successful and total throughput, errors against concurrent users - %s", run_name);
  strbuf_addf(&st, "SLO errors %g%%", es);
  static const struct chart_series rs[3] = {{"successful requests/s", 0, 2},
                                            {"total requests/s", 0, 3},
                                            {"error % (right axis)", 1, 2}};
  struct report_series d = {0};
  pick_cols(lv, (const size_t[]){1, 2, 3}, 3, &d);
  struct chart_mark h = {.at = es, .title = st.buf, .y2 = 1};
  struct chart c = {
      .title = t.buf, .xlabel = "concurrent users (VUs)", .ylabel = "requests/s", .y2label = "error %",
      .kind = CHART_LINES, .nseries = 3, .series = rs, .nrows = d.n, .x = d.x, .y = d.y,
      .hline = NAN, .vline = NAN, .ymin_zero = 1, .vmarks = cm->m, .nvmarks = 3,
      .hmarks = &h, .nhmarks = isfinite(es) ? 1 : 0, .xmax = cm->xmax};
  add_chart(cx, json_object_get(centry, "charts"), "rates", run_name, run_id, "capacity-rates", &c, err, failed);
  report_series_free(&d);
  strbuf_release(&t);
  strbuf_release(&st);
}

/* Sorts the rows of u by x (insertion sort: small). */
static void sort_rows(struct report_series *u) {
  for (size_t a = 1; a < u->n; a++)
    for (size_t b = a; b > 0 && u->x[b - 1] > u->x[b]; b--) {
      double tx = u->x[b];
      u->x[b] = u->x[b - 1];
      u->x[b - 1] = tx;
      for (size_t k = 0; k < u->ncols; k++) {
        double ty = u->y[u->ncols * b + k];
        u->y[u->ncols * b + k] = u->y[u->ncols * (b - 1) + k];
        u->y[u->ncols * (b - 1) + k] = ty;
      }
    }
}

/* USL: measured points and the fitted curve, over the range of the data
 * only. The points are successful req/s when capacity fitted those
 * (max_ok_rps_within_slo present), else total req/s. */
static void usl_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                      json_t *cap, const struct report_series *lv, double nmax, struct err *err, int *failed) {
  json_t *usl = json_object_get(cap, "usl");
  double sigma = rm_num(usl, "sigma"), kappa = rm_num(usl, "kappa"), lambda = rm_num(usl, "lambda");
  json_object_set_new(charts, "usl", json_null());
  if (!isfinite(sigma) || !isfinite(kappa) || !isfinite(lambda) || lv->n == 0 || !(nmax > 1))
    return;
  int ok = json_object_get(cap, "max_ok_rps_within_slo") != NULL;
  struct report_series u = {.ncols = 2};
  double peak = rm_num(usl, "peak_users");
  for (int g = 0; g <= 60; g++) {
    double N = 1 + (nmax - 1) * g / 60.0;
    double X = lambda * N / (1 + sigma * (N - 1) + kappa * N * (N - 1));
    double v[2] = {NAN, X};
    report_series_row(&u, N, v);
  }
  for (size_t k = 0; k < lv->n; k++) {
    double v[2] = {lv->y[lv->ncols * k + (ok ? 1 : 2)], NAN};
    report_series_row(&u, lv->x[k], v);
  }
  sort_rows(&u);
  struct strbuf t = STRBUF_INIT;
  strbuf_addf(&t, "Universal Scalability Law fit - %s", run_name);
  int ident = json_is_true(json_object_get(usl, "identified"));
  struct chart_series us[2] = {{ok ? "measured successful requests/s" : "measured requests/s", 0, 1},
                               {ident ? "USL fit" : "USL fit (peak not identified by the data)", 0, 0}};
  int show_peak = isfinite(peak) && peak <= nmax;
  struct chart c = {
      .title = t.buf, .xlabel = "concurrent users (VUs)", .ylabel = ok ? "successful requests/s" : "requests/s",
      .kind = CHART_LINES, .nseries = 2, .series = us, .nrows = u.n, .x = u.x, .y = u.y, .hline = NAN,
      .vline = show_peak ? peak : NAN, .vline_title = show_peak ? "USL peak" : NULL, .ymin_zero = 1, .xmax = nmax};
  add_chart(cx, charts, "usl", run_name, run_id, "usl", &c, err, failed);
  report_series_free(&u);
  strbuf_release(&t);
}

/* Phase breakdown at low load vs the knee (the bottleneck analysis). */
static void phases_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                         json_t *cap, struct err *err, int *failed) {
  json_object_set_new(charts, "phases", json_null());
  json_t *pl = rm_get(cap, "bottleneck.full.phases.low_load_mean_ms");
  json_t *pk = rm_get(cap, "bottleneck.full.phases.knee_mean_ms");
  if (!json_is_object(pl) || !json_is_object(pk))
    return;
  const char *key;
  json_t *val;
  const char **labels = xcalloc(json_object_size(pl) + 1, sizeof *labels);
  double *y = xcalloc(2 * (json_object_size(pl) + 1), sizeof *y);
  size_t m = 0;
  double top = 0;
  json_object_foreach(pl, key, val) {
    double lo = json_is_number(val) ? json_number_value(val) : NAN, hi = rm_num(pk, key);
    top = fmax(top, fmax(isfinite(lo) ? lo : 0, isfinite(hi) ? hi : 0));
  }
  struct strbuf left = STRBUF_INIT;
  json_object_foreach(pl, key, val) {
    double lo = json_is_number(val) ? json_number_value(val) : NAN, hi = rm_num(pk, key);
    if (!(fabs(lo) >= 0.01 * top) && !(fabs(hi) >= 0.01 * top)) {
      /* a bar too small to see says nothing: named in the title instead */
      if (fabs(lo) >= 0.0005 || fabs(hi) >= 0.0005)
        strbuf_addf(&left, "%s%s", left.len ? ", " : "", key);
      continue;
    }
    labels[m] = key;
    y[2 * m] = lo;
    y[2 * m + 1] = hi;
    m++;
  }
  struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, t = STRBUF_INIT;
  const char *basis = rm_str(cap, "bottleneck.full.knee.basis");
  strbuf_addf(&a, "low load (up to %.0f VUs)", rm_num(cap, "bottleneck.full.low_load.vus_max"));
  strbuf_addf(&b, "at the %s (%.0f VUs)", *basis ? basis : "knee", rm_num(cap, "bottleneck.full.knee.vus"));
  struct chart_series ps[2] = {{a.buf, 0, 0}, {b.buf, 0, 0}};
  strbuf_addf(&t, "Where the time goes: mean request phases - %s", run_name);
  if (left.len)
    strbuf_addf(&t, " (under 1%% of the largest, not drawn: %s)", left.buf);
  strbuf_release(&left);
  struct chart c = {
      .title = t.buf, .ylabel = "mean ms per request", .kind = CHART_BARS, .nseries = 2, .series = ps,
      .nrows = m, .labels = labels, .y = y, .hline = NAN, .vline = NAN, .ymin_zero = 1};
  add_chart(cx, charts, "phases", run_name, run_id, "phases", &c, err, failed);
  free(labels);
  free(y);
  strbuf_release(&a);
  strbuf_release(&b);
  strbuf_release(&t);
}

int report_charts_capacity(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *centry,
                           struct err *err) {
  json_t *cap = json_object_get(centry, "capacity");
  if (!json_is_object(cap))
    return 0;
  json_t *charts = json_object_get(centry, "charts");
  int failed = 0;
  struct report_series lv = {0};
  struct cap_marks cm;
  load_levels(cap, &lv);
  cap_marks(cap, &lv, &cm);
  load_chart(cx, run_name, run_id, centry, cap, &lv, &cm, err, &failed);
  rate_chart(cx, run_name, run_id, centry, &lv, &cm, err, &failed);
  usl_chart(cx, run_name, run_id, charts, cap, &lv, cm.xmax, err, &failed);
  phases_chart(cx, run_name, run_id, charts, cap, err, &failed);
  report_series_free(&lv);
  return failed ? -1 : 0;
}

/* Replaces every link to "charts/STEM.svg" in the model by null. */
static void drop_links(json_t *model, const char *stem) {
  struct strbuf link = STRBUF_INIT;
  strbuf_addf(&link, "charts/%s.svg", stem);
  json_t *lists[2] = {json_object_get(model, "runs"), json_object_get(model, "capacity")};
  for (int l = 0; l < 2; l++) {
    json_t *e;
    size_t k;
    json_array_foreach(lists[l], k, e) {
      json_t *ch = json_object_get(e, "charts");
      const char *key;
      json_t *val;
      json_object_foreach(ch, key, val) if (json_is_string(val) && !strcmp(json_string_value(val), link.buf))
          json_object_set_new(ch, key, json_null());
    }
  }
  strbuf_release(&link);
}

int report_charts_draw(struct report_charts *cx, json_t *model, struct err *err) {
  if (cx->mode == REPORT_CHARTS_NEVER || !cx->gnuplot_ok)
    return 0;
  struct strbuf dir = STRBUF_INIT;
  strbuf_addf(&dir, "%s/charts", cx->out_dir);
  int rc = 0, failures = 0;
  for (size_t i = 0; i < cx->n && rc == 0; i++) {
    struct err cerr = ERR_INIT;
    if (chart_run(cx->gnuplot, dir.buf, cx->stems[i], cx->timeout_ms, &cerr) == 0)
      continue;
    if (cx->mode == REPORT_CHARTS_ALWAYS) {
      *err = cerr;
      rc = -1;
    } else {
      warnf("%s", cerr.msg);
      failures++;
      drop_links(model, cx->stems[i]);
    }
  }
  if (failures)
    json_object_set_new(json_object_get(model, "charts"), "note",
                        json_string("Some charts are missing: gnuplot failed on them (see the "
                                    "warnings of 'loadrep report')."));
  strbuf_release(&dir);
  return rc;
}

void report_charts_release(struct report_charts *cx) {
  for (size_t i = 0; i < cx->n; i++)
    free(cx->stems[i]);
  free(cx->stems);
  cx->stems = NULL;
  cx->n = cx->cap = 0;
}

/* Memory floor per window of a soak run, the fitted trend (the Sen slope
 * from the starting floor) and the leak threshold (growth of
 * threshold_pct over the starting floor), in MiB. */
int report_charts_soak(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *sentry,
                       struct err *err) {
  json_t *mem = rm_get(sentry, "soak.memory"), *w;
  json_t *charts = json_object_get(sentry, "charts");
  if (!json_is_object(mem) || !json_is_object(charts))
    return 0;
  const double mib = 1024.0 * 1024.0;
  double f0 = rm_num(mem, "floor_start"), slope = rm_num(mem, "slope_per_hour"), thr = rm_num(mem, "threshold_pct");
  struct report_series d = {.ncols = 3};
  double lim = f0 * (1 + thr / 100) / mib;
  double t0 = NAN;
  size_t i;
  json_array_foreach(json_object_get(mem, "series"), i, w) {
    double t = rm_num(w, "time_s");
    if (isnan(t0))
      t0 = t;
    double v[3] = {rm_num(w, "min") / mib, isfinite(slope) && isfinite(f0) ? (f0 + slope * (t - t0) / 3600) / mib : NAN,
                   lim};
    report_series_row(&d, t, v);
  }
  int failed = 0;
  if (d.n > 0) {
    struct strbuf t = STRBUF_INIT, th = STRBUF_INIT;
    strbuf_addf(&t, "Memory over the soak: floor per window and trend - %s", run_name);
    strbuf_addf(&th, "leak threshold (+%g%% over the start)", thr);
    /* The threshold is a series, so that the y axis reaches it. */
    struct chart_series ms[3] = {{"memory floor per window (MiB)", 0, 2}, {"fitted trend", 0, 3}, {th.buf, 0, 0}};
    struct chart c = {
        .title = t.buf, .xlabel = "seconds since start", .ylabel = "MiB", .kind = CHART_LINES,
        .nseries = 3, .series = ms, .nrows = d.n, .x = d.x, .y = d.y, .hline = NAN,
        .vline = NAN, .xmax = d.x[d.n - 1]};
    add_chart(cx, charts, "soak_memory", run_name, run_id, "soak-memory", &c, err, &failed);
    strbuf_release(&t);
    strbuf_release(&th);
  }
  report_series_free(&d);
  return failed ? -1 : 0;
}
