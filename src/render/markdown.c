#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/escape.h"
#include "render/markdown.h"
#include "util/err.h"
#include "util/xalloc.h"

static const char css[] =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;"
    "color:#1f2328;max-width:1100px;margin:2em auto;padding:0 1.5em}"
    "h1{border-bottom:2px solid #d0d7de;padding-bottom:.3em}"
    "h2{border-bottom:1px solid #d8dee4;padding-bottom:.2em;margin-top:1.8em}"
    "h3{margin-top:1.4em}"
    "table{border-collapse:collapse;margin:1em 0;display:block;overflow-x:auto;font-size:13px}"
    "th,td{border:1px solid #d0d7de;padding:4px 9px}"
    "th{background:#f6f8fa}tr:nth-child(2n) td{background:#fbfcfd}"
    "td[align=right],th[align=right]{font-variant-numeric:tabular-nums}"
    "code{font-family:'DejaVu Sans Mono',monospace;background:#f2f4f6;padding:1px 4px;"
    "border-radius:4px;font-size:90%}"
    "img{max-width:100%;height:auto;border:1px solid #eaeef2;margin:.5em 0}"
    "blockquote{margin:1em 0;padding:.4em 1em;border-left:4px solid #d0d7de;color:#57606a;"
    "background:#f8f9fa}"
    "@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}"
    "table,img{page-break-inside:avoid}}";

static cmark_node *parse(const char *md, cmark_parser **pp) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
  cmark_syntax_extension *table = cmark_find_syntax_extension("table");
  if (table)
    cmark_parser_attach_syntax_extension(p, table);
  cmark_parser_feed(p, md, strlen(md));
  *pp = p;
  return cmark_parser_finish(p);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void add_base64(struct strbuf *sb, const unsigned char *d, size_t n) {
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)d[i] << 16;
    if (i + 1 < n)
      v |= (unsigned)d[i + 1] << 8;
    if (i + 2 < n)
      v |= d[i + 2];
    strbuf_addch(sb, b64[(v >> 18) & 63]);
    strbuf_addch(sb, b64[(v >> 12) & 63]);
    strbuf_addch(sb, i + 1 < n ? b64[(v >> 6) & 63] : '=');
    strbuf_addch(sb, i + 2 < n ? b64[v & 63] : '=');
  }
}

/* Reads base_dir/rel when rel is a plain relative path (no "..", no scheme). */
static int read_local(const char *base_dir, const char *rel, struct strbuf *data) {
  if (!rel[0] || rel[0] == '/' || strstr(rel, "..") || strchr(rel, ':'))
    return -1;
  struct strbuf path = STRBUF_INIT;
  strbuf_addf(&path, "%s/%s", base_dir, rel);
  FILE *f = fopen(path.buf, "rbe");
  strbuf_release(&path);
  if (!f)
    return -1;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0 && data->len < (16u << 20))
    strbuf_add(data, buf, n);
  int bad = ferror(f);
  fclose(f);
  return bad ? -1 : 0;
}

/* Replaces the URL of local images with data: URIs. */
static void inline_images(cmark_node *doc, const char *base_dir) {
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_IMAGE)
      continue;
    const char *url = cmark_node_get_url(n);
    if (!url)
      continue;
    /* cmark-gfm's safe mode keeps data: URLs of raster images only, so a
     * chart's SVG is embedded through its PNG twin (charts/NAME.png). */
    size_t l = strlen(url);
    struct strbuf rel = STRBUF_INIT;
    strbuf_addstr(&rel, url);
    if (l > 4 && !strcmp(url + l - 4, ".svg"))
      memcpy(rel.buf + l - 4, ".png", 4);
    if (!(rel.len > 4 && !strcmp(rel.buf + rel.len - 4, ".png"))) {
      strbuf_release(&rel);
      continue;
    }
    const char *mime = "image/png";
    struct strbuf data = STRBUF_INIT;
    int got = read_local(base_dir, rel.buf, &data);
    strbuf_release(&rel);
    if (got == 0) {
      struct strbuf uri = STRBUF_INIT;
      strbuf_addf(&uri, "data:%s;base64,", mime);
      add_base64(&uri, (const unsigned char *)data.buf, data.len);
      cmark_node_set_url(n, uri.buf);
      strbuf_release(&uri);
    }
    strbuf_release(&data);
  }
  cmark_iter_free(it);
}

static int render(const char *md, const char *base_dir, struct strbuf *out, struct err *err) {
  cmark_parser *p;
  cmark_node *doc = parse(md, &p);
  if (!doc) {
    cmark_parser_free(p);
    return err_set(err, LR_SOFTWARE, "cmark-gfm could not parse the report");
  }
  if (base_dir)
    inline_images(doc, base_dir);
  /* No CMARK_OPT_UNSAFE: raw HTML and javascript: URLs are dropped. */
  char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(p));
  strbuf_addstr(out, html);
  free(html);
  cmark_node_free(doc);
  cmark_parser_free(p);
  return 0;
}

int md_to_html_fragment(const char *md, struct strbuf *out, struct err *err) {
  return render(md, NULL, out, err);
}

int md_to_html(const char *md, const char *title, const char *base_dir, struct strbuf *out,
               struct err *err) {
  strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "img-src data: 'self'; style-src 'unsafe-inline'\">\n<title>");
  esc_html(out, title);
  strbuf_addstr(out, "</title>\n<style>");
  strbuf_addstr(out, css);
  strbuf_addstr(out, "</style>\n</head>\n<body>\n");
  if (render(md, base_dir, out, err) < 0)
    return -1;
  strbuf_addstr(out, "</body>\n</html>\n");
  return 0;
}
