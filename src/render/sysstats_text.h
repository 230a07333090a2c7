/* sysstats_text.h - the "system" array of `show` (analysis/sysstats.h) as a
 * readable table. */
#ifndef LOADREP_SYSSTATS_TEXT_H
#define LOADREP_SYSSTATS_TEXT_H
#include <jansson.h>
#include <stdio.h>

/** Writes the array as a readable table for `show` (nothing when empty).
 *  Bytes are shown in KiB/MiB/GiB, percentages with one decimal. */
void sysstats_print_text(json_t *system, FILE *f);

#endif
