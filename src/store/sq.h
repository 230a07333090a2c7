/* sq.h - the query interface every store/ file writes its SQL through, so
 * that one set of statements serves both backends: SQLite (the embedded
 * default) and PostgreSQL (a shared history, through libpq). For the store/
 * files only; the rest of loadrep calls the typed functions of the store_*.h
 * headers.
 *
 * The SQL is the dialect both accept: `?` or `?N` parameters, `INSERT ...
 * ON CONFLICT ... DO ...`, `RETURNING id` for a new row's id, no PRAGMA
 * (store.c keeps the schema version). The PostgreSQL backend rewrites `?N`
 * as `$N` and runs the statement on its first sq_step().
 *
 *   struct sq_stmt *q = sq_query(st, err, "SELECT a, b FROM t WHERE run_id = ? AND name = ?", "is", id, name);
 *   int rc;
 *   while ((rc = sq_step(q)) == SQ_ROW)
 *     use(sq_int64(q, 0), sq_text(q, 1));
 *   sq_finalize(q);
 *   if (rc != SQ_DONE) return store_fail(st, err, "cannot read t");
 *
 * Bind formats (sq_bindf, sq_query, sq_run): 'i' int64_t, 'I' int (both
 * bound as 64-bit integers), 'd' double (NaN binds NULL), 's' const char *
 * (NULL binds NULL), 'b' const void * then size_t (a blob), 'n' NULL (takes
 * no argument), '-' leaves the parameter unbound (NULL; takes no argument).
 */
#ifndef LOADREP_STORE_SQ_H
#define LOADREP_STORE_SQ_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;
struct sq_stmt;

enum { SQ_ERROR = -1, SQ_DONE = 0, SQ_ROW = 1 };

/** Prepares sql; NULL with err filled (LR_SOFTWARE) on failure. */
struct sq_stmt *sq_prepare(struct store *st, const char *sql, struct err *err);
/** Binds by fmt from parameter 1 on (see the top of this file). */
void sq_bindf(struct sq_stmt *q, const char *fmt, ...);
void sq_bind_int64(struct sq_stmt *q, int i, int64_t v);
void sq_bind_double(struct sq_stmt *q, int i, double v);
void sq_bind_text(struct sq_stmt *q, int i, const char *s);
void sq_bind_blob(struct sq_stmt *q, int i, const void *p, size_t n);
void sq_bind_null(struct sq_stmt *q, int i);
/** SQ_ROW with a row to read, SQ_DONE at the end, SQ_ERROR (see store_fail). */
int sq_step(struct sq_stmt *q);
/** Ready to step again with the same bindings (change any of them first). */
void sq_reset(struct sq_stmt *q);
/** Frees q (NULL is fine). */
void sq_finalize(struct sq_stmt *q);

int sq_is_null(struct sq_stmt *q, int col);
int64_t sq_int64(struct sq_stmt *q, int col); /* 0 when NULL */
int sq_int(struct sq_stmt *q, int col);       /* 0 when NULL */
double sq_double(struct sq_stmt *q, int col); /* NaN when NULL */
const char *sq_text(struct sq_stmt *q, int col); /* "" when NULL; valid until the next step */
/** The blob of a column (NULL and 0 when NULL or empty); valid until the next step. */
const void *sq_blob(struct sq_stmt *q, int col, size_t *n);

/** Prepares sql and binds fmt's arguments; NULL with err filled. */
struct sq_stmt *sq_query(struct store *st, struct err *err, const char *sql, const char *fmt, ...);
/** sq_query() with the arguments as a va_list. */
struct sq_stmt *sq_query_va(struct store *st, struct err *err, const char *sql, const char *fmt, va_list ap);
/** Prepares, binds, steps to the end and finalizes a statement with no rows
 *  to read; on failure err says `what` and the database's message. */
int sq_run(struct store *st, struct err *err, const char *what, const char *sql, const char *fmt, ...);
/** The first column of the first row as an integer (*v = dflt when there is
 *  no row or it is NULL). */
int sq_int64_of(struct store *st, struct err *err, const char *what, int64_t dflt, int64_t *v, const char *sql,
                const char *fmt, ...);
/** Rows changed by the last INSERT, UPDATE or DELETE this connection ran. */
int64_t sq_changes(struct store *st);

/* Bulk loading: many rows into one table (PostgreSQL: COPY FROM STDIN;
 * SQLite: one prepared INSERT). Values go in column order, then
 * sq_bulk_end_row(); sq_bulk_finish() sends what remains and frees b
 * (sq_bulk_abort() frees it after an error elsewhere). */
struct sq_bulk;
struct sq_bulk *sq_bulk_begin(struct store *st, const char *table, const char *columns, struct err *err);
void sq_bulk_int64(struct sq_bulk *b, int64_t v);
void sq_bulk_double(struct sq_bulk *b, double v); /* NaN is NULL */
void sq_bulk_text(struct sq_bulk *b, const char *s); /* NULL is NULL */
void sq_bulk_null(struct sq_bulk *b);
void sq_bulk_int64_or_null(struct sq_bulk *b, int has, int64_t v); /* v when has, else NULL */
int sq_bulk_end_row(struct sq_bulk *b, struct err *err);
int sq_bulk_finish(struct sq_bulk *b, struct err *err);
void sq_bulk_abort(struct sq_bulk *b);

#endif
