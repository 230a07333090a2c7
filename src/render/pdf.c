#include <hpdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "render/escape.h"
#include "render/outfile.h"
#include "render/pdf.h"
#include "render/pdf_int.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* ---- layout ---- */

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user) {
  struct hpdf_ctx *c = user;
  if (!c->error_no) {
    c->error_no = error_no;
    c->detail_no = detail_no;
  }
}

/* Text as the font can show it: UTF-8, or ASCII with '?' for the rest. */
static const char *shown(struct pdfw *w, const char *s, struct strbuf *tmp) {
  if (w->utf8)
    return s;
  strbuf_reset(tmp);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p >= 0x80) {
      while ((p[1] & 0xc0) == 0x80)
        p++;
      strbuf_addch(tmp, '?');
    } else {
      strbuf_addch(tmp, (char)*p);
    }
  }
  return tmp->buf;
}

float pdf_text_w(struct pdfw *w, HPDF_Font f, float size, const char *s) {
  struct strbuf tmp = STRBUF_INIT;
  const char *t = shown(w, s, &tmp);
  HPDF_TextWidth tw = HPDF_Font_TextWidth(f, (const HPDF_BYTE *)t, (HPDF_UINT)strlen(t));
  strbuf_release(&tmp);
  return (float)tw.width * size / 1000.0f;
}

void pdf_draw_text(struct pdfw *w, HPDF_Font f, float size, float x, float y, const char *s) {
  struct strbuf tmp = STRBUF_INIT;
  HPDF_Page_BeginText(w->page);
  HPDF_Page_SetFontAndSize(w->page, f, size);
  HPDF_Page_TextOut(w->page, x, y, shown(w, s, &tmp));
  HPDF_Page_EndText(w->page);
  strbuf_release(&tmp);
}

static void footer(struct pdfw *w) {
  char buf[64];
  if (w->total)
    snprintf(buf, sizeof buf, "page %d of %d", w->pageno, w->total);
  else
    snprintf(buf, sizeof buf, "page %d", w->pageno);
  HPDF_Page_SetRGBFill(w->page, 0.45f, 0.45f, 0.45f);
  float tw = pdf_text_w(w, w->reg, 8, buf);
  pdf_draw_text(w, w->reg, 8, (PAGE_W - tw) / 2, MARGIN - 15, buf);
  HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
}

void pdf_new_page(struct pdfw *w) {
  w->page = HPDF_AddPage(w->pdf);
  HPDF_Page_SetSize(w->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
  w->pageno++;
  w->y = TOP;
  if (w->pageno > 1)
    footer(w);
}

void pdf_need(struct pdfw *w, float h) {
  if (w->y - h < BOTTOM)
    pdf_new_page(w);
}

/* Splits s into lines no wider than width. Returns a NUL-separated list in
 * out and the number of lines. Words wider than a line are broken. */
size_t pdf_wrap(struct pdfw *w, HPDF_Font f, float size, const char *s, float width,
                struct strbuf *out) {
  size_t nlines = 0;
  struct strbuf line = STRBUF_INIT, cand = STRBUF_INIT;
  const char *p = s;
  while (*p) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    const char *e = p;
    while (*e && *e != ' ')
      e++;
    strbuf_reset(&cand);
    strbuf_add(&cand, line.buf, line.len);
    if (line.len)
      strbuf_addch(&cand, ' ');
    strbuf_add(&cand, p, (size_t)(e - p));
    if (pdf_text_w(w, f, size, cand.buf) <= width) {
      strbuf_reset(&line);
      strbuf_add(&line, cand.buf, cand.len);
      p = e;
      continue;
    }
    if (line.len) { /* flush the line, retry the word on a new one */
      strbuf_add(out, line.buf, line.len + 1);
      nlines++;
      strbuf_reset(&line);
      continue;
    }
    /* A single word too wide: break it by characters. */
    const char *q = p;
    while (q < e) {
      const char *nx = q + 1;
      while (nx < e && (*(const unsigned char *)nx & 0xc0) == 0x80)
        nx++;
      strbuf_reset(&cand);
      strbuf_add(&cand, line.buf, line.len);
      strbuf_add(&cand, q, (size_t)(nx - q));
      if (line.len && pdf_text_w(w, f, size, cand.buf) > width) {
        strbuf_add(out, line.buf, line.len + 1);
        nlines++;
        strbuf_reset(&line);
        continue;
      }
      strbuf_add(&line, q, (size_t)(nx - q));
      q = nx;
    }
    p = e;
  }
  if (line.len || nlines == 0) {
    strbuf_add(out, line.buf, line.len + 1);
    nlines++;
  }
  strbuf_release(&line);
  strbuf_release(&cand);
  return nlines;
}

/* The status a text opens with (after a list bullet): 1 met (✓), 2 missed
 * (✗), 3 not judged (—); 0 none. *len is the symbol's length in bytes. */
int pdf_status_of(const char *s, size_t *len) {
  *len = 3;
  if (!strncmp(s, "\xe2\x9c\x93", 3))
    return 1;
  if (!strncmp(s, "\xe2\x9c\x97", 3))
    return 2;
  if (!strncmp(s, "\xe2\x80\x94 ", 4))
    return 3;
  return 0;
}

void pdf_status_rgb(struct pdfw *w, int st) {
  if (st == 1)
    HPDF_Page_SetRGBFill(w->page, 0.07f, 0.45f, 0.2f);
  else if (st == 2)
    HPDF_Page_SetRGBFill(w->page, 0.75f, 0.1f, 0.08f);
  else if (st == 3)
    HPDF_Page_SetRGBFill(w->page, 0.43f, 0.47f, 0.51f);
  else
    HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
}

static void draw_para(struct pdfw *w, HPDF_Font f, float size, float indent, const char *text,
                      int quote) {
  struct strbuf lines = STRBUF_INIT;
  float lh = size * 1.4f;
  float x = MARGIN + indent + (quote ? 10 : 0);
  size_t n = pdf_wrap(w, f, size, text, CONTENT_W - indent - (quote ? 10 : 0), &lines);
  const char *l = lines.buf;
  for (size_t i = 0; i < n; i++) {
    pdf_need(w, lh);
    if (quote) {
      HPDF_Page_SetRGBFill(w->page, 0.75f, 0.78f, 0.82f);
      HPDF_Page_Rectangle(w->page, MARGIN + indent, w->y - lh + 2, 3, lh);
      HPDF_Page_Fill(w->page);
      HPDF_Page_SetRGBFill(w->page, 0.3f, 0.33f, 0.36f);
    }
    /* A line opening with a status symbol (after the bullet) shows the
     * symbol in bold and its colour. */
    size_t bl = !strncmp(l, "\xe2\x80\xa2 ", 4) ? 4 : 0, sl;
    int st = i == 0 && !quote ? pdf_status_of(l + bl, &sl) : 0;
    if (st) {
      struct strbuf pre = STRBUF_INIT;
      strbuf_add(&pre, l, bl);
      pdf_draw_text(w, f, size, x, w->y - size, pre.buf);
      float px = x + pdf_text_w(w, f, size, pre.buf);
      strbuf_reset(&pre);
      strbuf_add(&pre, l + bl, sl);
      pdf_status_rgb(w, st);
      pdf_draw_text(w, w->bold, size, px, w->y - size, pre.buf);
      px += pdf_text_w(w, w->bold, size, pre.buf);
      HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
      pdf_draw_text(w, f, size, px, w->y - size, l + bl + sl);
      strbuf_release(&pre);
    } else {
      pdf_draw_text(w, f, size, x, w->y - size, l);
    }
    HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
    w->y -= lh;
    l += strlen(l) + 1;
  }
  w->y -= size * 0.6f;
  strbuf_release(&lines);
}

static void draw_heading(struct pdfw *w, const struct blk *b) {
  float size = b->level == 1 ? 18 : b->level == 2 ? 14 : 11.5f;
  float before = b->level == 1 ? 6 : 10;
  if (w->y < TOP)
    w->y -= before;
  /* Keep a heading with some of what follows. */
  pdf_need(w, size * 1.4f + (b->level <= 2 ? 120 : 70));
  if (b->level <= 2 && w->toc) {
    if (w->toc_next < w->ntoc) {
      struct toc_entry *e = &w->toc[w->toc_next++];
      e->page = w->pageno;
      e->dst = HPDF_Page_CreateDestination(w->page);
      if (e->dst)
        HPDF_Destination_SetFitH(e->dst, w->y + 14);
      /* The bookmark: Latin-1-safe text (the outline's encoding). */
      struct strbuf t = STRBUF_INIT;
      for (const unsigned char *p = (const unsigned char *)b->text; *p; p++) {
        if (*p >= 0x80) {
          while ((p[1] & 0xc0) == 0x80)
            p++;
          strbuf_addch(&t, '?');
        } else {
          strbuf_addch(&t, (char)*p);
        }
      }
      HPDF_Outline o = HPDF_CreateOutline(w->pdf, b->level == 1 || !w->out1 ? NULL : w->out1, t.buf, NULL);
      if (o && e->dst)
        HPDF_Outline_SetDestination(o, e->dst);
      if (o && b->level == 1) {
        w->out1 = o;
        HPDF_Outline_SetOpened(o, HPDF_TRUE);
      }
      strbuf_release(&t);
    }
  }
  struct strbuf lines = STRBUF_INIT;
  size_t n = pdf_wrap(w, w->bold, size, b->text, CONTENT_W, &lines);
  const char *l = lines.buf;
  HPDF_Page_SetRGBFill(w->page, 0.08f, 0.2f, 0.4f);
  for (size_t i = 0; i < n; i++) {
    pdf_draw_text(w, w->bold, size, MARGIN, w->y - size, l);
    w->y -= size * 1.3f;
    l += strlen(l) + 1;
  }
  HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
  if (b->level <= 2) {
    HPDF_Page_SetRGBStroke(w->page, 0.8f, 0.83f, 0.87f);
    HPDF_Page_SetLineWidth(w->page, b->level == 1 ? 1.2f : 0.6f);
    HPDF_Page_MoveTo(w->page, MARGIN, w->y + 2);
    HPDF_Page_LineTo(w->page, PAGE_W - MARGIN, w->y + 2);
    HPDF_Page_Stroke(w->page);
  }
  w->y -= 6;
  strbuf_release(&lines);
}

static void draw_code(struct pdfw *w, const char *text) {
  float size = 8, lh = 10.5f;
  const char *s = text;
  while (*s) {
    const char *nl = strchr(s, '\n');
    size_t len = nl ? (size_t)(nl - s) : strlen(s);
    char *line = xstrndup(s, len);
    struct strbuf lines = STRBUF_INIT;
    size_t n = pdf_wrap(w, w->mono, size, line, CONTENT_W - 12, &lines);
    const char *l = lines.buf;
    for (size_t i = 0; i < n; i++) {
      pdf_need(w, lh);
      HPDF_Page_SetRGBFill(w->page, 0.95f, 0.96f, 0.97f);
      HPDF_Page_Rectangle(w->page, MARGIN, w->y - lh, CONTENT_W, lh);
      HPDF_Page_Fill(w->page);
      HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
      pdf_draw_text(w, w->mono, size, MARGIN + 6, w->y - size, l);
      w->y -= lh;
      l += strlen(l) + 1;
    }
    strbuf_release(&lines);
    free(line);
    s += len + (nl ? 1 : 0);
  }
  w->y -= 8;
}

static void draw_image(struct pdfw *w, const struct blk *b) {
  /* charts/x.svg → charts/x.png; only plain relative paths. */
  const char *url = b->text;
  if (!url[0] || url[0] == '/' || strstr(url, "..") || strchr(url, ':'))
    return;
  struct strbuf path = STRBUF_INIT;
  strbuf_addf(&path, "%s/%s", w->o->base_dir ? w->o->base_dir : ".", url);
  if (path.len > 4 && !strcmp(path.buf + path.len - 4, ".svg"))
    memcpy(path.buf + path.len - 4, ".png", 4);
  HPDF_Image img = NULL;
  if (access(path.buf, R_OK) == 0) {
    img = HPDF_LoadPngImageFromFile(w->pdf, path.buf);
    if (!img) {
      HPDF_ResetError(w->pdf);
      w->ctx.error_no = 0;
    }
  }
  strbuf_release(&path);
  if (!img) {
    struct strbuf note = STRBUF_INIT;
    strbuf_addf(&note, "[chart not available: %s]", b->alt && *b->alt ? b->alt : url);
    draw_para(w, w->reg, 9, 0, note.buf, 1);
    strbuf_release(&note);
    return;
  }
  float iw = (float)HPDF_Image_GetWidth(img), ih = (float)HPDF_Image_GetHeight(img);
  float dw = CONTENT_W, dh = iw > 0 ? ih * dw / iw : 0;
  if (dh > TOP - BOTTOM) {
    dh = TOP - BOTTOM;
    dw = iw * dh / ih;
  }
  pdf_need(w, dh + 6);
  HPDF_Page_DrawImage(w->page, img, MARGIN, w->y - dh, dw, dh);
  w->y -= dh + 10;
}

static void draw_blocks(struct pdfw *w, const struct blocks *bs) {
  for (size_t i = 0; i < bs->n; i++) {
    const struct blk *b = &bs->v[i];
    switch (b->kind) {
    case B_NEWPART:
      if (w->pageno == 0 || w->y < TOP)
        pdf_new_page(w);
      break;
    case B_HEADING: draw_heading(w, b); break;
    case B_PARA:
      draw_para(w, w->reg, 9.5f, (float)(b->level > 0 ? (b->level - 1) * 14 + 6 : 0), b->text,
                b->quote);
      break;
    case B_CODE: draw_code(w, b->text); break;
    case B_TABLE: pdf_draw_table(w, b); break;
    case B_IMAGE: draw_image(w, b); break;
    case B_RULE:
      pdf_need(w, 12);
      HPDF_Page_SetRGBStroke(w->page, 0.8f, 0.8f, 0.8f);
      HPDF_Page_MoveTo(w->page, MARGIN, w->y - 6);
      HPDF_Page_LineTo(w->page, PAGE_W - MARGIN, w->y - 6);
      HPDF_Page_Stroke(w->page);
      w->y -= 12;
      break;
    }
  }
}

static void title_page(struct pdfw *w) {
  pdf_new_page(w);
  HPDF_Page_SetRGBFill(w->page, 0.08f, 0.2f, 0.4f);
  HPDF_Page_Rectangle(w->page, 0, PAGE_H - 260, PAGE_W, 8);
  HPDF_Page_Fill(w->page);
  struct strbuf lines = STRBUF_INIT;
  struct strbuf clean = STRBUF_INIT;
  esc_utf8_clean(&clean, w->o->title ? w->o->title : "Load test report");
  size_t n = pdf_wrap(w, w->bold, 26, clean.buf, CONTENT_W, &lines);
  float y = PAGE_H - 310;
  const char *l = lines.buf;
  for (size_t i = 0; i < n; i++, y -= 32) {
    pdf_draw_text(w, w->bold, 26, MARGIN, y, l);
    l += strlen(l) + 1;
  }
  HPDF_Page_SetRGBFill(w->page, 0.25f, 0.28f, 0.32f);
  y -= 16;
  for (const char *const *s = w->o->subtitle; s && *s; s++) {
    strbuf_reset(&clean);
    strbuf_reset(&lines);
    esc_utf8_clean(&clean, *s);
    n = pdf_wrap(w, w->reg, 12, clean.buf, CONTENT_W, &lines);
    l = lines.buf;
    for (size_t i = 0; i < n; i++, y -= 17) {
      pdf_draw_text(w, w->reg, 12, MARGIN, y, l);
      l += strlen(l) + 1;
    }
  }
  HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
  strbuf_release(&lines);
  strbuf_release(&clean);
}

#define TOC_LINES_PER_PAGE 40

static void toc_pages(struct pdfw *w) {
  for (int p = 0; p < w->toc_pages; p++) {
    pdf_new_page(w);
    if (p == 0) {
      struct blk h = {.kind = B_HEADING, .level = 1, .text = (char *)"Contents"};
      struct toc_entry *save = w->toc;
      w->toc = NULL; /* "Contents" is not an entry itself */
      draw_heading(w, &h);
      w->toc = save;
    }
    for (size_t i = (size_t)p * TOC_LINES_PER_PAGE;
         i < w->ntoc && i < (size_t)(p + 1) * TOC_LINES_PER_PAGE; i++) {
      const struct toc_entry *e = &w->toc[i];
      float indent = e->level == 1 ? 0 : 16, size = e->level == 1 ? 11 : 10;
      HPDF_Font f = e->level == 1 ? w->bold : w->reg;
      char num[16];
      snprintf(num, sizeof num, "%d", e->page);
      float nw = pdf_text_w(w, w->reg, size, num);
      struct strbuf lines = STRBUF_INIT;
      pdf_wrap(w, f, size, e->text, CONTENT_W - indent - 40, &lines);
      if (e->page)
        HPDF_Page_SetRGBFill(w->page, 0.04f, 0.35f, 0.75f); /* a link */
      pdf_draw_text(w, f, size, MARGIN + indent, w->y - size, lines.buf); /* first line only */
      HPDF_Page_SetRGBFill(w->page, 0, 0, 0);
      if (e->page)
        pdf_draw_text(w, w->reg, size, PAGE_W - MARGIN - nw, w->y - size, num);
      w->toc[i].toc_page = w->page;
      w->toc[i].toc_y0 = w->y - size * 1.4f;
      w->toc[i].toc_y1 = w->y + 1;
      w->y -= size * 1.6f;
      strbuf_release(&lines);
    }
  }
}

static const char *font_dir(const struct pdf_opts *o) {
  if (o->font_dir)
    return o->font_dir;
  const char *e = getenv("LOADREP_FONT_DIR");
  return e && *e ? e : "/usr/share/fonts/truetype/dejavu";
}

static int setup(struct pdfw *w, const struct pdf_opts *o, struct err *err) {
  memset(&w->ctx, 0, sizeof w->ctx);
  w->pdf = HPDF_New(on_hpdf_error, &w->ctx);
  if (!w->pdf)
    return err_set(err, LR_SOFTWARE, "libharu: cannot create a PDF document");
  HPDF_SetCompressionMode(w->pdf, HPDF_COMP_ALL);
  const char *dir = font_dir(o);
  struct strbuf reg = STRBUF_INIT, bold = STRBUF_INIT, mono = STRBUF_INIT;
  strbuf_addf(&reg, "%s/DejaVuSans.ttf", dir);
  strbuf_addf(&bold, "%s/DejaVuSans-Bold.ttf", dir);
  strbuf_addf(&mono, "%s/DejaVuSansMono.ttf", dir);
  w->utf8 = access(reg.buf, R_OK) == 0 && access(bold.buf, R_OK) == 0 &&
            access(mono.buf, R_OK) == 0;
  if (w->utf8) {
    HPDF_UseUTFEncodings(w->pdf);
    HPDF_SetCurrentEncoder(w->pdf, "UTF-8");
    const char *rn = HPDF_LoadTTFontFromFile(w->pdf, reg.buf, HPDF_TRUE);
    const char *bn = HPDF_LoadTTFontFromFile(w->pdf, bold.buf, HPDF_TRUE);
    const char *mn = HPDF_LoadTTFontFromFile(w->pdf, mono.buf, HPDF_TRUE);
    if (rn && bn && mn) {
      w->reg = HPDF_GetFont(w->pdf, rn, "UTF-8");
      w->bold = HPDF_GetFont(w->pdf, bn, "UTF-8");
      w->mono = HPDF_GetFont(w->pdf, mn, "UTF-8");
    }
    if (!w->reg || !w->bold || !w->mono) {
      w->utf8 = 0;
      HPDF_ResetError(w->pdf);
      w->ctx.error_no = 0;
    }
  }
  if (!w->utf8) {
    w->reg = HPDF_GetFont(w->pdf, "Helvetica", NULL);
    w->bold = HPDF_GetFont(w->pdf, "Helvetica-Bold", NULL);
    w->mono = HPDF_GetFont(w->pdf, "Courier", NULL);
  }
  strbuf_release(&reg);
  strbuf_release(&bold);
  strbuf_release(&mono);
  struct strbuf t = STRBUF_INIT;
  for (const char *p = o->title ? o->title : "loadrep report"; *p; p++)
    strbuf_addch(&t, (*p >= 0x20 && *p < 0x7f) ? *p : '?');
  HPDF_SetInfoAttr(w->pdf, HPDF_INFO_TITLE, t.buf);
  HPDF_SetInfoAttr(w->pdf, HPDF_INFO_CREATOR, "loadrep");
  HPDF_SetInfoAttr(w->pdf, HPDF_INFO_PRODUCER, "loadrep with libharu");
  strbuf_release(&t);
  if (o->epoch >= 0) {
    time_t tt = (time_t)o->epoch;
    struct tm tm;
    gmtime_r(&tt, &tm);
    HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                   tm.tm_sec, 'Z', 0, 0};
    HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_MOD_DATE, d);
  }
  if (w->ctx.error_no)
    return err_set(err, LR_SOFTWARE, "libharu: error 0x%04X (detail %u) setting up the PDF",
                   (unsigned)w->ctx.error_no, (unsigned)w->ctx.detail_no);
  return 0;
}

static int layout(struct pdfw *w, const struct blocks *bs, struct err *err) {
  w->pageno = 0;
  w->toc_next = 0;
  w->out1 = NULL;
  for (size_t i = 0; i < w->ntoc; i++) {
    w->toc[i].dst = NULL;
    w->toc[i].toc_page = NULL;
  }
  title_page(w);
  toc_pages(w);
  draw_blocks(w, bs);
  /* The contents lines link to their headings. */
  for (size_t i = 0; i < w->ntoc; i++) {
    const struct toc_entry *e = &w->toc[i];
    if (!e->toc_page || !e->dst)
      continue;
    HPDF_Rect r = {MARGIN, e->toc_y0, PAGE_W - MARGIN, e->toc_y1};
    HPDF_Annotation a = HPDF_Page_CreateLinkAnnot(e->toc_page, r, e->dst);
    if (a)
      HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
  }
  HPDF_SetPageMode(w->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
  if (w->ctx.error_no)
    return err_set(err, LR_SOFTWARE, "libharu: error 0x%04X (detail %u) laying out the PDF",
                   (unsigned)w->ctx.error_no, (unsigned)w->ctx.detail_no);
  return 0;
}

int pdf_write(const struct pdf_opts *o, const char *const *md, size_t n, const char *path,
              struct err *err) {
  struct blocks bs = {0};
  for (size_t i = 0; i < n; i++) {
    pdf_blk_push(&bs, B_NEWPART);
    if (pdf_md_blocks(md[i], &bs) < 0) {
      pdf_blocks_release(&bs);
      return err_set(err, LR_SOFTWARE, "cmark-gfm could not parse the report");
    }
  }
  struct pdfw w;
  memset(&w, 0, sizeof w);
  w.o = o;
  for (size_t i = 0; i < bs.n; i++) {
    if (bs.v[i].kind == B_HEADING && bs.v[i].level <= 2) {
      XGROW(w.toc, w.toc_cap, w.ntoc + 1);
      w.toc[w.ntoc++] = (struct toc_entry){bs.v[i].level, bs.v[i].text, 0, NULL, NULL, 0, 0};
    }
  }
  w.toc_pages = (int)((w.ntoc + TOC_LINES_PER_PAGE - 1) / TOC_LINES_PER_PAGE);
  if (w.toc_pages == 0)
    w.toc_pages = 1;
  /* Pass 1 finds the page of every heading and the page count; pass 2
   * draws with both known. The layout is the same in both passes. */
  int rc = setup(&w, o, err);
  if (rc == 0)
    rc = layout(&w, &bs, err);
  int total = w.pageno;
  if (w.pdf)
    HPDF_Free(w.pdf);
  w.pdf = NULL;
  if (rc == 0) {
    w.total = total;
    rc = setup(&w, o, err);
    if (rc == 0)
      rc = layout(&w, &bs, err);
  }
  if (rc == 0) {
    struct strbuf tmp = STRBUF_INIT;
    strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    if (HPDF_SaveToFile(w.pdf, tmp.buf) != HPDF_OK) {
      rc = err_set(err, LR_CANTCREAT, "cannot write '%s' (libharu error 0x%04X)", path,
                   (unsigned)w.ctx.error_no);
      unlink(tmp.buf);
    } else {
      rc = outfile_commit(tmp.buf, path, err);
    }
    strbuf_release(&tmp);
  }
  if (w.pdf)
    HPDF_Free(w.pdf);
  free(w.toc);
  pdf_blocks_release(&bs);
  return rc;
}
