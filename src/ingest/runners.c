/* runners.c - the runners of a k6 run (ingest/runners.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ingest/k6_summary.h"
#include "ingest/runners.h"
#include "store/store_instances.h"
#include "util/xalloc.h"

static size_t dir_len(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? (size_t)(slash - path) : 0;
}

int runners_by_dir(const char *const *paths, int n) {
  for (int i = 1; i < n; i++)
    if (dir_len(paths[i]) != dir_len(paths[0]) || strncmp(paths[i], paths[0], dir_len(paths[0])))
      return 1;
  return 0;
}

static int ends_with(const char *s, size_t n, const char *suffix) {
  size_t k = strlen(suffix);
  return n > k && !strncmp(s + n - k, suffix, k);
}

char *runner_label(const char *path, int by_dir) {
  size_t d = dir_len(path);
  if (by_dir && d) {
    const char *start = path;
    for (const char *p = path; p < path + d; p++)
      if (*p == '/')
        start = p + 1;
    if (path + d > start)
      return xstrndup(start, (size_t)(path + d - start));
  }
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  size_t n = strlen(base);
  static const char *const ext[] = {".gz", ".ndjson", ".jsonl", ".json", ".csv"};
  for (int again = 1; again;) {
    again = 0;
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
      if (ends_with(base, n, ext[i])) {
        n -= strlen(ext[i]);
        again = 1;
      }
  }
  static const char *const word[] = {"summary", "metrics", "results"};
  for (size_t i = 0; i < sizeof word / sizeof *word; i++)
    if (ends_with(base, n, word[i]) && strchr("-_.", base[n - strlen(word[i]) - 1]))
      n -= strlen(word[i]) + 1;
  return xstrndup(base, n ? n : strlen(base));
}

static double value_of(const struct k6_summary *s, const char *metric, const char *key) {
  json_t *v = json_object_get(json_object_get(json_object_get(s->metrics, metric), "values"), key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

int runner_summary_store(struct store *st, int64_t run_id, const char *label, const char *path,
                         const struct k6_summary *s, int as_instance, struct err *err) {
  json_t *verdicts = k6_summary_verdicts(s);
  const char *metric, *expr;
  json_t *exprs, *ok;
  int rc = 0;
  json_object_foreach(verdicts, metric, exprs) {
    json_object_foreach(exprs, expr, ok) {
      struct store_instance_threshold t = {(char *)label, (char *)metric, (char *)expr,
                                           json_is_boolean(ok) ? json_is_true(ok) : -1};
      if (rc == 0)
        rc = store_instance_threshold_add(st, run_id, &t, err);
    }
  }
  json_decref(verdicts);
  if (rc < 0 || !as_instance)
    return rc;
  double reqs = value_of(s, "http_reqs", "count"), failed = value_of(s, "http_req_failed", "passes");
  double vus = value_of(s, "vus_max", "max");
  struct store_instance in = {
      .name = (char *)label,
      .files = (char *)path,
      .requests = isfinite(reqs) ? (int64_t)reqs : 0,
      .failed = isfinite(failed) ? (int64_t)failed : 0,
      .p95_ms = value_of(s, "http_req_duration", "p(95)"),
      .vus_max = isnan(vus) ? value_of(s, "vus_max", "value") : vus,
      .start_ts = NAN,
      .end_ts = NAN,
  };
  return store_instance_add(st, run_id, &in, err);
}
