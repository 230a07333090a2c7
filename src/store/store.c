#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"
#include "util/embedded.h"
#include "util/err.h"
#include "util/xalloc.h"

#define SCHEMA_VERSION 3

int store_fail(struct store *st, struct err *err, const char *what) {
  int code = sqlite3_errcode(st->db);
  int ex = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? LR_IOERR
           : (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? LR_DATAERR
           : (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_READONLY || code == SQLITE_CANTOPEN) ? LR_IOERR
                                                                                                                  : LR_SOFTWARE;
  return err_set(err, ex, "database '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int store_exec(struct store *st, const char *sql, struct err *err) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    sqlite3_free(msg);
    return store_fail(st, err, "statement failed");
  }
  return 0;
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct err *err) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
    store_fail(st, err, "cannot prepare statement");
    return NULL;
  }
  return s;
}

static int user_version(struct store *st, int *v, struct err *err) {
  sqlite3_stmt *s = store_prepare(st, "PRAGMA user_version", err);
  if (!s)
    return -1;
  int rc = sqlite3_step(s);
  *v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? 0 : store_fail(st, err, "cannot read schema version");
}

/* Version 1 → 2: completeness columns on runs; scenarios. A version-1 run's
 * completeness is unknown (NULL, treated as complete) and its one scenario
 * is named after runs.scenario, with the whole-run endpoint rows. */
static const char migrate_1_2[] =
    "ALTER TABLE runs ADD COLUMN complete INTEGER;"
    "ALTER TABLE runs ADD COLUMN incomplete_reason TEXT;"
    "ALTER TABLE runs ADD COLUMN k6_exit_status INTEGER;"
    "CREATE TABLE scenarios (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " executor TEXT, requests INTEGER NOT NULL, failed INTEGER NOT NULL, ok_count INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, name));"
    "CREATE TABLE scenario_endpoints (id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, scenario TEXT NOT NULL,"
    " endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE, method TEXT NOT NULL,"
    " name TEXT NOT NULL, requests INTEGER NOT NULL, failed INTEGER NOT NULL, ok_count INTEGER NOT NULL,"
    " UNIQUE (run_id, scenario, method, name));"
    "CREATE TABLE scenario_endpoint_metrics (se_id INTEGER NOT NULL REFERENCES scenario_endpoints(id)"
    " ON DELETE CASCADE, metric TEXT NOT NULL, scope TEXT NOT NULL, count INTEGER NOT NULL,"
    " avg REAL, min REAL, med REAL, max REAL, p90 REAL, p95 REAL, p99 REAL, PRIMARY KEY (se_id, metric, scope));"
    "CREATE TABLE scenario_samples (se_id INTEGER PRIMARY KEY REFERENCES scenario_endpoints(id) ON DELETE CASCADE,"
    " count INTEGER NOT NULL, data BLOB NOT NULL);"
    "INSERT INTO scenarios (run_id, name, executor, requests, failed, ok_count)"
    " SELECT r.id, r.scenario, NULL, sum(e.requests), sum(e.failed), sum(e.ok_count)"
    " FROM runs r JOIN endpoints e ON e.run_id = r.id WHERE r.has_samples GROUP BY r.id;"
    "INSERT INTO scenario_endpoints (run_id, scenario, endpoint_id, method, name, requests, failed, ok_count)"
    " SELECT e.run_id, r.scenario, e.id, e.method, e.name, e.requests, e.failed, e.ok_count"
    " FROM endpoints e JOIN runs r ON r.id = e.run_id WHERE r.has_samples ORDER BY e.id;"
    "INSERT INTO scenario_endpoint_metrics (se_id, metric, scope, count, avg, min, med, max, p90, p95, p99)"
    " SELECT se.id, m.metric, m.scope, m.count, m.avg, m.min, m.med, m.max, m.p90, m.p95, m.p99"
    " FROM scenario_endpoints se JOIN endpoint_metrics m ON m.endpoint_id = se.endpoint_id;"
    "PRAGMA user_version = 2;";

/* Version 2 -> 3: the database evidence tables (PostgreSQL logs,
 * pg_stat_statements, statistics-view snapshots); existing runs have none. */
static const char migrate_2_3[] =
    "CREATE TABLE db_log_entries (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, ts REAL NOT NULL,"
    " pid INTEGER, database TEXT NOT NULL DEFAULT '', username TEXT NOT NULL DEFAULT '', app TEXT NOT NULL DEFAULT '',"
    " severity TEXT NOT NULL DEFAULT '', sqlstate TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL, duration_ms REAL,"
    " query TEXT, norm TEXT, queryid INTEGER, message TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX db_log_entries_run ON db_log_entries(run_id, kind, ts);"
    "CREATE TABLE db_statements (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " datname TEXT NOT NULL DEFAULT '', queryid INTEGER, toplevel INTEGER, query TEXT NOT NULL, norm TEXT NOT NULL,"
    " calls INTEGER NOT NULL, total_ms REAL NOT NULL, mean_ms REAL, min_ms REAL, max_ms REAL, stddev_ms REAL,"
    " rows INTEGER, shared_blks_hit INTEGER, shared_blks_read INTEGER, temp_blks_written INTEGER);"
    "CREATE INDEX db_statements_run ON db_statements(run_id);"
    "CREATE TABLE db_snapshots (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, view TEXT NOT NULL,"
    " snap INTEGER NOT NULL, data TEXT NOT NULL);"
    "CREATE INDEX db_snapshots_run ON db_snapshots(run_id, view);"
    "PRAGMA user_version = 3;";

static int migrate(struct store *st, struct err *err) {
  int v;
  if (user_version(st, &v, err) < 0)
    return -1;
  if (v == SCHEMA_VERSION)
    return 0;
  if (v > SCHEMA_VERSION)
    return err_set(err, LR_DATAERR,
                   "database '%s' has schema version %d, newer than this loadrep (%d); upgrade loadrep",
                   st->path, v, SCHEMA_VERSION);
  const struct embedded_file *schema = embedded_find("schema.sql");
  if (!schema)
    BUG("schema.sql is not embedded");
  if (store_exec(st, "BEGIN IMMEDIATE", err) < 0)
    return -1;
  /* Another process may have created it while we waited for the lock. */
  if (user_version(st, &v, err) < 0) {
    store_rollback(st);
    return -1;
  }
  if (v == 0 && store_exec(st, (const char *)schema->data, err) < 0) {
    store_rollback(st);
    return -1;
  }
  if (v == 1 && store_exec(st, migrate_1_2, err) < 0) {
    store_rollback(st);
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err ? err->msg : "");
    return err_set(err, err ? err->code : LR_IOERR, "cannot upgrade database '%s' from schema version 1 to %d: %s",
                   st->path, SCHEMA_VERSION, why);
  }
  if ((v == 1 || v == 2) && store_exec(st, migrate_2_3, err) < 0) {
    store_rollback(st);
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err ? err->msg : "");
    return err_set(err, err ? err->code : LR_IOERR, "cannot upgrade database '%s' from schema version %d to %d: %s",
                   st->path, v, SCHEMA_VERSION, why);
  }
  return store_commit(st, err);
}

static int open_db(struct store **out, const char *path, int create, struct err *err) {
  struct store *st = xcalloc(1, sizeof *st);
  st->path = xstrdup(path);
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
    int ex = create ? LR_CANTCREAT : LR_NOINPUT;
    err_set(err, ex, "cannot open database '%s': %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
    store_close(st);
    return -1;
  }
  sqlite3_busy_timeout(st->db, 300000); /* another ingest may hold the write lock while it stores a large run */
  sqlite3_extended_result_codes(st->db, 0);
  if (store_exec(st, "PRAGMA foreign_keys=ON", err) < 0)
    goto fail;
  /* journal_mode fails with SQLITE_NOTADB on a file that is not a database. */
  sqlite3_stmt *s = store_prepare(st, "PRAGMA journal_mode=WAL", err);
  if (!s)
    goto fail;
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW) {
    store_fail(st, err, "cannot open");
    goto fail;
  }
  if (store_exec(st, "PRAGMA synchronous=NORMAL", err) < 0 || migrate(st, err) < 0)
    goto fail;
  *out = st;
  return 0;
fail:
  store_close(st);
  return -1;
}

int store_open(struct store **out, const char *path, struct err *err) { return open_db(out, path, 1, err); }

int store_open_existing(struct store **out, const char *path, struct err *err) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return err_set(err, LR_NOINPUT, "no database at '%s' (run 'loadrep ingest' first, or pass --db PATH)", path);
  return open_db(out, path, 0, err);
}

void store_close(struct store *st) {
  if (!st)
    return;
  sqlite3_close(st->db);
  free(st->path);
  free(st);
}

int store_begin(struct store *st, struct err *err) { return store_exec(st, "BEGIN IMMEDIATE", err); }
int store_commit(struct store *st, struct err *err) { return store_exec(st, "COMMIT", err); }
void store_rollback(struct store *st) {
  if (!sqlite3_get_autocommit(st->db))
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

const char *store_col_text(sqlite3_stmt *s, int col) {
  const unsigned char *t = sqlite3_column_text(s, col);
  return t ? (const char *)t : "";
}

double store_col_double(sqlite3_stmt *s, int col) {
  return sqlite3_column_type(s, col) == SQLITE_NULL ? NAN : sqlite3_column_double(s, col);
}

#define RUN_COLS                                                                                                  \
  "id, name, scenario, env, labels, k6_version, created_at, duration_src, start_ts, end_ts, duration_s, has_samples, " \
  "complete, incomplete_reason, k6_exit_status"

static void read_run(sqlite3_stmt *s, struct run_info *r) {
  r->id = sqlite3_column_int64(s, 0);
  r->name = xstrdup(store_col_text(s, 1));
  r->scenario = xstrdup(store_col_text(s, 2));
  r->env = xstrdup(store_col_text(s, 3));
  r->labels = xstrdup(store_col_text(s, 4));
  r->k6_version = xstrdup(store_col_text(s, 5));
  r->created_at = xstrdup(store_col_text(s, 6));
  r->duration_src = xstrdup(store_col_text(s, 7));
  r->start_ts = store_col_double(s, 8);
  r->end_ts = store_col_double(s, 9);
  r->duration_s = store_col_double(s, 10);
  r->has_samples = sqlite3_column_int(s, 11);
  r->complete = sqlite3_column_type(s, 12) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 12) != 0;
  r->incomplete_reason = sqlite3_column_type(s, 13) == SQLITE_NULL ? NULL : xstrdup(store_col_text(s, 13));
  r->k6_exit_status = sqlite3_column_type(s, 14) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 14);
}

void run_info_release(struct run_info *r) {
  free(r->name);
  free(r->scenario);
  free(r->env);
  free(r->labels);
  free(r->k6_version);
  free(r->created_at);
  free(r->duration_src);
  free(r->incomplete_reason);
  memset(r, 0, sizeof *r);
}

static int one_run(struct store *st, sqlite3_stmt *s, const char *spec, struct run_info *out, struct err *err) {
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    read_run(s, out);
    sqlite3_finalize(s);
    return 0;
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read runs");
  return err_set(err, LR_NOINPUT, "no run '%s' in '%s' (see 'loadrep runs')", spec, st->path);
}

int store_get_run(struct store *st, int64_t id, struct run_info *out, struct err *err) {
  sqlite3_stmt *s = store_prepare(st, "SELECT " RUN_COLS " FROM runs WHERE id = ?", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, id);
  char spec[32];
  snprintf(spec, sizeof spec, "%lld", (long long)id);
  return one_run(st, s, spec, out, err);
}

int store_find_run(struct store *st, const char *spec, struct run_info *out, struct err *err) {
  sqlite3_stmt *s;
  memset(out, 0, sizeof *out);
  if (!strcmp(spec, "latest")) {
    s = store_prepare(st, "SELECT " RUN_COLS " FROM runs ORDER BY id DESC LIMIT 1", err);
  } else if (!strncmp(spec, "latest:", 7)) {
    s = store_prepare(st, "SELECT " RUN_COLS " FROM runs WHERE scenario = ? ORDER BY id DESC LIMIT 1", err);
    if (s)
      sqlite3_bind_text(s, 1, spec + 7, -1, SQLITE_TRANSIENT);
  } else {
    /* A name wins over an id, so a run named "3" is found by its name. */
    s = store_prepare(st, "SELECT " RUN_COLS " FROM runs WHERE name = ?1 "
                          "UNION ALL SELECT " RUN_COLS " FROM runs WHERE CAST(id AS TEXT) = ?1 LIMIT 1", err);
    if (s)
      sqlite3_bind_text(s, 1, spec, -1, SQLITE_TRANSIENT);
  }
  if (!s)
    return -1;
  return one_run(st, s, spec, out, err);
}

int store_get_baseline(struct store *st, const char *scenario, const char *env, int64_t *run_id,
                       struct err *err) {
  sqlite3_stmt *s = store_prepare(st, "SELECT run_id FROM baselines WHERE scenario = ? AND env = ?", err);
  if (!s)
    return -1;
  sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, env, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  *run_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(st, err, "cannot read baselines");
  return 0;
}
