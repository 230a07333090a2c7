/* store_rows.c - the rows of a query into structs (store/store_rows.h). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

static const struct store_field id_field[] = {{SF_I64, 0}};
const struct store_shape store_id_shape = {sizeof(int64_t), id_field, 1};

/* Column col of q's current row into *p as type says. */
static void read_col(struct sq_stmt *q, int col, enum store_field_type type, void *p) {
  int null = sq_is_null(q, col);
  switch (type) {
  case SF_STR:
    *(char **)p = xstrdup(sq_text(q, col));
    break;
  case SF_STR_OR_NULL:
    *(char **)p = null ? NULL : xstrdup(sq_text(q, col));
    break;
  case SF_I64:
    *(int64_t *)p = sq_int64(q, col);
    break;
  case SF_U64:
    *(uint64_t *)p = (uint64_t)sq_int64(q, col);
    break;
  case SF_INT:
    *(int *)p = sq_int(q, col);
    break;
  case SF_INT_OR_NEG:
    *(int *)p = null ? -1 : sq_int(q, col);
    break;
  case SF_LONG:
    *(long *)p = (long)sq_int64(q, col);
    break;
  case SF_LONG_OR_NEG:
    *(long *)p = null ? -1 : (long)sq_int64(q, col);
    break;
  case SF_TRI:
    *(int *)p = null ? -1 : sq_int(q, col) != 0;
    break;
  case SF_DBL:
    *(double *)p = sq_double(q, col);
    break;
  case SF_DBL0: {
    double v = sq_double(q, col);
    *(double *)p = isnan(v) ? 0 : v;
    break;
  }
  case SF_NOT_NULL:
    *(int *)p = !null;
    break;
  }
}

void store_row_read(struct sq_stmt *q, int col, void *item, const struct store_field *f, size_t nf) {
  for (size_t i = 0; i < nf; i++) {
    read_col(q, col, f[i].type, (char *)item + f[i].offset);
    if (f[i].type != SF_NOT_NULL) /* the next field reads this column too */
      col++;
  }
}

void store_rows_free(void *items, size_t n, const struct store_shape *s) {
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < s->nf; k++)
      if (s->f[k].type == SF_STR || s->f[k].type == SF_STR_OR_NULL)
        free(*(char **)((char *)items + i * s->size + s->f[k].offset));
  free(items);
}

/* How rows become items: a callback and its release, or a shape. */
struct row_reader {
  size_t size;
  store_row_fn row;
  store_release_fn release;
  const struct store_shape *shape;
};

static int rows_read(struct store *st, struct sq_stmt *q, const struct row_reader *r, const char *what, void **out,
                     size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  if (!q)
    return -1;
  size_t cap = 0;
  int rc, bad = 0;
  while ((rc = sq_step(q)) == SQ_ROW) {
    xgrow(out, &cap, *n + 1, r->size);
    void *item = (char *)*out + *n * r->size;
    memset(item, 0, r->size);
    (*n)++;
    if (!r->row)
      store_row_read(q, 0, item, r->shape->f, r->shape->nf);
    else if (r->row(q, item, err) < 0) {
      bad = 1;
      break;
    }
  }
  if (!bad && rc != SQ_DONE)
    store_fail(st, err, what);
  sq_finalize(q);
  if (!bad && rc == SQ_DONE)
    return 0;
  if (r->row)
    r->release(*out, *n);
  else
    store_rows_free(*out, *n, r->shape);
  *out = NULL;
  *n = 0;
  return -1;
}

int store_rows(struct store *st, struct sq_stmt *q, size_t size, store_row_fn row, store_release_fn release,
               const char *what, void **out, size_t *n, struct err *err) {
  struct row_reader r = {size, row, release, NULL};
  return rows_read(st, q, &r, what, out, n, err);
}

int store_rows_of_id(struct store *st, const char *sql, int64_t id, size_t size, store_row_fn row,
                     store_release_fn release, const char *what, void **out, size_t *n, struct err *err) {
  return store_rows(st, sq_query(st, err, sql, "i", id), size, row, release, what, out, n, err);
}

int store_rows_map(struct store *st, struct sq_stmt *q, const struct store_shape *s, const char *what, void **out,
                   size_t *n, struct err *err) {
  struct row_reader r = {s->size, NULL, NULL, s};
  return rows_read(st, q, &r, what, out, n, err);
}

int store_rows_map_of_id(struct store *st, const char *sql, int64_t id, const struct store_shape *s, const char *what,
                         void **out, size_t *n, struct err *err) {
  return store_rows_map(st, sq_query(st, err, sql, "i", id), s, what, out, n, err);
}

/* The field type of a store_scan_first() format letter. */
static enum store_field_type scan_type(char c) {
  static const char letters[] = "sSiuIlz";
  static const enum store_field_type types[] = {SF_STR, SF_STR_OR_NULL, SF_I64, SF_U64, SF_INT, SF_LONG, SF_DBL0};
  const char *at = strchr(letters, c);
  return at && c ? types[at - letters] : SF_DBL;
}

/* The next pointer of ap, read as the pointer type of t. */
static void *scan_arg(enum store_field_type t, va_list *ap) {
  switch (t) {
  case SF_STR:
  case SF_STR_OR_NULL:
    return va_arg(*ap, char **);
  case SF_I64:
    return va_arg(*ap, int64_t *);
  case SF_U64:
    return va_arg(*ap, uint64_t *);
  case SF_INT:
    return va_arg(*ap, int *);
  case SF_LONG:
    return va_arg(*ap, long *);
  default:
    return va_arg(*ap, double *);
  }
}

int store_scan_first(struct store *st, struct sq_stmt *q, const char *what, struct err *err, const char *fmt, ...) {
  if (!q)
    return -1;
  int rc = sq_step(q);
  if (rc == SQ_ROW) {
    va_list ap;
    va_start(ap, fmt);
    for (int col = 0; fmt[col]; col++) {
      enum store_field_type t = scan_type(fmt[col]);
      void *p = scan_arg(t, &ap);
      if (p)
        read_col(q, col, t, p);
    }
    va_end(ap);
  }
  sq_finalize(q);
  return rc != SQ_ERROR || !what ? 0 : store_fail(st, err, what);
}

int store_rows_query(struct store *st, struct err *err, const struct store_shape *s, const char *what, void **out,
                     size_t *n, const char *sql, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  struct sq_stmt *q = sq_query_va(st, err, sql, fmt, ap);
  va_end(ap);
  return store_rows_map(st, q, s, what, out, n, err);
}
