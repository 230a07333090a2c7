/* k6_line.h - one Point line of k6's --out json (NDJSON), parsed.
 *
 * Two parsers fill struct k6_point: k6_fast_point() (src/ingest/k6_fast.c), a
 * validating fast path for the fixed shape k6 writes, and the jansson parser
 * in src/ingest/k6_ndjson.c, which handles everything else. They must agree on
 * every line the fast path accepts (tests/unit/test_k6_fast.c checks this).
 */
#ifndef LOADREP_K6_LINE_H
#define LOADREP_K6_LINE_H
#include <stddef.h>
#include <stdint.h>

struct k6_point {
  const char *metric; /* NOT NUL-terminated; points into the line */
  size_t metric_len;
  int64_t time_ns;    /* Unix epoch ns, from data.time (any zone) */
  double value;       /* data.value, exactly as strtod reads it */
  const char *tags;   /* raw text of the data.tags object, "{...}"; an */
  size_t tags_len;    /* intern key: equal text ⇒ equal tag set */
};

/** Returns 1 when `line` is a Point line in k6's usual shape and *p is
 *  filled; 0 when the line must go to the general (jansson) parser instead:
 *  the fast path never reports errors, it only declines. Accepts only:
 *  keys metric/type/data (any order at the top is NOT required: k6's order
 *  metric, type, data), data with time, value, tags and optional metadata,
 *  strings without backslash escapes in the metric name and time, a finite
 *  JSON number value. */
int k6_fast_point(const char *line, size_t len, struct k6_point *p);

#endif
