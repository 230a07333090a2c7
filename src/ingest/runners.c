/* runners.c - the runners of a k6 run (ingest/runners.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ingest/k6_summary.h"
#include "ingest/runners.h"
#include "store/store_instances.h"
#include "util/jsonx.h"
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
  static const char *const word[] = {"summary"}; /* runner-1.summary.json is runner-1's */
  for (size_t i = 0; i < sizeof word / sizeof *word; i++)
    if (ends_with(base, n, word[i]) && strchr("-_.", base[n - strlen(word[i]) - 1]))
      n -= strlen(word[i]) + 1;
  return xstrndup(base, n ? n : strlen(base));
}

static double value_of(const struct k6_summary *s, const char *metric, const char *key) {
  return jx_num(json_object_get(json_object_get(s->metrics, metric), "values"), key);
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

/* Merging summaries: counters and rates add; a trend's min and max are
 * exact, its average, median and percentiles the runners' weighted by
 * their request counts: approximate (a percentile of a union cannot be
 * had from the parts' percentiles). */
static void merge_values(const char *type, json_t *into, json_t *v, double w_into, double w) {
  const char *k;
  json_t *x;
  json_object_foreach(v, k, x) {
    json_t *have = json_object_get(into, k);
    if (!json_is_number(x) || !json_is_number(have))
      continue;
    double a = json_number_value(have), b = json_number_value(x), r;
    if (!strcmp(k, "min"))
      r = b < a ? b : a;
    else if (!strcmp(k, "max") && strcmp(type, "gauge"))
      r = b > a ? b : a;
    else if (!strcmp(type, "trend"))
      r = w_into + w > 0 ? (a * w_into + b * w) / (w_into + w) : a;
    else if (!strcmp(k, "rate") && !strcmp(type, "rate"))
      continue; /* from passes and fails below */
    else
      r = a + b; /* counts, per-second rates, passes, fails, gauges (VUs of all runners) */
    json_object_set_new(into, k, json_real(r));
  }
  if (!strcmp(type, "rate")) {
    double p = json_number_value(json_object_get(into, "passes")), f = json_number_value(json_object_get(into, "fails"));
    if (p + f > 0) {
      json_object_set_new(into, "rate", json_real(p / (p + f)));
      json_object_set_new(into, "value", json_real(p / (p + f)));
    }
  }
}

static void merge_checks(json_t *into, json_t *checks) {
  size_t i, k;
  json_t *c, *h;
  json_array_foreach(checks, i, c) {
    int found = 0;
    json_array_foreach(into, k, h) {
      if (json_equal(json_object_get(h, "group"), json_object_get(c, "group")) &&
          json_equal(json_object_get(h, "name"), json_object_get(c, "name"))) {
        json_object_set_new(h, "passes", json_real(json_number_value(json_object_get(h, "passes")) +
                                                   json_number_value(json_object_get(c, "passes"))));
        json_object_set_new(h, "fails", json_real(json_number_value(json_object_get(h, "fails")) +
                                                  json_number_value(json_object_get(c, "fails"))));
        found = 1;
        break;
      }
    }
    if (!found)
      json_array_append_new(into, json_deep_copy(c));
  }
}

void runners_merge_summaries(struct k6_summary *const *s, int n, json_t **metrics, json_t **checks) {
  *metrics = json_deep_copy(s[0]->metrics);
  *checks = json_deep_copy(s[0]->checks ? s[0]->checks : json_array());
  if (!*checks)
    *checks = json_array();
  double w_into = value_of(s[0], "http_reqs", "count");
  w_into = isfinite(w_into) ? w_into : 1;
  for (int i = 1; i < n; i++) {
    double w = value_of(s[i], "http_reqs", "count");
    w = isfinite(w) ? w : 1;
    const char *name;
    json_t *m;
    json_object_foreach(s[i]->metrics, name, m) {
      json_t *have = json_object_get(*metrics, name);
      if (!have) {
        json_object_set_new(*metrics, name, json_deep_copy(m));
        continue;
      }
      const char *type = json_string_value(json_object_get(have, "type"));
      merge_values(type ? type : "", json_object_get(have, "values"), json_object_get(m, "values"), w_into, w);
    }
    merge_checks(*checks, s[i]->checks);
    w_into += w;
  }
}
