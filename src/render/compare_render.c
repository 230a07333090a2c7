#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/compare.h"
#include "render/compare_render.h"
#include "render/escape.h"
#include "render/table.h"
#include "util/strbuf.h"
#include "util/jsonx.h"
#include "util/utf8.h"

enum out { OUT_TEXT, OUT_MD };

static void emit(struct strbuf *out, enum out mode, const char *s) {
  if (mode == OUT_MD)
    esc_md(out, s);
  else
    esc_term(out, s);
}

static void emit_table(const struct table *t, enum out mode, struct strbuf *out) {
  if (mode == OUT_MD)
    table_md(t, out);
  else
    table_text(t, out);
}


static void fmt_change(char *buf, size_t len, const char *metric, double ch) {
  if (!isfinite(ch))
    snprintf(buf, len, "n/a");
  else if (!strcmp(metric, "error_rate"))
    snprintf(buf, len, "%+.2f pt", ch);
  else
    snprintf(buf, len, "%+.1f%%", ch);
}

static void fmt_ci(char *buf, size_t len, const char *metric, double lo, double hi) {
  if (!isfinite(lo) || !isfinite(hi))
    snprintf(buf, len, "n/a");
  else if (!strcmp(metric, "error_rate"))
    snprintf(buf, len, "[%+.2f, %+.2f] pt", lo, hi);
  else
    snprintf(buf, len, "[%+.1f%%, %+.1f%%]", lo, hi);
}

static const char *verdict_cell(const char *v) {
  if (!strcmp(v, "not_comparable"))
    return "not comparable";
  return v;
}

static int findings_table(json_t *fs, enum out mode, struct strbuf *out) {
  static const char *const head[] = {"Endpoint", "Metric", "Baseline", "Candidate", "Change", "95% interval",
                                     "n base/cand", "Verdict"};
  static const enum table_align al[] = {TABLE_LEFT,  TABLE_LEFT,  TABLE_RIGHT, TABLE_RIGHT,
                                        TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT, TABLE_LEFT};
  struct table t;
  table_init(&t, 8, head, al);
  int ungated = 0;
  for (size_t i = 0; i < json_array_size(fs); i++) {
    json_t *f = json_array_get(fs, i);
    const char *m = jx_str(f, "metric");
    int gated = json_is_true(json_object_get(f, "gated"));
    ungated |= !gated;
    char metric[64], b[64], c[64], ch[64], ci[64], n[64];
    snprintf(metric, sizeof metric, "%s%s", m, gated ? "" : "*");
    compare_format_value(b, sizeof b, m, jx_num(f, "baseline"));
    compare_format_value(c, sizeof c, m, jx_num(f, "candidate"));
    fmt_change(ch, sizeof ch, m, jx_num(f, "change_pct"));
    fmt_ci(ci, sizeof ci, m, jx_num(f, "ci_low_pct"), jx_num(f, "ci_high_pct"));
    if (!strcmp(m, "max_users"))
      snprintf(n, sizeof n, "brackets");
    else
      snprintf(n, sizeof n, "%lld/%lld", (long long)json_integer_value(json_object_get(f, "n_baseline")),
               (long long)json_integer_value(json_object_get(f, "n_candidate")));
    const char *v = jx_str(f, "verdict");
    const char *cells[] = {jx_str(f, "endpoint"), metric, b, c, ch, ci, n, verdict_cell(v)};
    table_row(&t, cells, gated && !strcmp(v, "regression"));
  }
  emit_table(&t, mode, out);
  table_release(&t);
  return ungated;
}

/* A number in a literal format, or n/a when it is not finite. */
#define FMT_NUM(buf, fmt, v) \
  (isfinite(v) ? snprintf(buf, sizeof buf, fmt, (double)(v)) : snprintf(buf, sizeof buf, "n/a"))

static void load_block(json_t *cmp, enum out mode, struct strbuf *out) {
  json_t *load = json_object_get(cmp, "load");
  if (!load)
    return;
  json_t *b = json_object_get(load, "baseline"), *c = json_object_get(load, "candidate");
  char line[512], side[2][128];
  for (int k = 0; k < 2; k++) {
    json_t *x = k ? b : c;
    char d[32], v[32];
    FMT_NUM(d, "%.0f s", jx_num(x, "duration_s"));
    FMT_NUM(v, "max %.0f VUs", jx_num(x, "max_vus"));
    snprintf(side[k], sizeof side[k], "%s, %s, %s", isfinite(jx_num(x, "max_vus")) ? jx_str(x, "shape") : "shape unknown",
             d, isfinite(jx_num(x, "max_vus")) ? v : "VUs unknown (no samples)");
  }
  snprintf(line, sizeof line, "%s: %s; baseline: %s",
           json_is_false(json_object_get(load, "known"))     ? "Load not known for both runs"
           : json_is_true(json_object_get(load, "comparable")) ? "Load comparable"
                                                              : "Load NOT comparable",
           side[0], side[1]);
  emit(out, mode, line);
  strbuf_addstr(out, mode == OUT_MD ? ".\n" : "\n");
  json_t *r = json_object_get(load, "reasons");
  for (size_t i = 0; i < json_array_size(r); i++) {
    strbuf_addstr(out, mode == OUT_MD ? "- " : "  - ");
    emit(out, mode, json_string_value(json_array_get(r, i)));
    strbuf_addch(out, '\n');
  }
  if (json_array_size(r)) {
    strbuf_addstr(out, mode == OUT_MD ? "\n" : "");
    emit(out, mode, "Whole-run latency, throughput and error rows are not comparable: their verdict is "
                    "'not comparable', never regression or improvement.");
    strbuf_addch(out, '\n');
  }
  strbuf_addch(out, '\n');
}

static void levels_block(json_t *cmp, enum out mode, struct strbuf *out) {
  json_t *lv = json_object_get(cmp, "levels");
  if (!json_array_size(lv))
    return;
  emit(out, mode, "At matched load levels (successful requests/s; p95 of successful requests; error rate):");
  strbuf_addstr(out, "\n\n");
  static const char *const head[] = {"VUs", "p95 base", "p95 cand", "p95 change", "ok req/s base", "ok req/s cand",
                                     "errors base", "errors cand"};
  static const enum table_align al[] = {TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT,
                                        TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT};
  struct table t;
  table_init(&t, 8, head, al);
  for (size_t i = 0; i < json_array_size(lv); i++) {
    json_t *l = json_array_get(lv, i), *b = json_object_get(l, "baseline"), *c = json_object_get(l, "candidate");
    char v[32], pb[32], pc[32], ch[32], rb[32], rc[32], eb[32], ec[32];
    FMT_NUM(v, "%.0f", jx_num(l, "vus"));
    FMT_NUM(pb, "%.1f ms", jx_num(b, "p95_ms"));
    FMT_NUM(pc, "%.1f ms", jx_num(c, "p95_ms"));
    FMT_NUM(ch, "%+.1f%%", jx_num(l, "p95_change_pct"));
    FMT_NUM(rb, "%.1f", jx_num(b, "ok_rps"));
    FMT_NUM(rc, "%.1f", jx_num(c, "ok_rps"));
    FMT_NUM(eb, "%.2f%%", jx_num(b, "error_rate") * 100);
    FMT_NUM(ec, "%.2f%%", jx_num(c, "error_rate") * 100);
    const char *cells[] = {v, pb, pc, ch, rb, rc, eb, ec};
    table_row(&t, cells, 0);
  }
  emit_table(&t, mode, out);
  table_release(&t);
  strbuf_addch(out, '\n');
}

static void capacity_block(json_t *cmp, enum out mode, struct strbuf *out) {
  json_t *cap = json_object_get(cmp, "capacity");
  if (!json_is_object(cap))
    return;
  json_t *b = json_object_get(cap, "baseline"), *c = json_object_get(cap, "candidate");
  char line[512], ub[32], uc[32], rb[32], rc[32], ur[64], rr[32];
  if (json_is_true(json_object_get(b, "users_at_least")))
    FMT_NUM(ub, ">= %.0f", jx_num(b, "max_users_within_slo"));
  else
    FMT_NUM(ub, "%.0f", jx_num(b, "max_users_within_slo"));
  if (json_is_true(json_object_get(c, "users_at_least")))
    FMT_NUM(uc, ">= %.0f", jx_num(c, "max_users_within_slo"));
  else
    FMT_NUM(uc, "%.0f", jx_num(c, "max_users_within_slo"));
  FMT_NUM(rb, "%.1f", jx_num(b, "max_ok_rps_within_slo"));
  FMT_NUM(rc, "%.1f", jx_num(c, "max_ok_rps_within_slo"));
  const char *bound = jx_str(cap, "users_ratio_bound");
  if (!strcmp(bound, "at_least"))
    FMT_NUM(ur, "at least x%.2f", jx_num(cap, "users_ratio"));
  else if (!strcmp(bound, "at_most"))
    FMT_NUM(ur, "at most x%.2f", jx_num(cap, "users_ratio"));
  else if (!strcmp(bound, "unknown"))
    snprintf(ur, sizeof ur, "ratio unknown: neither run reached its limit");
  else
    FMT_NUM(ur, "x%.2f", jx_num(cap, "users_ratio"));
  FMT_NUM(rr, "x%.2f", jx_num(cap, "ok_rps_ratio"));
  snprintf(line, sizeof line, "Capacity within the SLO: %s -> %s users (%s); successful requests/s %s -> %s (%s).",
           ub, uc, ur, rb, rc, rr);
  emit(out, mode, line);
  strbuf_addstr(out, "\n\n");
}

static void objectives_block(json_t *cmp, enum out mode, struct strbuf *out) {
  json_t *ob = json_object_get(cmp, "objectives");
  size_t met = 0, na = 0, breach = 0;
  for (size_t i = 0; i < json_array_size(ob); i++) {
    const char *v = jx_str(json_array_get(ob, i), "verdict");
    met += !strcmp(v, "met");
    na += !strcmp(v, "not_applicable");
    breach += !strcmp(v, "slo_breach");
  }
  if (!json_array_size(ob))
    return;
  char line[256];
  snprintf(line, sizeof line, "Objectives of the candidate: %zu missed (slo_breach), %zu met, %zu not applicable%s",
           breach, met, na, breach ? ":" : ".");
  emit(out, mode, line);
  strbuf_addstr(out, "\n");
  for (size_t i = 0; i < json_array_size(ob); i++) {
    json_t *o = json_array_get(ob, i);
    if (strcmp(jx_str(o, "verdict"), "slo_breach"))
      continue;
    strbuf_addstr(out, mode == OUT_MD ? "- **slo_breach** " : "  - slo_breach ");
    emit(out, mode, jx_str(o, "endpoint"));
    strbuf_addstr(out, ": ");
    emit(out, mode, jx_str(o, "reason"));
    strbuf_addch(out, '\n');
  }
  strbuf_addch(out, '\n');
}

static void sample_size_block(json_t *fs, enum out mode, struct strbuf *out) {
  int any = 0;
  for (size_t i = 0; i < json_array_size(fs); i++) {
    json_t *f = json_array_get(fs, i);
    json_t *need = json_object_get(f, "n_needed");
    if (!json_is_integer(need) || !json_is_true(json_object_get(f, "gated")))
      continue;
    if (!any)
      emit(out, mode, "Too few requests to detect a change of the threshold's size:");
    strbuf_addstr(out, any ? "" : "\n");
    any = 1;
    char line[512];
    snprintf(line, sizeof line, "%s %s: %lld and %lld requests; about %lld per side needed", jx_str(f, "endpoint"),
             jx_str(f, "metric"), (long long)json_integer_value(json_object_get(f, "n_baseline")),
             (long long)json_integer_value(json_object_get(f, "n_candidate")), (long long)json_integer_value(need));
    strbuf_addstr(out, mode == OUT_MD ? "- " : "  - ");
    emit(out, mode, line);
    strbuf_addch(out, '\n');
  }
  if (any)
    strbuf_addch(out, '\n');
}

/* What changed in the database (information, not gated). */
static void database_block(json_t *cmp, enum out mode, struct strbuf *out) {
  json_t *db = json_object_get(cmp, "database");
  if (!json_array_size(db))
    return;
  emit(out, mode, "Database (information, not gated):");
  strbuf_addch(out, '\n');
  for (size_t i = 0; i < json_array_size(db); i++) {
    json_t *x = json_array_get(db, i);
    strbuf_addstr(out, mode == OUT_MD ? "- " : "  - ");
    if (json_is_true(json_object_get(x, "regression")))
      strbuf_addstr(out, mode == OUT_MD ? "**worse** " : "worse: ");
    const char *what = *jx_str(x, "query") ? jx_str(x, "query") : jx_str(x, "cache");
    if (*what) {
      /* The statement, cut at 72 bytes on a character boundary. */
      char q[80];
      size_t n = strlen(what) > 72 ? utf8_char_start(what, 72) : strlen(what);
      snprintf(q, sizeof q, "%.*s%s", (int)n, what, n < strlen(what) ? "..." : "");
      if (mode == OUT_MD)
        esc_md_code(out, q);
      else
        esc_term(out, q);
      strbuf_addstr(out, ": ");
    }
    emit(out, mode, jx_str(x, "text"));
    strbuf_addch(out, '\n');
  }
  strbuf_addch(out, '\n');
}

static void warnings_block(json_t *cmp, enum out mode, struct strbuf *out) {
  json_t *w = json_object_get(cmp, "warnings");
  for (size_t i = 0; i < json_array_size(w); i++) {
    strbuf_addstr(out, mode == OUT_MD ? "- warning: " : "warning: ");
    emit(out, mode, json_string_value(json_array_get(w, i)));
    strbuf_addch(out, '\n');
  }
}

static void header(json_t *cmp, enum out mode, struct strbuf *out) {
  json_t *b = json_object_get(cmp, "baseline"), *c = json_object_get(cmp, "candidate");
  int hist = !strcmp(jx_str(cmp, "baseline_kind"), "history");
  strbuf_addstr(out, mode == OUT_MD ? "Candidate " : "candidate ");
  if (mode == OUT_MD)
    esc_md_code(out, jx_str(c, "name"));
  else
    esc_term(out, jx_str(c, "name"));
  if (json_is_object(b)) {
    strbuf_addstr(out, hist ? " vs the rolling baseline (pinned " : " vs baseline ");
    if (mode == OUT_MD)
      esc_md_code(out, jx_str(b, "name"));
    else
      esc_term(out, jx_str(b, "name"));
    if (hist)
      strbuf_addch(out, ')');
  } else {
    strbuf_addstr(out, ", no baseline");
  }
  strbuf_addf(out, ", threshold %.4g%%\n\n", jx_num(cmp, "threshold_pct"));
}

static void verdict_line(json_t *cmp, struct strbuf *out) {
  json_t *cnt = json_object_get(cmp, "counts");
  strbuf_addf(out, "verdict: %s", jx_str(cmp, "verdict"));
  if (cnt) {
    long long br = (long long)json_integer_value(json_object_get(cnt, "slo_breach"));
    strbuf_addf(out, " (gated: %lld regression, %lld objective%s missed; all rows: %lld regression, %lld improvement, "
                     "%lld unchanged, %lld inconclusive, %lld not comparable)",
                (long long)json_integer_value(json_object_get(cnt, "gated_regression")), br, br == 1 ? "" : "s",
                (long long)json_integer_value(json_object_get(cnt, "regression")),
                (long long)json_integer_value(json_object_get(cnt, "improvement")),
                (long long)json_integer_value(json_object_get(cnt, "unchanged")),
                (long long)json_integer_value(json_object_get(cnt, "inconclusive")),
                (long long)json_integer_value(json_object_get(cnt, "not_comparable")));
  }
  strbuf_addch(out, '\n');
}

static void body(json_t *cmp, enum out mode, struct strbuf *out) {
  load_block(cmp, mode, out);
  json_t *fs = json_object_get(cmp, "findings");
  if (json_array_size(fs)) {
    if (findings_table(fs, mode, out))
      strbuf_addstr(out, mode == OUT_MD ? "\n\\* warns only (not gated).\n" : "(* warns only, not gated)\n");
    strbuf_addch(out, '\n');
  }
  sample_size_block(fs, mode, out);
  json_t *scs = json_object_get(cmp, "scenarios");
  for (size_t i = 0; i < json_array_size(scs); i++) {
    json_t *sc = json_array_get(scs, i);
    char line[256];
    snprintf(line, sizeof line, "Scenario %s (k6 scenario, compared with the baseline's of the same name):",
             jx_str(sc, "name"));
    emit(out, mode, line);
    strbuf_addstr(out, "\n\n");
    json_t *sf = json_object_get(sc, "findings");
    if (findings_table(sf, mode, out))
      strbuf_addstr(out, mode == OUT_MD ? "\n\\* warns only (not gated).\n" : "(* warns only, not gated)\n");
    strbuf_addch(out, '\n');
  }
  levels_block(cmp, mode, out);
  capacity_block(cmp, mode, out);
  objectives_block(cmp, mode, out);
  database_block(cmp, mode, out);
  warnings_block(cmp, mode, out);
  if (json_array_size(json_object_get(cmp, "warnings")))
    strbuf_addch(out, '\n');
}

static const char *headline(const char *verdict) {
  if (!strcmp(verdict, "regression"))
    return "regression";
  if (!strcmp(verdict, "slo_breach"))
    return "objectives missed (slo_breach)";
  if (!strcmp(verdict, "incomplete"))
    return "incomplete run";
  if (!strcmp(verdict, "not_comparable"))
    return "not comparable: the runs ran different loads";
  return "no regression";
}

void compare_render_md(json_t *cmp, struct strbuf *out) {
  strbuf_addf(out, "### loadrep: %s\n\n", headline(jx_str(cmp, "verdict")));
  header(cmp, OUT_MD, out);
  body(cmp, OUT_MD, out);
  verdict_line(cmp, out);
}

void compare_render_text(json_t *cmp, struct strbuf *out) {
  header(cmp, OUT_TEXT, out);
  body(cmp, OUT_TEXT, out);
  verdict_line(cmp, out);
}
