/* store_status.c - responses per second by HTTP status (store/store_status.h). */
#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_rows.h"
#include "store/store_status.h"
#include "util/err.h"
#include "util/xalloc.h"

struct store_status_writer {
  struct sq_bulk *b;
};

struct store_status_writer *store_status_writer(struct store *st, struct err *err) {
  struct sq_bulk *b = sq_bulk_begin(st, "status_buckets", "run_id, t, status, count", err);
  if (!b)
    return NULL;
  struct store_status_writer *w = xcalloc(1, sizeof *w);
  w->b = b;
  return w;
}

int store_status_put(struct store_status_writer *w, int64_t run_id, int64_t t, const char *status, int64_t count,
                     struct err *err) {
  sq_bulk_int64(w->b, run_id);
  sq_bulk_int64(w->b, t);
  sq_bulk_text(w->b, status);
  sq_bulk_int64(w->b, count);
  return sq_bulk_end_row(w->b, err);
}

int store_status_writer_finish(struct store_status_writer *w, struct err *err) {
  int rc = sq_bulk_finish(w->b, err);
  free(w);
  return rc;
}

void store_status_writer_abort(struct store_status_writer *w) {
  if (!w)
    return;
  sq_bulk_abort(w->b);
  free(w);
}

#define F(type, member) STORE_FIELD(type, struct store_status_count, member)
static const struct store_field count_fields[] = {F(SF_I64, t), F(SF_STR, status), F(SF_I64, count)};
#undef F
STORE_SHAPE_FREE(count_shape, struct store_status_count, count_fields, store_status_counts_free)

STORE_LIST_OF_ID(store_status_counts, struct store_status_count, count_shape,
                 "SELECT t, status, count FROM status_buckets WHERE run_id = ? ORDER BY t, status",
                 "reading status counts")
