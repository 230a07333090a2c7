/* db_series.c - system series of the database evidence: loading them,
 * their amounts over a window, and the cache hit ratios. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "analysis/dbevidence_int.h"
#include "store/store.h"
#include "store/store_sys.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

/* ------------------------------------------------------- system series */

void db_series_set_release(struct series_set *ss) {
  for (size_t i = 0; i < ss->n; i++) {
    free(ss->s[i].name);
    free(ss->s[i].t);
    free(ss->s[i].v);
  }
  free(ss->s);
  ss->s = NULL;
  ss->n = 0;
}

int db_load_series(struct store *st, int64_t run_id, struct series_set *ss, struct err *err) {
  memset(ss, 0, sizeof *ss);
  struct store_sys_series *r;
  size_t n;
  if (store_sys_series_counted(st, run_id, &r, &n, err) < 0)
    return -1;
  ss->s = xcalloc(n ? n : 1, sizeof *ss->s);
  for (size_t i = 0; i < n; i++) {
    ss->s[i].id = r[i].id;
    ss->s[i].name = r[i].name;
    r[i].name = NULL;
  }
  ss->n = n;
  store_sys_series_free(r, n);
  return 0;
}

int db_load_samples(struct store *st, struct series *x, struct err *err) {
  if (x->t)
    return 0;
  if (store_sys_samples(st, x->id, 1, NAN, NAN, &x->t, &x->v, &x->n, err) < 0)
    return -1;
  if (!x->t)
    x->t = xmalloc(sizeof *x->t); /* loaded, no sample */
  return 0;
}

/* The value of label key in "name{k=\"v\",...}" into buf; 0 when absent. */
int db_label_value(const char *name, const char *key, char *buf, size_t cap) {
  const char *b = strchr(name, '{');
  if (!b)
    return 0;
  size_t kl = strlen(key);
  const char *p = b + 1;
  while (*p && *p != '}') {
    const char *eq = strchr(p, '=');
    if (!eq || eq[1] != '"')
      return 0;
    int match = (size_t)(eq - p) == kl && !memcmp(p, key, kl);
    const char *q = eq + 2;
    size_t o = 0;
    while (*q && *q != '"') {
      char c = *q;
      if (c == '\\' && q[1]) {
        q++;
        c = *q == 'n' ? '\n' : *q;
      }
      if (match && o + 1 < cap)
        buf[o++] = c;
      q++;
    }
    if (match) {
      buf[o] = 0;
      return 1;
    }
    if (*q == '"')
      q++;
    if (*q == ',')
      q++;
    p = q;
  }
  return 0;
}

/* The base name (before '{'), lower-cased, into buf. */
void db_base_name(const char *name, char *buf, size_t cap) {
  size_t i = 0;
  for (; name[i] && name[i] != '{' && i + 1 < cap; i++)
    buf[i] = (char)tolower((unsigned char)name[i]);
  buf[i] = 0;
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

/* Events of a counter (increase with resets) or a rate (sum of value x step,
 * the step to the next sample; the last sample gets the median step) in
 * [t0, t1). */
double db_series_amount(const struct series *x, int counter, double t0, double t1) {
  double sum = 0;
  if (x->n == 0)
    return 0;
  if (counter) {
    double prev = NAN;
    for (size_t i = 0; i < x->n; i++) {
      if (x->t[i] < t0 || x->t[i] >= t1)
        continue;
      if (isfinite(prev))
        sum += x->v[i] >= prev ? x->v[i] - prev : x->v[i];
      prev = x->v[i];
    }
    return sum;
  }
  double step = 1;
  if (x->n >= 2) {
    double *d = xmalloc((x->n - 1) * sizeof *d);
    for (size_t i = 0; i + 1 < x->n; i++)
      d[i] = x->t[i + 1] - x->t[i];
    for (size_t i = 1; i < x->n - 1; i++) /* insertion sort: short arrays */
      for (size_t j = i; j > 0 && d[j - 1] > d[j]; j--) {
        double tmp = d[j];
        d[j] = d[j - 1];
        d[j - 1] = tmp;
      }
    step = d[(x->n - 1) / 2];
    free(d);
  }
  for (size_t i = 0; i < x->n; i++) {
    if (x->t[i] < t0 || x->t[i] >= t1)
      continue;
    double dt = i + 1 < x->n ? x->t[i + 1] - x->t[i] : step;
    if (dt > 5 * step)
      dt = step; /* a gap: the rate of one step */
    sum += x->v[i] * dt;
  }
  return sum;
}

struct cache_acc {
  char name[256];
  struct series *hit, *miss, *ratio;
  int counter;
};

int db_caches_json(struct store *st, const struct run_info *run, struct series_set *ss, json_t **out,
                   json_t **overall, struct err *err) {
  struct cache_acc *c = NULL;
  size_t nc = 0, cap = 0;
  for (size_t i = 0; i < ss->n; i++) {
    char base[256], res[32], cname[256];
    db_base_name(ss->s[i].name, base, sizeof base);
    if (!strstr(base, "cache"))
      continue;
    int is_ratio = strstr(base, "ratio") != NULL;
    int hit = 0, miss = 0;
    if (!is_ratio) {
      if (!db_label_value(ss->s[i].name, "result", res, sizeof res) &&
          !db_label_value(ss->s[i].name, "outcome", res, sizeof res))
        continue;
      hit = !strcmp(res, "hit") || !strcmp(res, "hits");
      miss = !strcmp(res, "miss") || !strcmp(res, "misses");
      if (!hit && !miss)
        continue;
    }
    if (!db_label_value(ss->s[i].name, "cache", cname, sizeof cname) &&
        !db_label_value(ss->s[i].name, "name", cname, sizeof cname))
      snprintf(cname, sizeof cname, "%s", base);
    size_t k = 0;
    while (k < nc && strcmp(c[k].name, cname))
      k++;
    if (k == nc) {
      XGROW(c, cap, nc + 1);
      memset(&c[nc], 0, sizeof c[nc]);
      snprintf(c[nc].name, sizeof c[nc].name, "%s", cname);
      nc++;
    }
    if (is_ratio)
      c[k].ratio = &ss->s[i];
    else if (hit)
      c[k].hit = &ss->s[i];
    else
      c[k].miss = &ss->s[i];
    if (!is_ratio)
      c[k].counter = ends_with(base, "_total") || ends_with(base, "_count");
  }
  json_t *arr = json_array();
  double th = 0, tm = 0;
  int any = 0;
  for (size_t k = 0; k < nc; k++) {
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c[k].name));
    if (c[k].hit && c[k].miss) {
      if (db_load_samples(st, c[k].hit, err) < 0 || db_load_samples(st, c[k].miss, err) < 0) {
        json_decref(o);
        json_decref(arr);
        free(c);
        return -1;
      }
      double h = db_series_amount(c[k].hit, c[k].counter, -INFINITY, INFINITY);
      double m = db_series_amount(c[k].miss, c[k].counter, -INFINITY, INFINITY);
      json_object_set_new(o, "hits", jx_real_or_null(rnd(h, 1e-6)));
      json_object_set_new(o, "misses", jx_real_or_null(rnd(m, 1e-6)));
      json_object_set_new(o, "hit_ratio", h + m > 0 ? jx_real_or_null(rnd(h / (h + m), 1e-6)) : json_null());
      json_object_set_new(o, "source", json_string(c[k].counter ? "counter" : "rate"));
      th += h;
      tm += m;
      any = 1;
      json_t *w = json_array();
      if (isfinite(run->start_ts) && isfinite(run->end_ts)) {
        for (double t0 = run->start_ts; t0 < run->end_ts; t0 += CACHE_WINDOW_S) {
          double hh = db_series_amount(c[k].hit, c[k].counter, t0, t0 + CACHE_WINDOW_S);
          double mm = db_series_amount(c[k].miss, c[k].counter, t0, t0 + CACHE_WINDOW_S);
          json_array_append_new(w, json_pack("{s:f, s:o}", "time_s", t0 - run->start_ts, "hit_ratio",
                                             hh + mm > 0 ? jx_real_or_null(rnd(hh / (hh + mm), 1e-4)) : json_null()));
        }
      }
      json_object_set_new(o, "windows", w);
    } else if (c[k].ratio) {
      if (db_load_samples(st, c[k].ratio, err) < 0) {
        json_decref(o);
        json_decref(arr);
        free(c);
        return -1;
      }
      double sum = 0;
      size_t n = 0;
      for (size_t i = 0; i < c[k].ratio->n; i++)
        if (isfinite(c[k].ratio->v[i]))
          sum += c[k].ratio->v[i], n++;
      json_object_set_new(o, "hits", json_null());
      json_object_set_new(o, "misses", json_null());
      json_object_set_new(o, "hit_ratio", n ? jx_real_or_null(rnd(sum / (double)n, 1e-6)) : json_null());
      json_object_set_new(o, "source", json_string("ratio (time average)"));
      json_object_set_new(o, "windows", json_array());
    } else {
      json_decref(o);
      continue;
    }
    json_array_append_new(arr, o);
  }
  free(c);
  *out = arr;
  *overall = any ? json_pack("{s:o, s:o, s:o}", "hits", jx_real_or_null(rnd(th, 1e-6)), "misses",
                             jx_real_or_null(rnd(tm, 1e-6)), "hit_ratio",
                             th + tm > 0 ? jx_real_or_null(rnd(th / (th + tm), 1e-6)) : json_null())
                 : json_null();
  return 0;
}
