#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/completeness.h"
#include "ingest/k6_summary.h"
#include "store/store.h"
#include "store/store_metrics.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

static const char *guess_type(json_t *v) {
  if (json_object_get(v, "avg") || json_object_get(v, "med") || json_object_get(v, "p(95)"))
    return "trend";
  if (json_object_get(v, "passes") || json_object_get(v, "fails"))
    return "rate";
  if (json_object_get(v, "count") && json_object_get(v, "rate"))
    return "counter";
  if (json_object_get(v, "value") && json_object_get(v, "min"))
    return "gauge";
  if (json_object_get(v, "count"))
    return "counter";
  return NULL;
}

static int check_values(json_t *values, const char *path, const char *metric, struct err *err) {
  const char *k;
  json_t *v;
  if (!json_is_object(values))
    return err_set(err, LR_DATAERR, "%s: metric '%s': expected an object of statistics", path, metric);
  json_object_foreach(values, k, v) {
    if (!json_is_number(v) && !json_is_null(v) && strcmp(k, "thresholds") != 0 && strcmp(k, "type") != 0 &&
        strcmp(k, "contains") != 0)
      return err_set(err, LR_DATAERR, "%s: metric '%s': statistic '%s' is not a number", path, metric, k);
  }
  return 0;
}

/* One normalised check; missing or wrongly typed fields are kept as they are
 * (null when absent) for check_checks() to refuse. */
static json_t *check_obj(const char *group, json_t *name, json_t *passes, json_t *fails) {
  json_t *o = json_object();
  json_object_set_new(o, "group", json_string(group ? group : ""));
  json_object_set_new(o, "name", name ? json_incref(name) : json_null());
  json_object_set_new(o, "passes", passes ? json_incref(passes) : json_null());
  json_object_set_new(o, "fails", fails ? json_incref(fails) : json_null());
  return o;
}

/* Nested groups → flat checks. Legacy: objects keyed by name; handleSummary: arrays. */
static void collect_checks(json_t *group, json_t *out) {
  json_t *checks = json_object_get(group, "checks"), *groups = json_object_get(group, "groups");
  const char *gpath = json_string_value(json_object_get(group, "path"));
  const char *k;
  size_t i;
  json_t *c;
  if (json_is_object(checks)) {
    json_object_foreach(checks, k, c) {
      json_t *name = json_string(k);
      json_array_append_new(out, check_obj(gpath, name, json_object_get(c, "passes"), json_object_get(c, "fails")));
      json_decref(name);
    }
  } else if (json_is_array(checks)) {
    json_array_foreach(checks, i, c) {
      json_array_append_new(out, check_obj(gpath, json_object_get(c, "name"), json_object_get(c, "passes"),
                                           json_object_get(c, "fails")));
    }
  }
  if (json_is_object(groups)) {
    json_object_foreach(groups, k, c) collect_checks(c, out);
  } else if (json_is_array(groups)) {
    json_array_foreach(groups, i, c) collect_checks(c, out);
  }
}

/* Every check needs a string name and numeric passes and fails. */
static int check_checks(json_t *checks, const char *path, struct err *err) {
  size_t i;
  json_t *c;
  json_array_foreach(checks, i, c) {
    if (!json_is_string(json_object_get(c, "name")) || !json_is_string(json_object_get(c, "group")) ||
        !json_is_number(json_object_get(c, "passes")) || !json_is_number(json_object_get(c, "fails")))
      return err_set(err, LR_DATAERR, "%s: check %zu has no string name or no numeric passes and fails", path, i + 1);
  }
  return 0;
}

static int parse_legacy(json_t *doc, const char *path, struct k6_summary *s, struct err *err) {
  json_t *metrics = json_object_get(doc, "metrics");
  const char *name;
  json_t *m;
  json_object_foreach(metrics, name, m) {
    if (check_values(m, path, name, err) < 0)
      return -1;
    const char *type = guess_type(m);
    if (!type)
      return err_set(err, LR_DATAERR, "%s: metric '%s': cannot tell its type from its statistics", path, name);
    json_t *values = json_object(), *th = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v) {
      if (strcmp(k, "thresholds") && json_is_number(v))
        json_object_set(values, k, v);
    }
    if (!strcmp(type, "rate") && json_object_get(values, "value"))
      json_object_set(values, "rate", json_object_get(values, "value"));
    json_t *thr = json_object_get(m, "thresholds");
    if (thr && !json_is_object(thr)) {
      json_decref(values);
      json_decref(th);
      return err_set(err, LR_DATAERR, "%s: metric '%s': thresholds is not an object", path, name);
    }
    json_object_foreach(thr, k, v) {
      if (!json_is_boolean(v)) {
        json_decref(values);
        json_decref(th);
        return err_set(err, LR_DATAERR, "%s: metric '%s': threshold '%s' is not true/false", path, name, k);
      }
      json_object_set_new(th, k, json_boolean(!json_is_true(v))); /* inverted: true means failed */
    }
    /* The legacy export does not say what a trend contains: k6's built-in
     * time trends (and their submetrics) are in ms. */
    size_t blen = strcspn(name, "{");
    int time = !strcmp(type, "trend") &&
               ((blen > 9 && !strncmp(name, "http_req_", 9)) || (blen == 18 && !strncmp(name, "iteration_duration", 18)) ||
                (blen == 14 && !strncmp(name, "group_duration", 14)));
    json_object_set_new(s->metrics, name,
                        json_pack("{s:s,s:s,s:o,s:o}", "type", type, "contains", time ? "time" : "default", "values",
                                  values, "thresholds", th));
  }
  collect_checks(json_object_get(doc, "root_group"), s->checks);
  if (check_checks(s->checks, path, err) < 0)
    return -1;
  /* No duration in this format: count/rate of a counter gives it back. */
  const char *counters[] = {"http_reqs", "iterations", "data_received", "data_sent"};
  for (size_t i = 0; i < 4; i++) {
    json_t *c = json_object_get(metrics, counters[i]);
    double cnt = json_number_value(json_object_get(c, "count")), rate = json_number_value(json_object_get(c, "rate"));
    if (cnt > 0 && rate > 0) {
      s->duration_s = cnt / rate;
      s->duration_src = "counter";
      break;
    }
  }
  return 0;
}

static int parse_handle(json_t *doc, const char *path, struct k6_summary *s, struct err *err) {
  json_t *metrics = json_object_get(doc, "metrics");
  const char *name;
  json_t *m;
  json_object_foreach(metrics, name, m) {
    json_t *values = json_object_get(m, "values");
    if (check_values(values, path, name, err) < 0)
      return -1;
    const char *type = json_string_value(json_object_get(m, "type"));
    if (!type || (strcmp(type, "trend") && strcmp(type, "counter") && strcmp(type, "rate") && strcmp(type, "gauge")))
      return err_set(err, LR_DATAERR, "%s: metric '%s': unknown type '%s' (expected counter, gauge, rate or trend)",
                     path, name, type ? type : "(none)");
    const char *contains = json_string_value(json_object_get(m, "contains"));
    json_t *th = json_object(), *thr = json_object_get(m, "thresholds");
    const char *k;
    json_t *v;
    if (thr && !json_is_object(thr)) {
      json_decref(th);
      return err_set(err, LR_DATAERR, "%s: metric '%s': thresholds is not an object", path, name);
    }
    json_object_foreach(thr, k, v) {
      json_t *ok = json_object_get(v, "ok");
      if (!json_is_boolean(ok)) {
        json_decref(th);
        return err_set(err, LR_DATAERR, "%s: metric '%s': threshold '%s' has no \"ok\" true/false", path, name, k);
      }
      json_object_set(th, k, ok);
    }
    json_object_set_new(s->metrics, name,
                        json_pack("{s:s,s:s,s:O,s:o}", "type", type, "contains", contains ? contains : "default",
                                  "values", values, "thresholds", th));
  }
  collect_checks(json_object_get(doc, "root_group"), s->checks);
  if (check_checks(s->checks, path, err) < 0)
    return -1;
  json_t *state = json_object_get(doc, "state");
  json_t *d = json_object_get(state, "testRunDurationMs");
  if (d && !json_is_number(d))
    return err_set(err, LR_DATAERR, "%s: state.testRunDurationMs is not a number", path);
  if (json_is_number(d) && json_number_value(d) > 0) {
    s->duration_s = json_number_value(d) / 1000.0;
    s->duration_src = "k6";
  }
  json_t *ts = json_object_get(json_object_get(doc, "options"), "summaryTrendStats");
  if (json_is_array(ts))
    s->trend_stats = json_incref(ts);
  s->scenario_config = k6_scenario_config(doc);
  return 0;
}

static int parse_machine(json_t *doc, const char *path, struct k6_summary *s, struct err *err) {
  const char *version = json_string_value(json_object_get(doc, "version"));
  if (!version || strncmp(version, "1.", 2) != 0)
    return err_set(err, LR_DATAERR,
                   "%s: machine-readable summary version '%s' is not supported (expected 1.x, k6 v1.5 to v2.x)", path,
                   version ? version : "(none)");
  json_t *results = json_object_get(doc, "results");
  json_t *arr = json_object_get(results, "metrics");
  size_t i;
  json_t *m;
  if (!json_is_array(arr))
    return err_set(err, LR_DATAERR, "%s: results.metrics is not an array", path);
  json_array_foreach(arr, i, m) {
    const char *name = json_string_value(json_object_get(m, "name"));
    const char *type = json_string_value(json_object_get(m, "type"));
    json_t *values = json_object_get(m, "values");
    if (!name || !type)
      return err_set(err, LR_DATAERR, "%s: results.metrics[%zu] has no name or type", path, i);
    if (check_values(values, path, name, err) < 0)
      return -1;
    json_t *nv = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(values, k, v) {
      char key[32];
      if (k[0] == 'p' && k[1] >= '0' && k[1] <= '9' && strlen(k) < 20)
        snprintf(key, sizeof key, "p(%s)", k + 1);
      else
        snprintf(key, sizeof key, "%s", k);
      json_object_set(nv, key, v);
    }
    if (!strcmp(type, "rate")) {
      double matches = json_number_value(json_object_get(values, "matches"));
      double total = json_number_value(json_object_get(values, "total"));
      json_object_set_new(nv, "passes", json_real(matches));
      json_object_set_new(nv, "fails", json_real(total - matches));
    }
    const char *contains = json_string_value(json_object_get(m, "contains"));
    json_object_set_new(s->metrics, name,
                        json_pack("{s:s,s:s,s:o,s:o}", "type", type, "contains", contains ? contains : "default",
                                  "values", nv, "thresholds", json_object()));
  }
  json_t *checks = json_object_get(json_object_get(results, "checks"), "results");
  json_array_foreach(checks, i, m) {
    json_array_append_new(s->checks, check_obj("", json_object_get(m, "name"), json_object_get(m, "passes"),
                                               json_object_get(m, "fails")));
  }
  if (check_checks(s->checks, path, err) < 0)
    return -1;
  json_t *d = json_object_get(json_object_get(doc, "config"), "duration");
  if (json_is_number(d) && json_number_value(d) > 0) {
    s->duration_s = json_number_value(d);
    s->duration_src = "k6";
  }
  const char *ver = json_string_value(json_object_get(json_object_get(doc, "metadata"), "k6_version"));
  if (!ver)
    ver = json_string_value(json_object_get(json_object_get(doc, "metadata"), "k6Version"));
  if (ver)
    s->k6_version = xstrdup(ver);
  return 0;
}

int k6_summary_parse(json_t *doc, enum input_kind kind, const char *path, struct k6_summary *s, struct err *err) {
  memset(s, 0, sizeof *s);
  s->kind = kind;
  s->duration_s = NAN;
  s->metrics = json_object();
  s->checks = json_array();
  int rc;
  if (kind == IN_K6_SUMMARY_EXPORT)
    rc = parse_legacy(doc, path, s, err);
  else if (kind == IN_K6_HANDLE_SUMMARY)
    rc = parse_handle(doc, path, s, err);
  else
    rc = parse_machine(doc, path, s, err);
  if (rc < 0)
    k6_summary_release(s);
  return rc;
}

void k6_summary_release(struct k6_summary *s) {
  json_decref(s->metrics);
  json_decref(s->checks);
  json_decref(s->trend_stats);
  json_decref(s->scenario_config);
  free(s->k6_version);
  memset(s, 0, sizeof *s);
}

json_t *k6_summary_verdicts(const struct k6_summary *s) {
  json_t *out = json_object();
  const char *name;
  json_t *m;
  json_object_foreach(s->metrics, name, m) {
    json_t *th = json_object_get(m, "thresholds");
    if (json_object_size(th))
      json_object_set(out, name, th);
  }
  return out;
}

int k6_summary_store(const struct k6_summary *s, struct store *st, int64_t run_id, int only_missing,
                     struct err *err) {
  struct metric_writer *w =
      store_metric_writer(st, only_missing ? STORE_OR_IGNORE : STORE_OR_REPLACE, STORE_CHECK_REPLACE);
  int rc = -1;
  const char *name;
  json_t *m;
  json_object_foreach(s->metrics, name, m) {
    json_t *values = json_object_get(m, "values");
    const char *type = json_string_value(json_object_get(m, "type"));
    struct metric_row row;
    metric_row_init(&row);
    row.name = name;
    row.type = type;
    row.contains = json_string_value(json_object_get(m, "contains"));
    row.count = jx_num(values, "count");
    row.avg = jx_num(values, "avg");
    row.min = jx_num(values, "min");
    row.med = jx_num(values, "med");
    row.max = jx_num(values, "max");
    row.p90 = jx_num(values, "p(90)");
    row.p95 = jx_num(values, "p(95)");
    row.p99 = jx_num(values, "p(99)");
    if (!strcmp(type, "counter"))
      row.rate = jx_num(values, "rate");
    if (!strcmp(type, "rate")) {
      row.passes = jx_num(values, "passes");
      row.fails = jx_num(values, "fails");
      row.value = jx_num(values, "rate");
    } else if (!strcmp(type, "gauge")) {
      row.value = jx_num(values, "value");
    }
    char *x = NULL;
    if (!strcmp(type, "trend")) {
      /* Percentiles beyond the fixed columns (summaryTrendStats such as
       * p(99.9)) go to extra, as from samples. */
      json_t *extra = NULL;
      const char *k;
      json_t *v;
      json_object_foreach(values, k, v) {
        if (strncmp(k, "p(", 2) || !strcmp(k, "p(90)") || !strcmp(k, "p(95)") || !strcmp(k, "p(99)") ||
            !json_is_number(v))
          continue;
        if (!extra)
          extra = json_object();
        json_object_set(extra, k, v);
      }
      if (extra) {
        x = json_dumps(extra, JSON_COMPACT | JSON_REAL_PRECISION(17));
        json_decref(extra);
      }
    }
    row.extra = x;
    int fail = store_metric_put(w, run_id, &row, err);
    free(x);
    if (fail)
      goto out;
    if (only_missing)
      continue;
    const char *expr;
    json_t *ok;
    json_object_foreach(json_object_get(m, "thresholds"), expr, ok) {
      if (store_threshold_put(w, run_id, name, expr, json_is_true(ok), "k6", err) < 0)
        goto out;
    }
  }
  size_t i;
  json_t *checks = only_missing ? NULL : s->checks;
  json_array_foreach(checks, i, m) {
    if (store_check_put(w, run_id, json_string_value(json_object_get(m, "group")),
                        json_string_value(json_object_get(m, "name")),
                        (int64_t)json_number_value(json_object_get(m, "passes")),
                        (int64_t)json_number_value(json_object_get(m, "fails")), err) < 0)
      goto out;
  }
  rc = 0;
out:
  store_metric_writer_free(w);
  return rc;
}
