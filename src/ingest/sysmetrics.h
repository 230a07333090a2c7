/* sysmetrics.h - system metrics of the machine under test: detection and
 * parsing of the four file kinds loadrep ingests beside the k6 results.
 *
 * Kinds (detected from content, never from the file name):
 *  - SYS_WIDE_CSV: a header with a time column and one column per metric, the
 *    shape `loadrep sysmon` writes. Time columns are named timestamp, time,
 *    ts, datetime, epoch, epoch_s, epoch_ms, unix, unix_s, unix_ms or
 *    unix_time (case-insensitive); the first one gives the sample time, none
 *    of them is a series. Its cells are ISO-8601 with a zone ("Z", "+01:00",
 *    " UTC") or epoch seconds with decimals (milliseconds when the column
 *    name ends in _ms; else s, ms, µs or ns by magnitude, as k6 CSV times
 *    are read: epoch_unit_digits()). A timestamp without a
 *    zone is refused. A column named host or hostname gives the host (else
 *    ""); every other column is a series named after it. Empty and "NaN"
 *    cells are missing values, not zeros.
 *  - SYS_LONG_CSV: columns timestamp, host, metric, value in any order
 *    (metric may be spelt series; host and an optional unit column may be
 *    absent). One value per line.
 *  - SYS_SADF: sysstat `sadf -d` (semicolons, a "# hostname;interval;
 *    timestamp;..." header before each activity). Columns whose header is all
 *    capitals (CPU, IFACE, DEV, ...) are labels: the series is the column
 *    name plus them, e.g. `%user{cpu="all"}`, `rxkB/s{iface="eth0"}` (CPU -1
 *    is "all"). The host is the hostname column. LINUX-RESTART and COM
 *    records are skipped.
 *  - SYS_PROMETHEUS: a `/api/v1/query_range` (matrix) or `/api/v1/query`
 *    (vector) response. One series per result: `__name__` (else the file's
 *    base name without .json/.gz) plus its other labels sorted by key, as
 *    `name{k="v",...}` with Prometheus escaping. The labels instance and job
 *    are left out when they have the same value in every result of the file
 *    (they add nothing there and would make every name long); when they
 *    tell results apart (e.g. `up` of two targets) they stay. The host is
 *    "". Values "NaN", "+Inf" and "-Inf" are skipped without an error.
 *
 * Units (sys_infer_unit) come from the name: "percent", "bytes",
 * "bytes/s", "per-second", "seconds", "count" or "" (unknown). Sizes in
 * kB (/proc's and sysstat's kB are KiB) are converted to bytes (x1024) and
 * stored with unit "bytes", so that /proc's `sut_rss_kb` and Prometheus'
 * `process_resident_memory_bytes` compare directly; the series keeps its
 * name (e.g. `sut_rss_kb`, unit bytes).
 */
#ifndef LOADREP_SYSMETRICS_H
#define LOADREP_SYSMETRICS_H
#include <stddef.h>

struct err;
struct reader;

enum sys_kind { SYS_NONE = 0, SYS_WIDE_CSV, SYS_LONG_CSV, SYS_SADF, SYS_PROMETHEUS };

/** Detects a system-metrics file from the start of its (decompressed)
 *  content; SYS_NONE when it is none of them (k6's own CSV, with its
 *  metric_name column, is SYS_NONE). */
enum sys_kind sys_detect(const unsigned char *head, size_t n);

/** "sys-wide-csv", "sys-long-csv", "sadf", "prometheus" ("none" for SYS_NONE). */
const char *sys_kind_name(enum sys_kind k);

/** Receives every value parsed. Strings are valid only during the call.
 *  A non-zero return stops the parse and is passed up (err filled). */
struct sys_sink {
  void *ctx;
  int (*sample)(void *ctx, const char *host, const char *series, const char *unit, double ts_epoch_s,
                double value, struct err *err);
};

/** Parses a whole file from r (already opened, maybe peeked) and calls
 *  sink->sample per value (finite values only, already scaled to the unit).
 *  Errors: LR_DATAERR "path:line:col: what was wrong, what was expected"
 *  (Prometheus structure errors name the JSON path instead of line:col). */
int sys_parse(struct reader *r, enum sys_kind kind, const struct sys_sink *sink, struct err *err);

/** The unit of a series from its name (labels "{...}" ignored) and the
 *  factor its values are multiplied by to be in that unit (1024 for kB). */
const char *sys_infer_unit(const char *name, double *scale);

#endif
