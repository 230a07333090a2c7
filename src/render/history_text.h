/* history_text.h - `loadrep history` as text (an aligned table) and as a
 * Markdown table, from the document history_build() returns
 * (analysis/history.h). Appends to out; never fails. */
#ifndef LOADREP_HISTORY_TEXT_H
#define LOADREP_HISTORY_TEXT_H
#include "util/jsonx.h"

jx_render_fn history_render_text, history_render_md;

#endif
