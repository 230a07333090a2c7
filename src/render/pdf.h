/* pdf.h - the PDF report (libharu), laid out from the report's Markdown.
 *
 * The Markdown documents (LOAD_TEST_RESULTS.md, CAPACITY_PLANNING.md) are
 * parsed with cmark-gfm and drawn as: a title page, a table of contents
 * (headings of level 1-2 with their page numbers), then each document from a
 * new page: headings, paragraphs, lists, GFM tables (column widths fitted,
 * cells wrapped, split across pages with the header row repeated) and
 * charts (an image link to NAME.svg or NAME.png is drawn from NAME.png),
 * with "page N of M" footers. Text is UTF-8 in DejaVu Sans, embedded, so
 * any endpoint name renders; without the fonts it falls back to Helvetica
 * with non-ASCII shown as '?'. With `epoch` >= 0 (SOURCE_DATE_EPOCH) the
 * output is byte-identical from run to run.
 */
#ifndef LOADREP_PDF_H
#define LOADREP_PDF_H
#include <stddef.h>

struct err;

struct pdf_opts {
  const char *title;           /* title page and document info */
  const char *const *subtitle; /* NULL-terminated lines under the title */
  const char *font_dir;        /* DejaVu TTFs; NULL = $LOADREP_FONT_DIR or Debian's */
  const char *base_dir;        /* where image links are resolved */
  long long epoch;             /* creation date (seconds), or -1 for none */
};

/** Writes the PDF of the `n` Markdown documents to `path` (temp + rename).
 *  Errors: LR_CANTCREAT / LR_IOERR for the file, LR_SOFTWARE for libharu. */
int pdf_write(const struct pdf_opts *o, const char *const *md, size_t n, const char *path,
              struct err *err);

#endif
