#include <stdlib.h>
#include <string.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_errors.h"
#include "store/store_rows.h"
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

static void errors_release(void *e, size_t n) {
  store_error_rows_free(e, n);
}

/* Columns: endpoint_id, status, error_code, error, count. */
static int error_row(struct sq_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_error_row *e = item;
  e->endpoint_id = sq_int64(s, 0);
  e->status = xstrdup(sq_text(s, 1));
  e->error_code = xstrdup(sq_text(s, 2));
  e->error = xstrdup(sq_text(s, 3));
  e->count = sq_int64(s, 4);
  return 0;
}

/* Columns: method, name, then as error_row(). */
static int named_row(struct sq_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_error_row *e = item;
  e->method = xstrdup(sq_text(s, 0));
  e->name = xstrdup(sq_text(s, 1));
  e->status = xstrdup(sq_text(s, 2));
  e->error_code = xstrdup(sq_text(s, 3));
  e->error = xstrdup(sq_text(s, 4));
  e->count = sq_int64(s, 5);
  return 0;
}

int store_errors_of_run(struct store *st, int64_t run_id, struct store_error_row **out, size_t *n,
                        struct err *err) {
  return store_rows_of_id(st,
                          "SELECT x.endpoint_id, x.status, x.error_code, x.error, x.count FROM errors x "
                          "JOIN endpoints e ON e.id = x.endpoint_id WHERE e.run_id = ? "
                          "ORDER BY x.count DESC, x.status, x.error_code",
                          run_id, sizeof **out, error_row, errors_release, "reading the run's errors", (void **)out, n,
                          err);
}

int store_errors_of_endpoint(struct store *st, int64_t endpoint_id, struct store_error_row **out, size_t *n,
                             struct err *err) {
  return store_rows_of_id(st, "SELECT endpoint_id, status, error_code, error, 0 FROM errors WHERE endpoint_id = ?",
                          endpoint_id, sizeof **out, error_row, errors_release, "reading the endpoint's errors",
                          (void **)out, n, err);
}

int store_error_codes_top(struct store *st, int64_t run_id, int limit, struct store_error_row **out, size_t *n,
                          struct err *err) {
  struct sq_stmt *q = sq_query(st, err,
                               "SELECT 0, x.status, x.error_code, '', sum(x.count) FROM errors x JOIN endpoints e ON "
                               "e.id = x.endpoint_id WHERE e.run_id = ? GROUP BY x.status, x.error_code "
                               "ORDER BY 5 DESC, 2, 3 LIMIT ?",
                               "iI", run_id, limit);
  return store_rows(st, q, sizeof **out, error_row, errors_release, "reading the run's error codes", (void **)out, n,
                    err);
}

int store_errors_named(struct store *st, int64_t run_id, struct store_error_row **out, size_t *n,
                       struct err *err) {
  return store_rows_of_id(st,
                          "SELECT e.method, e.name, r.status, r.error_code, r.error, r.count FROM errors r "
                          "JOIN endpoints e ON e.id = r.endpoint_id WHERE e.run_id = ? ORDER BY r.count DESC, e.name",
                          run_id, sizeof **out, named_row, errors_release, "reading the run's errors", (void **)out, n,
                          err);
}
