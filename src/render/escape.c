#include <stdio.h>
#include <string.h>

#include "render/escape.h"
#include "util/utf8.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p) {
  return utf8_seq_len((const char *)p, strnlen((const char *)p, 4));
}

static int is_ctrl(unsigned char c) { return c < 0x20 || c == 0x7f; }

/* s byte by byte: a control character as a space, ch as `with`. */
static void put_replacing(struct strbuf *sb, const char *s, unsigned char ch, const char *with) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (is_ctrl(*p))
      strbuf_addch(sb, ' ');
    else if (*p == ch)
      strbuf_addstr(sb, with);
    else
      strbuf_addch(sb, *p);
  }
}

/* Writes the character at p when it is not a valid single byte: an invalid
 * byte as U+FFFD, a multi-byte character as it is (for XML, U+FFFE and
 * U+FFFF, which are not XML characters, as U+FFFD). Returns the bytes it
 * took, 0 for a valid single byte (left to the caller). */
static size_t put_wide(struct strbuf *sb, const unsigned char *p, int xml) {
  size_t n = utf8_len(p);
  if (!n) {
    strbuf_addstr(sb, "\xef\xbf\xbd");
    return 1;
  }
  if (n == 1)
    return 0;
  if (xml && n == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
    strbuf_addstr(sb, "\xef\xbf\xbd");
  else
    strbuf_add(sb, p, n);
  return n;
}

void esc_utf8_clean(struct strbuf *sb, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    size_t n = put_wide(sb, p, 0);
    if (!n) {
      strbuf_addch(sb, is_ctrl(*p) ? ' ' : *p);
      n = 1;
    }
    p += n;
  }
}

static int is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

void esc_md(struct strbuf *sb, const char *s) {
  const unsigned char *p = (const unsigned char *)s, *start = p;
  /* Block markers only matter at the start of the text: "# ", "- ", "+ ",
   * "1. ", "1) ", "===" and "---" lines. */
  const unsigned char *q = p;
  while (*q >= '0' && *q <= '9')
    q++;
  int ordered = q > p && (*q == '.' || *q == ')') && (!q[1] || q[1] == ' ' || q[1] == '\t');
  int lead = (*p == '#' || *p == '-' || *p == '+' || *p == '=') &&
             (!p[1] || p[1] == ' ' || p[1] == '\t' || p[1] == *p);
  for (; *p; p++) {
    unsigned char c = *p;
    if (is_ctrl(c)) {
      strbuf_addch(sb, ' ');
      continue;
    }
    int esc = strchr("\\`*[]<>|&~!", c) != NULL;
    /* '_' inside a word cannot start emphasis (CommonMark flanking rules). */
    if (c == '_')
      esc = p == start || !is_alnum(p[-1]) || !is_alnum(p[1]);
    if ((p == start && lead) || (ordered && p == q))
      esc = 1;
    if (esc)
      strbuf_addch(sb, '\\');
    strbuf_addch(sb, c);
  }
}

void esc_md_code(struct strbuf *sb, const char *s) {
  /* The fence is one backtick longer than the longest run inside. */
  size_t run = 0, longest = 0, n = strlen(s);
  for (const char *p = s; *p; p++) {
    run = *p == '`' ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  /* A space pads content that starts or ends with a backtick or a space
   * (CommonMark strips one space from each side). */
  int pad = n && (s[0] == '`' || s[n - 1] == '`' || s[0] == ' ' || s[n - 1] == ' ');
  for (size_t i = 0; i <= longest; i++)
    strbuf_addch(sb, '`');
  if (pad)
    strbuf_addch(sb, ' ');
  put_replacing(sb, s, '|', "\\|");
  if (pad)
    strbuf_addch(sb, ' ');
  for (size_t i = 0; i <= longest; i++)
    strbuf_addch(sb, '`');
}

static void html_like(struct strbuf *sb, const char *s, int xml) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    size_t n = put_wide(sb, p, xml);
    if (n) {
      p += n;
      continue;
    }
    switch (*p) {
    case '&': strbuf_addstr(sb, "&amp;"); break;
    case '<': strbuf_addstr(sb, "&lt;"); break;
    case '>': strbuf_addstr(sb, "&gt;"); break;
    case '"': strbuf_addstr(sb, "&quot;"); break;
    case '\'': strbuf_addstr(sb, "&#39;"); break;
    default:
      strbuf_addch(sb, is_ctrl(*p) ? ' ' : *p);
    }
    p++;
  }
}

void esc_html(struct strbuf *sb, const char *s) { html_like(sb, s, 0); }
void esc_xml(struct strbuf *sb, const char *s) { html_like(sb, s, 1); }

void esc_gnuplot(struct strbuf *sb, const char *s) {
  strbuf_addch(sb, '\'');
  put_replacing(sb, s, '\'', "''");
  strbuf_addch(sb, '\'');
}

void esc_tsv(struct strbuf *sb, const char *s) {
  if (!*s) {
    strbuf_addch(sb, '-');
    return;
  }
  put_replacing(sb, s, '"', "'");
}

void esc_term(struct strbuf *sb, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    strbuf_addch(sb, is_ctrl(*p) ? '?' : *p);
}

void esc_put(const char *s, int md, FILE *f) {
  if (md) {
    fputs(s, f);
    return;
  }
  struct strbuf sb = STRBUF_INIT;
  esc_term(&sb, s);
  fwrite(sb.buf, 1, sb.len, f);
  strbuf_release(&sb);
}

void esc_filename(struct strbuf *sb, const char *s) {
  size_t start = sb->len, n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p && n < 60; p++, n++) {
    unsigned char c = *p;
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || (c == '.' && n > 0);
    strbuf_addch(sb, ok ? c : '_');
  }
  if (sb->len == start)
    strbuf_addch(sb, 'x');
}
