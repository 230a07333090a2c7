/* pdf_int.h - what the files of the PDF writer share (render/pdf.c,
 * pdf_blocks.c, pdf_table.c); nothing outside them includes it. */
#ifndef LOADREP_PDF_INT_H
#define LOADREP_PDF_INT_H
#include <hpdf.h>
#include <stddef.h>

struct pdf_opts;
struct strbuf;

/* ---- the document as blocks (pdf_blocks.c) ---- */

enum blk_kind { B_HEADING, B_PARA, B_CODE, B_TABLE, B_IMAGE, B_RULE, B_NEWPART };

struct blk {
  enum blk_kind kind;
  int level;  /* heading level; list depth for paragraphs */
  int quote;  /* paragraph inside a block quote */
  char *text; /* heading, paragraph, code; image: path */
  char *alt;  /* image alt text */
  size_t ncols, nrows;
  char **cells; /* nrows * ncols, row 0 is the header */
  char *align;  /* ncols: 'l', 'c', 'r' */
  unsigned char *strong; /* nrows * ncols: the cell holds bold (strong) text */
};

struct blocks {
  struct blk *v;
  size_t n, cap;
};

#define PAGE_W 595.0f
#define PAGE_H 842.0f
#define MARGIN 50.0f
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define TOP (PAGE_H - MARGIN)
#define BOTTOM (MARGIN + 20.0f)

struct toc_entry {
  int level;
  char *text;
  int page;
  HPDF_Destination dst;  /* pass 2: where the heading is drawn */
  HPDF_Page toc_page;    /* pass 2: the contents line that links to it */
  float toc_y0, toc_y1;
};

struct hpdf_ctx {
  HPDF_STATUS error_no, detail_no;
};

struct pdfw {
  HPDF_Doc pdf;
  HPDF_Page page;
  HPDF_Font reg, bold, mono;
  int utf8;
  float y;
  int pageno, total;
  struct toc_entry *toc;
  size_t ntoc, toc_cap, toc_next;
  int toc_pages;
  HPDF_Outline out1; /* the current level-1 bookmark */
  const struct pdf_opts *o;
  struct hpdf_ctx ctx;
};

struct blk *pdf_blk_push(struct blocks *b, enum blk_kind k);
void pdf_blocks_release(struct blocks *b);
/** Parses Markdown into blocks appended to out; -1 when cmark fails. */
int pdf_md_blocks(const char *md, struct blocks *out);

/* ---- drawing (pdf.c) ---- */

float pdf_text_w(struct pdfw *w, HPDF_Font f, float size, const char *s);
void pdf_draw_text(struct pdfw *w, HPDF_Font f, float size, float x, float y, const char *s);
void pdf_new_page(struct pdfw *w);
void pdf_need(struct pdfw *w, float h);
/** Splits s into lines no wider than width: a NUL-separated list in out;
 *  returns the number of lines. Words wider than a line are broken. */
size_t pdf_wrap(struct pdfw *w, HPDF_Font f, float size, const char *s, float width,
                struct strbuf *out);
/** 1 met (✓), 2 missed (✗), 3 not judged (—), 0 none; *len its bytes. */
int pdf_status_of(const char *s, size_t *len);
void pdf_status_rgb(struct pdfw *w, int st);

/* ---- tables (pdf_table.c) ---- */

void pdf_draw_table(struct pdfw *w, const struct blk *b);

#endif
