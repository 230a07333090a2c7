/* report_docs.c - the report's documents (report_docs.h). */
#include <math.h>
#include <string.h>

#include <stdlib.h>
#include <time.h>

#include "render/escape.h"
#include "render/markdown.h"
#include "render/outfile.h"
#include "render/pdf.h"
#include "render/report_docs.h"
#include "render/report_html.h"
#include "render/template.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/xalloc.h"


/* A formatted number as a string member: fmt_set(o, "p95_text", "ms", v). */
static void fmt_set(json_t *o, const char *key, const char *filter, double v) {
  struct strbuf sb = STRBUF_INIT;
  tmpl_format_number(filter, v, &sb);
  json_object_set_new(o, key, json_string(sb.buf));
  strbuf_release(&sb);
}

static void decorate_finding(json_t *f) {
  const char *unit = jx_str(f, "unit");
  const char *filter = !strcmp(unit, "fraction") ? "pct"
                       : !strcmp(unit, "req/s")  ? "f1"
                       : !strcmp(unit, "users")  ? "f0"
                                                 : "ms";
  fmt_set(f, "baseline_text", filter, jx_num(f, "baseline"));
  fmt_set(f, "candidate_text", filter, jx_num(f, "candidate"));
  struct strbuf sb = STRBUF_INIT;
  if (!strcmp(unit, "fraction")) {
    double d = (jx_num(f, "candidate") - jx_num(f, "baseline")) * 100;
    if (isfinite(d))
      strbuf_addf(&sb, "%+.2f pp", fabs(d) < 0.005 ? 0.0 : d);
    else
      strbuf_addstr(&sb, "n/a");
  } else {
    tmpl_format_number("chg", jx_num(f, "change_pct"), &sb);
  }
  json_object_set_new(f, "change_text", json_string(sb.buf));
  strbuf_reset(&sb);
  double lo = jx_num(f, "ci_low_pct"), hi = jx_num(f, "ci_high_pct");
  if (isfinite(lo) && isfinite(hi) && !strcmp(unit, "fraction")) {
    strbuf_addf(&sb, "%+.2f .. %+.2f pp", lo, hi); /* error rates: the interval is in points */
  } else if (isfinite(lo) && isfinite(hi)) {
    tmpl_format_number("chg", lo, &sb);
    strbuf_addstr(&sb, " .. ");
    tmpl_format_number("chg", hi, &sb);
  } else {
    strbuf_addstr(&sb, "n/a");
  }
  json_object_set_new(f, "ci_text", json_string(sb.buf));
  strbuf_release(&sb);
  const char *v = jx_str(f, "verdict");
  json_object_set_new(f, "is_regression", json_boolean(!strcmp(v, "regression")));
  json_object_set_new(f, "is_improvement", json_boolean(!strcmp(v, "improvement")));
  json_object_set_new(f, "is_not_comparable", json_boolean(!strcmp(v, "not_comparable")));
}

/* baseline_text, candidate_text, target_text of a target row: its number
 * with the row's filter and unit. */
static void decorate_target(json_t *row) {
  json_object_set_new(row, "not_met", json_boolean(json_is_false(json_object_get(row, "met"))));
  const char *filter = jx_str(row, "filter"), *unit = jx_str(row, "unit");
  static const char *const keys[][2] = {
      {"baseline", "baseline_text"}, {"candidate", "candidate_text"}, {"target", "target_text"}};
  struct strbuf sb = STRBUF_INIT;
  for (int k = 0; k < 3; k++) {
    double v = jx_num(row, keys[k][0]);
    strbuf_reset(&sb);
    tmpl_format_number(*filter ? filter : "g3", v, &sb);
    if (isfinite(v))
      strbuf_addstr(&sb, unit);
    json_object_set_new(row, keys[k][1], json_string(sb.buf));
  }
  strbuf_release(&sb);
}


/* ------------------------------------------------------------ findings */

/* The headline findings of LOAD_TEST_RESULTS, each a sentence whose figures
 * are the body's figures (same model values through the same filters), its
 * status (ok, bad, info) and the anchor of its evidence. */

static void num(struct strbuf *sb, const char *filter, double v) { tmpl_format_number(filter, v, sb); }

static const char *sym_of(const char *st) {
  return !strcmp(st, "ok") ? "\xe2\x9c\x93" : !strcmp(st, "bad") ? "\xe2\x9c\x97" : "\xe2\x80\x94";
}

static void add_finding(json_t *arr, const char *status, const struct strbuf *text, const char *href,
                        const char *link_text) {
  json_t *f = json_object();
  json_object_set_new(f, "status", json_string(status));
  json_object_set_new(f, "symbol", json_string(sym_of(status)));
  json_object_set_new(f, "text", json_string(text->buf));
  json_object_set_new(f, "href", json_string(href));
  json_object_set_new(f, "link_text", json_string(link_text));
  json_array_append_new(arr, f);
}

/* "#slug" of a heading text (the section of a run, and so on). */
static void anchor(struct strbuf *sb, const char *doc, const char *heading) {
  if (doc)
    strbuf_addstr(sb, doc);
  strbuf_addch(sb, '#');
  md_slug(heading, sb);
}

static json_t *capacity_of(json_t *model, const char *run) {
  json_t *c;
  size_t i;
  json_array_foreach(json_object_get(model, "capacity"), i, c) {
    if (!strcmp(jx_str(c, "name"), run))
      return c;
  }
  return NULL;
}

/* Findings: capacity against the baseline, with the bottleneck; the
 * comparison also goes to "capacity_findings" (CAPACITY_PLANNING's). */
static void findings_capacity(json_t *model, json_t *arr) {
  json_t *cap_arr = json_array();
  json_object_set_new(model, "capacity_findings", cap_arr);
  json_t *r;
  size_t i;
  struct strbuf t = STRBUF_INIT, h = STRBUF_INIT, head = STRBUF_INIT;
  json_t *runs = json_object_get(model, "runs");
  json_array_foreach(runs, i, r) {
    json_t *cap = json_object_get(json_object_get(json_object_get(r, "baseline"), "compare"), "capacity");
    if (!json_is_object(cap))
      continue;
    json_t *b = json_object_get(cap, "baseline"), *c = json_object_get(cap, "candidate");
    double ratio = jx_num(cap, "users_ratio");
    strbuf_reset(&t);
    strbuf_addf(&t, "Capacity (%s ramp, %s against %s): ", jx_str(r, "scenario"), jx_str(r, "name"),
                jx_str(json_object_get(r, "baseline"), "name"));
    strbuf_addstr(&t, "from ");
    num(&t, "f0", jx_num(b, "users_low"));
    strbuf_addstr(&t, "\xe2\x80\x93");
    num(&t, "f0", jx_num(b, "users_high"));
    strbuf_addstr(&t, " to ");
    num(&t, "f0", jx_num(c, "users_low"));
    strbuf_addstr(&t, "\xe2\x80\x93");
    num(&t, "f0", jx_num(c, "users_high"));
    strbuf_addstr(&t, " users within the SLO (last passing \xe2\x80\x93 first failing level");
    if (isfinite(ratio)) {
      strbuf_addstr(&t, ", x");
      num(&t, "f2", ratio);
    }
    strbuf_addstr(&t, "); successful throughput within the SLO from ");
    num(&t, "f1", jx_num(b, "max_ok_rps_within_slo"));
    strbuf_addstr(&t, " to ");
    num(&t, "f1", jx_num(c, "max_ok_rps_within_slo"));
    strbuf_addstr(&t, " req/s.");
    json_t *ce = capacity_of(model, jx_str(r, "name"));
    json_t *bn = ce ? json_array_get(json_object_get(json_object_get(ce, "capacity"), "bottlenecks"), 0) : NULL;
    strbuf_reset(&h);
    strbuf_reset(&head);
    strbuf_addf(&head, "Scenario %s: run %s", jx_str(r, "scenario"), jx_str(r, "name"));
    anchor(&h, NULL, head.buf);
    add_finding(arr, isfinite(ratio) && ratio >= 1 ? "ok" : "bad", &t, h.buf, "capacity compared");
    /* The same sentence opens CAPACITY_PLANNING's findings, linked to the comparison. */
    strbuf_reset(&h);
    anchor(&h, "LOAD_TEST_RESULTS.md", head.buf);
    add_finding(cap_arr, isfinite(ratio) && ratio >= 1 ? "ok" : "bad", &t, h.buf, "comparison");
    if (bn) {
      strbuf_reset(&t);
      strbuf_addf(&t, "Bottleneck of %s: %s (%s), first saturated at ", jx_str(r, "name"),
                  jx_str(bn, "resource"), jx_str(bn, "detail"));
      num(&t, "f0", jx_num(bn, "first_saturated_vus"));
      strbuf_addstr(&t, " VUs");
      json_t *bn2 = json_array_get(json_object_get(json_object_get(ce, "capacity"), "bottlenecks"), 1);
      if (bn2) {
        strbuf_addf(&t, "; then %s from ", jx_str(bn2, "resource"));
        num(&t, "f0", jx_num(bn2, "first_saturated_vus"));
        strbuf_addstr(&t, " VUs");
      }
      strbuf_addch(&t, '.');
      strbuf_reset(&h);
      strbuf_reset(&head);
      strbuf_addf(&head, "Stress run %s (scenario %s)", jx_str(r, "name"), jx_str(r, "scenario"));
      anchor(&h, "CAPACITY_PLANNING.md", head.buf);
      add_finding(arr, "info", &t, h.buf, "capacity planning");
    }
  }

  strbuf_release(&t);
  strbuf_release(&h);
  strbuf_release(&head);
}

/* Findings: p95 of all requests against its objective, and errors, in
 * every run judged by its whole-run figures. */
static void findings_slo(json_t *model, json_t *arr) {
  json_t *r, *row;
  size_t i, k;
  struct strbuf t = STRBUF_INIT;
  json_t *runs = json_object_get(model, "runs");
  size_t judged = 0, missed = 0, rows = 0;
  struct strbuf p95 = STRBUF_INIT, errs = STRBUF_INIT;
  json_array_foreach(json_object_get(model, "slo_rows"), k, row) {
    if (json_is_true(json_object_get(row, "not_applicable")))
      continue;
    rows++;
    missed += !json_is_true(json_object_get(row, "ok"));
    if (strcmp(jx_str(row, "endpoint"), "all requests"))
      continue;
    strbuf_addf(&p95, "%s%s ", judged ? ", " : "", jx_str(row, "run"));
    num(&p95, "ms", jx_num(row, "p95_ms"));
    strbuf_addstr(&p95, " ms");
    if (isfinite(jx_num(row, "p95_slo_ms"))) {
      strbuf_addstr(&p95, " (objective < ");
      num(&p95, "f0", jx_num(row, "p95_slo_ms"));
      strbuf_addstr(&p95, " ms)");
    }
    strbuf_addf(&errs, "%s%s ", judged ? ", " : "", jx_str(row, "run"));
    num(&errs, "pct", jx_num(row, "error_rate"));
    judged++;
  }
  if (judged) {
    strbuf_reset(&t);
    strbuf_addf(&t, "p95 of all requests: %s. ", p95.buf);
    if (missed)
      strbuf_addf(&t, "%zu of %zu endpoint rows miss their objective.", missed, rows);
    else
      strbuf_addf(&t, "All %zu endpoint rows of these runs meet their objectives.", rows);
    add_finding(arr, missed ? "bad" : "ok", &t, "#slo-compliance", "SLO compliance");
    strbuf_reset(&t);
    strbuf_addf(&t, "Errors: %s", errs.buf);
    int first = 1;
    json_array_foreach(runs, i, r) {
      if (json_is_true(json_object_get(r, "slo_judged")))
        continue;
      strbuf_addf(&t, "%s%s ", first ? "; under the ramps, past their capacity: " : ", ", jx_str(r, "name"));
      num(&t, "pct", jx_num(json_object_get(json_object_get(r, "show"), "summary"), "error_rate"));
      first = 0;
    }
    strbuf_addch(&t, '.');
    add_finding(arr, missed ? "bad" : "ok", &t, "#summary", "summary");
  }
  strbuf_release(&p95);
  strbuf_release(&errs);

  strbuf_release(&t);
}

/* Findings: the gate, each run against its baseline. */
static void findings_gate(json_t *model, json_t *arr) {
  json_t *r;
  size_t i;
  struct strbuf t = STRBUF_INIT, h = STRBUF_INIT, head = STRBUF_INIT;
  json_t *runs = json_object_get(model, "runs");
  size_t alarms = 0, n = 0;
  strbuf_reset(&t);
  strbuf_reset(&h);
  json_array_foreach(runs, i, r) {
    json_t *hl = json_object_get(r, "headline");
    if (!json_is_object(hl))
      continue;
    strbuf_addf(&t, "%s%s: %s (%s)", n ? "; " : "Against the baselines: ", jx_str(r, "name"),
                jx_str(hl, "label"), jx_str(hl, "text"));
    if (json_is_true(json_object_get(hl, "alarm")) && !alarms++) {
      strbuf_reset(&head);
      strbuf_addf(&head, "Compared with the baseline %s", jx_str(json_object_get(r, "baseline"), "name"));
      anchor(&h, NULL, head.buf);
    }
    n++;
  }
  if (n) {
    strbuf_addch(&t, '.');
    if (!alarms) {
      strbuf_reset(&head);
      strbuf_addstr(&head, "Summary");
      anchor(&h, NULL, head.buf);
    }
    add_finding(arr, alarms ? "bad" : "ok", &t, h.buf, alarms ? "first alarm" : "summary");
  }
  strbuf_release(&t);
  strbuf_release(&h);
  strbuf_release(&head);
}

/* Findings: the improvement targets. */
static void findings_targets(json_t *model, json_t *arr) {
  json_t *row;
  size_t k;
  struct strbuf t = STRBUF_INIT;
  size_t met = 0, notmet = 0, na = 0;
  json_array_foreach(json_object_get(model, "targets"), k, row) {
    json_t *m = json_object_get(row, "met");
    met += json_is_true(m);
    notmet += json_is_false(m);
    na += !json_is_boolean(m);
  }
  if (met + notmet + na) {
    strbuf_reset(&t);
    strbuf_addf(&t, "Improvement targets: %zu met, %zu not met, %zu not answerable by these runs.", met,
                notmet, na);
    add_finding(arr, notmet ? "bad" : na ? "info" : "ok", &t, "#targets", "targets");
  }
  strbuf_release(&t);
}

/* Findings: the acceptance checklist. */
static void findings_acceptance(json_t *model, json_t *arr) {
  json_t *row;
  size_t k;
  struct strbuf t = STRBUF_INIT;
  size_t met = 0, notmet = 0, ne = 0;
  struct strbuf bad = STRBUF_INIT, open = STRBUF_INIT;
  json_array_foreach(json_object_get(model, "acceptance"), k, row) {
    const char *st = jx_str(row, "status");
    if (!strcmp(st, "met"))
      met++;
    else if (!strcmp(st, "not_met"))
      strbuf_addf(&bad, "%s%s", notmet++ ? "; " : "", jx_str(row, "criterion"));
    else
      strbuf_addf(&open, "%s%s", ne++ ? "; " : "", jx_str(row, "criterion"));
  }
  if (met + notmet + ne) {
    strbuf_reset(&t);
    strbuf_addf(&t, "Acceptance checklist: %zu of %zu criteria met", met, met + notmet + ne);
    if (notmet)
      strbuf_addf(&t, "; not met: %s", bad.buf);
    if (ne)
      strbuf_addf(&t, "; not evaluable from these runs: %s", open.buf);
    strbuf_addch(&t, '.');
    add_finding(arr, notmet ? "bad" : ne ? "info" : "ok", &t, "#acceptance-checklist", "checklist");
  }
  strbuf_release(&bad);
  strbuf_release(&open);
  strbuf_release(&t);
}

static void build_findings(json_t *model) {
  json_t *arr = json_array();
  findings_capacity(model, arr);
  findings_slo(model, arr);
  findings_gate(model, arr);
  findings_targets(model, arr);
  findings_acceptance(model, arr);
  json_object_set_new(model, "findings", arr);
}

/* Replaces the line "[[TOC]]" of a rendered document by a list of links to
 * its level-2 headings (their anchors as md_headings gives them). */
static void insert_toc(struct strbuf *md) {
  const char *mark = strstr(md->buf, "\n[[TOC]]\n");
  if (!mark)
    return;
  struct md_heading *hs;
  size_t n = md_headings(md->buf, &hs);
  struct strbuf o = STRBUF_INIT;
  strbuf_add(&o, md->buf, (size_t)(mark - md->buf) + 1);
  for (size_t i = 0; i < n; i++) {
    if (hs[i].level != 2 || !strcmp(hs[i].slug, "contents"))
      continue;
    strbuf_addstr(&o, "- [");
    esc_md(&o, hs[i].text);
    strbuf_addf(&o, "](#%s)\n", hs[i].slug);
  }
  strbuf_addstr(&o, mark + 9);
  md_headings_free(hs, n);
  struct strbuf tmp = *md;
  *md = o;
  strbuf_release(&tmp);
}

/* The level whose `key` equals v (the peak of a throughput column). */
static json_t *level_with(json_t *levels, const char *key, double v) {
  json_t *l;
  size_t i;
  json_array_foreach(levels, i, l) {
    if (fabs(jx_num(l, key) - v) < 0.05)
      return l;
  }
  return NULL;
}

/* Caveats of every capacity entry said once, each with the runs it holds
 * for; the closed-model caveat is the template's own "Open-model behaviour"
 * bullet, not repeated. */
static void decorate_caveats(json_t *model) {
  json_t *out = json_array(), *c, *cv;
  size_t i, k, j;
  json_array_foreach(json_object_get(model, "capacity"), i, c) {
    json_array_foreach(json_object_get(json_object_get(c, "capacity"), "caveats"), k, cv) {
      const char *text = json_string_value(cv);
      if (!text || !strncmp(text, "closed-model", 12))
        continue;
      json_t *e, *hit = NULL;
      json_array_foreach(out, j, e) {
        if (!strcmp(jx_str(e, "text"), text))
          hit = e;
      }
      if (!hit) {
        hit = json_object();
        json_object_set_new(hit, "text", json_string(text));
        json_object_set_new(hit, "runs", json_string(""));
        json_array_append_new(out, hit);
      }
      struct strbuf r = STRBUF_INIT;
      strbuf_addstr(&r, jx_str(hit, "runs"));
      strbuf_addf(&r, "%s%s", r.len ? ", " : "", jx_str(c, "name"));
      json_object_set_new(hit, "runs", json_string(r.buf));
      strbuf_release(&r);
    }
  }
  json_object_set_new(model, "caveats", out);
}

/* ------------------------------------------------------------ database */

/* SQL text for a table cell: whitespace and control characters collapsed
 * to one space, cut at a word boundary near `max` bytes (never inside a
 * UTF-8 sequence) with "…". The template escapes it (code filter). */
static void short_query(struct strbuf *sb, const char *q, size_t max) {
  size_t start = sb->len;
  int sp = 0;
  for (const unsigned char *p = (const unsigned char *)q; *p; p++) {
    if (*p <= ' ' || *p == 0x7f) {
      sp = sb->len > start;
      continue;
    }
    if (sp)
      strbuf_addch(sb, ' ');
    sp = 0;
    strbuf_addch(sb, (char)*p);
  }
  if (sb->len - start <= max)
    return;
  size_t cut = start + max;
  while (cut > start + max / 2 && sb->buf[cut] != ' ')
    cut--;
  if (sb->buf[cut] != ' ')
    for (cut = start + max; cut > start && ((unsigned char)sb->buf[cut] & 0xC0) == 0x80;)
      cut--;
  while (cut > start && sb->buf[cut - 1] == ' ')
    cut--;
  sb->len = cut;
  sb->buf[cut] = 0;
  strbuf_addstr(sb, "\xe2\x80\xa6");
}

static void add_short_queries(json_t *list, size_t max) {
  json_t *x;
  size_t i;
  json_array_foreach(list, i, x) {
    struct strbuf sb = STRBUF_INIT;
    short_query(&sb, jx_str(x, "query"), max);
    json_object_set_new(x, "query_short", json_string(sb.buf));
    strbuf_release(&sb);
  }
}

#define DB_QUERY_CELL 110 /* bytes of SQL text in a table cell */

/* The "Database and caches" section of a run (its "db", a copy of show's
 * "database"): short statement texts, the p95 verdict as a word, caches
 * against the 70 % line. */
static void decorate_db(json_t *db) {
  if (!json_is_object(db))
    return;
  add_short_queries(json_object_get(db, "statements"), DB_QUERY_CELL);
  add_short_queries(json_object_get(json_object_get(db, "slow"), "by_statement"), DB_QUERY_CELL);
  json_t *p = json_object_get(db, "query_p95_below_ms");
  if (json_is_object(p)) {
    int decided = json_is_true(json_object_get(p, "decided")), below = json_is_true(json_object_get(p, "below"));
    json_object_set_new(p, "verdict_text", json_string(!decided ? "\xe2\x80\x94 cannot be decided"
                                                       : below  ? "\xe2\x9c\x93 below 100 ms"
                                                                : "\xe2\x9c\x97 not below 100 ms"));
  }
  json_t *slow = json_object_get(db, "slow");
  if (json_is_object(slow)) {
    const char *b = jx_str(slow, "basis");
    json_object_set_new(slow, "basis_text",
                        json_string(!strcmp(b, "log") ? "counted in the server log's duration entries; plans are not statements"
                                    : !strcmp(b, "max_exec_time")
                                        ? "no server log entries; no statement's max_exec_time in pg_stat_statements is over the line"
                                        : "unknown: no server log, and some statement's max_exec_time is over the line"));
  }
  json_t *c;
  size_t i;
  json_array_foreach(json_object_get(db, "caches"), i, c) {
    double r = jx_num(c, "hit_ratio");
    json_object_set_new(c, "line_text", json_string(!isfinite(r) ? "\xe2\x80\x94 no lookups"
                                                    : r > 0.70   ? "\xe2\x9c\x93 above 70 %"
                                                                 : "below 70 %"));
  }
  json_t *o = json_object_get(db, "caches_overall");
  if (json_is_object(o)) {
    double r = jx_num(o, "hit_ratio");
    json_object_set_new(o, "line_text", json_string(!isfinite(r) ? "\xe2\x80\x94 no lookups"
                                                    : r > 0.70   ? "\xe2\x9c\x93 above 70 %"
                                                                 : "\xe2\x9c\x97 below 70 %"));
  }
  json_t *ev = json_object_get(json_object_get(db, "log"), "events");
  json_object_set_new(db, "has_log_events", json_boolean(json_object_size(ev) > 0));
}

void report_docs_decorate(json_t *model) {
  json_t *e, *f;
  size_t i, k;
  json_array_foreach(json_object_get(model, "capacity"), i, e) {
    json_t *cap = json_object_get(e, "capacity"), *th = json_object_get(cap, "throughput");
    json_t *levels = json_object_get(cap, "levels");
    json_t *lp = level_with(levels, "rps", jx_num(th, "peak_window_rps"));
    json_t *lo = level_with(levels, "ok_rps", jx_num(th, "peak_window_ok_rps"));
    if (lp)
      json_object_set(e, "peak_rps_level", lp);
    if (lo)
      json_object_set(e, "peak_ok_level", lo);
    struct strbuf head = STRBUF_INIT, a = STRBUF_INIT;
    strbuf_addf(&head, "Stress run %s (scenario %s)", jx_str(e, "name"), jx_str(e, "scenario"));
    md_slug(head.buf, &a);
    json_object_set_new(e, "capacity_anchor", json_string(a.buf));
    strbuf_release(&head);
    strbuf_release(&a);
    add_short_queries(json_object_get(json_object_get(e, "database"), "statements"), DB_QUERY_CELL);
  }
  decorate_caveats(model);
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    int text = 0;
    json_array_foreach(json_object_get(json_object_get(e, "show"), "errors"), k, f) {
      const char *m = jx_str(f, "error");
      text |= m && *m;
    }
    json_object_set_new(e, "errors_have_text", json_boolean(text));
    decorate_db(json_object_get(e, "db"));
    struct strbuf head = STRBUF_INIT, a = STRBUF_INIT;
    strbuf_addf(&head, "Stress run %s (scenario %s)", jx_str(e, "name"), jx_str(e, "scenario"));
    md_slug(head.buf, &a);
    json_object_set_new(e, "capacity_anchor", json_string(a.buf));
    strbuf_release(&head);
    strbuf_release(&a);
    json_t *cmp = json_object_get(json_object_get(e, "baseline"), "compare");
    json_array_foreach(json_object_get(cmp, "findings"), k, f) decorate_finding(f);
    json_array_foreach(json_object_get(cmp, "database"), k, f) {
      const char *q = jx_str(f, "query"), *cache = jx_str(f, "cache");
      struct strbuf sb = STRBUF_INIT;
      if (*q)
        short_query(&sb, q, DB_QUERY_CELL);
      else if (*cache)
        strbuf_addf(&sb, "cache %s", cache);
      json_object_set_new(f, "subject", json_string(sb.buf));
      json_object_set_new(f, "subject_is_query", json_boolean(*q != 0));
      json_object_set_new(f, "subject_id", json_string(jx_str(f, "queryid")));
      if (!json_is_boolean(json_object_get(f, "regression")))
        json_object_set_new(f, "regression", json_false());
      strbuf_release(&sb);
    }
  }
  json_array_foreach(json_object_get(model, "targets"), k, f) decorate_target(f);
  build_findings(model);
}

/* ------------------------------------------------------------ documents */

static int write_html(const struct report_docs *o, json_t *model, const char *doc, int d,
                      const struct strbuf *md, struct err *err) {
  struct strbuf html = STRBUF_INIT, title = STRBUF_INIT, path = STRBUF_INIT;
  const char *name = json_string_value(json_object_get(model, "title"));
  strbuf_addstr(&title, d == 0 ? "Load test results" : "Capacity planning");
  if (name && *name)
    strbuf_addf(&title, ": %s", name);
  int rc = md_to_html(md->buf, title.buf, o->out_dir, &html, err);
  if (rc == 0 && o->specs && o->chart_lib && report_html_add_charts(&html, o->specs, o->chart_lib, err) < 0)
    rc = -1;
  strbuf_addf(&path, "%s/%s.html", o->out_dir, doc);
  if (rc == 0)
    rc = outfile_write(path.buf, html.buf, html.len, err);
  strbuf_release(&html);
  strbuf_release(&title);
  strbuf_release(&path);
  return rc;
}

static int write_pdf(const struct report_docs *o, json_t *model, const struct strbuf *md, struct err *err) {
  struct strbuf path = STRBUF_INIT, l1 = STRBUF_INIT, l2 = STRBUF_INIT, pt = STRBUF_INIT;
  strbuf_addf(&path, "%s/report.pdf", o->out_dir);
  json_t *r;
  size_t i;
  strbuf_addstr(&l1, "Runs: ");
  json_array_foreach(json_object_get(model, "runs"), i, r) {
    strbuf_addf(&l1, "%s%s (%s)", i ? ", " : "", json_string_value(json_object_get(r, "name")),
                json_string_value(json_object_get(r, "scenario")));
  }
  strbuf_addf(&l2, "Generated %s by loadrep %s", json_string_value(json_object_get(model, "generated")),
              LOADREP_VERSION);
  const char *sub[] = {l1.buf, l2.buf, NULL};
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  const char *name = json_string_value(json_object_get(model, "title"));
  strbuf_addstr(&pt, "Load test report");
  if (name && *name)
    strbuf_addf(&pt, ": %s", name);
  struct pdf_opts po = {.title = pt.buf, .subtitle = sub, .base_dir = o->out_dir,
                        .epoch = sde && *sde ? strtoll(sde, NULL, 10) : (long long)time(NULL)};
  /* The PDF has contents pages of its own, with page numbers and links:
   * the Markdown's contents list is left out. */
  struct strbuf cut[2] = {STRBUF_INIT, STRBUF_INIT};
  for (int d = 0; d < 2; d++) {
    const char *a = strstr(md[d].buf, "\n## Contents\n");
    const char *b = a ? strstr(a + 1, "\n## ") : NULL;
    if (a && b) {
      strbuf_add(&cut[d], md[d].buf, (size_t)(a - md[d].buf));
      strbuf_addstr(&cut[d], b);
    } else {
      strbuf_addstr(&cut[d], md[d].buf);
    }
  }
  const char *mds[2] = {cut[0].buf, cut[1].buf};
  int rc = pdf_write(&po, mds, 2, path.buf, err);
  strbuf_release(&cut[0]);
  strbuf_release(&cut[1]);
  strbuf_release(&pt);
  strbuf_release(&path);
  strbuf_release(&l1);
  strbuf_release(&l2);
  return rc;
}

int report_docs_write(const struct report_docs *o, json_t *model, struct err *err) {
  static const char *const docs[] = {"LOAD_TEST_RESULTS", "CAPACITY_PLANNING"};
  struct strbuf md[2] = {STRBUF_INIT, STRBUF_INIT};
  int rc = 0;
  for (int d = 0; d < 2 && rc == 0; d++) {
    char *text = NULL, *label = NULL;
    struct strbuf name = STRBUF_INIT;
    strbuf_addf(&name, "%s.md.tmpl", docs[d]);
    rc = tmpl_load(o->template_dir, name.buf, &text, &label, err);
    if (rc == 0)
      rc = tmpl_render_string(label, text, model, &md[d], err);
    if (rc == 0)
      insert_toc(&md[d]);
    free(text);
    free(label);
    strbuf_release(&name);
  }
  for (int d = 0; d < 2 && rc == 0; d++) {
    struct strbuf path = STRBUF_INIT;
    strbuf_addf(&path, "%s/%s.md", o->out_dir, docs[d]);
    rc = outfile_write(path.buf, md[d].buf, md[d].len, err);
    if (rc == 0 && o->html)
      rc = write_html(o, model, docs[d], d, &md[d], err);
    strbuf_release(&path);
  }
  if (rc == 0 && o->pdf)
    rc = write_pdf(o, model, md, err);
  strbuf_release(&md[0]);
  strbuf_release(&md[1]);
  return rc;
}
