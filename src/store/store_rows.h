/* store_rows.h - reading every row of a query into an array, for the
 * store/ files only (not part of the store interface: a second backend has
 * its own).
 *
 *   static int one(struct sq_stmt *q, void *item, struct err *err) { ...fill... }
 *   static void release(void *items, size_t n) { store_things_free(items, n); }
 *   return store_rows_of_id(st, "SELECT ... WHERE run_id = ?", run_id, sizeof **out, one, release,
 *                           "reading things", (void **)out, n, err);
 */
#ifndef LOADREP_STORE_ROWS_H
#define LOADREP_STORE_ROWS_H
#include <stddef.h>
#include <stdint.h>

#include "store/sq.h"
#include "store/store.h"

struct err;

/** Fills one zeroed item from the current row; -1 with err filled stops. */
typedef int (*store_row_fn)(struct sq_stmt *q, void *item, struct err *err);
/** Frees n items and the array. */
typedef void (*store_release_fn)(void *items, size_t n);

/** Steps q (prepared, parameters bound) to its end into *out (*n items of
 *  size bytes; NULL and 0 when none) and finalizes it. On a failed row or
 *  read the items go (release) and the call fails: the database's error
 *  as `what`, or row()'s own. */
int store_rows(struct store *st, struct sq_stmt *q, size_t size, store_row_fn row, store_release_fn release,
               const char *what, void **out, size_t *n, struct err *err);
/** Prepares sql, binds id to its first parameter and reads it as store_rows(). */
int store_rows_of_id(struct store *st, const char *sql, int64_t id, size_t size, store_row_fn row,
                     store_release_fn release, const char *what, void **out, size_t *n, struct err *err);

#endif
