/* escape.h - make untrusted strings (endpoint names, scenario names, error
 * texts from k6 files) inert in every output format.
 *
 * Each function appends the escaped form of the NUL-terminated `s` to `sb`.
 * Control characters (CR, LF, TAB, ESC, ...) never pass through: a newline
 * would end a Markdown table row or a gnuplot command. Invalid UTF-8 is
 * replaced by U+FFFD where the format needs valid text (HTML, XML, PDF).
 */
#ifndef LOADREP_ESCAPE_H
#define LOADREP_ESCAPE_H
#include <stdio.h>
#include "util/strbuf.h"

/** Markdown text safe both inline and in a GFM table cell: backslash before
 *  every character that could start markup (\ ` * [ ] < > | & ~ !, '_' at a
 *  word boundary, and at the start "# ", "- ", "+ ", "1. ", "==="); control
 *  characters → space. Plain names (GET /api/x_y/{id}) stay readable. */
void esc_md(struct strbuf *sb, const char *s);

/** Markdown code span: `s` between enough backticks (padded with a space
 *  when it starts or ends with one), control chars → space, '|' escaped so
 *  it stays inside a table cell. */
void esc_md_code(struct strbuf *sb, const char *s);

/** HTML text and attribute values: & < > " ' as entities, control → space. */
void esc_html(struct strbuf *sb, const char *s);

/** XML 1.0 text and attributes: as HTML, and characters XML forbids dropped. */
void esc_xml(struct strbuf *sb, const char *s);

/** A gnuplot single-quoted string literal, quotes included: ' doubled,
 *  control characters → space. gnuplot never expands anything inside '...'. */
void esc_gnuplot(struct strbuf *sb, const char *s);

/** A field of a tab-separated gnuplot data file: tab, CR, LF and control
 *  characters → space, '"' → '\'' (gnuplot would take it as a quote), empty
 *  → "-". Data-file text is never command-substituted by gnuplot. */
void esc_tsv(struct strbuf *sb, const char *s);

/** Terminal text: control characters and ESC → '?'. */
void esc_term(struct strbuf *sb, const char *s);
/** Writes s to f as is (md 1: Markdown text the caller has escaped as it
 *  needs) or as terminal text (md 0, esc_term()). */
void esc_put(const char *s, int md, FILE *f);

/** Valid UTF-8 with no control characters (for PDF text): invalid bytes →
 *  U+FFFD, controls → space. */
void esc_utf8_clean(struct strbuf *sb, const char *s);

/** A safe file-name stem: [A-Za-z0-9._-] kept, others → '_', at most 60
 *  bytes, never starting with '.', never empty ("x"). */
void esc_filename(struct strbuf *sb, const char *s);

#endif
