#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/endpoint.h"
#include "ingest/k6_agg.h"
#include "stats/percentile.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

enum mtype { MT_TREND, MT_COUNTER, MT_RATE, MT_GAUGE };
static const char *const mtype_names[] = {"trend", "counter", "rate", "gauge"};

/* Built-in HTTP metrics that feed endpoints and buckets. */
enum hm { HM_NONE, HM_REQS, HM_FAILED, HM_DURATION, HM_BLOCKED, HM_CONNECTING, HM_TLS, HM_SENDING, HM_WAITING,
          HM_RECEIVING, HM_VUS, HM_ITERATIONS, HM_ITER_DUR };
#define N_PHASES 6 /* blocked .. receiving */
/* A request sample's scenario (index + 1, 0: no tag) rides in the upper
 * bits of its flags; samples_encode() keeps only the low two. */
#define SAMPLE_SC_SHIFT 8

struct sub {
  char *name;
  json_t *tags;
};

struct metric {
  char *name;
  enum mtype type;
  char contains[16];
  json_t *thresholds;
  struct sub *subs;
  size_t nsub;
  enum hm hm;
  int declared;
};

struct tagset {
  json_t *tags;
  int endpoint; /* -1 unless an HTTP request's tags */
  int expected; /* expected_response: 1 true, 0 false, -1 absent */
  const char *status, *error_code, *error, *group, *check, *scenario;
  int sc; /* index in k6_agg.scen, -1: no scenario tag */
  int *series_of; /* metric index → series index + 1 (0: none yet) */
  size_t nseries_of;
};

struct series {
  int metric, tagset;
  double *v;
  size_t n, cap;
  double sum; /* trend: Σ in arrival order; counter: count */
  uint64_t total, nonzero;
  double min, max, last;
  uint64_t last_seq;
};

struct endpoint {
  char *method, *name;
  struct sample *s;
  size_t n, cap;
};

struct bucket {
  int endpoint; /* -1: the whole run */
  int64_t sec;
  uint64_t ok_count;
  double dur_sum, p50, p95, p99;
  uint64_t requests, failures, iterations;
  double phase[N_PHASES];
  double vus;
  double iter_dur_sum;
  int has_vus;
};

struct k6_agg {
  struct metric *metrics;
  size_t nmetrics, cap_metrics;
  struct strmap metric_ix;
  struct tagset *tagsets;
  size_t ntagsets, cap_tagsets;
  struct strmap tagset_ix;
  struct series *series;
  size_t nseries, cap_series;
  struct strmap series_ix;
  struct endpoint *endpoints;
  size_t nendpoints, cap_endpoints;
  struct strmap endpoint_ix;
  struct bucket *buckets;
  size_t nbuckets, cap_buckets;
  struct strmap bucket_ix;
  int64_t tmin, tmax;
  uint64_t points;
  char **scen; /* distinct scenario tag values, in order of appearance */
  size_t nscen, cap_scen;
  struct strmap scen_ix;
  /* The nine points of one request share their tags, and points come
   * roughly in time order: remember the last lookups. */
  char *last_tags;
  size_t last_tags_len, last_tags_cap;
  int last_tags_ix;
  struct bucket_cache {
    int64_t sec;
    int ix;
  } * bcache; /* [endpoint + 1] */
  size_t cap_bcache;
};

struct k6_agg *k6_agg_new(void) {
  struct k6_agg *a = xcalloc(1, sizeof *a);
  a->tmin = INT64_MAX;
  a->tmax = INT64_MIN;
  return a;
}

void k6_agg_free(struct k6_agg *a) {
  if (!a)
    return;
  for (size_t i = 0; i < a->nmetrics; i++) {
    struct metric *m = &a->metrics[i];
    free(m->name);
    json_decref(m->thresholds);
    for (size_t k = 0; k < m->nsub; k++) {
      free(m->subs[k].name);
      json_decref(m->subs[k].tags);
    }
    free(m->subs);
  }
  free(a->metrics);
  for (size_t i = 0; i < a->ntagsets; i++) {
    json_decref(a->tagsets[i].tags);
    free(a->tagsets[i].series_of);
  }
  free(a->last_tags);
  free(a->bcache);
  free(a->tagsets);
  for (size_t i = 0; i < a->nseries; i++)
    free(a->series[i].v);
  free(a->series);
  for (size_t i = 0; i < a->nendpoints; i++) {
    free(a->endpoints[i].method);
    free(a->endpoints[i].name);
    free(a->endpoints[i].s);
  }
  free(a->endpoints);
  free(a->buckets);
  strmap_release(&a->metric_ix);
  strmap_release(&a->tagset_ix);
  strmap_release(&a->series_ix);
  strmap_release(&a->endpoint_ix);
  strmap_release(&a->bucket_ix);
  for (size_t i = 0; i < a->nscen; i++)
    free(a->scen[i]);
  free(a->scen);
  strmap_release(&a->scen_ix);
  free(a);
}

static enum hm hm_of(const char *name) {
  static const struct {
    const char *name;
    enum hm hm;
  } t[] = {{"http_reqs", HM_REQS},
           {"http_req_failed", HM_FAILED},
           {"http_req_duration", HM_DURATION},
           {"http_req_blocked", HM_BLOCKED},
           {"http_req_connecting", HM_CONNECTING},
           {"http_req_tls_handshaking", HM_TLS},
           {"http_req_sending", HM_SENDING},
           {"http_req_waiting", HM_WAITING},
           {"http_req_receiving", HM_RECEIVING},
           {"vus", HM_VUS},
           {"iterations", HM_ITERATIONS},
           {"iteration_duration", HM_ITER_DUR}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (!strcmp(t[i].name, name))
      return t[i].hm;
  return HM_NONE;
}

/* Type of a metric seen without a Metric line (CSV input): k6's built-ins,
 * else a trend. */
static enum mtype default_type(const char *name) {
  static const char *const counters[] = {"http_reqs", "iterations", "dropped_iterations", "data_sent",
                                         "data_received"};
  static const char *const rates[] = {"http_req_failed", "checks"};
  static const char *const gauges[] = {"vus", "vus_max"};
  for (size_t i = 0; i < 5; i++)
    if (!strcmp(name, counters[i]))
      return MT_COUNTER;
  for (size_t i = 0; i < 2; i++)
    if (!strcmp(name, rates[i]))
      return MT_RATE;
  for (size_t i = 0; i < 2; i++)
    if (!strcmp(name, gauges[i]))
      return MT_GAUGE;
  return MT_TREND;
}

static int metric_add(struct k6_agg *a, const char *name, size_t len) {
  XGROW(a->metrics, a->cap_metrics, a->nmetrics + 1);
  struct metric *m = &a->metrics[a->nmetrics];
  memset(m, 0, sizeof *m);
  m->name = xstrndup(name, len);
  m->type = default_type(m->name);
  strcpy(m->contains, strncmp(m->name, "http_req_", 9) == 0 && m->type == MT_TREND ? "time" : "default");
  m->hm = hm_of(m->name);
  strmap_put(&a->metric_ix, name, len, (int)a->nmetrics);
  return (int)a->nmetrics++;
}

int k6_agg_metric(struct k6_agg *a, const char *name, const char *type, const char *contains, json_t *thresholds,
                  json_t *submetrics, struct err *err) {
  enum mtype t;
  if (!strcmp(type, "trend"))
    t = MT_TREND;
  else if (!strcmp(type, "counter"))
    t = MT_COUNTER;
  else if (!strcmp(type, "rate"))
    t = MT_RATE;
  else if (!strcmp(type, "gauge"))
    t = MT_GAUGE;
  else
    return err_set(err, LR_DATAERR, "metric '%s' has unknown type '%s' (expected counter, gauge, rate or trend)",
                   name, type);
  if (thresholds && !json_is_array(thresholds) && !json_is_null(thresholds))
    return err_set(err, LR_DATAERR, "metric '%s': thresholds is not an array (expected [\"p(95)<500\", ...])", name);
  if (submetrics && !json_is_array(submetrics) && !json_is_null(submetrics))
    return err_set(err, LR_DATAERR, "metric '%s': submetrics is not an array or null", name);
  size_t ti;
  json_t *th;
  json_array_foreach(thresholds, ti, th) {
    if (!json_is_string(th) && !json_is_string(json_object_get(th, "threshold")))
      return err_set(err, LR_DATAERR, "metric '%s': threshold %zu is neither a string nor {\"threshold\": ...}", name,
                     ti + 1);
  }
  int ix = strmap_get(&a->metric_ix, name, strlen(name));
  if (ix < 0)
    ix = metric_add(a, name, strlen(name));
  struct metric *m = &a->metrics[ix];
  m->type = t;
  m->declared = 1;
  if (contains)
    snprintf(m->contains, sizeof m->contains, "%s", contains);
  if (thresholds && json_is_array(thresholds) && json_array_size(thresholds)) {
    json_decref(m->thresholds);
    m->thresholds = json_incref(thresholds);
  }
  size_t i;
  json_t *sm;
  if (submetrics && json_is_array(submetrics)) {
    json_array_foreach(submetrics, i, sm) {
      const char *sname = json_string_value(json_object_get(sm, "name"));
      json_t *tags = json_object_get(sm, "tags");
      if (!sname || !json_is_object(tags))
        return err_set(err, LR_DATAERR, "metric '%s': a submetric without name or tags", name);
      int dup = 0;
      for (size_t k = 0; k < m->nsub; k++)
        dup |= !strcmp(m->subs[k].name, sname);
      if (dup)
        continue;
      m->subs = xrealloc(m->subs, (m->nsub + 1) * sizeof *m->subs);
      m->subs[m->nsub].name = xstrdup(sname);
      m->subs[m->nsub].tags = json_incref(tags);
      m->nsub++;
    }
  }
  return 0;
}

static const char *tag(json_t *tags, const char *k) { return json_string_value(json_object_get(tags, k)); }

static void remember_tags(struct k6_agg *a, const char *raw, size_t len, int ix) {
  if (len + 1 > a->last_tags_cap) {
    a->last_tags_cap = len + 64;
    a->last_tags = xrealloc(a->last_tags, a->last_tags_cap);
  }
  memcpy(a->last_tags, raw, len);
  a->last_tags_len = len;
  a->last_tags_ix = ix;
}

int k6_agg_tagset(struct k6_agg *a, const char *raw, size_t len, json_t *parsed, struct err *err) {
  if (a->last_tags && len == a->last_tags_len && !memcmp(raw, a->last_tags, len))
    return a->last_tags_ix;
  int ix = strmap_get(&a->tagset_ix, raw, len);
  if (ix >= 0) {
    remember_tags(a, raw, len, ix);
    return ix;
  }
  json_t *tags = parsed ? json_incref(parsed) : NULL;
  if (!tags) {
    json_error_t je;
    tags = json_loadb(raw, len, JSON_DECODE_INT_AS_REAL, &je);
    if (!tags) {
      err_set(err, LR_DATAERR, "tags are not valid JSON: %s", je.text);
      return -1;
    }
  }
  if (json_is_null(tags)) {
    json_decref(tags);
    tags = json_object();
  }
  const char *k;
  json_t *v;
  if (!json_is_object(tags)) {
    json_decref(tags);
    err_set(err, LR_DATAERR, "data.tags is not an object (expected {\"name\": \"value\", ...})");
    return -1;
  }
  json_object_foreach(tags, k, v) {
    if (!json_is_string(v)) {
      json_decref(tags);
      err_set(err, LR_DATAERR, "tag '%s' is not a string", k);
      return -1;
    }
  }
  XGROW(a->tagsets, a->cap_tagsets, a->ntagsets + 1);
  struct tagset *t = &a->tagsets[a->ntagsets];
  t->tags = tags;
  t->status = tag(tags, "status");
  t->error_code = tag(tags, "error_code");
  t->error = tag(tags, "error");
  t->group = tag(tags, "group");
  t->check = tag(tags, "check");
  t->scenario = tag(tags, "scenario");
  t->sc = -1;
  if (t->scenario) {
    int sk = strmap_get(&a->scen_ix, t->scenario, strlen(t->scenario));
    if (sk < 0) {
      XGROW(a->scen, a->cap_scen, a->nscen + 1);
      a->scen[a->nscen] = xstrdup(t->scenario);
      sk = (int)a->nscen++;
      strmap_put(&a->scen_ix, t->scenario, strlen(t->scenario), sk);
    }
    t->sc = sk;
  }
  const char *er = tag(tags, "expected_response");
  t->expected = er ? !strcmp(er, "true") : -1;
  t->endpoint = -1;
  const char *method = tag(tags, "method"), *name = tag(tags, "name");
  if (!name)
    name = tag(tags, "url");
  if (method && name) {
    char *norm = endpoint_normalize(name);
    struct strbuf key = STRBUF_INIT;
    strbuf_addf(&key, "%s%c%s", method, 0, norm);
    int e = strmap_get(&a->endpoint_ix, key.buf, key.len);
    if (e < 0) {
      XGROW(a->endpoints, a->cap_endpoints, a->nendpoints + 1);
      struct endpoint *ep = &a->endpoints[a->nendpoints];
      memset(ep, 0, sizeof *ep);
      ep->method = xstrdup(method);
      ep->name = norm;
      norm = NULL;
      e = (int)a->nendpoints++;
      strmap_put(&a->endpoint_ix, key.buf, key.len, e);
    }
    free(norm);
    strbuf_release(&key);
    t->endpoint = e;
  }
  t->series_of = NULL;
  t->nseries_of = 0;
  strmap_put(&a->tagset_ix, raw, len, (int)a->ntagsets);
  remember_tags(a, raw, len, (int)a->ntagsets);
  return (int)a->ntagsets++;
}

static struct series *series_get(struct k6_agg *a, int metric, int tagset) {
  struct tagset *t = &a->tagsets[tagset];
  if ((size_t)metric < t->nseries_of && t->series_of[metric])
    return &a->series[t->series_of[metric] - 1];
  int key[2] = {metric, tagset};
  int ix = strmap_get(&a->series_ix, key, sizeof key);
  if (ix < 0) {
    XGROW(a->series, a->cap_series, a->nseries + 1);
    struct series *s = &a->series[a->nseries];
    memset(s, 0, sizeof *s);
    s->metric = metric;
    s->tagset = tagset;
    s->min = INFINITY;
    s->max = -INFINITY;
    ix = (int)a->nseries++;
    strmap_put(&a->series_ix, key, sizeof key, ix);
  }
  if ((size_t)metric >= t->nseries_of) {
    size_t n = (size_t)metric + 16;
    t->series_of = xrealloc(t->series_of, n * sizeof *t->series_of);
    memset(t->series_of + t->nseries_of, 0, (n - t->nseries_of) * sizeof *t->series_of);
    t->nseries_of = n;
  }
  t->series_of[metric] = ix + 1;
  return &a->series[ix];
}

static struct bucket *bucket_get(struct k6_agg *a, int endpoint, int64_t sec) {
  size_t c = (size_t)(endpoint + 1);
  if (c >= a->cap_bcache) {
    size_t old = a->cap_bcache;
    a->cap_bcache = c + 16;
    a->bcache = xrealloc(a->bcache, a->cap_bcache * sizeof *a->bcache);
    for (size_t i = old; i < a->cap_bcache; i++)
      a->bcache[i].ix = -1;
  }
  if (a->bcache[c].ix >= 0 && a->bcache[c].sec == sec)
    return &a->buckets[a->bcache[c].ix];
  struct {
    int64_t sec;
    int endpoint;
    int pad;
  } key = {sec, endpoint, 0};
  int ix = strmap_get(&a->bucket_ix, &key, sizeof key);
  if (ix < 0) {
    XGROW(a->buckets, a->cap_buckets, a->nbuckets + 1);
    struct bucket *b = &a->buckets[a->nbuckets];
    memset(b, 0, sizeof *b);
    b->endpoint = endpoint;
    b->sec = sec;
    ix = (int)a->nbuckets++;
    strmap_put(&a->bucket_ix, &key, sizeof key, ix);
  }
  a->bcache[c].sec = sec;
  a->bcache[c].ix = ix;
  return &a->buckets[ix];
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }

void k6_agg_point(struct k6_agg *a, const char *name, size_t len, int64_t time_ns, double value, int tagset) {
  int mi = strmap_get(&a->metric_ix, name, len);
  if (mi < 0)
    mi = metric_add(a, name, len);
  struct metric *m = &a->metrics[mi];
  struct series *s = series_get(a, mi, tagset);
  a->points++;
  if (time_ns < a->tmin)
    a->tmin = time_ns;
  if (time_ns > a->tmax)
    a->tmax = time_ns;
  switch (m->type) {
  case MT_TREND:
    XGROW(s->v, s->cap, s->n + 1);
    s->v[s->n++] = value;
    s->sum += value;
    break;
  case MT_COUNTER:
    s->sum += value;
    break;
  case MT_RATE:
    s->nonzero += value != 0;
    break;
  case MT_GAUGE:
    s->last = value;
    s->last_seq = a->points;
    break;
  }
  s->total++;
  if (value < s->min)
    s->min = value;
  if (value > s->max)
    s->max = value;
  if (m->hm == HM_NONE)
    return;
  int64_t sec = floor_div(time_ns, 1000000000);
  struct tagset *t = &a->tagsets[tagset];
  int ep = t->endpoint;
  struct bucket *all, *one = NULL;
  switch (m->hm) {
  case HM_VUS:
    all = bucket_get(a, -1, sec);
    if (!all->has_vus || value > all->vus)
      all->vus = value;
    all->has_vus = 1;
    return;
  case HM_ITERATIONS:
    bucket_get(a, -1, sec)->iterations += (uint64_t)value;
    return;
  case HM_ITER_DUR:
    bucket_get(a, -1, sec)->iter_dur_sum += value;
    return;
  default:
    break;
  }
  if (ep < 0)
    return;
  /* Take both before using either: a second bucket_get() may move the array. */
  size_t one_ix = (size_t)(bucket_get(a, ep, sec) - a->buckets);
  all = bucket_get(a, -1, sec);
  one = &a->buckets[one_ix];
  switch (m->hm) {
  case HM_REQS:
    all->requests += (uint64_t)value;
    one->requests += (uint64_t)value;
    break;
  case HM_FAILED:
    all->failures += value != 0;
    one->failures += value != 0;
    break;
  case HM_DURATION: {
    struct endpoint *e = &a->endpoints[ep];
    XGROW(e->s, e->cap, e->n + 1);
    e->s[e->n].t = (double)time_ns / 1e9; /* made relative to the start in k6_agg_store() */
    e->s[e->n].dur_ms = value;
    e->s[e->n].flags = (t->expected == 1 ? SAMPLE_OK : 0) | (t->expected == 0 ? SAMPLE_FAILED : 0);
    if (t->expected < 0 && t->status) {
      int st = atoi(t->status);
      e->s[e->n].flags = (st >= 200 && st < 400) ? SAMPLE_OK : SAMPLE_FAILED;
    }
    e->s[e->n].flags |= (unsigned)(t->sc + 1) << SAMPLE_SC_SHIFT;
    e->n++;
    break;
  }
  default: {
    int p = (int)m->hm - (int)HM_BLOCKED;
    if (p >= 0 && p < N_PHASES) {
      all->phase[p] += value;
      one->phase[p] += value;
    }
  }
  }
}

uint64_t k6_agg_points(const struct k6_agg *a) { return a->points; }

/* The scenarios of a run: the tag values of HTTP requests ('' for requests
 * without the tag) and of any other sample that has one. present[k + 1]
 * for tag index k, present[0] for "no tag". */
static void scen_present(const struct k6_agg *a, unsigned char *present) {
  for (size_t i = 0; i < a->ntagsets; i++) {
    const struct tagset *t = &a->tagsets[i];
    if (t->sc >= 0 || t->endpoint >= 0)
      present[t->sc + 1] = 1;
  }
}

static int by_str(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

size_t k6_agg_scenarios(const struct k6_agg *a, char *buf, size_t cap) {
  unsigned char *present = xcalloc(a->nscen + 1, 1);
  scen_present(a, present);
  /* Requests without the tag (setup(), teardown()) do not name the run. */
  const char **names = xcalloc(a->nscen + 1, sizeof *names);
  size_t n = 0;
  for (size_t k = 1; k <= a->nscen; k++)
    if (present[k] && *a->scen[k - 1])
      names[n++] = a->scen[k - 1];
  qsort(names, n, sizeof *names, by_str);
  size_t used = 0;
  if (cap)
    buf[0] = 0;
  for (size_t i = 0; i < n && cap; i++) {
    int w = snprintf(buf + used, cap - used, "%s%s", i ? "+" : "", names[i]);
    if (w < 0 || (size_t)w >= cap - used) {
      snprintf(buf, cap, "mixed");
      break;
    }
    used += (size_t)w;
  }
  free(names);
  free(present);
  return n;
}

json_t *k6_agg_abort_thresholds(const struct k6_agg *a) {
  json_t *out = json_array();
  for (size_t i = 0; i < a->nmetrics; i++) {
    size_t k;
    json_t *th;
    json_array_foreach(a->metrics[i].thresholds, k, th) {
      const char *expr = json_string_value(json_object_get(th, "threshold"));
      if (expr && json_is_true(json_object_get(th, "abortOnFail")))
        json_array_append_new(out, json_pack("{s:s,s:s}", "metric", a->metrics[i].name, "expression", expr));
    }
  }
  return out;
}

/* ---- threshold expressions ------------------------------------------- */

int k6_threshold_eval(const char *expr, json_t *stats) {
  char agg[32];
  size_t i = 0, j = 0;
  while (expr[i] == ' ')
    i++;
  while (expr[i] && !strchr("<>=!", expr[i]) && j < sizeof agg - 1) {
    if (expr[i] != ' ')
      agg[j++] = expr[i];
    i++;
  }
  agg[j] = 0;
  char op[4] = {0};
  for (j = 0; j < 3 && expr[i] && strchr("<>=!", expr[i]); i++)
    op[j++] = expr[i];
  char *end;
  double want = strtod(expr + i, &end);
  while (*end == ' ')
    end++;
  if (end == expr + i || *end || !agg[0])
    return -1;
  json_t *v = json_object_get(stats, agg);
  if (!v && !strcmp(agg, "rate"))
    v = json_object_get(stats, "value");
  if (!json_is_number(v))
    return -1;
  double got = json_number_value(v);
  if (!strcmp(op, "<"))
    return got < want;
  if (!strcmp(op, "<="))
    return got <= want;
  if (!strcmp(op, ">"))
    return got > want;
  if (!strcmp(op, ">="))
    return got >= want;
  if (!strcmp(op, "==") || !strcmp(op, "==="))
    return got == want;
  if (!strcmp(op, "!="))
    return got != want;
  return -1;
}

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

static void bind_num(sqlite3_stmt *s, int col, double v, int present) {
  if (present && isfinite(v))
    sqlite3_bind_double(s, col, v);
  else
    sqlite3_bind_null(s, col);
}

static int put_metric(struct store *st, sqlite3_stmt *ins, int64_t run_id, const char *name, const struct metric *m,
                      const struct agg_result *r, double duration, struct err *err) {
  int tr = m->type == MT_TREND, ct = m->type == MT_COUNTER, rt = m->type == MT_RATE, ga = m->type == MT_GAUGE;
  sqlite3_reset(ins);
  sqlite3_clear_bindings(ins);
  sqlite3_bind_int64(ins, 1, run_id);
  sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(ins, 3, mtype_names[m->type], -1, SQLITE_STATIC);
  sqlite3_bind_text(ins, 4, m->contains, -1, SQLITE_TRANSIENT);
  bind_num(ins, 5, tr ? (double)r->tr.count : ct ? r->count : (double)r->total, 1);
  bind_num(ins, 6, tr ? r->tr.sum : r->count, tr || ct);
  bind_num(ins, 7, r->tr.avg, tr);
  bind_num(ins, 8, tr ? r->tr.min : r->min, tr || ga);
  bind_num(ins, 9, r->tr.med, tr);
  bind_num(ins, 10, tr ? r->tr.max : r->max, tr || ga);
  bind_num(ins, 11, r->tr.p90, tr);
  bind_num(ins, 12, r->tr.p95, tr);
  bind_num(ins, 13, r->tr.p99, tr);
  bind_num(ins, 14, duration > 0 ? r->count / duration : 0, ct);
  if (rt) {
    sqlite3_bind_int64(ins, 15, (sqlite3_int64)r->passes);
    sqlite3_bind_int64(ins, 16, (sqlite3_int64)(r->total - r->passes));
  }
  bind_num(ins, 17, rt ? (r->total ? (double)r->passes / (double)r->total : 0) : r->last, rt || ga);
  if (r->extra) {
    char *x = json_dumps(r->extra, JSON_COMPACT | JSON_REAL_PRECISION(17));
    sqlite3_bind_text(ins, 18, x, -1, free);
  }
  if (sqlite3_step(ins) != SQLITE_DONE)
    return store_fail(st, err, "cannot store metric");
  return 0;
}

static int put_threshold(struct store *st, sqlite3_stmt *ins, int64_t run_id, const char *metric, const char *expr,
                         int ok, const char *source, struct err *err) {
  sqlite3_reset(ins);
  sqlite3_bind_int64(ins, 1, run_id);
  sqlite3_bind_text(ins, 2, metric, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(ins, 3, expr, -1, SQLITE_TRANSIENT);
  if (ok < 0)
    sqlite3_bind_null(ins, 4);
  else
    sqlite3_bind_int(ins, 4, ok);
  sqlite3_bind_text(ins, 5, source, -1, SQLITE_STATIC);
  if (sqlite3_step(ins) != SQLITE_DONE)
    return store_fail(st, err, "cannot store threshold");
  return 0;
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

static int store_metrics(struct k6_agg *a, struct store *st, int64_t run_id, const struct k6_summary_info *sum,
                         double duration, struct err *err) {
  sqlite3_stmt *ins = store_prepare(st,
                                    "INSERT INTO metrics (run_id, name, type, contains, count, sum, avg, min, med, max, "
                                    "p90, p95, p99, rate, passes, fails, value, extra) "
                                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                    err);
  sqlite3_stmt *thr = store_prepare(st,
                                    "INSERT OR REPLACE INTO thresholds (run_id, metric, expression, ok, source) "
                                    "VALUES (?,?,?,?,?)",
                                    err);
  int rc = -1;
  if (!ins || !thr)
    goto out;
  json_t *trend_stats = sum ? sum->trend_stats : NULL;
  for (size_t i = 0; i < a->nmetrics; i++) {
    const struct metric *m = &a->metrics[i];
    struct agg_result r;
    aggregate(a, (int)i, NULL, NULL, trend_stats, &r);
    if (r.total == 0 && !m->declared) {
      json_decref(r.extra);
      continue;
    }
    int fail = put_metric(st, ins, run_id, m->name, m, &r, duration, err);
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
      if (kv)
        continue; /* stored below from the verdicts */
      if (put_threshold(st, thr, run_id, m->name, expr, k6_threshold_eval(expr, stats), "loadrep", err) < 0) {
        json_decref(stats);
        goto out;
      }
    }
    json_decref(stats);
    for (size_t s = 0; s < m->nsub; s++) {
      aggregate(a, (int)i, pick_sub, m->subs[s].tags, trend_stats, &r);
      fail = put_metric(st, ins, run_id, m->subs[s].name, m, &r, duration, err);
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
        if (put_threshold(st, thr, run_id, mname, expr, json_is_true(ok), "k6", err) < 0)
          goto out;
      }
    }
  }
  rc = 0;
out:
  sqlite3_finalize(ins);
  sqlite3_finalize(thr);
  return rc;
}

static int store_checks(struct k6_agg *a, struct store *st, int64_t run_id, struct err *err) {
  int mi = strmap_get(&a->metric_ix, "checks", 6);
  if (mi < 0)
    return 0;
  sqlite3_stmt *ins = store_prepare(st,
                                    "INSERT INTO checks (run_id, grp, name, passes, fails) VALUES (?,?,?,?,?) "
                                    "ON CONFLICT (run_id, grp, name) DO UPDATE SET passes = passes + excluded.passes, "
                                    "fails = fails + excluded.fails",
                                    err);
  if (!ins)
    return -1;
  for (size_t i = 0; i < a->nseries; i++) {
    const struct series *s = &a->series[i];
    if (s->metric != mi)
      continue;
    const struct tagset *t = &a->tagsets[s->tagset];
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, run_id);
    sqlite3_bind_text(ins, 2, t->group ? t->group : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, t->check ? t->check : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, (sqlite3_int64)s->nonzero);
    sqlite3_bind_int64(ins, 5, (sqlite3_int64)(s->total - s->nonzero));
    if (sqlite3_step(ins) != SQLITE_DONE) {
      sqlite3_finalize(ins);
      return store_fail(st, err, "cannot store checks");
    }
  }
  sqlite3_finalize(ins);
  return 0;
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
    struct bucket *b = bucket_get(a, endpoint, sec);
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

static int store_endpoints(struct k6_agg *a, struct store *st, int64_t run_id, int64_t *ep_ids, double start_s,
                           struct err *err) {
  sqlite3_stmt *ep = store_prepare(st,
                                   "INSERT INTO endpoints (run_id, method, name, requests, failed, ok_count) "
                                   "VALUES (?,?,?,?,?,?)",
                                   err);
  sqlite3_stmt *em = store_prepare(st,
                                   "INSERT INTO endpoint_metrics (endpoint_id, metric, scope, count, avg, min, med, "
                                   "max, p90, p95, p99) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                   err);
  sqlite3_stmt *er = store_prepare(st,
                                   "INSERT INTO errors (endpoint_id, status, error_code, error, count) "
                                   "VALUES (?,?,?,?,?) ON CONFLICT (endpoint_id, status, error_code, error) "
                                   "DO UPDATE SET count = count + excluded.count",
                                   err);
  sqlite3_stmt *sm = store_prepare(st, "INSERT INTO samples (endpoint_id, count, data) VALUES (?,?,?)", err);
  int rc = -1;
  struct strbuf blob = STRBUF_INIT;
  if (!ep || !em || !er || !sm)
    goto out;
  int reqs = strmap_get(&a->metric_ix, "http_reqs", 9);
  int failed = strmap_get(&a->metric_ix, "http_req_failed", 15);
  for (size_t e = 0; e < a->nendpoints; e++) {
    struct endpoint *p = &a->endpoints[e];
    double requests = 0, nfailed = 0;
    uint64_t ok = 0;
    for (size_t i = 0; i < a->nseries; i++) {
      const struct series *s = &a->series[i];
      if (a->tagsets[s->tagset].endpoint != (int)e)
        continue;
      if (s->metric == reqs)
        requests += s->sum;
      else if (s->metric == failed)
        nfailed += (double)s->nonzero;
    }
    for (size_t i = 0; i < p->n; i++)
      ok += (p->s[i].flags & SAMPLE_OK) != 0;
    if (requests == 0 && p->n)
      requests = (double)p->n;
    sqlite3_reset(ep);
    sqlite3_bind_int64(ep, 1, run_id);
    sqlite3_bind_text(ep, 2, p->method, -1, SQLITE_STATIC);
    sqlite3_bind_text(ep, 3, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ep, 4, (sqlite3_int64)requests);
    sqlite3_bind_int64(ep, 5, (sqlite3_int64)nfailed);
    sqlite3_bind_int64(ep, 6, (sqlite3_int64)ok);
    if (sqlite3_step(ep) != SQLITE_DONE) {
      store_fail(st, err, "cannot store endpoint");
      goto out;
    }
    ep_ids[e] = sqlite3_last_insert_rowid(st->db);
    for (size_t k = 0; k < sizeof metric_names / sizeof *metric_names; k++) {
      int mi = strmap_get(&a->metric_ix, metric_names[k], strlen(metric_names[k]));
      if (mi < 0)
        continue;
      for (int scope = 0; scope < 2; scope++) {
        struct ep_pick pk = {(int)e, scope};
        struct agg_result r;
        aggregate(a, mi, pick_endpoint, &pk, NULL, &r);
        json_decref(r.extra);
        sqlite3_reset(em);
        sqlite3_bind_int64(em, 1, ep_ids[e]);
        sqlite3_bind_text(em, 2, metric_names[k], -1, SQLITE_STATIC);
        sqlite3_bind_text(em, 3, scope ? "ok" : "all", -1, SQLITE_STATIC);
        sqlite3_bind_int64(em, 4, (sqlite3_int64)r.tr.count);
        double vals[] = {r.tr.avg, r.tr.min, r.tr.med, r.tr.max, r.tr.p90, r.tr.p95, r.tr.p99};
        for (int c = 0; c < 7; c++)
          bind_num(em, 5 + c, vals[c], r.tr.count > 0);
        if (sqlite3_step(em) != SQLITE_DONE) {
          store_fail(st, err, "cannot store endpoint metrics");
          goto out;
        }
      }
    }
    /* Errors by status and error code, from the failed requests. */
    for (size_t i = 0; i < a->nseries; i++) {
      const struct series *s = &a->series[i];
      const struct tagset *t = &a->tagsets[s->tagset];
      if (s->metric != reqs || t->endpoint != (int)e || t->expected == 1)
        continue;
      if (t->expected < 0 && !t->error_code && !t->error)
        continue;
      sqlite3_reset(er);
      sqlite3_bind_int64(er, 1, ep_ids[e]);
      sqlite3_bind_text(er, 2, t->status ? t->status : "", -1, SQLITE_STATIC);
      sqlite3_bind_text(er, 3, t->error_code ? t->error_code : "", -1, SQLITE_STATIC);
      sqlite3_bind_text(er, 4, t->error ? t->error : "", -1, SQLITE_STATIC);
      sqlite3_bind_int64(er, 5, (sqlite3_int64)s->sum);
      if (sqlite3_step(er) != SQLITE_DONE) {
        store_fail(st, err, "cannot store errors");
        goto out;
      }
    }
    /* Samples, time-sorted, and per-second latency. */
    if (p->n) /* an endpoint may have http_reqs but no http_req_duration */
      qsort(p->s, p->n, sizeof *p->s, by_sample_time);
    bucket_latency(a, (int)e, p->s, p->n);
    for (size_t i = 0; i < p->n; i++)
      p->s[i].t -= start_s;
    strbuf_reset(&blob);
    samples_encode(p->s, p->n, &blob);
    sqlite3_reset(sm);
    sqlite3_bind_int64(sm, 1, ep_ids[e]);
    sqlite3_bind_int64(sm, 2, (sqlite3_int64)p->n);
    sqlite3_bind_blob(sm, 3, blob.buf, (int)blob.len, SQLITE_STATIC);
    if (sqlite3_step(sm) != SQLITE_DONE) {
      store_fail(st, err, "cannot store samples");
      goto out;
    }
    for (size_t i = 0; i < p->n; i++)
      p->s[i].t += start_s;
  }
  rc = 0;
out:
  strbuf_release(&blob);
  sqlite3_finalize(ep);
  sqlite3_finalize(em);
  sqlite3_finalize(er);
  sqlite3_finalize(sm);
  return rc;
}

struct sc_pick {
  int endpoint, sc, ok_only;
};

static int pick_sc_endpoint(const struct k6_agg *a, const struct series *s, const void *arg) {
  const struct sc_pick *p = arg;
  const struct tagset *t = &a->tagsets[s->tagset];
  return t->endpoint == p->endpoint && t->sc == p->sc && (!p->ok_only || t->expected == 1);
}

static int exec_bound(struct store *st, const char *sql, int64_t run_id, const char *text, struct err *err) {
  sqlite3_stmt *s = store_prepare(st, sql, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  if (text)
    sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot store scenarios");
}

/* Per-scenario figures (tables scenarios, scenario_endpoints, ...). With one
 * scenario they are the whole-run rows; with several, each scenario's own,
 * computed the way the whole-run ones are. */
static int store_scenarios(struct k6_agg *a, struct store *st, int64_t run_id, const int64_t *ep_ids, double start_s,
                           const struct k6_summary_info *sum, struct err *err) {
  unsigned char *present = xcalloc(a->nscen + 1, 1);
  scen_present(a, present);
  size_t nsc = 0;
  for (size_t k = 0; k <= a->nscen; k++)
    nsc += present[k];
  int reqs = strmap_get(&a->metric_ix, "http_reqs", 9);
  int failed = strmap_get(&a->metric_ix, "http_req_failed", 15);
  int rc = -1;
  struct strbuf blob = STRBUF_INIT;
  struct sample *tmp = NULL;
  size_t cap_tmp = 0;
  sqlite3_stmt *ins = store_prepare(st,
                                    "INSERT INTO scenarios (run_id, name, executor, requests, failed, ok_count) "
                                    "VALUES (?,?,?,?,?,?)",
                                    err);
  sqlite3_stmt *ep = NULL, *em = NULL, *sm = NULL;
  if (!ins)
    goto out;
  for (size_t k = 0; k <= a->nscen; k++) {
    if (!present[k])
      continue;
    const char *name = k ? a->scen[k - 1] : "";
    int sc = (int)k - 1;
    double requests = 0, nfailed = 0;
    uint64_t ok = 0;
    for (size_t i = 0; i < a->nseries; i++) {
      const struct series *s = &a->series[i];
      const struct tagset *t = &a->tagsets[s->tagset];
      if (t->endpoint < 0 || t->sc != sc)
        continue;
      if (s->metric == reqs)
        requests += s->sum;
      else if (s->metric == failed)
        nfailed += (double)s->nonzero;
    }
    for (size_t e = 0; e < a->nendpoints; e++)
      for (size_t i = 0; i < a->endpoints[e].n; i++) {
        unsigned f = a->endpoints[e].s[i].flags;
        ok += (f >> SAMPLE_SC_SHIFT) == k && (f & SAMPLE_OK);
      }
    const char *executor = NULL;
    if (sum && sum->scenario_config)
      executor = json_string_value(json_object_get(json_object_get(sum->scenario_config, name), "executor"));
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, run_id);
    sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
    if (executor)
      sqlite3_bind_text(ins, 3, executor, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(ins, 3);
    sqlite3_bind_int64(ins, 4, (sqlite3_int64)requests);
    sqlite3_bind_int64(ins, 5, (sqlite3_int64)nfailed);
    sqlite3_bind_int64(ins, 6, (sqlite3_int64)ok);
    if (sqlite3_step(ins) != SQLITE_DONE) {
      store_fail(st, err, "cannot store scenarios");
      goto out;
    }
  }
  if (nsc == 1) {
    const char *name = "";
    for (size_t k = 0; k <= a->nscen; k++)
      if (present[k])
        name = k ? a->scen[k - 1] : "";
    if (exec_bound(st,
                   "INSERT INTO scenario_endpoints (run_id, scenario, endpoint_id, method, name, requests, failed, "
                   "ok_count) SELECT run_id, ?2, id, method, name, requests, failed, ok_count FROM endpoints "
                   "WHERE run_id = ?1 ORDER BY id",
                   run_id, name, err) < 0 ||
        exec_bound(st,
                   "INSERT INTO scenario_endpoint_metrics (se_id, metric, scope, count, avg, min, med, max, p90, "
                   "p95, p99) SELECT se.id, m.metric, m.scope, m.count, m.avg, m.min, m.med, m.max, m.p90, m.p95, "
                   "m.p99 FROM scenario_endpoints se JOIN endpoint_metrics m ON m.endpoint_id = se.endpoint_id "
                   "WHERE se.run_id = ?1",
                   run_id, NULL, err) < 0)
      goto out;
    rc = 0;
    goto out;
  }
  ep = store_prepare(st,
                     "INSERT INTO scenario_endpoints (run_id, scenario, endpoint_id, method, name, requests, failed, "
                     "ok_count) VALUES (?,?,?,?,?,?,?,?)",
                     err);
  em = store_prepare(st,
                     "INSERT INTO scenario_endpoint_metrics (se_id, metric, scope, count, avg, min, med, max, p90, "
                     "p95, p99) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     err);
  sm = store_prepare(st, "INSERT INTO scenario_samples (se_id, count, data) VALUES (?,?,?)", err);
  if (!ep || !em || !sm)
    goto out;
  for (size_t e = 0; e < a->nendpoints; e++) {
    const struct endpoint *p = &a->endpoints[e];
    for (size_t k = 0; k <= a->nscen; k++) {
      if (!present[k])
        continue;
      int sc = (int)k - 1;
      double requests = 0, nfailed = 0;
      int seen = 0;
      for (size_t i = 0; i < a->nseries; i++) {
        const struct series *s = &a->series[i];
        const struct tagset *t = &a->tagsets[s->tagset];
        if (t->endpoint != (int)e || t->sc != sc)
          continue;
        seen = 1;
        if (s->metric == reqs)
          requests += s->sum;
        else if (s->metric == failed)
          nfailed += (double)s->nonzero;
      }
      if (!seen)
        continue;
      size_t n = 0;
      uint64_t ok = 0;
      for (size_t i = 0; i < p->n; i++) {
        if ((p->s[i].flags >> SAMPLE_SC_SHIFT) != k)
          continue;
        XGROW(tmp, cap_tmp, n + 1);
        tmp[n] = p->s[i];
        tmp[n].t -= start_s;
        ok += (tmp[n].flags & SAMPLE_OK) != 0;
        n++;
      }
      if (requests == 0 && n)
        requests = (double)n;
      sqlite3_reset(ep);
      sqlite3_bind_int64(ep, 1, run_id);
      sqlite3_bind_text(ep, 2, k ? a->scen[k - 1] : "", -1, SQLITE_STATIC);
      sqlite3_bind_int64(ep, 3, ep_ids[e]);
      sqlite3_bind_text(ep, 4, p->method, -1, SQLITE_STATIC);
      sqlite3_bind_text(ep, 5, p->name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(ep, 6, (sqlite3_int64)requests);
      sqlite3_bind_int64(ep, 7, (sqlite3_int64)nfailed);
      sqlite3_bind_int64(ep, 8, (sqlite3_int64)ok);
      if (sqlite3_step(ep) != SQLITE_DONE) {
        store_fail(st, err, "cannot store scenario endpoint");
        goto out;
      }
      int64_t se_id = sqlite3_last_insert_rowid(st->db);
      for (size_t m = 0; m < sizeof metric_names / sizeof *metric_names; m++) {
        int mi = strmap_get(&a->metric_ix, metric_names[m], strlen(metric_names[m]));
        if (mi < 0)
          continue;
        for (int scope = 0; scope < 2; scope++) {
          struct sc_pick pk = {(int)e, sc, scope};
          struct agg_result r;
          aggregate(a, mi, pick_sc_endpoint, &pk, NULL, &r);
          json_decref(r.extra);
          sqlite3_reset(em);
          sqlite3_bind_int64(em, 1, se_id);
          sqlite3_bind_text(em, 2, metric_names[m], -1, SQLITE_STATIC);
          sqlite3_bind_text(em, 3, scope ? "ok" : "all", -1, SQLITE_STATIC);
          sqlite3_bind_int64(em, 4, (sqlite3_int64)r.tr.count);
          double vals[] = {r.tr.avg, r.tr.min, r.tr.med, r.tr.max, r.tr.p90, r.tr.p95, r.tr.p99};
          for (int c = 0; c < 7; c++)
            bind_num(em, 5 + c, vals[c], r.tr.count > 0);
          if (sqlite3_step(em) != SQLITE_DONE) {
            store_fail(st, err, "cannot store scenario endpoint metrics");
            goto out;
          }
        }
      }
      strbuf_reset(&blob);
      samples_encode(tmp, n, &blob);
      sqlite3_reset(sm);
      sqlite3_bind_int64(sm, 1, se_id);
      sqlite3_bind_int64(sm, 2, (sqlite3_int64)n);
      sqlite3_bind_blob(sm, 3, blob.buf, (int)blob.len, SQLITE_STATIC);
      if (sqlite3_step(sm) != SQLITE_DONE) {
        store_fail(st, err, "cannot store scenario samples");
        goto out;
      }
    }
  }
  rc = 0;
out:
  free(present);
  free(tmp);
  strbuf_release(&blob);
  sqlite3_finalize(ins);
  sqlite3_finalize(ep);
  sqlite3_finalize(em);
  sqlite3_finalize(sm);
  return rc;
}

static int store_buckets(struct k6_agg *a, struct store *st, int64_t run_id, const int64_t *ep_ids, int64_t start_sec,
                         struct err *err) {
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

  sqlite3_stmt *ins = store_prepare(st,
                                    "INSERT INTO buckets (run_id, endpoint_id, t, requests, failures, ok_count, "
                                    "dur_sum, p50, p95, p99, blocked_sum, connecting_sum, tls_sum, sending_sum, "
                                    "waiting_sum, receiving_sum, vus, iterations, iter_dur_sum) "
                                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                    err);
  if (!ins)
    return -1;
  for (size_t i = 0; i < a->nbuckets; i++) {
    const struct bucket *b = &a->buckets[i];
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    sqlite3_bind_int64(ins, 1, run_id);
    if (b->endpoint >= 0)
      sqlite3_bind_int64(ins, 2, ep_ids[b->endpoint]);
    sqlite3_bind_int64(ins, 3, b->sec - start_sec);
    sqlite3_bind_int64(ins, 4, (sqlite3_int64)b->requests);
    sqlite3_bind_int64(ins, 5, (sqlite3_int64)b->failures);
    sqlite3_bind_int64(ins, 6, (sqlite3_int64)b->ok_count);
    sqlite3_bind_double(ins, 7, b->dur_sum);
    bind_num(ins, 8, b->p50, b->ok_count > 0);
    bind_num(ins, 9, b->p95, b->ok_count > 0);
    bind_num(ins, 10, b->p99, b->ok_count > 0);
    for (int p = 0; p < N_PHASES; p++)
      sqlite3_bind_double(ins, 11 + p, b->phase[p]);
    bind_num(ins, 17, b->vus, b->has_vus);
    sqlite3_bind_int64(ins, 18, (sqlite3_int64)b->iterations);
    sqlite3_bind_double(ins, 19, b->iter_dur_sum);
    if (sqlite3_step(ins) != SQLITE_DONE) {
      sqlite3_finalize(ins);
      return store_fail(st, err, "cannot store time buckets");
    }
  }
  sqlite3_finalize(ins);
  return 0;
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
  int rc = -1;
  if (store_metrics(a, st, run_id, sum, duration, err) < 0 || store_checks(a, st, run_id, err) < 0 ||
      store_endpoints(a, st, run_id, ep_ids, start_s, err) < 0 ||
      store_scenarios(a, st, run_id, ep_ids, start_s, sum, err) < 0 ||
      store_buckets(a, st, run_id, ep_ids, (int64_t)floor(start_s), err) < 0)
    goto out;
  sqlite3_stmt *up = store_prepare(st,
                                   "UPDATE runs SET start_ts = ?, end_ts = ?, duration_s = ?, duration_src = ?, "
                                   "has_samples = 1 WHERE id = ?",
                                   err);
  if (!up)
    goto out;
  sqlite3_bind_double(up, 1, start_s);
  sqlite3_bind_double(up, 2, end_s);
  sqlite3_bind_double(up, 3, duration);
  sqlite3_bind_text(up, 4, dsrc, -1, SQLITE_STATIC);
  sqlite3_bind_int64(up, 5, run_id);
  int r = sqlite3_step(up);
  sqlite3_finalize(up);
  if (r != SQLITE_DONE) {
    store_fail(st, err, "cannot update run");
    goto out;
  }
  rc = 0;
out:
  free(ep_ids);
  return rc;
}
