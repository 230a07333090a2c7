/* ingest.h - one `loadrep ingest`: files in, one run (or system metrics
 * attached to one) out, in one transaction: it lands whole or not at all.
 */
#ifndef LOADREP_INGEST_H
#define LOADREP_INGEST_H
#include <jansson.h>
#include <stdint.h>

struct store;
struct err;

struct ingest_opts {
  const char *run_name; /* --run: new run's name, or the run to attach system metrics to */
  const char *scenario; /* --scenario, else the k6 scenario tag, else "default" */
  const char *env;      /* --env */
  json_t *labels;       /* --label k=v, an object (borrowed) */
  int progress;         /* print progress lines on stderr */
  int has_exit_status;  /* --k6-exit-status given: k6_exit_status is k6's exit status */
  int k6_exit_status;   /* else a meta.json beside the k6 files may tell (k6_exit_status, k6_exit_code) */
};

struct ingest_result {
  int64_t run_id;
  char run_name[256];
  int attached;         /* system metrics added to an existing run */
  long files;
  uint64_t points;      /* k6 samples */
  long skipped;         /* lines skipped with a warning */
  long sys_samples;
  long sys_outside;     /* system samples outside the run's window */
  int sys_overlap;      /* 0: the clocks never overlap */
  int complete;         /* 1 the run ran its course, 0 not (reason below); src/ingest/completeness.h */
  char incomplete_reason[512];
};

int ingest_files(struct store *st, const struct ingest_opts *o, char *const *paths, int n, struct ingest_result *res,
                 struct err *err);

#endif
