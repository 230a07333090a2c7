/* capacity_text.h - the capacity and bottleneck documents as text (md 0,
 * control characters replaced) or Markdown (md 1), printed to f. */
#ifndef LOADREP_CAPACITY_TEXT_H
#define LOADREP_CAPACITY_TEXT_H
#include <jansson.h>
#include <stdio.h>

/** capacity_build()'s document (analysis/capacity.h). */
void capacity_print(json_t *doc, int md, FILE *f);
/** bottleneck_build()'s document (analysis/bottleneck.h). */
void bottleneck_print(json_t *bn, int md, FILE *f);
/** The "caveats" list the capacity, bottleneck and soak documents end with
 *  (nothing when empty). */
void caveats_print(json_t *cav, int md, FILE *f);

#endif
