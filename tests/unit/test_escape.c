/* test_escape.c - escaping untrusted strings for each output (render/escape.h). */
#include "harness.h"
#include "render/escape.h"

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

int main(void) {
  markdown();
  html_xml();
  gnuplot();
  others();
  return test_report();
}
