#include <math.h>
#include <stdlib.h>

#include "store/samples.h"
#include "store/sq.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_scenarios.h"
#include "util/err.h"

static void trend_unknown(struct sc_trend *t) {
  t->count = 0;
  t->avg = t->min = t->med = t->max = t->p90 = t->p95 = t->p99 = NAN;
}

/* The trend at columns col..col+7 (count, avg, min, med, max, p90, p95, p99). */
static void read_trend(struct sq_stmt *s, int col, struct sc_trend *t) {
  if (sq_is_null(s, col)) {
    trend_unknown(t);
    return;
  }
  t->count = sq_int64(s, col);
  double *v[] = {&t->avg, &t->min, &t->med, &t->max, &t->p90, &t->p95, &t->p99};
  for (int k = 0; k < 7; k++)
    *v[k] = t->count > 0 ? sq_double(s, col + 1 + k) : NAN;
}

#define F(type, member) STORE_FIELD(type, struct scenario_endpoint, member)
/* Columns 0-6; the trends of all and ok follow. */
static const struct store_field ep_fields[] = {F(SF_I64, id),       F(SF_I64, endpoint_id), F(SF_STR, method),
                                               F(SF_STR, name),     F(SF_I64, requests),    F(SF_I64, failed),
                                               F(SF_I64, ok_count)};
#undef F
static const struct store_shape ep_shape = STORE_SHAPE(struct scenario_endpoint, ep_fields);

static void eps_release(void *e, size_t n) { store_rows_free(e, n, &ep_shape); }

static int ep_row(struct sq_stmt *e, void *item, struct err *err) {
  (void)err;
  struct scenario_endpoint *p = item;
  store_row_read(e, 0, p, ep_fields, STORE_NF(ep_fields));
  read_trend(e, 7, &p->all);
  read_trend(e, 15, &p->ok);
  return 0;
}

#define F(type, member) STORE_FIELD(type, struct scenario, member)
static const struct store_field scenario_fields[] = {F(SF_STR, name), F(SF_STR_OR_NULL, executor),
                                                     F(SF_I64, requests), F(SF_I64, failed), F(SF_I64, ok_count)};
#undef F
static const struct store_shape scenario_shape = STORE_SHAPE(struct scenario, scenario_fields);

int store_scenarios_of(struct store *st, int64_t run_id, struct scenario **out, size_t *n, struct err *err) {
  if (store_rows_map_of_id(st, "SELECT name, executor, requests, failed, ok_count FROM scenarios WHERE run_id = ? "
                               "ORDER BY name",
                           run_id, &scenario_shape, "cannot read scenarios", (void **)out, n, err) < 0)
    return -1;
  for (size_t i = 0; i < *n; i++) {
    struct scenario *sc = &(*out)[i];
    struct sq_stmt *e = sq_query(st, err,
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
                                 "is", run_id, sc->name);
    if (store_rows(st, e, sizeof *sc->eps, ep_row, eps_release, "cannot read scenarios", (void **)&sc->eps,
                   &sc->n_eps, err) < 0) {
      store_scenarios_free(*out, *n);
      *out = NULL;
      *n = 0;
      return -1;
    }
  }
  return 0;
}

void store_scenarios_free(struct scenario *sc, size_t n) {
  for (size_t i = 0; i < n; i++)
    store_rows_free(sc[i].eps, sc[i].n_eps, &ep_shape);
  store_rows_free(sc, n, &scenario_shape);
}

int store_scenario_samples(struct store *st, const struct scenario_endpoint *e, struct sample **out, size_t *n,
                           struct err *err) {
  *out = NULL;
  *n = 0;
  struct sq_stmt *s = sq_query(st, err,
                               "SELECT data FROM scenario_samples WHERE se_id = ?1 "
                               "UNION ALL SELECT data FROM samples WHERE endpoint_id = ?2 "
                               "AND NOT EXISTS (SELECT 1 FROM scenario_samples WHERE se_id = ?1) LIMIT 1",
                               "ii", e->id, e->endpoint_id);
  if (!s)
    return -1;
  int rc = sq_step(s), ret = 0;
  if (rc == SQ_ROW) {
    size_t len;
    const void *blob = sq_blob(s, 0, &len);
    ret = blob && len ? samples_decode(blob, len, out, n, err) : 0;
  } else if (rc != SQ_DONE) {
    ret = store_fail(st, err, "cannot read scenario samples");
  }
  sq_finalize(s);
  return ret;
}
