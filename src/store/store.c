#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_int.h"
#include "util/embedded.h"
#include "util/err.h"
#include "util/xalloc.h"

#define SCHEMA_VERSION 4

static int pg_fail_code(const char *sqlstate) {
  /* Class 08 connection, 40 transaction rollback (deadlock, serialization),
   * 53 insufficient resources, 57 operator intervention, 58 system error. */
  static const char *const io[] = {"08", "40", "53", "57", "58"};
  for (size_t i = 0; i < sizeof io / sizeof *io; i++)
    if (!strncmp(sqlstate, io[i], 2))
      return LR_IOERR;
  return !strncmp(sqlstate, "XX", 2) ? LR_DATAERR : LR_SOFTWARE;
}

int store_fail(struct store *st, struct err *err, const char *what) {
  if (st->kind == STORE_POSTGRES)
    return err_set(err, pg_fail_code(st->pg_sqlstate), "database '%s': %s: %s", st->path, what, st->pg_error);
  int code = sqlite3_errcode(st->db);
  int ex = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? LR_IOERR
           : (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) ? LR_DATAERR
           : (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_READONLY || code == SQLITE_CANTOPEN) ? LR_IOERR
                                                                                                                  : LR_SOFTWARE;
  return err_set(err, ex, "database '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

const char *store_name(const struct store *st) { return st->path; }
int store_is_shared(const struct store *st) { return st->kind == STORE_POSTGRES; }

int store_exec(struct store *st, const char *sql, struct err *err) {
  if (st->kind == STORE_POSTGRES)
    return pg_exec(st, sql) < 0 ? store_fail(st, err, "statement failed") : 0;
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    sqlite3_free(msg);
    return store_fail(st, err, "statement failed");
  }
  return 0;
}

/* The schema version: SQLite's user_version, PostgreSQL's loadrep_meta row
 * (0 when the database is empty). */
static int user_version(struct store *st, int *v, struct err *err) {
  int64_t x = 0;
  int rc;
  if (st->kind == STORE_POSTGRES) {
    rc = sq_int64_of(st, err, "cannot read schema version", 0, &x,
                     "SELECT CASE WHEN to_regclass('loadrep_meta') IS NULL THEN 0 ELSE 1 END", "");
    if (rc == 0 && x)
      rc = sq_int64_of(st, err, "cannot read schema version", 0, &x,
                       "SELECT CAST(value AS INTEGER) FROM loadrep_meta WHERE key = 'schema_version'", "");
  } else {
    rc = sq_int64_of(st, err, "cannot read schema version", 0, &x, "PRAGMA user_version", "");
  }
  *v = (int)x;
  return rc;
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

/* Version 3 -> 4: status codes per second, bytes sent and received per
 * second, the instances (runners) of a run and their own threshold
 * verdicts; existing runs have none. */
static const char migrate_3_4[] =
    "CREATE TABLE status_buckets (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " t INTEGER NOT NULL, status TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (run_id, t, status));"
    "CREATE TABLE run_instances (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    " files TEXT NOT NULL DEFAULT '', requests INTEGER NOT NULL, failed INTEGER NOT NULL, p95_ms REAL, vus_max REAL,"
    " start_ts REAL, end_ts REAL, PRIMARY KEY (run_id, name));"
    "ALTER TABLE buckets ADD COLUMN data_sent REAL;"
    "ALTER TABLE buckets ADD COLUMN data_received REAL;"
    "CREATE TABLE instance_thresholds (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " instance TEXT NOT NULL, metric TEXT NOT NULL, expression TEXT NOT NULL, ok INTEGER,"
    " PRIMARY KEY (run_id, instance, metric, expression));"
    "PRAGMA user_version = 4;";

/* The forward migrations, migrations[v] taking version v to v + 1. */
static const char *const migrations[SCHEMA_VERSION] = {[1] = migrate_1_2, [2] = migrate_2_3, [3] = migrate_3_4};

/* Runs the SQLite text `sql` on st's backend (PostgreSQL: translated by
 * pg_schema_sql, its version written to loadrep_meta). */
static int exec_schema(struct store *st, const char *sql, int to_version, struct err *err) {
  if (st->kind != STORE_POSTGRES)
    return store_exec(st, sql, err);
  char *pg = pg_schema_sql(sql);
  int rc = store_exec(st, pg, err);
  free(pg);
  if (rc == 0)
    rc = sq_run(st, err, "cannot write schema version",
                "INSERT INTO loadrep_meta (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                "I", to_version);
  return rc;
}

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
  if (store_begin(st, err) < 0)
    return -1;
  /* Another process may have created it while we waited for the lock. */
  if (user_version(st, &v, err) < 0) {
    store_rollback(st);
    return -1;
  }
  if (v == 0 && st->kind == STORE_POSTGRES &&
      store_exec(st, "CREATE TABLE IF NOT EXISTS loadrep_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", err) < 0) {
    store_rollback(st);
    return -1;
  }
  if (v == 0 && exec_schema(st, (const char *)schema->data, SCHEMA_VERSION, err) < 0) {
    store_rollback(st);
    return -1;
  }
  for (int from = v ? v : SCHEMA_VERSION; from < SCHEMA_VERSION; from++) {
    if (exec_schema(st, migrations[from], from + 1, err) < 0) {
      store_rollback(st);
      char why[sizeof err->msg];
      snprintf(why, sizeof why, "%s", err ? err->msg : "");
      return err_set(err, err ? err->code : LR_IOERR, "cannot upgrade database '%s' from schema version %d to %d: %s",
                     st->path, v, SCHEMA_VERSION, why);
    }
  }
  return store_commit(st, err);
}

static int open_sqlite(struct store *st, const char *path, int create, struct err *err) {
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
    int ex = create ? LR_CANTCREAT : LR_NOINPUT;
    return err_set(err, ex, "cannot open database '%s': %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
  }
  sqlite3_busy_timeout(st->db, 300000); /* another ingest may hold the write lock while it stores a large run */
  sqlite3_extended_result_codes(st->db, 0);
  if (store_exec(st, "PRAGMA foreign_keys=ON", err) < 0)
    return -1;
  /* journal_mode fails with SQLITE_NOTADB on a file that is not a database. */
  int64_t ignored;
  if (sq_int64_of(st, err, "cannot open", 0, &ignored, "PRAGMA journal_mode=WAL", "") < 0)
    return -1;
  return store_exec(st, "PRAGMA synchronous=NORMAL", err);
}

static int open_db(struct store **out, const char *path, int create, struct err *err) {
  struct store *st = xcalloc(1, sizeof *st);
  int rc;
  if (store_is_pg_uri(path)) {
    st->kind = STORE_POSTGRES;
    rc = pg_open(st, path, err);
  } else {
    st->path = xstrdup(path);
    rc = open_sqlite(st, path, create, err);
  }
  if (rc < 0 || migrate(st, err) < 0) {
    store_close(st);
    return -1;
  }
  *out = st;
  return 0;
}

int store_open(struct store **out, const char *path, struct err *err) { return open_db(out, path, 1, err); }

int store_open_existing(struct store **out, const char *path, struct err *err) {
  struct stat sb;
  if (!store_is_pg_uri(path) && stat(path, &sb) != 0)
    return err_set(err, LR_NOINPUT, "no database at '%s' (run 'loadrep ingest' first, or pass --db PATH)", path);
  return open_db(out, path, 0, err);
}

void store_close(struct store *st) {
  if (!st)
    return;
  if (st->kind == STORE_POSTGRES)
    pg_close(st);
  else
    sqlite3_close(st->db);
  free(st->path);
  free(st);
}

/* Writers take turns, on PostgreSQL as on SQLite: BEGIN IMMEDIATE takes
 * SQLite's write lock; on PostgreSQL a transaction-scoped advisory lock
 * (released at COMMIT or ROLLBACK, also when the process dies) does, so that
 * the check for a file already ingested and the run that follows are one
 * step for every writer. Readers never wait. */
int store_begin(struct store *st, struct err *err) {
  if (st->kind != STORE_POSTGRES)
    return store_exec(st, "BEGIN IMMEDIATE", err);
  return store_exec(st, "BEGIN; SELECT pg_advisory_xact_lock(7370826061)", err);
}
int store_commit(struct store *st, struct err *err) {
  /* PostgreSQL answers COMMIT of a failed transaction with ROLLBACK: never
   * take that for success. */
  if (st->kind == STORE_POSTGRES && pg_in_transaction(st) == 2) {
    pg_exec(st, "ROLLBACK");
    return err_set(err, LR_IOERR, "database '%s': a statement of the transaction failed; nothing was written", st->path);
  }
  return store_exec(st, "COMMIT", err);
}
void store_rollback(struct store *st) {
  if (st->kind == STORE_POSTGRES) {
    if (pg_in_transaction(st))
      pg_exec(st, "ROLLBACK");
  } else if (!sqlite3_get_autocommit(st->db))
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

#define RUN_COLS                                                                                                  \
  "id, name, scenario, env, labels, k6_version, created_at, duration_src, start_ts, end_ts, duration_s, has_samples, " \
  "complete, incomplete_reason, k6_exit_status"

static void read_run(struct sq_stmt *s, struct run_info *r) {
  r->id = sq_int64(s, 0);
  r->name = xstrdup(sq_text(s, 1));
  r->scenario = xstrdup(sq_text(s, 2));
  r->env = xstrdup(sq_text(s, 3));
  r->labels = xstrdup(sq_text(s, 4));
  r->k6_version = xstrdup(sq_text(s, 5));
  r->created_at = xstrdup(sq_text(s, 6));
  r->duration_src = xstrdup(sq_text(s, 7));
  r->start_ts = sq_double(s, 8);
  r->end_ts = sq_double(s, 9);
  r->duration_s = sq_double(s, 10);
  r->has_samples = sq_int(s, 11);
  r->complete = sq_is_null(s, 12) ? -1 : sq_int(s, 12) != 0;
  r->incomplete_reason = sq_is_null(s, 13) ? NULL : xstrdup(sq_text(s, 13));
  r->k6_exit_status = sq_is_null(s, 14) ? -1 : sq_int(s, 14);
}

void run_info_release(struct run_info *r) {
  char **owned[] = {&r->name,       &r->scenario,   &r->env, &r->labels, &r->k6_version, &r->created_at,
                    &r->duration_src, &r->incomplete_reason};
  for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
    free(*owned[i]);
  memset(r, 0, sizeof *r);
}

static int one_run(struct store *st, struct sq_stmt *s, const char *spec, struct run_info *out, struct err *err) {
  if (!s)
    return -1;
  int rc = sq_step(s);
  if (rc == SQ_ROW) {
    read_run(s, out);
    sq_finalize(s);
    return 0;
  }
  sq_finalize(s);
  if (rc != SQ_DONE)
    return store_fail(st, err, "cannot read runs");
  return err_set(err, LR_NOINPUT, "no run '%s' in '%s' (see 'loadrep runs')", spec, st->path);
}

int store_get_run(struct store *st, int64_t id, struct run_info *out, struct err *err) {
  char spec[32];
  snprintf(spec, sizeof spec, "%lld", (long long)id);
  return one_run(st, sq_query(st, err, "SELECT " RUN_COLS " FROM runs WHERE id = ?", "i", id), spec, out, err);
}

int store_find_run(struct store *st, const char *spec, struct run_info *out, struct err *err) {
  struct sq_stmt *s;
  memset(out, 0, sizeof *out);
  if (!strcmp(spec, "latest"))
    s = sq_query(st, err, "SELECT " RUN_COLS " FROM runs ORDER BY id DESC LIMIT 1", "");
  else if (!strncmp(spec, "latest:", 7))
    s = sq_query(st, err, "SELECT " RUN_COLS " FROM runs WHERE scenario = ? ORDER BY id DESC LIMIT 1", "s", spec + 7);
  else /* A name wins over an id, so a run named "3" is found by its name. */
    s = sq_query(st, err,
                 "SELECT " RUN_COLS " FROM (SELECT 0 AS pref, " RUN_COLS " FROM runs WHERE name = ?1 "
                 "UNION ALL SELECT 1, " RUN_COLS " FROM runs WHERE CAST(id AS TEXT) = ?1) AS m ORDER BY pref LIMIT 1",
                 "s", spec);
  return one_run(st, s, spec, out, err);
}

int store_get_baseline(struct store *st, const char *scenario, const char *env, int64_t *run_id,
                       struct err *err) {
  return sq_int64_of(st, err, "cannot read baselines", 0, run_id,
                     "SELECT run_id FROM baselines WHERE scenario = ? AND env = ?", "ss", scenario, env);
}
