/* Unit tests of the compare renderers: hostile endpoint names stay inert in
 * Markdown, terminal text and JUnit XML. */
#include <jansson.h>
#include <string.h>

#include "analysis/compare.h"
#include "render/compare_render.h"
#include "harness.h"
#include "render/junit.h"
#include "util/strbuf.h"

static const char *evil = "GET /a|b`c*_<x>[y](z)\n| x | & \"q\" \x1b[31m";

static json_t *doc(void) {
  json_t *d = json_pack("{s:{s:i,s:s},s:{s:i,s:s},s:f,s:s,s:s,s:[],s:[{s:s,s:s}],s:{s:i,s:i,s:i,s:i}}",
                        "baseline", "id", 1, "name", "base<1>", "candidate", "id", 2, "name", "cand|&", "threshold_pct",
                        20.0, "verdict", "regression", "baseline_kind", "pinned", "warnings", "k6_thresholds_failed",
                        "metric", "http_req_duration{name:a|b}", "expression", "p(95)<2000", "counts", "regression", 1,
                        "improvement", 0, "unchanged", 1, "inconclusive", 0);
  json_t *fs = json_array();
  json_array_append_new(fs, json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:i,s:i,s:s,s:b,s:s,s:s}", "endpoint", evil,
                                      "metric", "p95", "baseline", 10.0, "candidate", 15.0, "change_pct", 50.0,
                                      "ci_low_pct", 30.0, "ci_high_pct", 70.0, "n_baseline", 500, "n_candidate", 510,
                                      "verdict", "regression", "gated", 1, "unit", "ms", "reason", "p95 <up> & \"more\""));
  json_array_append_new(fs, json_pack("{s:s,s:s,s:f,s:f,s:f,s:n,s:n,s:i,s:i,s:s,s:b,s:s,s:s}", "endpoint", "ALL",
                                      "metric", "error_rate", "baseline", 0.0, "candidate", 0.001, "change_pct", 0.1,
                                      "ci_low_pct", "ci_high_pct", "n_baseline", 1000, "n_candidate", 1000, "verdict",
                                      "unchanged", "gated", 1, "unit", "fraction", "reason", "fine"));
  json_object_set_new(d, "findings", fs);
  json_array_append_new(json_object_get(d, "warnings"), json_string("scenarios <differ>\n| yes"));
  return d;
}

static void test_markdown(void) {
  json_t *d = doc();
  struct strbuf sb = STRBUF_INIT;
  compare_render_md(d, &sb);
  /* Every table row has exactly 9 unescaped pipes (8 cells). */
  const char *p = strstr(sb.buf, "| Endpoint");
  OK(p != NULL, "table header");
  int rows = 0;
  while (p && *p == '|') {
    const char *nl = strchr(p, '\n');
    int pipes = 0;
    for (const char *q = p; q < nl; q++)
      if (*q == '|' && (q == p || q[-1] != '\\'))
        pipes++;
    INT_EQ(pipes, 9, "pipes in row %d", rows);
    rows++;
    p = nl + 1;
  }
  INT_EQ(rows, 4, "header, rule, two findings");
  OK(!strstr(sb.buf, "<x>") && !strstr(sb.buf, "\x1b"), "no raw HTML or ESC in Markdown");
  OK(strstr(sb.buf, "**regression**") != NULL, "regression in bold");
  OK(strstr(sb.buf, "\\<differ\\>") != NULL, "warning escaped");
  strbuf_release(&sb);
  compare_render_text(d, &sb);
  OK(!strchr(sb.buf, '\x1b'), "no ESC on the terminal");
  OK(strstr(sb.buf, "verdict: regression") != NULL, "text verdict line");
  strbuf_release(&sb);
  json_decref(d);
}

static void test_junit(void) {
  json_t *d = doc();
  struct strbuf sb = STRBUF_INIT;
  junit_render(d, "2026-01-02T03:04:05", "host<&>", &sb);
  OK(strstr(sb.buf, "tests=\"2\" failures=\"1\"") != NULL, "counts");
  OK(strstr(sb.buf, "<failure message=\"") != NULL, "a failure");
  OK(!strstr(sb.buf, "<x>") && !strstr(sb.buf, "<up>") && !strstr(sb.buf, "host<"), "everything escaped");
  OK(strstr(sb.buf, "&lt;up&gt; &amp; &quot;more&quot;") != NULL || strstr(sb.buf, "&lt;up&gt; &amp; \"more\"") != NULL,
     "reason escaped");
  OK(!strchr(sb.buf, '\x1b'), "no control characters in XML");
  OK(strstr(sb.buf, "timestamp=\"2026-01-02T03:04:05\"") != NULL, "timestamp");
  strbuf_release(&sb);
  json_decref(d);
}

int main(void) {
  test_markdown();
  test_junit();
  return test_report();
}
