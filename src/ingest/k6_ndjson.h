/* k6_ndjson.h - reads k6's `--out json` NDJSON (plain or gzip) into a k6_agg.
 *
 * Each line is one JSON object: a Metric declaration or a Point. Point lines
 * in k6's usual shape take the fast path (k6_line.h); every other line goes
 * through jansson. Lines k6 itself writes as invalid JSON (a `+Inf`/`NaN`
 * value, k6 v0.x) are skipped and counted; any other invalid line is an error
 * "file:line:col: …" (LR_DATAERR).
 */
#ifndef LOADREP_K6_NDJSON_H
#define LOADREP_K6_NDJSON_H
#include <stdint.h>

struct reader;
struct k6_agg;
struct err;

struct ndjson_stats {
  long lines;
  long skipped_nonfinite; /* +Inf / -Inf / NaN values */
  long fast;              /* lines taken by the fast path */
};

/** Called now and then with the reader, for progress lines. */
typedef void (*progress_fn)(void *ctx, const struct reader *r);

int k6_ndjson_read(struct reader *r, struct k6_agg *a, struct ndjson_stats *stats, progress_fn progress,
                   void *progress_ctx, struct err *err);

/** Parses one line with jansson (the general path); exposed for tests. */
int k6_ndjson_line(const char *path, long lineno, const char *line, size_t len, struct k6_agg *a,
                   struct ndjson_stats *stats, struct err *err);

#endif
