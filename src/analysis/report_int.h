/* report_int.h - what the files of the report model share (report_targets.c,
 * report_acceptance.c); nothing else includes it.
 */
#ifndef LOADREP_REPORT_INT_H
#define LOADREP_REPORT_INT_H
#include <stddef.h>

/** v in the templates' number formats (render/template.h): "ms" (2/1/0
 *  decimals by size), "f0", "f1", "pct" ("0.002%", never "0.00%" for a
 *  non-zero value); "n/a" when v is not finite. Written into buf. */
const char *report_fmt(char *buf, size_t n, const char *f, double v);
/** report_fmt() into a buffer that lives to the end of the full expression. */
#define F(f, v) report_fmt((char[48]){0}, 48, f, v)

#endif
