/* store_status.h - responses per second by HTTP status (table
 * status_buckets, schema v4): written by the k6 sample aggregator, read by
 * the report's status-codes chart.
 *
 *   struct store_status_writer *w = store_status_writer(st, &err);
 *   store_status_put(w, run_id, t, "200", 41, &err); ...
 *   store_status_writer_finish(w, &err);       // or _abort() after an error
 *
 * Plain C values in and out; 0 or -1 with *err filled.
 */
#ifndef LOADREP_STORE_STATUS_H
#define LOADREP_STORE_STATUS_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** One (second, status) count. t: whole seconds since the run's start_ts,
 *  as in buckets; status: k6's `status` tag ("0": no response). */
struct store_status_count {
  int64_t t;
  char *status;
  int64_t count;
};

struct store_status_writer;
/** Starts loading rows (inside the caller's transaction); NULL with err. */
struct store_status_writer *store_status_writer(struct store *st, struct err *err);
int store_status_put(struct store_status_writer *w, int64_t run_id, int64_t t, const char *status, int64_t count,
                     struct err *err);
/** Writes what remains and frees w. */
int store_status_writer_finish(struct store_status_writer *w, struct err *err);
void store_status_writer_abort(struct store_status_writer *w);

/** The run's counts by t, then status; none (*n 0) for a run ingested
 *  before schema v4 or without status tags. */
int store_status_counts(struct store *st, int64_t run_id, struct store_status_count **out, size_t *n,
                        struct err *err);
void store_status_counts_free(struct store_status_count *c, size_t n);

#endif
