/* report_charts_detail.c - a run's charts of its endpoints, its status codes
 * and its baseline (report_charts_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/chart.h"
#include "render/report_charts.h"
#include "render/report_charts_int.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

void report_run_series_release(struct report_run_series *s) {
  report_series_free(&s->lat);
  report_series_free(&s->thr);
  report_series_free(&s->net);
  report_series_free(&s->ep);
  report_series_free(&s->sys);
  report_series_free(&s->status);
  report_series_free(&s->base_lat);
  report_series_free(&s->base_thr);
  for (size_t k = 0; k < s->nlabels; k++)
    free(s->labels[k]);
  free(s->labels);
  for (size_t k = 0; k < s->nstatus; k++)
    free(s->statuses[k]);
  free(s->statuses);
  report_ep_detail_free(&s->detail);
}

static void free_titles(char **t, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(t[i]);
  free(t);
}

/* p95 per endpoint; the interactive twin has p50, p95 and p99 of every
 * endpoint, p50 and p99 unticked at first. Windows of several seconds (a
 * slow endpoint's) are drawn with their points: a line between two of
 * them is not a measurement. */
static void endpoints_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                            const struct report_run_series *s, struct err *err, int *failed) {
  size_t ne = s->nlabels;
  if (ne == 0 || s->detail.n != ne) {
    json_object_set_new(charts, "endpoints_p95", json_null());
    return;
  }
  struct chart_series *es = xcalloc(ne, sizeof *es), *ts = xcalloc(3 * ne, sizeof *ts);
  char **titles = xcalloc(3 * ne, sizeof *titles);
  int *hidden = xcalloc(3 * ne, sizeof *hidden), *group = xcalloc(3 * ne, sizeof *group);
  static const char *const pn[3] = {"p50", "p95", "p99"};
  struct report_series tab[3] = {{0}, {0}, {0}};
  for (int w = 0; w < 3; w++) {
    char **lab;
    size_t nl;
    report_ep_table(&s->detail, w, &tab[w], &lab, &nl);
    free_titles(lab, nl);
  }
  double *ty = xmalloc((tab[1].n * 3 * ne + 1) * sizeof *ty);
  for (size_t i = 0; i < ne; i++) {
    int wide = s->detail.ep[i].window_s > 1;
    es[i] = (struct chart_series){s->labels[i], 0, wide ? 2 : 0};
    for (int w = 0; w < 3; w++) {
      struct strbuf t = STRBUF_INIT;
      strbuf_addf(&t, "%s %s", pn[w], s->labels[i]);
      titles[3 * i + (size_t)w] = strbuf_detach(&t, NULL);
      /* one colour an endpoint: p50 dashed, p95 solid, p99 dotted (style 4: the twin's only) */
      ts[3 * i + (size_t)w] = (struct chart_series){titles[3 * i + (size_t)w], 0, w == 0 ? 3 : w == 2 ? 4 : wide ? 2 : 0};
      hidden[3 * i + (size_t)w] = w != 1;
      group[3 * i + (size_t)w] = (int)i;
      for (size_t r = 0; r < tab[1].n; r++)
        ty[r * 3 * ne + 3 * i + (size_t)w] = tab[w].y[r * ne + i];
    }
  }
  struct strbuf title = STRBUF_INIT, t2 = STRBUF_INIT;
  strbuf_addf(&title, "p95 per endpoint over time (1-s windows unless the legend says wider) - %s", run_name);
  strbuf_addf(&t2, "p50, p95 and p99 per endpoint over time - %s", run_name);
  struct chart c = {
      .title = title.buf, .xlabel = "seconds since start", .ylabel = "ms, all requests",
      .kind = CHART_LINES, .nseries = ne, .series = es,
      .nrows = s->ep.n, .x = s->ep.x, .y = s->ep.y, .hline = NAN, .vline = NAN, .ymin_zero = 1, .logy = 1,
      .time_axis = 1, .xmax = cx->run_end_s};
  struct chart twin = c;
  twin.title = t2.buf;
  twin.nseries = 3 * ne;
  twin.series = ts;
  twin.nrows = tab[1].n;
  twin.x = tab[1].x;
  twin.y = ty;
  twin.hidden = hidden;
  twin.group = group;
  twin.note = "Each endpoint's percentiles are over windows of at least 20 of its requests on average "
              "(the legend names windows wider than a second), each drawn at the middle of its window.";
  report_add_chart_twin(cx, charts, "endpoints_p95", run_name, run_id, "endpoints-p95", &c, &twin, err, failed);
  for (int w = 0; w < 3; w++)
    report_series_free(&tab[w]);
  free_titles(titles, 3 * ne);
  strbuf_release(&title);
  strbuf_release(&t2);
  free(es);
  free(ts);
  free(ty);
  free(hidden);
  free(group);
}

/* The share of each endpoint's requests per response-time bin (ten bins a
 * decade), at the bins' geometric middles. */
static void distribution_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                               const struct report_run_series *s, struct err *err, int *failed) {
  const struct report_ep_detail *d = &s->detail;
  json_object_set_new(charts, "distribution", json_null());
  if (d->n == 0 || d->nbins == 0)
    return;
  struct chart_series *es = xcalloc(d->n, sizeof *es);
  double *x = xmalloc(d->nbins * sizeof *x), *y = xmalloc(d->nbins * d->n * sizeof *y);
  for (size_t e = 0; e < d->n; e++)
    es[e] = (struct chart_series){d->ep[e].label, 0, 2};
  for (size_t b = 0; b < d->nbins; b++) {
    x[b] = sqrt(d->edges[b] * d->edges[b + 1]);
    for (size_t e = 0; e < d->n; e++)
      y[b * d->n + e] = d->ep[e].hist[b];
  }
  struct strbuf title = STRBUF_INIT;
  strbuf_addf(&title, "Response-time distribution per endpoint - %s", run_name);
  struct chart c = {
      .title = title.buf, .xlabel = "response time, ms (log scale; ten bins a decade)",
      .ylabel = "% of the endpoint's requests", .kind = CHART_LINES, .nseries = d->n, .series = es,
      .nrows = d->nbins, .x = x, .y = y, .hline = NAN, .vline = NAN, .ymin_zero = 1, .logx = 1};
  report_add_chart_twin(cx, charts, "distribution", run_name, run_id, "distribution", &c, NULL, err, failed);
  strbuf_release(&title);
  free(es);
  free(x);
  free(y);
}

/* Responses per second by HTTP status. */
static void status_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                         const struct report_run_series *s, struct err *err, int *failed) {
  json_object_set_new(charts, "status", json_null());
  if (s->nstatus == 0) {
    json_object_set_new(charts, "status_note",
                        json_string("This run has no status codes per second: it was ingested before loadrep "
                                    "stored them, or its requests carry no status tag; ingest its k6 output "
                                    "again to see them."));
    return;
  }
  json_object_set_new(charts, "status_note", json_null());
  struct chart_series *ss = xcalloc(s->nstatus, sizeof *ss);
  char **titles = xcalloc(s->nstatus, sizeof *titles);
  for (size_t i = 0; i < s->nstatus; i++) {
    struct strbuf t = STRBUF_INIT;
    if (!strcmp(s->statuses[i], "0"))
      strbuf_addstr(&t, "no response (status 0)");
    else
      strbuf_addf(&t, "HTTP %s", s->statuses[i]);
    titles[i] = strbuf_detach(&t, NULL);
    ss[i] = (struct chart_series){titles[i], 0, 0};
  }
  struct strbuf title = STRBUF_INIT;
  strbuf_addf(&title, "Responses per second by status code - %s", run_name);
  struct chart c = {
      .title = title.buf, .xlabel = "seconds since start", .ylabel = "responses per second",
      .kind = CHART_LINES, .nseries = s->nstatus, .series = ss, .nrows = s->status.n, .x = s->status.x,
      .y = s->status.y, .hline = NAN, .vline = NAN, .ymin_zero = 1, .time_axis = 1, .xmax = cx->run_end_s};
  report_add_chart_twin(cx, charts, "status", run_name, run_id, "status", &c, NULL, err, failed);
  free_titles(titles, s->nstatus);
  free(ss);
  strbuf_release(&title);
}

/* This run and its baseline on one time axis: p95 of the successful
 * requests per second, and requests per second on the right axis. */
static void overlay_chart(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *charts,
                          const struct report_run_series *s, struct err *err, int *failed) {
  json_object_set_new(charts, "overlay", json_null());
  if (!s->base_name || s->base_lat.n == 0 || s->lat.n == 0)
    return;
  struct report_series u = {.ncols = 4};
  const struct report_series *a = &s->lat, *b = &s->base_lat;
  for (size_t i = 0, j = 0; i < a->n || j < b->n;) {
    double t = j >= b->n || (i < a->n && a->x[i] <= b->x[j]) ? a->x[i] : b->x[j];
    double v[4] = {NAN, NAN, NAN, NAN};
    if (i < a->n && a->x[i] == t) {
      v[0] = a->y[i * a->ncols + 1];
      v[2] = s->thr.y[i * s->thr.ncols];
      i++;
    }
    if (j < b->n && b->x[j] == t) {
      v[1] = b->y[j * b->ncols + 1];
      v[3] = s->base_thr.y[j * s->base_thr.ncols];
      j++;
    }
    report_series_row(&u, t, v);
  }
  struct strbuf t1 = STRBUF_INIT, t2 = STRBUF_INIT, t3 = STRBUF_INIT, t4 = STRBUF_INIT, title = STRBUF_INIT;
  strbuf_addf(&t1, "p95 %s", run_name);
  strbuf_addf(&t2, "p95 baseline %s", s->base_name);
  strbuf_addf(&t3, "requests/s %s (right axis)", run_name);
  strbuf_addf(&t4, "requests/s baseline %s (right axis)", s->base_name);
  struct chart_series ss[4] = {{t1.buf, 0, 0}, {t2.buf, 0, 3}, {t3.buf, 1, 0}, {t4.buf, 1, 3}};
  strbuf_addf(&title, "This run and its baseline on one time axis - %s", run_name);
  struct chart c = {
      .title = title.buf, .xlabel = "seconds since each run's start", .ylabel = "p95 ms, successful requests",
      .y2label = "requests per second", .kind = CHART_LINES, .nseries = 4, .series = ss, .nrows = u.n, .x = u.x,
      .y = u.y, .hline = NAN, .vline = NAN, .ymin_zero = 1, .logy = 1, .time_axis = 1};
  report_add_chart_twin(cx, charts, "overlay", run_name, run_id, "overlay", &c, NULL, err, failed);
  report_series_free(&u);
  strbuf_release(&t1);
  strbuf_release(&t2);
  strbuf_release(&t3);
  strbuf_release(&t4);
  strbuf_release(&title);
}

void report_charts_detail(struct report_charts *cx, const char *run_name, int64_t run_id, json_t *entry,
                          json_t *charts, const struct report_run_series *s, struct err *err, int *failed) {
  (void)entry;
  endpoints_chart(cx, run_name, run_id, charts, s, err, failed);
  distribution_chart(cx, run_name, run_id, charts, s, err, failed);
  status_chart(cx, run_name, run_id, charts, s, err, failed);
  overlay_chart(cx, run_name, run_id, charts, s, err, failed);
}
