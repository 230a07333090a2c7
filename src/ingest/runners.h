/* runners.h - k6 runs made of several runners' files (k6-operator writes
 * one set per runner; N k6 processes write N): what each runner is called
 * and what its own summary said, for `show`'s instances. */
#ifndef LOADREP_RUNNERS_H
#define LOADREP_RUNNERS_H
#include <stdint.h>

#include <jansson.h>

struct k6_summary;
struct store;
struct err;

/** 1 when the k6 files (paths, n of them) lie in more than one directory:
 *  then a runner is named by its directory, else by its file. */
int runners_by_dir(const char *const *paths, int n);
/** The runner a file belongs to: its directory's name (by_dir), else the
 *  file's name without its extensions (.gz, .ndjson, .json, .csv) and a
 *  trailing "summary" word. Freed by the caller. */
char *runner_label(const char *path, int by_dir);
/** Records the runner's own threshold verdicts; with as_instance (a run
 *  made of summaries only) also its figures as the summary gives them. */
int runner_summary_store(struct store *st, int64_t run_id, const char *label, const char *path,
                         const struct k6_summary *s, int as_instance, struct err *err);

/** The runners' summaries as one (new references): counters, rates and
 *  checks add up, a trend's min and max are exact, its average, median and
 *  percentiles are the runners' weighted by their request counts, an
 *  approximation (`show` says so: merge.percentiles "approximate"). */
void runners_merge_summaries(struct k6_summary *const *s, int n, json_t **metrics, json_t **checks);

#endif
