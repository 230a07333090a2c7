/* compare_render.h - the compare document (analysis/compare.h) as terminal
 * text and as Markdown (for --summary and the reports). */
#ifndef LOADREP_COMPARE_RENDER_H
#define LOADREP_COMPARE_RENDER_H
#include "util/jsonx.h"

/** Markdown: heading, load, findings, levels, capacity, objectives missed,
 *  warnings; every string escaped for Markdown. */
jx_render_fn compare_render_md;

/** Aligned plain text of the same, control characters made inert; ends
 *  with the verdict line. */
jx_render_fn compare_render_text;

#endif
