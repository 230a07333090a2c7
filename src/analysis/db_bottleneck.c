/* db_bottleneck.c - the database as a resource for bottleneck and
 * capacity: statements that grow with the load, their endpoints, locks. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "analysis/dbevidence_int.h"
#include "ingest/endpoint.h"
#include "stats/fit.h"
#include "store/store.h"
#include "store/store_db.h"
#include "store/store_endpoints.h"
#include "store/store_levels.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

/* ----------------------------------------------------------- bottleneck */

/* VUs at time t (seconds from the start): the run bucket's vus. */
static double vus_at(struct store *st, const struct run_info *run, double t) {
  double v;
  if (store_max_vus_between(st, run->id, floor(t), floor(t) + WINDOW_S, &v, NULL) < 0)
    return NAN;
  return v;
}

/* The endpoint whose successful requests a statement's calls are a whole
 * multiple of (within 1 %): the statement runs k times per request. */
static void statement_endpoint(struct store *st, const struct run_info *run, double calls, json_t *o) {
  struct store_ep_ok *e;
  size_t ne;
  if (store_endpoint_ok_counts(st, run->id, &e, &ne, NULL) < 0)
    return;
  char *best = NULL;
  double best_k = 0, best_err = 1, best_ok = 0;
  for (size_t i = 0; i < ne; i++) {
    double ok = e[i].ok_count;
    if (ok < 10 || !(calls > 0))
      continue;
    double k = round(calls / ok);
    if (k < 1 || k > 1000)
      continue;
    double er = fabs(calls - k * ok) / calls;
    if (er < 0.01 && (!best || k < best_k || (k == best_k && er < best_err))) {
      free(best);
      best = endpoint_label(e[i].method, e[i].name);
      best_k = k;
      best_err = er;
      best_ok = ok;
    }
  }
  store_ep_oks_free(e, ne);
  json_object_set_new(o, "endpoint", best ? json_string(best) : json_null());
  json_object_set_new(o, "calls_per_request", best ? whole(best_k) : json_null());
  json_object_set_new(o, "endpoint_ok_requests", best ? whole(best_ok) : json_null());
  free(best);
}

/* Logged durations of one statement per window against the VUs. */
static void statement_load(struct store *st, const struct run_info *run, const struct store_db_stmt_stat *row,
                           json_t *o) {
  struct store_db_window *wins;
  size_t nw;
  if (store_db_stmt_windows(st, run->id, run->start_ts, WINDOW_S, row->has_queryid, row->queryid, row->norm, &wins,
                            &nw, NULL) < 0)
    return;
  double *d = NULL, *v = NULL;
  size_t n = 0, cd = 0, cv = 0;
  for (size_t i = 0; i < nw; i++) {
    if (wins[i].count < 3)
      continue;
    double vu = vus_at(st, run, (double)wins[i].w * WINDOW_S);
    if (!isfinite(vu))
      continue;
    XGROW(d, cd, n + 1);
    XGROW(v, cv, n + 1);
    d[n] = wins[i].mean_ms;
    v[n] = vu;
    n++;
  }
  free(wins);
  double r = n >= 4 ? fit_pearson(v, d, n) : NAN;
  json_object_set_new(o, "load_windows", json_integer((json_int_t)n));
  json_object_set_new(o, "load_correlation", jx_real_or_null(rnd(r, 1e-3)));
  json_object_set_new(o, "grows_with_load", isfinite(r) ? json_boolean(r >= 0.5) : json_null());
  free(d);
  free(v);
}

/* SQL for a sentence that other outputs print as they are (bottleneck's
 * Markdown, reports): letters, digits and plain punctuation only, no markup,
 * no control characters, at most max bytes. */
static void sql_plain(struct strbuf *sb, const char *q, size_t max) {
  size_t n = 0;
  int sp = 0;
  for (const unsigned char *p = (const unsigned char *)q; *p && n < max; p++) {
    unsigned char c = *p;
    int ok = isalnum(c) || strchr(" _,.=()$*+-/:'%{}", c);
    if (!ok || c == ' ') {
      if (!sp && n) {
        strbuf_addch(sb, ' ');
        n++;
      }
      sp = 1;
      continue;
    }
    strbuf_addch(sb, (char)c);
    n++;
    sp = 0;
  }
  if (q[0] && n >= max)
    strbuf_addstr(sb, "...");
}

int db_bottleneck_evidence(struct store *st, const struct run_info *run, json_t **out, struct err *err) {
  *out = NULL;
  json_t *db = NULL;
  if (db_evidence_json(st, run, DB_SLOW_MS_DEFAULT, &db, err) < 0)
    return -1;
  if (!db)
    return 0;
  struct series_set ss;
  if (db_load_series(st, run->id, &ss, err) < 0) {
    json_decref(db);
    return -1;
  }
  struct series *p[P_N];
  db_find_pool_series(&ss, p);
  for (int k = 0; k < P_N; k++)
    if (p[k] && db_load_samples(st, p[k], err) < 0) {
      db_series_set_release(&ss);
      json_decref(db);
      return -1;
    }
  json_t *o = json_object(), *pool = json_object();
  json_object_set_new(o, "resource", json_string("database"));
  double size = db_series_max(p[P_SIZE], -INFINITY, INFINITY);
  if (isnan(size))
    size = db_series_max(p[P_INUSE], -INFINITY, INFINITY);
  double sat = NAN;
  if (p[P_INUSE] && p[P_WAITING] && isfinite(run->start_ts) && isfinite(size)) {
    for (double a = run->start_ts; a < run->end_ts && isnan(sat); a += WINDOW_S) {
      double iu = 0, wt = 0;
      size_t ni = 0, nw = 0;
      for (size_t i = 0; i < p[P_INUSE]->n; i++)
        if (p[P_INUSE]->t[i] >= a && p[P_INUSE]->t[i] < a + WINDOW_S)
          iu += p[P_INUSE]->v[i], ni++;
      for (size_t i = 0; i < p[P_WAITING]->n; i++)
        if (p[P_WAITING]->t[i] >= a && p[P_WAITING]->t[i] < a + WINDOW_S)
          wt += p[P_WAITING]->v[i], nw++;
      if (ni && nw && iu / (double)ni >= size - 0.5 && wt / (double)nw >= 1)
        sat = a - run->start_ts;
    }
  }
  double t0 = run->start_ts, t1 = run->end_ts;
  json_object_set_new(pool, "size", whole(size));
  json_object_set_new(pool, "in_use_max", whole(db_series_max(p[P_INUSE], t0, t1)));
  json_object_set_new(pool, "waiting_max", whole(db_series_max(p[P_WAITING], t0, t1)));
  double wmax = db_series_max(p[P_WAIT], t0, t1);
  json_object_set_new(pool, "mean_wait_ms_max", jx_real_or_null(rnd(wmax * 1000, 0.1)));
  json_object_set_new(pool, "timeouts",
                      jx_real_or_null(p[P_TIMEOUTS] ? rnd(db_series_amount(p[P_TIMEOUTS], 0, -INFINITY, INFINITY), 0.01)
                                                    : NAN));
  json_object_set_new(pool, "saturated_at_s", jx_real_or_null(sat));
  json_object_set_new(pool, "vus_at_saturation", isfinite(sat) ? whole(vus_at(st, run, sat)) : json_null());
  json_object_set_new(o, "saturated", json_boolean(isfinite(sat)));
  json_object_set_new(o, "saturated_at_s", jx_real_or_null(sat));
  json_object_set_new(o, "pool", pool);
  /* The statements that hold the connections: the top ones by time. */
  json_t *stmts = json_array();
  const char *dbname = jx_str(db, "datname");
  double total = jx_num(db, "total_ms");
  struct store_db_stmt_stat *top;
  size_t ntop;
  if (store_db_top_stmts(st, run->id, dbname, 5, &top, &ntop, err) < 0) {
    db_series_set_release(&ss);
    json_decref(db);
    json_decref(o);
    return -1;
  }
  for (size_t i = 0; i < ntop; i++) {
    const struct store_db_stmt_stat *x = &top[i];
    double share = total > 0 ? x->total_ms / total : NAN;
    if (json_array_size(stmts) && share < 0.05)
      break;
    json_t *r = json_object();
    json_object_set_new(r, "query", json_string(x->query));
    json_object_set_new(r, "queryid", db_queryid_json(x->has_queryid, x->queryid));
    json_object_set_new(r, "calls", whole(x->calls));
    json_object_set_new(r, "share_of_db_time", jx_real_or_null(rnd(share, 1e-4)));
    json_object_set_new(r, "mean_ms", jx_real_or_null(rnd(isnan(x->mean_ms) ? 0 : x->mean_ms, 0.01)));
    statement_endpoint(st, run, x->calls, r);
    statement_load(st, run, x, r);
    json_array_append_new(stmts, r);
  }
  store_db_stmt_stats_free(top, ntop);
  json_object_set_new(o, "statements", stmts);
  json_t *ev = json_object_get(json_object_get(db, "log"), "events");
  json_object_set_new(o, "lock_waits", json_integer((json_int_t)(isfinite(jx_num(ev, "lock_wait")) ? jx_num(ev, "lock_wait") : 0)));
  json_object_set_new(o, "deadlocks", json_integer((json_int_t)(isfinite(jx_num(ev, "deadlock")) ? jx_num(ev, "deadlock") : 0)));
  json_t *act = json_object_get(db, "activity");
  json_object_set_new(o, "idle_in_transaction_end", json_is_object(act) ? json_incref(json_object_get(act, "idle_in_transaction")) : json_null());
  json_t *pe = json_object_get(db, "pool");
  json_object_set_new(o, "leak", json_is_object(pe) ? json_string(jx_str(pe, "verdict")) : json_null());
  /* Tables read by sequential scans: the missing index behind slow lookups. */
  json_t *seq = json_array();
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(db, "tables"), i, t) {
    if (jx_num(t, "seq_tup_read") >= 1e6 && !(jx_num(t, "idx_scan") > jx_num(t, "seq_scan")))
      json_array_append(seq, t);
  }
  json_object_set_new(o, "seq_scanned_tables", seq);
  struct strbuf sb = STRBUF_INIT;
  if (isfinite(sat))
    strbuf_addf(&sb, "the database connection pool (%g) is saturated from %.0f s (%.0f VUs): up to %.0f requests wait, "
                     "mean wait per connection up to %.1f s",
                size, sat, vus_at(st, run, sat), db_series_max(p[P_WAITING], t0, t1), wmax);
  else
    strbuf_addf(&sb, "the database connection pool is not saturated");
  json_array_foreach(json_object_get(o, "statements"), i, t) {
    if (i >= 2)
      break;
    strbuf_addstr(&sb, i ? "; " : "; held by ");
    strbuf_addstr(&sb, "'");
    sql_plain(&sb, jx_str(t, "query"), 64);
    strbuf_addf(&sb, "' (%.0f %% of db time, mean %.0f ms", 100 * jx_num(t, "share_of_db_time"), jx_num(t, "mean_ms"));
    if (*jx_str(t, "endpoint")) {
      strbuf_addstr(&sb, ", behind ");
      sql_plain(&sb, jx_str(t, "endpoint"), 60);
    }
    strbuf_addstr(&sb, ")");
  }
  if (json_array_size(seq)) {
    strbuf_addstr(&sb, "; sequential scans of");
    json_array_foreach(seq, i, t) {
      strbuf_addstr(&sb, i ? ", " : " ");
      sql_plain(&sb, jx_str(t, "name"), 60);
    }
  }
  if (json_is_object(pe) && (!strcmp(jx_str(pe, "verdict"), "leak") || !strcmp(jx_str(pe, "verdict"), "exhausted")))
    strbuf_addf(&sb, "; connections leak (%.0f idle in transaction at the end)", jx_num(pe, "idle_in_transaction_end"));
  strbuf_addch(&sb, '.');
  json_object_set_new(o, "summary", json_string(sb.buf));
  strbuf_release(&sb);
  db_series_set_release(&ss);
  json_decref(db);
  *out = o;
  return 0;
}
