#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/completeness.h"
#include "store/store.h"
#include "store/store_metrics.h"
#include "store/store_runs.h"
#include "util/err.h"
#include "util/strbuf.h"

/* errext/exitcodes/codes.go (k6 v0.49 .. v2.2). */
const char *k6_exit_meaning(int status, int *early) {
  static const struct {
    int code, early;
    const char *text;
  } t[] = {{0, 0, "ok"},
           {97, 1, "the cloud test run failed or was aborted"},
           {98, 1, "cannot get the cloud test run's progress"},
           {99, 0, "thresholds crossed"},
           {100, 1, "setup() timed out"},
           {101, 1, "teardown() timed out"},
           {102, 1, "a timeout"},
           {103, 1, "an engine error"},
           {104, 1, "an invalid configuration"},
           {105, 1, "interrupted from outside (SIGINT or SIGTERM, or the REST API)"},
           {106, 1, "the REST API could not start"},
           {107, 1, "a script exception"},
           {108, 1, "test.abort() in the script"},
           {109, 1, "a Go panic in k6"},
           {110, 0, "marked as failed by the script"}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    if (t[i].code == status) {
      *early = t[i].early;
      return t[i].text;
    }
  }
  *early = status != 0;
  if (status > 128 && status < 160)
    return "killed by a signal";
  return "an unknown failure";
}

double k6_duration_s(json_t *v) {
  if (json_is_number(v))
    return json_number_value(v) / 1000.0; /* k6 reads a bare number as ms */
  const char *s = json_string_value(v);
  if (!s || !*s)
    return NAN;
  double total = 0;
  while (*s) {
    char *end;
    double x = strtod(s, &end);
    if (end == s || !(x >= 0))
      return NAN;
    s = end;
    if (!strncmp(s, "ms", 2)) {
      total += x / 1000;
      s += 2;
    } else if (!strncmp(s, "us", 2) || !strncmp(s, "µs", 3)) {
      total += x / 1e6;
      s += s[0] == 'u' ? 2 : 3;
    } else if (*s == 's') {
      total += x;
      s++;
    } else if (*s == 'm') {
      total += 60 * x;
      s++;
    } else if (*s == 'h') {
      total += 3600 * x;
      s++;
    } else if (!*s && total == 0) {
      return x / 1000; /* "30000": ms */
    } else {
      return NAN;
    }
  }
  return total;
}

json_t *k6_scenario_config(json_t *doc) {
  json_t *opts = json_object_get(doc, "options");
  json_t *sc = json_object_get(opts, "scenarios");
  if (!json_is_object(sc))
    sc = json_object_get(doc, "scenarios");
  if (json_is_object(sc) && json_object_size(sc))
    return json_incref(sc);
  json_t *dur = json_object_get(opts, "duration"), *stages = json_object_get(opts, "stages");
  if (!dur && !stages) {
    dur = json_object_get(doc, "duration");
    stages = json_object_get(doc, "stages");
  }
  if (json_is_array(stages) && json_array_size(stages))
    return json_pack("{s:{s:s,s:O}}", "default", "executor", "ramping-vus", "stages", stages);
  if (dur && !isnan(k6_duration_s(dur)))
    return json_pack("{s:{s:s,s:O}}", "default", "executor", "constant-vus", "duration", dur);
  return NULL;
}

double k6_configured_duration_s(json_t *cfg) {
  if (!json_is_object(cfg) || !json_object_size(cfg))
    return NAN;
  double end = 0;
  const char *name;
  json_t *c;
  json_object_foreach(cfg, name, c) {
    json_t *st = json_object_get(c, "startTime");
    double start = st ? k6_duration_s(st) : 0, len = NAN;
    json_t *stages = json_object_get(c, "stages");
    if (json_is_array(stages) && json_array_size(stages)) {
      len = 0;
      size_t i;
      json_t *sg;
      json_array_foreach(stages, i, sg) len += k6_duration_s(json_object_get(sg, "duration"));
    } else if (json_object_get(c, "duration")) {
      len = k6_duration_s(json_object_get(c, "duration"));
    }
    if (isnan(start) || isnan(len))
      return NAN; /* iteration-based or unknown: no fixed length */
    if (start + len > end)
      end = start + len;
  }
  return end > 0 ? end : NAN;
}

static void add_reason(struct strbuf *sb, const char *text) {
  if (sb->len)
    strbuf_addstr(sb, "; ");
  strbuf_addstr(sb, text);
}

int completeness_store(struct store *st, int64_t run_id, const struct completeness_in *in, int *complete,
                       char *reason, size_t cap, struct err *err) {
  struct strbuf why = STRBUF_INIT;
  char buf[512];
  if (in->exit_status >= 0) {
    int early;
    const char *m = k6_exit_meaning(in->exit_status, &early);
    if (early) {
      if (in->exit_status > 128 && in->exit_status < 160)
        snprintf(buf, sizeof buf, "k6 exit status %d: killed by signal %d%s", in->exit_status,
                 in->exit_status - 128, in->exit_status == 130 ? " (SIGINT)" : in->exit_status == 143 ? " (SIGTERM)" : "");
      else
        snprintf(buf, sizeof buf, "k6 exit status %d: %s", in->exit_status, m);
      add_reason(&why, buf);
    }
  }
  /* A crossed abortOnFail threshold stopped the test (unless k6 says it
   * exited 0: then none was crossed while it ran). */
  size_t i;
  json_t *th;
  json_array_foreach(in->exit_status != 0 ? in->abort_thresholds : NULL, i, th) {
    const char *metric = json_string_value(json_object_get(th, "metric"));
    const char *expr = json_string_value(json_object_get(th, "expression"));
    int passed;
    if (store_threshold_ok(st, run_id, metric, expr, &passed, err) < 0) {
      strbuf_release(&why);
      return -1;
    }
    if (passed == 0) {
      snprintf(buf, sizeof buf, "threshold '%s' on %s (abortOnFail) was crossed: k6 stopped the test", expr, metric);
      add_reason(&why, buf);
    }
  }
  /* Well short of the configured length: more than 5 % and 2 s short. */
  if (isfinite(in->duration_s) && isfinite(in->configured_s) &&
      in->duration_s < in->configured_s - fmax(2.0, 0.05 * in->configured_s)) {
    snprintf(buf, sizeof buf, "ended after %.1f s of the configured %.1f s", in->duration_s, in->configured_s);
    add_reason(&why, buf);
  }
  int ok = why.len == 0;
  int rc = store_run_set_completeness(st, run_id, ok, ok ? NULL : why.buf, in->exit_status, err);
  if (complete)
    *complete = ok;
  if (reason && cap)
    snprintf(reason, cap, "%s", ok ? "" : why.buf);
  strbuf_release(&why);
  if (rc < 0)
    return -1;
  return 0;
}
