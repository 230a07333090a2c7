#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "ingest/detect.h"
#include "util/names.h"
#include "util/utf8.h"

const char *input_kind_name(enum input_kind k) {
  static const char *const names[] = {
      [IN_K6_NDJSON] = "k6-ndjson", [IN_K6_CSV] = "k6-csv", [IN_JSON_DOC] = "json",
      [IN_K6_SUMMARY_EXPORT] = "k6-summary-export", [IN_K6_HANDLE_SUMMARY] = "k6-handle-summary",
      [IN_K6_MACHINE_SUMMARY] = "k6-machine-summary", [IN_SYS] = "system-metrics", [IN_PG] = "postgresql"};
  return name_of(names, NAMES_COUNT(names), (int)k, "unknown");
}

enum input_kind detect_head(const unsigned char *h, size_t n) {
  size_t i = utf8_text_start(h, n);
  if (i >= n)
    return IN_UNKNOWN;
  if (h[i] == '{') {
    /* NDJSON: the first line is one whole object with "type":"Metric"/"Point". */
    const unsigned char *nl = memchr(h + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (h + i)) : n - i;
    json_error_t je;
    json_t *o = json_loadb((const char *)h + i, len, JSON_DECODE_ANY, &je);
    if (o) {
      const char *t = json_string_value(json_object_get(o, "type"));
      int nd = t && (!strcmp(t, "Metric") || !strcmp(t, "Point"));
      json_decref(o);
      if (nd)
        return IN_K6_NDJSON;
    } else if (len > 10 && memmem(h + i, len, "\"type\":\"Point\"", 14) && memmem(h + i, len, "\"metric\":", 9)) {
      return IN_K6_NDJSON; /* first line broken: let the NDJSON parser say where */
    }
    return IN_JSON_DOC;
  }
  if (h[i] == '[')
    return IN_JSON_DOC;
  static const char csv[] = "metric_name,timestamp,metric_value";
  if (n - i >= sizeof csv - 1 && !memcmp(h + i, csv, sizeof csv - 1))
    return IN_K6_CSV;
  return IN_UNKNOWN;
}

enum input_kind detect_json_doc(json_t *doc) {
  if (!json_is_object(doc))
    return IN_UNKNOWN;
  json_t *metrics = json_object_get(doc, "metrics");
  if (json_is_object(metrics)) {
    const char *k;
    json_t *v;
    json_object_foreach(metrics, k, v) {
      if (!json_is_object(v))
        return IN_UNKNOWN;
      return json_is_object(json_object_get(v, "values")) ? IN_K6_HANDLE_SUMMARY : IN_K6_SUMMARY_EXPORT;
    }
    /* No metrics at all: shape from the other keys. */
    if (json_object_get(doc, "state") || json_object_get(doc, "options"))
      return IN_K6_HANDLE_SUMMARY;
    if (json_object_get(doc, "root_group"))
      return IN_K6_SUMMARY_EXPORT;
    return IN_UNKNOWN;
  }
  if (json_object_get(doc, "version") && json_is_object(json_object_get(doc, "results")))
    return IN_K6_MACHINE_SUMMARY;
  json_t *data = json_object_get(doc, "data");
  if (json_is_string(json_object_get(doc, "status")) && json_is_object(data) &&
      json_object_get(data, "resultType"))
    return IN_SYS;
  return IN_UNKNOWN;
}
