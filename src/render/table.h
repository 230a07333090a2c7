/* table.h - one table, rendered as aligned terminal text or as Markdown.
 *
 * Cells are copied in; every string is escaped for its output (control
 * characters made inert on a terminal, Markdown metacharacters escaped).
 */
#ifndef LOADREP_TABLE_H
#define LOADREP_TABLE_H
#include <stddef.h>

struct strbuf;

enum table_align { TABLE_LEFT, TABLE_RIGHT };

struct table {
  size_t ncols, nrows;
  char **head;
  enum table_align *align;
  char **cells;   /* nrows x ncols */
  int *strong;    /* per row: the last cell in bold (Markdown) */
  size_t cap;
};

/** A table of ncols columns: headers and alignment. */
void table_init(struct table *t, size_t ncols, const char *const *head, const enum table_align *align);
/** Appends a row of ncols cells (NULL = empty). strong: bold last cell in Markdown. */
void table_row(struct table *t, const char *const *cells, int strong);
void table_release(struct table *t);

/** Aligned columns, two spaces apart, headers first. */
void table_text(const struct table *t, struct strbuf *out);
/** A GitHub-flavoured Markdown table. */
void table_md(const struct table *t, struct strbuf *out);

#endif
