/* show_text.c - `loadrep show` as text and as Markdown, from the document
 * show_build() returns (analysis/show.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "render/db_text.h"
#include "render/escape.h"
#include "render/show_text.h"
#include "render/sysstats_text.h"
#include "util/jsonx.h"
#include "util/utf8.h"
#include "util/strbuf.h"

/* "12.34ms", "1.23s", "-" */
static void fmt_ms(char *buf, size_t n, double ms) {
  if (isnan(ms))
    snprintf(buf, n, "n/a");
  else if (ms >= 1000)
    snprintf(buf, n, "%.2fs", ms / 1000);
  else if (ms >= 100)
    snprintf(buf, n, "%.1fms", ms);
  else
    snprintf(buf, n, "%.2fms", ms);
}

/* A plain figure, never with an exponent: "42013", "7.01", "0.5006", "n/a". */
static void fmt_plain(char *buf, size_t n, double v) {
  double a = fabs(v);
  if (isnan(v))
    snprintf(buf, n, "n/a");
  else if (v == floor(v) && a < 1e15)
    snprintf(buf, n, "%.0f", v);
  else if (a >= 100)
    snprintf(buf, n, "%.1f", v);
  else if (a >= 1)
    snprintf(buf, n, "%.2f", v);
  else
    snprintf(buf, n, "%.4f", v);
}

/* `s` in `width` bytes, padded; a longer text keeps its start (two thirds)
 * and its end with "…" between, so names that differ at the end stay apart. */
static void put_mid(FILE *f, const char *s, int width) {
  struct strbuf sb = STRBUF_INIT;
  esc_term(&sb, s);
  if (width > 4 && sb.len > (size_t)width) {
    size_t keep = (size_t)width - 1, head = utf8_char_start(sb.buf, keep * 2 / 3);
    size_t tail = utf8_char_start(sb.buf, sb.len - (keep - head));
    if (tail < head)
      tail = head;
    while (tail < sb.len && ((unsigned char)sb.buf[tail] & 0xC0) == 0x80)
      tail++;
    fprintf(f, "%.*s…%s", (int)head, sb.buf, sb.buf + tail);
    for (size_t i = head + 1 + (sb.len - tail); i < (size_t)width; i++)
      fputc(' ', f);
  } else {
    fputs(sb.buf, f);
    for (int i = (int)sb.len; i < width; i++)
      fputc(' ', f);
  }
  strbuf_release(&sb);
}

/* Width of the endpoint column: the longest label, 40 to 72. */
static int label_width(json_t *eps) {
  size_t w = 40, i;
  json_t *e;
  json_array_foreach(eps, i, e) {
    const char *l = json_string_value(json_object_get(e, "endpoint"));
    if (l && strlen(l) > w)
      w = strlen(l);
  }
  return w > 72 ? 72 : (int)w;
}

static void print_endpoints(FILE *f, json_t *eps, const char *bold, const char *reset) {
  int w = label_width(eps);
  fprintf(f, "%s%-*s %9s %8s %7s %9s %9s %9s %9s %9s %9s%s\n", bold, w, "endpoint", "requests", "rps", "err%", "avg",
          "med", "p90", "p95", "p99", "max", reset);
  size_t i;
  json_t *e;
  json_array_foreach(eps, i, e) {
    json_t *t = json_object_get(e, "http_req_duration");
    put_mid(f, jx_str(e, "endpoint"), w);
    char v[6][32];
    const char *keys[] = {"avg", "med", "p(90)", "p(95)", "p(99)", "max"};
    for (int k = 0; k < 6; k++)
      fmt_ms(v[k], sizeof v[k], jx_num(t, keys[k]));
    fprintf(f, " %9.0f %8.2f %6.2f%% %9s %9s %9s %9s %9s %9s\n", jx_num(e, "requests"), jx_num(e, "rps"),
            100 * jx_num(e, "error_rate"), v[0], v[1], v[2], v[3], v[4], v[5]);
  }
}

static void put_term(FILE *f, const char *s, int width) {
  struct strbuf sb = STRBUF_INIT;
  esc_term(&sb, s);
  if (width > 0 && sb.len > (size_t)width) {
    fprintf(f, "%.*s…", width - 1, sb.buf);
  } else {
    fputs(sb.buf, f);
    for (int i = (int)sb.len; i < width; i++)
      fputc(' ', f);
  }
  strbuf_release(&sb);
}

/* Terminal attributes: empty strings without colour. */
struct style {
  const char *bold, *reset, *red, *green;
};

/* The run, its window and status, the request and latency summary. */
static void print_head(FILE *f, json_t *run, json_t *sum, const struct style *st) {
  const char *bold = st->bold, *reset = st->reset, *red = st->red;
  fprintf(f, "%srun%s     ", bold, reset);
  put_term(f, jx_str(run, "name"), 0);
  fprintf(f, " (id %lld)\nscenario ", (long long)json_integer_value(json_object_get(run, "id")));
  put_term(f, jx_str(run, "scenario"), 0);
  if (*jx_str(run, "env")) {
    fputs("  env ", f);
    put_term(f, jx_str(run, "env"), 0);
  }
  if (json_is_string(json_object_get(run, "start")))
    fprintf(f, "\nwindow   %s → %s  (%.1f s, duration from %s)\n", jx_str(run, "start"), jx_str(run, "end"),
            jx_num(run, "duration_s"), jx_str(run, "duration_source"));
  else
    fprintf(f, "\nwindow   unknown: ingested from a summary, without samples (%.1f s, duration from %s)\n",
            jx_num(run, "duration_s"), jx_str(run, "duration_source"));
  if (json_is_false(json_object_get(run, "complete"))) {
    fprintf(f, "%sstatus   INCOMPLETE%s: ", red, reset);
    put_term(f, jx_str(run, "incomplete_reason"), 0);
    fputc('\n', f);
  }
  char a[32], b[32], c[32], d[32];
  fmt_ms(a, sizeof a, jx_num(sum, "p50"));
  fmt_ms(b, sizeof b, jx_num(sum, "p95"));
  fmt_ms(c, sizeof c, jx_num(sum, "p99"));
  fmt_ms(d, sizeof d, jx_num(sum, "avg"));
  fprintf(f, "\n%srequests%s %.0f  (%.2f/s)   failed %.2f%%   max VUs %.0f\n", bold, reset, jx_num(sum, "requests"),
          jx_num(sum, "rps"), 100 * jx_num(sum, "error_rate"), jx_num(sum, "vus_max"));
  fprintf(f, "latency  avg %s  p50 %s  p95 %s  p99 %s", d, a, b, c);
  /* With failed requests, the successful ones' p95 beside, named so. */
  if (jx_num(sum, "failed") > 0) {
    fmt_ms(a, sizeof a, jx_num(sum, "ok_p95"));
    fprintf(f, "   p95 (successful) %s", a);
  }
  fputc('\n', f);
}

/* Each scenario with its endpoints, when the run had several. */
static void print_scenarios(FILE *f, json_t *scen, const char *bold, const char *reset) {
  if (json_array_size(scen) > 1) {
    size_t i;
    json_t *sc;
    json_array_foreach(scen, i, sc) {
      fprintf(f, "\n%sscenario%s ", bold, reset);
      put_term(f, *jx_str(sc, "name") ? jx_str(sc, "name") : "(none: requests without a scenario tag)", 0);
      if (*jx_str(sc, "executor")) {
        fputs(" (", f);
        put_term(f, jx_str(sc, "executor"), 0);
        fputc(')', f);
      }
      fprintf(f, "  requests %.0f  failed %.2f%%\n", jx_num(sc, "requests"), 100 * jx_num(sc, "error_rate"));
      if (json_array_size(json_object_get(sc, "endpoints")))
        print_endpoints(f, json_object_get(sc, "endpoints"), "", "");
    }
  }
}

/* One trend metric's statistics after its name. */
static void print_trend(FILE *f, json_t *m, int summary_only) {
  int time = !strcmp(jx_str(m, "contains"), "time");
  if (jx_num(m, "count") == 0) {
    fputs("n/a (no samples) count=0\n", f);
    return;
  }
  /* The statistics k6 computed (summaryTrendStats decides which): the
   * usual five, then any other percentile; a missing one is left out. */
  const char *keys[] = {"avg", "med", "p(90)", "p(95)", "p(99)"};
  int first = 1;
  for (int k = 0; k < 5; k++) {
    double x = jx_num(m, keys[k]);
    if (isnan(x) && summary_only)
      continue; /* not among the run's summaryTrendStats */
    char v[32];
    if (time)
      fmt_ms(v, sizeof v, x);
    else
      fmt_plain(v, sizeof v, x);
    fprintf(f, "%s%s=%s", first ? "" : " ", keys[k], v);
    first = 0;
  }
  const char *xk;
  json_t *xv;
  json_object_foreach(m, xk, xv) {
    if (strncmp(xk, "p(", 2) || !strcmp(xk, "p(90)") || !strcmp(xk, "p(95)") || !strcmp(xk, "p(99)") ||
        !json_is_number(xv))
      continue;
    char v[32];
    if (time)
      fmt_ms(v, sizeof v, json_number_value(xv));
    else
      fmt_plain(v, sizeof v, json_number_value(xv));
    fprintf(f, "%s%s=%s", first ? "" : " ", xk, v);
    first = 0;
  }
  if (!isnan(jx_num(m, "count")))
    fprintf(f, " count=%.0f", jx_num(m, "count"));
  fputc('\n', f);
}

/* The metrics, one line each, k6's figures as k6 names them. */
static void print_metrics(FILE *f, json_t *metrics, int summary_only, const char *bold, const char *reset) {
  if (!json_object_size(metrics))
    return;
  fprintf(f, "\n%smetrics%s\n", bold, reset);
  const char *name;
  json_t *m;
  json_object_foreach(metrics, name, m) {
    const char *type = jx_str(m, "type");
    fputs("  ", f);
    put_mid(f, name, 52);
    fputc(' ', f);
    if (!strcmp(type, "trend")) {
      print_trend(f, m, summary_only);
    } else if (!strcmp(type, "counter")) {
      char r[32];
      fmt_plain(r, sizeof r, jx_num(m, "rate"));
      fprintf(f, "%.0f  %s/s\n", jx_num(m, "count"), r);
    } else if (!strcmp(type, "rate")) {
      fprintf(f, "%.2f%%  %.0f of %.0f\n", 100 * jx_num(m, "value"), jx_num(m, "passes"),
              jx_num(m, "passes") + jx_num(m, "fails"));
    } else {
      char v[3][32];
      fmt_plain(v[0], sizeof v[0], jx_num(m, "value"));
      fmt_plain(v[1], sizeof v[1], jx_num(m, "min"));
      fmt_plain(v[2], sizeof v[2], jx_num(m, "max"));
      fprintf(f, "%s  min=%s max=%s\n", v[0], v[1], v[2]);
    }
  }
}

/* The heading of a list in bold, when the list has items (then 1). */
static int heading(FILE *f, json_t *list, const char *name, const char *bold, const char *reset) {
  if (!json_array_size(list))
    return 0;
  fprintf(f, "\n%s%s%s\n", bold, name, reset);
  return 1;
}

/* k6's thresholds and checks, each marked passed or failed. */
static void print_verdicts(FILE *f, json_t *doc, const struct style *st) {
  const char *reset = st->reset, *red = st->red, *green = st->green;
  json_t *th = json_object_get(doc, "thresholds"), *checks = json_object_get(doc, "checks"), *t, *ck;
  size_t i;
  if (heading(f, th, "thresholds", st->bold, reset)) {
    json_array_foreach(th, i, t) {
      json_t *ok = json_object_get(t, "ok");
      fprintf(f, "  %s%s%s ", json_is_true(ok) ? green : red,
              json_is_null(ok) ? "?" : json_is_true(ok) ? "✓" : "✗", reset);
      put_term(f, jx_str(t, "metric"), 0);
      fputs(": ", f);
      put_term(f, jx_str(t, "expression"), 0);
      const char *runner;
      json_t *rok, *by = json_object_get(t, "instances");
      int first = 1;
      json_object_foreach(by, runner, rok) { /* each runner's own verdict beside the merged one */
        fputs(first ? "  (runners: " : ", ", f);
        put_term(f, runner, 0);
        fputs(json_is_null(rok) ? " ?" : json_is_true(rok) ? " ✓" : " ✗", f);
        first = 0;
      }
      fputs(first ? "\n" : ")\n", f);
    }
  }
  if (heading(f, checks, "checks", st->bold, reset)) {
    json_array_foreach(checks, i, ck) {
      double p = jx_num(ck, "passes"), fl = jx_num(ck, "fails");
      fprintf(f, "  %s%s%s %6.2f%%  ", fl == 0 ? green : red, fl == 0 ? "✓" : "✗", reset,
              p + fl > 0 ? 100 * p / (p + fl) : 0);
      put_term(f, jx_str(ck, "name"), 0);
      fprintf(f, "  (%.0f/%.0f", p, p + fl);
      if (*jx_str(ck, "group")) {
        fputs(", group ", f);
        put_term(f, jx_str(ck, "group"), 0);
      }
      fputs(")\n", f);
    }
  }
}

/* The runners of a run merged from several, and where they disagree. */
static void print_instances(FILE *f, json_t *doc, const char *bold, const char *reset) {
  json_t *in = json_object_get(doc, "instances"), *merge = json_object_get(doc, "merge"), *x;
  size_t i;
  if (json_array_size(in) < 2)
    return;
  fprintf(f, "\n%sinstances%s  (%zu runners merged; percentiles %s)\n", bold, reset, json_array_size(in),
          jx_str(merge, "percentiles"));
  fprintf(f, "  %-24s %9s %9s %10s %7s %7s  %s\n", "runner", "requests", "req/s", "p95 ms", "fail%", "VUs", "start");
  json_array_foreach(in, i, x) {
    fputs("  ", f);
    put_term(f, jx_str(x, "name"), 24);
    fprintf(f, " %9.0f %9.1f %10.2f %6.2f%% %7.0f  %s\n", jx_num(x, "requests"), jx_num(x, "rps"),
            jx_num(x, "p95_ms"), 100 * jx_num(x, "error_rate"), jx_num(x, "vus_max"), jx_str(x, "start"));
  }
  json_array_foreach(json_object_get(merge, "warnings"), i, x) {
    fputs("  warning: ", f);
    put_term(f, json_string_value(x), 0);
    fputc('\n', f);
  }
}

/* The failed requests by endpoint, status and error code. */
static void print_errors(FILE *f, json_t *errors, const char *bold, const char *reset) {
  size_t i;
  json_t *e;
  if (heading(f, errors, "errors", bold, reset)) {
    json_array_foreach(errors, i, e) {
      fprintf(f, "  %8.0f  ", jx_num(e, "count"));
      put_mid(f, jx_str(e, "endpoint"), 40);
      fputs("  status ", f);
      put_term(f, jx_str(e, "status"), 0);
      if (*jx_str(e, "error_code")) {
        fputs("  code ", f);
        put_term(f, jx_str(e, "error_code"), 0);
      }
      if (*jx_str(e, "error")) {
        fputs("  ", f);
        put_term(f, jx_str(e, "error"), 60);
      }
      fputc('\n', f);
    }
  }
}

void show_print_text(json_t *doc, FILE *f, int color) {
  json_t *run = json_object_get(doc, "run");
  struct style st = {color ? "\033[1m" : "", color ? "\033[0m" : "", color ? "\033[31m" : "",
                     color ? "\033[32m" : ""};
  const char *bold = st.bold, *reset = st.reset;
  print_head(f, run, json_object_get(doc, "summary"), &st);
  json_t *eps = json_object_get(doc, "endpoints");
  if (json_array_size(eps)) {
    fputc('\n', f);
    print_endpoints(f, eps, bold, reset);
  }
  print_scenarios(f, json_object_get(doc, "scenarios"), bold, reset);
  print_metrics(f, json_object_get(doc, "metrics"), !json_is_true(json_object_get(run, "has_samples")), bold, reset);
  print_instances(f, doc, bold, reset);
  print_verdicts(f, doc, &st);
  print_errors(f, json_object_get(doc, "errors"), bold, reset);
  json_t *sys = json_object_get(doc, "system");
  if (heading(f, sys, "system", bold, reset))
    sysstats_print_text(sys, f);
  db_evidence_print_text(json_object_get(doc, "database"), f);
}

static void md_endpoints(struct strbuf *out, json_t *eps) {
  if (json_array_size(eps)) {
    strbuf_addstr(out, "\n| endpoint | requests | req/s | errors | avg | med | p90 | p95 | p99 | max |\n"
                       "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    size_t i;
    json_t *e;
    json_array_foreach(eps, i, e) {
      json_t *t = json_object_get(e, "http_req_duration");
      strbuf_addstr(out, "| ");
      esc_md(out, jx_str(e, "endpoint"));
      strbuf_addf(out, " | %.0f | %.2f | %.2f%%", jx_num(e, "requests"), jx_num(e, "rps"), 100 * jx_num(e, "error_rate"));
      const char *keys[] = {"avg", "med", "p(90)", "p(95)", "p(99)", "max"};
      for (int k = 0; k < 6; k++) {
        char v[32];
        fmt_ms(v, sizeof v, jx_num(t, keys[k]));
        strbuf_addf(out, " | %s", v);
      }
      strbuf_addstr(out, " |\n");
    }
  }
}

void show_render_md(json_t *doc, struct strbuf *out) {
  json_t *run = json_object_get(doc, "run"), *sum = json_object_get(doc, "summary");
  strbuf_addstr(out, "## Run ");
  esc_md(out, jx_str(run, "name"));
  strbuf_addstr(out, "\n\n| scenario | start | duration | requests | req/s | failed | p50 | p95 | p99 | max VUs |\n"
                     "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n| ");
  esc_md(out, jx_str(run, "scenario"));
  char a[32], b[32], c[32];
  fmt_ms(a, sizeof a, jx_num(sum, "p50"));
  fmt_ms(b, sizeof b, jx_num(sum, "p95"));
  fmt_ms(c, sizeof c, jx_num(sum, "p99"));
  strbuf_addf(out, " | %s | %.1f s | %.0f | %.2f | %.2f%% | %s | %s | %s | %.0f |\n", jx_str(run, "start"),
              jx_num(run, "duration_s"), jx_num(sum, "requests"), jx_num(sum, "rps"), 100 * jx_num(sum, "error_rate"), a, b,
              c, jx_num(sum, "vus_max"));
  if (json_is_false(json_object_get(run, "complete"))) {
    strbuf_addstr(out, "\n**Incomplete run:** ");
    esc_md(out, jx_str(run, "incomplete_reason"));
    strbuf_addstr(out, "\n");
  }
  md_endpoints(out, json_object_get(doc, "endpoints"));
  json_t *scen = json_object_get(doc, "scenarios");
  if (json_array_size(scen) > 1) {
    size_t i;
    json_t *sc;
    json_array_foreach(scen, i, sc) {
      strbuf_addstr(out, "\n### Scenario ");
      esc_md(out, jx_str(sc, "name"));
      if (*jx_str(sc, "executor")) {
        strbuf_addstr(out, " (");
        esc_md(out, jx_str(sc, "executor"));
        strbuf_addstr(out, ")");
      }
      strbuf_addf(out, "\n\n%.0f requests, %.2f%% failed\n", jx_num(sc, "requests"), 100 * jx_num(sc, "error_rate"));
      md_endpoints(out, json_object_get(sc, "endpoints"));
    }
  }
  db_evidence_render_md(json_object_get(doc, "database"), out);
}
