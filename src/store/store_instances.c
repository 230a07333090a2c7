/* store_instances.c - the instances of a run (store/store_instances.h). */
#include <stdlib.h>

#include "store/sq.h"
#include "store/store_instances.h"
#include "store/store_rows.h"
#include "util/err.h"

int store_instance_add(struct store *st, int64_t run_id, const struct store_instance *in, struct err *err) {
  return sq_run(st, err, "cannot record an instance",
                "INSERT INTO run_instances (run_id, name, files, requests, failed, p95_ms, vus_max, start_ts, end_ts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "issiidddd", run_id, in->name, in->files ? in->files : "", in->requests, in->failed, in->p95_ms,
                in->vus_max, in->start_ts, in->end_ts);
}

#define F(type, member) STORE_FIELD(type, struct store_instance, member)
static const struct store_field instance_fields[] = {F(SF_STR, name),     F(SF_STR, files),  F(SF_I64, requests),
                                                     F(SF_I64, failed),   F(SF_DBL, p95_ms), F(SF_DBL, vus_max),
                                                     F(SF_DBL, start_ts), F(SF_DBL, end_ts)};
#undef F
STORE_SHAPE_FREE(instance_shape, struct store_instance, instance_fields, store_instances_free)

STORE_LIST_OF_ID(store_instances_of, struct store_instance, instance_shape,
                 "SELECT name, files, requests, failed, p95_ms, vus_max, start_ts, end_ts "
                 "FROM run_instances WHERE run_id = ? ORDER BY start_ts, name",
                 "cannot read the run's instances")

int store_instance_threshold_add(struct store *st, int64_t run_id, const struct store_instance_threshold *t,
                                 struct err *err) {
  return sq_run(st, err, "cannot record an instance's threshold",
                "INSERT INTO instance_thresholds (run_id, instance, metric, expression, ok) "
                "VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 < 0 THEN NULL ELSE ?5 END) "
                "ON CONFLICT (run_id, instance, metric, expression) DO UPDATE SET ok = excluded.ok",
                "isssI", run_id, t->instance, t->metric, t->expression, t->ok);
}

#define F(type, member) STORE_FIELD(type, struct store_instance_threshold, member)
static const struct store_field threshold_fields[] = {F(SF_STR, instance), F(SF_STR, metric), F(SF_STR, expression),
                                                      F(SF_TRI, ok)};
#undef F
STORE_SHAPE_FREE(threshold_shape, struct store_instance_threshold, threshold_fields, store_instance_thresholds_free)

STORE_LIST_OF_ID(store_instance_thresholds_of, struct store_instance_threshold, threshold_shape,
                 "SELECT instance, metric, expression, ok FROM instance_thresholds WHERE run_id = ? "
                 "ORDER BY metric, expression, instance",
                 "cannot read the instances' thresholds")
