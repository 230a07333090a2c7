/* template.h - a small template language over a jansson value.
 *
 *   {{path}}                 a value, escaped for Markdown (render/escape.h)
 *   {{path|filter}}          formatted: ms s dur pct chg f0 f1 f2 f3 g3 int mb
 *                            passfail yesno code html raw json count sentence
 *   {{path?}}                the same, but a missing key gives null ("n/a")
 *   {{#each path}}…{{else}}…{{/each}}   arrays (objects: members, @key)
 *   {{#if path}}…{{else}}…{{/if}}, {{#unless path}}…{{/unless}}
 *   {{! comment }}
 *
 * A path is dot-separated keys (a key may hold any character but . | } ? and
 * spaces, so "p(95)" works). The first key is looked up in the innermost
 * loop item first, then outwards to the root; `this`/`.` is the loop item,
 * @index (from 0), @n (from 1), @key, @first, @last describe the loop, @root
 * the top. A path naming no key is an error "NAME:LINE: unknown variable
 * 'x'", so a typo never renders as empty. A line holding only a block tag
 * ({{#…}}, {{else}}, {{/…}}, {{!…}}) leaves no blank line behind.
 *
 * Number formats (all fixed, C locale): ms → "0.57" "15.94" "1234.5";
 * pct (a fraction) → "0.02%"; chg (already %) → "+12.3%"; null → "n/a".
 *
 * Usage: tmpl_parse() → tmpl_render() (any number of times) → tmpl_free().
 * Functions return 0, or -1 with err filled (LR_DATAERR for template
 * mistakes); none print.
 */
#ifndef LOADREP_TEMPLATE_H
#define LOADREP_TEMPLATE_H
#include <jansson.h>

#include "util/strbuf.h"

struct err;
struct tmpl;

/** Parses `text`; `name` is used in messages. *out is freed with tmpl_free(). */
int tmpl_parse(const char *name, const char *text, struct tmpl **out, struct err *err);
/** Appends the rendering of t over `root` to out (on error out holds a part). */
int tmpl_render(const struct tmpl *t, json_t *root, struct strbuf *out, struct err *err);
void tmpl_free(struct tmpl *t);

/** Parses and renders in one call. */
int tmpl_render_string(const char *name, const char *text, json_t *root, struct strbuf *out,
                       struct err *err);

/** Formats one number as filter `filter` would ("ms", "pct", ...); NAN → "n/a".
 *  Returns -1 for an unknown filter. Used by renderers outside templates. */
int tmpl_format_number(const char *filter, double v, struct strbuf *out);

/** The template NAME: DIR/NAME when template_dir is set and the file exists,
 *  else the one embedded in the binary (util/embedded.h). *text and *label
 *  (its path, for messages) are freed by the caller. */
int tmpl_load(const char *template_dir, const char *name, char **text, char **label, struct err *err);

/** The filter names, sorted (for tests that assert the order). */
extern const char *const tmpl_filter_names[];
extern const size_t tmpl_filter_count;

#endif
