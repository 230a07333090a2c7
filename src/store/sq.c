/* sq.c - the query interface of store/sq.h: SQLite here, PostgreSQL in
 * store/sq_pg.c. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct sq_stmt *sq_prepare(struct store *st, const char *sql, struct err *err) {
  struct sq_stmt *q = xcalloc(1, sizeof *q);
  q->st = st;
  if (st->kind == STORE_POSTGRES) {
    q->pg = pg_prepare(st, sql);
    return q;
  }
  if (sqlite3_prepare_v2(st->db, sql, -1, &q->lite, NULL) != SQLITE_OK) {
    store_fail(st, err, "cannot prepare statement");
    sqlite3_finalize(q->lite);
    free(q);
    return NULL;
  }
  return q;
}

void sq_bind_int64(struct sq_stmt *q, int i, int64_t v) {
  if (q->pg)
    pg_bind(q->pg, i, SQ_T_INT, NULL, 0, v, 0);
  else
    sqlite3_bind_int64(q->lite, i, v);
}

void sq_bind_double(struct sq_stmt *q, int i, double v) {
  if (isnan(v))
    sq_bind_null(q, i);
  else if (q->pg)
    pg_bind(q->pg, i, SQ_T_DOUBLE, NULL, 0, 0, v);
  else
    sqlite3_bind_double(q->lite, i, v);
}

void sq_bind_text(struct sq_stmt *q, int i, const char *s) {
  if (!s)
    sq_bind_null(q, i);
  else if (q->pg)
    pg_bind(q->pg, i, SQ_T_TEXT, s, strlen(s), 0, 0);
  else
    sqlite3_bind_text(q->lite, i, s, -1, SQLITE_TRANSIENT);
}

void sq_bind_blob(struct sq_stmt *q, int i, const void *p, size_t n) {
  if (q->pg)
    pg_bind(q->pg, i, SQ_T_BLOB, p, n, 0, 0);
  else
    sqlite3_bind_blob64(q->lite, i, n ? p : "", n, SQLITE_TRANSIENT);
}

void sq_bind_null(struct sq_stmt *q, int i) {
  if (q->pg)
    pg_bind(q->pg, i, SQ_T_NULL, NULL, 0, 0, 0);
  else
    sqlite3_bind_null(q->lite, i);
}

static void bind_va(struct sq_stmt *q, const char *fmt, va_list ap) {
  for (int i = 1; *fmt; fmt++, i++) {
    switch (*fmt) {
    case 'i':
      sq_bind_int64(q, i, va_arg(ap, int64_t));
      break;
    case 'I':
      sq_bind_int64(q, i, va_arg(ap, int));
      break;
    case 'd':
      sq_bind_double(q, i, va_arg(ap, double));
      break;
    case 's':
      sq_bind_text(q, i, va_arg(ap, const char *));
      break;
    case 'b': {
      const void *p = va_arg(ap, const void *);
      sq_bind_blob(q, i, p, va_arg(ap, size_t));
      break;
    }
    case 'n':
      sq_bind_null(q, i);
      break;
    case '-':
      break;
    default:
      BUG("bad bind format '%c'", *fmt);
    }
  }
}

void sq_bindf(struct sq_stmt *q, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  bind_va(q, fmt, ap);
  va_end(ap);
}

int sq_step(struct sq_stmt *q) {
  if (q->pg)
    return pg_step(q);
  int rc = sqlite3_step(q->lite);
  return rc == SQLITE_ROW ? SQ_ROW : rc == SQLITE_DONE ? SQ_DONE : SQ_ERROR;
}

void sq_reset(struct sq_stmt *q) {
  if (q->pg)
    pg_reset(q->pg);
  else
    sqlite3_reset(q->lite);
}

void sq_finalize(struct sq_stmt *q) {
  if (!q)
    return;
  if (q->pg)
    pg_finalize(q->pg);
  else
    sqlite3_finalize(q->lite);
  free(q);
}

int sq_is_null(struct sq_stmt *q, int col) {
  return q->pg ? pg_is_null(q->pg, col) : sqlite3_column_type(q->lite, col) == SQLITE_NULL;
}

int64_t sq_int64(struct sq_stmt *q, int col) {
  if (!q->pg)
    return sqlite3_column_int64(q->lite, col);
  const char *t = pg_text(q->pg, col);
  if (!strcmp(t, "t"))
    return 1; /* a boolean expression */
  /* A numeric (sum, avg of integers) or a float: what SQLite's cast gives. */
  char *end;
  long long v = strtoll(t, &end, 10);
  return *end == '.' || *end == 'e' || *end == 'E' ? (int64_t)strtod(t, NULL) : (int64_t)v;
}

int sq_int(struct sq_stmt *q, int col) { return (int)sq_int64(q, col); }

double sq_double(struct sq_stmt *q, int col) {
  if (sq_is_null(q, col))
    return NAN;
  if (!q->pg)
    return sqlite3_column_double(q->lite, col);
  const char *t = pg_text(q->pg, col);
  return !strcmp(t, "t") ? 1 : !strcmp(t, "f") ? 0 : strtod(t, NULL);
}

const char *sq_text(struct sq_stmt *q, int col) {
  if (q->pg)
    return pg_text(q->pg, col);
  const unsigned char *t = sqlite3_column_text(q->lite, col);
  return t ? (const char *)t : "";
}

const void *sq_blob(struct sq_stmt *q, int col, size_t *n) {
  if (q->pg)
    return pg_blob(q->pg, col, n);
  const void *p = sqlite3_column_blob(q->lite, col);
  *n = p ? (size_t)sqlite3_column_bytes(q->lite, col) : 0;
  return p;
}

struct sq_stmt *sq_query_va(struct store *st, struct err *err, const char *sql, const char *fmt, va_list ap) {
  struct sq_stmt *q = sq_prepare(st, sql, err);
  if (q)
    bind_va(q, fmt, ap);
  return q;
}

struct sq_stmt *sq_query(struct store *st, struct err *err, const char *sql, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  struct sq_stmt *q = sq_query_va(st, err, sql, fmt, ap);
  va_end(ap);
  return q;
}

/* Runs sql to its end; *first (when not NULL) gets the first row's first
 * column unless it is NULL or there is no row. */
static int run_va(struct store *st, struct err *err, const char *what, int64_t *first, const char *sql,
                  const char *fmt, va_list ap) {
  struct sq_stmt *q = sq_query_va(st, err, sql, fmt, ap);
  if (!q)
    return -1;
  int rc, row = 0;
  while ((rc = sq_step(q)) == SQ_ROW)
    if (first && row++ == 0 && !sq_is_null(q, 0))
      *first = sq_int64(q, 0);
  if (rc != SQ_DONE)
    store_fail(st, err, what);
  sq_finalize(q);
  return rc == SQ_DONE ? 0 : -1;
}

int sq_run(struct store *st, struct err *err, const char *what, const char *sql, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = run_va(st, err, what, NULL, sql, fmt, ap);
  va_end(ap);
  return rc;
}

int sq_int64_of(struct store *st, struct err *err, const char *what, int64_t dflt, int64_t *v, const char *sql,
                const char *fmt, ...) {
  *v = dflt;
  va_list ap;
  va_start(ap, fmt);
  int rc = run_va(st, err, what, v, sql, fmt, ap);
  va_end(ap);
  return rc;
}

int64_t sq_changes(struct store *st) {
  return st->kind == STORE_POSTGRES ? st->pg_changes : (int64_t)sqlite3_changes(st->db);
}

/* Bulk loading. */
struct sq_bulk {
  struct store *st;
  struct sq_stmt *ins;  /* SQLite */
  struct pg_bulk *pg;   /* PostgreSQL */
  int col;
};

struct sq_bulk *sq_bulk_begin(struct store *st, const char *table, const char *columns, struct err *err) {
  struct sq_bulk *b = xcalloc(1, sizeof *b);
  b->st = st;
  if (st->kind == STORE_POSTGRES) {
    b->pg = pg_bulk_begin(st, table, columns);
    if (!b->pg) {
      store_fail(st, err, "cannot start loading rows");
      free(b);
      return NULL;
    }
    return b;
  }
  int ncol = 1;
  for (const char *p = columns; *p; p++)
    ncol += *p == ',';
  struct strbuf sql = STRBUF_INIT;
  strbuf_addf(&sql, "INSERT INTO %s (%s) VALUES (?", table, columns);
  for (int i = 1; i < ncol; i++)
    strbuf_addstr(&sql, ", ?");
  strbuf_addch(&sql, ')');
  b->ins = sq_prepare(st, sql.buf, err);
  strbuf_release(&sql);
  if (!b->ins) {
    free(b);
    return NULL;
  }
  return b;
}

static void bulk_text(struct sq_bulk *b, const char *s) {
  pg_bulk_value(b->pg, s);
}

void sq_bulk_int64(struct sq_bulk *b, int64_t v) {
  if (!b->pg) {
    sq_bind_int64(b->ins, ++b->col, v);
    return;
  }
  char t[32];
  snprintf(t, sizeof t, "%" PRId64, v);
  bulk_text(b, t);
}

void sq_bulk_double(struct sq_bulk *b, double v) {
  if (!b->pg) {
    sq_bind_double(b->ins, ++b->col, v);
    return;
  }
  if (isnan(v)) {
    bulk_text(b, NULL);
    return;
  }
  char t[40];
  snprintf(t, sizeof t, "%.17g", v);
  bulk_text(b, t);
}

void sq_bulk_text(struct sq_bulk *b, const char *s) {
  if (b->pg)
    bulk_text(b, s);
  else
    sq_bind_text(b->ins, ++b->col, s);
}

void sq_bulk_null(struct sq_bulk *b) {
  if (b->pg)
    bulk_text(b, NULL);
  else
    sq_bind_null(b->ins, ++b->col);
}

void sq_bulk_int64_or_null(struct sq_bulk *b, int has, int64_t v) {
  if (has)
    sq_bulk_int64(b, v);
  else
    sq_bulk_null(b);
}

int sq_bulk_end_row(struct sq_bulk *b, struct err *err) {
  if (b->pg)
    return pg_bulk_end_row(b->pg) < 0 ? store_fail(b->st, err, "cannot load rows") : 0;
  b->col = 0;
  int rc = sq_step(b->ins);
  sq_reset(b->ins);
  return rc == SQ_DONE ? 0 : store_fail(b->st, err, "cannot insert a row");
}

/* Frees b: after its last row, or after an error elsewhere. */
static void bulk_free(struct sq_bulk *b) {
  if (b->pg)
    pg_bulk_abort(b->pg);
  else
    sq_finalize(b->ins);
  free(b);
}

int sq_bulk_finish(struct sq_bulk *b, struct err *err) {
  int rc = 0;
  if (b->pg && pg_bulk_finish(b->pg) < 0)
    rc = store_fail(b->st, err, "cannot load rows");
  if (b->pg)
    b->pg = NULL; /* pg_bulk_finish freed it */
  bulk_free(b);
  return rc;
}

void sq_bulk_abort(struct sq_bulk *b) {
  if (b)
    bulk_free(b);
}
