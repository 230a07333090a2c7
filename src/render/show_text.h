/* show_text.h - `loadrep show` as readable text and as Markdown, from the
 * document show_build() returns (analysis/show.h). */
#ifndef LOADREP_SHOW_TEXT_H
#define LOADREP_SHOW_TEXT_H
#include <jansson.h>
#include <stdio.h>

struct strbuf;

/** Prints the document as readable text (control characters stripped);
 *  color adds terminal attributes. */
void show_print_text(json_t *doc, FILE *f, int color);

/** Appends the document as Markdown (strings escaped). */
void show_render_md(json_t *doc, struct strbuf *out);

#endif
