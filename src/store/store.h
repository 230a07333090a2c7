/* store.h - the database: runs, aggregates, samples, system metrics, on
 * SQLite (a file, the default) or PostgreSQL (a libpq URI, a shared history).
 *
 * Usage: store_open() → store_begin() → writes … → store_commit() (or
 * store_rollback()) → store_close(). The schema is src/store/schema.sql
 * (its version in PRAGMA user_version on SQLite, in loadrep_meta on
 * PostgreSQL); every statement binds its parameters and goes through
 * store/sq.h. Functions return 0 on success or -1 with *err filled; none
 * print or exit.
 */
#ifndef LOADREP_STORE_H
#define LOADREP_STORE_H
#include <stdint.h>

struct err;

struct store; /* opaque: src/store/store_int.h */

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

/** Opens (creating and migrating when needed) the database `path`: a file
 *  (SQLite: WAL, foreign keys on, busy timeout) or a PostgreSQL connection
 *  URI (postgresql://user@host:port/dbname, also postgres://). A database
 *  of a newer schema than this loadrep's is refused (LR_DATAERR). *out is
 *  freed with store_close(). */
int store_open(struct store **out, const char *path, struct err *err);
/** Opens an existing database only (LR_NOINPUT when it does not exist). */
int store_open_existing(struct store **out, const char *path, struct err *err);
void store_close(struct store *st);

int store_begin(struct store *st, struct err *err); /* BEGIN IMMEDIATE */
int store_commit(struct store *st, struct err *err);
void store_rollback(struct store *st);

/** Fills err from the database's last error (code LR_IOERR unless busy). */
int store_fail(struct store *st, struct err *err, const char *what);
/** Runs statements with no result rows (';'-separated, no parameters). */
int store_exec(struct store *st, const char *sql, struct err *err);

/** Resolves RUN: an id, a name, "latest" or "latest:SCENARIO".
 *  LR_NOINPUT when there is no such run. */
int store_find_run(struct store *st, const char *spec, struct run_info *out, struct err *err);
int store_get_run(struct store *st, int64_t id, struct run_info *out, struct err *err);
void run_info_release(struct run_info *r);

/** The baseline run id of (scenario, env), or 0 when none is set. */
int store_get_baseline(struct store *st, const char *scenario, const char *env,
                       int64_t *run_id, struct err *err);

/** How the database is named in messages (a path, or a URI without password). */
const char *store_name(const struct store *st);
/** 1 for PostgreSQL, 0 for SQLite. */
int store_is_shared(const struct store *st);

#endif
