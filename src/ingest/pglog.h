/* pglog.h - PostgreSQL inputs: server logs (csvlog and the stderr format),
 * pg_stat_statements CSV exports and CSV snapshots of the statistics views.
 *
 * Kinds (detected from content, never from the file name):
 *  - PG_CSVLOG: csvlog records (no header; 23 to 26 columns, PostgreSQL 9.x
 *    to 17; the record starts with "YYYY-MM-DD HH:MM:SS[.fff] ZONE,").
 *    Quoted fields may span lines.
 *  - PG_STDERR: the stderr format: a line starting with a time stamp
 *    (log_line_prefix %m or %t first) and a "SEVERITY:  " marker; lines
 *    starting with a tab continue the message before them.
 *  - PG_STAT_STATEMENTS: a CSV with a header naming query, calls and
 *    total_exec_time (PostgreSQL 13+) or total_time (12 and older).
 *  - PG_STAT_DATABASE, PG_STAT_ACTIVITY, PG_STAT_TABLES, PG_STAT_INDEXES,
 *    PG_STATIO_TABLES: CSV exports (with their header) of pg_stat_database,
 *    pg_stat_activity, pg_stat_user_tables, pg_stat_user_indexes,
 *    pg_statio_user_tables; PG_SETTINGS: pg_settings (name, setting, unit),
 *    stored as the snapshot view "settings". Columns not named here are ignored.
 *
 * Log entries: `duration: X ms  statement: SQL` and `duration: X ms  execute
 * NAME: SQL` are statements (with their time stamp, process, database and,
 * in csvlog from PostgreSQL 14, query_id); auto_explain's `duration: X ms
 * plan:` is the plan of a statement logged on its own and never a second
 * statement; every other entry is counted by kind (deadlock, lock_wait,
 * statement_timeout, error, fatal, panic, warning, checkpoint, autovacuum,
 * temp_file, lost_in_transaction, other).
 */
#ifndef LOADREP_PGLOG_H
#define LOADREP_PGLOG_H
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct err;
struct reader;

enum pg_kind {
  PG_NONE = 0,
  PG_CSVLOG,
  PG_STDERR,
  PG_STAT_STATEMENTS,
  PG_STAT_DATABASE,
  PG_STAT_ACTIVITY,
  PG_STAT_TABLES,
  PG_STAT_INDEXES,
  PG_STATIO_TABLES,
  PG_SETTINGS
};

/** The kind from the start of the (decompressed) content; PG_NONE otherwise. */
enum pg_kind pg_detect(const unsigned char *head, size_t n);
/** "pg-csvlog", "pg-stderr-log", "pg-stat-statements", "pg-stat-database", ... */
const char *pg_kind_name(enum pg_kind k);
/** The view name of a snapshot kind ("pg_stat_database", ...), else NULL. */
const char *pg_view_name(enum pg_kind k);

/** The normalised form of a statement: constants (numbers, '...', E'...',
 *  B'...', X'...', $$...$$, $tag$...$tag$) become $1, $2, ... in order
 *  (numbered after the highest parameter already in the text, as
 *  pg_stat_statements does), runs of white space one space, no trailing
 *  semicolon. Identifiers ("..." and names such as t1) stay. Applied to a
 *  pg_stat_statements text it changes white space only, so both sides join.
 *  Returns a malloc'ed string. */
char *pg_normalise(const char *sql, size_t len);

enum pg_entry_kind {
  PGE_STATEMENT = 0,
  PGE_PLAN,
  PGE_DEADLOCK,
  PGE_LOCK_WAIT,
  PGE_STATEMENT_TIMEOUT,
  PGE_ERROR,
  PGE_FATAL,
  PGE_PANIC,
  PGE_WARNING,
  PGE_CHECKPOINT,
  PGE_AUTOVACUUM,
  PGE_TEMP_FILE,
  PGE_LOST_IN_TX,
  PGE_OTHER
};
const char *pg_entry_kind_name(enum pg_entry_kind k);

/** One log entry. Strings are valid during the callback only; "" when
 *  absent. duration_ms is NaN without a duration. */
struct pg_log_entry {
  long line;                /* first line of the entry in its file */
  double ts;                /* epoch seconds */
  long pid;
  const char *user, *database, *app, *severity, *sqlstate;
  enum pg_entry_kind kind;
  double duration_ms;
  const char *query;        /* statements: the SQL text as logged */
  const char *message;      /* the whole message */
  int has_queryid;
  int64_t queryid;
};

/** One row of a pg_stat_statements export. NaN/-1 for absent columns. */
struct pg_stmt_row {
  long line;
  const char *datname, *query;
  int has_queryid;
  int64_t queryid;
  int toplevel;             /* 1, 0, or -1 when the column is absent */
  double calls, total_ms, mean_ms, min_ms, max_ms, stddev_ms, rows;
  double shared_blks_hit, shared_blks_read, temp_blks_written;
};

struct pg_sink {
  void *ctx;
  int (*entry)(void *ctx, const struct pg_log_entry *e, struct err *err);
  int (*stmt)(void *ctx, const struct pg_stmt_row *s, struct err *err);
  /* Snapshot rows: the header's names and the row's values, ncol each. */
  int (*snapshot)(void *ctx, const char *view, long line, char **names, char **values, size_t ncol,
                  struct err *err);
};

/** Parses a whole file of kind k from r (opened, maybe peeked). Errors:
 *  LR_DATAERR "path:line: what was wrong". */
int pg_parse(struct reader *r, enum pg_kind k, const struct pg_sink *sink, struct err *err);

/** Splits one CSV record (RFC 4180: quoted fields with "" and new lines)
 *  from the reader into fields. 1 with *nf fields, 0 at end of file, -1 on
 *  error (an unterminated quote at the end of the file). *line gets the
 *  record's first line. Fields point into rec (owned by the caller). */
struct pg_csv_record {
  struct strbuf buf; /* STRBUF_INIT */
  char **f;
  size_t nf, cap;
  long line;
};
int pg_csv_next(struct reader *r, struct pg_csv_record *rec, struct err *err);
void pg_csv_release(struct pg_csv_record *rec);

#endif
