/* store_rows.h - reading the rows of a query into structs, for the store/
 * files only (not part of the store interface: a second backend has its
 * own).
 *
 * A row that is plain columns is declared once, as a shape: a table of
 * fields, the columns of the query in order.
 *
 *   static const struct store_field thing_fields[] = {
 *       STORE_FIELD(SF_STR, struct thing, name), STORE_FIELD(SF_I64, struct thing, count)};
 *   static const struct store_shape thing_shape = STORE_SHAPE(struct thing, thing_fields);
 *   return store_rows_map_of_id(st, "SELECT name, count FROM things WHERE run_id = ?", run_id, &thing_shape,
 *                               "reading things", (void **)out, n, err);
 *   void store_things_free(struct thing *v, size_t n) { store_rows_free(v, n, &thing_shape); }
 *
 * A row that needs more (a blob to decode) reads its plain columns with
 * store_row_read() in its own callback and goes through store_rows(). The
 * first row of a query into variables of the caller is store_scan_first():
 *
 *   return store_scan_first(st, sq_query(st, err, "SELECT a, b FROM t WHERE id = ?", "i", id), "reading t", err,
 *                           "sd", &name, &value);
 */
#ifndef LOADREP_STORE_ROWS_H
#define LOADREP_STORE_ROWS_H
#include <stddef.h>
#include <stdint.h>

#include "store/sq.h"
#include "store/store.h"

struct err;

/** What a column becomes in the struct, and what NULL becomes. */
enum store_field_type {
  SF_STR,         /* char *: a copy of the text, "" for NULL */
  SF_STR_OR_NULL, /* char *: a copy of the text, or NULL */
  SF_I64,         /* int64_t: 0 for NULL */
  SF_U64,         /* uint64_t: the integer as unsigned, 0 for NULL */
  SF_INT,         /* int: 0 for NULL */
  SF_INT_OR_NEG,  /* int: -1 for NULL */
  SF_LONG,        /* long: 0 for NULL */
  SF_LONG_OR_NEG, /* long: -1 for NULL */
  SF_TRI,         /* int: -1 for NULL, else 0 or 1 */
  SF_DBL,         /* double: NaN for NULL */
  SF_DBL0,        /* double: 0 for NULL (or NaN) */
  SF_NOT_NULL,    /* int: 1 when the column is not NULL, else 0; the next field reads the same column */
};

struct store_field {
  enum store_field_type type;
  size_t offset;
};

/** A row: the struct's size and its fields, the query's columns in order. */
struct store_shape {
  size_t size;
  const struct store_field *f;
  size_t nf;
};

#define STORE_FIELD(type, st, member) {type, offsetof(st, member)}
#define STORE_NF(fields) (sizeof(fields) / sizeof *(fields))
#define STORE_SHAPE(st, fields) {sizeof(st), fields, STORE_NF(fields)}

/** Rows of one int64_t (an id): the first column. */
extern const struct store_shape store_id_shape;

/** Fills one zeroed item from the current row; -1 with err filled stops. */
typedef int (*store_row_fn)(struct sq_stmt *q, void *item, struct err *err);
/** Frees n items and the array. */
typedef void (*store_release_fn)(void *items, size_t n);

/** Reads the current row of q, from column col on, into item's fields. */
void store_row_read(struct sq_stmt *q, int col, void *item, const struct store_field *f, size_t nf);
/** Frees the strings (SF_STR, SF_STR_OR_NULL) of n items of shape s, and the array. */
void store_rows_free(void *items, size_t n, const struct store_shape *s);

/** Steps q (prepared, parameters bound; NULL: failed, err filled) to its
 *  end into *out (*n items of size bytes; NULL and 0 when none) and
 *  finalizes it. On a failed row or read the items go (release) and the
 *  call fails: the database's error as `what`, or row()'s own. */
int store_rows(struct store *st, struct sq_stmt *q, size_t size, store_row_fn row, store_release_fn release,
               const char *what, void **out, size_t *n, struct err *err);
/** Prepares sql, binds id to its first parameter and reads it as store_rows(). */
int store_rows_of_id(struct store *st, const char *sql, int64_t id, size_t size, store_row_fn row,
                     store_release_fn release, const char *what, void **out, size_t *n, struct err *err);
/** store_rows() for rows of shape s. */
int store_rows_map(struct store *st, struct sq_stmt *q, const struct store_shape *s, const char *what, void **out,
                   size_t *n, struct err *err);
/** store_rows_of_id() for rows of shape s. */
int store_rows_map_of_id(struct store *st, const char *sql, int64_t id, const struct store_shape *s, const char *what,
                         void **out, size_t *n, struct err *err);
/** store_rows_map() of sql with its parameters bound by fmt (sq.h). */
int store_rows_query(struct store *st, struct err *err, const struct store_shape *s, const char *what, void **out,
                     size_t *n, const char *sql, const char *fmt, ...);
/** The first row of q (NULL: failed, err filled) into the pointers after
 *  fmt, one a column, then finalizes q: 's' char ** (a copy, "" for NULL),
 *  'S' char ** (a copy or NULL), 'i' int64_t *, 'u' uint64_t *, 'I' int *,
 *  'l' long * (integers: 0 for NULL), 'd' double * (NaN for NULL), 'z'
 *  double * (0 for NULL); a NULL pointer skips its column. No row leaves
 *  them as they are. A failed read fails as `what`, or is no error when
 *  what is NULL. */
int store_scan_first(struct store *st, struct sq_stmt *q, const char *what, struct err *err, const char *fmt, ...);

/** Defines the shape `shape` of rows of `type` (columns as in `fields`) and
 *  `void free_fn(type *v, size_t n)`, which frees n such rows. */
#define STORE_SHAPE_FREE(shape, type, fields, free_fn)                                                           \
  static const struct store_shape shape = STORE_SHAPE(type, fields);                                          \
  void free_fn(type *v, size_t n) { store_rows_free(v, n, &(shape)); }

/** Defines `int fn(struct store *st, int64_t id, type **out, size_t *n,
 *  struct err *err)`: the rows of sql (its one parameter the id) of shape
 *  `shape`, failing as `what`; the list functions of the store files are
 *  one line each. */
#define STORE_LIST_OF_ID(fn, type, shape, sql, what)                                                             \
  int fn(struct store *st, int64_t id, type **out, size_t *n, struct err *err) {                             \
    return store_rows_map_of_id(st, sql, id, &(shape), what, (void **)out, n, err);                           \
  }

#endif
