#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_endpoints.h"
#include "util/err.h"
#include "util/xalloc.h"

void store_ep_details_free(struct store_ep_detail *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(e[i].method);
    free(e[i].name);
    for (size_t k = 0; k < e[i].ntrends; k++) {
      free(e[i].trends[k].metric);
      free(e[i].trends[k].scope);
    }
    free(e[i].trends);
  }
  free(e);
}

/* The trends of one endpoint: m is bound to its id and stepped to the end. */
static void read_trends(sqlite3_stmt *m, struct store_ep_detail *e) {
  size_t cap = 0;
  while (sqlite3_step(m) == SQLITE_ROW) {
    XGROW(e->trends, cap, e->ntrends + 1);
    struct store_ep_trend *t = &e->trends[e->ntrends++];
    t->metric = xstrdup(store_col_text(m, 0));
    t->scope = xstrdup(store_col_text(m, 1));
    t->t.count = sqlite3_column_int64(m, 2);
    t->t.avg = store_col_double(m, 3);
    t->t.min = store_col_double(m, 4);
    t->t.med = store_col_double(m, 5);
    t->t.max = store_col_double(m, 6);
    t->t.p90 = store_col_double(m, 7);
    t->t.p95 = store_col_double(m, 8);
    t->t.p99 = store_col_double(m, 9);
  }
}

int store_endpoint_details(struct store *st, int64_t run_id, const char *scenario, struct store_ep_detail **out,
                           size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  scenario ? "SELECT e.id, e.method, e.name, e.requests, e.failed, e.ok_count "
                                             "FROM scenario_endpoints e WHERE e.run_id = ? AND e.scenario = ? "
                                             "ORDER BY e.name, e.method"
                                           : "SELECT e.id, e.method, e.name, e.requests, e.failed, e.ok_count "
                                             "FROM endpoints e WHERE e.run_id = ? ORDER BY e.name, e.method",
                                  err);
  sqlite3_stmt *m = store_prepare(st,
                                  scenario ? "SELECT metric, scope, count, avg, min, med, max, p90, p95, p99 "
                                             "FROM scenario_endpoint_metrics WHERE se_id = ? ORDER BY metric, scope"
                                           : "SELECT metric, scope, count, avg, min, med, max, p90, p95, p99 "
                                             "FROM endpoint_metrics WHERE endpoint_id = ? ORDER BY metric, scope",
                                  err);
  if (!s || !m) {
    sqlite3_finalize(s);
    sqlite3_finalize(m);
    return -1;
  }
  sqlite3_bind_int64(s, 1, run_id);
  if (scenario)
    sqlite3_bind_text(s, 2, scenario, -1, SQLITE_TRANSIENT);
  size_t cap = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    XGROW(*out, cap, *n + 1);
    struct store_ep_detail *e = &(*out)[(*n)++];
    memset(e, 0, sizeof *e);
    e->id = sqlite3_column_int64(s, 0);
    e->method = xstrdup(store_col_text(s, 1));
    e->name = xstrdup(store_col_text(s, 2));
    e->requests = sqlite3_column_int64(s, 3);
    e->failed = sqlite3_column_int64(s, 4);
    e->ok_count = sqlite3_column_int64(s, 5);
    sqlite3_reset(m);
    sqlite3_bind_int64(m, 1, e->id);
    read_trends(m, e);
  }
  sqlite3_finalize(s);
  sqlite3_finalize(m);
  return 0;
}

static int ep_ok_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_ep_ok *e = item;
  e->method = xstrdup(store_col_text(q, 0));
  e->name = xstrdup(store_col_text(q, 1));
  e->ok_count = sqlite3_column_double(q, 2);
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
