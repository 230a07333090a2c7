#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "render/escape.h"
#include "render/markdown.h"
#include "render/outfile.h"
#include "util/err.h"
#include "util/utf8.h"
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
    ".ok{color:#116329}.bad{color:#b3261e;font-weight:600}.na{color:#6e7781}"
    "td.bad{background:#fff1f0 !important}td.ok{background:#f0fff4 !important}"
    "li.ok,li.bad,li.na{list-style:none;margin-left:-1.1em}li.ok,li.na{color:#1f2328}"
    "li.bad{font-weight:normal;color:#1f2328}"
    "li.ok::first-letter{color:#116329;font-weight:700}li.bad::first-letter{color:#b3261e;font-weight:700}"
    "li.na::first-letter{color:#6e7781;font-weight:700}"
    "details{margin:.5em 0 1em}summary{cursor:pointer;color:#0969da}"
    "p.flagged{margin-bottom:0;font-size:13px;color:#57606a}"
    "a{color:#0969da}h2,h3,h4{scroll-margin-top:.5em}"
    "@media (max-width:600px){body{padding:0 .6em;margin:1em auto;font-size:14px}"
    "h1{font-size:1.5em}table{font-size:12px;width:max-content}th,td{max-width:17em}}"
    ".tw{overflow-x:auto;max-width:100%;margin:1em 0}.tw>table{display:table;margin:0}"
    "@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}"
    "table,img{page-break-inside:avoid}details>summary{display:none}}";

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
  int rc = outfile_read(path.buf, data, 16u << 20);
  strbuf_release(&path);
  return rc;
}

/* ------------------------------------------------------------ anchors */

static void sb_swap(struct strbuf *a, struct strbuf *b) {
  struct strbuf t = *a;
  *a = *b;
  *b = t;
}

static void sb_setlen(struct strbuf *sb, size_t len) {
  sb->len = len;
  sb->buf[len] = 0;
}

/* The C.UTF-8 character classes (NULL when the locale is missing: every
 * non-ASCII character is then kept as it is). */
static locale_t utf8_ctype(void) {
  static locale_t loc;
  static int tried;
  if (!tried) {
    tried = 1;
    loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  }
  return loc;
}

static void add_utf8(struct strbuf *out, unsigned cp) {
  if (cp < 0x800) {
    strbuf_addch(out, (int)(0xc0 | (cp >> 6)));
  } else if (cp < 0x10000) {
    strbuf_addch(out, (int)(0xe0 | (cp >> 12)));
    strbuf_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
  } else {
    strbuf_addch(out, (int)(0xf0 | (cp >> 18)));
    strbuf_addch(out, (int)(0x80 | ((cp >> 12) & 0x3f)));
    strbuf_addch(out, (int)(0x80 | ((cp >> 6) & 0x3f)));
  }
  strbuf_addch(out, (int)(0x80 | (cp & 0x3f)));
}

void md_slug(const char *text, struct strbuf *out) {
  size_t n = strlen(text);
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)text[i];
    size_t len = utf8_seq_len(text + i, n - i);
    if (len == 0) { /* not UTF-8: dropped */
      i++;
      continue;
    }
    if (len == 1) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
        strbuf_addch(out, (char)c);
      else if (c >= 'A' && c <= 'Z')
        strbuf_addch(out, (char)(c - 'A' + 'a'));
      else if (c == ' ')
        strbuf_addch(out, '-');
      i++;
      continue;
    }
    /* GitHub keeps letters and digits of every script, in lower case. */
    unsigned cp = c & (0x7f >> len);
    for (size_t k = 1; k < len; k++)
      cp = (cp << 6) | ((unsigned char)text[i + k] & 0x3f);
    locale_t loc = utf8_ctype();
    if (!loc)
      strbuf_add(out, text + i, len);
    else if (iswalnum_l((wint_t)cp, loc))
      add_utf8(out, (unsigned)towlower_l((wint_t)cp, loc));
    i += len;
  }
}

static void plain_text(cmark_node *n, struct strbuf *sb) {
  for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
    cmark_node_type t = cmark_node_get_type(c);
    if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
      strbuf_addstr(sb, cmark_node_get_literal(c) ? cmark_node_get_literal(c) : "");
    else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
      strbuf_addch(sb, ' ');
    else
      plain_text(c, sb);
  }
}

static cmark_node *parse(const char *md, cmark_parser **pp);

size_t md_headings(const char *md, struct md_heading **out) {
  cmark_parser *p;
  cmark_node *doc = parse(md, &p);
  struct md_heading *v = NULL;
  size_t n = 0, cap = 0;
  if (doc) {
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
      cmark_node *h = cmark_iter_get_node(it);
      if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(h) != CMARK_NODE_HEADING)
        continue;
      struct strbuf t = STRBUF_INIT, sl = STRBUF_INIT;
      plain_text(h, &t);
      md_slug(t.buf, &sl);
      /* GitHub: a repeated anchor gets -1, -2, ... */
      size_t base = sl.len;
      for (int k = 1;; k++) {
        int dup = 0;
        for (size_t i = 0; i < n && !dup; i++)
          dup = !strcmp(v[i].slug, sl.buf);
        if (!dup)
          break;
        sb_setlen(&sl, base);
        strbuf_addf(&sl, "-%d", k);
      }
      XGROW(v, cap, n + 1);
      v[n++] = (struct md_heading){cmark_node_get_heading_level(h), strbuf_detach(&t, NULL),
                                   strbuf_detach(&sl, NULL)};
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
  }
  cmark_parser_free(p);
  *out = v;
  return n;
}

void md_headings_free(struct md_heading *h, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(h[i].text);
    free(h[i].slug);
  }
  free(h);
}

/* Relative links to NAME.md[#x] → NAME.html[#x]: the HTML twin links to the
 * HTML twin. */
static void md_links_to_html(cmark_node *doc) {
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_LINK)
      continue;
    const char *url = cmark_node_get_url(n);
    if (!url || !url[0] || url[0] == '/' || url[0] == '#' || strchr(url, ':'))
      continue;
    const char *hash = strchr(url, '#');
    size_t plen = hash ? (size_t)(hash - url) : strlen(url);
    if (plen < 4 || memcmp(url + plen - 3, ".md", 3))
      continue;
    struct strbuf u = STRBUF_INIT;
    strbuf_add(&u, url, plen - 3);
    strbuf_addstr(&u, ".html");
    if (hash)
      strbuf_addstr(&u, hash);
    cmark_node_set_url(n, u.buf);
    strbuf_release(&u);
  }
  cmark_iter_free(it);
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
    /* cmark-gfm's safe mode keeps data: URLs of raster images only: an
     * SVG keeps its relative link here and is embedded after rendering
     * (svg_data_uris). */
    struct strbuf rel = STRBUF_INIT;
    strbuf_addstr(&rel, url);
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


/* ------------------------------------------------------------ after rendering */

/* <img src="charts/X.svg" → <img src="data:image/svg+xml;base64,...": the
 * src was written by cmark-gfm from a link it kept (relative, no scheme). */
static void svg_data_uris(struct strbuf *h, const char *base_dir) {
  static const char key[] = "<img src=\"";
  struct strbuf o = STRBUF_INIT;
  const char *p = h->buf;
  for (const char *q; (q = strstr(p, key)) != NULL;) {
    q += sizeof key - 1;
    strbuf_add(&o, p, (size_t)(q - p));
    const char *e = strchr(q, '"');
    if (!e)
      break;
    struct strbuf rel = STRBUF_INIT, data = STRBUF_INIT;
    strbuf_add(&rel, q, (size_t)(e - q));
    if (rel.len > 4 && !strcmp(rel.buf + rel.len - 4, ".svg") && !strchr(rel.buf, '&') &&
        read_local(base_dir, rel.buf, &data) == 0) {
      /* <img data-chart="STEM" src=...: the interactive twin's key
       * (render/report_html.h). */
      const char *stem = strrchr(rel.buf, '/') ? strrchr(rel.buf, '/') + 1 : rel.buf;
      char *st = xstrndup(stem, strlen(stem) - 4);
      sb_setlen(&o, o.len - (sizeof key - 1));
      strbuf_addstr(&o, "<img data-chart=\"");
      esc_html(&o, st);
      strbuf_addstr(&o, "\" src=\"");
      free(st);
      strbuf_addstr(&o, "data:image/svg+xml;base64,");
      add_base64(&o, (const unsigned char *)data.buf, data.len);
    } else {
      strbuf_add(&o, q, (size_t)(e - q));
    }
    strbuf_release(&rel);
    strbuf_release(&data);
    p = e;
  }
  strbuf_addstr(&o, p);
  sb_swap(h, &o);
  strbuf_release(&o);
}

/* <hN> → <hN id="slug">, in document order (cmark-gfm writes bare <hN>). */
static void heading_ids(struct strbuf *h, const char *md) {
  struct md_heading *hs;
  size_t n = md_headings(md, &hs), k = 0;
  struct strbuf o = STRBUF_INIT;
  const char *p = h->buf;
  while (*p) {
    if (p[0] == '<' && p[1] == 'h' && p[2] >= '1' && p[2] <= '6' && p[3] == '>' && k < n) {
      strbuf_addf(&o, "<h%c id=\"", p[2]);
      esc_html(&o, hs[k++].slug);
      strbuf_addstr(&o, "\">");
      p += 4;
    } else {
      strbuf_addch(&o, *p++);
    }
  }
  sb_swap(h, &o);
  strbuf_release(&o);
  md_headings_free(hs, n);
}

/* The status a cell or item opens with: "ok", "bad", "na" or NULL. */
static const char *status_class(const char *p) {
  if (!strncmp(p, "<strong>", 8))
    p += 8;
  if (!strncmp(p, "\xe2\x9c\x93", 3)) /* ✓ */
    return "ok";
  if (!strncmp(p, "\xe2\x9c\x97", 3)) /* ✗ */
    return "bad";
  if (!strncmp(p, "\xe2\x80\x94 ", 4) || !strncmp(p, "? ", 2) || !strncmp(p, "n/a", 3)) /* — */
    return "na";
  return NULL;
}

static void status_classes(struct strbuf *h) {
  struct strbuf o = STRBUF_INIT;
  const char *p = h->buf;
  while (*p) {
    const char *tag = !strncmp(p, "<td>", 4) ? "td" : !strncmp(p, "<li>", 4) ? "li" : NULL;
    const char *cl = tag ? status_class(p + 4) : NULL;
    if (cl) {
      strbuf_addf(&o, "<%s class=\"%s\">", tag, cl);
      p += 4;
    } else {
      strbuf_addch(&o, *p++);
    }
  }
  sb_swap(h, &o);
  strbuf_release(&o);
}

#define LONG_TABLE_ROWS 12

static int row_flagged(const char *r, size_t len) {
  struct strbuf t = STRBUF_INIT;
  strbuf_add(&t, r, len);
  int f = strstr(t.buf, "class=\"bad\"") || strstr(t.buf, "not comparable");
  strbuf_release(&t);
  return f;
}

/* A table of more than LONG_TABLE_ROWS rows: its flagged rows first in a
 * table of their own, the whole table in a collapsed <details>. */
static void long_tables(struct strbuf *h) {
  struct strbuf o = STRBUF_INIT;
  const char *p = h->buf;
  for (const char *t; (t = strstr(p, "<table>")) != NULL;) {
    const char *end = strstr(t, "</table>");
    const char *body = strstr(t, "<tbody>");
    if (!end || !body || body > end)
      break;
    end += 8;
    strbuf_add(&o, p, (size_t)(t - p));
    size_t rows = 0, flagged = 0;
    for (const char *r = body; (r = strstr(r, "<tr>")) && r < end; r += 4) {
      const char *re = strstr(r, "</tr>");
      rows++;
      flagged += re && row_flagged(r, (size_t)(re - r));
    }
    if (rows <= LONG_TABLE_ROWS) {
      strbuf_add(&o, t, (size_t)(end - t));
      p = end;
      continue;
    }
    if (flagged) {
      strbuf_addf(&o, "<p class=\"flagged\">%zu of %zu rows need attention:</p>\n", flagged, rows);
      strbuf_add(&o, t, (size_t)(body + 7 - t)); /* <table><thead>...</thead><tbody> */
      for (const char *r = body; (r = strstr(r, "<tr>")) && r < end; r += 4) {
        const char *re = strstr(r, "</tr>");
        if (re && row_flagged(r, (size_t)(re - r)))
          strbuf_add(&o, r, (size_t)(re + 5 - r)), strbuf_addch(&o, '\n');
      }
      strbuf_addstr(&o, "</tbody>\n</table>\n");
      strbuf_addf(&o, "<details><summary>All %zu rows</summary>\n", rows);
    } else {
      strbuf_addf(&o, "<details><summary>All %zu rows (none needs attention)</summary>\n", rows);
    }
    strbuf_add(&o, t, (size_t)(end - t));
    strbuf_addstr(&o, "\n</details>");
    p = end;
  }
  strbuf_addstr(&o, p);
  sb_swap(h, &o);
  strbuf_release(&o);
}

/* Every table in a box of its own that scrolls sideways: on a phone a wide
 * table keeps readable columns instead of squeezing them. */
static void table_boxes(struct strbuf *h) {
  struct strbuf o = STRBUF_INIT;
  const char *p = h->buf;
  while (*p) {
    if (!strncmp(p, "<table>", 7)) {
      strbuf_addstr(&o, "<div class=\"tw\"><table>");
      p += 7;
    } else if (!strncmp(p, "</table>", 8)) {
      strbuf_addstr(&o, "</table></div>");
      p += 8;
    } else {
      strbuf_addch(&o, *p++);
    }
  }
  sb_swap(h, &o);
  strbuf_release(&o);
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
  md_links_to_html(doc);
  /* No CMARK_OPT_UNSAFE: raw HTML and javascript: URLs are dropped. */
  char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(p));
  struct strbuf h = STRBUF_INIT;
  strbuf_addstr(&h, html);
  free(html);
  if (base_dir)
    svg_data_uris(&h, base_dir);
  heading_ids(&h, md);
  status_classes(&h);
  long_tables(&h);
  table_boxes(&h);
  strbuf_add(out, h.buf, h.len);
  strbuf_release(&h);
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
                     "img-src data: 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n<title>");
  esc_html(out, title);
  strbuf_addstr(out, "</title>\n<style>");
  strbuf_addstr(out, css);
  strbuf_addstr(out, "</style>\n</head>\n<body>\n");
  if (render(md, base_dir, out, err) < 0)
    return -1;
  strbuf_addstr(out, "</body>\n</html>\n");
  return 0;
}
