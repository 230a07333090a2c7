#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_errors.h"
#include "util/err.h"
#include "util/xalloc.h"

void store_error_rows_free(struct store_error_row *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(e[i].status);
    free(e[i].error_code);
    free(e[i].error);
    free(e[i].method);
    free(e[i].name);
  }
  free(e);
}

/* Steps s (bound) to the end: columns endpoint_id (or none when col_ep < 0),
 * status, error_code, error (or none when col_msg < 0), count. */
static int read_rows(struct store *st, sqlite3_stmt *s, int col_ep, int col_msg, int col_count,
                     struct store_error_row **out, size_t *n, const char *what, struct err *err) {
  size_t cap = 0;
  int rc;
  int col = col_ep < 0 ? 0 : 1;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    XGROW(*out, cap, *n + 1);
    struct store_error_row *e = &(*out)[(*n)++];
    memset(e, 0, sizeof *e);
    e->endpoint_id = col_ep < 0 ? 0 : sqlite3_column_int64(s, col_ep);
    e->status = xstrdup(store_col_text(s, col));
    e->error_code = xstrdup(store_col_text(s, col + 1));
    e->error = xstrdup(col_msg < 0 ? "" : store_col_text(s, col_msg));
    e->count = col_count < 0 ? 0 : sqlite3_column_int64(s, col_count);
  }
  sqlite3_finalize(s);
  if (rc == SQLITE_DONE)
    return 0;
  store_error_rows_free(*out, *n);
  *out = NULL;
  *n = 0;
  return err ? store_fail(st, err, what) : -1;
}

int store_errors_of_run(struct store *st, int64_t run_id, struct store_error_row **out, size_t *n,
                        struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT x.endpoint_id, x.status, x.error_code, x.error, x.count FROM errors x "
                                  "JOIN endpoints e ON e.id = x.endpoint_id WHERE e.run_id = ? "
                                  "ORDER BY x.count DESC, x.status, x.error_code",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run_id);
  return read_rows(st, q, 0, 3, 4, out, n, "reading the run's errors", err);
}

int store_errors_of_endpoint(struct store *st, int64_t endpoint_id, struct store_error_row **out, size_t *n,
                             struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q = store_prepare(st, "SELECT status, error_code, error FROM errors WHERE endpoint_id = ?", err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, endpoint_id);
  int rc = read_rows(st, q, -1, 2, -1, out, n, "reading the endpoint's errors", err);
  for (size_t i = 0; i < *n; i++)
    (*out)[i].endpoint_id = endpoint_id;
  return rc;
}

int store_error_codes_top(struct store *st, int64_t run_id, int limit, struct store_error_row **out, size_t *n,
                          struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT x.status, x.error_code, sum(x.count) FROM errors x JOIN endpoints e ON "
                                  "e.id = x.endpoint_id WHERE e.run_id = ? GROUP BY 1, 2 ORDER BY 3 DESC LIMIT ?",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_int64(q, 1, run_id);
  sqlite3_bind_int(q, 2, limit);
  return read_rows(st, q, -1, -1, 2, out, n, "reading the run's error codes", err);
}

int store_errors_named(struct store *st, int64_t run_id, struct store_error_row **out, size_t *n,
                       struct err *err) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT e.method, e.name, r.status, r.error_code, r.error, r.count FROM errors r "
                                  "JOIN endpoints e ON e.id = r.endpoint_id WHERE e.run_id = ? ORDER BY r.count DESC, e.name",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  size_t cap = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    XGROW(*out, cap, *n + 1);
    struct store_error_row *e = &(*out)[(*n)++];
    e->endpoint_id = 0;
    e->method = xstrdup(store_col_text(s, 0));
    e->name = xstrdup(store_col_text(s, 1));
    e->status = xstrdup(store_col_text(s, 2));
    e->error_code = xstrdup(store_col_text(s, 3));
    e->error = xstrdup(store_col_text(s, 4));
    e->count = sqlite3_column_int64(s, 5);
  }
  sqlite3_finalize(s);
  return 0;
}
