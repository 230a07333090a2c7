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
#include "store/store_metrics.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

const char *const k6_mtype_names[4] = {"trend", "counter", "rate", "gauge"};

struct k6_agg *k6_agg_new(void) {
  struct k6_agg *a = xcalloc(1, sizeof *a);
  a->tmin = INT64_MAX;
  a->tmax = INT64_MIN;
  a->inst = k6_instances_new();
  a->src_inst = -1;
  return a;
}

void k6_agg_free(struct k6_agg *a) {
  if (!a)
    return;
  k6_instances_free(a->inst);
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
  free(a->statuses);
  strmap_release(&a->status_ix);
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
           {"iteration_duration", HM_ITER_DUR},
           {"data_sent", HM_DATA_SENT},
           {"data_received", HM_DATA_RECEIVED}};
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
  const char *inst = tag(tags, "instance");
  if (!inst)
    inst = tag(tags, "hostname");
  t->inst = inst ? k6_instances_key(a->inst, inst, NULL) : -1;
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

struct bucket *k6_agg_bucket_get(struct k6_agg *a, int endpoint, int64_t sec) {
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

/* Counts n requests of status in second sec. */
static void status_add(struct k6_agg *a, int64_t sec, const char *status, uint64_t n) {
  size_t len = strlen(status);
  char buf[64], *key = sizeof sec + len <= sizeof buf ? buf : xmalloc(sizeof sec + len);
  memcpy(key, &sec, sizeof sec);
  memcpy(key + sizeof sec, status, len);
  int ix = strmap_get(&a->status_ix, key, sizeof sec + len);
  if (ix < 0) {
    XGROW(a->statuses, a->cap_statuses, a->nstatuses + 1);
    a->statuses[a->nstatuses] = (struct status_count){sec, status, 0};
    ix = (int)a->nstatuses++;
    strmap_put(&a->status_ix, key, sizeof sec + len, ix);
  }
  if (key != buf)
    free(key);
  a->statuses[ix].count += n;
}

static enum k6_inst_kind inst_kind(enum hm hm) {
  return hm == HM_REQS ? K6I_REQS : hm == HM_FAILED ? K6I_FAILED : hm == HM_DURATION ? K6I_DURATION : hm == HM_VUS ? K6I_VUS
                                                                                                               : K6I_OTHER;
}

void k6_agg_set_source(struct k6_agg *a, const char *instance, const char *file) {
  a->src_inst = k6_instances_key(a->inst, instance, file);
}

const char *k6_agg_instance_of(const struct k6_agg *a, const char *file) { return k6_instances_of_file(a->inst, file); }

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
  struct tagset *t = &a->tagsets[tagset];
  k6_instances_point(a->inst, t->inst >= 0 ? t->inst : a->src_inst, inst_kind(m->hm), time_ns, value);
  if (m->hm == HM_NONE)
    return;
  int64_t sec = floor_div(time_ns, 1000000000);
  int ep = t->endpoint;
  struct bucket *all, *one = NULL;
  switch (m->hm) {
  case HM_VUS:
    all = k6_agg_bucket_get(a, -1, sec);
    if (!all->has_vus || value > all->vus)
      all->vus = value;
    all->has_vus = 1;
    return;
  case HM_ITERATIONS:
    k6_agg_bucket_get(a, -1, sec)->iterations += (uint64_t)value;
    return;
  case HM_ITER_DUR:
    k6_agg_bucket_get(a, -1, sec)->iter_dur_sum += value;
    return;
  case HM_DATA_SENT:
    k6_agg_bucket_get(a, -1, sec)->data_sent += value;
    return;
  case HM_DATA_RECEIVED:
    k6_agg_bucket_get(a, -1, sec)->data_received += value;
    return;
  default:
    break;
  }
  if (ep < 0)
    return;
  /* Take both before using either: a second k6_agg_bucket_get() may move the array. */
  size_t one_ix = (size_t)(k6_agg_bucket_get(a, ep, sec) - a->buckets);
  all = k6_agg_bucket_get(a, -1, sec);
  one = &a->buckets[one_ix];
  switch (m->hm) {
  case HM_REQS:
    all->requests += (uint64_t)value;
    one->requests += (uint64_t)value;
    if (t->status)
      status_add(a, sec, t->status, (uint64_t)value);
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
void k6_agg_scen_present(const struct k6_agg *a, unsigned char *present) {
  for (size_t i = 0; i < a->ntagsets; i++) {
    const struct tagset *t = &a->tagsets[i];
    if (t->sc >= 0 || t->endpoint >= 0)
      present[t->sc + 1] = 1;
  }
}

static int by_str(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

size_t k6_agg_scenarios(const struct k6_agg *a, char *buf, size_t cap) {
  unsigned char *present = xcalloc(a->nscen + 1, 1);
  k6_agg_scen_present(a, present);
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
