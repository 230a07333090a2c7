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
 *  URIs so the page is readable offline on its own (an .svg link through
 *  its .png twin: cmark-gfm's safe mode admits raster data URIs only). */
int md_to_html(const char *md, const char *title, const char *base_dir, struct strbuf *out,
               struct err *err);

/** Renders `md` to an HTML fragment only (no <html> wrapper), for tests. */
int md_to_html_fragment(const char *md, struct strbuf *out, struct err *err);

#endif
