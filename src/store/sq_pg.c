/* sq_pg.c - the PostgreSQL backend of store/sq.h, through libpq.
 *
 * Statements run with PQexecParams in text format (bytea parameters in
 * binary): `?N` and `?` become `$N` once, at prepare. Integers bind as
 * int8, doubles as float8 (17 significant digits, exact), text with its
 * type left for the server to infer from where it is used. Results are
 * read as text (float8's shortest exact form since PostgreSQL 12). Bulk
 * loading is COPY ... FROM STDIN in text format. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define PG(st) ((PGconn *)(st)->pg)

enum { OID_BYTEA = 17, OID_INT8 = 20, OID_FLOAT8 = 701 };

struct pg_stmt {
  struct store *st;
  char *sql;
  int nparams;
  Oid *types;
  char **vals;
  int *lens, *fmts;
  PGresult *res;
  int row, nrows, executed;
  unsigned char *blob; /* the last sq_blob() value, PQfreemem'd */
};

struct pg_bulk {
  struct store *st;
  char *copy_sql;
  struct strbuf line, buf;
  int ncols;
};

static struct pg_bulk *pending; /* the load with rows not yet sent, if any */

int store_is_pg_uri(const char *target) {
  return target && (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11));
}

static void keep_error(struct store *st, const PGresult *r) {
  const char *msg = r ? PQresultErrorMessage(r) : "";
  if (!msg || !*msg)
    msg = PQerrorMessage(PG(st));
  snprintf(st->pg_error, sizeof st->pg_error, "%s", msg && *msg ? msg : "unknown error");
  size_t n = strlen(st->pg_error);
  while (n && (st->pg_error[n - 1] == '\n' || st->pg_error[n - 1] == ' '))
    st->pg_error[--n] = '\0';
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  snprintf(st->pg_sqlstate, sizeof st->pg_sqlstate, "%s", state ? state : "08000");
}

static void quiet(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

/* The URI as messages show it: the password replaced by "***". */
static char *redact(const char *uri) {
  const char *at = strchr(uri, '@'), *scheme = strstr(uri, "://");
  const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
  if (!at || !colon || colon > at)
    return xstrdup(uri);
  struct strbuf sb = STRBUF_INIT;
  strbuf_add(&sb, uri, (size_t)(colon - uri));
  strbuf_addstr(&sb, ":***");
  strbuf_addstr(&sb, at);
  return strbuf_detach(&sb, NULL);
}

int pg_open(struct store *st, const char *uri, struct err *err) {
  st->path = redact(uri);
  PGconn *c = PQconnectdb(uri);
  st->pg = (struct pg_conn *)c;
  if (!c || PQstatus(c) != CONNECTION_OK) {
    const char *m = c ? PQerrorMessage(c) : "out of memory";
    char msg[512];
    snprintf(msg, sizeof msg, "%s", m);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
      msg[--n] = '\0';
    return err_set(err, LR_UNAVAILABLE, "cannot connect to database '%s': %s", st->path, msg);
  }
  PQsetNoticeProcessor(c, quiet, NULL);
  if (pg_exec(st, "SET client_min_messages = warning; SET extra_float_digits = 3") < 0)
    return store_fail(st, err, "cannot set up the session");
  return 0;
}

void pg_close(struct store *st) {
  if (pending && pending->st == st)
    pending = NULL;
  PQfinish(PG(st));
  st->pg = NULL;
}

/* Sends the rows of a bulk load on st not yet sent, if any. */
static int send_pending(struct store *st);

int pg_exec(struct store *st, const char *sql) {
  if (send_pending(st) < 0)
    return -1;
  PGresult *r = PQexec(PG(st), sql);
  ExecStatusType s = PQresultStatus(r);
  int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  if (!ok)
    keep_error(st, r);
  PQclear(r);
  return ok ? 0 : -1;
}

int pg_in_transaction(struct store *st) {
  PGTransactionStatusType t = PQtransactionStatus(PG(st));
  return t == PQTRANS_INERROR ? 2 : t == PQTRANS_INTRANS;
}

/* sql with ?N and ? as $N, outside string literals, quoted names and
 * comments; *max is the highest parameter number. */
static char *rewrite(const char *sql, int *max) {
  struct strbuf sb = STRBUF_INIT;
  int next = 0;
  *max = 0;
  for (const char *p = sql; *p;) {
    if (*p == '\'' || *p == '"') {
      const char *e = strchr(p + 1, *p);
      e = e ? e + 1 : p + strlen(p);
      strbuf_add(&sb, p, (size_t)(e - p));
      p = e;
    } else if (p[0] == '-' && p[1] == '-') {
      const char *e = strchr(p, '\n');
      e = e ? e : p + strlen(p);
      strbuf_add(&sb, p, (size_t)(e - p));
      p = e;
    } else if (*p == '?') {
      int n = 0;
      p++;
      if (*p >= '0' && *p <= '9') {
        while (*p >= '0' && *p <= '9')
          n = n * 10 + (*p++ - '0');
      } else {
        n = ++next > *max ? next : *max + 1;
        next = n;
      }
      if (n > *max)
        *max = n;
      strbuf_addf(&sb, "$%d", n);
    } else {
      strbuf_addch(&sb, *p++);
    }
  }
  return strbuf_detach(&sb, NULL);
}

struct pg_stmt *pg_prepare(struct store *st, const char *sql) {
  struct pg_stmt *q = xcalloc(1, sizeof *q);
  q->st = st;
  q->sql = rewrite(sql, &q->nparams);
  int n = q->nparams ? q->nparams : 1;
  q->types = xcalloc((size_t)n, sizeof *q->types);
  q->vals = xcalloc((size_t)n, sizeof *q->vals);
  q->lens = xcalloc((size_t)n, sizeof *q->lens);
  q->fmts = xcalloc((size_t)n, sizeof *q->fmts);
  return q;
}

void pg_bind(struct pg_stmt *q, int i, int type, const void *p, size_t n, int64_t iv, double dv) {
  if (i < 1 || i > q->nparams)
    BUG("parameter %d of %d in: %s", i, q->nparams, q->sql);
  i--;
  free(q->vals[i]);
  q->vals[i] = NULL;
  q->types[i] = 0;
  q->lens[i] = 0;
  q->fmts[i] = 0;
  char t[40];
  switch (type) {
  case SQ_T_INT:
    snprintf(t, sizeof t, "%lld", (long long)iv);
    q->vals[i] = xstrdup(t);
    q->types[i] = OID_INT8;
    break;
  case SQ_T_DOUBLE:
    snprintf(t, sizeof t, "%.17g", dv);
    q->vals[i] = xstrdup(t);
    q->types[i] = OID_FLOAT8;
    break;
  case SQ_T_TEXT:
    q->vals[i] = xstrndup(p, n);
    break;
  case SQ_T_BLOB:
    q->vals[i] = xmalloc(n ? n : 1);
    if (n)
      memcpy(q->vals[i], p, n);
    q->lens[i] = (int)n;
    q->fmts[i] = 1;
    q->types[i] = OID_BYTEA;
    break;
  default:
    break;
  }
}

static void clear_result(struct pg_stmt *q) {
  PQclear(q->res);
  q->res = NULL;
  if (q->blob)
    PQfreemem(q->blob);
  q->blob = NULL;
}

int pg_step(struct sq_stmt *sq) {
  struct pg_stmt *q = sq->pg;
  struct store *st = q->st;
  if (!q->executed) {
    if (send_pending(st) < 0)
      return SQ_ERROR;
    clear_result(q);
    q->res = PQexecParams(PG(st), q->sql, q->nparams, q->types, (const char *const *)q->vals, q->lens, q->fmts, 0);
    q->executed = 1;
    ExecStatusType s = PQresultStatus(q->res);
    if (s == PGRES_COMMAND_OK) {
      const char *n = PQcmdTuples(q->res);
      st->pg_changes = *n ? strtoll(n, NULL, 10) : 0;
      q->nrows = 0;
    } else if (s == PGRES_TUPLES_OK) {
      const char *n = PQcmdTuples(q->res);
      st->pg_changes = *n ? strtoll(n, NULL, 10) : 0;
      q->nrows = PQntuples(q->res);
    } else {
      keep_error(st, q->res);
      clear_result(q);
      return SQ_ERROR;
    }
    q->row = -1;
  }
  if (q->blob)
    PQfreemem(q->blob);
  q->blob = NULL;
  return ++q->row < q->nrows ? SQ_ROW : SQ_DONE;
}

void pg_reset(struct pg_stmt *q) {
  clear_result(q);
  q->executed = 0;
}

void pg_finalize(struct pg_stmt *q) {
  clear_result(q);
  for (int i = 0; i < q->nparams; i++)
    free(q->vals[i]);
  free(q->vals);
  free(q->types);
  free(q->lens);
  free(q->fmts);
  free(q->sql);
  free(q);
}

static int has_cell(struct pg_stmt *q, int col) {
  return q->res && q->row >= 0 && q->row < q->nrows && col >= 0 && col < PQnfields(q->res);
}

int pg_is_null(struct pg_stmt *q, int col) { return !has_cell(q, col) || PQgetisnull(q->res, q->row, col); }

const char *pg_text(struct pg_stmt *q, int col) { return has_cell(q, col) ? PQgetvalue(q->res, q->row, col) : ""; }

const void *pg_blob(struct pg_stmt *q, int col, size_t *n) {
  *n = 0;
  if (pg_is_null(q, col))
    return NULL;
  if (q->blob)
    PQfreemem(q->blob);
  q->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(q->res, q->row, col), n);
  return *n ? q->blob : NULL;
}

/* Schema text. */
static int word_at(const char *p, const char *start, const char *w) {
  size_t n = strlen(w);
  if (strncmp(p, w, n))
    return 0;
  int before = p == start || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z'));
  char c = p[n];
  int after = !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  return before && after;
}

char *pg_schema_sql(const char *sql) {
  static const struct {
    const char *from, *to;
  } words[] = {
      {"INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
      {"INTEGER", "BIGINT"},
      {"REAL", "DOUBLE PRECISION"},
      {"BLOB", "BYTEA"},
      {"TEXT", "TEXT COLLATE \"C\""}, /* SQLite's order: bytes, whatever the server's locale */
  };
  struct strbuf sb = STRBUF_INIT;
  for (const char *p = sql; *p;) {
    if (p[0] == '-' && p[1] == '-') { /* comments as they are */
      const char *e = strchr(p, '\n');
      e = e ? e : p + strlen(p);
      strbuf_add(&sb, p, (size_t)(e - p));
      p = e;
      continue;
    }
    if (*p == '\'') {
      const char *e = strchr(p + 1, '\'');
      e = e ? e + 1 : p + strlen(p);
      strbuf_add(&sb, p, (size_t)(e - p));
      p = e;
      continue;
    }
    if (word_at(p, sql, "PRAGMA")) { /* the version is loadrep_meta's */
      const char *e = strchr(p, ';');
      p = e ? e + 1 : p + strlen(p);
      continue;
    }
    if (word_at(p, sql, "CREATE") && !strncmp(p, "CREATE TABLE ", 13)) {
      const char *paren = strchr(p, '(');
      if (paren) {
        strbuf_add(&sb, p, (size_t)(paren + 1 - p));
        strbuf_addstr(&sb, " rowid BIGINT GENERATED ALWAYS AS IDENTITY,");
        p = paren + 1;
        continue;
      }
    }
    size_t i;
    for (i = 0; i < sizeof words / sizeof *words; i++)
      if (word_at(p, sql, words[i].from))
        break;
    if (i < sizeof words / sizeof *words) {
      strbuf_addstr(&sb, words[i].to);
      p += strlen(words[i].from);
    } else {
      strbuf_addch(&sb, *p++);
    }
  }
  return strbuf_detach(&sb, NULL);
}

/* Bulk loading: rows gather in a buffer and go by one COPY per megabyte;
 * a statement run before the buffer is full sends it first, so that what
 * the load has written is always there to read. */
struct pg_bulk *pg_bulk_begin(struct store *st, const char *table, const char *columns) {
  struct pg_bulk *b = xcalloc(1, sizeof *b);
  b->st = st;
  struct strbuf sql = STRBUF_INIT;
  strbuf_addf(&sql, "COPY %s (%s) FROM STDIN", table, columns);
  b->copy_sql = strbuf_detach(&sql, NULL);
  b->line = (struct strbuf)STRBUF_INIT;
  b->buf = (struct strbuf)STRBUF_INIT;
  return b;
}

static int copy_out(struct pg_bulk *b) {
  if (pending == b)
    pending = NULL;
  if (!b->buf.len)
    return 0;
  PGconn *c = PG(b->st);
  PGresult *r = PQexec(c, b->copy_sql);
  int ok = PQresultStatus(r) == PGRES_COPY_IN;
  if (!ok)
    keep_error(b->st, r);
  PQclear(r);
  if (!ok)
    return -1;
  int sent = PQputCopyData(c, b->buf.buf, (int)b->buf.len) == 1;
  if (!sent)
    keep_error(b->st, NULL);
  strbuf_reset(&b->buf);
  ok = PQputCopyEnd(c, sent ? NULL : "loading failed") == 1 && sent;
  while ((r = PQgetResult(c)) != NULL) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      keep_error(b->st, r);
      ok = 0;
    }
    PQclear(r);
  }
  return ok ? 0 : -1;
}

static int send_pending(struct store *st) {
  return pending && pending->st == st ? copy_out(pending) : 0;
}

void pg_bulk_value(struct pg_bulk *b, const char *text) {
  if (b->ncols++)
    strbuf_addch(&b->line, '\t');
  if (!text) {
    strbuf_addstr(&b->line, "\\N");
    return;
  }
  static const char special[] = "\\\t\n\r", escaped[] = "\\tnr"; /* COPY's text format */
  for (const char *p = text; *p; p++) {
    const char *k = strchr(special, *p);
    if (k) {
      strbuf_addch(&b->line, '\\');
      strbuf_addch(&b->line, escaped[k - special]);
    } else {
      strbuf_addch(&b->line, *p);
    }
  }
}

int pg_bulk_end_row(struct pg_bulk *b) {
  if (pending && pending != b && pending->st == b->st && copy_out(pending) < 0)
    return -1;
  strbuf_addch(&b->line, '\n');
  strbuf_add(&b->buf, b->line.buf, b->line.len);
  strbuf_reset(&b->line);
  b->ncols = 0;
  pending = b;
  return b->buf.len < (1u << 20) ? 0 : copy_out(b);
}

int pg_bulk_finish(struct pg_bulk *b) {
  int rc = copy_out(b);
  pg_bulk_abort(b);
  return rc;
}

void pg_bulk_abort(struct pg_bulk *b) {
  if (!b)
    return;
  if (pending == b)
    pending = NULL;
  strbuf_release(&b->line);
  strbuf_release(&b->buf);
  free(b->copy_sql);
  free(b);
}
