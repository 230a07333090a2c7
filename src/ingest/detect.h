/* detect.h - what kind of input a file is, from its content (never its name).
 *
 * k6 kinds are recognised here; system-metric kinds by sys_detect()
 * (sysmetrics.h), PostgreSQL kinds by pg_detect() (pglog.h). Whole-document JSON kinds need the parsed document.
 */
#ifndef LOADREP_DETECT_H
#define LOADREP_DETECT_H
#include <jansson.h>
#include <stddef.h>

enum input_kind {
  IN_UNKNOWN = 0,
  IN_K6_NDJSON,          /* --out json */
  IN_K6_CSV,             /* --out csv */
  IN_JSON_DOC,           /* a whole JSON document: see detect_json_doc() */
  IN_K6_SUMMARY_EXPORT,  /* --summary-export (legacy shape) */
  IN_K6_HANDLE_SUMMARY,  /* handleSummary(data) */
  IN_K6_MACHINE_SUMMARY, /* --new-machine-readable-summary */
  IN_SYS,                /* system metrics (sysmetrics.h) */
  IN_PG                  /* PostgreSQL logs and statistics exports (pglog.h: pg_detect) */
};

const char *input_kind_name(enum input_kind k);

/** Kind from the first bytes of the (decompressed) content: IN_K6_NDJSON,
 *  IN_K6_CSV, IN_JSON_DOC (to be refined), or IN_UNKNOWN. */
enum input_kind detect_head(const unsigned char *head, size_t n);

/** Refines a whole JSON document: a k6 summary kind, IN_SYS (Prometheus
 *  query_range), or IN_UNKNOWN. */
enum input_kind detect_json_doc(json_t *doc);

#endif
