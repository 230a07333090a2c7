/* db_compare.c - what changed in the database between two runs:
 * statements new, gone, slower or faster, calls per request, caches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "analysis/dbevidence_int.h"
#include "store/store.h"
#include "store/store_db.h"
#include "store/store_metrics.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

/* -------------------------------------------------------------- compare */

struct cstmt {
  char *key, *query;
  int has_qid;
  int64_t qid;
  double calls, total, mean, sd;
};

struct cside {
  struct cstmt *s;
  size_t n;
  double total, requests;
  char *db;
};

static void cside_release(struct cside *c) {
  for (size_t i = 0; i < c->n; i++) {
    free(c->s[i].key);
    free(c->s[i].query);
  }
  free(c->s);
  free(c->db);
}

static int cside_load(struct store *st, int64_t run_id, struct cside *c, struct err *err) {
  memset(c, 0, sizeof *c);
  if (db_app_database(st, run_id, &c->db, err) < 0)
    return -1;
  struct store_db_stmt_stat *r;
  size_t n;
  if (store_db_toplevel_stmts(st, run_id, c->db ? c->db : "", &r, &n, err) < 0)
    return -1;
  c->s = xcalloc(n ? n : 1, sizeof *c->s);
  for (size_t i = 0; i < n; i++) {
    struct cstmt *x = &c->s[c->n++];
    x->query = r[i].query;
    x->has_qid = r[i].has_queryid;
    x->qid = r[i].queryid;
    x->key = r[i].norm; /* joined by normalised text: query ids differ across servers */
    r[i].query = r[i].norm = NULL;
    x->calls = r[i].calls;
    x->total = r[i].total_ms;
    x->mean = r[i].mean_ms;
    x->sd = r[i].stddev_ms;
    c->total += x->total;
  }
  store_db_stmt_stats_free(r, n);
  /* successful requests: failed ones (timeouts, 503s) run fewer statements */
  return store_ok_requests(st, run_id, &c->requests, err);
}

static json_t *cstmt_json(const struct cstmt *x, double requests) {
  if (!x)
    return json_null();
  return json_pack("{s:o, s:o, s:o, s:o}", "calls", whole(x->calls), "total_ms", jx_real_or_null(rnd(x->total, 0.001)),
                   "mean_ms", jx_real_or_null(rnd(x->mean, 0.0001)), "calls_per_request",
                   jx_real_or_null(requests > 0 ? rnd(x->calls / requests, 1e-4) : NAN)); /* per successful request */
}

static void add_finding(json_t *arr, const char *kind, const char *query, const struct cstmt *b, const struct cstmt *c,
                        double rb, double rc, double change, int regression, const char *text) {
  json_t *o = json_object();
  json_object_set_new(o, "kind", json_string(kind));
  json_object_set_new(o, "query", json_string(query));
  const struct cstmt *q = c ? c : b;
  char id[32];
  if (q && q->has_qid)
    snprintf(id, sizeof id, "%lld", (long long)q->qid);
  json_object_set_new(o, "queryid", q && q->has_qid ? json_string(id) : json_null());
  json_object_set_new(o, "base", cstmt_json(b, rb));
  json_object_set_new(o, "candidate", cstmt_json(c, rc));
  json_object_set_new(o, "change", jx_real_or_null(rnd(change, 1e-4)));
  json_object_set_new(o, "regression", json_boolean(regression));
  json_object_set_new(o, "text", json_string(text));
  json_array_append_new(arr, o);
}

/* Keys of statements logged over slow_ms. */
static json_t *slow_keys(struct store *st, int64_t run_id, double slow_ms) {
  json_t *o = json_object();
  struct store_db_slow_norm *r;
  size_t n;
  if (store_db_slow_norms(st, run_id, slow_ms, &r, &n, NULL) < 0)
    return o;
  for (size_t i = 0; i < n; i++)
    json_object_set_new(o, r[i].norm, json_pack("[I, f]", (json_int_t)r[i].count, r[i].max_ms));
  store_db_slow_norms_free(r, n);
  return o;
}

json_t *db_compare_json(struct store *st, int64_t base_id, int64_t cand_id, double threshold) {
  json_t *arr = json_array();
  struct err err = ERR_INIT;
  struct cside b, c;
  if (cside_load(st, base_id, &b, &err) < 0) {
    json_array_append_new(arr, json_pack("{s:s, s:s}", "kind", "error", "text", err.msg));
    return arr;
  }
  if (cside_load(st, cand_id, &c, &err) < 0) {
    cside_release(&b);
    json_array_append_new(arr, json_pack("{s:s, s:s}", "kind", "error", "text", err.msg));
    return arr;
  }
  char text[1024];
  if (b.n && c.n) {
    for (size_t i = 0; i < c.n; i++) {
      struct cstmt *y = &c.s[i], *x = NULL;
      for (size_t j = 0; j < b.n && !x; j++)
        if (!strcmp(b.s[j].key, y->key))
          x = &b.s[j];
      double share_c = c.total > 0 ? y->total / c.total : 0;
      if (!x) {
        if (share_c >= 0.01) {
          /* A new statement is worse only when the database time per request
           * rose with it; one that replaced others (a JOIN for N+1 queries)
           * while that time fell is reported, not flagged. */
          double pb = b.requests > 0 ? b.total / b.requests : NAN, pc = c.requests > 0 ? c.total / c.requests : NAN;
          int worse = !(pb > 0) || !(pc > 0) || pc > (1 + threshold) * pb;
          snprintf(text, sizeof text,
                   "new statement: %.0f calls, %.1f ms in total (%.1f %% of database time); database time per "
                   "request %.2f ms -> %.2f ms", y->calls, y->total, 100 * share_c, pb, pc);
          add_finding(arr, "new_statement", y->query, NULL, y, b.requests, c.requests, NAN, worse, text);
        }
        continue;
      }
      double share_b = b.total > 0 ? x->total / b.total : 0;
      if (fmax(share_b, share_c) < 0.01 || !(x->mean > 0) || !isfinite(y->mean))
        continue;
      double ch = y->mean / x->mean - 1;
      /* noise: the difference of the means must exceed twice its standard error */
      double se = sqrt((isfinite(x->sd) && x->calls > 0 ? x->sd * x->sd / x->calls : 0) +
                       (isfinite(y->sd) && y->calls > 0 ? y->sd * y->sd / y->calls : 0));
      int beyond_noise = fabs(y->mean - x->mean) > 2 * se;
      if (fabs(ch) >= threshold && beyond_noise) {
        snprintf(text, sizeof text, "mean %.2f ms -> %.2f ms (%+.0f %%), total %.1f ms -> %.1f ms", x->mean, y->mean,
                 100 * ch, x->total, y->total);
        add_finding(arr, ch > 0 ? "slower_statement" : "faster_statement", y->query, x, y, b.requests, c.requests, ch,
                    ch > 0, text);
      }
      if (b.requests > 0 && c.requests > 0 && x->calls > 0) {
        double cb = x->calls / b.requests, cc = y->calls / c.requests, cch = cc / cb - 1;
        if (fabs(cch) >= threshold && fabs(cc - cb) >= 0.05) {
          snprintf(text, sizeof text, "calls per request %.3f -> %.3f (%+.0f %%)", cb, cc, 100 * cch);
          add_finding(arr, cch > 0 ? "more_calls_per_request" : "fewer_calls_per_request", y->query, x, y, b.requests,
                      c.requests, cch, cch > 0, text);
        }
      }
    }
    for (size_t j = 0; j < b.n; j++) {
      struct cstmt *x = &b.s[j];
      int found = 0;
      for (size_t i = 0; i < c.n && !found; i++)
        found = !strcmp(c.s[i].key, x->key);
      double share_b = b.total > 0 ? x->total / b.total : 0;
      if (!found && share_b >= 0.01) {
        snprintf(text, sizeof text, "gone: %.0f calls, %.1f ms in total (%.1f %% of database time) in the base",
                 x->calls, x->total, 100 * share_b);
        add_finding(arr, "gone_statement", x->query, x, NULL, b.requests, c.requests, NAN, 0, text);
      }
    }
  }
  /* Statements logged over the slow line in the candidate only. */
  json_t *sb = slow_keys(st, base_id, DB_SLOW_MS_DEFAULT), *sc = slow_keys(st, cand_id, DB_SLOW_MS_DEFAULT);
  const char *k;
  json_t *v;
  json_object_foreach(sc, k, v) {
    if (json_object_get(sb, k))
      continue;
    snprintf(text, sizeof text, "new slow statement: %lld call(s) over %g ms in the candidate's log, max %.1f ms",
             (long long)json_integer_value(json_array_get(v, 0)), DB_SLOW_MS_DEFAULT,
             json_real_value(json_array_get(v, 1)));
    add_finding(arr, "new_slow_statement", k, NULL, NULL, NAN, NAN, NAN, 1, text);
  }
  json_decref(sb);
  json_decref(sc);
  /* Cache hit ratios. */
  struct run_info rb, rc;
  if (store_get_run(st, base_id, &rb, &err) == 0) {
    if (store_get_run(st, cand_id, &rc, &err) == 0) {
      struct series_set s1, s2;
      json_t *c1 = NULL, *c2 = NULL, *o1 = NULL, *o2 = NULL;
      if (db_load_series(st, base_id, &s1, &err) == 0) {
        if (db_load_series(st, cand_id, &s2, &err) == 0) {
          if (db_caches_json(st, &rb, &s1, &c1, &o1, &err) == 0 && db_caches_json(st, &rc, &s2, &c2, &o2, &err) == 0) {
            size_t i;
            json_t *y;
            json_array_foreach(c2, i, y) {
              json_t *x = NULL, *z;
              size_t j;
              json_array_foreach(c1, j, z) if (!strcmp(jx_str(z, "name"), jx_str(y, "name"))) x = z;
              double hb = x ? jx_num(x, "hit_ratio") : NAN, hc = jx_num(y, "hit_ratio");
              if (!isfinite(hc))
                continue;
              double d = isfinite(hb) ? hc - hb : NAN;
              /* Worse means it fell; a ratio that rose but is still under
               * 70 % is reported as such ("below 70 %"), not as worse. */
              int reg = isfinite(d) ? d <= -0.05 : hc < DB_CACHE_HIT_MIN;
              if (isfinite(d) && fabs(d) < 0.05 && hc >= DB_CACHE_HIT_MIN)
                continue;
              json_t *o = json_object();
              json_object_set_new(o, "kind", json_string("cache_ratio"));
              json_object_set_new(o, "cache", json_string(jx_str(y, "name")));
              json_object_set_new(o, "base", x ? json_incref(json_object_get(x, "hit_ratio")) : json_null());
              json_object_set_new(o, "candidate", json_incref(json_object_get(y, "hit_ratio")));
              json_object_set_new(o, "change", jx_real_or_null(rnd(d, 1e-6)));
              json_object_set_new(o, "regression", json_boolean(reg));
              snprintf(text, sizeof text, "cache hit ratio %s -> %.1f %%%s",
                       isfinite(hb) ? "" : "n/a", 100 * hc, hc < DB_CACHE_HIT_MIN ? " (below 70 %)" : "");
              if (isfinite(hb))
                snprintf(text, sizeof text, "cache hit ratio %.1f %% -> %.1f %% (%+.1f points)%s", 100 * hb, 100 * hc,
                         100 * d, hc < DB_CACHE_HIT_MIN ? ", below 70 %" : "");
              json_object_set_new(o, "text", json_string(text));
              json_array_append_new(arr, o);
            }
          }
          db_series_set_release(&s2);
        }
        db_series_set_release(&s1);
      }
      json_decref(c1);
      json_decref(c2);
      json_decref(o1);
      json_decref(o2);
      run_info_release(&rc);
    }
    run_info_release(&rb);
  }
  cside_release(&b);
  cside_release(&c);
  return arr;
}
