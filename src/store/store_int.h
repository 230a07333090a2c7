/* store_int.h - what a store is inside src/store/: the connection of one of
 * two backends and the statement behind struct sq_stmt. Not for use outside
 * src/store/ (the interface is store.h and the typed store_*.h). */
#ifndef LOADREP_STORE_INT_H
#define LOADREP_STORE_INT_H
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/sq.h"

struct pg_conn; /* libpq's PGconn, kept out of this header */
struct pg_stmt;
struct pg_bulk;

enum store_kind { STORE_SQLITE, STORE_POSTGRES };

struct store {
  enum store_kind kind;
  sqlite3 *db;         /* STORE_SQLITE */
  struct pg_conn *pg;  /* STORE_POSTGRES */
  char *path;          /* as named in messages: a file, or the URI without its password */
  int in_tx;           /* PostgreSQL: inside BEGIN ... COMMIT */
  /* PostgreSQL: the last error (SQLite keeps its own). */
  char pg_error[512];
  char pg_sqlstate[6];
  int64_t pg_changes;
};

struct sq_stmt {
  struct store *st;
  sqlite3_stmt *lite;  /* STORE_SQLITE */
  struct pg_stmt *pg;  /* STORE_POSTGRES */
};

/* The PostgreSQL backend (store/sq_pg.c). Functions mirror sq.h's. */
int pg_open(struct store *st, const char *uri, struct err *err);
void pg_close(struct store *st);
int pg_exec(struct store *st, const char *sql);
/** 0 outside a transaction, 1 inside, 2 inside one that failed. */
int pg_in_transaction(struct store *st);
struct pg_stmt *pg_prepare(struct store *st, const char *sql);
void pg_bind(struct pg_stmt *q, int i, int type, const void *p, size_t n, int64_t iv, double dv);
int pg_step(struct sq_stmt *q);
void pg_reset(struct pg_stmt *q);
void pg_finalize(struct pg_stmt *q);
int pg_is_null(struct pg_stmt *q, int col);
const char *pg_text(struct pg_stmt *q, int col);
const void *pg_blob(struct pg_stmt *q, int col, size_t *n);
struct pg_bulk *pg_bulk_begin(struct store *st, const char *table, const char *columns);
void pg_bulk_value(struct pg_bulk *b, const char *text); /* NULL is NULL; text is escaped here */
int pg_bulk_end_row(struct pg_bulk *b);
int pg_bulk_finish(struct pg_bulk *b);
void pg_bulk_abort(struct pg_bulk *b);
/** schema.sql's text (or a migration's) for PostgreSQL: BIGINT, DOUBLE
 *  PRECISION, BYTEA, TEXT COLLATE "C", identity keys, a rowid identity
 *  column in every table, no PRAGMA. Freed by the caller. */
char *pg_schema_sql(const char *sqlite_sql);
/** True when target names a PostgreSQL database (postgresql:// or postgres://). */
int store_is_pg_uri(const char *target);

/* Bind types pg_bind() takes. */
enum { SQ_T_NULL, SQ_T_INT, SQ_T_DOUBLE, SQ_T_TEXT, SQ_T_BLOB };

#endif
