/* db_text.c - show's "database" section as text and Markdown. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/db_text.h"
#include "render/escape.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/utf8.h"

/* Where to cut s (len bytes) to at most max bytes on a character
 * boundary: len when it fits. */
static size_t cut_at(const char *s, size_t len, size_t max) {
  return len <= max ? len : utf8_char_start(s, max);
}

/* Text: control characters never pass (esc_term); long SQL is cut. */
static void term_sql(struct strbuf *out, const char *q, size_t max) {
  struct strbuf sb = STRBUF_INIT;
  esc_term(&sb, q);
  size_t n = cut_at(sb.buf, sb.len, max);
  strbuf_add(out, sb.buf, n);
  if (n < sb.len)
    strbuf_addstr(out, "...");
  strbuf_release(&sb);
}

static void put_sql(FILE *f, const char *q, size_t max) {
  struct strbuf sb = STRBUF_INIT;
  term_sql(&sb, q, max);
  fputs(sb.buf, f);
  strbuf_release(&sb);
}

static void md_sql(struct strbuf *out, const char *q, size_t max);

/* The top five statements by time, as a text or Markdown table. */
static void statements_part(json_t *stmts, int md, struct strbuf *out) {
  size_t i;
  json_t *s;
  if (!json_array_size(stmts))
    return;
  if (md)
    strbuf_addstr(out, "| calls | total ms | mean ms | max ms | share | statement |\n|---:|---:|---:|---:|---:|---|\n");
  else
    strbuf_addf(out, "  %8s %12s %9s %9s %6s  %s\n", "calls", "total ms", "mean ms", "max ms", "share", "statement");
  json_array_foreach(stmts, i, s) {
    if (i >= 5)
      break;
    double sh = 100 * jx_num(s, "share_of_db_time");
    char share[16];
    if (!isfinite(sh))
      snprintf(share, sizeof share, "-");
    else
      snprintf(share, sizeof share, md ? "%.1f %%" : "%.0f%%", sh);
    if (md) {
      strbuf_addf(out, "| %.0f | %.1f | %.2f | %.1f | %s | ", jx_num(s, "calls"), jx_num(s, "total_ms"),
                  jx_num(s, "mean_ms"), jx_num(s, "max_ms"), share);
      md_sql(out, jx_str(s, "query"), 120);
      strbuf_addstr(out, " |\n");
    } else {
      strbuf_addf(out, "  %8.0f %12.1f %9.2f %9.1f %6s  ", jx_num(s, "calls"), jx_num(s, "total_ms"),
                  jx_num(s, "mean_ms"), jx_num(s, "max_ms"), share);
      term_sql(out, jx_str(s, "query"), 90);
      strbuf_addch(out, '\n');
    }
  }
}

/* The slow statements, as text or Markdown: how many were over the line
 * (when it is known) and the first five. */
static void slow_part(json_t *slow, int md, struct strbuf *out) {
  double n = jx_num(slow, "count"), ms = jx_num(slow, "threshold_ms");
  const char *basis = strcmp(jx_str(slow, "basis"), "log") ? ", by max_exec_time"
                      : md                                   ? " in the server log"
                                                             : " in the log";
  if (isfinite(n))
    strbuf_addf(out, md ? "\nSlow statements (over %g ms%s): %.0f\n" : "  slow statements (> %g ms%s): %.0f\n", ms,
                basis, n);
  else
    strbuf_addf(out, md ? "\nSlow statements (over %g ms): unknown (no server log)\n"
                        : "  slow statements (> %g ms): unknown (no server log)\n",
                ms);
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(slow, "by_statement"), i, s) {
    if (i >= 5)
      break;
    if (md) {
      strbuf_addf(out, "- %.0f x, max %.1f ms: ", jx_num(s, "count"), jx_num(s, "max_ms"));
      md_sql(out, jx_str(s, "query"), 120);
    } else {
      strbuf_addf(out, "    %6.0f x  max %8.1f ms  ", jx_num(s, "count"), jx_num(s, "max_ms"));
      term_sql(out, jx_str(s, "query"), 90);
    }
    strbuf_addch(out, '\n');
  }
}

/* "yes", "no" or "undecided": whether the query p95 is below the line. */
static const char *p95_word(json_t *p) {
  if (!json_is_true(json_object_get(p, "decided")))
    return "undecided";
  return json_is_true(json_object_get(p, "below")) ? "yes" : "no";
}

static void fmt_ratio(char *b, size_t n, json_t *v) {
  if (json_is_number(v))
    snprintf(b, n, "%.1f %%", 100 * json_number_value(v));
  else
    snprintf(b, n, "n/a");
}

void db_evidence_print_text(json_t *db, FILE *f) {
  if (!json_is_object(db))
    return;
  fputs("\ndatabase", f);
  if (*jx_str(db, "datname")) {
    fputs(" ", f);
    put_sql(f, jx_str(db, "datname"), 60);
  }
  if (*jx_str(db, "source"))
    fprintf(f, " (statements from %s)", jx_str(db, "source"));
  fputc('\n', f);
  struct strbuf sb = STRBUF_INIT;
  statements_part(json_object_get(db, "statements"), 0, &sb);
  slow_part(json_object_get(db, "slow"), 0, &sb);
  fputs(sb.buf, f);
  strbuf_release(&sb);
  json_t *p = json_object_get(db, "query_p95_below_ms");
  fprintf(f, "  query p95 < %g ms: %s (", jx_num(p, "threshold_ms"), p95_word(p));
  put_sql(f, jx_str(p, "reason"), 400);
  fputs(")\n", f);
  size_t i;
  json_t *s, *caches = json_object_get(db, "caches");
  json_array_foreach(caches, i, s) {
    char r[32];
    fmt_ratio(r, sizeof r, json_object_get(s, "hit_ratio"));
    fputs("  cache ", f);
    put_sql(f, jx_str(s, "name"), 60);
    fprintf(f, ": hit ratio %s", r);
    if (isfinite(jx_num(s, "hits")))
      fprintf(f, " (%.0f hits, %.0f misses)", jx_num(s, "hits"), jx_num(s, "misses"));
    fputc('\n', f);
  }
  json_t *pool = json_object_get(db, "pool");
  if (json_is_object(pool)) {
    fprintf(f, "  connection pool: %s: ", jx_str(pool, "verdict"));
    put_sql(f, jx_str(pool, "reason"), 400);
    fputc('\n', f);
  }
}

static void md_sql(struct strbuf *out, const char *q, size_t max) {
  struct strbuf cut = STRBUF_INIT;
  size_t len = strlen(q), n = cut_at(q, len, max);
  strbuf_add(&cut, q, n);
  if (n < len)
    strbuf_addstr(&cut, "...");
  esc_md_code(out, cut.buf);
  strbuf_release(&cut);
}

void db_evidence_render_md(json_t *db, struct strbuf *out) {
  if (!json_is_object(db))
    return;
  strbuf_addstr(out, "\n### Database\n\n");
  statements_part(json_object_get(db, "statements"), 1, out);
  slow_part(json_object_get(db, "slow"), 1, out);
  json_t *p = json_object_get(db, "query_p95_below_ms");
  strbuf_addf(out, "\nQuery p95 < %g ms: **%s**. ", jx_num(p, "threshold_ms"), p95_word(p));
  esc_md(out, jx_str(p, "reason"));
  strbuf_addstr(out, "\n");
  size_t i;
  json_t *s, *caches = json_object_get(db, "caches");
  if (json_array_size(caches)) {
    strbuf_addstr(out, "\n| cache | hits | misses | hit ratio |\n|---|---:|---:|---:|\n");
    json_array_foreach(caches, i, s) {
      char r[32];
      fmt_ratio(r, sizeof r, json_object_get(s, "hit_ratio"));
      strbuf_addstr(out, "| ");
      esc_md(out, jx_str(s, "name"));
      if (isfinite(jx_num(s, "hits")))
        strbuf_addf(out, " | %.0f | %.0f | %s |\n", jx_num(s, "hits"), jx_num(s, "misses"), r);
      else
        strbuf_addf(out, " | - | - | %s |\n", r);
    }
  }
  json_t *pool = json_object_get(db, "pool");
  if (json_is_object(pool)) {
    strbuf_addstr(out, "\nConnection pool: **");
    esc_md(out, jx_str(pool, "verdict"));
    strbuf_addstr(out, "**: ");
    esc_md(out, jx_str(pool, "reason"));
    strbuf_addstr(out, "\n");
  }
}
