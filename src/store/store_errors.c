#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_errors.h"
#include "store/store_rows.h"
#include "util/err.h"

#define F(type, member) STORE_FIELD(type, struct store_error_row, member)
/* Columns: endpoint_id, status, error_code, error, count. */
static const struct store_field error_fields[] = {F(SF_I64, endpoint_id), F(SF_STR, status), F(SF_STR, error_code),
                                                  F(SF_STR, error), F(SF_I64, count)};
static const struct store_shape error_shape = STORE_SHAPE(struct store_error_row, error_fields);
/* Columns: method, name, status, error_code, error, count. */
static const struct store_field named_fields[] = {F(SF_STR, method),     F(SF_STR, name),  F(SF_STR, status),
                                                  F(SF_STR, error_code), F(SF_STR, error), F(SF_I64, count)};
static const struct store_shape named_shape = STORE_SHAPE(struct store_error_row, named_fields);
#undef F

/* Every row of both shapes has its strings in named_shape or is NULL there. */
void store_error_rows_free(struct store_error_row *e, size_t n) { store_rows_free(e, n, &named_shape); }

STORE_LIST_OF_ID(store_errors_of_run, struct store_error_row, error_shape,
                 "SELECT x.endpoint_id, x.status, x.error_code, x.error, x.count FROM errors x "
                 "JOIN endpoints e ON e.id = x.endpoint_id WHERE e.run_id = ? "
                 "ORDER BY x.count DESC, x.status, x.error_code",
                 "reading the run's errors")

STORE_LIST_OF_ID(store_errors_of_endpoint, struct store_error_row, error_shape,
                 "SELECT endpoint_id, status, error_code, error, 0 FROM errors WHERE endpoint_id = ?",
                 "reading the endpoint's errors")

int store_error_codes_top(struct store *st, int64_t run_id, int limit, struct store_error_row **out, size_t *n,
                          struct err *err) {
  return store_rows_query(st, err, &error_shape, "reading the run's error codes", (void **)out, n,
                          "SELECT 0, x.status, x.error_code, '', sum(x.count) FROM errors x JOIN endpoints e ON "
                          "e.id = x.endpoint_id WHERE e.run_id = ? GROUP BY x.status, x.error_code "
                          "ORDER BY 5 DESC, 2, 3 LIMIT ?",
                          "iI", run_id, limit);
}

int store_errors_named(struct store *st, int64_t run_id, struct store_error_row **out, size_t *n, struct err *err) {
  return store_rows_map_of_id(
      st,
      "SELECT e.method, e.name, r.status, r.error_code, r.error, r.count FROM errors r "
      "JOIN endpoints e ON e.id = r.endpoint_id WHERE e.run_id = ? ORDER BY r.count DESC, e.name",
      run_id, &named_shape, "reading the run's errors", (void **)out, n, err);
}
