/* pdf_table.c - a GFM table in the PDF: column widths fitted to the
 * content, cells wrapped, split across pages with the header row repeated. */
#include <hpdf.h>
#include <stdlib.h>
#include <string.h>

#include "render/pdf_int.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Longest single word of s, measured. */
static float longest_word(struct pdfw *w, HPDF_Font f, float size, const char *s) {
  float best = 0;
  struct strbuf word = STRBUF_INIT;
  for (const char *p = s;; p++) {
    if (*p == ' ' || !*p) {
      float x = pdf_text_w(w, f, size, word.buf);
      if (x > best)
        best = x;
      strbuf_reset(&word);
      if (!*p)
        break;
    } else {
      strbuf_addch(&word, *p);
    }
  }
  strbuf_release(&word);
  return best;
}

void pdf_draw_table(struct pdfw *w, const struct blk *b) {
  float size = b->ncols > 8 ? 7 : 8, pad = 3, lh = size * 1.3f;
  size_t nc = b->ncols;
  float *wid = xcalloc(nc, sizeof *wid), *minw = xcalloc(nc, sizeof *minw);
  for (size_t c = 0; c < nc; c++) {
    for (size_t r = 0; r < b->nrows; r++) {
      HPDF_Font f = r == 0 || b->strong[r * nc + c] ? w->bold : w->reg;
      const char *cell = b->cells[r * nc + c];
      float x = pdf_text_w(w, f, size, cell) + 2 * pad;
      float m = longest_word(w, f, size, cell) + 2 * pad;
      if (x > wid[c])
        wid[c] = x;
      if (m > minw[c])
        minw[c] = m;
    }
    if (minw[c] > 90)
      minw[c] = 90; /* long words get broken */
  }
  /* Too wide: every column gives up a share of the excess in proportion
   * to its slack (natural width minus its longest word); when that is not
   * enough, all columns scale down and long words break. */
  float sum = 0, slack = 0;
  for (size_t c = 0; c < nc; c++) {
    if (minw[c] > wid[c])
      minw[c] = wid[c];
    sum += wid[c];
    slack += wid[c] - minw[c];
  }
  if (sum > CONTENT_W) {
    float excess = sum - CONTENT_W;
    if (slack >= excess) {
      for (size_t c = 0; c < nc; c++)
        wid[c] -= excess * (wid[c] - minw[c]) / slack;
    } else {
      float msum = 0;
      for (size_t c = 0; c < nc; c++)
        msum += minw[c];
      for (size_t c = 0; c < nc; c++)
        wid[c] = minw[c] * CONTENT_W / msum;
    }
  }
  /* Row heights. */
  size_t *nl = xcalloc(b->nrows * nc, sizeof *nl);
  struct strbuf *wrapped = xcalloc(b->nrows * nc, sizeof *wrapped);
  float *rh = xcalloc(b->nrows, sizeof *rh);
  for (size_t r = 0; r < b->nrows; r++) {
    size_t most = 1;
    for (size_t c = 0; c < nc; c++) {
      strbuf_init(&wrapped[r * nc + c], 0);
      nl[r * nc + c] = pdf_wrap(w, r == 0 || b->strong[r * nc + c] ? w->bold : w->reg, size, b->cells[r * nc + c],
                            wid[c] - 2 * pad, &wrapped[r * nc + c]);
      if (nl[r * nc + c] > most)
        most = nl[r * nc + c];
    }
    rh[r] = (float)most * lh + 2 * pad;
  }
  float tw = 0;
  for (size_t c = 0; c < nc; c++)
    tw += wid[c];
  pdf_need(w, rh[0] + (b->nrows > 1 ? rh[1] : 0));
  for (size_t r = 0; r < b->nrows; r++) {
    int header_again = 0;
    if (r > 0 && w->y - rh[r] < BOTTOM) {
      pdf_new_page(w);
      header_again = 1;
    }
    for (int pass = header_again ? 0 : 1; pass < 2; pass++) {
      size_t row = pass == 0 ? 0 : r;
      float x = MARGIN;
      if (row == 0)
        HPDF_Page_SetRGBFill(w->page, 0.93f, 0.95f, 0.97f);
      else if (row % 2 == 0)
        HPDF_Page_SetRGBFill(w->page, 0.985f, 0.985f, 0.99f);
      else
        HPDF_Page_SetRGBFill(w->page, 1, 1, 1);
      HPDF_Page_Rectangle(w->page, MARGIN, w->y - rh[row], tw, rh[row]);
      HPDF_Page_Fill(w->page);
      HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
      for (size_t c = 0; c < nc; c++) {
        const char *l = wrapped[row * nc + c].buf;
        HPDF_Font f = row == 0 || b->strong[row * nc + c] ? w->bold : w->reg;
        size_t sl;
        int st = row == 0 ? 0 : pdf_status_of(b->cells[row * nc + c], &sl);
        if (st) { /* a status cell: tinted, its text in the status colour */
          HPDF_Page_SetRGBFill(w->page, st == 1 ? 0.92f : st == 2 ? 1.0f : 0.96f,
                               st == 1 ? 0.98f : st == 2 ? 0.92f : 0.96f,
                               st == 1 ? 0.93f : st == 2 ? 0.91f : 0.96f);
          HPDF_Page_Rectangle(w->page, x, w->y - rh[row], wid[c], rh[row]);
          HPDF_Page_Fill(w->page);
          pdf_status_rgb(w, st);
        }
        for (size_t i = 0; i < nl[row * nc + c]; i++) {
          float lw = pdf_text_w(w, f, size, l);
          float tx = b->align[c] == 'r' ? x + wid[c] - pad - lw
                     : b->align[c] == 'c' ? x + (wid[c] - lw) / 2
                                          : x + pad;
          pdf_draw_text(w, f, size, tx, w->y - pad - size - (float)i * lh + 1.5f, l);
          l += strlen(l) + 1;
        }
        HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
        x += wid[c];
      }
      HPDF_Page_SetRGBStroke(w->page, 0.78f, 0.8f, 0.84f);
      HPDF_Page_SetLineWidth(w->page, 0.4f);
      HPDF_Page_Rectangle(w->page, MARGIN, w->y - rh[row], tw, rh[row]);
      HPDF_Page_Stroke(w->page);
      w->y -= rh[row];
    }
  }
  w->y -= 10;
  for (size_t i = 0; i < b->nrows * nc; i++)
    strbuf_release(&wrapped[i]);
  free(wrapped);
  free(nl);
  free(rh);
  free(wid);
  free(minw);
}
