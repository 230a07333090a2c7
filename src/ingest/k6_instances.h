/* k6_instances.h - the k6 instances (runners) of one ingest, for the
 * aggregator: each sample counts toward the instance its `instance` tag
 * (else `hostname` tag) names, else toward the file it came from, so that
 * `show` can say what each runner did beside the merged run (schema v4
 * run_instances). Internal to src/ingest/ (k6_agg.c, k6_agg_store.c). */
#ifndef LOADREP_K6_INSTANCES_H
#define LOADREP_K6_INSTANCES_H
#include <stddef.h>
#include <stdint.h>

struct k6_instances;
struct store;
struct err;

/** What a sample is, for an instance's figures. */
enum k6_inst_kind { K6I_OTHER, K6I_REQS, K6I_FAILED, K6I_DURATION, K6I_VUS };

struct k6_instances *k6_instances_new(void);
void k6_instances_free(struct k6_instances *in);
/** The index of instance `name` (interned on first use); `file`, when not
 *  NULL, is a file its samples come from. */
int k6_instances_key(struct k6_instances *in, const char *name, const char *file);
void k6_instances_point(struct k6_instances *in, int ix, enum k6_inst_kind kind, int64_t time_ns, double value);
/** The instance with the most samples from `file`, or NULL. */
const char *k6_instances_of_file(const struct k6_instances *in, const char *file);
size_t k6_instances_count(const struct k6_instances *in);
/** Writes one run_instances row per instance that has samples. */
int k6_instances_store(struct k6_instances *in, struct store *st, int64_t run_id, struct err *err);

#endif
