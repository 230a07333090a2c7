/* sys_prometheus.c - system metrics from a Prometheus query_range (or
 * query) JSON response (see sysmetrics.h for the rules). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
#include "ingest/sysmetrics.h"
#include "ingest/sysmetrics_int.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* 1 when label `key` has the same value (or is absent) in every result. */
static int label_constant(json_t *result, const char *key) {
  const char *first = NULL;
  int seen = 0;
  size_t i;
  json_t *res;
  json_array_foreach(result, i, res) {
    json_t *v = json_object_get(json_object_get(res, "metric"), key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!seen) {
      first = s;
      seen = 1;
    } else if ((first == NULL) != (s == NULL) || (first && strcmp(first, s))) {
      return 0;
    }
  }
  return 1;
}

/* The file's base name without directories, ".gz" and ".json". */
static void base_name(const char *path, struct strbuf *sb) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  size_t n = strlen(b);
  if (sys_ends_with(b, n, ".gz"))
    n -= 3;
  if (sys_ends_with(b, n, ".json"))
    n -= 5;
  strbuf_add(sb, b, n);
}

static int prom_value(json_t *v, double *out) {
  if (json_is_number(v)) {
    double d = json_number_value(v);
    if (!isfinite(d))
      return 0;
    *out = d;
    return 1;
  }
  if (!json_is_string(v))
    return -1;
  const char *s = json_string_value(v);
  if (!strcmp(s, "NaN") || !strcmp(s, "+Inf") || !strcmp(s, "-Inf") || !strcmp(s, "Inf"))
    return 0;
  return sys_parse_value(s, out) == 1 ? 1 : -1;
}

static int prom_point(json_t *pt, const char *path, size_t ri, const char *arr, size_t pi, double *ts, double *v,
                      struct err *err) {
  char sn[48];
  if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(json_array_get(pt, 0)))
    return err_set(err, LR_DATAERR, "%s: data.result[%zu].%s[%zu]: expected [timestamp, \"value\"]", path, ri,
                   arr, pi);
  *ts = json_number_value(json_array_get(pt, 0));
  int pv = prom_value(json_array_get(pt, 1), v);
  if (pv < 0) {
    json_t *x = json_array_get(pt, 1);
    const char *s = json_is_string(x) ? json_string_value(x) : "(not a string)";
    return err_set(err, LR_DATAERR, "%s: data.result[%zu].%s[%zu]: '%s' is not a number, expected a value such as \"0.5\"",
                   path, ri, arr, pi, sys_snip(s, strlen(s), sn));
  }
  return pv;
}

int sys_parse_prometheus(struct reader *r, const struct sys_sink *sink, struct err *err) {
  const char *path = reader_path(r);
  struct strbuf sb = STRBUF_INIT, name = STRBUF_INIT;
  json_t *doc = NULL;
  const char **keys = NULL;
  size_t nkeys_cap = 0;
  int rc = -1;

  if (reader_read_all(r, &sb, err) < 0)
    goto out;
  json_error_t je;
  doc = json_loadb(sb.buf, sb.len, JSON_REJECT_DUPLICATES, &je);
  if (!doc) {
    err_set(err, LR_DATAERR, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column, je.text);
    goto out;
  }
  const char *status = json_string_value(json_object_get(doc, "status"));
  if (status && !strcmp(status, "error")) {
    const char *et = json_string_value(json_object_get(doc, "errorType"));
    const char *em = json_string_value(json_object_get(doc, "error"));
    char s1[48], s2[48];
    err_set(err, LR_DATAERR, "%s: Prometheus returned an error (%s: %s), expected a successful query result",
            path, sys_snip(et ? et : "?", strlen(et ? et : "?"), s1), sys_snip(em ? em : "?", strlen(em ? em : "?"), s2));
    goto out;
  }
  json_t *data = json_object_get(doc, "data");
  const char *rtype = json_string_value(json_object_get(data, "resultType"));
  json_t *result = json_object_get(data, "result");
  if (!rtype || !json_is_array(result)) {
    err_set(err, LR_DATAERR, "%s: no data.resultType and data.result, expected a Prometheus query response", path);
    goto out;
  }
  int matrix = !strcmp(rtype, "matrix");
  if (!matrix && strcmp(rtype, "vector")) {
    err_set(err, LR_DATAERR, "%s: resultType '%s' is not supported, expected matrix or vector", path, rtype);
    goto out;
  }
  int drop_instance = label_constant(result, "instance");
  int drop_job = label_constant(result, "job");
  size_t ri;
  json_t *res;
  json_array_foreach(result, ri, res) {
    json_t *metric = json_object_get(res, "metric");
    if (metric && !json_is_object(metric)) {
      err_set(err, LR_DATAERR, "%s: data.result[%zu].metric: expected an object of labels", path, ri);
      goto out;
    }
    /* Name: __name__ or the file's base name, then the sorted labels. */
    strbuf_reset(&name);
    json_t *nm = json_object_get(metric, "__name__");
    if (json_is_string(nm))
      strbuf_addstr(&name, json_string_value(nm));
    else
      base_name(path, &name);
    size_t nk = 0;
    const char *key;
    json_t *val;
    json_object_foreach(metric, key, val) {
      if (!strcmp(key, "__name__") || (drop_instance && !strcmp(key, "instance")) ||
          (drop_job && !strcmp(key, "job")))
        continue;
      if (!json_is_string(val)) {
        err_set(err, LR_DATAERR, "%s: data.result[%zu].metric.%s: expected a string label value", path, ri, key);
        goto out;
      }
      XGROW(keys, nkeys_cap, nk + 1);
      keys[nk++] = key;
    }
    if (nk > 1)
      qsort(keys, nk, sizeof *keys, cmp_str);
    for (size_t k = 0; k < nk; k++) {
      strbuf_addstr(&name, k ? "," : "{");
      strbuf_addf(&name, "%s=\"", keys[k]);
      sys_add_label_value(&name, json_string_value(json_object_get(metric, keys[k])));
      strbuf_addch(&name, '"');
    }
    if (nk)
      strbuf_addch(&name, '}');
    double scale;
    const char *unit = sys_infer_unit(name.buf, &scale);
    double ts, v;
    if (matrix) {
      json_t *values = json_object_get(res, "values");
      if (!json_is_array(values)) {
        err_set(err, LR_DATAERR, "%s: data.result[%zu]: no values array, expected [[timestamp, \"value\"], ...]",
                path, ri);
        goto out;
      }
      size_t pi;
      json_t *pt;
      json_array_foreach(values, pi, pt) {
        int pv = prom_point(pt, path, ri, "values", pi, &ts, &v, err);
        if (pv < 0)
          goto out;
        if (pv && sink->sample(sink->ctx, "", name.buf, unit, ts, v * scale, err) != 0)
          goto out;
      }
    } else {
      int pv = prom_point(json_object_get(res, "value"), path, ri, "value", 0, &ts, &v, err);
      if (pv < 0)
        goto out;
      if (pv && sink->sample(sink->ctx, "", name.buf, unit, ts, v * scale, err) != 0)
        goto out;
    }
  }
  rc = 0;
out:
  free(keys);
  json_decref(doc);
  strbuf_release(&sb);
  strbuf_release(&name);
  return rc;
}

