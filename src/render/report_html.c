/* report_html.c - the interactive charts of the report's HTML pages
 * (report_html.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "render/chart.h"
#include "render/outfile.h"
#include "render/report_html.h"
#include "util/embedded.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

const char *report_html_lib_dir(const char *opt) {
  if (opt)
    return opt;
  const char *env = getenv("LOADREP_DYGRAPHS");
  return env && *env ? env : REPORT_HTML_LIB_DEFAULT;
}

static void lib_path(struct strbuf *p, const char *dir, const char *file) {
  strbuf_reset(p);
  strbuf_addf(p, "%s/%s", dir, file);
}

int report_html_lib_ok(const char *dir) {
  struct strbuf p = STRBUF_INIT;
  lib_path(&p, dir, "dygraph.min.js");
  int ok = access(p.buf, R_OK) == 0;
  strbuf_release(&p);
  return ok;
}

static json_t *num(double v) {
  return jx_real_or_null(v);
}

static json_t *marks(const struct chart_mark *m, size_t n, double at, const char *title, int y2flag) {
  json_t *a = json_array();
  if (isfinite(at)) {
    json_t *o = json_pack("{s:o,s:s,s:b}", "at", num(at), "t", title ? title : "", "y2", 0);
    json_array_append_new(a, o);
  }
  for (size_t i = 0; i < n; i++)
    if (isfinite(m[i].at))
      json_array_append_new(a, json_pack("{s:o,s:s,s:b}", "at", num(m[i].at), "t", m[i].title ? m[i].title : "",
                                         "y2", y2flag && m[i].y2));
  return a;
}

json_t *report_html_spec(const struct chart *c) {
  if (c->kind != CHART_LINES || c->nrows == 0)
    return NULL;
  json_t *labels = json_array(), *y2 = json_array(), *style = json_array(), *rows = json_array();
  json_array_append_new(labels, json_string(c->xlabel ? c->xlabel : "x"));
  for (size_t s = 0; s < c->nseries; s++) {
    json_array_append_new(labels, json_string(c->series[s].title ? c->series[s].title : ""));
    json_array_append_new(y2, json_boolean(c->series[s].y2));
    json_array_append_new(style, json_integer(c->series[s].style));
  }
  for (size_t r = 0; r < c->nrows; r++) {
    json_t *row = json_array();
    json_array_append_new(row, num(c->x[r]));
    for (size_t s = 0; s < c->nseries; s++)
      json_array_append_new(row, num(c->y[r * c->nseries + s]));
    json_array_append_new(rows, row);
  }
  json_t *o = json_object();
  json_object_set_new(o, "title", json_string(c->title ? c->title : ""));
  json_object_set_new(o, "xlabel", json_string(c->xlabel ? c->xlabel : ""));
  json_object_set_new(o, "ylabel", json_string(c->ylabel ? c->ylabel : ""));
  json_object_set_new(o, "y2label", json_string(c->y2label ? c->y2label : ""));
  json_object_set_new(o, "labels", labels);
  json_object_set_new(o, "y2", y2);
  json_object_set_new(o, "style", style);
  json_object_set_new(o, "rows", rows);
  json_object_set_new(o, "logy", json_boolean(c->logy));
  json_object_set_new(o, "logx", json_boolean(c->logx));
  json_object_set_new(o, "zero", json_boolean(c->ymin_zero && !c->logy));
  json_object_set_new(o, "time", json_boolean(c->time_axis));
  json_object_set_new(o, "xmax", num(c->xmax > 0 ? c->xmax : NAN));
  json_object_set_new(o, "hl", marks(c->hmarks, c->nhmarks, c->hline, c->hline_title, 1));
  json_object_set_new(o, "vl", marks(c->vmarks, c->nvmarks, c->vline, c->vline_title, 0));
  if (c->hidden) {
    json_t *h = json_array();
    for (size_t s = 0; s < c->nseries; s++)
      json_array_append_new(h, json_boolean(c->hidden[s]));
    json_object_set_new(o, "hidden", h);
  }
  if (c->group) {
    json_t *g = json_array();
    for (size_t s = 0; s < c->nseries; s++)
      json_array_append_new(g, json_integer(c->group[s]));
    json_object_set_new(o, "group", g);
  }
  if (c->note)
    json_object_set_new(o, "note", json_string(c->note));
  return o;
}

void report_html_json(struct strbuf *out, const char *text) {
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == '<')
      strbuf_addstr(out, "\\u003c");
    else if (*p == '>')
      strbuf_addstr(out, "\\u003e");
    else if (*p == '&')
      strbuf_addstr(out, "\\u0026");
    else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
      strbuf_addstr(out, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
      p += 2;
    } else
      strbuf_addch(out, *p);
  }
}

void report_html_script_text(struct strbuf *out, const char *code) {
  for (const char *p = code; *p; p++) {
    strbuf_addch(out, *p);
    if (*p == '<' && (!strncasecmp(p + 1, "/script", 7) || !strncmp(p + 1, "!--", 3)))
      strbuf_addch(out, '\\');
  }
}

/* The specs of the charts the page shows (<img data-chart="STEM">). */
static json_t *page_specs(const char *page, json_t *specs) {
  json_t *mine = json_object();
  static const char key[] = "data-chart=\"";
  for (const char *p = page; (p = strstr(p, key)) != NULL;) {
    p += sizeof key - 1;
    const char *e = strchr(p, '"');
    if (!e)
      break;
    char *stem = xstrndup(p, (size_t)(e - p));
    json_t *s = json_object_get(specs, stem);
    if (s)
      json_object_set(mine, stem, s);
    free(stem);
    p = e;
  }
  return mine;
}

static const char css[] =
    ".lr-chart{margin:.8em 0 1.2em;border:1px solid #eaeef2;padding:.5em .6em;max-width:100%;box-sizing:border-box}"
    ".lr-title{font-weight:600;font-size:14px;margin-bottom:.3em}"
    ".lr-plot{width:100%;height:340px}.lr-help{font-size:12px;color:#57606a;margin-top:.2em}"
    ".lr-toggles{display:flex;flex-wrap:wrap;gap:.2em 1em;font-size:12px;margin-top:.5em}"
    ".lr-toggle{display:inline-flex;align-items:center;gap:.3em;cursor:pointer}"
    ".lr-swatch{display:inline-block;width:14px;height:3px}"
    ".dygraph-legend{font-size:12px!important;background:rgba(255,255,255,.92)!important;z-index:5}"
    "@media (max-width:600px){.lr-plot{height:260px}}";

/* <style> and <script> elements of the library, the specs and the code. */
static int build_block(const char *lib_dir, json_t *mine, struct strbuf *b, struct err *err) {
  struct strbuf path = STRBUF_INIT, js = STRBUF_INIT, lcss = STRBUF_INIT;
  lib_path(&path, lib_dir, "dygraph.min.js");
  if (outfile_read(path.buf, &js, 8u << 20) < 0) {
    int rc = err_set(err, LR_IOERR, "cannot read the chart library %s", path.buf);
    strbuf_release(&path);
    strbuf_release(&js);
    return rc;
  }
  lib_path(&path, lib_dir, "dygraph.min.css");
  if (outfile_read(path.buf, &lcss, 1u << 20) < 0)
    strbuf_reset(&lcss); /* the library draws without it: only its legend looks plainer */
  const struct embedded_file *code = embedded_find("report_charts.js");
  char *data = json_dumps(mine, JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_REAL_PRECISION(6));
  strbuf_addstr(b, "<style>");
  for (const char *p = lcss.buf; p && *p; p++) /* a stylesheet cannot end its element either */
    if (!(p[0] == '<' && p[1] == '/'))
      strbuf_addch(b, *p);
  strbuf_addf(b, "%s</style>\n<script>", css);
  report_html_script_text(b, js.buf);
  strbuf_addstr(b, "</script>\n<script type=\"application/json\" id=\"lr-chart-data\">");
  report_html_json(b, data);
  strbuf_addstr(b, "</script>\n<script>");
  report_html_script_text(b, code ? (const char *)code->data : "");
  strbuf_addstr(b, "</script>\n");
  free(data);
  strbuf_release(&path);
  strbuf_release(&js);
  strbuf_release(&lcss);
  return 0;
}

int report_html_add_charts(struct strbuf *html, json_t *specs, const char *lib_dir, struct err *err) {
  json_t *mine = page_specs(html->buf, specs);
  const char *end = strstr(html->buf, "</body>");
  if (json_object_size(mine) == 0 || !end || !report_html_lib_ok(lib_dir)) {
    json_decref(mine);
    return 0;
  }
  struct strbuf b = STRBUF_INIT;
  if (build_block(lib_dir, mine, &b, err) < 0) {
    json_decref(mine);
    strbuf_release(&b);
    return -1;
  }
  json_decref(mine);
  size_t at = (size_t)(end - html->buf);
  struct strbuf o = STRBUF_INIT;
  strbuf_add(&o, html->buf, at);
  strbuf_add(&o, b.buf, b.len);
  strbuf_addstr(&o, html->buf + at);
  strbuf_release(&b);
  strbuf_release(html);
  *html = o;
  return 1;
}
