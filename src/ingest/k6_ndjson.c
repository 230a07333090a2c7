#include <string.h>

#include <jansson.h>

#include "ingest/k6_agg.h"
#include "ingest/k6_line.h"
#include "ingest/k6_ndjson.h"
#include "ingest/reader.h"
#include "util/err.h"
#include "util/timeparse.h"

/* k6 v0.x writes `"value":+Inf` (and v2 drops such samples): not JSON. */
static int nonfinite_value(const char *line, size_t len) {
  static const char *const pats[] = {"\"value\":+Inf", "\"value\":-Inf", "\"value\":NaN", "\"value\":Inf"};
  for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
    size_t pl = strlen(pats[i]);
    for (size_t k = 0; k + pl <= len; k++)
      if (line[k] == '"' && !memcmp(line + k, pats[i], pl))
        return 1;
  }
  return 0;
}

static int metric_line(const char *path, long lineno, json_t *doc, struct k6_agg *a, struct err *err) {
  json_t *data = json_object_get(doc, "data");
  const char *name = json_string_value(json_object_get(data, "name"));
  if (!name)
    name = json_string_value(json_object_get(doc, "metric"));
  const char *type = json_string_value(json_object_get(data, "type"));
  if (!json_is_object(data) || !name || !type)
    return err_set(err, LR_DATAERR, "%s:%ld: Metric line without data.name and data.type", path, lineno);
  struct err e2 = ERR_INIT;
  if (k6_agg_metric(a, name, type, json_string_value(json_object_get(data, "contains")),
                    json_object_get(data, "thresholds"), json_object_get(data, "submetrics"), &e2) < 0)
    return err_set(err, LR_DATAERR, "%s:%ld: %s", path, lineno, e2.msg);
  return 0;
}

static int point_line(const char *path, long lineno, json_t *doc, struct k6_agg *a, struct err *err) {
  const char *metric = json_string_value(json_object_get(doc, "metric"));
  json_t *data = json_object_get(doc, "data");
  if (!metric || !json_is_object(data))
    return err_set(err, LR_DATAERR, "%s:%ld: Point line without \"metric\" and a \"data\" object", path, lineno);
  json_t *jt = json_object_get(data, "time");
  const char *ts = json_string_value(jt);
  int64_t ns;
  if (!ts)
    return err_set(err, LR_DATAERR, "%s:%ld: point for '%s' has no data.time string", path, lineno, metric);
  if (rfc3339_parse(ts, json_string_length(jt), 0, &ns) < 0)
    return err_set(err, LR_DATAERR,
                   "%s:%ld: point for '%s': data.time '%s' is not an RFC 3339 time with a zone "
                   "(expected e.g. 2026-11-26T21:52:45.133Z)",
                   path, lineno, metric, ts);
  json_t *jv = json_object_get(data, "value");
  if (!json_is_number(jv))
    return err_set(err, LR_DATAERR, "%s:%ld: point for '%s' has no numeric data.value", path, lineno, metric);
  json_t *tags = json_object_get(data, "tags");
  if (tags && !json_is_object(tags) && !json_is_null(tags))
    return err_set(err, LR_DATAERR, "%s:%ld: point for '%s': data.tags is not an object", path, lineno, metric);
  char *raw = tags && json_is_object(tags) ? json_dumps(tags, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  struct err e2 = ERR_INIT;
  int ts_ix = k6_agg_tagset(a, raw ? raw : "{}", raw ? strlen(raw) : 2, json_is_object(tags) ? tags : NULL, &e2);
  free(raw);
  if (ts_ix < 0)
    return err_set(err, LR_DATAERR, "%s:%ld: point for '%s': %s", path, lineno, metric, e2.msg);
  k6_agg_point(a, metric, strlen(metric), ns, json_number_value(jv), ts_ix);
  return 0;
}

int k6_ndjson_line(const char *path, long lineno, const char *line, size_t len, struct k6_agg *a,
                   struct ndjson_stats *stats, struct err *err) {
  json_error_t je;
  json_t *doc = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &je);
  if (!doc) {
    if (nonfinite_value(line, len)) {
      stats->skipped_nonfinite++;
      return 0;
    }
    return err_set(err, LR_DATAERR, "%s:%ld:%d: invalid JSON: %s", path, lineno, je.column, je.text);
  }
  int rc;
  const char *type = json_string_value(json_object_get(doc, "type"));
  if (!json_is_object(doc))
    rc = err_set(err, LR_DATAERR, "%s:%ld: expected a JSON object per line (k6 --out json)", path, lineno);
  else if (type && !strcmp(type, "Point"))
    rc = point_line(path, lineno, doc, a, err);
  else if (type && !strcmp(type, "Metric"))
    rc = metric_line(path, lineno, doc, a, err);
  else
    rc = err_set(err, LR_DATAERR, "%s:%ld: line of unknown type '%s' (expected \"Metric\" or \"Point\")", path,
                 lineno, type ? type : "(none)");
  json_decref(doc);
  return rc;
}

static int blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

int k6_ndjson_read(struct reader *r, struct k6_agg *a, struct ndjson_stats *stats, progress_fn progress,
                   void *progress_ctx, struct err *err) {
  const char *line;
  size_t len;
  int rc;
  const char *path = reader_path(r);
  struct k6_point p;
  while ((rc = reader_getline(r, &line, &len, err)) > 0) {
    stats->lines++;
    if (stats->lines == 1 && len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) { /* UTF-8 byte order mark */
      line += 3;
      len -= 3;
    }
    if (progress && (stats->lines & 0xffff) == 0)
      progress(progress_ctx, r);
    if (k6_fast_point(line, len, &p)) {
      struct err e2 = ERR_INIT;
      int t = k6_agg_tagset(a, p.tags, p.tags_len, NULL, &e2);
      if (t < 0)
        return err_set(err, LR_DATAERR, "%s:%ld: %s", path, reader_lineno(r), e2.msg);
      k6_agg_point(a, p.metric, p.metric_len, p.time_ns, p.value, t);
      stats->fast++;
      continue;
    }
    if (blank(line, len))
      continue;
    if (k6_ndjson_line(path, reader_lineno(r), line, len, a, stats, err) < 0)
      return -1;
  }
  return rc;
}
