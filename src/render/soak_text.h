/* soak_text.h - the soak document (analysis/soak.h) as text (md 0, control
 * characters replaced) or Markdown (md 1), printed to f. */
#ifndef LOADREP_SOAK_TEXT_H
#define LOADREP_SOAK_TEXT_H
#include <jansson.h>
#include <stdio.h>

void soak_print(json_t *doc, int md, FILE *f);

#endif
