/* store_db.h - database evidence of a run (schema v3 tables db_log_entries,
 * db_statements, db_snapshots): PostgreSQL logs, pg_stat_statements and
 * statistics-view snapshots, parsed by src/ingest/pglog.h.
 *
 * Every statement binds its parameters: the SQL text of a log is stored as
 * data, never spliced into SQL.
 */
#ifndef LOADREP_STORE_DB_H
#define LOADREP_STORE_DB_H
#include <stddef.h>
#include <stdint.h>

#include "ingest/pglog.h"

struct err;
struct reader;
struct store;

/** Parses one file of kind k and inserts its rows into run_id, inside the
 *  caller's open transaction (on error the caller rolls back). snap numbers
 *  the snapshot files of one ingest. *n_rows (when not NULL) gets the number
 *  of rows stored. */
int db_ingest_file(struct store *st, int64_t run_id, struct reader *r, enum pg_kind k, int snap, long *n_rows,
                   struct err *err);

/** Stores PostgreSQL settings (an object of name -> value text, e.g.
 *  meta.json's postgresql.settings) as the snapshot view 'settings'. */
#include <jansson.h>
int db_store_settings(struct store *st, int64_t run_id, json_t *settings, struct err *err);

/** A top-level statement of pg_stat_statements (toplevel NULL or 1).
 *  Strings owned; calls and total_ms 0 when NULL, mean_ms and stddev_ms NaN. */
struct store_db_stmt_stat {
  char *query, *norm; /* norm: the normalised text (pg_normalise), "" when NULL */
  int has_queryid;
  int64_t queryid;
  double calls, total_ms, mean_ms, stddev_ms;
};
/** The top-level statements of database datname in run_id, as stored. */
int store_db_toplevel_stmts(struct store *st, int64_t run_id, const char *datname, struct store_db_stmt_stat **out,
                            size_t *n, struct err *err);
/** The same, the limit largest by total time first. */
int store_db_top_stmts(struct store *st, int64_t run_id, const char *datname, int limit,
                       struct store_db_stmt_stat **out, size_t *n, struct err *err);
void store_db_stmt_stats_free(struct store_db_stmt_stat *r, size_t n);

/** A statement's logged durations per window of window_s seconds from
 *  start_ts (window index w, mean ms, count), by w; the statement is the
 *  one with queryid (has_queryid) or, logged without one, the normalised
 *  text norm. */
struct store_db_window {
  int64_t w;
  double mean_ms;
  int count;
};
int store_db_stmt_windows(struct store *st, int64_t run_id, double start_ts, double window_s, int has_queryid,
                          int64_t queryid, const char *norm, struct store_db_window **out, size_t *n,
                          struct err *err);

/** Logged statements over slow_ms by normalised text: how many and the
 *  longest (ms). Strings owned. */
struct store_db_slow_norm {
  char *norm;
  int64_t count;
  double max_ms;
};
int store_db_slow_norms(struct store *st, int64_t run_id, double slow_ms, struct store_db_slow_norm **out, size_t *n,
                        struct err *err);
void store_db_slow_norms_free(struct store_db_slow_norm *r, size_t n);

/** Whether run_id has any database evidence (rows in the v3 tables). */
int db_has_evidence(struct store *st, int64_t run_id, int *has, struct err *err);

/** Whether show has database evidence for run_id: statements, log entries,
 *  snapshots other than the settings, or a PostgreSQL source file. */
int store_db_show_evidence(struct store *st, int64_t run_id, int *has, struct err *err);

/** The application database: the datname with the most statement time in
 *  pg_stat_statements, else the one with the most logged statements;
 *  *out malloc'ed, NULL when neither has any. */
int store_db_app_database(struct store *st, int64_t run_id, char **out, struct err *err);

/** The JSON text of every 'settings' snapshot row of run_id, as stored;
 *  *out an array of n malloc'ed strings (store_db_texts_free). */
int store_db_settings_data(struct store *st, int64_t run_id, char ***out, size_t *n, struct err *err);
void store_db_texts_free(char **t, size_t n);

/** A snapshot row of a view: its file number and the row as JSON text. */
struct store_db_snapshot {
  int snap;
  char *data;
};
/** The rows of view in run_id by file, then as stored. */
int store_db_snapshots_of(struct store *st, int64_t run_id, const char *view, struct store_db_snapshot **out,
                          size_t *n, struct err *err);
void store_db_snapshots_free(struct store_db_snapshot *r, size_t n);

/** The top-level statements of datname: how many, their calls and time
 *  (0 when none) and the longest (NaN when none). */
struct store_db_totals {
  int n;
  double calls, total_ms, max_ms;
};
int store_db_stmt_totals(struct store *st, int64_t run_id, const char *datname, struct store_db_totals *t,
                         struct err *err);

/** Logged statements of datname: how many, how many over x ms and the
 *  shortest logged (NaN when none). */
int store_db_log_counts(struct store *st, int64_t run_id, const char *datname, double x, long *n_log, long *n_above,
                        double *min_logged, struct err *err);

/** Whether run_id was ingested with a server log (csvlog or stderr). */
int store_db_has_log(struct store *st, int64_t run_id, int *yes, struct err *err);

/** The log entries of run_id counted by kind, by kind. Strings owned. */
struct store_db_kind_count {
  char *kind;
  int64_t n;
};
int store_db_log_kinds(struct store *st, int64_t run_id, struct store_db_kind_count **out, size_t *n,
                       struct err *err);
void store_db_kind_counts_free(struct store_db_kind_count *r, size_t n);

/** A statement as show lists it. Strings owned. From pg_stat_statements
 *  (store_db_statements_by_time): numbers NaN when NULL, logged the log
 *  entries that match it; from the log alone (store_db_log_statements):
 *  count the entries, calls = count, total_ms, mean_ms and max_ms of the
 *  logged durations (0 when NULL), rows and blocks NaN. */
struct store_db_statement {
  char *query;
  int has_queryid;
  int64_t queryid;
  double calls, total_ms, mean_ms, max_ms, rows, shared_blks_hit, shared_blks_read;
  int64_t logged, count;
};
/** The top-level statements of datname, the limit largest by total time
 *  (then calls, then text) first. */
int store_db_statements_by_time(struct store *st, int64_t run_id, const char *datname, int limit,
                                struct store_db_statement **out, size_t *n, struct err *err);
/** The logged statements of datname grouped by query id (else normalised
 *  text), the limit largest by total time (then text) first. */
int store_db_log_statements(struct store *st, int64_t run_id, const char *datname, int limit,
                            struct store_db_statement **out, size_t *n, struct err *err);
void store_db_statements_free(struct store_db_statement *r, size_t n);

/** Logged statements over slow_ms grouped by query id (the log's, else
 *  pg_stat_statements' for the same text) or else text: how many, the
 *  longest (ms), the first and last time stamps (0 when NULL), a database.
 *  Most first, then longest, then text. Strings owned. */
struct store_db_slow_stmt {
  char *query, *database;
  int has_queryid;
  int64_t queryid, count;
  double max_ms, first_ts, last_ts;
};
int store_db_slow_statements(struct store *st, int64_t run_id, double slow_ms, struct store_db_slow_stmt **out,
                             size_t *n, struct err *err);
void store_db_slow_statements_free(struct store_db_slow_stmt *r, size_t n);

#endif
