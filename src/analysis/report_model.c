/* report_model.c - the JSON model behind `loadrep report` (report_model.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analysis/dbevidence.h"
#include "analysis/report_model.h"
#include "analysis/show.h"
#include "ingest/endpoint.h"
#include "store/store.h"
#include "store/store_report.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#if defined(__has_include)
#if __has_include("analysis/soak.h")
#include "analysis/soak.h"
#define HAVE_SOAK 1
#endif
#endif

/* ------------------------------------------------------------------ helpers */

json_t *rm_get(json_t *o, const char *path) {
  char *copy = xstrdup(path), *save = NULL;
  json_t *v = o;
  for (char *t = strtok_r(copy, ".", &save); t && v; t = strtok_r(NULL, ".", &save))
    v = json_object_get(v, t);
  free(copy);
  return v;
}

double rm_num(json_t *o, const char *path) {
  json_t *v = rm_get(o, path);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *rm_str(json_t *o, const char *path) {
  json_t *v = rm_get(o, path);
  return json_is_string(v) ? json_string_value(v) : "";
}

static int contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (const char *p = hay; *p; p++)
    if (!strncasecmp(p, needle, n))
      return 1;
  return 0;
}

/* ------------------------------------------------------------------ targets */

int report_parse_targets(const char *s, struct report_target *out, size_t *nout, struct err *err) {
  char *copy = xstrdup(s), *save = NULL;
  int rc = 0;
  *nout = 0;
  for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
    while (*t == ' ')
      t++;
    char *eq = strchr(t, '=');
    struct report_target tg;
    memset(&tg, 0, sizeof tg);
    if (!eq || eq == t || (size_t)(eq - t) >= sizeof tg.metric || *nout == REPORT_MAX_TARGETS) {
      rc = -1;
      break;
    }
    memcpy(tg.metric, t, (size_t)(eq - t));
    if (strcmp(tg.metric, "p50") && strcmp(tg.metric, "p95") && strcmp(tg.metric, "p99") &&
        strcmp(tg.metric, "avg") && strcmp(tg.metric, "rps") && strcmp(tg.metric, "errors")) {
      rc = -1;
      break;
    }
    const char *v = eq + 1;
    char *end;
    if (*v == 'x' || *v == '/' || *v == '*') {
      tg.op = *v == '/' ? '/' : 'x';
      errno = 0;
      tg.value = strtod(v + 1, &end);
      if (end == v + 1 || *end || errno || !(tg.value > 0) || !isfinite(tg.value))
        rc = -1;
    } else if (*v == '-' || *v == '+') {
      tg.op = *v;
      errno = 0;
      tg.value = strtod(v + 1, &end);
      if (end == v + 1 || strcmp(end, "%") || errno || !(tg.value >= 0) || tg.value > 1000)
        rc = -1;
    } else {
      rc = -1;
    }
    snprintf(tg.text, sizeof tg.text, "%s", v);
    if (rc == 0)
      out[(*nout)++] = tg;
  }
  if (rc < 0)
    err_set(err, LR_USAGE,
            "option '--targets': expected METRIC=-N%%|+N%%|xN|/N for p50, p95, p99, avg, rps or "
            "errors (comma-separated), got '%s'",
            s);
  free(copy);
  return rc;
}


/* Test shape: VUs at the start and at the peak, and whether it ramps. */
static int run_shape(struct store *st, const struct run_info *run, json_t *show, json_t *entry,
                     struct err *err) {
  struct store_vus_point *pts;
  size_t n;
  if (store_report_vus_points(st, run->id, &pts, &n, err) < 0)
    return -1;
  double first = NAN, max = 0, t_max = 0, t_last = 0;
  for (size_t i = 0; i < n; i++) {
    double t = pts[i].t, v = pts[i].vus;
    if (isnan(first))
      first = v;
    if (v > max) {
      max = v;
      t_max = t;
    }
    t_last = t;
  }
  free(pts);
  int ramp = isfinite(first) && max >= 4 * (first > 1 ? first : 1) && t_last > 0 &&
             t_max > 0.4 * t_last;
  json_t *shape = json_object();
  json_object_set_new(shape, "vus_start", jx_real_or_null(first));
  json_object_set_new(shape, "vus_max", jx_real_or_null(rm_num(show, "summary.vus_max")));
  json_object_set_new(shape, "ramp", json_boolean(ramp));
  json_object_set_new(shape, "duration_s", jx_real_or_null(rm_num(show, "run.duration_s")));
  json_object_set_new(shape, "iterations", jx_real_or_null(rm_num(show, "summary.iterations")));
  json_t *script = rm_get(show, "run.labels.script");
  json_object_set_new(shape, "script", json_is_string(script) ? json_incref(script) : json_null());
  json_object_set_new(entry, "shape", shape);
  return 0;
}

/* Errors summed by (status, error_code), largest first. */
static json_t *errors_by_status(json_t *show) {
  json_t *out = json_array(), *e;
  size_t i;
  double total = rm_num(show, "summary.requests");
  json_array_foreach(json_object_get(show, "errors"), i, e) {
    const char *st = rm_str(e, "status"), *code = rm_str(e, "error_code");
    json_t *hit = NULL, *x;
    size_t k;
    json_array_foreach(out, k, x) if (!strcmp(rm_str(x, "status"), st) && !strcmp(rm_str(x, "error_code"), code)) hit = x;
    if (!hit) {
      hit = json_pack("{s:s,s:s,s:I}", "status", st, "error_code", code, "count", (json_int_t)0);
      json_array_append_new(out, hit);
    }
    json_object_set_new(hit, "count",
                        json_integer(json_integer_value(json_object_get(hit, "count")) +
                                     json_integer_value(json_object_get(e, "count"))));
  }
  /* Sort by count, descending (stable: insertion). */
  size_t n = json_array_size(out);
  for (size_t a = 1; a < n; a++)
    for (size_t b = a; b > 0; b--) {
      json_t *p = json_array_get(out, b - 1), *q = json_array_get(out, b);
      if (json_integer_value(json_object_get(p, "count")) >= json_integer_value(json_object_get(q, "count")))
        break;
      json_incref(p);
      json_array_set(out, b - 1, q);
      json_array_set_new(out, b, p);
    }
  json_array_foreach(out, i, e) {
    double c = (double)json_integer_value(json_object_get(e, "count"));
    json_object_set_new(e, "share_of_requests", jx_real_or_null(total > 0 ? c / total : NAN));
  }
  return out;
}

/* The objective of `metric` ("p95" | "error_rate") on `endpoint` among
 * compare's objectives (analysis/compare.h), or NULL. */
static json_t *objective_of(json_t *objs, const char *endpoint, const char *metric) {
  json_t *x;
  size_t i;
  json_array_foreach(objs, i, x) if (!strcmp(rm_str(x, "endpoint"), endpoint) && !strcmp(rm_str(x, "metric"), metric))
      return x;
  return NULL;
}

/* One SLO row: the figures, the objective that applied and where it came
 * from, and the verdict by the rule `check` applies (compare_objectives). */
static json_t *slo_row(json_t *show, json_t *objs, const char *label, const char *endpoint, double p95,
                       double er) {
  json_t *op = objective_of(objs, endpoint, "p95"), *oe = objective_of(objs, endpoint, "error_rate");
  const char *vp = op ? rm_str(op, "verdict") : "not_applicable", *ve = oe ? rm_str(oe, "verdict") : "not_applicable";
  int na = !strcmp(vp, "not_applicable") && !strcmp(ve, "not_applicable");
  int ok = strcmp(vp, "slo_breach") && strcmp(ve, "slo_breach");
  json_t *row = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:b,s:o,s:o,s:s,s:b}", "scenario", rm_str(show, "run.scenario"), "run",
                          rm_str(show, "run.name"), "endpoint", label, "p95_ms", jx_real_or_null(p95), "p95_slo_ms",
                          jx_real_or_null(rm_num(op, "objective")), "p95_verdict", vp, "p95_ok", !strcmp(vp, "met"),
                          "error_rate", jx_real_or_null(er), "error_slo", jx_real_or_null(rm_num(oe, "objective")),
                          "errors_verdict", ve, "errors_ok", !strcmp(ve, "met"));
  json_object_set_new(row, "slo_source", json_pack("{s:s,s:s}", "p95", op ? rm_str(op, "slo_source") : "",
                                                   "errors", oe ? rm_str(oe, "slo_source") : ""));
  json_object_set_new(row, "slo_from", json_pack("{s:s,s:s}", "p95", op ? rm_str(op, "slo_from") : "", "errors",
                                                 oe ? rm_str(oe, "slo_from") : ""));
  const char *fp = op ? rm_str(op, "slo_from") : "", *fe = oe ? rm_str(oe, "slo_from") : "";
  struct strbuf sb = STRBUF_INIT;
  if (!strcmp(fp, fe) || !*fe)
    strbuf_addstr(&sb, *fp ? fp : "none");
  else if (!*fp)
    strbuf_addstr(&sb, fe);
  else
    strbuf_addf(&sb, "p95: %s; errors: %s", fp, fe);
  json_object_set_new(row, "slo_from_text", json_string(sb.buf));
  strbuf_release(&sb);
  json_object_set_new(row, "error_zero", json_boolean(oe && rm_num(oe, "objective") == 0));
  json_object_set_new(row, "not_applicable", json_boolean(na));
  json_object_set_new(row, "ok", json_boolean(ok && !na));
  json_object_set_new(row, "verdict", json_string(na ? "not_applicable" : ok ? "met" : "slo_breach"));
  return row;
}

/* SLO rows of a run (every endpoint, then all requests), judged as `check`
 * judges them: a ramp's whole-run figures are not applicable. */
static int slo_rows(struct store *st, const struct run_info *run, json_t *entry, json_t *show,
                    const struct report_model_opts *o, int ramp, json_t *rows, struct err *err) {
  json_t *objs = NULL, *none = json_array(), *e;
  int rc = compare_objectives(st, run, o->slo, ramp, NULL, none, &objs, err);
  json_decref(none);
  if (rc < 0)
    return -1;
  size_t i;
  int all_ok = 1;
  json_t *mine = json_array();
  json_array_foreach(json_object_get(show, "endpoints"), i, e) {
    double p95 = rm_num(e, "http_req_duration.p(95)");
    if (!(rm_num(e, "http_req_duration.count") > 0))
      p95 = NAN;
    json_array_append_new(mine, slo_row(show, objs, rm_str(e, "endpoint"), rm_str(e, "endpoint"), p95,
                                        rm_num(e, "error_rate")));
  }
  json_array_append_new(mine, slo_row(show, objs, "all requests", "ALL", rm_num(show, "summary.p95"),
                                      rm_num(show, "summary.error_rate")));
  json_array_foreach(mine, i, e) all_ok &= !!strcmp(rm_str(e, "verdict"), "slo_breach");
  json_decref(objs);
  json_array_extend(rows, mine);
  json_object_set_new(entry, "slo_rows", mine);
  json_object_set_new(entry, "slo_ok", json_boolean(all_ok));
  json_object_set_new(entry, "slo_judged", json_boolean(!ramp));
  return 0;
}

static const char *baseline_spec(const struct report_model_opts *o, const struct run_info *run) {
  char idbuf[32];
  snprintf(idbuf, sizeof idbuf, "%lld", (long long)run->id);
  for (size_t i = 0; i < o->nbof; i++)
    if (!strcmp(o->bof[i].run, run->name) || !strcmp(o->bof[i].run, idbuf))
      return o->bof[i].base;
  return NULL;
}

static int is_stress(const struct run_info *run, json_t *entry) {
  return contains_ci(run->scenario ? run->scenario : "", "stress") ||
         json_is_true(rm_get(entry, "shape.ramp"));
}

static int is_soak(const struct run_info *run) {
  return contains_ci(run->scenario ? run->scenario : "", "soak");
}

/* LLM calls per hour within the SLO: the capacity document's own figure
 * (bottleneck.full.llm_*); NULL when the run has no LLM-like endpoint. */
static json_t *llm_capacity(json_t *cap) {
  json_t *full = rm_get(cap, "bottleneck.full");
  double calls = rm_num(full, "llm_calls_per_hour");
  const char *ep = rm_str(full, "llm_endpoint");
  if (!isfinite(calls) || !*ep)
    return json_null();
  json_t *out = json_pack("{s:s,s:f}", "endpoint", ep, "calls_per_hour", calls);
  json_t *e;
  size_t i;
  json_array_foreach(json_object_get(full, "endpoint_capacity"), i, e) {
    if (!strcmp(rm_str(e, "endpoint"), ep)) {
      json_object_set_new(out, "rps_within_slo", jx_real_or_null(rm_num(e, "rps_within_slo")));
      json_object_set_new(out, "peak_calls_per_hour", jx_real_or_null(rm_num(e, "peak_calls_per_hour")));
      json_object_set_new(out, "service_time_ms", jx_real_or_null(rm_num(e, "service_time_ms")));
    }
  }
  return out;
}

/* Scaling advice from the USL fit and the resources at the knee. */
static json_t *scaling_advice(json_t *cap) {
  json_t *reasons = json_array();
  const char *strategy = "horizontal";
  json_t *usl = json_object_get(cap, "usl");
  double sigma = rm_num(usl, "sigma"), kappa = rm_num(usl, "kappa");
  const char *res = rm_str(cap, "bottleneck.resource");
  json_t *r, *cpu = NULL;
  size_t i;
  json_array_foreach(rm_get(cap, "bottleneck.full.resources"), i, r) if (!strcmp(rm_str(r, "resource"), "cpu")) cpu = r;
  struct strbuf sb = STRBUF_INIT;
  if (!strcmp(res, "cpu")) {
    strategy = "vertical or horizontal";
    json_array_append_new(reasons, json_string("CPU saturates at the knee: more or faster cores "
                                               "(vertical) raise the ceiling directly; more "
                                               "instances (horizontal) do too if state is shared "
                                               "outside the process."));
  } else if (!strcmp(res, "memory")) {
    strategy = "vertical";
    json_array_append_new(reasons, json_string("memory is the saturated resource: a larger "
                                               "instance (vertical) or less memory per request "
                                               "helps; more instances only if the working set "
                                               "partitions."));
  } else if (!strcmp(res, "backend_pool") || !strcmp(res, "server_concurrency")) {
    strategy = "horizontal (or a larger pool)";
    json_array_append_new(reasons, json_string("a fixed-size pool or concurrency limit fills up "
                                               "first: raise the limit where the backend allows "
                                               "it, or add instances each with their own pool; "
                                               "a bigger machine alone does not help."));
  } else {
    strategy = "horizontal";
    if (cpu && rm_num(cpu, "knee_pct") < 70) {
      strbuf_addf(&sb, "no host resource saturates at the knee (host CPU %.0f%%): the limit is a "
                       "soft one inside the service (a lock, pool or single-threaded stage), "
                       "so a bigger machine (vertical) is unlikely to help; more instances "
                       "behind a load balancer (horizontal) multiply it, as long as the shared "
                       "backends keep up.", rm_num(cpu, "knee_pct"));
      json_array_append_new(reasons, json_string(sb.buf));
    } else {
      json_array_append_new(reasons, json_string("the saturated resource is not identified from "
                                                 "the metrics; scale out (horizontal) and repeat "
                                                 "the ramp to confirm the gain."));
    }
  }
  if (isfinite(sigma) && sigma > 0.05) {
    strbuf_reset(&sb);
    strbuf_addf(&sb, "contention is high (USL sigma %.3f): part of the work is serialised, so "
                     "each added instance or core gains less; reduce the shared critical "
                     "section first.", sigma);
    json_array_append_new(reasons, json_string(sb.buf));
  }
  if (isfinite(kappa) && kappa > 1e-4) {
    strbuf_reset(&sb);
    strbuf_addf(&sb, "coherency cost is visible (USL kappa %.2g): throughput falls past the "
                     "peak, so run each instance below its peak concurrency and partition "
                     "state rather than share it.", kappa);
    json_array_append_new(reasons, json_string(sb.buf));
  } else if (isfinite(sigma) && sigma <= 0.05) {
    json_array_append_new(reasons, json_string("the USL fit shows near-linear scaling up to the "
                                               "tested load (small sigma and kappa), which "
                                               "favours adding instances."));
  }
  double inst = rm_num(cap, "instances_for_target");
  if (isfinite(inst)) {
    strbuf_reset(&sb);
    strbuf_addf(&sb, "to carry the target of %.0f users within the SLO, plan for %.0f "
                     "instance(s) like the one tested, plus headroom for the loss of one.",
                rm_num(cap, "target_users"), inst);
    json_array_append_new(reasons, json_string(sb.buf));
  }
  strbuf_release(&sb);
  return json_pack("{s:s,s:o}", "strategy", strategy, "reasons", reasons);
}

struct run_list {
  struct run_info *v;
  size_t n, cap;
};

int report_resolve_runs(struct store *st, int argc, char **argv, struct report_runs *rl,
                        struct err *err) {
  if (argc > 0) {
    for (int i = 0; i < argc; i++) {
      XGROW(rl->v, rl->cap, rl->n + 1);
      if (store_find_run(st, argv[i], &rl->v[rl->n], err) < 0)
        return -1;
      rl->n++;
    }
    return 0;
  }
  int64_t *ids;
  size_t n;
  if (store_report_latest_runs(st, &ids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    XGROW(rl->v, rl->cap, rl->n + 1);
    if (store_get_run(st, ids[i], &rl->v[rl->n], err) < 0) {
      free(ids);
      return -1;
    }
    rl->n++;
  }
  free(ids);
  if (rl->n == 0)
    return err_set(err, LR_NOINPUT, "no runs in the database: run 'loadrep ingest' first");
  return 0;
}

static json_t *now_json(void) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return json_string(buf);
}


/* The show.system entry for series `name` (NULL when absent). */
static json_t *system_entry(json_t *show, const char *name) {
  json_t *sys = json_object_get(show, "system"), *e;
  size_t i;
  json_array_foreach(sys, i, e) if (!strcmp(rm_str(e, "series"), name)) return e;
  return NULL;
}

/* A series of the service's own process (or a role the user named "sut")
 * speaks for the system under test; any other (host CPU, used memory) for
 * the host. */
static int series_is_service(const char *name) {
  static const char *const prefixes[] = {"sut_", "process_", "app_", "rss"};
  for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
    if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
      return 1;
  return 0;
}

static const char *series_owner(const char *name) {
  return series_is_service(name) ? "the system under test" : "the host (the whole machine)";
}

/* Which CPU and memory series the charts draw ("system_series"), and their
 * peaks, the numbers of show's "system" table. */
static int system_peaks(struct store *st, const struct run_info *run, json_t *entry, struct err *err) {
  char *cpu_name = NULL, *mem_name = NULL;
  int64_t cpu_id = report_pick_series(st, run->id, report_cpu_patterns, &cpu_name, err);
  int64_t mem_id = report_pick_series(st, run->id, report_mem_patterns, &mem_name, err);
  if (cpu_id < 0 || mem_id < 0) {
    free(cpu_name);
    free(mem_name);
    return -1;
  }
  json_object_set_new(entry, "system_series",
                      json_pack("{s:o,s:o}", "cpu", cpu_name ? json_string(cpu_name) : json_null(), "mem",
                                mem_name ? json_string(mem_name) : json_null()));
  json_t *show = json_object_get(entry, "show");
  json_t *cpu = cpu_name ? system_entry(show, cpu_name) : NULL;
  json_t *mem = mem_name ? system_entry(show, mem_name) : NULL;
  /* CPU as a percentage: a rate of CPU seconds (cores) times 100, so 100 %
   * is one core, as the service's own percentage series count it. */
  double k = cpu && !strcmp(rm_str(cpu, "unit"), "per-second") ? 100 : 1;
  json_object_set_new(entry, "peak_cpu",
                      cpu ? json_pack("{s:s,s:o,s:o,s:s,s:s}", "series", cpu_name, "max",
                                      jx_real_or_null(k * rm_num(cpu, "max")), "avg",
                                      jx_real_or_null(k * rm_num(cpu, "avg")), "who", series_owner(cpu_name), "basis",
                                      series_is_service(cpu_name) ? "100% is one core" : "of all cores")
                          : json_null());
  json_object_set_new(entry, "peak_mem",
                      mem ? json_pack("{s:s,s:o,s:o,s:s}", "series", mem_name, "max",
                                      jx_real_or_null(rm_num(mem, "max")), "min", jx_real_or_null(rm_num(mem, "min")),
                                      "who", series_owner(mem_name))
                          : json_null());
  free(cpu_name);
  free(mem_name);
  return 0;
}

/* -------------------------------------------------------------------- model */


void report_runs_release(struct report_runs *rl) {
  for (size_t i = 0; i < rl->n; i++)
    run_info_release(&rl->v[i]);
  free(rl->v);
  memset(rl, 0, sizeof *rl);
}

/* The model's top: title, date, objectives, charts state, empty lists. */
static void model_head(json_t *m, const struct report_model_opts *o) {
  json_object_set_new(m, "title", json_string(o->title ? o->title : ""));
  json_object_set_new(m, "generated", now_json());
  json_object_set_new(m, "version", json_string(LOADREP_VERSION));
  json_object_set_new(m, "slo", json_pack("{s:f,s:f}", "p95_ms", o->cap.slo_p95_ms, "error_rate",
                                          o->cap.slo_error_rate));
  json_object_set_new(m, "threshold_pct", json_real(o->cmp.threshold_pct));
  json_object_set_new(m, "target_users", json_integer(o->cap.target_users));
  json_t *charts = json_object();
  json_object_set_new(charts, "enabled", json_boolean(o->charts_enabled));
  json_object_set_new(charts, "note", o->charts_note ? json_string(o->charts_note) : json_null());
  json_object_set_new(m, "charts", charts);
  json_object_set_new(m, "runs", json_array());
  json_object_set_new(m, "slo_rows", json_array());
  json_object_set_new(m, "capacity", json_array());
  json_object_set_new(m, "soak", json_array());
  json_object_set_new(m, "targets_given", json_boolean(o->ntargets > 0));
}

/* The run's own part: show, shape, errors, thresholds, SLO rows, system. */
static int run_entry(struct store *st, const struct run_info *run, const struct report_model_opts *o,
                     json_t *entry, json_t *slo, struct err *err) {
  json_t *show = NULL;
  if (show_build(st, run, &show, err) < 0)
    return -1;
  json_object_set_new(entry, "name", json_string(run->name));
  json_object_set_new(entry, "scenario", json_string(run->scenario ? run->scenario : ""));
  json_object_set_new(entry, "show", show);
  json_object_set_new(entry, "charts", json_object());
  json_object_set_new(entry, "has_endpoints",
                      json_boolean(json_array_size(json_object_get(show, "endpoints")) > 0));
  json_object_set_new(entry, "errors_by_status", errors_by_status(show));
  json_t *db = json_object_get(show, "database"); /* show's own object (dbevidence.h), or none */
  json_object_set_new(entry, "db", db ? json_deep_copy(db) : json_null());
  int th_ok = 1;
  json_t *t;
  size_t k;
  json_array_foreach(json_object_get(show, "thresholds"), k, t) if (json_is_false(json_object_get(t, "ok"))) th_ok = 0;
  json_object_set_new(entry, "thresholds_ok", json_boolean(th_ok));
  if (run_shape(st, run, show, entry, err) < 0 ||
      slo_rows(st, run, entry, show, o, json_is_true(rm_get(entry, "shape.ramp")), slo, err) < 0)
    return -1;
  return system_peaks(st, run, entry, err);
}

/* The baseline of a run: --baseline-of, else the pinned one of its
 * (scenario, env) unless it is the run itself. Returns 1 with *base filled,
 * 0 when none, -1 on error. */
static int find_baseline(struct store *st, const struct run_info *run, const struct report_model_opts *o,
                         struct run_info *base, json_t *entry, struct err *err) {
  const char *spec = baseline_spec(o, run);
  memset(base, 0, sizeof *base);
  json_object_set_new(entry, "is_baseline", json_false());
  if (spec)
    return store_find_run(st, spec, base, err) < 0 ? -1 : 1;
  int64_t bid = 0;
  if (store_get_baseline(st, run->scenario ? run->scenario : "", run->env ? run->env : "", &bid, err) < 0)
    return -1;
  if (bid && bid != run->id)
    return store_get_run(st, bid, base, err) < 0 ? -1 : 1;
  json_object_set_new(entry, "is_baseline", json_boolean(bid && bid == run->id));
  return 0;
}

static int run_baseline(struct store *st, const struct run_info *run, const struct report_model_opts *o,
                        json_t *entry, struct err *err) {
  json_object_set_new(entry, "baseline", json_null());
  json_object_set_new(entry, "targets", json_null());
  json_object_set_new(entry, "missed_objectives", json_array());
  struct run_info base;
  int have = find_baseline(st, run, o, &base, entry, err);
  if (have <= 0)
    return have;
  json_t *cmp = NULL, *bshow = NULL;
  if (compare_build(st, &base, run, &o->cmp, &cmp, err) < 0 || show_build(st, &base, &bshow, err) < 0) {
    json_decref(cmp);
    run_info_release(&base);
    return -1;
  }
  json_t *b = json_object();
  json_object_set_new(b, "name", json_string(base.name));
  json_object_set_new(b, "compare", cmp);
  json_object_set_new(b, "regression", json_boolean(!strcmp(rm_str(cmp, "verdict"), "regression")));
  json_object_set_new(entry, "baseline", b);
  json_object_set(b, "summary", json_object_get(bshow, "summary"));
  /* The candidate's missed objectives, told apart from regressions. */
  json_t *missed = json_array(), *x;
  size_t i;
  json_array_foreach(json_object_get(cmp, "objectives"), i, x) if (!strcmp(rm_str(x, "verdict"), "slo_breach"))
      json_array_append(missed, x);
  json_object_set_new(entry, "missed_objectives", missed);
  json_decref(bshow);
  run_info_release(&base);
  return 0;
}

/* Capacity planning of a stress run; a run the analysis cannot use gets an
 * entry with its error. */
static json_t *run_capacity(struct store *st, const struct run_info *run, const struct report_model_opts *o,
                            json_t *entry) {
  json_t *cap = NULL;
  struct err cerr = ERR_INIT;
  json_t *centry = json_object();
  json_object_set_new(centry, "name", json_string(run->name));
  json_object_set_new(centry, "scenario", json_string(run->scenario ? run->scenario : ""));
  json_object_set_new(centry, "show", json_incref(json_object_get(entry, "show")));
  json_object_set_new(centry, "charts", json_object());
  /* The run's own objective (SLO file, --slo, k6 thresholds), as compare uses. */
  struct capacity_opts co;
  if (compare_capacity_opts(st, run, o->slo, &co, &cerr) < 0)
    co = o->cap;
  co.window_s = o->cap.window_s;
  if (o->target_users > 0)
    co.target_users = o->target_users;
  json_object_set_new(centry, "slo", json_pack("{s:f,s:f,s:I}", "p95_ms", co.slo_p95_ms, "error_rate",
                                               co.slo_error_rate, "target_users", (json_int_t)co.target_users));
  if (capacity_build(st, run, &co, &cap, &cerr) < 0) {
    json_object_set_new(centry, "capacity", json_null());
    json_object_set_new(centry, "error", json_string(cerr.msg));
    json_object_set_new(centry, "database", json_null());
    return centry;
  }
  json_object_set_new(centry, "capacity", cap);
  json_object_set_new(centry, "error", json_null());
  /* The database as a resource (dbevidence.h): the pool and the statements
   * that hold it, when the run has database evidence. */
  json_t *dbe = NULL;
  struct err derr = ERR_INIT;
  if (db_bottleneck_evidence(st, run, &dbe, &derr) < 0)
    dbe = NULL;
  json_object_set_new(centry, "database", dbe ? dbe : json_null());
  json_object_set_new(centry, "llm", llm_capacity(cap));
  json_object_set_new(centry, "scaling", scaling_advice(cap));
  json_t *tm = json_object_get(cap, "target_met");
  json_object_set_new(centry, "target_state",
                      json_string(json_is_true(tm) ? "yes" : json_is_false(tm) ? "no" : "undetermined"));
  json_object_set_new(centry, "target_symbol",
                      json_string(json_is_true(tm) ? "\u2713" : json_is_false(tm) ? "\u2717" : "\u2014"));
  return centry;
}

static json_t *run_soak(struct store *st, const struct run_info *run, json_t *entry) {
  json_t *sentry = json_pack("{s:s,s:s}", "name", run->name, "scenario", run->scenario);
#ifdef HAVE_SOAK
  json_t *sk = NULL;
  struct err serr = ERR_INIT;
  if (soak_build(st, run, &sk, &serr) < 0) {
    json_object_set_new(sentry, "soak", json_null());
    json_object_set_new(sentry, "error", json_string(serr.msg));
  } else {
    json_object_set_new(sentry, "soak", sk);
    json_object_set_new(sentry, "error", json_null());
  }
#else
  (void)st;
  json_object_set_new(sentry, "soak", json_null());
  json_object_set_new(sentry, "error", json_string("soak analysis is not available in this build"));
#endif
  const char *mv = rm_str(sentry, "soak.memory.verdict");
  json_object_set_new(sentry, "memory_leak", json_boolean(!strcmp(mv, "leak")));
  json_object_set_new(sentry, "peak_mem", json_incref(json_object_get(entry, "peak_mem")));
  json_object_set_new(sentry, "charts", json_incref(json_object_get(entry, "charts")));
  return sentry;
}

int report_model_build(struct store *st, const struct report_runs *rl, const struct report_model_opts *o,
                       json_t **out, struct err *err) {
  json_t *m = json_object();
  *out = m;
  model_head(m, o);
  json_t *runs = json_object_get(m, "runs"), *slo = json_object_get(m, "slo_rows");
  json_t *caps = json_object_get(m, "capacity"), *soaks = json_object_get(m, "soak");
  int all_slo_ok = 1;
  for (size_t i = 0; i < rl->n; i++) {
    const struct run_info *run = &rl->v[i];
    json_t *entry = json_object();
    json_array_append_new(runs, entry);
    if (run_entry(st, run, o, entry, slo, err) < 0 || run_baseline(st, run, o, entry, err) < 0)
      return -1;
    all_slo_ok &= json_is_true(json_object_get(entry, "slo_ok"));
    json_object_set_new(entry, "has_capacity", json_false());
    if (is_stress(run, entry)) {
      json_array_append_new(caps, run_capacity(st, run, o, entry));
      json_object_set_new(entry, "has_capacity", json_true());
    }
    if (is_soak(run))
      json_array_append_new(soaks, run_soak(st, run, entry));
  }
  json_object_set_new(m, "slo_ok", json_boolean(all_slo_ok));
  json_object_set_new(m, "has_capacity", json_boolean(json_array_size(caps) > 0));
  json_object_set_new(m, "has_soak", json_boolean(json_array_size(soaks) > 0));
  report_headlines(m);
  if (report_targets(st, o, m, err) < 0 || report_acceptance(st, o, m, err) < 0)
    return -1;
  return 0;
}
