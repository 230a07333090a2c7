/* store_errors.h - the failed requests of a run by endpoint, status and
 * error code (table errors), as capacity, bottleneck, soak and load levels
 * read them.
 *
 *   struct store_error_row *e; size_t n;
 *   store_errors_of_run(st, run_id, &e, &n, &err);   // most frequent first
 *   store_error_rows_free(e, n);
 *
 * Plain C values in and out; 0 or -1 with *err filled (err may be NULL).
 * The SQL serves both backends (store/sq.h).
 */
#ifndef LOADREP_STORE_ERRORS_H
#define LOADREP_STORE_ERRORS_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** One (endpoint, status, error code, message) with its count. Strings
 *  owned, "" when the database has none. store_error_codes_top() leaves
 *  endpoint_id 0 and error "". */
struct store_error_row {
  int64_t endpoint_id;
  char *method, *name; /* the endpoint's: store_errors_named() only, else NULL */
  char *status, *error_code, *error;
  int64_t count;
};

/** Every error row of the run's endpoints, by count (descending), status,
 *  error code. */
int store_errors_of_run(struct store *st, int64_t run_id, struct store_error_row **out, size_t *n,
                        struct err *err);
/** The error rows of one endpoint, in the database's order. */
int store_errors_of_endpoint(struct store *st, int64_t endpoint_id, struct store_error_row **out, size_t *n,
                             struct err *err);
/** The run's `limit` most frequent (status, error code) pairs over every
 *  endpoint, summed, most frequent first. */
int store_error_codes_top(struct store *st, int64_t run_id, int limit, struct store_error_row **out, size_t *n,
                          struct err *err);
/** Every error row of the run with its endpoint's method and name, by count
 *  (descending), endpoint name. */
int store_errors_named(struct store *st, int64_t run_id, struct store_error_row **out, size_t *n,
                       struct err *err);
void store_error_rows_free(struct store_error_row *e, size_t n);

#endif
