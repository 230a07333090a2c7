/* store.h - the SQLite database: runs, aggregates, samples, system metrics.
 *
 * Usage: store_open() → store_begin() → writes … → store_commit() (or
 * store_rollback()) → store_close(). The schema is src/store/schema.sql
 * (PRAGMA user_version); every statement binds its parameters. Functions
 * return 0 on success or -1 with *err filled; none print or exit.
 */
#ifndef LOADREP_STORE_H
#define LOADREP_STORE_H
#include <sqlite3.h>
#include <stdint.h>

struct err;

struct store {
  sqlite3 *db;
  char *path;
};

/** A run as the `runs` table holds it. Strings are owned; run_info_release(). */
struct run_info {
  int64_t id;
  char *name, *scenario, *env, *labels, *k6_version, *created_at;
  char *duration_src;
  double start_ts, end_ts, duration_s;
  int has_samples;
  /* Schema v2. complete: 1 the run ran its course (no sign that it stopped
   * early), 0 it did not (incomplete_reason says why, e.g. "k6 exit status
   * 105: interrupted (SIGINT)"), -1 unknown (a run ingested before v2;
   * treat as complete: test `complete == 0` for "incomplete").
   * incomplete_reason: NULL when complete or unknown. k6_exit_status: -1
   * when unknown. */
  int complete;
  char *incomplete_reason;
  int k6_exit_status;
};

/** Opens (creating and migrating when needed) the database at `path`:
 *  WAL, foreign keys on, busy timeout. *out is freed with store_close(). */
int store_open(struct store **out, const char *path, struct err *err);
/** Opens an existing database only (LR_NOINPUT when it does not exist). */
int store_open_existing(struct store **out, const char *path, struct err *err);
void store_close(struct store *st);

int store_begin(struct store *st, struct err *err); /* BEGIN IMMEDIATE */
int store_commit(struct store *st, struct err *err);
void store_rollback(struct store *st);

/** Prepares `sql`; on failure fills err (LR_SOFTWARE) and returns NULL. */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct err *err);
/** Fills err from the database's last error (code LR_IOERR unless busy). */
int store_fail(struct store *st, struct err *err, const char *what);
/** Runs one statement with no result rows. */
int store_exec(struct store *st, const char *sql, struct err *err);

/** Resolves RUN: an id, a name, "latest" or "latest:SCENARIO".
 *  LR_NOINPUT when there is no such run. */
int store_find_run(struct store *st, const char *spec, struct run_info *out, struct err *err);
int store_get_run(struct store *st, int64_t id, struct run_info *out, struct err *err);
void run_info_release(struct run_info *r);

/** The baseline run id of (scenario, env), or 0 when none is set. */
int store_get_baseline(struct store *st, const char *scenario, const char *env,
                       int64_t *run_id, struct err *err);

/* Column text that is never NULL. */
const char *store_col_text(sqlite3_stmt *s, int col);
/* Column double, NaN when NULL. */
double store_col_double(sqlite3_stmt *s, int col);

#endif
