/* pdf_blocks.c - the report's Markdown as the blocks the PDF draws
 * (cmark-gfm): headings, paragraphs, code, GFM tables, images, rules. */
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "render/escape.h"
#include "render/pdf_int.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct blk *pdf_blk_push(struct blocks *b, enum blk_kind k) {
  XGROW(b->v, b->cap, b->n + 1);
  struct blk *x = &b->v[b->n++];
  memset(x, 0, sizeof *x);
  x->kind = k;
  return x;
}

void pdf_blocks_release(struct blocks *b) {
  for (size_t i = 0; i < b->n; i++) {
    free(b->v[i].text);
    free(b->v[i].alt);
    for (size_t c = 0; c < b->v[i].nrows * b->v[i].ncols; c++)
      free(b->v[i].cells[c]);
    free(b->v[i].cells);
    free(b->v[i].align);
    free(b->v[i].strong);
  }
  free(b->v);
}

/* Flattens inline content to text (images are skipped: they become blocks). */
static void inline_text(cmark_node *n, struct strbuf *sb) {
  for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
    switch (cmark_node_get_type(c)) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
      esc_utf8_clean(sb, cmark_node_get_literal(c));
      break;
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
      strbuf_addch(sb, ' ');
      break;
    case CMARK_NODE_IMAGE:
    case CMARK_NODE_HTML_INLINE:
      break;
    default:
      inline_text(c, sb);
    }
  }
}

static int has_strong(cmark_node *n) {
  for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c))
    if (cmark_node_get_type(c) == CMARK_NODE_STRONG || has_strong(c))
      return 1;
  return 0;
}

static void images_of(cmark_node *n, struct blocks *out) {
  for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
    if (cmark_node_get_type(c) == CMARK_NODE_IMAGE) {
      struct blk *b = pdf_blk_push(out, B_IMAGE);
      b->text = xstrdup(cmark_node_get_url(c) ? cmark_node_get_url(c) : "");
      struct strbuf alt = STRBUF_INIT;
      inline_text(c, &alt);
      b->alt = strbuf_detach(&alt, NULL);
    } else if (cmark_node_first_child(c)) {
      images_of(c, out);
    }
  }
}

static void add_table(cmark_node *t, struct blocks *out) {
  size_t ncols = cmark_gfm_extensions_get_table_columns(t), nrows = 0;
  if (!ncols)
    return;
  for (cmark_node *r = cmark_node_first_child(t); r; r = cmark_node_next(r))
    nrows++;
  struct blk *b = pdf_blk_push(out, B_TABLE);
  b->ncols = ncols;
  b->nrows = nrows;
  b->cells = xcalloc(ncols * nrows, sizeof *b->cells);
  b->align = xcalloc(ncols, 1);
  b->strong = xcalloc(ncols * nrows, 1);
  uint8_t *al = cmark_gfm_extensions_get_table_alignments(t);
  for (size_t c = 0; c < ncols; c++)
    b->align[c] = al && al[c] ? (char)al[c] : 'l';
  size_t ri = 0;
  for (cmark_node *r = cmark_node_first_child(t); r; r = cmark_node_next(r), ri++) {
    size_t ci = 0;
    for (cmark_node *c = cmark_node_first_child(r); c && ci < ncols; c = cmark_node_next(c), ci++) {
      struct strbuf sb = STRBUF_INIT;
      inline_text(c, &sb);
      b->strong[ri * ncols + ci] = (unsigned char)has_strong(c);
      b->cells[ri * ncols + ci] = strbuf_detach(&sb, NULL);
    }
    for (; ci < ncols; ci++)
      b->cells[ri * ncols + ci] = xstrdup("");
  }
}

static void add_blocks(cmark_node *parent, struct blocks *out, int depth, int quote) {
  for (cmark_node *n = cmark_node_first_child(parent); n; n = cmark_node_next(n)) {
    cmark_node_type ty = cmark_node_get_type(n);
    const char *tys = cmark_node_get_type_string(n);
    if (tys && !strcmp(tys, "table")) {
      add_table(n, out);
      continue;
    }
    switch (ty) {
    case CMARK_NODE_HEADING: {
      struct blk *b = pdf_blk_push(out, B_HEADING);
      b->level = cmark_node_get_heading_level(n);
      struct strbuf sb = STRBUF_INIT;
      inline_text(n, &sb);
      b->text = strbuf_detach(&sb, NULL);
      break;
    }
    case CMARK_NODE_PARAGRAPH: {
      struct strbuf sb = STRBUF_INIT;
      inline_text(n, &sb);
      int blank = 1;
      for (const char *c = sb.buf; *c; c++)
        if (*c != ' ')
          blank = 0;
      if (!blank) {
        struct blk *b = pdf_blk_push(out, B_PARA);
        b->level = depth;
        b->quote = quote;
        b->text = strbuf_detach(&sb, NULL);
      }
      strbuf_release(&sb);
      images_of(n, out);
      break;
    }
    case CMARK_NODE_LIST: {
      int ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
      int num = cmark_node_get_list_start(n);
      for (cmark_node *it = cmark_node_first_child(n); it; it = cmark_node_next(it), num++) {
        size_t first = out->n;
        add_blocks(it, out, depth + 1, quote);
        if (first < out->n && out->v[first].kind == B_PARA) {
          struct strbuf sb = STRBUF_INIT;
          if (ordered)
            strbuf_addf(&sb, "%d. ", num);
          else
            strbuf_addstr(&sb, "\xe2\x80\xa2 ");
          strbuf_addstr(&sb, out->v[first].text);
          free(out->v[first].text);
          out->v[first].text = strbuf_detach(&sb, NULL);
        }
      }
      break;
    }
    case CMARK_NODE_BLOCK_QUOTE:
      add_blocks(n, out, depth, 1);
      break;
    case CMARK_NODE_CODE_BLOCK: {
      struct blk *b = pdf_blk_push(out, B_CODE);
      struct strbuf sb = STRBUF_INIT;
      /* Keep newlines, clean the rest. */
      const char *lit = cmark_node_get_literal(n);
      const char *s = lit ? lit : "";
      while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char *line = xstrndup(s, len);
        esc_utf8_clean(&sb, line);
        free(line);
        if (nl)
          strbuf_addch(&sb, '\n');
        s += len + (nl ? 1 : 0);
      }
      b->text = strbuf_detach(&sb, NULL);
      break;
    }
    case CMARK_NODE_THEMATIC_BREAK:
      pdf_blk_push(out, B_RULE);
      break;
    default:
      break; /* raw HTML is never rendered */
    }
  }
}

int pdf_md_blocks(const char *md, struct blocks *out) {
  cmark_gfm_core_extensions_ensure_registered();
  cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
  cmark_syntax_extension *table = cmark_find_syntax_extension("table");
  if (table)
    cmark_parser_attach_syntax_extension(p, table);
  cmark_parser_feed(p, md, strlen(md));
  cmark_node *doc = cmark_parser_finish(p);
  if (!doc) {
    cmark_parser_free(p);
    return -1;
  }
  add_blocks(doc, out, 0, 0);
  cmark_node_free(doc);
  cmark_parser_free(p);
  return 0;
}
