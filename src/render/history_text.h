/* history_text.h - `loadrep history` as text (an aligned table) and as a
 * Markdown table, from the document history_build() returns
 * (analysis/history.h). Appends to out; never fails. */
#ifndef LOADREP_HISTORY_TEXT_H
#define LOADREP_HISTORY_TEXT_H
#include <jansson.h>

struct strbuf;

void history_render_text(json_t *h, struct strbuf *out);
void history_render_md(json_t *h, struct strbuf *out);

#endif
