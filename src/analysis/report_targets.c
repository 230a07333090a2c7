/* report_targets.c - the report's verdicts on each pair (report_model.h):
 * the headline of each run against its baseline, and the --targets judged
 * on the basis they mean (equal load, or capacity from a stress pair).
 *
 * Sentences carry numbers formatted as the templates format them (ms, f0,
 * f1, pct of render/template.h), so a figure reads the same here as in the
 * tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/capacity.h"
#include "analysis/compare.h"
#include "analysis/report_int.h"
#include "analysis/report_model.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"

/* The templates' number formats: ms (2/1/0 decimals by size), f0, f1, pct. */
const char *report_fmt(char *buf, size_t n, const char *f, double v) {
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
    return hl(v, v, "regression", 1, jx_strf("%lld finding(s) worse than the baseline", count_of(cmp, "regression")));
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
              jx_strf("%s (%s–%s) → %s (%s–%s) users within the SLO (x%.2f); successful req/s within the SLO "
                    "%s → %s; the loads differ (%s), so whole-run figures are not compared",
                    F("f0", ub), F("f0", rm_num(cap, "baseline.users_low")), F("f0", rm_num(cap, "baseline.users_high")),
                    F("f0", uc), F("f0", rm_num(cap, "candidate.users_low")), F("f0", rm_num(cap, "candidate.users_high")),
                    uc / ub, F("f1", rm_num(cap, "baseline.max_ok_rps_within_slo")),
                    F("f1", rm_num(cap, "candidate.max_ok_rps_within_slo")), reason));
  }
  if (!strcmp(v, "not_comparable"))
    return hl(v, v, "not comparable", 0, jx_strf("the loads differ (%s)", reason));
  if (!strcmp(v, "incomplete"))
    return hl(v, v, "incomplete", 1, json_string("the run stopped before the end of its test"));
  return hl(v, "ok", "no regression", 0,
            jx_strf("%lld improved, %lld unchanged, %lld inconclusive", count_of(cmp, "improvement"),
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
    json_object_set_new(row, "reason", jx_strf("%s: no value for %s", what, !isfinite(c) ? "the candidate" : "the baseline"));
    return;
  }
  int met = lower_better ? c <= goal : c >= goal;
  json_object_set_new(row, "met", json_boolean(met));
  json_object_set_new(row, "reason", jx_strf("%s %s%s → %s%s; goal %s %s%s", what, F(f, b), unit, F(f, c), unit,
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
      json_object_set_new(row, "reason", jx_strf("%s; the comparison calls this change %s", rm_str(row, "reason"),
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
