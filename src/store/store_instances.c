/* store_instances.c - the instances of a run (store/store_instances.h). */
#include <stdlib.h>

#include "store/sq.h"
#include "store/store_instances.h"
#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

int store_instance_add(struct store *st, int64_t run_id, const struct store_instance *in, struct err *err) {
  return sq_run(st, err, "cannot record an instance",
                "INSERT INTO run_instances (run_id, name, files, requests, failed, p95_ms, vus_max, start_ts, end_ts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "issiidddd", run_id, in->name, in->files ? in->files : "", in->requests, in->failed, in->p95_ms,
                in->vus_max, in->start_ts, in->end_ts);
}

void store_instances_free(struct store_instance *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].name);
    free(v[i].files);
  }
  free(v);
}

static int instance_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_instance *in = item;
  in->name = xstrdup(sq_text(q, 0));
  in->files = xstrdup(sq_text(q, 1));
  in->requests = sq_int64(q, 2);
  in->failed = sq_int64(q, 3);
  in->p95_ms = sq_double(q, 4);
  in->vus_max = sq_double(q, 5);
  in->start_ts = sq_double(q, 6);
  in->end_ts = sq_double(q, 7);
  return 0;
}

static void instances_release(void *v, size_t n) { store_instances_free(v, n); }

int store_instances_of(struct store *st, int64_t run_id, struct store_instance **out, size_t *n, struct err *err) {
  return store_rows_of_id(st,
                          "SELECT name, files, requests, failed, p95_ms, vus_max, start_ts, end_ts FROM run_instances "
                          "WHERE run_id = ? ORDER BY start_ts, name",
                          run_id, sizeof **out, instance_row, instances_release, "cannot read the run's instances",
                          (void **)out, n, err);
}

int store_instance_threshold_add(struct store *st, int64_t run_id, const struct store_instance_threshold *t,
                                 struct err *err) {
  struct sq_stmt *q = sq_query(st, err,
                               "INSERT INTO instance_thresholds (run_id, instance, metric, expression, ok) "
                               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, instance, metric, expression) "
                               "DO UPDATE SET ok = excluded.ok",
                               "isss", run_id, t->instance, t->metric, t->expression);
  if (!q)
    return -1;
  if (t->ok >= 0)
    sq_bind_int64(q, 5, t->ok);
  else
    sq_bind_null(q, 5);
  int rc = sq_step(q);
  sq_finalize(q);
  return rc == SQ_DONE ? 0 : store_fail(st, err, "cannot record an instance's threshold");
}

void store_instance_thresholds_free(struct store_instance_threshold *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(v[i].instance);
    free(v[i].metric);
    free(v[i].expression);
  }
  free(v);
}

static int threshold_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_instance_threshold *t = item;
  t->instance = xstrdup(sq_text(q, 0));
  t->metric = xstrdup(sq_text(q, 1));
  t->expression = xstrdup(sq_text(q, 2));
  t->ok = sq_is_null(q, 3) ? -1 : sq_int(q, 3) != 0;
  return 0;
}

static void thresholds_release(void *v, size_t n) { store_instance_thresholds_free(v, n); }

int store_instance_thresholds_of(struct store *st, int64_t run_id, struct store_instance_threshold **out, size_t *n,
                                 struct err *err) {
  return store_rows_of_id(st,
                          "SELECT instance, metric, expression, ok FROM instance_thresholds WHERE run_id = ? "
                          "ORDER BY metric, expression, instance",
                          run_id, sizeof **out, threshold_row, thresholds_release,
                          "cannot read the instances' thresholds", (void **)out, n, err);
}
