/* store_rows.c - every row of a query into an array (store/store_rows.h). */
#include <string.h>

#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

int store_rows(struct store *st, struct sq_stmt *q, size_t size, store_row_fn row, store_release_fn release,
               const char *what, void **out, size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  if (!q)
    return -1;
  size_t cap = 0;
  int rc, bad = 0;
  while ((rc = sq_step(q)) == SQ_ROW) {
    xgrow(out, &cap, *n + 1, size);
    void *item = (char *)*out + *n * size;
    memset(item, 0, size);
    (*n)++;
    if (row(q, item, err) < 0) {
      bad = 1;
      break;
    }
  }
  if (!bad && rc != SQ_DONE)
    store_fail(st, err, what);
  sq_finalize(q);
  if (!bad && rc == SQ_DONE)
    return 0;
  release(*out, *n);
  *out = NULL;
  *n = 0;
  return -1;
}

int store_rows_of_id(struct store *st, const char *sql, int64_t id, size_t size, store_row_fn row,
                     store_release_fn release, const char *what, void **out, size_t *n, struct err *err) {
  *out = NULL;
  *n = 0;
  struct sq_stmt *q = sq_query(st, err, sql, "i", id);
  if (!q)
    return -1;
  return store_rows(st, q, size, row, release, what, out, n, err);
}
