#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/samples.h"
#include "store/store.h"
#include "store/store_scenarios.h"
#include "util/err.h"
#include "util/xalloc.h"

static void trend_unknown(struct sc_trend *t) {
  t->count = 0;
  t->avg = t->min = t->med = t->max = t->p90 = t->p95 = t->p99 = NAN;
}

static void read_trend(sqlite3_stmt *s, int col, struct sc_trend *t) {
  t->count = sqlite3_column_int64(s, col);
  double *v[] = {&t->avg, &t->min, &t->med, &t->max, &t->p90, &t->p95, &t->p99};
  for (int k = 0; k < 7; k++)
    *v[k] = t->count > 0 ? store_col_double(s, col + 1 + k) : NAN;
}

int store_scenarios_of(struct store *st, int64_t run_id, struct scenario **out, size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT name, executor, requests, failed, ok_count FROM scenarios WHERE run_id = ? "
                                  "ORDER BY name",
                                  err);
  if (!s)
    return -1;
  sqlite3_stmt *e = store_prepare(st,
                                  "SELECT se.id, se.endpoint_id, se.method, se.name, se.requests, se.failed, "
                                  "se.ok_count, "
                                  "a.count, a.avg, a.min, a.med, a.max, a.p90, a.p95, a.p99, "
                                  "o.count, o.avg, o.min, o.med, o.max, o.p90, o.p95, o.p99 "
                                  "FROM scenario_endpoints se "
                                  "LEFT JOIN scenario_endpoint_metrics a ON a.se_id = se.id "
                                  " AND a.metric = 'http_req_duration' AND a.scope = 'all' "
                                  "LEFT JOIN scenario_endpoint_metrics o ON o.se_id = se.id "
                                  " AND o.metric = 'http_req_duration' AND o.scope = 'ok' "
                                  "WHERE se.run_id = ? AND se.scenario = ? ORDER BY se.name, se.method",
                                  err);
  if (!e) {
    sqlite3_finalize(s);
    return -1;
  }
  struct scenario *v = NULL;
  size_t cnt = 0, cap = 0;
  int rc;
  sqlite3_bind_int64(s, 1, run_id);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    XGROW(v, cap, cnt + 1);
    struct scenario *sc = &v[cnt++];
    memset(sc, 0, sizeof *sc);
    sc->name = xstrdup(store_col_text(s, 0));
    sc->executor = sqlite3_column_type(s, 1) == SQLITE_NULL ? NULL : xstrdup(store_col_text(s, 1));
    sc->requests = sqlite3_column_int64(s, 2);
    sc->failed = sqlite3_column_int64(s, 3);
    sc->ok_count = sqlite3_column_int64(s, 4);
    sqlite3_reset(e);
    sqlite3_bind_int64(e, 1, run_id);
    sqlite3_bind_text(e, 2, sc->name, -1, SQLITE_TRANSIENT);
    size_t ecap = 0;
    int erc;
    while ((erc = sqlite3_step(e)) == SQLITE_ROW) {
      XGROW(sc->eps, ecap, sc->n_eps + 1);
      struct scenario_endpoint *p = &sc->eps[sc->n_eps++];
      memset(p, 0, sizeof *p);
      p->id = sqlite3_column_int64(e, 0);
      p->endpoint_id = sqlite3_column_int64(e, 1);
      p->method = xstrdup(store_col_text(e, 2));
      p->name = xstrdup(store_col_text(e, 3));
      p->requests = sqlite3_column_int64(e, 4);
      p->failed = sqlite3_column_int64(e, 5);
      p->ok_count = sqlite3_column_int64(e, 6);
      if (sqlite3_column_type(e, 7) == SQLITE_NULL)
        trend_unknown(&p->all);
      else
        read_trend(e, 7, &p->all);
      if (sqlite3_column_type(e, 15) == SQLITE_NULL)
        trend_unknown(&p->ok);
      else
        read_trend(e, 15, &p->ok);
    }
    if (erc != SQLITE_DONE) {
      rc = erc;
      break;
    }
  }
  sqlite3_finalize(s);
  sqlite3_finalize(e);
  if (rc != SQLITE_DONE) {
    store_scenarios_free(v, cnt);
    return store_fail(st, err, "cannot read scenarios");
  }
  *out = v;
  *n = cnt;
  return 0;
}

void store_scenarios_free(struct scenario *sc, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(sc[i].name);
    free(sc[i].executor);
    for (size_t k = 0; k < sc[i].n_eps; k++) {
      free(sc[i].eps[k].method);
      free(sc[i].eps[k].name);
    }
    free(sc[i].eps);
  }
  free(sc);
}

int store_scenario_samples(struct store *st, const struct scenario_endpoint *e, struct sample **out, size_t *n,
                           struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT data FROM scenario_samples WHERE se_id = ?1 "
                                  "UNION ALL SELECT data FROM samples WHERE endpoint_id = ?2 "
                                  "AND NOT EXISTS (SELECT 1 FROM scenario_samples WHERE se_id = ?1) LIMIT 1",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, e->id);
  sqlite3_bind_int64(s, 2, e->endpoint_id);
  int rc = sqlite3_step(s), ret = 0;
  if (rc == SQLITE_ROW) {
    const void *blob = sqlite3_column_blob(s, 0);
    size_t len = (size_t)sqlite3_column_bytes(s, 0);
    ret = blob && len ? samples_decode(blob, len, out, n, err) : 0;
  } else if (rc != SQLITE_DONE) {
    ret = store_fail(st, err, "cannot read scenario samples");
  }
  sqlite3_finalize(s);
  return ret;
}
