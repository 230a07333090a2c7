#include <stdlib.h>
#include <string.h>

#include "render/escape.h"
#include "render/table.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

void table_init(struct table *t, size_t ncols, const char *const *head, const enum table_align *align) {
  memset(t, 0, sizeof *t);
  t->ncols = ncols;
  t->head = xcalloc(ncols, sizeof *t->head);
  t->align = xcalloc(ncols, sizeof *t->align);
  for (size_t k = 0; k < ncols; k++) {
    t->head[k] = xstrdup(head[k]);
    t->align[k] = align ? align[k] : TABLE_LEFT;
  }
}

void table_row(struct table *t, const char *const *cells, int strong) {
  if (t->nrows == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 16;
    t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
    t->strong = xrealloc(t->strong, t->cap * sizeof *t->strong);
  }
  for (size_t k = 0; k < t->ncols; k++)
    t->cells[t->nrows * t->ncols + k] = xstrdup(cells[k] ? cells[k] : "");
  t->strong[t->nrows++] = strong;
}

void table_release(struct table *t) {
  for (size_t k = 0; k < t->ncols; k++)
    free(t->head[k]);
  for (size_t i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->head);
  free(t->align);
  free(t->cells);
  free(t->strong);
  memset(t, 0, sizeof *t);
}

/* Display width of UTF-8 text: code points, not bytes. */
static size_t width_of(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

static void pad_cell(struct strbuf *out, const char *s, size_t width, enum table_align a, int last) {
  struct strbuf e = STRBUF_INIT;
  esc_term(&e, s);
  size_t w = width_of(e.buf), pad = width > w ? width - w : 0;
  if (a == TABLE_RIGHT)
    for (size_t i = 0; i < pad; i++)
      strbuf_addch(out, ' ');
  strbuf_addstr(out, e.buf);
  if (a == TABLE_LEFT && !last)
    for (size_t i = 0; i < pad; i++)
      strbuf_addch(out, ' ');
  strbuf_addstr(out, last ? "\n" : "  ");
  strbuf_release(&e);
}

void table_text(const struct table *t, struct strbuf *out) {
  size_t *w = xcalloc(t->ncols, sizeof *w);
  for (size_t k = 0; k < t->ncols; k++) {
    w[k] = width_of(t->head[k]);
    for (size_t i = 0; i < t->nrows; i++) {
      size_t c = width_of(t->cells[i * t->ncols + k]);
      w[k] = c > w[k] ? c : w[k];
    }
  }
  for (size_t k = 0; k < t->ncols; k++)
    pad_cell(out, t->head[k], w[k], t->align[k], k + 1 == t->ncols);
  for (size_t i = 0; i < t->nrows; i++)
    for (size_t k = 0; k < t->ncols; k++)
      pad_cell(out, t->cells[i * t->ncols + k], w[k], t->align[k], k + 1 == t->ncols);
  free(w);
}

void table_md(const struct table *t, struct strbuf *out) {
  strbuf_addch(out, '|');
  for (size_t k = 0; k < t->ncols; k++) {
    strbuf_addch(out, ' ');
    esc_md(out, t->head[k]);
    strbuf_addstr(out, " |");
  }
  strbuf_addstr(out, "\n|");
  for (size_t k = 0; k < t->ncols; k++)
    strbuf_addstr(out, t->align[k] == TABLE_RIGHT ? "---:|" : "---|");
  strbuf_addch(out, '\n');
  for (size_t i = 0; i < t->nrows; i++) {
    strbuf_addch(out, '|');
    for (size_t k = 0; k < t->ncols; k++) {
      int strong = t->strong[i] && k + 1 == t->ncols && *t->cells[i * t->ncols + k];
      strbuf_addch(out, ' ');
      if (strong)
        strbuf_addstr(out, "**");
      esc_md(out, t->cells[i * t->ncols + k]);
      if (strong)
        strbuf_addstr(out, "**");
      strbuf_addstr(out, " |");
    }
    strbuf_addch(out, '\n');
  }
}
