/* db_text.h - show's "database" object (analysis/dbevidence.h) as text and
 * Markdown. */
#ifndef LOADREP_DB_TEXT_H
#define LOADREP_DB_TEXT_H
#include <jansson.h>
#include <stdio.h>

struct strbuf;

/** A short "database" section for show's text and Markdown (SQL text is
 *  escaped: control characters never reach the terminal, Markdown markup
 *  is inert). Both do nothing when db is NULL. */
void db_evidence_print_text(json_t *db, FILE *f);
void db_evidence_render_md(json_t *db, struct strbuf *out);

#endif
