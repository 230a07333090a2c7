/* store_instances.h - the k6 instances (runners) whose files make up a run,
 * and each one's own threshold verdicts (schema v4: run_instances,
 * instance_thresholds). */
#ifndef LOADREP_STORE_INSTANCES_H
#define LOADREP_STORE_INSTANCES_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;

/** One instance: figures over its own samples. Strings owned. */
struct store_instance {
  char *name;
  char *files;       /* '\n'-separated */
  int64_t requests, failed;
  double p95_ms;     /* NaN when it has no request */
  double vus_max;    /* NaN when unknown */
  double start_ts, end_ts;
};

/** One threshold verdict of one instance's summary. */
struct store_instance_threshold {
  char *instance, *metric, *expression;
  int ok; /* 1, 0, or -1 when not judged */
};

int store_instance_add(struct store *st, int64_t run_id, const struct store_instance *in, struct err *err);
int store_instances_of(struct store *st, int64_t run_id, struct store_instance **out, size_t *n, struct err *err);
void store_instances_free(struct store_instance *v, size_t n);

int store_instance_threshold_add(struct store *st, int64_t run_id, const struct store_instance_threshold *t,
                                 struct err *err);
/** Ordered by metric, expression, instance. */
int store_instance_thresholds_of(struct store *st, int64_t run_id, struct store_instance_threshold **out, size_t *n,
                                 struct err *err);
void store_instance_thresholds_free(struct store_instance_threshold *v, size_t n);

#endif
