/* dbevidence.c - database and cache evidence of a run (dbevidence.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "ingest/endpoint.h"
#include "render/escape.h"
#include "stats/trend.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

#define WINDOW_S 10.0     /* time buckets of the load correlations */
#define CACHE_WINDOW_S 30.0
#define POOL_WINDOW_S 30.0

/* ------------------------------------------------------------- helpers */

static json_t *whole(double v) { return jx_whole_or_real(v); }

static double rnd(double v, double q) { return isfinite(v) ? round(v / q) * q : v; }

static json_t *iso_or_null(double ts) {
  if (!isfinite(ts))
    return json_null();
  char b[64];
  time_format_iso(ts, b);
  return json_string(b);
}

static json_t *queryid_json(sqlite3_stmt *s, int col) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL)
    return json_null();
  char b[32];
  snprintf(b, sizeof b, "%lld", (long long)sqlite3_column_int64(s, col));
  return json_string(b);
}

/* The application database: the datname with the most statement time in
 * pg_stat_statements, else the one with the most logged statements. */
static int app_database(struct store *st, int64_t run_id, char **out, struct err *err) {
  *out = NULL;
  sqlite3_stmt *s = store_prepare(st,
                    "SELECT datname, sum(total_ms) AS t FROM db_statements WHERE run_id = ? "
                    "GROUP BY datname ORDER BY t DESC LIMIT 1",
                    err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = xstrdup(store_col_text(s, 0));
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read pg_stat_statements");
  if (*out)
    return 0;
  s = store_prepare(st,
                    "SELECT database, count(*) AS n FROM db_log_entries WHERE run_id = ? AND kind = 'statement' "
                    "GROUP BY database ORDER BY n DESC LIMIT 1",
                    err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = xstrdup(store_col_text(s, 0));
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read the database log");
  return 0;
}

/* A setting from the snapshot 'settings' (meta.json) or a pg_settings export. */
static double setting_ms(struct store *st, int64_t run_id, const char *name) {
  sqlite3_stmt *s = store_prepare(st, "SELECT data FROM db_snapshots WHERE run_id = ? AND view = 'settings'", NULL);
  double v = NAN;
  if (!s)
    return v;
  sqlite3_bind_int64(s, 1, run_id);
  while (isnan(v) && sqlite3_step(s) == SQLITE_ROW) {
    json_error_t je;
    json_t *o = json_loads(store_col_text(s, 0), 0, &je);
    const char *t = jx_str(o, name);
    if (*t) {
      char *end;
      double x = strtod(t, &end);
      while (*end == ' ')
        end++;
      if (end != t) {
        if (!*end || !strcmp(end, "ms"))
          v = x;
        else if (!strcmp(end, "s"))
          v = x * 1000;
        else if (!strcmp(end, "min"))
          v = x * 60000;
      }
    }
    json_decref(o);
  }
  sqlite3_finalize(s);
  return v;
}

/* ----------------------------------------------------------- statements */

struct stmt_totals {
  double calls, total_ms, max_ms;
  int n;
};

static int statement_totals(struct store *st, int64_t run_id, const char *db, struct stmt_totals *t,
                            struct err *err) {
  memset(t, 0, sizeof *t);
  t->max_ms = NAN;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT count(*), sum(calls), sum(total_ms), max(max_ms) FROM db_statements "
                                  "WHERE run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1)",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, db ? db : "", -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    t->n = sqlite3_column_int(s, 0);
    t->calls = sqlite3_column_double(s, 1);
    t->total_ms = sqlite3_column_double(s, 2);
    t->max_ms = store_col_double(s, 3);
  }
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot read pg_stat_statements");
}

static int statements_json(struct store *st, int64_t run_id, const char *db, const struct stmt_totals *tot,
                           int limit, json_t *arr, struct err *err) {
  sqlite3_stmt *s = store_prepare(
      st,
      "SELECT d.query, d.queryid, d.calls, d.total_ms, d.mean_ms, d.max_ms, d.rows, d.shared_blks_hit, "
      "d.shared_blks_read, (SELECT count(*) FROM db_log_entries e WHERE e.run_id = d.run_id AND e.kind = 'statement' "
      "AND e.database = d.datname AND (e.queryid = d.queryid OR (e.queryid IS NULL AND e.norm = d.norm))) "
      "FROM db_statements d WHERE d.run_id = ? AND d.datname = ? AND (d.toplevel IS NULL OR d.toplevel = 1) "
      "ORDER BY d.total_ms DESC, d.calls DESC, d.query LIMIT ?",
      err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, db ? db : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 3, limit);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    json_t *o = json_object();
    json_object_set_new(o, "query", json_string(store_col_text(s, 0)));
    json_object_set_new(o, "queryid", queryid_json(s, 1));
    json_object_set_new(o, "calls", whole(store_col_double(s, 2)));
    json_object_set_new(o, "total_ms", jx_real_or_null(store_col_double(s, 3)));
    json_object_set_new(o, "mean_ms", jx_real_or_null(store_col_double(s, 4)));
    json_object_set_new(o, "max_ms", jx_real_or_null(store_col_double(s, 5)));
    json_object_set_new(o, "rows", whole(store_col_double(s, 6)));
    json_object_set_new(o, "shared_blks_hit", whole(store_col_double(s, 7)));
    json_object_set_new(o, "shared_blks_read", whole(store_col_double(s, 8)));
    json_object_set_new(o, "share_of_db_time",
                        jx_real_or_null(tot->total_ms > 0 ? rnd(store_col_double(s, 3) / tot->total_ms, 1e-6) : NAN));
    json_object_set_new(o, "logged", json_integer(sqlite3_column_int64(s, 9)));
    json_array_append_new(arr, o);
  }
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot read pg_stat_statements");
}

/* Statements from the log alone (no pg_stat_statements export). */
static int log_statements_json(struct store *st, int64_t run_id, const char *db, int limit, json_t *arr,
                               double *total, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT norm, max(queryid), count(*), sum(duration_ms), avg(duration_ms), "
                                  "max(duration_ms) FROM db_log_entries WHERE run_id = ? AND kind = 'statement' "
                                  "AND database = ? GROUP BY coalesce(queryid, norm) ORDER BY 4 DESC, 1 LIMIT ?",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, db ? db : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 3, limit);
  json_t *rows = json_array();
  *total = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    json_t *o = json_object();
    json_object_set_new(o, "query", json_string(store_col_text(s, 0)));
    json_object_set_new(o, "queryid", queryid_json(s, 1));
    json_object_set_new(o, "calls", json_integer(sqlite3_column_int64(s, 2)));
    json_object_set_new(o, "total_ms", jx_real_or_null(sqlite3_column_double(s, 3)));
    json_object_set_new(o, "mean_ms", jx_real_or_null(sqlite3_column_double(s, 4)));
    json_object_set_new(o, "max_ms", jx_real_or_null(sqlite3_column_double(s, 5)));
    json_object_set_new(o, "rows", json_null());
    json_object_set_new(o, "shared_blks_hit", json_null());
    json_object_set_new(o, "shared_blks_read", json_null());
    json_object_set_new(o, "logged", json_integer(sqlite3_column_int64(s, 2)));
    *total += sqlite3_column_double(s, 3);
    json_array_append_new(rows, o);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    json_decref(rows);
    return store_fail(st, err, "cannot read the database log");
  }
  size_t i;
  json_t *o;
  json_array_foreach(rows, i, o) {
    json_object_set_new(o, "share_of_db_time", json_null()); /* unknown: only slow calls are logged */
    json_array_append(arr, o);
  }
  json_decref(rows);
  return 0;
}

static int has_log(struct store *st, int64_t run_id, int *yes, struct err *err);

/* count: the log's statements over the line; without a log, 0 when no
 * statement's max_exec_time is over it, else null (unknown). */
static int slow_json(struct store *st, int64_t run_id, double slow_ms, const struct stmt_totals *tot, json_t **out,
                     struct err *err) {
  int logged = 0;
  if (has_log(st, run_id, &logged, err) < 0)
    return -1;
  json_t *o = json_object(), *by = json_array();
  json_object_set_new(o, "threshold_ms", jx_whole_or_real(slow_ms));
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT coalesce(min(norm), ''), qid, count(*), max(duration_ms), min(ts), max(ts), "
                                  "min(database) FROM (SELECT e.norm, e.duration_ms, e.ts, e.database, "
                                  "coalesce(e.queryid, (SELECT d.queryid FROM db_statements d WHERE d.run_id = e.run_id "
                                  "AND d.datname = e.database AND d.norm = e.norm AND d.queryid IS NOT NULL LIMIT 1)) AS qid "
                                  "FROM db_log_entries e WHERE e.run_id = ? AND e.kind = 'statement' AND e.duration_ms > ?) "
                                  "GROUP BY coalesce(qid, norm) ORDER BY 3 DESC, 4 DESC, 1",
                                  err);
  if (!s) {
    json_decref(o);
    json_decref(by);
    return -1;
  }
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_double(s, 2, slow_ms);
  long total = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    json_t *r = json_object();
    json_object_set_new(r, "query", json_string(store_col_text(s, 0)));
    json_object_set_new(r, "queryid", queryid_json(s, 1));
    json_object_set_new(r, "database", json_string(store_col_text(s, 6)));
    json_object_set_new(r, "count", json_integer(sqlite3_column_int64(s, 2)));
    json_object_set_new(r, "max_ms", jx_real_or_null(sqlite3_column_double(s, 3)));
    json_object_set_new(r, "first", iso_or_null(sqlite3_column_double(s, 4)));
    json_object_set_new(r, "last", iso_or_null(sqlite3_column_double(s, 5)));
    total += (long)sqlite3_column_int64(s, 2);
    json_array_append_new(by, r);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    json_decref(o);
    json_decref(by);
    return store_fail(st, err, "cannot read the database log");
  }
  if (logged || total) {
    json_object_set_new(o, "count", json_integer(total));
    json_object_set_new(o, "basis", json_string("log"));
  } else if (tot->n && isfinite(tot->max_ms) && tot->max_ms <= slow_ms) {
    json_object_set_new(o, "count", json_integer(0));
    json_object_set_new(o, "basis", json_string("max_exec_time"));
  } else {
    json_object_set_new(o, "count", json_null());
    json_object_set_new(o, "basis", json_null());
  }
  json_object_set_new(o, "by_statement", by);
  *out = o;
  return 0;
}

static int log_counts(struct store *st, int64_t run_id, const char *db, double x, long *n_log, long *n_above,
                      double *min_logged, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT count(*), sum(duration_ms > ?), min(duration_ms) FROM db_log_entries "
                                  "WHERE run_id = ? AND kind = 'statement' AND database = ?",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_double(s, 1, x);
  sqlite3_bind_int64(s, 2, run_id);
  sqlite3_bind_text(s, 3, db ? db : "", -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *n_log = (long)sqlite3_column_int64(s, 0);
    *n_above = (long)sqlite3_column_int64(s, 1);
    *min_logged = store_col_double(s, 2);
  }
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot read the database log");
}

static int has_log(struct store *st, int64_t run_id, int *yes, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT EXISTS (SELECT 1 FROM source_files WHERE run_id = ? AND kind IN "
                                  "('pg-csvlog', 'pg-stderr-log'))",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  *yes = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot read source files");
}

/* "p95 < X" decided exactly when the calls above X are all known. */
static int p95_json(struct store *st, int64_t run_id, const char *db, const struct stmt_totals *tot, double x,
                    json_t **out, struct err *err) {
  json_t *o = json_object();
  *out = o;
  json_object_set_new(o, "threshold_ms", jx_whole_or_real(x));
  long n_log = 0, n_above = 0;
  double min_logged = NAN;
  int logged = 0;
  if (has_log(st, run_id, &logged, err) < 0 || log_counts(st, run_id, db, x, &n_log, &n_above, &min_logged, err) < 0)
    return -1;
  double lmd = setting_ms(st, run_id, "log_min_duration_statement");
  const char *basis = NULL;
  char reason[512] = "";
  double above = NAN;
  if (tot->n == 0 || !(tot->calls > 0)) {
    snprintf(reason, sizeof reason,
             "cannot be decided: the number of calls is unknown (no pg_stat_statements export for the run)");
  } else if (isfinite(tot->max_ms) && tot->max_ms <= x) {
    above = 0;
    basis = "max_exec_time";
    snprintf(reason, sizeof reason, "every statement's max_exec_time is at most %g ms: no call took longer", x);
  } else if (logged && isfinite(lmd) && lmd >= 0 && lmd <= x) {
    above = (double)n_above;
    basis = "log";
    snprintf(reason, sizeof reason,
             "every call over %g ms is in the server log (log_min_duration_statement = %g ms): %ld of %.0f calls "
             "took longer",
             x, lmd, n_above, tot->calls);
  } else if (logged && !isfinite(lmd)) {
    snprintf(reason, sizeof reason,
             "cannot be decided: the log's log_min_duration_statement is unknown (give it in meta.json or a "
             "pg_settings export), so calls over %g ms may be missing from it; %ld logged calls took longer",
             x, n_above);
  } else if (logged) {
    snprintf(reason, sizeof reason,
             "cannot be decided: log_min_duration_statement = %g ms is above %g ms, so the log does not hold every "
             "call over %g ms",
             lmd, x, x);
  } else {
    snprintf(reason, sizeof reason,
             "cannot be decided: some statement took longer than %g ms (max_exec_time %.1f ms) and no server log "
             "says how many calls did",
             x, tot->max_ms);
  }
  int decided = isfinite(above);
  json_object_set_new(o, "decided", json_boolean(decided));
  json_object_set_new(o, "below", decided ? json_boolean(above < 0.05 * tot->calls) : json_null());
  json_object_set_new(o, "calls", tot->calls > 0 ? whole(tot->calls) : json_null());
  json_object_set_new(o, "calls_above", decided ? whole(above) : json_null());
  json_object_set_new(o, "share_above", decided ? jx_real_or_null(rnd(above / tot->calls, 1e-6)) : json_null());
  json_object_set_new(o, "basis", basis ? json_string(basis) : json_null());
  json_object_set_new(o, "log_min_duration_statement_ms", jx_real_or_null(lmd));
  json_object_set_new(o, "reason", json_string(reason));
  return 0;
}

/* ------------------------------------------------------- system series */

struct series {
  int64_t id;
  char *name;
  double *t, *v;
  size_t n;
};

struct series_set {
  struct series *s;
  size_t n;
};

static void series_set_release(struct series_set *ss) {
  for (size_t i = 0; i < ss->n; i++) {
    free(ss->s[i].name);
    free(ss->s[i].t);
    free(ss->s[i].v);
  }
  free(ss->s);
  ss->s = NULL;
  ss->n = 0;
}

static int load_series(struct store *st, int64_t run_id, struct series_set *ss, struct err *err) {
  memset(ss, 0, sizeof *ss);
  sqlite3_stmt *s = store_prepare(st, "SELECT id, name FROM sys_series WHERE run_id = ? ORDER BY id", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    XGROW(ss->s, cap, ss->n + 1);
    struct series *x = &ss->s[ss->n++];
    memset(x, 0, sizeof *x);
    x->id = sqlite3_column_int64(s, 0);
    x->name = xstrdup(store_col_text(s, 1));
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read system series");
  return 0;
}

static int load_samples(struct store *st, struct series *x, struct err *err) {
  if (x->t)
    return 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT ts, value FROM sys_samples WHERE series_id = ? AND in_window = 1 ORDER BY ts",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, x->id);
  size_t cap = 0, capv = 0;
  int rc;
  x->t = xmalloc(sizeof *x->t);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    XGROW(x->t, cap, x->n + 1);
    XGROW(x->v, capv, x->n + 1);
    x->t[x->n] = sqlite3_column_double(s, 0);
    x->v[x->n] = sqlite3_column_double(s, 1);
    x->n++;
  }
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot read system samples");
}

/* The value of label key in "name{k=\"v\",...}" into buf; 0 when absent. */
static int label_value(const char *name, const char *key, char *buf, size_t cap) {
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
static void base_name(const char *name, char *buf, size_t cap) {
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
static double series_amount(const struct series *x, int counter, double t0, double t1) {
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

static int caches_json(struct store *st, const struct run_info *run, struct series_set *ss, json_t **out,
                       json_t **overall, struct err *err) {
  struct cache_acc *c = NULL;
  size_t nc = 0, cap = 0;
  for (size_t i = 0; i < ss->n; i++) {
    char base[256], res[32], cname[256];
    base_name(ss->s[i].name, base, sizeof base);
    if (!strstr(base, "cache"))
      continue;
    int is_ratio = strstr(base, "ratio") != NULL;
    int hit = 0, miss = 0;
    if (!is_ratio) {
      if (!label_value(ss->s[i].name, "result", res, sizeof res) &&
          !label_value(ss->s[i].name, "outcome", res, sizeof res))
        continue;
      hit = !strcmp(res, "hit") || !strcmp(res, "hits");
      miss = !strcmp(res, "miss") || !strcmp(res, "misses");
      if (!hit && !miss)
        continue;
    }
    if (!label_value(ss->s[i].name, "cache", cname, sizeof cname) &&
        !label_value(ss->s[i].name, "name", cname, sizeof cname))
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
      if (load_samples(st, c[k].hit, err) < 0 || load_samples(st, c[k].miss, err) < 0) {
        json_decref(o);
        json_decref(arr);
        free(c);
        return -1;
      }
      double h = series_amount(c[k].hit, c[k].counter, -INFINITY, INFINITY);
      double m = series_amount(c[k].miss, c[k].counter, -INFINITY, INFINITY);
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
          double hh = series_amount(c[k].hit, c[k].counter, t0, t0 + CACHE_WINDOW_S);
          double mm = series_amount(c[k].miss, c[k].counter, t0, t0 + CACHE_WINDOW_S);
          json_array_append_new(w, json_pack("{s:f, s:o}", "time_s", t0 - run->start_ts, "hit_ratio",
                                             hh + mm > 0 ? jx_real_or_null(rnd(hh / (hh + mm), 1e-4)) : json_null()));
        }
      }
      json_object_set_new(o, "windows", w);
    } else if (c[k].ratio) {
      if (load_samples(st, c[k].ratio, err) < 0) {
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

/* ------------------------------------------------------------ snapshots */

static json_t *snapshot_rows(struct store *st, int64_t run_id, const char *view) {
  json_t *arr = json_array();
  sqlite3_stmt *s = store_prepare(st, "SELECT snap, data FROM db_snapshots WHERE run_id = ? AND view = ? ORDER BY "
                                      "snap, rowid",
                                  NULL);
  if (!s)
    return arr;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, view, -1, SQLITE_STATIC);
  while (sqlite3_step(s) == SQLITE_ROW) {
    json_error_t je;
    json_t *o = json_loads(store_col_text(s, 1), 0, &je);
    if (!o)
      continue;
    json_object_set_new(o, "_snap", json_integer(sqlite3_column_int(s, 0)));
    json_array_append_new(arr, o);
  }
  sqlite3_finalize(s);
  return arr;
}

static double cell(json_t *row, const char *k) {
  const char *t = jx_str(row, k);
  if (!*t)
    return NAN;
  char *end;
  double v = strtod(t, &end);
  return end != t ? v : NAN;
}

static json_t *activity_json(struct store *st, int64_t run_id, const char *db) {
  json_t *rows = snapshot_rows(st, run_id, "pg_stat_activity");
  if (!json_array_size(rows)) {
    json_decref(rows);
    return json_null();
  }
  long idle = 0, total = 0;
  double age = NAN;
  size_t i;
  json_t *r;
  json_array_foreach(rows, i, r) {
    if (db && *db && strcmp(jx_str(r, "datname"), db))
      continue;
    total++;
    if (!strcmp(jx_str(r, "state"), "idle in transaction")) {
      idle++;
      double a = cell(r, "xact_age_s");
      if (isfinite(a) && (isnan(age) || a > age))
        age = a;
    }
  }
  json_decref(rows);
  return json_pack("{s:I, s:I, s:o}", "sessions", (json_int_t)total, "idle_in_transaction", (json_int_t)idle,
                   "max_xact_age_s", jx_real_or_null(rnd(age, 0.001)));
}

/* pg_stat_database: end - start of the application database (the two
 * snapshots with the fewest and the most transactions; one snapshot: as is). */
static json_t *database_stats_json(struct store *st, int64_t run_id, const char *db) {
  json_t *rows = snapshot_rows(st, run_id, "pg_stat_database");
  json_t *lo = NULL, *hi = NULL;
  size_t i;
  json_t *r;
  json_array_foreach(rows, i, r) {
    if (db && *db && strcmp(jx_str(r, "datname"), db))
      continue;
    double x = cell(r, "xact_commit") + cell(r, "xact_rollback");
    if (!lo || x < cell(lo, "xact_commit") + cell(lo, "xact_rollback"))
      lo = r;
    if (!hi || x >= cell(hi, "xact_commit") + cell(hi, "xact_rollback"))
      hi = r;
  }
  if (!hi) {
    json_decref(rows);
    return json_null();
  }
  int delta = lo != hi && !strcmp(jx_str(lo, "stats_reset"), jx_str(hi, "stats_reset"));
  static const char *const keys[] = {"xact_commit", "xact_rollback", "blks_read", "blks_hit",   "deadlocks",
                                     "temp_files",  "temp_bytes",    "conflicts", "tup_returned", "tup_fetched"};
  json_t *o = json_object();
  json_object_set_new(o, "interval", json_string(delta ? "end - start" : "one snapshot"));
  double v[10];
  for (int k = 0; k < 10; k++) {
    v[k] = cell(hi, keys[k]) - (delta ? cell(lo, keys[k]) : 0);
    json_object_set_new(o, keys[k], whole(v[k]));
  }
  json_object_set_new(o, "blks_hit_ratio", v[2] + v[3] > 0 ? jx_real_or_null(rnd(v[3] / (v[2] + v[3]), 1e-6))
                                                             : json_null());
  json_decref(rows);
  return o;
}

static json_t *tables_json(struct store *st, int64_t run_id) {
  json_t *rows = snapshot_rows(st, run_id, "pg_stat_user_tables");
  json_t *arr = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(rows, i, r) {
    json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", jx_str(r, "relname"), "seq_scan",
                                         whole(cell(r, "seq_scan")), "seq_tup_read", whole(cell(r, "seq_tup_read")),
                                         "idx_scan", whole(cell(r, "idx_scan")), "n_live_tup",
                                         whole(cell(r, "n_live_tup"))));
  }
  json_decref(rows);
  return arr;
}

static int log_summary_json(struct store *st, int64_t run_id, json_t **out, struct err *err) {
  sqlite3_stmt *s =
      store_prepare(st, "SELECT kind, count(*) FROM db_log_entries WHERE run_id = ? GROUP BY kind ORDER BY kind", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  json_t *o = json_object(), *ev = json_object();
  json_int_t stmts = 0, plans = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *k = store_col_text(s, 0);
    json_int_t n = sqlite3_column_int64(s, 1);
    if (!strcmp(k, "statement"))
      stmts = n;
    else if (!strcmp(k, "plan"))
      plans = n;
    else
      json_object_set_new(ev, k, json_integer(n));
  }
  sqlite3_finalize(s);
  json_object_set_new(o, "statements", json_integer(stmts));
  json_object_set_new(o, "plans", json_integer(plans));
  json_object_set_new(o, "events", ev);
  json_object_set_new(o, "log_min_duration_statement_ms",
                      jx_real_or_null(setting_ms(st, run_id, "log_min_duration_statement")));
  *out = o;
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot read the database log");
}

/* ----------------------------------------------------------------- pool */

enum { P_INUSE, P_WAITING, P_SIZE, P_TIMEOUTS, P_WAIT, P_IDLETX, P_N };

static void find_pool_series(struct series_set *ss, struct series *p[P_N]) {
  memset(p, 0, P_N * sizeof *p);
  for (size_t i = 0; i < ss->n; i++) {
    char base[256], state[64];
    base_name(ss->s[i].name, base, sizeof base);
    if (strstr(base, "pool")) {
      int k = -1;
      if (strstr(base, "in_use") || strstr(base, "inuse") || strstr(base, "active") || strstr(base, "busy"))
        k = P_INUSE;
      else if (strstr(base, "waiting") || strstr(base, "pending"))
        k = P_WAITING;
      else if (strstr(base, "timeout"))
        k = P_TIMEOUTS;
      else if (strstr(base, "wait"))
        k = P_WAIT;
      else if (strstr(base, "size") || strstr(base, "max"))
        k = P_SIZE;
      if (k >= 0 && !p[k])
        p[k] = &ss->s[i];
    } else if (strstr(base, "activity") && strstr(base, "count") &&
               label_value(ss->s[i].name, "state", state, sizeof state) && !strcmp(state, "idle in transaction") &&
               !p[P_IDLETX]) {
      p[P_IDLETX] = &ss->s[i];
    }
  }
}

static double series_max(const struct series *x, double t0, double t1) {
  double m = NAN;
  for (size_t i = 0; x && i < x->n; i++)
    if (x->t[i] >= t0 && x->t[i] <= t1 && (isnan(m) || x->v[i] > m))
      m = x->v[i];
  return m;
}

/* Successful requests in [t0, t1] from the run's one-second buckets. */
static double ok_requests(struct store *st, const struct run_info *run, double t0, double t1) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT sum(ok_count) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND "
                                  "t >= ? AND t <= ?",
                                  NULL);
  if (!s)
    return NAN;
  sqlite3_bind_int64(s, 1, run->id);
  sqlite3_bind_double(s, 2, floor(t0 - run->start_ts));
  sqlite3_bind_double(s, 3, floor(t1 - run->start_ts));
  double v = NAN;
  if (sqlite3_step(s) == SQLITE_ROW)
    v = store_col_double(s, 0);
  sqlite3_finalize(s);
  return v;
}

static int pool_json(struct store *st, const struct run_info *run, struct series_set *ss, json_t **out,
                     struct err *err) {
  struct series *p[P_N];
  find_pool_series(ss, p);
  json_t *o = json_object();
  *out = o;
  for (int k = 0; k < P_N; k++)
    if (p[k] && load_samples(st, p[k], err) < 0)
      return -1;
  json_t *act = activity_json(st, run->id, NULL);
  json_t *used = json_object();
  static const char *const role[P_N] = {"in_use", "waiting", "size", "timeouts", "wait", "idle_in_transaction"};
  for (int k = 0; k < P_N; k++)
    if (p[k])
      json_object_set_new(used, role[k], json_string(p[k]->name));
  json_object_set_new(o, "series", used);
  json_object_set_new(o, "idle_in_transaction_end", json_is_object(act) ? json_incref(json_object_get(act, "idle_in_transaction")) : json_null());
  json_object_set_new(o, "max_xact_age_s", json_is_object(act) ? json_incref(json_object_get(act, "max_xact_age_s")) : json_null());
  json_decref(act);
  struct series *held = p[P_INUSE] ? p[P_INUSE] : p[P_IDLETX];
  if (!held || held->n < 3 || !isfinite(run->start_ts)) {
    json_object_set_new(o, "verdict", json_string("inconclusive"));
    json_object_set_new(o, "reason", json_string("no connection-pool series (pool in use, or idle-in-transaction "
                                                 "sessions) was ingested for this run"));
    return 0;
  }
  double t0 = run->start_ts, t1 = isfinite(run->end_ts) ? run->end_ts : held->t[held->n - 1];
  double size = series_max(p[P_SIZE], -INFINITY, INFINITY);
  if (isnan(size))
    size = series_max(held, -INFINITY, INFINITY);
  json_object_set_new(o, "pool_size", whole(size));
  json_object_set_new(o, "waiting_max", whole(series_max(p[P_WAITING], t0, t1)));
  double timeouts = p[P_TIMEOUTS] ? series_amount(p[P_TIMEOUTS], 0, -INFINITY, INFINITY) : NAN;
  json_object_set_new(o, "timeouts", jx_real_or_null(rnd(timeouts, 0.01)));
  /* Floors: the fewest connections held in each window (the held ones that
   * are never given back raise it); idle-in-transaction sessions when the
   * service exports no in-use gauge. */
  struct series *fs = p[P_IDLETX] ? p[P_IDLETX] : held;
  size_t nw = 0, capw = 0;
  double *wt = NULL, *wf = NULL;
  size_t capf = 0;
  for (double a = t0; a < t1; a += POOL_WINDOW_S) {
    double m = NAN;
    for (size_t i = 0; i < fs->n; i++)
      if (fs->t[i] >= a && fs->t[i] < a + POOL_WINDOW_S && isfinite(fs->v[i]) && (isnan(m) || fs->v[i] < m))
        m = fs->v[i];
    if (isnan(m))
      continue;
    XGROW(wt, capw, nw + 1);
    XGROW(wf, capf, nw + 1);
    wt[nw] = a - t0 + POOL_WINDOW_S / 2;
    wf[nw] = m;
    nw++;
  }
  json_t *fl = json_array();
  for (size_t i = 0; i < nw; i++)
    json_array_append_new(fl, json_pack("{s:f, s:o}", "time_s", wt[i], "floor", whole(wf[i])));
  json_object_set_new(o, "floor_series", json_string(fs->name));
  json_object_set_new(o, "floors", fl);
  json_object_set_new(o, "floor_start", nw ? whole(wf[0]) : json_null());
  json_object_set_new(o, "floor_end", nw ? whole(wf[nw - 1]) : json_null());
  /* Observed: from some time to the end every connection is held, and the
   * held ones serve nothing (all idle in transaction, or no successful
   * request from then on). */
  double ex = NAN, last_free = -INFINITY;
  for (size_t i = 0; i < held->n; i++)
    if (held->t[i] <= t1 && held->v[i] < size)
      last_free = held->t[i];
  double from = NAN;
  for (size_t i = 0; i < held->n; i++)
    if (held->t[i] > last_free && held->t[i] <= t1) {
      from = held->t[i];
      break;
    }
  double ok_after = NAN, all_leaked = NAN;
  if (isfinite(from) && t1 - from >= 5) {
    ok_after = ok_requests(st, run, from + 5, t1);
    if (p[P_IDLETX]) {
      for (size_t i = 0; i < p[P_IDLETX]->n; i++)
        if (p[P_IDLETX]->t[i] >= t0 && p[P_IDLETX]->v[i] >= size) {
          all_leaked = p[P_IDLETX]->t[i];
          break;
        }
    }
    double after_from = ok_requests(st, run, from, t1), before = ok_requests(st, run, t0, from);
    double rate_before = before / fmax(1, from - t0), rate_after = after_from / fmax(1, t1 - from);
    if ((isfinite(all_leaked) && all_leaked <= t1) || (isfinite(rate_after) && rate_after < 0.1 * rate_before))
      ex = from;
  }
  double slope = NAN, projected = NAN;
  if (nw >= 3) {
    struct sen_result sen;
    if (trend_sen_slope(wt, wf, nw, 0, 0.05, &sen) == 0)
      slope = sen.slope;
  }
  const char *verdict;
  char reason[512];
  if (isfinite(ex)) {
    verdict = "exhausted";
    snprintf(reason, sizeof reason,
             "every one of the %g pool connections is held from %.0f s to the end of the run%s; requests wait for a "
             "connection that never comes",
             size, ex - t0,
             isfinite(all_leaked) ? " and all of them sit idle in transaction (leaked)" : " and no request succeeds");
  } else if (nw >= 3 && isfinite(slope) && slope > 0 && wf[nw - 1] - wf[0] >= 1) {
    verdict = "leak";
    projected = wt[nw - 1] + (size - wf[nw - 1]) / slope;
    snprintf(reason, sizeof reason,
             "the floor of held connections rises from %g to %g (%.2f per minute): connections are not given back; "
             "at this rate the pool of %g is used up at %.0f s",
             wf[0], wf[nw - 1], slope * 60, size, projected);
  } else if (nw >= 3) {
    verdict = "none";
    snprintf(reason, sizeof reason, "the floor of held connections does not rise (%g to %g)", wf[0], wf[nw - 1]);
  } else {
    verdict = "inconclusive";
    snprintf(reason, sizeof reason, "the run is shorter than three %.0f-s windows", POOL_WINDOW_S);
  }
  json_object_set_new(o, "verdict", json_string(verdict));
  json_object_set_new(o, "reason", json_string(reason));
  json_object_set_new(o, "exhausted_at_s", jx_real_or_null(rnd(ex - t0, 0.1)));
  json_object_set_new(o, "all_idle_in_transaction_at_s", jx_real_or_null(rnd(all_leaked - t0, 0.1)));
  json_object_set_new(o, "projected_exhaustion_s", jx_real_or_null(rnd(projected, 0.1)));
  json_object_set_new(o, "floor_slope_per_min", jx_real_or_null(rnd(slope * 60, 1e-4)));
  json_object_set_new(o, "ok_requests_after", isfinite(ex) ? whole(ok_after) : json_null());
  free(wt);
  free(wf);
  return 0;
}

int db_pool_exhaustion_json(struct store *st, const struct run_info *run, json_t **out, struct err *err) {
  struct series_set ss;
  *out = NULL;
  if (load_series(st, run->id, &ss, err) < 0)
    return -1;
  int rc = pool_json(st, run, &ss, out, err);
  series_set_release(&ss);
  if (rc < 0) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

/* ----------------------------------------------------------------- show */

int db_evidence_json(struct store *st, const struct run_info *run, double slow_ms, json_t **out, struct err *err) {
  *out = NULL;
  int has = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT EXISTS (SELECT 1 FROM db_statements WHERE run_id = ?1) OR "
                                  "EXISTS (SELECT 1 FROM db_log_entries WHERE run_id = ?1) OR "
                                  "EXISTS (SELECT 1 FROM db_snapshots WHERE run_id = ?1 AND view <> 'settings') OR "
                                  "EXISTS (SELECT 1 FROM source_files WHERE run_id = ?1 AND kind LIKE 'pg-%')",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run->id);
  if (sqlite3_step(s) == SQLITE_ROW)
    has = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  struct series_set ss;
  if (load_series(st, run->id, &ss, err) < 0)
    return -1;
  json_t *caches = NULL, *overall = NULL;
  if (caches_json(st, run, &ss, &caches, &overall, err) < 0) {
    series_set_release(&ss);
    return -1;
  }
  struct series *p[P_N];
  find_pool_series(&ss, p);
  if (!has && !json_array_size(caches) && !p[P_INUSE]) {
    json_decref(caches);
    json_decref(overall);
    series_set_release(&ss);
    return 0;
  }
  json_t *o = json_object();
  char *db = NULL;
  struct stmt_totals tot;
  json_t *stmts = json_array(), *slow = NULL, *p95 = NULL, *logj = NULL, *pool = NULL;
  int rc = -1;
  if (app_database(st, run->id, &db, err) < 0 || statement_totals(st, run->id, db, &tot, err) < 0)
    goto out;
  const char *source = NULL;
  if (tot.n) {
    source = "pg_stat_statements";
    if (statements_json(st, run->id, db, &tot, DB_TOP_STATEMENTS, stmts, err) < 0)
      goto out;
  } else if (db) {
    double total = 0;
    source = "log";
    if (log_statements_json(st, run->id, db, DB_TOP_STATEMENTS, stmts, &total, err) < 0)
      goto out;
  }
  if (slow_json(st, run->id, slow_ms, &tot, &slow, err) < 0 || p95_json(st, run->id, db, &tot, DB_QUERY_P95_MS, &p95, err) < 0 ||
      log_summary_json(st, run->id, &logj, err) < 0)
    goto out;
  if (p[P_INUSE] || p[P_IDLETX]) {
    if (pool_json(st, run, &ss, &pool, err) < 0)
      goto out;
  }
  json_object_set_new(o, "datname", db ? json_string(db) : json_null());
  json_object_set_new(o, "source", source ? json_string(source) : json_null());
  json_object_set_new(o, "total_calls", tot.n ? whole(tot.calls) : json_null());
  json_object_set_new(o, "total_ms", tot.n ? jx_real_or_null(tot.total_ms) : json_null());
  json_object_set_new(o, "statements", stmts);
  stmts = NULL;
  json_object_set_new(o, "slow", slow);
  slow = NULL;
  json_object_set_new(o, "query_p95_below_ms", p95);
  p95 = NULL;
  json_object_set_new(o, "caches", caches);
  caches = NULL;
  json_object_set_new(o, "caches_overall", overall);
  overall = NULL;
  json_object_set_new(o, "log", logj);
  logj = NULL;
  json_object_set_new(o, "activity", activity_json(st, run->id, db));
  json_object_set_new(o, "database_stats", database_stats_json(st, run->id, db));
  json_object_set_new(o, "tables", tables_json(st, run->id));
  json_object_set_new(o, "pool", pool ? pool : json_null());
  pool = NULL;
  *out = o;
  o = NULL;
  rc = 0;
out:
  json_decref(o);
  json_decref(stmts);
  json_decref(slow);
  json_decref(p95);
  json_decref(logj);
  json_decref(pool);
  json_decref(caches);
  json_decref(overall);
  free(db);
  series_set_release(&ss);
  return rc;
}

/* Text: control characters never pass (esc_term); long SQL is cut. */
static void put_sql(FILE *f, const char *q, size_t max) {
  struct strbuf sb = STRBUF_INIT;
  esc_term(&sb, q);
  if (sb.len > max) {
    size_t n = max;
    while (n > 0 && ((unsigned char)sb.buf[n] & 0xc0) == 0x80)
      n--;
    sb.buf[n] = 0;
    fputs(sb.buf, f);
    fputs("...", f);
  } else {
    fputs(sb.buf, f);
  }
  strbuf_release(&sb);
}

static void fmt_ratio(char *b, size_t n, json_t *v) {
  if (json_is_number(v))
    snprintf(b, n, "%.1f %%", 100 * json_number_value(v));
  else
    snprintf(b, n, "n/a");
}

void db_evidence_print_text(json_t *db, FILE *f) {
  if (!json_is_object(db))
    return;
  fputs("\ndatabase", f);
  if (*jx_str(db, "datname")) {
    fputs(" ", f);
    put_sql(f, jx_str(db, "datname"), 60);
  }
  if (*jx_str(db, "source"))
    fprintf(f, " (statements from %s)", jx_str(db, "source"));
  fputc('\n', f);
  json_t *stmts = json_object_get(db, "statements");
  if (json_array_size(stmts)) {
    fprintf(f, "  %8s %12s %9s %9s %6s  %s\n", "calls", "total ms", "mean ms", "max ms", "share", "statement");
    size_t i;
    json_t *s;
    json_array_foreach(stmts, i, s) {
      if (i >= 5)
        break;
      double sh = jx_num(s, "share_of_db_time");
      char share[16];
      if (isfinite(sh))
        snprintf(share, sizeof share, "%.0f%%", 100 * sh);
      else
        snprintf(share, sizeof share, "-");
      fprintf(f, "  %8.0f %12.1f %9.2f %9.1f %6s  ", jx_num(s, "calls"), jx_num(s, "total_ms"), jx_num(s, "mean_ms"),
              jx_num(s, "max_ms"), share);
      put_sql(f, jx_str(s, "query"), 90);
      fputc('\n', f);
    }
  }
  json_t *slow = json_object_get(db, "slow");
  if (isfinite(jx_num(slow, "count")))
    fprintf(f, "  slow statements (> %g ms%s): %.0f\n", jx_num(slow, "threshold_ms"),
            !strcmp(jx_str(slow, "basis"), "log") ? " in the log" : ", by max_exec_time", jx_num(slow, "count"));
  else
    fprintf(f, "  slow statements (> %g ms): unknown (no server log)\n", jx_num(slow, "threshold_ms"));
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(slow, "by_statement"), i, s) {
    if (i >= 5)
      break;
    fprintf(f, "    %6.0f x  max %8.1f ms  ", jx_num(s, "count"), jx_num(s, "max_ms"));
    put_sql(f, jx_str(s, "query"), 90);
    fputc('\n', f);
  }
  json_t *p = json_object_get(db, "query_p95_below_ms");
  fprintf(f, "  query p95 < %g ms: %s (", jx_num(p, "threshold_ms"),
          !json_is_true(json_object_get(p, "decided")) ? "undecided"
          : json_is_true(json_object_get(p, "below"))  ? "yes"
                                                       : "no");
  put_sql(f, jx_str(p, "reason"), 400);
  fputs(")\n", f);
  json_t *caches = json_object_get(db, "caches");
  json_array_foreach(caches, i, s) {
    char r[32];
    fmt_ratio(r, sizeof r, json_object_get(s, "hit_ratio"));
    fputs("  cache ", f);
    put_sql(f, jx_str(s, "name"), 60);
    fprintf(f, ": hit ratio %s", r);
    if (isfinite(jx_num(s, "hits")))
      fprintf(f, " (%.0f hits, %.0f misses)", jx_num(s, "hits"), jx_num(s, "misses"));
    fputc('\n', f);
  }
  json_t *pool = json_object_get(db, "pool");
  if (json_is_object(pool)) {
    fprintf(f, "  connection pool: %s: ", jx_str(pool, "verdict"));
    put_sql(f, jx_str(pool, "reason"), 400);
    fputc('\n', f);
  }
}

static void md_sql(struct strbuf *out, const char *q, size_t max) {
  struct strbuf cut = STRBUF_INIT;
  size_t n = strlen(q);
  if (n > max) {
    while (max > 0 && ((unsigned char)q[max] & 0xc0) == 0x80)
      max--;
    strbuf_add(&cut, q, max);
    strbuf_addstr(&cut, "...");
  } else {
    strbuf_addstr(&cut, q);
  }
  esc_md_code(out, cut.buf);
  strbuf_release(&cut);
}

void db_evidence_render_md(json_t *db, struct strbuf *out) {
  if (!json_is_object(db))
    return;
  strbuf_addstr(out, "\n### Database\n\n");
  json_t *stmts = json_object_get(db, "statements");
  if (json_array_size(stmts)) {
    strbuf_addstr(out, "| calls | total ms | mean ms | max ms | share | statement |\n"
                       "|---:|---:|---:|---:|---:|---|\n");
    size_t i;
    json_t *s;
    json_array_foreach(stmts, i, s) {
      if (i >= 5)
        break;
      double sh = jx_num(s, "share_of_db_time");
      strbuf_addf(out, "| %.0f | %.1f | %.2f | %.1f | ", jx_num(s, "calls"), jx_num(s, "total_ms"),
                  jx_num(s, "mean_ms"), jx_num(s, "max_ms"));
      if (isfinite(sh))
        strbuf_addf(out, "%.1f %%", 100 * sh);
      else
        strbuf_addstr(out, "-");
      strbuf_addstr(out, " | ");
      md_sql(out, jx_str(s, "query"), 120);
      strbuf_addstr(out, " |\n");
    }
  }
  json_t *slow = json_object_get(db, "slow");
  if (isfinite(jx_num(slow, "count")))
    strbuf_addf(out, "\nSlow statements (over %g ms%s): %.0f\n", jx_num(slow, "threshold_ms"),
                !strcmp(jx_str(slow, "basis"), "log") ? " in the server log" : ", by max_exec_time",
                jx_num(slow, "count"));
  else
    strbuf_addf(out, "\nSlow statements (over %g ms): unknown (no server log)\n", jx_num(slow, "threshold_ms"));
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(slow, "by_statement"), i, s) {
    if (i >= 5)
      break;
    strbuf_addf(out, "- %.0f x, max %.1f ms: ", jx_num(s, "count"), jx_num(s, "max_ms"));
    md_sql(out, jx_str(s, "query"), 120);
    strbuf_addstr(out, "\n");
  }
  json_t *p = json_object_get(db, "query_p95_below_ms");
  strbuf_addf(out, "\nQuery p95 < %g ms: **%s**. ", jx_num(p, "threshold_ms"),
              !json_is_true(json_object_get(p, "decided")) ? "undecided"
              : json_is_true(json_object_get(p, "below"))  ? "yes"
                                                           : "no");
  esc_md(out, jx_str(p, "reason"));
  strbuf_addstr(out, "\n");
  json_t *caches = json_object_get(db, "caches");
  if (json_array_size(caches)) {
    strbuf_addstr(out, "\n| cache | hits | misses | hit ratio |\n|---|---:|---:|---:|\n");
    json_array_foreach(caches, i, s) {
      char r[32];
      fmt_ratio(r, sizeof r, json_object_get(s, "hit_ratio"));
      strbuf_addstr(out, "| ");
      esc_md(out, jx_str(s, "name"));
      if (isfinite(jx_num(s, "hits")))
        strbuf_addf(out, " | %.0f | %.0f | %s |\n", jx_num(s, "hits"), jx_num(s, "misses"), r);
      else
        strbuf_addf(out, " | - | - | %s |\n", r);
    }
  }
  json_t *pool = json_object_get(db, "pool");
  if (json_is_object(pool)) {
    strbuf_addstr(out, "\nConnection pool: **");
    esc_md(out, jx_str(pool, "verdict"));
    strbuf_addstr(out, "**: ");
    esc_md(out, jx_str(pool, "reason"));
    strbuf_addstr(out, "\n");
  }
}

/* ----------------------------------------------------------- bottleneck */

static double pearson(const double *a, const double *b, size_t n) {
  if (n < 3)
    return NAN;
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; i++)
    ma += a[i], mb += b[i];
  ma /= (double)n;
  mb /= (double)n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

/* VUs at time t (seconds from the start): the run bucket's vus. */
static double vus_at(struct store *st, const struct run_info *run, double t) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT max(vus) FROM buckets WHERE run_id = ? AND endpoint_id IS NULL AND t >= ? "
                                  "AND t < ?",
                                  NULL);
  if (!s)
    return NAN;
  sqlite3_bind_int64(s, 1, run->id);
  sqlite3_bind_double(s, 2, floor(t));
  sqlite3_bind_double(s, 3, floor(t) + WINDOW_S);
  double v = NAN;
  if (sqlite3_step(s) == SQLITE_ROW)
    v = store_col_double(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* The endpoint whose successful requests a statement's calls are a whole
 * multiple of (within 1 %): the statement runs k times per request. */
static void statement_endpoint(struct store *st, const struct run_info *run, double calls, json_t *o) {
  sqlite3_stmt *s = store_prepare(st, "SELECT method, name, ok_count FROM endpoints WHERE run_id = ? ORDER BY id", NULL);
  if (!s)
    return;
  sqlite3_bind_int64(s, 1, run->id);
  char *best = NULL;
  double best_k = 0, best_err = 1, best_ok = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    double ok = sqlite3_column_double(s, 2);
    if (ok < 10 || !(calls > 0))
      continue;
    double k = round(calls / ok);
    if (k < 1 || k > 1000)
      continue;
    double e = fabs(calls - k * ok) / calls;
    if (e < 0.01 && (!best || k < best_k || (k == best_k && e < best_err))) {
      free(best);
      best = endpoint_label(store_col_text(s, 0), store_col_text(s, 1));
      best_k = k;
      best_err = e;
      best_ok = ok;
    }
  }
  sqlite3_finalize(s);
  json_object_set_new(o, "endpoint", best ? json_string(best) : json_null());
  json_object_set_new(o, "calls_per_request", best ? whole(best_k) : json_null());
  json_object_set_new(o, "endpoint_ok_requests", best ? whole(best_ok) : json_null());
  free(best);
}

/* Logged durations of one statement per window against the VUs. */
static void statement_load(struct store *st, const struct run_info *run, sqlite3_stmt *row, json_t *o) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT CAST((ts - ?2) / ?3 AS INTEGER) AS w, avg(duration_ms), count(*) "
                                  "FROM db_log_entries WHERE run_id = ?1 AND kind = 'statement' AND "
                                  "(queryid = ?4 OR (queryid IS NULL AND norm = ?5)) AND ts >= ?2 GROUP BY w ORDER BY w",
                                  NULL);
  if (!s)
    return;
  sqlite3_bind_int64(s, 1, run->id);
  sqlite3_bind_double(s, 2, run->start_ts);
  sqlite3_bind_double(s, 3, WINDOW_S);
  if (sqlite3_column_type(row, 1) != SQLITE_NULL)
    sqlite3_bind_int64(s, 4, sqlite3_column_int64(row, 1));
  sqlite3_bind_text(s, 5, store_col_text(row, 2), -1, SQLITE_TRANSIENT);
  double *d = NULL, *v = NULL;
  size_t n = 0, cd = 0, cv = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (sqlite3_column_int(s, 2) < 3)
      continue;
    double vu = vus_at(st, run, sqlite3_column_double(s, 0) * WINDOW_S);
    if (!isfinite(vu))
      continue;
    XGROW(d, cd, n + 1);
    XGROW(v, cv, n + 1);
    d[n] = sqlite3_column_double(s, 1);
    v[n] = vu;
    n++;
  }
  sqlite3_finalize(s);
  double r = n >= 4 ? pearson(v, d, n) : NAN;
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
  if (load_series(st, run->id, &ss, err) < 0) {
    json_decref(db);
    return -1;
  }
  struct series *p[P_N];
  find_pool_series(&ss, p);
  for (int k = 0; k < P_N; k++)
    if (p[k] && load_samples(st, p[k], err) < 0) {
      series_set_release(&ss);
      json_decref(db);
      return -1;
    }
  json_t *o = json_object(), *pool = json_object();
  json_object_set_new(o, "resource", json_string("database"));
  double size = series_max(p[P_SIZE], -INFINITY, INFINITY);
  if (isnan(size))
    size = series_max(p[P_INUSE], -INFINITY, INFINITY);
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
  json_object_set_new(pool, "in_use_max", whole(series_max(p[P_INUSE], t0, t1)));
  json_object_set_new(pool, "waiting_max", whole(series_max(p[P_WAITING], t0, t1)));
  double wmax = series_max(p[P_WAIT], t0, t1);
  json_object_set_new(pool, "mean_wait_ms_max", jx_real_or_null(rnd(wmax * 1000, 0.1)));
  json_object_set_new(pool, "timeouts",
                      jx_real_or_null(p[P_TIMEOUTS] ? rnd(series_amount(p[P_TIMEOUTS], 0, -INFINITY, INFINITY), 0.01)
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
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT query, queryid, norm, calls, total_ms, mean_ms FROM db_statements WHERE "
                                  "run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1) "
                                  "ORDER BY total_ms DESC LIMIT 5",
                                  err);
  if (!s) {
    series_set_release(&ss);
    json_decref(db);
    json_decref(o);
    return -1;
  }
  sqlite3_bind_int64(s, 1, run->id);
  sqlite3_bind_text(s, 2, dbname, -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s) == SQLITE_ROW) {
    double share = total > 0 ? sqlite3_column_double(s, 4) / total : NAN;
    if (json_array_size(stmts) && share < 0.05)
      break;
    json_t *r = json_object();
    json_object_set_new(r, "query", json_string(store_col_text(s, 0)));
    json_object_set_new(r, "queryid", queryid_json(s, 1));
    json_object_set_new(r, "calls", whole(sqlite3_column_double(s, 3)));
    json_object_set_new(r, "share_of_db_time", jx_real_or_null(rnd(share, 1e-4)));
    json_object_set_new(r, "mean_ms", jx_real_or_null(rnd(sqlite3_column_double(s, 5), 0.01)));
    statement_endpoint(st, run, sqlite3_column_double(s, 3), r);
    statement_load(st, run, s, r);
    json_array_append_new(stmts, r);
  }
  sqlite3_finalize(s);
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
                size, sat, vus_at(st, run, sat), series_max(p[P_WAITING], t0, t1), wmax);
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
  series_set_release(&ss);
  json_decref(db);
  *out = o;
  return 0;
}

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
  if (app_database(st, run_id, &c->db, err) < 0)
    return -1;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT query, queryid, norm, calls, total_ms, mean_ms, stddev_ms FROM db_statements "
                                  "WHERE run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1)",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, c->db ? c->db : "", -1, SQLITE_TRANSIENT);
  size_t cap = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    XGROW(c->s, cap, c->n + 1);
    struct cstmt *x = &c->s[c->n++];
    memset(x, 0, sizeof *x);
    x->query = xstrdup(store_col_text(s, 0));
    x->has_qid = sqlite3_column_type(s, 1) != SQLITE_NULL;
    x->qid = sqlite3_column_int64(s, 1);
    x->key = xstrdup(store_col_text(s, 2)); /* joined by normalised text: query ids differ across servers */
    x->calls = sqlite3_column_double(s, 3);
    x->total = sqlite3_column_double(s, 4);
    x->mean = store_col_double(s, 5);
    x->sd = store_col_double(s, 6);
    c->total += x->total;
  }
  sqlite3_finalize(s);
  /* successful requests: failed ones (timeouts, 503s) run fewer statements */
  s = store_prepare(st,
                    "SELECT r.count - coalesce((SELECT f.passes FROM metrics f WHERE f.run_id = r.run_id AND "
                    "f.name = 'http_req_failed'), 0) FROM metrics r WHERE r.run_id = ? AND r.name = 'http_reqs'",
                    err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  c->requests = sqlite3_step(s) == SQLITE_ROW ? store_col_double(s, 0) : NAN;
  sqlite3_finalize(s);
  return 0;
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
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT norm, count(*), max(duration_ms) FROM db_log_entries WHERE run_id = ? AND "
                                  "kind = 'statement' AND duration_ms > ? GROUP BY norm",
                                  NULL);
  if (!s)
    return o;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_double(s, 2, slow_ms);
  while (sqlite3_step(s) == SQLITE_ROW)
    json_object_set_new(o, store_col_text(s, 0),
                        json_pack("[I, f]", (json_int_t)sqlite3_column_int64(s, 1), sqlite3_column_double(s, 2)));
  sqlite3_finalize(s);
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
          snprintf(text, sizeof text, "new statement: %.0f calls, %.1f ms in total (%.1f %% of database time)",
                   y->calls, y->total, 100 * share_c);
          add_finding(arr, "new_statement", y->query, NULL, y, b.requests, c.requests, NAN, 1, text);
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
      if (load_series(st, base_id, &s1, &err) == 0) {
        if (load_series(st, cand_id, &s2, &err) == 0) {
          if (caches_json(st, &rb, &s1, &c1, &o1, &err) == 0 && caches_json(st, &rc, &s2, &c2, &o2, &err) == 0) {
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
          series_set_release(&s2);
        }
        series_set_release(&s1);
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
