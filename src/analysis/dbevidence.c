/* dbevidence.c - show's "database" object: statements, slow statements,
 * the query p95 decision, snapshots and the log (analysis/dbevidence.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "analysis/dbevidence_int.h"
#include "store/store.h"
#include "store/store_db.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

/* ------------------------------------------------------------- helpers */

/* The application database: the datname with the most statement time in
 * pg_stat_statements, else the one with the most logged statements. */
int db_app_database(struct store *st, int64_t run_id, char **out, struct err *err) {
  return store_db_app_database(st, run_id, out, err);
}

/* A setting from the snapshot 'settings' (meta.json) or a pg_settings export. */
double db_setting_ms(struct store *st, int64_t run_id, const char *name) {
  char **rows;
  size_t n;
  double v = NAN;
  if (store_db_settings_data(st, run_id, &rows, &n, NULL) < 0)
    return v;
  for (size_t i = 0; i < n && isnan(v); i++) {
    json_error_t je;
    json_t *o = json_loads(rows[i], 0, &je);
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
  store_db_texts_free(rows, n);
  return v;
}
/* ----------------------------------------------------------- statements */

struct stmt_totals {
  double calls, total_ms, max_ms;
  int n;
};

static int statement_totals(struct store *st, int64_t run_id, const char *db, struct stmt_totals *t,
                            struct err *err) {
  struct store_db_totals x;
  int rc = store_db_stmt_totals(st, run_id, db ? db : "", &x, err);
  t->n = x.n;
  t->calls = x.calls;
  t->total_ms = x.total_ms;
  t->max_ms = x.max_ms;
  return rc;
}

/* A statement's query, id, calls, times, rows and blocks; from the log
 * alone (log): calls are its logged count, rows and blocks unknown (null). */
static json_t *statement_row(const struct store_db_statement *x, int log) {
  json_t *o = json_object();
  json_object_set_new(o, "query", json_string(x->query));
  json_object_set_new(o, "queryid", db_queryid_json(x->has_queryid, x->queryid));
  json_object_set_new(o, "calls", log ? json_integer(x->count) : whole(x->calls));
  json_object_set_new(o, "total_ms", jx_real_or_null(x->total_ms));
  json_object_set_new(o, "mean_ms", jx_real_or_null(x->mean_ms));
  json_object_set_new(o, "max_ms", jx_real_or_null(x->max_ms));
  json_object_set_new(o, "rows", log ? json_null() : whole(x->rows));
  json_object_set_new(o, "shared_blks_hit", log ? json_null() : whole(x->shared_blks_hit));
  json_object_set_new(o, "shared_blks_read", log ? json_null() : whole(x->shared_blks_read));
  return o;
}

static int statements_json(struct store *st, int64_t run_id, const char *db, const struct stmt_totals *tot,
                           int limit, json_t *arr, struct err *err) {
  struct store_db_statement *r;
  size_t n;
  if (store_db_statements_by_time(st, run_id, db ? db : "", limit, &r, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    const struct store_db_statement *x = &r[i];
    json_t *o = statement_row(x, 0);
    json_object_set_new(o, "share_of_db_time",
                        jx_real_or_null(tot->total_ms > 0 ? rnd(x->total_ms / tot->total_ms, 1e-6) : NAN));
    json_object_set_new(o, "logged", json_integer(x->logged));
    json_array_append_new(arr, o);
  }
  store_db_statements_free(r, n);
  return 0;
}

/* Statements from the log alone (no pg_stat_statements export). */
static int log_statements_json(struct store *st, int64_t run_id, const char *db, int limit, json_t *arr,
                               double *total, struct err *err) {
  struct store_db_statement *r;
  size_t n;
  if (store_db_log_statements(st, run_id, db ? db : "", limit, &r, &n, err) < 0)
    return -1;
  json_t *rows = json_array();
  *total = 0;
  for (size_t k = 0; k < n; k++) {
    const struct store_db_statement *x = &r[k];
    json_t *o = statement_row(x, 1);
    json_object_set_new(o, "logged", json_integer(x->logged));
    *total += x->total_ms;
    json_array_append_new(rows, o);
  }
  store_db_statements_free(r, n);
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
  struct store_db_slow_stmt *r;
  size_t n;
  if (store_db_slow_statements(st, run_id, slow_ms, &r, &n, err) < 0) {
    json_decref(o);
    json_decref(by);
    return -1;
  }
  long total = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *x = json_object();
    json_object_set_new(x, "query", json_string(r[i].query));
    json_object_set_new(x, "queryid", db_queryid_json(r[i].has_queryid, r[i].queryid));
    json_object_set_new(x, "database", json_string(r[i].database));
    json_object_set_new(x, "count", json_integer(r[i].count));
    json_object_set_new(x, "max_ms", jx_real_or_null(r[i].max_ms));
    json_object_set_new(x, "first", iso_or_null(r[i].first_ts));
    json_object_set_new(x, "last", iso_or_null(r[i].last_ts));
    total += (long)r[i].count;
    json_array_append_new(by, x);
  }
  store_db_slow_statements_free(r, n);
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
  return store_db_log_counts(st, run_id, db ? db : "", x, n_log, n_above, min_logged, err);
}

static int has_log(struct store *st, int64_t run_id, int *yes, struct err *err) {
  return store_db_has_log(st, run_id, yes, err);
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
  double lmd = db_setting_ms(st, run_id, "log_min_duration_statement");
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
/* ------------------------------------------------------------ snapshots */

static json_t *snapshot_rows(struct store *st, int64_t run_id, const char *view) {
  json_t *arr = json_array();
  struct store_db_snapshot *r;
  size_t n;
  if (store_db_snapshots_of(st, run_id, view, &r, &n, NULL) < 0)
    return arr;
  for (size_t i = 0; i < n; i++) {
    json_error_t je;
    json_t *o = json_loads(r[i].data, 0, &je);
    if (!o)
      continue;
    json_object_set_new(o, "_snap", json_integer(r[i].snap));
    json_array_append_new(arr, o);
  }
  store_db_snapshots_free(r, n);
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

json_t *db_activity_json(struct store *st, int64_t run_id, const char *db) {
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
  struct store_db_kind_count *r;
  size_t nr;
  if (store_db_log_kinds(st, run_id, &r, &nr, err) < 0)
    return -1;
  json_t *o = json_object(), *ev = json_object();
  json_int_t stmts = 0, plans = 0;
  for (size_t i = 0; i < nr; i++) {
    const char *k = r[i].kind;
    json_int_t n = r[i].n;
    if (!strcmp(k, "statement"))
      stmts = n;
    else if (!strcmp(k, "plan"))
      plans = n;
    else
      json_object_set_new(ev, k, json_integer(n));
  }
  store_db_kind_counts_free(r, nr);
  json_object_set_new(o, "statements", json_integer(stmts));
  json_object_set_new(o, "plans", json_integer(plans));
  json_object_set_new(o, "events", ev);
  json_object_set_new(o, "log_min_duration_statement_ms",
                      jx_real_or_null(db_setting_ms(st, run_id, "log_min_duration_statement")));
  *out = o;
  return 0;
}
/* ----------------------------------------------------------------- show */

int db_evidence_json(struct store *st, const struct run_info *run, double slow_ms, json_t **out, struct err *err) {
  *out = NULL;
  int has = 0;
  if (store_db_show_evidence(st, run->id, &has, err) < 0)
    return -1;
  struct series_set ss;
  if (db_load_series(st, run->id, &ss, err) < 0)
    return -1;
  json_t *caches = NULL, *overall = NULL;
  if (db_caches_json(st, run, &ss, &caches, &overall, err) < 0) {
    db_series_set_release(&ss);
    return -1;
  }
  struct series *p[P_N];
  db_find_pool_series(&ss, p);
  if (!has && !json_array_size(caches) && !p[P_INUSE]) {
    json_decref(caches);
    json_decref(overall);
    db_series_set_release(&ss);
    return 0;
  }
  json_t *o = json_object();
  char *db = NULL;
  struct stmt_totals tot;
  json_t *stmts = json_array(), *slow = NULL, *p95 = NULL, *logj = NULL, *pool = NULL;
  int rc = -1;
  if (db_app_database(st, run->id, &db, err) < 0 || statement_totals(st, run->id, db, &tot, err) < 0)
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
    if (db_pool_json(st, run, &ss, &pool, err) < 0)
      goto out;
  }
  json_object_set_new(o, "datname", db ? json_string(db) : json_null());
  json_object_set_new(o, "source", source ? json_string(source) : json_null());
  json_object_set_new(o, "total_calls", tot.n ? whole(tot.calls) : json_null());
  json_object_set_new(o, "total_ms", tot.n ? jx_real_or_null(tot.total_ms) : json_null());
  json_object_set(o, "statements", stmts);
  json_object_set(o, "slow", slow);
  json_object_set(o, "query_p95_below_ms", p95);
  json_object_set(o, "caches", caches);
  json_object_set(o, "caches_overall", overall);
  json_object_set(o, "log", logj);
  json_object_set_new(o, "activity", db_activity_json(st, run->id, db));
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
  db_series_set_release(&ss);
  return rc;
}
