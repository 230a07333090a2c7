/* markdown.h - Markdown → one self-contained HTML page (cmark-gfm + GFM
 * tables). Raw HTML in the Markdown is never passed through (cmark-gfm's
 * safe mode drops it and neutralises javascript: links), so escaped input
 * stays inert. CSS is inline; local chart images are embedded as data URIs.
 */
#ifndef LOADREP_MARKDOWN_H
#define LOADREP_MARKDOWN_H
#include "util/strbuf.h"

struct err;

/** Renders `md` to a complete HTML document titled `title` (escaped),
 *  appended to out. When `base_dir` is not NULL, images whose link is a
 *  relative path to an existing .svg/.png file under it are embedded as data
 *  URIs so the page is readable offline on its own (an .svg chart as an
 *  SVG data URI in <img>, where no script of it can run; a .png as PNG).
 *  Headings get their anchors (md_headings) as id; relative links to a
 *  .md file point to its .html twin; table cells and list items opening
 *  with a status symbol (✓ ✗ ? —) get a class that colours them; a table
 *  of more than 12 rows shows its flagged rows (✗, "not comparable") first
 *  and the whole table inside a collapsed <details>. */
int md_to_html(const char *md, const char *title, const char *base_dir, struct strbuf *out,
               struct err *err);

/** A heading of a Markdown document: level, its plain text, and its anchor
 *  (GitHub's rule: lower case, letters and digits of any script, '-' and
 *  '_' kept, spaces to '-', the rest dropped; a repeated anchor gets -1,
 *  -2, ...). */
struct md_heading {
  int level;
  char *text, *slug;
};
/** The headings of `md` in document order; *out is freed with
 *  md_headings_free. */
size_t md_headings(const char *md, struct md_heading **out);
void md_headings_free(struct md_heading *h, size_t n);
/** The anchor of a heading whose plain text is `text` (first occurrence). */
void md_slug(const char *text, struct strbuf *out);
/** Renders `md` to an HTML fragment only (no <html> wrapper), for tests. */
int md_to_html_fragment(const char *md, struct strbuf *out, struct err *err);

#endif
