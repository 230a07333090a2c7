/* k6_agg_store.c - the aggregator's second half: metrics, checks,
 * endpoints, scenarios and one-second buckets computed from the series and
 * written to the store (see k6_agg.h for the contract). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/endpoint.h"
#include "ingest/k6_agg.h"
#include "ingest/k6_agg_int.h"
#include "ingest/k6_instances.h"
#include "stats/percentile.h"
#include "store/samples.h"
#include "store/store.h"
#include "store/store_k6.h"
#include "store/store_metrics.h"
#include "store/store_runs.h"
#include "store/store_status.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* ---- computing and storing ------------------------------------------- */

struct vec {
  double *v;
  size_t n, cap;
  double sum;
};

static void vec_add_series(struct vec *d, const struct series *s) {
  XGROW(d->v, d->cap, d->n + s->n);
  memcpy(d->v + d->n, s->v, s->n * sizeof *s->v);
  d->n += s->n;
  d->sum += s->sum;
}

static int tags_match(json_t *want, json_t *have) {
  const char *k;
  json_t *v;
  json_object_foreach(want, k, v) {
    json_t *h = json_object_get(have, k);
    if (!json_is_string(h) || !json_is_string(v) || strcmp(json_string_value(h), json_string_value(v)))
      return 0;
  }
  return 1;
}

/* Aggregate of one metric over the series that `pick` accepts. */
struct agg_result {
  struct trend_stats tr;
  double count; /* counter Σ */
  uint64_t passes, total;
  double last, min, max;
  uint64_t last_seq;
  json_t *extra; /* trend stats beyond the fixed columns */
};

typedef int (*pick_fn)(const struct k6_agg *a, const struct series *s, const void *arg);

static void aggregate(const struct k6_agg *a, int metric, pick_fn pick, const void *arg, json_t *trend_stats,
                      struct agg_result *r) {
  const struct metric *m = &a->metrics[metric];
  struct vec d = {0};
  memset(r, 0, sizeof *r);
  r->min = INFINITY;
  r->max = -INFINITY;
  for (size_t i = 0; i < a->nseries; i++) {
    const struct series *s = &a->series[i];
    if (s->metric != metric || (pick && !pick(a, s, arg)))
      continue;
    if (m->type == MT_TREND)
      vec_add_series(&d, s);
    r->count += s->sum;
    r->passes += s->nonzero;
    r->total += s->total;
    if (s->total && s->min < r->min)
      r->min = s->min;
    if (s->total && s->max > r->max)
      r->max = s->max;
    if (s->total && s->last_seq >= r->last_seq) {
      r->last_seq = s->last_seq;
      r->last = s->last;
    }
  }
  if (m->type == MT_TREND) {
    trend_compute(d.v, d.n, d.sum, &r->tr);
    size_t i;
    json_t *st;
    json_array_foreach(trend_stats, i, st) {
      const char *name = json_string_value(st);
      if (!name || strncmp(name, "p(", 2) != 0)
        continue;
      char pct[32];
      size_t l = strlen(name);
      if (l < 4 || l - 3 >= sizeof pct || name[l - 1] != ')')
        continue;
      memcpy(pct, name + 2, l - 3);
      pct[l - 3] = 0;
      if (!strcmp(pct, "90") || !strcmp(pct, "95") || !strcmp(pct, "99"))
        continue;
      if (!r->extra)
        r->extra = json_object();
      json_object_set_new(r->extra, name, json_real(stats_pct_text(d.v, d.n, pct)));
    }
  }
  free(d.v);
  if (r->total == 0)
    r->min = r->max = 0;
}

/* The stats object a threshold is judged on (k6's names). */
static json_t *stats_json(enum mtype t, const struct agg_result *r, double duration) {
  json_t *o = json_object();
  switch (t) {
  case MT_TREND:
    json_object_set_new(o, "count", json_real((double)r->tr.count));
    json_object_set_new(o, "avg", json_real(r->tr.avg));
    json_object_set_new(o, "min", json_real(r->tr.min));
    json_object_set_new(o, "med", json_real(r->tr.med));
    json_object_set_new(o, "max", json_real(r->tr.max));
    json_object_set_new(o, "p(90)", json_real(r->tr.p90));
    json_object_set_new(o, "p(95)", json_real(r->tr.p95));
    json_object_set_new(o, "p(99)", json_real(r->tr.p99));
    if (r->extra)
      json_object_update(o, r->extra);
    break;
  case MT_COUNTER:
    json_object_set_new(o, "count", json_real(r->count));
    json_object_set_new(o, "rate", json_real(duration > 0 ? r->count / duration : 0));
    break;
  case MT_RATE:
    json_object_set_new(o, "rate", json_real(r->total ? (double)r->passes / (double)r->total : 0));
    break;
  case MT_GAUGE:
    json_object_set_new(o, "value", json_real(r->last));
    json_object_set_new(o, "min", json_real(r->min));
    json_object_set_new(o, "max", json_real(r->max));
    break;
  }
  return o;
}

static int put_metric(struct metric_writer *w, int64_t run_id, const char *name, const struct metric *m,
                      const struct agg_result *r, double duration, struct err *err) {
  int tr = m->type == MT_TREND, ct = m->type == MT_COUNTER, rt = m->type == MT_RATE, ga = m->type == MT_GAUGE;
  struct metric_row row;
  metric_row_init(&row);
  row.name = name;
  row.type = k6_mtype_names[m->type];
  row.contains = m->contains;
  row.count = tr ? (double)r->tr.count : ct ? r->count : (double)r->total;
  if (tr || ct)
    row.sum = tr ? r->tr.sum : r->count;
  if (tr) {
    row.avg = r->tr.avg;
    row.med = r->tr.med;
    row.p90 = r->tr.p90;
    row.p95 = r->tr.p95;
    row.p99 = r->tr.p99;
  }
  if (tr || ga) {
    row.min = tr ? r->tr.min : r->min;
    row.max = tr ? r->tr.max : r->max;
  }
  if (ct)
    row.rate = duration > 0 ? r->count / duration : 0;
  if (rt) {
    row.passes = (double)r->passes;
    row.fails = (double)(r->total - r->passes);
  }
  if (rt || ga)
    row.value = rt ? (r->total ? (double)r->passes / (double)r->total : 0) : r->last;
  char *x = r->extra ? json_dumps(r->extra, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
  row.extra = x;
  int rc = store_metric_put(w, run_id, &row, err);
  free(x);
  return rc;
}

static int pick_sub(const struct k6_agg *a, const struct series *s, const void *arg) {
  return tags_match((json_t *)arg, a->tagsets[s->tagset].tags);
}

struct ep_pick {
  int endpoint;
  int ok_only;
};

static int pick_endpoint(const struct k6_agg *a, const struct series *s, const void *arg) {
  const struct ep_pick *p = arg;
  const struct tagset *t = &a->tagsets[s->tagset];
  return t->endpoint == p->endpoint && (!p->ok_only || t->expected == 1);
}

/* A submetric's thresholds (k6 records them in its summaries only), judged
 * over the union of the runners' samples. */
static int judge_sub(struct metric_writer *w, int64_t run_id, const struct metric *m, const char *name,
                     const struct agg_result *r, double duration, const struct k6_summary_info *sum, json_t *judged,
                     struct err *err) {
  json_t *exprs = sum && sum->verdicts ? json_object_get(sum->verdicts, name) : NULL;
  if (!exprs)
    return 0;
  json_t *stats = stats_json(m->type, r, duration), *ok, *set = json_object();
  const char *expr;
  int rc = 0;
  json_object_foreach(exprs, expr, ok) {
    json_object_set_new(set, expr, json_true());
    if (rc == 0)
      rc = store_threshold_put(w, run_id, name, expr, k6_threshold_eval(expr, stats), "loadrep", err);
  }
  json_object_set_new(judged, name, set);
  json_decref(stats);
  return rc;
}

static int store_metrics(struct k6_agg *a, struct store *st, int64_t run_id, const struct k6_summary_info *sum,
                         double duration, struct err *err) {
  struct metric_writer *w = store_metric_writer(st, STORE_INSERT, STORE_CHECK_ADD);
  int rc = -1;
  json_t *trend_stats = sum ? sum->trend_stats : NULL;
  /* Several runners: k6 judged each over its own samples only (their
   * verdicts go to instance_thresholds); the run's are judged here, over
   * the union. */
  json_t *judged = json_object();
  int merged = k6_instances_count(a->inst) > 1;
  for (size_t i = 0; i < a->nmetrics; i++) {
    const struct metric *m = &a->metrics[i];
    struct agg_result r;
    aggregate(a, (int)i, NULL, NULL, trend_stats, &r);
    if (r.total == 0 && !m->declared) {
      json_decref(r.extra);
      continue;
    }
    int fail = put_metric(w, run_id, m->name, m, &r, duration, err);
    json_t *stats = stats_json(m->type, &r, duration);
    json_decref(r.extra);
    if (fail) {
      json_decref(stats);
      goto out;
    }
    /* Thresholds: k6's own verdicts win; otherwise judge the metric here. */
    size_t k;
    json_t *th;
    json_array_foreach(m->thresholds, k, th) {
      const char *expr = json_is_string(th) ? json_string_value(th)
                                            : json_string_value(json_object_get(th, "threshold"));
      if (!expr)
        continue;
      json_t *kv = sum && sum->verdicts ? json_object_get(json_object_get(sum->verdicts, m->name), expr) : NULL;
      if (kv && !merged)
        continue; /* stored below from the verdicts */
      json_t *set = json_object_get(judged, m->name);
      if (!set)
        json_object_set_new(judged, m->name, set = json_object());
      json_object_set_new(set, expr, json_true());
      if (store_threshold_put(w, run_id, m->name, expr, k6_threshold_eval(expr, stats), "loadrep", err) < 0) {
        json_decref(stats);
        goto out;
      }
    }
    json_decref(stats);
    for (size_t s = 0; s < m->nsub; s++) {
      aggregate(a, (int)i, pick_sub, m->subs[s].tags, trend_stats, &r);
      fail = put_metric(w, run_id, m->subs[s].name, m, &r, duration, err);
      if (!fail && merged)
        fail = judge_sub(w, run_id, m, m->subs[s].name, &r, duration, sum, judged, err);
      json_decref(r.extra);
      if (fail)
        goto out;
    }
  }
  if (sum && sum->verdicts) {
    const char *mname;
    json_t *exprs;
    json_object_foreach(sum->verdicts, mname, exprs) {
      const char *expr;
      json_t *ok;
      json_object_foreach(exprs, expr, ok) {
        if (json_object_get(json_object_get(judged, mname), expr))
          continue;
        if (store_threshold_put(w, run_id, mname, expr, json_is_true(ok), "k6", err) < 0)
          goto out;
      }
    }
  }
  rc = 0;
out:
  json_decref(judged);
  store_metric_writer_free(w);
  return rc;
}

static int store_checks(struct k6_agg *a, struct store *st, int64_t run_id, struct err *err) {
  int mi = strmap_get(&a->metric_ix, "checks", 6);
  if (mi < 0)
    return 0;
  struct metric_writer *w = store_metric_writer(st, STORE_INSERT, STORE_CHECK_ADD);
  int rc = 0;
  for (size_t i = 0; i < a->nseries && rc == 0; i++) {
    const struct series *s = &a->series[i];
    if (s->metric != mi)
      continue;
    const struct tagset *t = &a->tagsets[s->tagset];
    rc = store_check_put(w, run_id, t->group ? t->group : "", t->check ? t->check : "", (int64_t)s->nonzero,
                         (int64_t)(s->total - s->nonzero), err);
  }
  store_metric_writer_free(w);
  return rc;
}

static int by_sample_time(const void *x, const void *y) {
  const struct sample *a = x, *b = y;
  return (a->t > b->t) - (a->t < b->t);
}

/* Per-second latency of successful requests, from time-sorted samples. */
static void bucket_latency(struct k6_agg *a, int endpoint, const struct sample *s, size_t n) {
  struct vec d = {0};
  for (size_t i = 0; i < n;) {
    int64_t sec = (int64_t)floor(s[i].t);
    d.n = 0;
    d.sum = 0;
    size_t j = i;
    for (; j < n && (int64_t)floor(s[j].t) == sec; j++) {
      if (!(s[j].flags & SAMPLE_OK))
        continue;
      XGROW(d.v, d.cap, d.n + 1);
      d.v[d.n++] = s[j].dur_ms;
      d.sum += s[j].dur_ms;
    }
    struct bucket *b = k6_agg_bucket_get(a, endpoint, sec);
    b->ok_count = d.n;
    b->dur_sum = d.sum;
    if (d.n) {
      stats_sort(d.v, d.n);
      b->p50 = stats_pct_text(d.v, d.n, "50");
      b->p95 = stats_pct_text(d.v, d.n, "95");
      b->p99 = stats_pct_text(d.v, d.n, "99");
    }
    i = j;
  }
  free(d.v);
}

static const char *const metric_names[] = {"http_req_duration", "http_req_blocked", "http_req_connecting",
                                           "http_req_tls_handshaking", "http_req_sending", "http_req_waiting",
                                           "http_req_receiving"};

static struct sc_trend sc_of(const struct trend_stats *t) {
  return (struct sc_trend){.count = (int64_t)t->count, .avg = t->avg, .min = t->min, .med = t->med,
                           .max = t->max, .p90 = t->p90, .p95 = t->p95, .p99 = t->p99};
}

/* The trends (metric_names, scopes all and ok) of one endpoint, or of one
 * scenario's endpoint (se_id > 0, sc its scenario). */
struct sc_pick {
  int endpoint, sc, ok_only;
};

static int pick_sc_endpoint(const struct k6_agg *a, const struct series *s, const void *arg) {
  const struct sc_pick *p = arg;
  const struct tagset *t = &a->tagsets[s->tagset];
  return t->endpoint == p->endpoint && t->sc == p->sc && (!p->ok_only || t->expected == 1);
}

static int put_trends(struct k6_agg *a, struct k6_writer *w, int e, int sc, int64_t id, int scenario,
                      struct err *err) {
  for (size_t k = 0; k < sizeof metric_names / sizeof *metric_names; k++) {
    int mi = strmap_get(&a->metric_ix, metric_names[k], strlen(metric_names[k]));
    if (mi < 0)
      continue;
    for (int scope = 0; scope < 2; scope++) {
      struct agg_result r;
      if (scenario) {
        struct sc_pick pk = {e, sc, scope};
        aggregate(a, mi, pick_sc_endpoint, &pk, NULL, &r);
      } else {
        struct ep_pick pk = {e, scope};
        aggregate(a, mi, pick_endpoint, &pk, NULL, &r);
      }
      json_decref(r.extra);
      struct sc_trend t = sc_of(&r.tr);
      const char *sname = scope ? "ok" : "all";
      if ((scenario ? store_scenario_trend_put(w, id, metric_names[k], sname, &t, err)
                    : store_endpoint_trend_put(w, id, metric_names[k], sname, &t, err)) < 0)
        return -1;
    }
  }
  return 0;
}

/* Errors by status and error code, from the failed requests of endpoint e. */
static int put_errors(struct k6_agg *a, struct k6_writer *w, int e, int64_t ep_id, struct err *err) {
  int reqs = strmap_get(&a->metric_ix, "http_reqs", 9);
  for (size_t i = 0; i < a->nseries; i++) {
    const struct series *s = &a->series[i];
    const struct tagset *t = &a->tagsets[s->tagset];
    if (s->metric != reqs || t->endpoint != e || t->expected == 1)
      continue;
    if (t->expected < 0 && !t->error_code && !t->error)
      continue;
    if (store_error_add(w, ep_id, t->status ? t->status : "", t->error_code ? t->error_code : "",
                        t->error ? t->error : "", (int64_t)s->sum, err) < 0)
      return -1;
  }
  return 0;
}

/* Requests and failed requests of the series that match endpoint e (-1:
 * any endpoint) and scenario sc (-2: any); *seen 1 when any series did. */
static void count_requests(const struct k6_agg *a, int e, int sc, double *requests, double *nfailed, int *seen) {
  int reqs = strmap_get(&a->metric_ix, "http_reqs", 9);
  int failed = strmap_get(&a->metric_ix, "http_req_failed", 15);
  *requests = *nfailed = 0;
  *seen = 0;
  for (size_t i = 0; i < a->nseries; i++) {
    const struct series *s = &a->series[i];
    const struct tagset *t = &a->tagsets[s->tagset];
    if (e >= 0 ? t->endpoint != e : t->endpoint < 0)
      continue;
    if (sc != -2 && t->sc != sc)
      continue;
    *seen = 1;
    if (s->metric == reqs)
      *requests += s->sum;
    else if (s->metric == failed)
      *nfailed += (double)s->nonzero;
  }
}

static int store_endpoints(struct k6_agg *a, struct k6_writer *w, int64_t run_id, int64_t *ep_ids, double start_s,
                           struct err *err) {
  for (size_t e = 0; e < a->nendpoints; e++) {
    struct endpoint *p = &a->endpoints[e];
    double requests, nfailed;
    int seen;
    uint64_t ok = 0;
    count_requests(a, (int)e, -2, &requests, &nfailed, &seen);
    for (size_t i = 0; i < p->n; i++)
      ok += (p->s[i].flags & SAMPLE_OK) != 0;
    if (requests == 0 && p->n)
      requests = (double)p->n;
    struct store_ep_row row = {p->method, p->name, (int64_t)requests, (int64_t)nfailed, (int64_t)ok};
    if (store_endpoint_put(w, run_id, &row, &ep_ids[e], err) < 0 || put_trends(a, w, (int)e, 0, ep_ids[e], 0, err) < 0 ||
        put_errors(a, w, (int)e, ep_ids[e], err) < 0)
      return -1;
    /* Samples, time-sorted, and per-second latency. */
    if (p->n) /* an endpoint may have http_reqs but no http_req_duration */
      qsort(p->s, p->n, sizeof *p->s, by_sample_time);
    bucket_latency(a, (int)e, p->s, p->n);
    for (size_t i = 0; i < p->n; i++)
      p->s[i].t -= start_s;
    int rc = store_samples_put(w, ep_ids[e], p->s, p->n, err);
    for (size_t i = 0; i < p->n; i++)
      p->s[i].t += start_s;
    if (rc < 0)
      return -1;
  }
  return 0;
}

/* One row of table scenarios per scenario present (k = index + 1, 0: the
 * samples without a scenario tag). */
static int store_scenario_rows(struct k6_agg *a, struct k6_writer *w, int64_t run_id, const unsigned char *present,
                               const struct k6_summary_info *sum, struct err *err) {
  for (size_t k = 0; k <= a->nscen; k++) {
    if (!present[k])
      continue;
    const char *name = k ? a->scen[k - 1] : "";
    double requests, nfailed;
    int seen;
    uint64_t ok = 0;
    count_requests(a, -1, (int)k - 1, &requests, &nfailed, &seen);
    for (size_t e = 0; e < a->nendpoints; e++)
      for (size_t i = 0; i < a->endpoints[e].n; i++) {
        unsigned f = a->endpoints[e].s[i].flags;
        ok += (f >> SAMPLE_SC_SHIFT) == k && (f & SAMPLE_OK);
      }
    const char *executor = NULL;
    if (sum && sum->scenario_config)
      executor = json_string_value(json_object_get(json_object_get(sum->scenario_config, name), "executor"));
    if (store_scenario_put(w, run_id, name, executor, (int64_t)requests, (int64_t)nfailed, (int64_t)ok, err) < 0)
      return -1;
  }
  return 0;
}

/* Scenario k's own row of endpoint e, its trends and samples. */
static int store_scenario_endpoint(struct k6_agg *a, struct k6_writer *w, int64_t run_id, size_t e, size_t k,
                                   int64_t ep_id, double start_s, struct sample **tmp, size_t *cap_tmp,
                                   struct err *err) {
  const struct endpoint *p = &a->endpoints[e];
  int sc = (int)k - 1;
  double requests, nfailed;
  int seen;
  count_requests(a, (int)e, sc, &requests, &nfailed, &seen);
  if (!seen)
    return 0;
  size_t n = 0;
  uint64_t ok = 0;
  for (size_t i = 0; i < p->n; i++) {
    if ((p->s[i].flags >> SAMPLE_SC_SHIFT) != k)
      continue;
    XGROW(*tmp, *cap_tmp, n + 1);
    (*tmp)[n] = p->s[i];
    (*tmp)[n].t -= start_s;
    ok += ((*tmp)[n].flags & SAMPLE_OK) != 0;
    n++;
  }
  if (requests == 0 && n)
    requests = (double)n;
  struct store_ep_row row = {p->method, p->name, (int64_t)requests, (int64_t)nfailed, (int64_t)ok};
  int64_t se_id;
  if (store_scenario_endpoint_put(w, run_id, k ? a->scen[k - 1] : "", ep_id, &row, &se_id, err) < 0 ||
      put_trends(a, w, (int)e, sc, se_id, 1, err) < 0)
    return -1;
  return store_scenario_samples_put(w, se_id, *tmp, n, err);
}

/* Per-scenario figures (tables scenarios, scenario_endpoints, ...). With one
 * scenario they are the whole-run rows; with several, each scenario's own,
 * computed the way the whole-run ones are. */
static int store_scenarios(struct k6_agg *a, struct k6_writer *w, int64_t run_id, const int64_t *ep_ids,
                           double start_s, const struct k6_summary_info *sum, struct err *err) {
  unsigned char *present = xcalloc(a->nscen + 1, 1);
  k6_agg_scen_present(a, present);
  size_t nsc = 0;
  for (size_t k = 0; k <= a->nscen; k++)
    nsc += present[k];
  int rc = store_scenario_rows(a, w, run_id, present, sum, err);
  if (rc == 0 && nsc == 1) {
    const char *name = "";
    for (size_t k = 0; k <= a->nscen; k++)
      if (present[k])
        name = k ? a->scen[k - 1] : "";
    rc = store_scenario_copy_whole_run(w, run_id, name, err);
  } else if (rc == 0) {
    struct sample *tmp = NULL;
    size_t cap_tmp = 0;
    for (size_t e = 0; e < a->nendpoints && rc == 0; e++)
      for (size_t k = 0; k <= a->nscen && rc == 0; k++)
        if (present[k])
          rc = store_scenario_endpoint(a, w, run_id, e, k, ep_ids[e], start_s, &tmp, &cap_tmp, err);
    free(tmp);
  }
  free(present);
  return rc;
}

static int store_buckets(struct k6_agg *a, struct k6_writer *w, int64_t run_id, const int64_t *ep_ids,
                         int64_t start_sec, struct err *err) {
  /* Whole-run latency per second: every endpoint's samples together. */
  size_t total = 0;
  for (size_t e = 0; e < a->nendpoints; e++)
    total += a->endpoints[e].n;
  struct sample *all = xmalloc((total ? total : 1) * sizeof *all);
  size_t k = 0;
  for (size_t e = 0; e < a->nendpoints; e++) {
    if (a->endpoints[e].n)
      memcpy(all + k, a->endpoints[e].s, a->endpoints[e].n * sizeof *all);
    k += a->endpoints[e].n;
  }
  if (total)
    qsort(all, total, sizeof *all, by_sample_time);
  bucket_latency(a, -1, all, total);
  free(all);

  for (size_t i = 0; i < a->nbuckets; i++) {
    const struct bucket *b = &a->buckets[i];
    int lat = b->ok_count > 0;
    struct store_bucket row = {
        .t = b->sec - start_sec,
        .requests = (int64_t)b->requests,
        .failures = (int64_t)b->failures,
        .ok_count = (int64_t)b->ok_count,
        .iterations = (int64_t)b->iterations,
        .dur_sum = b->dur_sum,
        .iter_dur_sum = b->iter_dur_sum,
        .p50 = lat ? b->p50 : NAN,
        .p95 = lat ? b->p95 : NAN,
        .p99 = lat ? b->p99 : NAN,
        .vus = b->has_vus ? b->vus : NAN,
        .data_sent = b->endpoint < 0 ? b->data_sent : NAN,
        .data_received = b->endpoint < 0 ? b->data_received : NAN,
    };
    for (int p = 0; p < N_PHASES; p++)
      row.phase_sum[p] = b->phase[p];
    if (store_bucket_put(w, run_id, b->endpoint >= 0 ? ep_ids[b->endpoint] : 0, &row, err) < 0)
      return -1;
  }
  return 0;
}

/* Requests per second by status, t as in the buckets. */
static int store_statuses(const struct k6_agg *a, struct store *st, int64_t run_id, int64_t start_sec,
                          struct err *err) {
  if (a->nstatuses == 0)
    return 0;
  struct store_status_writer *w = store_status_writer(st, err);
  if (!w)
    return -1;
  for (size_t i = 0; i < a->nstatuses; i++) {
    const struct status_count *c = &a->statuses[i];
    if (store_status_put(w, run_id, c->sec - start_sec, c->status, (int64_t)c->count, err) < 0) {
      store_status_writer_abort(w);
      return -1;
    }
  }
  return store_status_writer_finish(w, err);
}

int k6_agg_store(struct k6_agg *a, struct store *st, int64_t run_id, const struct k6_summary_info *sum,
                 struct err *err) {
  if (a->points == 0)
    return 0;
  double start_s = (double)a->tmin / 1e9, end_s = (double)a->tmax / 1e9;
  double duration = end_s - start_s;
  const char *dsrc = "samples";
  if (sum && sum->duration_s > 0 && isfinite(sum->duration_s)) {
    duration = sum->duration_s;
    dsrc = sum->duration_src ? sum->duration_src : "k6";
  }
  int64_t *ep_ids = xcalloc(a->nendpoints + 1, sizeof *ep_ids);
  struct k6_writer *w = store_k6_writer(st);
  int rc = -1;
  if (store_metrics(a, st, run_id, sum, duration, err) < 0 || store_checks(a, st, run_id, err) < 0 ||
      store_endpoints(a, w, run_id, ep_ids, start_s, err) < 0 ||
      store_scenarios(a, w, run_id, ep_ids, start_s, sum, err) < 0 ||
      store_buckets(a, w, run_id, ep_ids, (int64_t)floor(start_s), err) < 0 || store_k6_writer_finish(w, err) < 0 ||
      store_statuses(a, st, run_id, (int64_t)floor(start_s), err) < 0 ||
      k6_instances_store(a->inst, st, run_id, err) < 0 ||
      store_run_set_span(st, run_id, start_s, end_s, duration, dsrc, err) < 0)
    goto out;
  rc = 0;
out:
  store_k6_writer_free(w);
  free(ep_ids);
  return rc;
}
