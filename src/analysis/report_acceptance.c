/* report_acceptance.c - the report's verdict parts (report_model.h): the
 * headline of each run against its baseline, the --targets judged on the
 * basis they mean (equal load, or capacity from a stress pair), and the
 * acceptance checklist of the load-test story.
 *
 * Sentences carry numbers formatted as the templates format them (ms, f0,
 * f1, pct of render/template.h), so a figure reads the same here as in the
 * tables.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/capacity.h"
#include "analysis/compare.h"
#include "analysis/dbevidence.h"
#include "analysis/report_model.h"
#include "analysis/slo.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"


/* The templates' number formats: ms (2/1/0 decimals by size), f0, f1, pct. */
static const char *fmt(char *buf, size_t n, const char *f, double v) {
  if (!isfinite(v))
    snprintf(buf, n, "n/a");
  else if (!strcmp(f, "ms"))
    snprintf(buf, n, "%.*f", fabs(v) < 100 ? 2 : fabs(v) < 10000 ? 1 : 0, v);
  else if (!strcmp(f, "pct")) { /* as the templates' pct filter: 0.002%, never 0.00% for non-zero */
    int d = 2;
    while (v != 0 && fabs(v * 100) < 0.5 * pow(10, -d) && d < 5)
      d++;
    snprintf(buf, n, "%.*f%%", d, v * 100);
  }
  else if (!strcmp(f, "f1"))
    snprintf(buf, n, "%.1f", v);
  else
    snprintf(buf, n, "%.0f", v);
  return buf;
}
#define F(f, v) fmt((char[48]){0}, 48, f, v)

static json_t *jstrf(const char *fmtstr, ...) __attribute__((format(printf, 1, 2)));
static json_t *jstrf(const char *fmtstr, ...) {
  struct strbuf sb = STRBUF_INIT;
  va_list ap;
  va_start(ap, fmtstr);
  strbuf_vaddf(&sb, fmtstr, ap);
  va_end(ap);
  json_t *j = json_string(sb.buf);
  strbuf_release(&sb);
  return j;
}

/* Successful req/s within the SLO of a capacity document, and which key
 * gave it (the total req/s until capacity reports the successful one). */
static double ok_rps_of(json_t *cap, const char **key) {
  double v = rm_num(cap, "max_ok_rps_within_slo");
  *key = "max_ok_rps_within_slo";
  if (!isfinite(v)) {
    v = rm_num(cap, "max_rps_within_slo");
    *key = "max_rps_within_slo";
  }
  return v;
}

/* ------------------------------------------------------------- headlines */

static json_t *hl(const char *verdict, const char *kind, const char *label, int alarm, json_t *text) {
  return json_pack("{s:s,s:s,s:s,s:b,s:o}", "verdict", verdict, "kind", kind, "label", label, "alarm", alarm, "text",
                   text);
}

static long long count_of(json_t *cmp, const char *v) {
  return (long long)json_integer_value(rm_get(json_object_get(cmp, "counts"), v));
}

static json_t *headline(json_t *cmp) {
  const char *v = rm_str(cmp, "verdict");
  json_t *cap = json_object_get(cmp, "capacity");
  const char *reason = json_string_value(json_array_get(rm_get(cmp, "load.reasons"), 0));
  if (!reason)
    reason = "see load.reasons";
  if (!strcmp(v, "regression"))
    return hl(v, v, "regression", 1, jstrf("%lld finding(s) worse than the baseline", count_of(cmp, "regression")));
  if (!strcmp(v, "slo_breach")) {
    /* Which objectives, and for a ramp pair the capacity change too. */
    struct strbuf t = STRBUF_INIT;
    json_t *o;
    size_t k, n = 0;
    strbuf_addf(&t, "%lld objective(s) missed", count_of(cmp, "slo_breach"));
    json_array_foreach(json_object_get(cmp, "objectives"), k, o) {
      if (strcmp(rm_str(o, "verdict"), "slo_breach") || n++ >= 3)
        continue;
      const char *why = rm_str(o, "reason"), *semi = strchr(why, ';'); /* its first clause */
      strbuf_addf(&t, "%s%s %s: %.*s", n == 1 ? " (" : "; ", rm_str(o, "endpoint"), rm_str(o, "metric"),
                  (int)(semi ? (size_t)(semi - why) : strlen(why)), why);
    }
    if (n)
      strbuf_addch(&t, ')');
    if (json_is_false(rm_get(cmp, "load.comparable")) && json_is_object(cap)) {
      double ub = rm_num(cap, "baseline.max_users_within_slo"), uc = rm_num(cap, "candidate.max_users_within_slo");
      strbuf_addf(&t, "; capacity %s → %s users within the SLO (x%.2f)", F("f0", ub), F("f0", uc), uc / ub);
    }
    json_t *r = hl(v, v, "SLO breach", 1, json_string(t.buf));
    strbuf_release(&t);
    return r;
  }
  if (json_is_false(rm_get(cmp, "load.comparable")) && json_is_object(cap)) {
    double ub = rm_num(cap, "baseline.max_users_within_slo"), uc = rm_num(cap, "candidate.max_users_within_slo");
    int up = uc > ub, down = uc < ub;
    return hl(v, up ? "capacity_up" : down ? "capacity_down" : "capacity_same",
              up ? "capacity up" : down ? "capacity down" : "capacity unchanged", down,
              jstrf("%s (%s–%s) → %s (%s–%s) users within the SLO (x%.2f); successful req/s within the SLO "
                    "%s → %s; the loads differ (%s), so whole-run figures are not compared",
                    F("f0", ub), F("f0", rm_num(cap, "baseline.users_low")), F("f0", rm_num(cap, "baseline.users_high")),
                    F("f0", uc), F("f0", rm_num(cap, "candidate.users_low")), F("f0", rm_num(cap, "candidate.users_high")),
                    uc / ub, F("f1", rm_num(cap, "baseline.max_ok_rps_within_slo")),
                    F("f1", rm_num(cap, "candidate.max_ok_rps_within_slo")), reason));
  }
  if (!strcmp(v, "not_comparable"))
    return hl(v, v, "not comparable", 0, jstrf("the loads differ (%s)", reason));
  if (!strcmp(v, "incomplete"))
    return hl(v, v, "incomplete", 1, json_string("the run stopped before the end of its test"));
  return hl(v, "ok", "no regression", 0,
            jstrf("%lld improved, %lld unchanged, %lld inconclusive", count_of(cmp, "improvement"),
                  count_of(cmp, "unchanged"), count_of(cmp, "inconclusive")));
}

void report_headlines(json_t *model) {
  json_t *e;
  size_t i;
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    json_t *cmp = rm_get(e, "baseline.compare");
    json_object_set_new(e, "headline", cmp ? headline(cmp) : json_null());
  }
}

/* --------------------------------------------------------------- targets */

static const char *target_filter(const char *metric) {
  return !strcmp(metric, "errors") ? "pct" : !strcmp(metric, "rps") ? "f1" : "ms";
}

/* Fills goal, met, change and the reason of a row from b and c. */
static void judge_target(const struct report_target *t, json_t *row, double b, double c, const char *what) {
  int lower_better = strcmp(t->metric, "rps") != 0;
  double goal = NAN;
  switch (t->op) {
  case '-': goal = b * (1 - t->value / 100); break;
  case '+': goal = b * (1 + t->value / 100); break;
  case 'x': goal = lower_better ? b / t->value : b * t->value; break;
  case '/': goal = b / t->value; break;
  }
  const char *f = target_filter(t->metric), *unit = !strcmp(f, "pct") ? "" : !strcmp(f, "f1") ? " req/s" : " ms";
  json_object_set_new(row, "baseline", jx_real_or_null(b));
  json_object_set_new(row, "candidate", jx_real_or_null(c));
  json_object_set_new(row, "target", jx_real_or_null(goal));
  json_object_set_new(row, "change_pct", jx_real_or_null(isfinite(b) && b != 0 && isfinite(c) ? (c - b) / b * 100 : NAN));
  json_object_set_new(row, "improvement_factor",
                      jx_real_or_null(b > 0 && c > 0 ? (lower_better ? b / c : c / b) : NAN));
  json_object_set_new(row, "filter", json_string(f));
  json_object_set_new(row, "unit", json_string(unit));
  if (!isfinite(goal) || !isfinite(c)) {
    json_object_set_new(row, "met", json_null());
    json_object_set_new(row, "reason", jstrf("%s: no value for %s", what, !isfinite(c) ? "the candidate" : "the baseline"));
    return;
  }
  int met = lower_better ? c <= goal : c >= goal;
  json_object_set_new(row, "met", json_boolean(met));
  json_object_set_new(row, "reason", jstrf("%s %s%s → %s%s; goal %s %s%s", what, F(f, b), unit, F(f, c), unit,
                                           lower_better ? "≤" : "≥", F(f, goal), unit));
}

static json_t *target_row(const struct report_target *t, const char *basis, const char *base, const char *cand) {
  return json_pack("{s:s,s:s,s:s,s:o,s:o}", "metric", t->metric, "goal", t->text, "basis", basis, "baseline_run",
                   base ? json_string(base) : json_null(), "candidate_run", cand ? json_string(cand) : json_null());
}

static void unanswered(json_t *row, const char *reason) {
  json_object_set_new(row, "met", json_null());
  json_object_set_new(row, "reason", json_string(reason));
  json_object_set_new(row, "baseline", json_null());
  json_object_set_new(row, "candidate", json_null());
  json_object_set_new(row, "filter", json_string(target_filter(json_string_value(json_object_get(row, "metric")))));
  json_object_set_new(row, "unit", json_string(""));
}

/* Latency and errors at equal load: every reported run whose baseline ran
 * the same load (compare's load.comparable) and that is not a ramp. */
static void equal_load_targets(const struct report_target *t, json_t *runs, json_t *out) {
  const char *key = !strcmp(t->metric, "errors") ? "error_rate" : !strcmp(t->metric, "avg") ? "avg" : t->metric;
  json_t *e;
  size_t i, n = 0;
  json_array_foreach(runs, i, e) {
    json_t *cmp = rm_get(e, "baseline.compare");
    if (!cmp || !json_is_true(rm_get(cmp, "load.comparable")) || json_is_true(json_object_get(e, "has_capacity")))
      continue;
    json_t *row = target_row(t, "equal_load", rm_str(e, "baseline.name"), rm_str(e, "name"));
    char what[128], path[64];
    snprintf(what, sizeof what, "%s of all requests, %s → %s:", t->metric, rm_str(e, "baseline.name"), rm_str(e, "name"));
    snprintf(path, sizeof path, "summary.%s", key);
    judge_target(t, row, rm_num(json_object_get(e, "baseline"), path), rm_num(json_object_get(e, "show"), path), what);
    /* What the comparison says of the same change: a goal met by the point
     * estimate can still be a change the data do not prove. */
    json_t *f, *hit = NULL;
    size_t k;
    json_array_foreach(json_object_get(cmp, "findings"), k, f) if (!strcmp(rm_str(f, "endpoint"), "ALL") &&
                                                                   !strcmp(rm_str(f, "metric"), key)) hit = f;
    if (hit && json_is_string(json_object_get(row, "reason"))) {
      json_object_set_new(row, "compare_verdict", json_string(rm_str(hit, "verdict")));
      json_object_set_new(row, "reason", jstrf("%s; the comparison calls this change %s", rm_str(row, "reason"),
                                               rm_str(hit, "verdict")));
    }
    json_array_append_new(out, row);
    n++;
  }
  if (n == 0) {
    json_t *row = target_row(t, "equal_load", NULL, NULL);
    unanswered(row, "needs a run and a baseline of the same load shape (e.g. before-normal and after-normal): "
                    "no reported run has one");
    json_array_append_new(out, row);
  }
}

/* The capacity document of run `name` among the model's capacity entries. */
static json_t *capacity_of(json_t *model, const char *name) {
  json_t *c;
  size_t i;
  json_array_foreach(json_object_get(model, "capacity"), i, c) if (!strcmp(rm_str(c, "name"), name)) return json_object_get(c, "capacity");
  return NULL;
}

/* Throughput as capacity: max successful req/s within the SLO, from a
 * stress run and its stress baseline. */
static int capacity_target(struct store *st, const struct report_model_opts *o, const struct report_target *t,
                           json_t *model, json_t *out, struct err *err) {
  json_t *e, *stress = NULL;
  size_t i;
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    if (!json_is_true(json_object_get(e, "has_capacity")))
      continue;
    if (!stress)
      stress = e;
    if (rm_get(e, "baseline.compare")) {
      stress = e;
      break;
    }
  }
  if (!stress || !rm_get(stress, "baseline.compare")) {
    json_t *row = target_row(t, "capacity", NULL, stress ? rm_str(stress, "name") : NULL);
    unanswered(row, stress ? "throughput is judged as capacity: the stress run has no stress baseline to compare with"
                           : "throughput is judged as capacity: needs a stress (ramp) run and its baseline; "
                             "no stress run is reported");
    json_array_append_new(out, row);
    return 0;
  }
  const char *base = rm_str(stress, "baseline.name"), *cand = rm_str(stress, "name");
  json_t *capc = capacity_of(model, cand), *capb = capacity_of(model, base), *built = NULL;
  if (!capb) {
    struct run_info ri;
    struct capacity_opts co;
    struct err cerr = ERR_INIT;
    if (store_find_run(st, base, &ri, err) < 0)
      return -1;
    if (compare_capacity_opts(st, &ri, o->slo, &co, err) < 0) {
      run_info_release(&ri);
      return -1;
    }
    if (capacity_build(st, &ri, &co, &built, &cerr) == 0)
      capb = built;
    run_info_release(&ri);
  }
  json_t *row = target_row(t, "capacity", base, cand);
  const char *kb = "", *kc = "";
  double b = capb ? ok_rps_of(capb, &kb) : NAN, c = capc ? ok_rps_of(capc, &kc) : NAN;
  const char *what = !strcmp(kb, "max_ok_rps_within_slo") && !strcmp(kc, kb)
                         ? "max successful req/s within the SLO,"
                         : "max req/s within the SLO (successful figure not available),";
  char buf[192];
  snprintf(buf, sizeof buf, "%s %s → %s:", what, base, cand);
  judge_target(t, row, b, c, buf);
  json_object_set_new(row, "figure", json_string(*kc ? kc : kb));
  json_array_append_new(out, row);
  json_decref(built);
  return 0;
}

int report_targets(struct store *st, const struct report_model_opts *o, json_t *model, struct err *err) {
  json_t *out = json_array();
  json_object_set_new(model, "targets", out);
  for (size_t k = 0; k < o->ntargets; k++) {
    const struct report_target *t = &o->targets[k];
    if (!strcmp(t->metric, "rps")) {
      if (capacity_target(st, o, t, model, out, err) < 0)
        return -1;
    } else {
      equal_load_targets(t, json_object_get(model, "runs"), out);
    }
  }
  /* Each run's section lists the rows it is the candidate of. */
  json_t *e, *r;
  size_t i, j;
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    if (!rm_get(e, "baseline.compare") || !o->ntargets)
      continue;
    json_t *mine = json_array();
    json_array_foreach(out, j, r) if (!strcmp(rm_str(r, "candidate_run"), rm_str(e, "name"))) json_array_append(mine, r);
    json_object_set_new(e, "targets", mine);
  }
  return 0;
}

/* ----------------------------------------------------------- acceptance */

static void criterion(json_t *out, const char *id, const char *title, const char *status, json_t *evidence,
                      json_t *runs) {
  json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", id, "criterion", title, "status", status,
                                       "evidence", evidence, "runs", runs ? runs : json_array()));
}

/* The first capacity entry with a capacity document (the stress run the
 * report plans with: the candidate of a stress pair when there is one). */
static json_t *plan_capacity(json_t *model) {
  json_t *e, *first = NULL;
  size_t i;
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    if (!json_is_true(json_object_get(e, "has_capacity")))
      continue;
    json_t *c;
    size_t k;
    json_array_foreach(json_object_get(model, "capacity"), k, c) {
      if (strcmp(rm_str(c, "name"), rm_str(e, "name")) || !json_is_object(json_object_get(c, "capacity")))
        continue;
      if (rm_get(e, "baseline.compare"))
        return c;
      if (!first)
        first = c;
    }
  }
  return first;
}

/* Why no capacity figure: no stress run, or the first one's error. */
static json_t *no_capacity(json_t *model) {
  json_t *c = json_array_get(json_object_get(model, "capacity"), 0);
  if (!c)
    return json_string("needs a stress (ramp) run: none is reported");
  return jstrf("the capacity of the stress run %s could not be computed: %s", rm_str(c, "name"),
               *rm_str(c, "error") ? rm_str(c, "error") : "no capacity document");
}

static void five_endpoints(json_t *model, json_t *out) {
  json_t *e, *best = NULL;
  size_t i;
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    size_t n = json_array_size(rm_get(e, "show.endpoints"));
    if (n > json_array_size(rm_get(best, "show.endpoints")))
      best = e;
  }
  size_t n = json_array_size(rm_get(best, "show.endpoints"));
  if (!best) {
    criterion(out, "five_endpoints", "The five API endpoints are load tested", "not_evaluable",
              json_string("no reported run has per-endpoint data (ingest the k6 NDJSON or CSV output)"), NULL);
    return;
  }
  struct strbuf sb = STRBUF_INIT;
  strbuf_addf(&sb, "%s tested %zu endpoint(s): ", rm_str(best, "name"), n);
  json_t *x;
  json_array_foreach(rm_get(best, "show.endpoints"), i, x) strbuf_addf(&sb, "%s%s", i ? ", " : "", rm_str(x, "endpoint"));
  criterion(out, "five_endpoints", "The five API endpoints are load tested", n >= 5 ? "met" : "not_met",
            json_string(sb.buf), json_pack("[s]", rm_str(best, "name")));
  strbuf_release(&sb);
}

static void baselines(json_t *model, json_t *out) {
  json_t *e, *runs = json_array();
  size_t i;
  struct strbuf have = STRBUF_INIT, miss = STRBUF_INIT;
  json_t *seen = json_object();
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    json_array_append_new(runs, json_string(rm_str(e, "name")));
    if (json_object_get(seen, rm_str(e, "scenario")))
      continue;
    json_object_set_new(seen, rm_str(e, "scenario"), json_true());
    if (rm_get(e, "baseline.compare"))
      strbuf_addf(&have, "%s%s: %s", have.len ? ", " : "", rm_str(e, "scenario"), rm_str(e, "baseline.name"));
    else if (json_is_true(json_object_get(e, "is_baseline")))
      strbuf_addf(&have, "%s%s: %s", have.len ? ", " : "", rm_str(e, "scenario"), rm_str(e, "name"));
    else
      strbuf_addf(&miss, "%s%s (%s)", miss.len ? ", " : "", rm_str(e, "name"), rm_str(e, "scenario"));
  }
  json_decref(seen);
  json_t *ev = miss.len ? jstrf("baselines: %s; no baseline for %s", have.len ? have.buf : "none", miss.buf)
                        : jstrf("every reported scenario has a baseline: %s", have.buf);
  criterion(out, "baselines", "Performance baselines are established for every scenario",
            miss.len ? "not_met" : "met", ev, runs);
  strbuf_release(&have);
  strbuf_release(&miss);
}

static void users_1000(json_t *model, json_t *out) {
  json_t *c = plan_capacity(model);
  if (!c) {
    criterion(out, "users_1000", "The system supports the target number of concurrent users", "not_evaluable",
              no_capacity(model), NULL);
    return;
  }
  json_t *cap = json_object_get(c, "capacity");
  json_t *tm = json_object_get(cap, "target_met");
  double target = rm_num(c, "slo.target_users");
  /* The gate's rule (check, capacity's exit status): a target the ramp does
   * not show (it lies between the last passing and the first failing level)
   * is not met; "not evaluable" is kept for a missing run. */
  const char *st = json_is_true(tm) ? "met" : "not_met";
  const char *why = rm_str(cap, "target_reason");
  criterion(out, "users_1000", "The system supports the target number of concurrent users", st,
            jstrf("%s: %sbetween %s (last passing level) and %s (first failing level) concurrent users within the "
                  "SLO, estimate %s, against the target of %s users%s%s",
                  rm_str(c, "name"), json_is_null(tm) || !tm ? "not shown, " : "", F("f0", rm_num(cap, "max_users_within_slo.low")),
                  F("f0", rm_num(cap, "max_users_within_slo.high")), F("f0", rm_num(cap, "max_users_within_slo.estimate")),
                  F("f0", target), *why ? ": " : "", why),
            json_pack("[s]", rm_str(c, "name")));
}

static void p95_all_apis(json_t *model, json_t *out) {
  json_t *r, *runs = json_array(), *worst = NULL, *miss = NULL;
  size_t i, n = 0;
  json_array_foreach(json_object_get(model, "slo_rows"), i, r) {
    if (json_is_true(json_object_get(r, "not_applicable")) || !strcmp(rm_str(r, "endpoint"), "all requests"))
      continue;
    n++;
    if (!miss && !strcmp(rm_str(r, "p95_verdict"), "slo_breach"))
      miss = r;
    double ratio = rm_num(r, "p95_ms") / rm_num(r, "p95_slo_ms");
    if (isfinite(ratio) && (!worst || ratio > rm_num(worst, "p95_ms") / rm_num(worst, "p95_slo_ms")))
      worst = r;
    json_t *x;
    size_t k;
    int seen = 0;
    json_array_foreach(runs, k, x) seen |= !strcmp(json_string_value(x), rm_str(r, "run"));
    if (!seen)
      json_array_append_new(runs, json_string(rm_str(r, "run")));
  }
  const char *title = "Every API meets its p95 objective (2 s; the LLM endpoint 5 s)";
  if (n == 0) {
    json_decref(runs);
    criterion(out, "p95_2s_all_apis", title, "not_evaluable",
              json_string("needs a run at a constant load with per-endpoint data (normal, peak or soak): none is reported"),
              NULL);
    return;
  }
  json_t *r0 = miss ? miss : worst;
  json_t *ev = jstrf("%zu endpoint row(s) of %zu run(s) judged; %s: %s, %s, p95 %s ms against its objective < %s ms (%s)", n,
                     json_array_size(runs), miss ? "first miss" : "closest to its objective", rm_str(r0, "run"),
                     rm_str(r0, "endpoint"), F("ms", rm_num(r0, "p95_ms")), F("f0", rm_num(r0, "p95_slo_ms")),
                     rm_str(r0, "slo_from.p95"));
  criterion(out, "p95_2s_all_apis", title, miss ? "not_met" : "met", ev, runs);
}

static void zero_errors_80(json_t *model, json_t *out) {
  json_t *c = plan_capacity(model);
  const char *title = "Zero errors at 80% of capacity";
  json_t *z = c ? rm_get(c, "capacity.errors_at_80pct") : NULL;
  if (!json_is_object(z)) {
    criterion(out, "zero_errors_at_80pct", title, "not_evaluable",
              c ? json_string("the stress run's capacity analysis has no errors-at-80% figure") : no_capacity(model),
              NULL);
    return;
  }
  json_t *zero = json_object_get(z, "zero_errors");
  criterion(out, "zero_errors_at_80pct", title, json_is_true(zero) ? "met" : json_is_false(zero) ? "not_met" : "not_evaluable",
            jstrf("%s: %s errors in %s requests up to %s req/s (%s VUs); 95%% upper bound on the error rate %s",
                  rm_str(c, "name"), F("f0", rm_num(z, "errors")), F("f0", rm_num(z, "requests")), F("f1", rm_num(z, "rps_limit")),
                  F("f0", rm_num(z, "vus_limit")), F("pct", rm_num(z, "upper_bound"))),
            json_pack("[s]", rm_str(c, "name")));
}

static void top3_bottlenecks(json_t *model, json_t *out) {
  json_t *c = plan_capacity(model);
  const char *title = "The top 3 bottlenecks are identified";
  if (!c) {
    criterion(out, "top3_bottlenecks", title, "not_evaluable", no_capacity(model), NULL);
    return;
  }
  json_t *bn = rm_get(c, "capacity.bottlenecks"), *b;
  size_t i, n = json_array_size(bn);
  if (n == 0) {
    criterion(out, "top3_bottlenecks", title, "not_met",
              jstrf("%s: one bottleneck is named (%s); the capacity analysis does not rank three",
                    rm_str(c, "name"), *rm_str(c, "capacity.bottleneck.resource") ? rm_str(c, "capacity.bottleneck.resource") : "none"),
              json_pack("[s]", rm_str(c, "name")));
    return;
  }
  struct strbuf sb = STRBUF_INIT;
  strbuf_addf(&sb, "%s: ", rm_str(c, "name"));
  json_array_foreach(bn, i, b) {
    if (i == 3)
      break;
    strbuf_addf(&sb, "%s%.0f. %s", i ? ", " : "", rm_num(b, "rank"), rm_str(b, "resource"));
    if (isfinite(rm_num(b, "first_saturated_vus")))
      strbuf_addf(&sb, " (from %s VUs)", F("f0", rm_num(b, "first_saturated_vus")));
  }
  if (n < 3)
    strbuf_addf(&sb, " (%zu ranked; no other resource saturates in this run)", n);
  criterion(out, "top3_bottlenecks", title, n >= 3 ? "met" : "not_met", json_string(sb.buf),
            json_pack("[s]", rm_str(c, "name")));
  strbuf_release(&sb);
}

static void before_after(const struct report_model_opts *o, json_t *model, json_t *out) {
  const char *title = "Before/after figures meet the improvement targets";
  json_t *t, *runs = json_array();
  size_t i, met = 0, no = 0, unk = 0;
  if (o->ntargets == 0) {
    json_decref(runs);
    criterion(out, "before_after_targets", title, "not_evaluable",
              json_string("no targets were given (report --targets 'p95=-50%,rps=x2,errors=/10')"), NULL);
    return;
  }
  struct strbuf sb = STRBUF_INIT;
  json_array_foreach(json_object_get(model, "targets"), i, t) {
    json_t *m = json_object_get(t, "met");
    met += json_is_true(m);
    no += json_is_false(m);
    unk += json_is_null(m);
    const char *f = rm_str(t, "filter"), *u = rm_str(t, "unit");
    if (json_is_null(m))
      strbuf_addf(&sb, "%s%s %s not answerable (%s)", i ? "; " : "", rm_str(t, "metric"), rm_str(t, "goal"),
                  rm_str(t, "reason"));
    else
      strbuf_addf(&sb, "%s%s %s %s on %s: %s%s against the goal %s%s", i ? "; " : "", rm_str(t, "metric"),
                  rm_str(t, "goal"), json_is_true(m) ? "met" : "not met", rm_str(t, "candidate_run"),
                  F(f, rm_num(t, "candidate")), u, F(f, rm_num(t, "target")), u);
    if (*rm_str(t, "candidate_run"))
      json_array_append_new(runs, json_string(rm_str(t, "candidate_run")));
  }
  criterion(out, "before_after_targets", title, no ? "not_met" : unk ? "not_evaluable" : "met",
            jstrf("%zu met, %zu not met, %zu not answerable: %s", met, no, unk, sb.buf), runs);
  strbuf_release(&sb);
}

/* The gate's verdicts recorded by `loadrep check` in the database. */
static int ci_alert(struct store *st, json_t *out, struct err *err) {
  const char *title = "CI raises an alert on a performance regression";
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT r.name, b.name, c.verdict FROM check_results c JOIN runs r ON r.id = c.run_id "
                                  "LEFT JOIN runs b ON b.id = c.baseline_id ORDER BY c.rowid",
                                  err);
  if (!s)
    return -1;
  long n = 0;
  json_t *hit = NULL;
  while (sqlite3_step(s) == SQLITE_ROW) {
    n++;
    const char *v = store_col_text(s, 2);
    if (!hit && strcmp(v, "ok"))
      hit = json_pack("{s:s,s:s,s:s}", "run", store_col_text(s, 0), "base", store_col_text(s, 1), "verdict", v);
  }
  sqlite3_finalize(s);
  if (!hit) {
    criterion(out, "ci_regression_alert", title, "not_evaluable",
              n ? jstrf("%ld check(s) recorded, none failed: a check of a regressed build is needed to show the alert", n)
                : json_string("no 'loadrep check' is recorded in this database"),
              NULL);
    return 0;
  }
  criterion(out, "ci_regression_alert", title, "met",
            jstrf("'loadrep check %s' against the baseline %s failed with verdict %s (exit 1); %ld check(s) recorded",
                  rm_str(hit, "run"), *rm_str(hit, "base") ? rm_str(hit, "base") : "(none)", rm_str(hit, "verdict"), n),
            json_pack("[s]", rm_str(hit, "run")));
  json_decref(hit);
  return 0;
}

/* --------------------------------------------- database, caches and LLM */

/* Whether run `name` is a baseline: the pinned one of its scenario, or the
 * one another reported run is compared with. The checklist judges the
 * system after the change, so a baseline is quoted for reference, not
 * judged (unless no other run can answer). */
static int is_baseline_of_other(json_t *model, const char *name) {
  json_t *e;
  size_t i;
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    if (!strcmp(rm_str(e, "name"), name) && json_is_true(json_object_get(e, "is_baseline")))
      return 1;
  }
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    if (rm_get(e, "baseline.compare") && !strcmp(rm_str(e, "baseline.name"), name) && strcmp(rm_str(e, "name"), name))
      return 1;
  }
  return 0;
}

/* The runs that can answer a criterion (has(entry) true), the candidates
 * first: *judged gets the runs to judge, *refs the baselines left out. */
static void answering_runs(json_t *model, int (*has)(json_t *), json_t **judged, json_t **refs) {
  json_t *e;
  size_t i;
  *judged = json_array();
  *refs = json_array();
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    if (has(e))
      json_array_append(is_baseline_of_other(model, rm_str(e, "name")) ? *refs : *judged, e);
  }
  if (json_array_size(*judged) == 0) { /* only baselines can answer: judge them */
    json_decref(*judged);
    *judged = *refs;
    *refs = json_array();
  }
}

static json_t *names_of(json_t *entries) {
  json_t *out = json_array(), *e;
  size_t i;
  json_array_foreach(entries, i, e) json_array_append_new(out, json_string(rm_str(e, "name")));
  return out;
}

static int has_db_p95(json_t *e) { return json_is_object(rm_get(e, "db.query_p95_below_ms")); }

static void db_query_p95(json_t *model, json_t *out) {
  const char *title = "Database query p95 below 100 ms";
  json_t *judged, *refs, *e;
  size_t i;
  answering_runs(model, has_db_p95, &judged, &refs);
  if (json_array_size(judged) == 0) {
    criterion(out, "db_query_p95_100ms", title, "not_evaluable",
              json_string("needs database evidence: no reported run was ingested with its PostgreSQL statement log "
                          "(log_min_duration_statement) and pg_stat_statements export"),
              NULL);
    json_decref(judged);
    json_decref(refs);
    return;
  }
  size_t miss = 0, undecided = 0;
  struct strbuf sb = STRBUF_INIT;
  json_array_foreach(judged, i, e) {
    json_t *p = rm_get(e, "db.query_p95_below_ms");
    int decided = json_is_true(json_object_get(p, "decided")), below = json_is_true(json_object_get(p, "below"));
    miss += decided && !below;
    undecided += !decided;
    strbuf_addf(&sb, "%s%s: %s", i ? "; " : "", rm_str(e, "name"),
                !decided ? "cannot be decided" : below ? "below 100 ms" : "not below 100 ms");
    if (decided)
      strbuf_addf(&sb, ", %s of %s calls over 100 ms (%s; basis: %s)", F("f0", rm_num(p, "calls_above")),
                  F("f0", rm_num(p, "calls")), F("pct", rm_num(p, "share_above")), rm_str(p, "basis"));
    else
      strbuf_addf(&sb, ": %s", rm_str(p, "reason"));
  }
  json_array_foreach(refs, i, e) {
    json_t *p = rm_get(e, "db.query_p95_below_ms");
    int decided = json_is_true(json_object_get(p, "decided")), below = json_is_true(json_object_get(p, "below"));
    strbuf_addf(&sb, "%s%s: %s", i ? "; " : ". For reference (baselines, not judged): ", rm_str(e, "name"),
                !decided ? "cannot be decided" : below ? "below 100 ms" : "not below 100 ms");
    if (decided)
      strbuf_addf(&sb, ", %s of %s calls over 100 ms (%s)", F("f0", rm_num(p, "calls_above")), F("f0", rm_num(p, "calls")),
                  F("pct", rm_num(p, "share_above")));
  }
  criterion(out, "db_query_p95_100ms", title, miss ? "not_met" : undecided ? "not_evaluable" : "met", json_string(sb.buf),
            names_of(judged));
  strbuf_release(&sb);
  json_decref(judged);
  json_decref(refs);
}

static int has_cache(json_t *e) {
  return isfinite(rm_num(e, "db.caches_overall.hit_ratio")) && json_array_size(rm_get(e, "db.caches")) > 0;
}

static void cache_line(struct strbuf *sb, json_t *e) {
  json_t *c;
  size_t k;
  strbuf_addf(sb, "%s: all lookups %s (%s hits, %s misses)", rm_str(e, "name"),
              F("pct", rm_num(e, "db.caches_overall.hit_ratio")), F("f0", rm_num(e, "db.caches_overall.hits")),
              F("f0", rm_num(e, "db.caches_overall.misses")));
  json_array_foreach(rm_get(e, "db.caches"), k, c) {
    double r = rm_num(c, "hit_ratio");
    strbuf_addf(sb, ", %s %s%s", rm_str(c, "name"), F("pct", r), isfinite(r) && r < DB_CACHE_HIT_MIN ? " (below 70 %)" : "");
  }
}

static void cache_hit(json_t *model, json_t *out) {
  const char *title = "Cache hit rate above 70 %";
  json_t *judged, *refs, *e;
  size_t i;
  answering_runs(model, has_cache, &judged, &refs);
  if (json_array_size(judged) == 0) {
    criterion(out, "cache_hit_70pct", title, "not_evaluable",
              json_string("needs cache hit and miss counters (e.g. the service's sut_cache_requests_rate by cache and "
                          "result): no reported run has them"),
              NULL);
    json_decref(judged);
    json_decref(refs);
    return;
  }
  size_t miss = 0;
  struct strbuf sb = STRBUF_INIT;
  json_array_foreach(judged, i, e) {
    miss += !(rm_num(e, "db.caches_overall.hit_ratio") > DB_CACHE_HIT_MIN);
    if (i)
      strbuf_addstr(&sb, "; ");
    cache_line(&sb, e);
  }
  strbuf_addstr(&sb, ". Judged on all lookups of all caches; a cache below the line is reported as it is");
  json_array_foreach(refs, i, e) {
    strbuf_addstr(&sb, i ? "; " : ". For reference (baselines, not judged): ");
    cache_line(&sb, e);
  }
  criterion(out, "cache_hit_70pct", title, miss ? "not_met" : "met", json_string(sb.buf), names_of(judged));
  strbuf_release(&sb);
  json_decref(judged);
  json_decref(refs);
}

/* An endpoint that calls an LLM, by its name (as the capacity analysis
 * tells it: llm, generat, agent, completion, /chat, /ai/, inference). */
static int name_is_llm(const char *name) {
  static const char *const keys[] = {"llm", "generat", "agent", "completion", "/chat", "/ai/", "inference"};
  char low[512];
  size_t n = 0;
  for (; name[n] && n < sizeof low - 1; n++)
    low[n] = (char)(name[n] >= 'A' && name[n] <= 'Z' ? name[n] - 'A' + 'a' : name[n]);
  low[n] = 0;
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
    if (strstr(low, keys[k]))
      return 1;
  return 0;
}

static json_t *llm_endpoint(json_t *e) {
  json_t *x;
  size_t i;
  json_array_foreach(rm_get(e, "show.endpoints"), i, x) {
    if (name_is_llm(rm_str(x, "endpoint")) && rm_num(x, "http_req_duration.count") > 0 &&
        isfinite(rm_num(x, "http_req_duration.p(95)")))
      return x;
  }
  return NULL;
}

static int has_llm(json_t *e) { return json_is_true(json_object_get(e, "slo_judged")) && llm_endpoint(e); }

static void llm_p95(json_t *model, json_t *out) {
  const char *title = "LLM endpoint p95 below 5 s";
  json_t *judged, *refs, *e;
  size_t i;
  answering_runs(model, has_llm, &judged, &refs);
  if (json_array_size(judged) == 0) {
    int ramp = 0;
    json_array_foreach(json_object_get(model, "runs"), i, e) ramp |= llm_endpoint(e) != NULL;
    criterion(out, "llm_p95_5s", title, "not_evaluable",
              json_string(ramp ? "needs a run at a constant load with an LLM endpoint: the LLM endpoint appears only in "
                                 "ramps, whose whole-run p95 is judged by capacity"
                               : "needs per-endpoint k6 data of an LLM endpoint (a name with llm, generat, agent, "
                                 "completion, /chat, /ai/ or inference): no reported run has one"),
              NULL);
    json_decref(judged);
    json_decref(refs);
    return;
  }
  size_t miss = 0;
  struct strbuf sb = STRBUF_INIT;
  json_array_foreach(judged, i, e) {
    json_t *x = llm_endpoint(e);
    double p = rm_num(x, "http_req_duration.p(95)");
    miss += !(p < 5000);
    strbuf_addf(&sb, "%s%s, %s: p95 %s ms", i ? "; " : "", rm_str(e, "name"), rm_str(x, "endpoint"), F("ms", p));
  }
  strbuf_addstr(&sb, " (against < 5000 ms)");
  json_array_foreach(refs, i, e) {
    json_t *x = llm_endpoint(e);
    strbuf_addf(&sb, "%s%s, %s: p95 %s ms", i ? "; " : ". For reference (baselines, not judged): ", rm_str(e, "name"),
                rm_str(x, "endpoint"), F("ms", rm_num(x, "http_req_duration.p(95)")));
  }
  criterion(out, "llm_p95_5s", title, miss ? "not_met" : "met", json_string(sb.buf), names_of(judged));
  strbuf_release(&sb);
  json_decref(judged);
  json_decref(refs);
}

int report_acceptance(struct store *st, const struct report_model_opts *o, json_t *model, struct err *err) {
  json_t *out = json_array();
  json_object_set_new(model, "acceptance", out);
  five_endpoints(model, out);
  baselines(model, out);
  users_1000(model, out);
  p95_all_apis(model, out);
  zero_errors_80(model, out);
  top3_bottlenecks(model, out);
  before_after(o, model, out);
  db_query_p95(model, out);
  cache_hit(model, out);
  llm_p95(model, out);
  if (ci_alert(st, out, err) < 0)
    return -1;
  json_t *c;
  size_t i;
  json_array_foreach(out, i, c) {
    const char *s = rm_str(c, "status");
    json_object_set_new(c, "is_met", json_boolean(!strcmp(s, "met")));
    json_object_set_new(c, "is_not_met", json_boolean(!strcmp(s, "not_met")));
  }
  return 0;
}
