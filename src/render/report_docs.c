/* report_docs.c - the report's documents (report_docs.h). */
#include <math.h>
#include <string.h>

#include <stdlib.h>
#include <time.h>

#include "render/markdown.h"
#include "render/outfile.h"
#include "render/pdf.h"
#include "render/report_docs.h"
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

void report_docs_decorate(json_t *model) {
  json_t *e, *f;
  size_t i, k;
  json_array_foreach(json_object_get(model, "runs"), i, e) {
    json_t *cmp = json_object_get(json_object_get(e, "baseline"), "compare");
    json_array_foreach(json_object_get(cmp, "findings"), k, f) decorate_finding(f);
  }
  json_array_foreach(json_object_get(model, "targets"), k, f) decorate_target(f);
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
  const char *mds[2] = {md[0].buf, md[1].buf};
  int rc = pdf_write(&po, mds, 2, path.buf, err);
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
