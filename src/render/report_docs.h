/* report_docs.h - the report's documents: LOAD_TEST_RESULTS and
 * CAPACITY_PLANNING rendered from their templates over the report model
 * (analysis/report_model.h) to Markdown, their HTML twins and report.pdf. */
#ifndef LOADREP_REPORT_DOCS_H
#define LOADREP_REPORT_DOCS_H
#include <jansson.h>

struct err;

struct report_docs {
  const char *out_dir;
  const char *template_dir; /* NULL: the embedded templates */
  int html, pdf;            /* the Markdown is always written */
  const char *chart_lib;    /* the dygraphs directory the HTML inlines (render/report_html.h), or NULL */
  json_t *specs;            /* {STEM: spec} of the interactive charts, or NULL */
};

/** Adds the display text the templates print beside the raw numbers:
 *  baseline_text, candidate_text, change_text, ci_text, is_regression and
 *  is_improvement to every compare finding, and the *_text members of every
 *  target row (render/template.h formats). */
void report_docs_decorate(json_t *model);

/** Writes OUT_DIR/{LOAD_TEST_RESULTS,CAPACITY_PLANNING}.md (and .html) and
 *  report.pdf. */
int report_docs_write(const struct report_docs *o, json_t *model, struct err *err);

#endif
