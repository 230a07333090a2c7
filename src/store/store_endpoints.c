#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_endpoints.h"
#include "util/err.h"
#include "util/xalloc.h"

static void trends_free(struct store_ep_trend *t, size_t n) {
  for (size_t k = 0; k < n; k++) {
    free(t[k].metric);
    free(t[k].scope);
  }
  free(t);
}

void store_ep_details_free(struct store_ep_detail *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(e[i].method);
    free(e[i].name);
    trends_free(e[i].trends, e[i].ntrends);
  }
  free(e);
}

static void trends_release(void *t, size_t n) { trends_free(t, n); }
static void details_release(void *e, size_t n) { store_ep_details_free(e, n); }

static int trend_row(struct sq_stmt *m, void *item, struct err *err) {
  (void)err;
  struct store_ep_trend *t = item;
  t->metric = xstrdup(sq_text(m, 0));
  t->scope = xstrdup(sq_text(m, 1));
  t->t.count = sq_int64(m, 2);
  double *v[] = {&t->t.avg, &t->t.min, &t->t.med, &t->t.max, &t->t.p90, &t->t.p95, &t->t.p99};
  for (int k = 0; k < 7; k++)
    *v[k] = sq_double(m, 3 + k);
  return 0;
}

static int detail_row(struct sq_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_ep_detail *e = item;
  e->id = sq_int64(s, 0);
  e->method = xstrdup(sq_text(s, 1));
  e->name = xstrdup(sq_text(s, 2));
  e->requests = sq_int64(s, 3);
  e->failed = sq_int64(s, 4);
  e->ok_count = sq_int64(s, 5);
  return 0;
}

int store_endpoint_details(struct store *st, int64_t run_id, const char *scenario, struct store_ep_detail **out,
                           size_t *n, struct err *err) {
  struct sq_stmt *s = sq_query(st, err,
                               scenario ? "SELECT e.id, e.method, e.name, e.requests, e.failed, e.ok_count "
                                          "FROM scenario_endpoints e WHERE e.run_id = ? AND e.scenario = ? "
                                          "ORDER BY e.name, e.method"
                                        : "SELECT e.id, e.method, e.name, e.requests, e.failed, e.ok_count "
                                          "FROM endpoints e WHERE e.run_id = ? ORDER BY e.name, e.method",
                               scenario ? "is" : "i", run_id, scenario);
  if (store_rows(st, s, sizeof **out, detail_row, details_release, "cannot read endpoints", (void **)out, n, err) < 0)
    return -1;
  const char *trends = scenario ? "SELECT metric, scope, count, avg, min, med, max, p90, p95, p99 "
                                  "FROM scenario_endpoint_metrics WHERE se_id = ? ORDER BY metric, scope"
                                : "SELECT metric, scope, count, avg, min, med, max, p90, p95, p99 "
                                  "FROM endpoint_metrics WHERE endpoint_id = ? ORDER BY metric, scope";
  for (size_t i = 0; i < *n; i++) {
    struct store_ep_detail *e = &(*out)[i];
    if (store_rows_of_id(st, trends, e->id, sizeof *e->trends, trend_row, trends_release, "cannot read endpoints",
                         (void **)&e->trends, &e->ntrends, err) < 0) {
      store_ep_details_free(*out, *n);
      *out = NULL;
      *n = 0;
      return -1;
    }
  }
  return 0;
}

static int ep_ok_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_ep_ok *e = item;
  e->method = xstrdup(sq_text(q, 0));
  e->name = xstrdup(sq_text(q, 1));
  e->ok_count = (double)sq_int64(q, 2);
  return 0;
}

static void ep_oks_release(void *e, size_t n) { store_ep_oks_free(e, n); }

int store_endpoint_ok_counts(struct store *st, int64_t run_id, struct store_ep_ok **out, size_t *n, struct err *err) {
  return store_rows_of_id(st, "SELECT method, name, ok_count FROM endpoints WHERE run_id = ? ORDER BY id", run_id,
                          sizeof **out, ep_ok_row, ep_oks_release, "cannot read endpoints", (void **)out, n, err);
}

void store_ep_oks_free(struct store_ep_ok *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(e[i].method);
    free(e[i].name);
  }
  free(e);
}
