/* compare_render.h - the compare document (analysis/compare.h) as terminal
 * text and as Markdown (for --summary and the reports). */
#ifndef LOADREP_COMPARE_RENDER_H
#define LOADREP_COMPARE_RENDER_H
#include <jansson.h>

struct strbuf;

/** Markdown: heading, load, findings, levels, capacity, objectives missed,
 *  warnings; every string escaped for Markdown. */
void compare_render_md(json_t *cmp, struct strbuf *out);

/** Aligned plain text of the same, control characters made inert; ends
 *  with the verdict line. */
void compare_render_text(json_t *cmp, struct strbuf *out);

#endif
