/* compare.c - `loadrep compare` and `check` as a document: the two runs' load,
 * the findings, capacity for ramps, the scenarios, the objectives and the
 * overall verdict (docs/methods.md, section 2). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/capacity.h"
#include "analysis/compare_int.h"
#include "analysis/dbevidence.h"
#include "analysis/instances.h"
#include "analysis/show.h"
#include "analysis/slo.h"
#include "store/store.h"
#include "store/store_compare.h"
#include "store/store_scenarios.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

void compare_opts_init(struct compare_opts *o) {
  memset(o, 0, sizeof *o);
  o->threshold_pct = 20;
  o->seed = UINT64_C(0x6c6f616472657021); /* "loadrep!" */
}

static int metric_by_name(const char *s, size_t len) {
  static const struct {
    const char *name;
    int m;
  } alias[] = {{"p50", M_P50}, {"med", M_P50},      {"median", M_P50},     {"p95", M_P95},
               {"p99", M_P99}, {"avg", M_AVG},      {"mean", M_AVG},       {"rps", M_RPS},
               {"throughput", M_RPS}, {"error_rate", M_ERR}, {"errors", M_ERR}, {"error", M_ERR},
               {"err", M_ERR}, {"ok_p95", M_OKP95}};
  for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
    if (strlen(alias[i].name) == len && !strncmp(alias[i].name, s, len))
      return alias[i].m;
  return -1;
}

static int parse_metrics(const char *list, int *want, struct err *err) {
  for (int m = 0; m < M_COUNT; m++)
    want[m] = list ? 0 : 1;
  if (!list)
    return 0;
  const char *p = list;
  int any = 0;
  while (*p) {
    size_t len = strcspn(p, ",");
    if (len) {
      int m = metric_by_name(p, len);
      if (m < 0)
        return err_set(err, LR_USAGE,
                       "option '--metric': unknown metric '%.*s' (expected p50, p95, p99, avg, ok_p95, rps, error_rate)",
                       (int)len, p);
      want[m] = 1;
      any = 1;
    }
    p += len;
    if (*p == ',')
      p++;
  }
  if (!any)
    return err_set(err, LR_USAGE, "option '--metric': no metric given");
  return 0;
}

int compare_check_metrics(const char *list, struct err *err) {
  int want[M_COUNT];
  return parse_metrics(list, want, err);
}

static void shape_warnings(const struct rdata *b, const struct rdata *c, json_t *w) {
  const struct run_info *bi = b->info, *ci = c->info;
  if (strcmp(bi->scenario, ci->scenario))
    cmp_warn(w, "the runs have different scenarios ('%s' and '%s'): compared anyway", bi->scenario, ci->scenario);
  if (strcmp(bi->env, ci->env))
    cmp_warn(w, "the runs have different environments ('%s' and '%s')", bi->env, ci->env);
  if (*bi->k6_version && *ci->k6_version && strcmp(bi->k6_version, ci->k6_version))
    cmp_warn(w, "the runs were made by different k6 versions ('%s' and '%s')", bi->k6_version, ci->k6_version);
  if (!b->samples || !c->samples)
    cmp_warn(w, "run '%s' has no per-request samples (ingest k6 NDJSON): changes cannot be tested, only reported",
         !b->samples ? bi->name : ci->name);
}

static json_t *run_ref(const struct run_info *r) {
  json_t *j = json_object();
  json_object_set_new(j, "id", json_integer((json_int_t)r->id));
  json_object_set_new(j, "name", json_string(r->name));
  json_object_set_new(j, "scenario", json_string(r->scenario));
  json_object_set_new(j, "env", json_string(r->env));
  return j;
}

json_t *compare_k6_failed(struct store *st, const struct run_info *r, struct err *err) {
  struct store_threshold *t;
  size_t n;
  if (store_k6_failed_thresholds(st, r->id, &t, &n, err) < 0)
    return NULL;
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, json_pack("{s:s,s:s}", "metric", t[i].metric, "expression", t[i].expression));
  store_thresholds_free(t, n);
  return a;
}

static int has_verdict(json_t *arr, const char *verdict, int gated_only) {
  for (size_t i = 0; i < json_array_size(arr); i++) {
    json_t *f = json_array_get(arr, i);
    if (gated_only && !json_is_true(json_object_get(f, "gated")))
      continue;
    const char *v = json_string_value(json_object_get(f, "verdict"));
    if (v && !strcmp(v, verdict))
      return 1;
  }
  return 0;
}

/* The overall verdict, by the rule docs/methods.md writes down: a gated
 * regression, else a missed objective, else an incomplete candidate, else the relative comparison was not
 * possible (loads differ and no capacity comparison), else ok. */
static const char *overall_verdict(json_t *findings, json_t *scenarios, json_t *objectives, int complete,
                                   int comparable, int capacity_compared) {
  if (has_verdict(findings, "regression", 1))
    return "regression";
  for (size_t i = 0; i < json_array_size(scenarios); i++)
    if (has_verdict(json_object_get(json_array_get(scenarios, i), "findings"), "regression", 1))
      return "regression";
  if (has_verdict(objectives, "slo_breach", 0))
    return "slo_breach";
  if (complete == 0)
    return "incomplete";
  if (!comparable && !capacity_compared)
    return "not_comparable";
  return "ok";
}

/* Capacity of both runs when either ramps, as matched levels, the capacity
 * pair and a gated capacity finding (users within the SLO). */
static int capacity_section(struct store *st, const struct compare_opts *o, struct rdata *b, struct rdata *c,
                            json_t *doc, json_t *findings, json_t **cap_cand, struct err *err) {
  struct capacity_opts cb, cc;
  json_t *capb = NULL, *capc = NULL;
  *cap_cand = NULL;
  if (compare_capacity_opts(st, b->info, o->slo, &cb, err) < 0 || compare_capacity_opts(st, c->info, o->slo, &cc, err) < 0)
    return -1;
  /* One objective for both sides: the candidate's; compare reads the levels,
   * the bracket and the throughput only. */
  cb.brief = cc.brief = 1;
  cb.slo_p95_ms = cc.slo_p95_ms;
  cb.slo_error_rate = cc.slo_error_rate;
  struct err e1 = ERR_INIT, e2 = ERR_INIT;
  if (capacity_build(st, b->info, &cb, &capb, &e1) < 0 || capacity_build(st, c->info, &cc, &capc, &e2) < 0) {
    json_decref(capb);
    json_object_set_new(doc, "levels", json_array());
    json_object_set_new(doc, "capacity", json_null());
    return 0; /* too few samples for capacity: the pair stays not comparable */
  }
  json_object_set_new(doc, "levels", load_matched_levels(capb, capc));
  json_t *pair = load_capacity_pair(capb, capc);
  json_t *pb = json_object_get(pair, "baseline"), *pc = json_object_get(pair, "candidate");
  double ub = json_number_value(json_object_get(pb, "max_users_within_slo"));
  double uc = json_number_value(json_object_get(pc, "max_users_within_slo"));
  double bl = json_number_value(json_object_get(pb, "users_low")), bh = json_number_value(json_object_get(pb, "users_high"));
  double cl = json_number_value(json_object_get(pc, "users_low")), ch = json_number_value(json_object_get(pc, "users_high"));
  if (!json_is_number(json_object_get(pc, "users_high")))
    ch = NAN; /* the candidate held its SLO to the end: no upper bound */
  if (!json_is_number(json_object_get(pb, "users_high")))
    bh = NAN;
  int both_open = json_is_true(json_object_get(pb, "users_at_least")) && json_is_true(json_object_get(pc, "users_at_least"));
  if (ub > 0 && uc > 0 && !both_open) {
    /* The interval of the users ratio from the two brackets, its widest reading. */
    /* An open side (its SLO held to its last level) leaves that end open. */
    double lo = bh > 0 && cl > 0 ? cl / bh : isnan(bh) && cl > 0 ? 0 : NAN;
    double hi = bl > 0 && ch > 0 ? ch / bl : INFINITY;
    double r = uc / ub;
    const char *v = compare_classify(r, lo, hi, 1, o->threshold_pct, 0);
    char reason[512];
    snprintf(reason, sizeof reason, "users within the SLO: %.0f (bracket %.0f-%.0f) -> %.0f (bracket %.0f-%.0f), "
             "x%.2f; interval from the brackets [%+.1f%%, %+.1f%%]", ub, bl, bh, uc, cl, ch, r, (lo - 1) * 100,
             (hi - 1) * 100);
    json_t *f = json_object();
    json_object_set_new(f, "endpoint", json_string("ALL"));
    json_object_set_new(f, "metric", json_string("max_users"));
    json_object_set_new(f, "baseline", json_real(ub));
    json_object_set_new(f, "candidate", json_real(uc));
    json_object_set_new(f, "change_pct", json_real((r - 1) * 100));
    json_object_set_new(f, "ci_low_pct", jx_real_or_null((lo - 1) * 100));
    json_object_set_new(f, "ci_high_pct", jx_real_or_null((hi - 1) * 100));
    json_object_set_new(f, "n_baseline", json_integer(0));
    json_object_set_new(f, "n_candidate", json_integer(0));
    json_object_set_new(f, "verdict", json_string(v));
    json_object_set_new(f, "gated", json_true());
    json_object_set_new(f, "unit", json_string("users"));
    json_object_set_new(f, "reason", json_string(reason));
    json_object_set_new(f, "n_needed", json_null());
    json_object_set_new(f, "basis", json_string("capacity: max users within the SLO, from the two ramps"));
    json_array_append_new(findings, f);
  }
  json_object_set_new(doc, "capacity", pair);
  json_decref(capb);
  *cap_cand = capc;
  return 0;
}

/* Runs with several k6 scenarios: each scenario of the candidate against the
 * baseline's scenario of the same name, as a comparison of its own. */
static int scenario_section(struct store *st, const struct compare_opts *o, const int *want, struct rdata *b,
                            struct rdata *c, json_t *doc, json_t *warnings, struct err *err) {
  if (b->nsc <= 1 && c->nsc <= 1)
    return 0;
  json_t *arr = json_array();
  for (size_t i = 0; i < c->nsc; i++) {
    const struct scenario *cs = &c->sc[i], *bsc = NULL;
    for (size_t k = 0; k < b->nsc; k++)
      if (!strcmp(b->sc[k].name, cs->name))
        bsc = &b->sc[k];
    if (!bsc) {
      cmp_warn(warnings, "scenario '%s' is not in the baseline (not compared)", cs->name);
      continue;
    }
    struct rdata rb, rc;
    memset(&rc, 0, sizeof rc);
    if (cmp_load_scenario(st, b, bsc, &rb, err) < 0 || cmp_load_scenario(st, c, cs, &rc, err) < 0) {
      cmp_rdata_release(&rb);
      cmp_rdata_release(&rc);
      json_decref(arr);
      return -1;
    }
    int comparable;
    json_t *load = load_compare(&rb.load, &rc.load, &comparable);
    json_t *one = json_object();
    json_object_set_new(one, "name", json_string(cs->name));
    json_object_set_new(one, "load", load);
    json_object_set_new(one, "findings", cmp_build_findings(&rb, 1, &rc, o, want, comparable, warnings, NULL));
    json_array_append_new(arr, one);
    rb.info = rc.info = NULL;
    cmp_rdata_release(&rb);
    cmp_rdata_release(&rc);
  }
  for (size_t k = 0; k < b->nsc; k++) {
    int found = 0;
    for (size_t i = 0; i < c->nsc; i++)
      found |= !strcmp(b->sc[k].name, c->sc[i].name);
    if (!found)
      cmp_warn(warnings, "scenario '%s' of the baseline is not in the candidate (not compared)", b->sc[k].name);
  }
  json_object_set_new(doc, "scenarios", arr);
  return 0;
}

static json_t *bootstrap_json(double block_s, const struct rdata *b, const struct rdata *c, uint64_t seed) {
  json_t *bt = json_object();
  json_object_set_new(bt, "method", json_string("block Poisson bootstrap, percentile interval"));
  json_object_set_new(bt, "block_s", json_real(block_s));
  json_object_set_new(bt, "basis", json_string("the whole run, the same samples as the printed values"));
  json_t *win = json_object();
  json_object_set_new(win, "baseline", json_pack("[f,f]", b->w0, b->w1));
  json_object_set_new(win, "candidate", json_pack("[f,f]", c->w0, c->w1));
  json_object_set_new(bt, "window_s", win);
  json_object_set_new(bt, "level", json_real(LEVEL));
  char seedbuf[32];
  snprintf(seedbuf, sizeof seedbuf, "%llu", (unsigned long long)seed);
  json_object_set_new(bt, "seed", json_string(seedbuf));
  return bt;
}

static json_t *counts_json(json_t *findings, json_t *objectives) {
  json_t *counts = json_object();
  static const char *const verdicts[] = {"regression", "improvement", "unchanged", "inconclusive", "not_comparable"};
  for (size_t v = 0; v < sizeof verdicts / sizeof *verdicts; v++) {
    json_int_t c = 0;
    for (size_t i = 0; i < json_array_size(findings); i++)
      c += !strcmp(json_string_value(json_object_get(json_array_get(findings, i), "verdict")), verdicts[v]);
    json_object_set_new(counts, verdicts[v], json_integer(c));
  }
  json_int_t gated = 0;
  for (size_t i = 0; i < json_array_size(findings); i++) {
    json_t *f = json_array_get(findings, i);
    gated += json_is_true(json_object_get(f, "gated")) && !strcmp(json_string_value(json_object_get(f, "verdict")), "regression");
  }
  json_object_set_new(counts, "gated_regression", json_integer(gated));
  json_int_t br = 0;
  for (size_t i = 0; i < json_array_size(objectives); i++)
    br += !strcmp(json_string_value(json_object_get(json_array_get(objectives, i), "verdict")), "slo_breach");
  json_object_set_new(counts, "slo_breach", json_integer(br));
  return counts;
}

/* Loads the rolling baseline's runs; warns when fewer than asked. */
static int load_history(struct store *st, const struct run_info *base, const struct run_info *cand,
                        const struct compare_opts *o, struct rdata **hist, size_t *nhist, json_t *warnings,
                        struct err *err) {
  int64_t *ids;
  size_t n;
  *hist = NULL;
  *nhist = 0;
  if (o->history_k <= 0)
    return 0;
  if (store_runs_passed_check(st, cand->scenario, cand->env, cand->id, cand->start_ts, o->history_k, &ids, &n, err) < 0)
    return -1;
  *hist = xcalloc(n ? n : 1, sizeof **hist);
  for (size_t i = 0; i < n; i++) {
    struct run_info ri;
    if (store_get_run(st, ids[i], &ri, err) < 0) {
      free(ids);
      return -1;
    }
    struct rdata *h = &(*hist)[*nhist];
    int lr = cmp_load_run(st, &ri, h, err);
    h->own = ri;
    h->info = &h->own;
    (*nhist)++;
    if (lr < 0) {
      free(ids);
      return -1;
    }
  }
  free(ids);
  if (*nhist == 0)
    cmp_warn(warnings, "no earlier run of scenario '%s' passed 'loadrep check': using the pinned baseline '%s'",
         cand->scenario, base->name);
  else if ((int)*nhist < o->history_k)
    cmp_warn(warnings, "only %zu earlier run%s passed 'loadrep check' (asked for %d)", *nhist, *nhist == 1 ? "" : "s",
         o->history_k);
  return 0;
}

/* Adds the pinned baseline's values to each finding against a rolling one. */
static void add_pinned(json_t *findings, json_t *pf) {
  for (size_t i = 0; i < json_array_size(findings); i++) {
    json_t *f = json_array_get(findings, i);
    const char *e = json_string_value(json_object_get(f, "endpoint"));
    const char *m = json_string_value(json_object_get(f, "metric"));
    for (size_t k = 0; k < json_array_size(pf); k++) {
      json_t *g = json_array_get(pf, k);
      if (strcmp(e, json_string_value(json_object_get(g, "endpoint"))) ||
          strcmp(m, json_string_value(json_object_get(g, "metric"))))
        continue;
      json_object_set(f, "pinned_baseline", json_object_get(g, "baseline"));
      json_object_set(f, "pinned_change_pct", json_object_get(g, "change_pct"));
      json_object_set(f, "pinned_verdict", json_object_get(g, "verdict"));
    }
  }
}

static json_t *run_ref_full(const struct run_info *r, const struct rdata *d) {
  json_t *j = run_ref(r);
  json_object_set_new(j, "complete", r->complete < 0 ? json_null() : json_boolean(r->complete));
  if (r->incomplete_reason && *r->incomplete_reason)
    json_object_set_new(j, "incomplete_reason", json_string(r->incomplete_reason));
  json_object_set_new(j, "requests", json_integer((json_int_t)d->all.requests));
  return j;
}

int compare_objectives_alone(struct store *st, const struct run_info *cand, const struct compare_opts *o,
                             json_t **objectives, struct err *err) {
  struct rdata cd;
  json_t *cap = NULL, *k6t = NULL;
  int rc = -1;
  *objectives = NULL;
  if (o->no_slo) {
    *objectives = json_array();
    return 0;
  }
  if (cmp_load_run(st, cand, &cd, err) < 0)
    goto done;
  if (cd.load.ramp && cd.samples) {
    struct capacity_opts co;
    struct err e2 = ERR_INIT;
    if (compare_capacity_opts(st, cand, o->slo, &co, err) < 0)
      goto done;
    co.brief = 1;
    if (capacity_build(st, cand, &co, &cap, &e2) < 0)
      cap = NULL; /* too few samples for capacity: the target is not shown */
  }
  k6t = compare_k6_failed(st, cand, err);
  if (!k6t)
    goto done;
  rc = compare_objectives(st, cand, o->slo, cd.load.ramp, cap, k6t, objectives, err);
done:
  json_decref(cap);
  json_decref(k6t);
  cmp_rdata_release(&cd);
  return rc;
}

int compare_build(struct store *st, const struct run_info *base, const struct run_info *cand,
                  const struct compare_opts *o, json_t **out, struct err *err) {
  int want[M_COUNT];
  *out = NULL;
  if (parse_metrics(o->metrics, want, err) < 0)
    return -1;
  if (!(o->threshold_pct >= 0))
    return err_set(err, LR_USAGE, "the threshold must be a percentage >= 0");
  struct rdata pinned, cd;
  struct rdata *hist = NULL;
  size_t nhist = 0;
  int rc = -1;
  json_t *warnings = json_array(), *doc = json_object(), *findings = NULL, *cap_cand = NULL;
  memset(&cd, 0, sizeof cd);
  if (cmp_load_run(st, base, &pinned, err) < 0 || cmp_load_run(st, cand, &cd, err) < 0)
    goto done;
  if (load_history(st, base, cand, o, &hist, &nhist, warnings, err) < 0)
    goto done;
  if (base->id == cand->id)
    cmp_warn(warnings, "the baseline is the candidate run itself");
  shape_warnings(&pinned, &cd, warnings);
  for (size_t j = 0; j < nhist; j++)
    shape_warnings(&hist[j], &cd, warnings);
  if (cand->complete == 0)
    cmp_warn(warnings, "the candidate run is incomplete (%s): its figures cover only what it ran",
         cand->incomplete_reason ? cand->incomplete_reason : "stopped early");
  if (base->complete == 0)
    cmp_warn(warnings, "the baseline run is incomplete (%s)", base->incomplete_reason ? base->incomplete_reason : "stopped early");
  const struct run_info *both[2] = {base, cand};
  for (int k = 0; k < 2; k++) {
    size_t runners = 0;
    if (instances_approximate(st, both[k], &runners, err) < 0)
      goto done;
    if (runners)
      cmp_warn(warnings,
               "the %s run '%s' is merged from %zu runners' summaries without their samples: its percentiles are "
               "approximate, and so is every latency verdict on them",
               k ? "candidate" : "baseline", both[k]->name, runners);
  }

  int comparable;
  json_t *load = load_compare(nhist ? &hist[0].load : &pinned.load, &cd.load, &comparable);
  for (size_t j = 1; j < nhist; j++) {
    int cj;
    json_decref(load_compare(&hist[j].load, &cd.load, &cj));
    comparable = comparable && cj;
  }
  double block_s = 1;
  findings = cmp_build_findings(nhist ? hist : &pinned, nhist ? nhist : 1, &cd, o, want, comparable, warnings, &block_s);
  if (nhist) {
    json_t *tmpw = json_array();
    json_t *pf = cmp_build_findings(&pinned, 1, &cd, o, want, comparable, tmpw, NULL);
    add_pinned(findings, pf);
    json_decref(tmpw);
    json_decref(pf);
  }
  json_object_set_new(doc, "baseline", run_ref_full(base, &pinned));
  json_object_set_new(doc, "candidate", run_ref_full(cand, &cd));
  json_object_set_new(doc, "threshold_pct", json_real(o->threshold_pct));
  json_object_set_new(doc, "load", load);
  int capacity_compared = 0;
  if ((pinned.load.ramp || cd.load.ramp) && pinned.samples && cd.samples) {
    if (capacity_section(st, o, &pinned, &cd, doc, findings, &cap_cand, err) < 0)
      goto done;
    capacity_compared = json_is_object(json_object_get(doc, "capacity"));
  }
  if (scenario_section(st, o, want, &pinned, &cd, doc, warnings, err) < 0)
    goto done;
  /* What changed in the database (runs with database evidence): reported,
   * not gated. */
  json_t *db = db_compare_json(st, base->id, cand->id, o->threshold_pct / 100);
  if (json_array_size(db))
    json_object_set_new(doc, "database", db);
  else
    json_decref(db);
  json_t *k6t = compare_k6_failed(st, cand, err);
  if (!k6t)
    goto done;
  json_t *objectives = json_array();
  if (!o->no_slo) {
    json_decref(objectives);
    if (compare_objectives(st, cand, o->slo, cd.load.ramp, cap_cand, k6t, &objectives, err) < 0) {
      json_decref(k6t);
      goto done;
    }
  }
  json_object_set_new(doc, "verdict", json_string(overall_verdict(findings, json_object_get(doc, "scenarios"), objectives, cand->complete, comparable,
                                                                  capacity_compared)));
  json_object_set_new(doc, "baseline_kind", json_string(nhist ? "history" : "pinned"));
  if (nhist) {
    json_t *h = json_array();
    for (size_t j = 0; j < nhist; j++)
      json_array_append_new(h, run_ref(hist[j].info));
    json_object_set_new(doc, "history_runs", h);
  }
  json_object_set_new(doc, "bootstrap", bootstrap_json(block_s, nhist ? &hist[0] : &pinned, &cd, o->seed));
  json_object_set_new(doc, "counts", counts_json(findings, objectives));
  json_object_set(doc, "findings", findings);
  json_object_set_new(doc, "objectives", objectives);
  json_object_set(doc, "warnings", warnings);
  json_object_set_new(doc, "k6_thresholds_failed", k6t);
  *out = doc;
  doc = NULL;
  rc = 0;
done:
  json_decref(doc);
  json_decref(findings);
  json_decref(cap_cand);
  cmp_rdata_release(&pinned);
  cmp_rdata_release(&cd);
  for (size_t j = 0; j < nhist; j++)
    cmp_rdata_release(&hist[j]);
  free(hist);
  json_decref(warnings);
  return rc;
}
