/* jsonx.h - small jansson helpers, named for the direction they convert.
 *
 * Reading (JSON -> C): jx_num() and jx_str() never fail: a missing key or a
 * value of another type reads as NAN or "".
 * Writing (C -> JSON): jx_real_or_null(), jx_whole_or_real() and jx_strf()
 * return a new reference (json_null() for a value JSON cannot hold), ready
 * for json_object_set_new() / json_array_append_new().
 */
#ifndef LOADREP_JSONX_H
#define LOADREP_JSONX_H
#include <jansson.h>

/** The number at o[key] (integer or real), or NAN when absent or not a number. */
double jx_num(const json_t *o, const char *key);
/** The string at o[key], or "" when absent or not a string. Borrowed from o. */
const char *jx_str(const json_t *o, const char *key);

/** A JSON real, or null when v is NaN or infinite. */
json_t *jx_real_or_null(double v);
/** A JSON string formatted as printf() would. */
json_t *jx_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** A JSON integer when v is whole (|v| < 9e15), a real otherwise, null for NaN. */
json_t *jx_whole_or_real(double v);

/** Something that appends a rendering of a JSON document to out (text,
 *  Markdown) and never fails, e.g. compare_render_md (render/). */
struct strbuf;
typedef void jx_render_fn(json_t *doc, struct strbuf *out);

#endif
