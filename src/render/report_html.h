/* report_html.h - the interactive charts of the report's HTML pages.
 *
 * Every line chart the report draws with gnuplot (render/chart.h) also
 * becomes a spec (report_html_spec): its series, rows and reference lines
 * as JSON. When the HTML page is written, report_html_add_charts() inlines
 * the charting library (dygraphs, from Debian's libjs-dygraphs), the specs
 * of the charts the page shows and templates/report_charts.js, which draws
 * each chart beside its static SVG (<img data-chart="STEM">) and hides the
 * SVG once drawn. The page stays one file: nothing is loaded from the
 * network or from beside it.
 *
 * The library's directory: --chart-lib DIR, else $LOADREP_DYGRAPHS, else
 * /usr/share/javascript/dygraphs (dygraph.min.js and dygraph.min.css).
 * Without it the pages keep their static SVG charts and say so.
 */
#ifndef LOADREP_REPORT_HTML_H
#define LOADREP_REPORT_HTML_H
#include <jansson.h>

#include "util/strbuf.h"

struct chart;
struct err;

#define REPORT_HTML_LIB_DEFAULT "/usr/share/javascript/dygraphs"

/** The library's directory: opt when not NULL, else $LOADREP_DYGRAPHS when
 *  set and not empty, else REPORT_HTML_LIB_DEFAULT. */
const char *report_html_lib_dir(const char *opt);

/** 1 when dir holds dygraph.min.js (and so the pages can be interactive). */
int report_html_lib_ok(const char *dir);

/** The spec of a CHART_LINES chart (new reference); NULL for bars. */
json_t *report_html_spec(const struct chart *c);

/** Appends `text` to out as JSON that is safe inside <script>: `<`, `>`,
 *  `&`, U+2028 and U+2029 as \u escapes (they only occur in strings). */
void report_html_json(struct strbuf *out, const char *text);

/** Appends `code` to out so that it cannot end the <script> element it is
 *  written in: "</script" and "<!--" are broken with a backslash (the same
 *  JavaScript inside strings, regular expressions and comments). */
void report_html_script_text(struct strbuf *out, const char *code);

/** Inserts, before </body> of the page in html, the library, the specs of
 *  the charts the page shows (specs: {STEM: spec}) and the drawing code.
 *  Returns 1 when the page got interactive charts, 0 when it has none to
 *  draw or the library is missing (the page is left as it was), -1 with
 *  err filled on a read error. */
int report_html_add_charts(struct strbuf *html, json_t *specs, const char *lib_dir, struct err *err);

#endif
