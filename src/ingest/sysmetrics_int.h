/* sysmetrics_int.h - what the system-metrics parsers share
 * (sysmetrics.c: CSV and sadf; sys_prometheus.c). Not for other modules:
 * use sysmetrics.h. */
#ifndef LOADREP_SYSMETRICS_INT_H
#define LOADREP_SYSMETRICS_INT_H
#include <stddef.h>

struct err;
struct reader;
struct strbuf;
struct sys_sink;

/** 1 when the n bytes of s end with suffix. */
int sys_ends_with(const char *s, size_t n, const char *suffix);
/** A short printable copy of s for messages, in out. */
const char *sys_snip(const char *s, size_t n, char out[48]);
/** Number cell: 1 with *v set, 0 for a missing value (empty, NaN, Inf), -1
 *  when not a number. */
int sys_parse_value(const char *s, double *v);
/** Appends a label value with backslash, double quote and newline escaped. */
void sys_add_label_value(struct strbuf *sb, const char *v);

/** The Prometheus query_range / query JSON response in r. */
int sys_parse_prometheus(struct reader *r, const struct sys_sink *sink, struct err *err);

#endif
