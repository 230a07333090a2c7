/* test_escape.c - escaping untrusted strings for each output (render/escape.h). */
#include <stdlib.h>

#include "harness.h"
#include "render/escape.h"
#include "render/markdown.h"
#include "util/err.h"

typedef void (*esc_fn)(struct strbuf *, const char *);

static const char *E(esc_fn f, const char *s) {
  static char buf[1024];
  struct strbuf sb = STRBUF_INIT;
  f(&sb, s);
  snprintf(buf, sizeof buf, "%s", sb.buf);
  strbuf_release(&sb);
  return buf;
}

static void markdown(void) {
  STR_EQ(E(esc_md, "GET /api/x"), "GET /api/x", "plain");
  STR_EQ(E(esc_md, "a|b"), "a\\|b", "pipe");
  STR_EQ(E(esc_md, "*x* _y_ [l](u) ![i](u)"), "\\*x\\* \\_y\\_ \\[l\\](u) \\!\\[i\\](u)", "inline");
  STR_EQ(E(esc_md, "http_req_duration"), "http_req_duration", "intraword underscore kept");
  STR_EQ(E(esc_md, "a __b"), "a \\_\\_b", "boundary underscores");
  STR_EQ(E(esc_md, "0.1.0"), "0.1.0", "version is not a list");
  STR_EQ(E(esc_md, "::group"), "::group", "colon kept");
  STR_EQ(E(esc_md, "#tag"), "#tag", "hash without space is not a heading");
  STR_EQ(E(esc_md, "---"), "\\---", "thematic break");
  STR_EQ(E(esc_md, "<b>&amp;"), "\\<b\\>\\&amp;", "html and entities");
  STR_EQ(E(esc_md, "\\`"), "\\\\\\`", "backslash and backtick");
  STR_EQ(E(esc_md, "a\nb\r\n"), "a b  ", "newlines");
  STR_EQ(E(esc_md, "- item"), "\\- item", "bullet at start");
  STR_EQ(E(esc_md, "x - y"), "x - y", "dash inside");
  STR_EQ(E(esc_md, "42) x"), "42\\) x", "ordered marker");
  STR_EQ(E(esc_md, "~~s~~"), "\\~\\~s\\~\\~", "strikethrough");
  STR_EQ(E(esc_md_code, "a``b"), "```a``b```", "code fence longer than content");
  STR_EQ(E(esc_md_code, "x|y\n"), "`x\\|y `", "code span pipe and newline");
  STR_EQ(E(esc_md_code, "`x"), "`` `x ``", "leading backtick padded");
  STR_EQ(E(esc_md_code, "rate>0.99"), "`rate>0.99`", "code span without padding");
}

static void html_xml(void) {
  STR_EQ(E(esc_html, "<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;", "html");
  STR_EQ(E(esc_html, "caf\xc3\xa9"), "caf\xc3\xa9", "utf-8 kept");
  STR_EQ(E(esc_html, "a\xff" "b"), "a\xef\xbf\xbd" "b", "invalid utf-8 replaced");
  STR_EQ(E(esc_xml, "\x01x\x1b"), " x ", "xml control chars");
  STR_EQ(E(esc_xml, "\xef\xbf\xbe"), "\xef\xbf\xbd", "xml noncharacter");
  STR_EQ(E(esc_html, "\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd", "overlong rejected");
}

static void gnuplot(void) {
  STR_EQ(E(esc_gnuplot, "p95"), "'p95'", "quoted");
  STR_EQ(E(esc_gnuplot, "it's"), "'it''s'", "quote doubled");
  STR_EQ(E(esc_gnuplot, "a\nsystem 'rm -rf /'"), "'a system ''rm -rf /'''", "newline cannot end command");
  STR_EQ(E(esc_gnuplot, "`id`\"x\""), "'`id`\"x\"'", "backticks inert in single quotes");
  STR_EQ(E(esc_tsv, "a\tb\nc\"d"), "a b c'd", "tsv field");
  STR_EQ(E(esc_tsv, ""), "-", "tsv empty");
}

static void others(void) {
  STR_EQ(E(esc_term, "a\x1b[31mb\n"), "a?[31mb?", "terminal");
  STR_EQ(E(esc_utf8_clean, "x\xe2\x82" "y\t"), "x\xef\xbf\xbd\xef\xbf\xbdy ", "utf8 clean truncated seq (one per byte)");
  STR_EQ(E(esc_filename, "../etc/passwd"), "_._etc_passwd", "filename no traversal");
  STR_EQ(E(esc_filename, ""), "x", "filename empty");
  STR_EQ(E(esc_filename, ".hidden"), "_hidden", "filename no leading dot");
}

/* Undoes cmark's HTML escaping of text. */
static void unhtml(char *s) {
  static const char *const ent[][2] = {{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}};
  char *w = s;
  for (char *r = s; *r;) {
    int hit = 0;
    for (size_t i = 0; i < 4 && !hit; i++) {
      size_t n = strlen(ent[i][0]);
      if (!strncmp(r, ent[i][0], n)) {
        *w++ = ent[i][1][0];
        r += n;
        hit = 1;
      }
    }
    if (!hit)
      *w++ = *r++;
  }
  *w = 0;
}

/* esc_md output rendered by cmark-gfm shows the original text, literally,
 * inline and inside a table cell. */
static void markdown_round_trip(void) {
  static const char *const hostile[] = {
      "`touch PWNED`", "x'; system('id'); '", "a\"b`c`\"", "p|i|p|e <script>alert(1)</script>",
      "**bold** [l](javascript:alert(1)) ![i](x.png) _u_ &amp; ~~s~~", "# not a heading",
      "- not a list", "1. not a list", "<!-- c -->", "\\`", "a  b", "http://x.y/z?q=1&r=2",
      "café ☕ @{x}^2_y", "*", "_", "[x]: http://evil", "---", "===",
  };
  for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
    for (int table = 0; table < 2; table++) {
      struct strbuf md = STRBUF_INIT, html = STRBUF_INIT;
      struct err err = ERR_INIT;
      if (table)
        strbuf_addstr(&md, "| h |\n|---|\n| ");
      esc_md(&md, hostile[i]);
      if (table)
        strbuf_addstr(&md, " |\n");
      md_to_html_fragment(md.buf, &html, &err);
      const char *open = table ? "<td>" : "<p>", *close = table ? "</td>" : "</p>";
      char *a = strstr(html.buf, open), *b = a ? strstr(a, close) : NULL;
      OK(a && b, "%s: rendered as one %s: %s", hostile[i], open, html.buf);
      if (a && b) {
        *b = 0;
        char *text = a + strlen(open);
        OK(!strchr(text, '<'), "%s: no tag inside: %s", hostile[i], text);
        unhtml(text);
        STR_EQ(text, hostile[i], "round trip (%s)", table ? "table" : "inline");
      }
      strbuf_release(&md);
      strbuf_release(&html);
    }
  }
}

int main(void) {
  markdown_round_trip();
  markdown();
  html_xml();
  gnuplot();
  others();
  return test_report();
}
