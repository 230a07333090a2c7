/* store_db.c - writes parsed PostgreSQL evidence into the v3 tables. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/pglog.h"
#include "ingest/reader.h"
#include "store/sq.h"
#include "store/store.h"
#include "store/store_db.h"
#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

#define MESSAGE_MAX 1000

/* The tables a writer loads, each through one bulk load at a time. */
enum { DB_ENTRIES, DB_STATEMENTS, DB_SNAPSHOTS };
static const struct {
  const char *table, *columns, *fail;
} db_tables[] = {
    {"db_log_entries",
     "run_id, ts, pid, database, username, app, severity, sqlstate, kind, duration_ms, query, norm, queryid, message",
     "cannot insert a database log entry"},
    {"db_statements",
     "run_id, datname, queryid, toplevel, query, norm, calls, total_ms, mean_ms, min_ms, max_ms, stddev_ms, rows, "
     "shared_blks_hit, shared_blks_read, temp_blks_written",
     "cannot insert a pg_stat_statements row"},
    {"db_snapshots", "run_id, view, snap, data", "cannot insert a snapshot row"},
};

struct db_writer {
  struct store *st;
  int64_t run_id;
  int snap;
  struct sq_bulk *bulk; /* loading into db_tables[table] */
  int table;
  long n;
};

/* The writer's bulk load into table t (run_id already given), the one open
 * before it sent first; NULL with err filled. */
static struct sq_bulk *writer_row(struct db_writer *w, int t, struct err *err) {
  if (w->bulk && w->table != t) {
    int rc = sq_bulk_finish(w->bulk, err);
    w->bulk = NULL;
    if (rc < 0)
      return NULL;
  }
  if (!w->bulk && !(w->bulk = sq_bulk_begin(w->st, db_tables[t].table, db_tables[t].columns, err)))
    return NULL;
  w->table = t;
  sq_bulk_int64(w->bulk, w->run_id);
  return w->bulk;
}

/* Ends the row of writer_row() and counts it. */
static int writer_end_row(struct db_writer *w, struct err *err) {
  if (sq_bulk_end_row(w->bulk, err) < 0)
    return store_fail(w->st, err, db_tables[w->table].fail);
  w->n++;
  return 0;
}

static void bulk_num(struct sq_bulk *b, double v) { sq_bulk_double(b, isfinite(v) ? v : NAN); }

static void bulk_int(struct sq_bulk *b, double v) {
  int has = isfinite(v) && fabs(v) < 9e18;
  sq_bulk_int64_or_null(b, has, has ? (int64_t)llround(v) : 0);
}

static int w_entry(void *ctx, const struct pg_log_entry *e, struct err *err) {
  struct db_writer *w = ctx;
  struct sq_bulk *b = writer_row(w, DB_ENTRIES, err);
  if (!b)
    return -1;
  sq_bulk_double(b, e->ts);
  sq_bulk_int64_or_null(b, e->pid, e->pid);
  sq_bulk_text(b, e->database);
  sq_bulk_text(b, e->user);
  sq_bulk_text(b, e->app);
  sq_bulk_text(b, e->severity);
  sq_bulk_text(b, e->sqlstate);
  sq_bulk_text(b, pg_entry_kind_name(e->kind));
  bulk_num(b, e->duration_ms);
  char *norm = e->kind == PGE_STATEMENT ? pg_normalise(e->query, strlen(e->query)) : NULL;
  sq_bulk_text(b, e->kind == PGE_STATEMENT ? e->query : NULL);
  sq_bulk_text(b, norm);
  free(norm);
  sq_bulk_int64_or_null(b, e->has_queryid, e->queryid);
  size_t ml = strlen(e->message);
  if (e->kind == PGE_STATEMENT)
    ml = 0; /* its text is in query */
  if (ml > MESSAGE_MAX) {
    ml = MESSAGE_MAX;
    while (ml > 0 && ((unsigned char)e->message[ml] & 0xc0) == 0x80) /* whole UTF-8 sequences */
      ml--;
  }
  char *msg = xstrndup(e->message, ml);
  sq_bulk_text(b, msg);
  free(msg);
  return writer_end_row(w, err);
}

static int w_stmt(void *ctx, const struct pg_stmt_row *r, struct err *err) {
  struct db_writer *w = ctx;
  struct sq_bulk *b = writer_row(w, DB_STATEMENTS, err);
  if (!b)
    return -1;
  sq_bulk_text(b, r->datname);
  sq_bulk_int64_or_null(b, r->has_queryid, r->queryid);
  sq_bulk_int64_or_null(b, r->toplevel >= 0, r->toplevel);
  sq_bulk_text(b, r->query);
  char *norm = pg_normalise(r->query, strlen(r->query));
  sq_bulk_text(b, norm);
  free(norm);
  bulk_int(b, r->calls);
  sq_bulk_double(b, r->total_ms);
  bulk_num(b, isfinite(r->mean_ms) ? r->mean_ms : (r->calls > 0 ? r->total_ms / r->calls : NAN));
  bulk_num(b, r->min_ms);
  bulk_num(b, r->max_ms);
  bulk_num(b, r->stddev_ms);
  bulk_int(b, r->rows);
  bulk_int(b, r->shared_blks_hit);
  bulk_int(b, r->shared_blks_read);
  bulk_int(b, r->temp_blks_written);
  return writer_end_row(w, err);
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
  struct sq_bulk *b = writer_row(w, DB_SNAPSHOTS, err);
  if (!b) {
    free(txt);
    return -1;
  }
  sq_bulk_text(b, view);
  sq_bulk_int64(b, w->snap);
  sq_bulk_text(b, txt);
  free(txt);
  return writer_end_row(w, err);
}

int db_ingest_file(struct store *st, int64_t run_id, struct reader *r, enum pg_kind k, int snap, long *n_rows,
                   struct err *err) {
  struct db_writer w = {st, run_id, snap, NULL, 0, 0};
  struct pg_sink sink = {&w, w_entry, w_stmt, w_snap};
  int rc = pg_parse(r, k, &sink, err);
  if (rc == 0 && w.bulk)
    rc = sq_bulk_finish(w.bulk, err);
  else
    sq_bulk_abort(w.bulk);
  if (n_rows)
    *n_rows = w.n;
  return rc;
}

/* The 0/1 of an EXISTS query on run_id into *yes. */
static int exists_of(struct store *st, const char *sql, int64_t run_id, const char *what, int *yes,
                     struct err *err) {
  *yes = 0;
  return store_scan_first(st, sq_query(st, err, sql, "i", run_id), what, err, "I", yes);
}

int db_has_evidence(struct store *st, int64_t run_id, int *has, struct err *err) {
  return exists_of(st,
                   "SELECT EXISTS (SELECT 1 FROM db_statements WHERE run_id = ?1) OR "
                   "EXISTS (SELECT 1 FROM db_log_entries WHERE run_id = ?1) OR "
                   "EXISTS (SELECT 1 FROM db_snapshots WHERE run_id = ?1)",
                   run_id, "cannot read database evidence", has, err);
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
  int rc = sq_run(st, err, "cannot store the PostgreSQL settings",
                  "INSERT INTO db_snapshots (run_id, view, snap, data) VALUES (?, 'settings', 0, ?)", "is", run_id, txt);
  free(txt);
  return rc;
}

#define F(type, member) STORE_FIELD(type, struct store_db_stmt_stat, member)
/* calls and total_ms are NOT NULL. */
static const struct store_field stmt_stat_fields[] = {
    F(SF_STR, query),  F(SF_NOT_NULL, has_queryid), F(SF_I64, queryid),   F(SF_STR, norm),
    F(SF_DBL, calls),  F(SF_DBL, total_ms),         F(SF_DBL, mean_ms),   F(SF_DBL, stddev_ms)};
#undef F
static const struct store_shape stmt_stat_shape = STORE_SHAPE(struct store_db_stmt_stat, stmt_stat_fields);

/* Rows of sql (parameters run_id, datname, limit as fmt has them) of stmt_stat_shape. */
static int stmt_stats(struct store *st, const char *sql, const char *fmt, int64_t run_id, const char *datname,
                      int limit, struct store_db_stmt_stat **out, size_t *n, struct err *err) {
  return store_rows_map(st, sq_query(st, err, sql, fmt, run_id, datname, limit), &stmt_stat_shape,
                        "cannot read pg_stat_statements", (void **)out, n, err);
}

int store_db_toplevel_stmts(struct store *st, int64_t run_id, const char *datname, struct store_db_stmt_stat **out,
                            size_t *n, struct err *err) {
  return stmt_stats(st,
                    "SELECT query, queryid, norm, calls, total_ms, mean_ms, stddev_ms FROM db_statements "
                    "WHERE run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1) ORDER BY rowid",
                    "is", run_id, datname, 0, out, n, err);
}

int store_db_top_stmts(struct store *st, int64_t run_id, const char *datname, int limit,
                       struct store_db_stmt_stat **out, size_t *n, struct err *err) {
  return stmt_stats(st,
                    "SELECT query, queryid, norm, calls, total_ms, mean_ms, NULL FROM db_statements WHERE "
                    "run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1) ORDER BY total_ms DESC LIMIT ?",
                    "isI", run_id, datname, limit, out, n, err);
}

void store_db_stmt_stats_free(struct store_db_stmt_stat *r, size_t n) { store_rows_free(r, n, &stmt_stat_shape); }

#define F(type, member) STORE_FIELD(type, struct store_db_slow_norm, member)
/* max_ms is over slow_ms: not NULL. */
static const struct store_field slow_norm_fields[] = {F(SF_STR, norm), F(SF_I64, count), F(SF_DBL, max_ms)};
#undef F
static const struct store_shape slow_norm_shape = STORE_SHAPE(struct store_db_slow_norm, slow_norm_fields);

int store_db_slow_norms(struct store *st, int64_t run_id, double slow_ms, struct store_db_slow_norm **out, size_t *n,
                        struct err *err) {
  return store_rows_query(st, err, &slow_norm_shape, "cannot read the database log", (void **)out, n,
                          "SELECT norm, count(*), max(duration_ms) FROM db_log_entries WHERE run_id = ? AND "
                          "kind = 'statement' AND duration_ms > ? GROUP BY norm ORDER BY norm NULLS FIRST",
                          "id", run_id, slow_ms);
}

void store_db_slow_norms_free(struct store_db_slow_norm *r, size_t n) { store_rows_free(r, n, &slow_norm_shape); }

/* CAST(r AS INTEGER) as SQLite does it: towards zero, saturating. */
static int64_t trunc_i64(double r) {
  return r <= (double)INT64_MIN ? INT64_MIN : r >= (double)INT64_MAX ? INT64_MAX : (int64_t)r;
}

/* The windows are counted here, not in SQL: PostgreSQL's cast of a real to
 * an integer rounds. Rows come by time, so a window's rows are adjacent,
 * and the mean sums them in the order SQLite's avg() did. */
int store_db_stmt_windows(struct store *st, int64_t run_id, double start_ts, double window_s, int has_queryid,
                          int64_t queryid, const char *norm, struct store_db_window **out, size_t *n,
                          struct err *err) {
  *out = NULL;
  *n = 0;
  struct sq_stmt *q = sq_query(st, err,
                               "SELECT ts, duration_ms FROM db_log_entries WHERE run_id = ?1 AND kind = 'statement' "
                               "AND (queryid = ?4 OR (queryid IS NULL AND norm = ?3)) AND ts >= ?2 ORDER BY ts, rowid",
                               "ids", run_id, start_ts, norm);
  if (!q)
    return -1;
  if (has_queryid)
    sq_bind_int64(q, 4, queryid);
  size_t cap = 0;
  double sum = 0;
  long n_ms = 0; /* durations in sum (avg() leaves out NULL) */
  int rc;
  while ((rc = sq_step(q)) == SQ_ROW) {
    int64_t w = trunc_i64((sq_double(q, 0) - start_ts) / window_s);
    if (!*n || (*out)[*n - 1].w != w) {
      XGROW(*out, cap, *n + 1);
      (*out)[(*n)++] = (struct store_db_window){w, 0, 0};
      sum = 0;
      n_ms = 0;
    }
    struct store_db_window *x = &(*out)[*n - 1];
    double d = sq_double(q, 1);
    x->count++;
    if (!isnan(d)) {
      sum += d;
      x->mean_ms = sum / (double)++n_ms;
    }
  }
  sq_finalize(q);
  if (rc == SQ_DONE)
    return 0;
  free(*out);
  *out = NULL;
  *n = 0;
  return store_fail(st, err, "cannot read the database log");
}

int store_db_show_evidence(struct store *st, int64_t run_id, int *has, struct err *err) {
  return exists_of(st,
                   "SELECT EXISTS (SELECT 1 FROM db_statements WHERE run_id = ?1) OR "
                   "EXISTS (SELECT 1 FROM db_log_entries WHERE run_id = ?1) OR "
                   "EXISTS (SELECT 1 FROM db_snapshots WHERE run_id = ?1 AND view <> 'settings') OR "
                   "EXISTS (SELECT 1 FROM source_files WHERE run_id = ?1 AND kind LIKE 'pg-%')",
                   run_id, NULL, has, err);
}

/* The first column of the first row of sql (run_id bound) into *out. */
static int first_text(struct store *st, const char *sql, int64_t run_id, const char *what, char **out,
                      struct err *err) {
  return store_scan_first(st, sq_query(st, err, sql, "i", run_id), what, err, "s", out);
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

static const struct store_field text_field[] = {{SF_STR, 0}};
static const struct store_shape text_shape = {sizeof(char *), text_field, 1};

int store_db_settings_data(struct store *st, int64_t run_id, char ***out, size_t *n, struct err *err) {
  return store_rows_map_of_id(st, "SELECT data FROM db_snapshots WHERE run_id = ? AND view = 'settings'", run_id,
                              &text_shape, "cannot read snapshots", (void **)out, n, err);
}

void store_db_texts_free(char **t, size_t n) { store_rows_free(t, n, &text_shape); }

static const struct store_field snapshot_fields[] = {STORE_FIELD(SF_INT, struct store_db_snapshot, snap),
                                                     STORE_FIELD(SF_STR, struct store_db_snapshot, data)};
static const struct store_shape snapshot_shape = STORE_SHAPE(struct store_db_snapshot, snapshot_fields);

int store_db_snapshots_of(struct store *st, int64_t run_id, const char *view, struct store_db_snapshot **out,
                          size_t *n, struct err *err) {
  return store_rows_query(st, err, &snapshot_shape, "cannot read snapshots", (void **)out, n,
                          "SELECT snap, data FROM db_snapshots WHERE run_id = ? AND view = ? "
                          "ORDER BY snap, rowid",
                          "is", run_id, view);
}

void store_db_snapshots_free(struct store_db_snapshot *r, size_t n) { store_rows_free(r, n, &snapshot_shape); }

int store_db_stmt_totals(struct store *st, int64_t run_id, const char *datname, struct store_db_totals *t,
                         struct err *err) {
  memset(t, 0, sizeof *t);
  t->max_ms = NAN;
  return store_scan_first(st,
                          sq_query(st, err,
                                   "SELECT count(*), sum(calls), sum(total_ms), max(max_ms) FROM db_statements "
                                   "WHERE run_id = ? AND datname = ? AND (toplevel IS NULL OR toplevel = 1)",
                                   "is", run_id, datname),
                          "cannot read pg_stat_statements", err, "Izzd", &t->n, &t->calls, &t->total_ms, &t->max_ms);
}

int store_db_log_counts(struct store *st, int64_t run_id, const char *datname, double x, long *n_log, long *n_above,
                        double *min_logged, struct err *err) {
  return store_scan_first(st,
                          sq_query(st, err,
                                   "SELECT count(*), sum(CASE WHEN duration_ms > ? THEN 1 ELSE 0 END), "
                                   "min(duration_ms) FROM db_log_entries WHERE run_id = ? AND kind = 'statement' "
                                   "AND database = ?",
                                   "dis", x, run_id, datname),
                          "cannot read the database log", err, "lld", n_log, n_above, min_logged);
}

int store_db_has_log(struct store *st, int64_t run_id, int *yes, struct err *err) {
  return exists_of(st,
                   "SELECT EXISTS (SELECT 1 FROM source_files WHERE run_id = ? AND kind IN "
                   "('pg-csvlog', 'pg-stderr-log'))",
                   run_id, "cannot read source files", yes, err);
}

static const struct store_field kind_fields[] = {STORE_FIELD(SF_STR, struct store_db_kind_count, kind),
                                                 STORE_FIELD(SF_I64, struct store_db_kind_count, n)};
static const struct store_shape kind_shape = STORE_SHAPE(struct store_db_kind_count, kind_fields);

STORE_LIST_OF_ID(store_db_log_kinds, struct store_db_kind_count, kind_shape,
                 "SELECT kind, count(*) FROM db_log_entries WHERE run_id = ? GROUP BY kind ORDER BY kind",
                 "cannot read the database log")

void store_db_kind_counts_free(struct store_db_kind_count *r, size_t n) { store_rows_free(r, n, &kind_shape); }

#define F(type, member) STORE_FIELD(type, struct store_db_statement, member)
/* Columns 0 and 1 of both queries: the statement's text and its query id (NULL: none). */
static const struct store_field statement_fields[] = {
    F(SF_STR, query),  F(SF_NOT_NULL, has_queryid), F(SF_I64, queryid),         F(SF_DBL, calls),
    F(SF_DBL, total_ms), F(SF_DBL, mean_ms),        F(SF_DBL, max_ms),          F(SF_DBL, rows),
    F(SF_DBL, shared_blks_hit), F(SF_DBL, shared_blks_read), F(SF_I64, logged)};
/* store_db_log_statements(): the text, the id, the count, then durations (0 for NULL). */
static const struct store_field log_statement_fields[] = {
    F(SF_STR, query), F(SF_NOT_NULL, has_queryid), F(SF_I64, queryid), F(SF_I64, logged),
    F(SF_DBL0, total_ms), F(SF_DBL0, mean_ms), F(SF_DBL0, max_ms)};
#undef F
static const struct store_shape statement_shape = STORE_SHAPE(struct store_db_statement, statement_fields);

static int statement_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_statement *x = item;
  store_row_read(q, 0, x, statement_fields, STORE_NF(statement_fields));
  x->count = x->logged;
  return 0;
}

static int log_statement_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_db_statement *x = item;
  store_row_read(q, 0, x, log_statement_fields, STORE_NF(log_statement_fields));
  x->count = x->logged;
  x->calls = (double)x->count;
  x->rows = x->shared_blks_hit = x->shared_blks_read = NAN;
  return 0;
}

static void statements_release(void *r, size_t n) { store_db_statements_free(r, n); }

static int statements_of(struct store *st, const char *sql, int64_t run_id, const char *datname, int limit,
                         store_row_fn row, const char *what, struct store_db_statement **out, size_t *n,
                         struct err *err) {
  return store_rows(st, sq_query(st, err, sql, "isI", run_id, datname, limit), sizeof **out, row, statements_release,
                    what, (void **)out, n, err);
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

/* Grouped by query id, and the entries without one by text; a group's text
 * is its least (one text per query id, as logged). */
int store_db_log_statements(struct store *st, int64_t run_id, const char *datname, int limit,
                            struct store_db_statement **out, size_t *n, struct err *err) {
  return statements_of(st,
                       "SELECT min(norm), max(queryid), count(*), sum(duration_ms), avg(duration_ms), "
                       "max(duration_ms) FROM db_log_entries WHERE run_id = ? AND kind = 'statement' "
                       "AND database = ? GROUP BY queryid, CASE WHEN queryid IS NULL THEN norm END "
                       "ORDER BY 4 DESC NULLS LAST, 1 LIMIT ?",
                       run_id, datname, limit, log_statement_row, "cannot read the database log", out, n, err);
}

void store_db_statements_free(struct store_db_statement *r, size_t n) { store_rows_free(r, n, &statement_shape); }

#define F(type, member) STORE_FIELD(type, struct store_db_slow_stmt, member)
/* max_ms is over slow_ms: not NULL. */
static const struct store_field slow_fields[] = {
    F(SF_STR, query),  F(SF_NOT_NULL, has_queryid), F(SF_I64, queryid), F(SF_I64, count),
    F(SF_DBL, max_ms), F(SF_DBL, first_ts),         F(SF_DBL, last_ts), F(SF_STR, database)};
#undef F
static const struct store_shape slow_shape = STORE_SHAPE(struct store_db_slow_stmt, slow_fields);

int store_db_slow_statements(struct store *st, int64_t run_id, double slow_ms, struct store_db_slow_stmt **out,
                             size_t *n, struct err *err) {
  return store_rows_map(
      st,
      sq_query(st, err,
               "SELECT coalesce(min(norm), ''), qid, count(*), max(duration_ms), min(ts), max(ts), "
               "min(database) FROM (SELECT e.norm, e.duration_ms, e.ts, e.database, "
               "coalesce(e.queryid, (SELECT d.queryid FROM db_statements d WHERE d.run_id = e.run_id "
               "AND d.datname = e.database AND d.norm = e.norm AND d.queryid IS NOT NULL LIMIT 1)) AS qid "
               "FROM db_log_entries e WHERE e.run_id = ? AND e.kind = 'statement' AND e.duration_ms > ?) AS x "
               "GROUP BY qid, CASE WHEN qid IS NULL THEN norm END ORDER BY 3 DESC, 4 DESC, 1",
               "id", run_id, slow_ms),
      &slow_shape, "cannot read the database log", (void **)out, n, err);
}

void store_db_slow_statements_free(struct store_db_slow_stmt *r, size_t n) { store_rows_free(r, n, &slow_shape); }
