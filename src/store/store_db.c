/* store_db.c - writes parsed PostgreSQL evidence into the v3 tables. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/pglog.h"
#include "ingest/reader.h"
#include "store/store.h"
#include "store/store_db.h"
#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

#define MESSAGE_MAX 1000

struct db_writer {
  struct store *st;
  int64_t run_id;
  int snap;
  sqlite3_stmt *ins_entry, *ins_stmt, *ins_snap;
  long n;
};

static void bind_num(sqlite3_stmt *s, int i, double v) {
  if (isfinite(v))
    sqlite3_bind_double(s, i, v);
  else
    sqlite3_bind_null(s, i);
}

static void bind_int(sqlite3_stmt *s, int i, double v) {
  if (isfinite(v) && fabs(v) < 9e18)
    sqlite3_bind_int64(s, i, (sqlite3_int64)llround(v));
  else
    sqlite3_bind_null(s, i);
}

static int w_entry(void *ctx, const struct pg_log_entry *e, struct err *err) {
  struct db_writer *w = ctx;
  sqlite3_stmt *s = w->ins_entry;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  sqlite3_bind_int64(s, 1, w->run_id);
  sqlite3_bind_double(s, 2, e->ts);
  if (e->pid)
    sqlite3_bind_int64(s, 3, e->pid);
  sqlite3_bind_text(s, 4, e->database, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 5, e->user, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 6, e->app, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 7, e->severity, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 8, e->sqlstate, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 9, pg_entry_kind_name(e->kind), -1, SQLITE_STATIC);
  bind_num(s, 10, e->duration_ms);
  char *norm = NULL;
  if (e->kind == PGE_STATEMENT) {
    sqlite3_bind_text(s, 11, e->query, -1, SQLITE_TRANSIENT);
    norm = pg_normalise(e->query, strlen(e->query));
    sqlite3_bind_text(s, 12, norm, -1, SQLITE_TRANSIENT);
  }
  if (e->has_queryid)
    sqlite3_bind_int64(s, 13, e->queryid);
  size_t ml = strlen(e->message);
  if (e->kind == PGE_STATEMENT)
    ml = 0; /* its text is in query */
  if (ml > MESSAGE_MAX) {
    ml = MESSAGE_MAX;
    while (ml > 0 && ((unsigned char)e->message[ml] & 0xc0) == 0x80) /* whole UTF-8 sequences */
      ml--;
  }
  sqlite3_bind_text(s, 14, e->message, (int)ml, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  free(norm);
  if (rc != SQLITE_DONE)
    return store_fail(w->st, err, "cannot insert a database log entry");
  w->n++;
  return 0;
}

static int w_stmt(void *ctx, const struct pg_stmt_row *r, struct err *err) {
  struct db_writer *w = ctx;
  sqlite3_stmt *s = w->ins_stmt;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  sqlite3_bind_int64(s, 1, w->run_id);
  sqlite3_bind_text(s, 2, r->datname, -1, SQLITE_TRANSIENT);
  if (r->has_queryid)
    sqlite3_bind_int64(s, 3, r->queryid);
  if (r->toplevel >= 0)
    sqlite3_bind_int(s, 4, r->toplevel);
  sqlite3_bind_text(s, 5, r->query, -1, SQLITE_TRANSIENT);
  char *norm = pg_normalise(r->query, strlen(r->query));
  sqlite3_bind_text(s, 6, norm, -1, SQLITE_TRANSIENT);
  bind_int(s, 7, r->calls);
  sqlite3_bind_double(s, 8, r->total_ms);
  bind_num(s, 9, isfinite(r->mean_ms) ? r->mean_ms : (r->calls > 0 ? r->total_ms / r->calls : NAN));
  bind_num(s, 10, r->min_ms);
  bind_num(s, 11, r->max_ms);
  bind_num(s, 12, r->stddev_ms);
  bind_int(s, 13, r->rows);
  bind_int(s, 14, r->shared_blks_hit);
  bind_int(s, 15, r->shared_blks_read);
  bind_int(s, 16, r->temp_blks_written);
  int rc = sqlite3_step(s);
  free(norm);
  if (rc != SQLITE_DONE)
    return store_fail(w->st, err, "cannot insert a pg_stat_statements row");
  w->n++;
  return 0;
}

static int w_snap(void *ctx, const char *view, long line, char **names, char **values, size_t ncol,
                  struct err *err) {
  (void)line;
  struct db_writer *w = ctx;
  json_t *o = json_object();
  if (!strcmp(view, "pg_settings")) { /* one setting per row: {name: "setting unit"} */
    const char *name = NULL, *setting = NULL, *unit = "";
    for (size_t i = 0; i < ncol; i++) {
      if (!strcmp(names[i], "name"))
        name = values[i];
      else if (!strcmp(names[i], "setting"))
        setting = values[i];
      else if (!strcmp(names[i], "unit"))
        unit = values[i];
    }
    if (name && setting) {
      json_t *v = *unit ? json_sprintf("%s %s", setting, unit) : json_string(setting);
      if (v)
        json_object_set_new(o, name, v);
    }
    view = "settings";
  }
  for (size_t i = 0; i < ncol && strcmp(view, "settings"); i++) {
    json_t *v = json_string(values[i]);
    if (!v) /* not UTF-8: keep it out rather than fail the ingest */
      v = json_null();
    json_t *have = json_object_get(o, names[i]);
    if (!have)
      json_object_set_new(o, names[i], v);
    else
      json_decref(v);
  }
  char *txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(o);
  if (!txt)
    return err_set(err, LR_SOFTWARE, "cannot encode a %s row", view);
  sqlite3_stmt *s = w->ins_snap;
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, w->run_id);
  sqlite3_bind_text(s, 2, view, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 3, w->snap);
  sqlite3_bind_text(s, 4, txt, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  free(txt);
  if (rc != SQLITE_DONE)
    return store_fail(w->st, err, "cannot insert a snapshot row");
  w->n++;
  return 0;
}

int db_ingest_file(struct store *st, int64_t run_id, struct reader *r, enum pg_kind k, int snap, long *n_rows,
                   struct err *err) {
  struct db_writer w = {st, run_id, snap, NULL, NULL, NULL, 0};
  int rc = -1;
  w.ins_entry = store_prepare(st,
                              "INSERT INTO db_log_entries (run_id, ts, pid, database, username, app, severity, "
                              "sqlstate, kind, duration_ms, query, norm, queryid, message) "
                              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              err);
  w.ins_stmt = w.ins_entry ? store_prepare(st,
                                           "INSERT INTO db_statements (run_id, datname, queryid, toplevel, query, "
                                           "norm, calls, total_ms, mean_ms, min_ms, max_ms, stddev_ms, rows, "
                                           "shared_blks_hit, shared_blks_read, temp_blks_written) "
                                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                           err)
                           : NULL;
  w.ins_snap = w.ins_stmt ? store_prepare(st, "INSERT INTO db_snapshots (run_id, view, snap, data) VALUES (?,?,?,?)",
                                          err)
                          : NULL;
  if (w.ins_snap) {
    struct pg_sink sink = {&w, w_entry, w_stmt, w_snap};
    rc = pg_parse(r, k, &sink, err);
  }
  sqlite3_finalize(w.ins_entry);
  sqlite3_finalize(w.ins_stmt);
  sqlite3_finalize(w.ins_snap);
  if (n_rows)
    *n_rows = w.n;
  return rc;
}

int db_has_evidence(struct store *st, int64_t run_id, int *has, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT EXISTS (SELECT 1 FROM db_statements WHERE run_id = ?1) OR "
                                  "EXISTS (SELECT 1 FROM db_log_entries WHERE run_id = ?1) OR "
                                  "EXISTS (SELECT 1 FROM db_snapshots WHERE run_id = ?1)",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  *has = rc == SQLITE_ROW && sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot read database evidence");
}

int db_store_settings(struct store *st, int64_t run_id, json_t *settings, struct err *err) {
  if (!json_is_object(settings))
    return 0;
  json_t *o = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(settings, k, v) {
    if (json_is_string(v))
      json_object_set(o, k, v);
    else if (json_is_number(v))
      json_object_set_new(o, k, json_sprintf("%g", json_number_value(v)));
  }
  char *txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(o);
  if (!txt)
    return err_set(err, LR_SOFTWARE, "cannot encode the PostgreSQL settings");
  sqlite3_stmt *s = store_prepare(st, "INSERT INTO db_snapshots (run_id, view, snap, data) VALUES (?, 'settings', 0, ?)",
                                  err);
  if (!s) {
    free(txt);
    return -1;
  }
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, txt, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  free(txt);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot store the PostgreSQL settings");
}

static int stmt_stat_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_stmt_stat *x = item;
  x->query = xstrdup(store_col_text(q, 0));
  x->has_queryid = sqlite3_column_type(q, 1) != SQLITE_NULL;
  x->queryid = sqlite3_column_int64(q, 1);
  x->norm = xstrdup(store_col_text(q, 2));
  x->calls = sqlite3_column_double(q, 3);
  x->total_ms = sqlite3_column_double(q, 4);
  x->mean_ms = store_col_double(q, 5);
  x->stddev_ms = store_col_double(q, 6);
  return 0;
}

static void stmt_stats_release(void *r, size_t n) { store_db_stmt_stats_free(r, n); }

int store_db_toplevel_stmts(struct store *st, int64_t run_id, const char *datname, struct store_db_stmt_stat **out,
                            size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT query, queryid, norm, calls, total_ms, mean_ms, stddev_ms FROM db_statements "
                                  "WHERE run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1)",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run_id);
  sqlite3_bind_text(q, 2, datname, -1, SQLITE_TRANSIENT);
  return store_rows(st, q, sizeof **out, stmt_stat_row, stmt_stats_release, "cannot read pg_stat_statements",
                    (void **)out, n, err);
}

void store_db_stmt_stats_free(struct store_db_stmt_stat *r, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(r[i].query);
    free(r[i].norm);
  }
  free(r);
}

static int slow_norm_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_slow_norm *x = item;
  x->norm = xstrdup(store_col_text(q, 0));
  x->count = sqlite3_column_int64(q, 1);
  x->max_ms = sqlite3_column_double(q, 2);
  return 0;
}

static void slow_norms_release(void *r, size_t n) { store_db_slow_norms_free(r, n); }

int store_db_slow_norms(struct store *st, int64_t run_id, double slow_ms, struct store_db_slow_norm **out, size_t *n,
                        struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT norm, count(*), max(duration_ms) FROM db_log_entries WHERE run_id = ? AND "
                                  "kind = 'statement' AND duration_ms > ? GROUP BY norm",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run_id);
  sqlite3_bind_double(q, 2, slow_ms);
  return store_rows(st, q, sizeof **out, slow_norm_row, slow_norms_release, "cannot read the database log",
                    (void **)out, n, err);
}

void store_db_slow_norms_free(struct store_db_slow_norm *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(r[i].norm);
  free(r);
}

int store_db_top_stmts(struct store *st, int64_t run_id, const char *datname, int limit,
                       struct store_db_stmt_stat **out, size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT query, queryid, norm, calls, total_ms, mean_ms, NULL FROM db_statements WHERE "
                                  "run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1) "
                                  "ORDER BY total_ms DESC LIMIT ?",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run_id);
  sqlite3_bind_text(q, 2, datname, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(q, 3, limit);
  return store_rows(st, q, sizeof **out, stmt_stat_row, stmt_stats_release, "cannot read pg_stat_statements",
                    (void **)out, n, err);
}

static int window_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_window *x = item;
  x->w = sqlite3_column_int64(q, 0);
  x->mean_ms = sqlite3_column_double(q, 1);
  x->count = sqlite3_column_int(q, 2);
  return 0;
}

static void windows_release(void *r, size_t n) {
  (void)n;
  free(r);
}

int store_db_stmt_windows(struct store *st, int64_t run_id, double start_ts, double window_s, int has_queryid,
                          int64_t queryid, const char *norm, struct store_db_window **out, size_t *n,
                          struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT CAST((ts - ?2) / ?3 AS INTEGER) AS w, avg(duration_ms), count(*) "
                                  "FROM db_log_entries WHERE run_id = ?1 AND kind = 'statement' AND "
                                  "(queryid = ?4 OR (queryid IS NULL AND norm = ?5)) AND ts >= ?2 GROUP BY w ORDER BY w",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_double(s, 2, start_ts);
  sqlite3_bind_double(s, 3, window_s);
  if (has_queryid)
    sqlite3_bind_int64(s, 4, queryid);
  sqlite3_bind_text(s, 5, norm, -1, SQLITE_TRANSIENT);
  return store_rows(st, s, sizeof **out, window_row, windows_release, "cannot read the database log", (void **)out, n,
                    err);
}

int store_db_show_evidence(struct store *st, int64_t run_id, int *has, struct err *err) {
  *has = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT EXISTS (SELECT 1 FROM db_statements WHERE run_id = ?1) OR "
                                  "EXISTS (SELECT 1 FROM db_log_entries WHERE run_id = ?1) OR "
                                  "EXISTS (SELECT 1 FROM db_snapshots WHERE run_id = ?1 AND view <> 'settings') OR "
                                  "EXISTS (SELECT 1 FROM source_files WHERE run_id = ?1 AND kind LIKE 'pg-%')",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  if (sqlite3_step(s) == SQLITE_ROW)
    *has = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return 0;
}

/* The first column of the first row of sql (run_id bound) into *out. */
static int first_text(struct store *st, const char *sql, int64_t run_id, const char *what, char **out,
                      struct err *err) {
  sqlite3_stmt *s = store_prepare(st, sql, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = xstrdup(store_col_text(s, 0));
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(st, err, what);
  return 0;
}

int store_db_app_database(struct store *st, int64_t run_id, char **out, struct err *err) {
  *out = NULL;
  if (first_text(st,
                 "SELECT datname, sum(total_ms) AS t FROM db_statements WHERE run_id = ? "
                 "GROUP BY datname ORDER BY t DESC LIMIT 1",
                 run_id, "cannot read pg_stat_statements", out, err) < 0)
    return -1;
  if (*out)
    return 0;
  return first_text(st,
                    "SELECT database, count(*) AS n FROM db_log_entries WHERE run_id = ? AND kind = 'statement' "
                    "GROUP BY database ORDER BY n DESC LIMIT 1",
                    run_id, "cannot read the database log", out, err);
}

static int text_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  *(char **)item = xstrdup(store_col_text(q, 0));
  return 0;
}

static void texts_release(void *r, size_t n) { store_db_texts_free(r, n); }

int store_db_settings_data(struct store *st, int64_t run_id, char ***out, size_t *n, struct err *err) {
  return store_rows_of_id(st, "SELECT data FROM db_snapshots WHERE run_id = ? AND view = 'settings'", run_id,
                          sizeof **out, text_row, texts_release, "cannot read snapshots", (void **)out, n, err);
}

void store_db_texts_free(char **t, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(t[i]);
  free(t);
}

static int snapshot_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_snapshot *x = item;
  x->snap = sqlite3_column_int(q, 0);
  x->data = xstrdup(store_col_text(q, 1));
  return 0;
}

static void snapshots_release(void *r, size_t n) { store_db_snapshots_free(r, n); }

int store_db_snapshots_of(struct store *st, int64_t run_id, const char *view, struct store_db_snapshot **out,
                          size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st, "SELECT snap, data FROM db_snapshots WHERE run_id = ? AND view = ? ORDER BY "
                                      "snap, rowid",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, view, -1, SQLITE_TRANSIENT);
  return store_rows(st, s, sizeof **out, snapshot_row, snapshots_release, "cannot read snapshots", (void **)out, n,
                    err);
}

void store_db_snapshots_free(struct store_db_snapshot *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(r[i].data);
  free(r);
}

int store_db_stmt_totals(struct store *st, int64_t run_id, const char *datname, struct store_db_totals *t,
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
  sqlite3_bind_text(s, 2, datname, -1, SQLITE_TRANSIENT);
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

int store_db_log_counts(struct store *st, int64_t run_id, const char *datname, double x, long *n_log, long *n_above,
                        double *min_logged, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT count(*), sum(duration_ms > ?), min(duration_ms) FROM db_log_entries "
                                  "WHERE run_id = ? AND kind = 'statement' AND database = ?",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_double(s, 1, x);
  sqlite3_bind_int64(s, 2, run_id);
  sqlite3_bind_text(s, 3, datname, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *n_log = (long)sqlite3_column_int64(s, 0);
    *n_above = (long)sqlite3_column_int64(s, 1);
    *min_logged = store_col_double(s, 2);
  }
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot read the database log");
}

int store_db_has_log(struct store *st, int64_t run_id, int *yes, struct err *err) {
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

static int kind_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_kind_count *x = item;
  x->kind = xstrdup(store_col_text(q, 0));
  x->n = sqlite3_column_int64(q, 1);
  return 0;
}

static void kinds_release(void *r, size_t n) { store_db_kind_counts_free(r, n); }

int store_db_log_kinds(struct store *st, int64_t run_id, struct store_db_kind_count **out, size_t *n,
                       struct err *err) {
  return store_rows_of_id(st, "SELECT kind, count(*) FROM db_log_entries WHERE run_id = ? GROUP BY kind ORDER BY kind",
                          run_id, sizeof **out, kind_row, kinds_release, "cannot read the database log", (void **)out,
                          n, err);
}

void store_db_kind_counts_free(struct store_db_kind_count *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(r[i].kind);
  free(r);
}

static int statement_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_statement *x = item;
  x->query = xstrdup(store_col_text(q, 0));
  x->has_queryid = sqlite3_column_type(q, 1) != SQLITE_NULL;
  x->queryid = sqlite3_column_int64(q, 1);
  x->calls = store_col_double(q, 2);
  x->total_ms = store_col_double(q, 3);
  x->mean_ms = store_col_double(q, 4);
  x->max_ms = store_col_double(q, 5);
  x->rows = store_col_double(q, 6);
  x->shared_blks_hit = store_col_double(q, 7);
  x->shared_blks_read = store_col_double(q, 8);
  x->logged = sqlite3_column_int64(q, 9);
  x->count = x->logged;
  return 0;
}

static int log_statement_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_statement *x = item;
  x->query = xstrdup(store_col_text(q, 0));
  x->has_queryid = sqlite3_column_type(q, 1) != SQLITE_NULL;
  x->queryid = sqlite3_column_int64(q, 1);
  x->count = x->logged = sqlite3_column_int64(q, 2);
  x->calls = (double)x->count;
  x->total_ms = sqlite3_column_double(q, 3);
  x->mean_ms = sqlite3_column_double(q, 4);
  x->max_ms = sqlite3_column_double(q, 5);
  x->rows = x->shared_blks_hit = x->shared_blks_read = NAN;
  return 0;
}

static void statements_release(void *r, size_t n) { store_db_statements_free(r, n); }

static int statements_of(struct store *st, const char *sql, int64_t run_id, const char *datname, int limit,
                         store_row_fn row, const char *what, struct store_db_statement **out, size_t *n,
                         struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st, sql, err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, datname, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 3, limit);
  return store_rows(st, s, sizeof **out, row, statements_release, what, (void **)out, n, err);
}

int store_db_statements_by_time(struct store *st, int64_t run_id, const char *datname, int limit,
                                struct store_db_statement **out, size_t *n, struct err *err) {
  return statements_of(
      st,
      "SELECT d.query, d.queryid, d.calls, d.total_ms, d.mean_ms, d.max_ms, d.rows, d.shared_blks_hit, "
      "d.shared_blks_read, (SELECT count(*) FROM db_log_entries e WHERE e.run_id = d.run_id AND e.kind = 'statement' "
      "AND e.database = d.datname AND (e.queryid = d.queryid OR (e.queryid IS NULL AND e.norm = d.norm))) "
      "FROM db_statements d WHERE d.run_id = ? AND d.datname = ? AND (d.toplevel IS NULL OR d.toplevel = 1) "
      "ORDER BY d.total_ms DESC, d.calls DESC, d.query LIMIT ?",
      run_id, datname, limit, statement_row, "cannot read pg_stat_statements", out, n, err);
}

int store_db_log_statements(struct store *st, int64_t run_id, const char *datname, int limit,
                            struct store_db_statement **out, size_t *n, struct err *err) {
  return statements_of(st,
                       "SELECT norm, max(queryid), count(*), sum(duration_ms), avg(duration_ms), "
                       "max(duration_ms) FROM db_log_entries WHERE run_id = ? AND kind = 'statement' "
                       "AND database = ? GROUP BY coalesce(queryid, norm) ORDER BY 4 DESC, 1 LIMIT ?",
                       run_id, datname, limit, log_statement_row, "cannot read the database log", out, n, err);
}

void store_db_statements_free(struct store_db_statement *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(r[i].query);
  free(r);
}

static int slow_row(sqlite3_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_slow_stmt *x = item;
  x->query = xstrdup(store_col_text(q, 0));
  x->has_queryid = sqlite3_column_type(q, 1) != SQLITE_NULL;
  x->queryid = sqlite3_column_int64(q, 1);
  x->count = sqlite3_column_int64(q, 2);
  x->max_ms = sqlite3_column_double(q, 3);
  x->first_ts = sqlite3_column_double(q, 4);
  x->last_ts = sqlite3_column_double(q, 5);
  x->database = xstrdup(store_col_text(q, 6));
  return 0;
}

static void slow_release(void *r, size_t n) { store_db_slow_statements_free(r, n); }

int store_db_slow_statements(struct store *st, int64_t run_id, double slow_ms, struct store_db_slow_stmt **out,
                             size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT coalesce(min(norm), ''), qid, count(*), max(duration_ms), min(ts), max(ts), "
                                  "min(database) FROM (SELECT e.norm, e.duration_ms, e.ts, e.database, "
                                  "coalesce(e.queryid, (SELECT d.queryid FROM db_statements d WHERE d.run_id = e.run_id "
                                  "AND d.datname = e.database AND d.norm = e.norm AND d.queryid IS NOT NULL LIMIT 1)) AS qid "
                                  "FROM db_log_entries e WHERE e.run_id = ? AND e.kind = 'statement' AND e.duration_ms > ?) "
                                  "GROUP BY coalesce(qid, norm) ORDER BY 3 DESC, 4 DESC, 1",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_double(s, 2, slow_ms);
  return store_rows(st, s, sizeof **out, slow_row, slow_release, "cannot read the database log", (void **)out, n, err);
}

void store_db_slow_statements_free(struct store_db_slow_stmt *r, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(r[i].query);
    free(r[i].database);
  }
  free(r);
}
