/* report_acceptance.c - the acceptance checklist of the load-test story
 * (report_model.h): each criterion met, not met or not evaluable, with the
 * figures that say so.
 *
 * Sentences carry numbers formatted as the templates format them (ms, f0,
 * f1, pct of render/template.h), so a figure reads the same here as in the
 * tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "analysis/report_int.h"
#include "analysis/report_model.h"
#include "store/store_report.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"

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
  return jx_strf("the capacity of the stress run %s could not be computed: %s", rm_str(c, "name"),
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
  json_t *ev = miss.len ? jx_strf("baselines: %s; no baseline for %s", have.len ? have.buf : "none", miss.buf)
                        : jx_strf("every reported scenario has a baseline: %s", have.buf);
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
            jx_strf("%s: %sbetween %s (last passing level) and %s (first failing level) concurrent users within the "
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
  json_t *ev = jx_strf("%zu endpoint row(s) of %zu run(s) judged; %s: %s, %s, p95 %s ms against its objective < %s ms (%s)", n,
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
            jx_strf("%s: %s errors in %s requests up to %s req/s (%s VUs); 95%% upper bound on the error rate %s",
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
              jx_strf("%s: one bottleneck is named (%s); the capacity analysis does not rank three",
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
            jx_strf("%zu met, %zu not met, %zu not answerable: %s", met, no, unk, sb.buf), runs);
  strbuf_release(&sb);
}

/* The gate's verdicts recorded by `loadrep check` in the database. */
static int ci_alert(struct store *st, json_t *out, struct err *err) {
  const char *title = "CI raises an alert on a performance regression";
  struct store_check_verdict *v;
  size_t n;
  if (store_report_check_verdicts(st, &v, &n, err) < 0)
    return -1;
  json_t *hit = NULL;
  for (size_t i = 0; i < n && !hit; i++)
    if (strcmp(v[i].verdict, "ok"))
      hit = json_pack("{s:s,s:s,s:s}", "run", v[i].run, "base", v[i].baseline, "verdict", v[i].verdict);
  store_check_verdicts_free(v, n);
  if (!hit) {
    criterion(out, "ci_regression_alert", title, "not_evaluable",
              n ? jx_strf("%zu check(s) recorded, none failed: a check of a regressed build is needed to show the alert", n)
                : json_string("no 'loadrep check' is recorded in this database"),
              NULL);
    return 0;
  }
  criterion(out, "ci_regression_alert", title, "met",
            jx_strf("'loadrep check %s' against the baseline %s failed with verdict %s (exit 1); %zu check(s) recorded",
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

/* A criterion judged run by run on the runs that can answer it (the
 * candidates; the baselines quoted for reference). */
struct per_run {
  const char *id, *title;
  int (*has)(json_t *e);
  /* Appends the run's figures; returns 0 met, 1 not met, 2 undecided. */
  int (*judge)(struct strbuf *sb, json_t *e);
  void (*quote)(struct strbuf *sb, json_t *e); /* a baseline's figures */
  const char *after;                           /* after the judged runs ("" for none) */
};

/* Judges c; `none` (a new reference) is the evidence when no run answers. */
static void per_run_criterion(const struct per_run *c, json_t *model, json_t *out, json_t *none) {
  json_t *judged, *refs, *e;
  size_t i, miss = 0, undecided = 0;
  answering_runs(model, c->has, &judged, &refs);
  if (json_array_size(judged) == 0) {
    criterion(out, c->id, c->title, "not_evaluable", none, NULL);
    json_decref(judged);
    json_decref(refs);
    return;
  }
  json_decref(none);
  struct strbuf sb = STRBUF_INIT;
  json_array_foreach(judged, i, e) {
    if (i)
      strbuf_addstr(&sb, "; ");
    int v = c->judge(&sb, e);
    miss += v == 1;
    undecided += v == 2;
  }
  strbuf_addstr(&sb, c->after);
  json_array_foreach(refs, i, e) {
    strbuf_addstr(&sb, i ? "; " : ". For reference (baselines, not judged): ");
    c->quote(&sb, e);
  }
  criterion(out, c->id, c->title, miss ? "not_met" : undecided ? "not_evaluable" : "met", json_string(sb.buf),
            names_of(judged));
  strbuf_release(&sb);
  json_decref(judged);
  json_decref(refs);
}

static int has_db_p95(json_t *e) { return json_is_object(rm_get(e, "db.query_p95_below_ms")); }

/* A run's query p95 verdict and its counts (`basis`: with the basis). */
static int db_p95_line(struct strbuf *sb, json_t *e, int basis) {
  json_t *p = rm_get(e, "db.query_p95_below_ms");
  int decided = json_is_true(json_object_get(p, "decided")), below = json_is_true(json_object_get(p, "below"));
  strbuf_addf(sb, "%s: %s", rm_str(e, "name"), !decided ? "cannot be decided" : below ? "below 100 ms" : "not below 100 ms");
  if (decided) {
    strbuf_addf(sb, ", %s of %s calls over 100 ms (%s", F("f0", rm_num(p, "calls_above")), F("f0", rm_num(p, "calls")),
                F("pct", rm_num(p, "share_above")));
    if (basis)
      strbuf_addf(sb, "; basis: %s", rm_str(p, "basis"));
    strbuf_addch(sb, ')');
  } else if (basis) {
    strbuf_addf(sb, ": %s", rm_str(p, "reason"));
  }
  return !decided ? 2 : !below;
}

static int db_p95_judge(struct strbuf *sb, json_t *e) { return db_p95_line(sb, e, 1); }
static void db_p95_quote(struct strbuf *sb, json_t *e) { db_p95_line(sb, e, 0); }

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

static int cache_judge(struct strbuf *sb, json_t *e) {
  cache_line(sb, e);
  return !(rm_num(e, "db.caches_overall.hit_ratio") > DB_CACHE_HIT_MIN);
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

static void llm_quote(struct strbuf *sb, json_t *e) {
  json_t *x = llm_endpoint(e);
  strbuf_addf(sb, "%s, %s: p95 %s ms", rm_str(e, "name"), rm_str(x, "endpoint"), F("ms", rm_num(x, "http_req_duration.p(95)")));
}

static int llm_judge(struct strbuf *sb, json_t *e) {
  llm_quote(sb, e);
  return !(rm_num(llm_endpoint(e), "http_req_duration.p(95)") < 5000);
}

static void db_cache_llm(json_t *model, json_t *out) {
  static const struct per_run db = {"db_query_p95_100ms", "Database query p95 below 100 ms", has_db_p95, db_p95_judge,
                                    db_p95_quote, ""};
  static const struct per_run cache = {"cache_hit_70pct", "Cache hit rate above 70 %", has_cache, cache_judge, cache_line,
                                       ". Judged on all lookups of all caches; a cache below the line is reported as it is"};
  static const struct per_run llm = {"llm_p95_5s", "LLM endpoint p95 below 5 s", has_llm, llm_judge, llm_quote,
                                     " (against < 5000 ms)"};
  per_run_criterion(&db, model, out,
                    json_string("needs database evidence: no reported run was ingested with its PostgreSQL statement log "
                                "(log_min_duration_statement) and pg_stat_statements export"));
  per_run_criterion(&cache, model, out,
                    json_string("needs cache hit and miss counters (e.g. the service's sut_cache_requests_rate by cache "
                                "and result): no reported run has them"));
  json_t *e;
  size_t i;
  int ramp = 0;
  json_array_foreach(json_object_get(model, "runs"), i, e) ramp |= llm_endpoint(e) != NULL;
  per_run_criterion(&llm, model, out,
                    json_string(ramp ? "needs a run at a constant load with an LLM endpoint: the LLM endpoint appears "
                                       "only in ramps, whose whole-run p95 is judged by capacity"
                                     : "needs per-endpoint k6 data of an LLM endpoint (a name with llm, generat, agent, "
                                       "completion, /chat, /ai/ or inference): no reported run has one"));
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
  db_cache_llm(model, out);
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
