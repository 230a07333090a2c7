/* store_sources.h - the files a run was ingested from (table source_files):
 * each with its kind, size, SHA-256 and line counts, so that a file
 * ingested twice is recognised.
 *
 * Plain C values in and out; 0 or -1 with *err filled. The SQL serves
 * both backends (store/sq.h).
 */
#ifndef LOADREP_STORE_SOURCES_H
#define LOADREP_STORE_SOURCES_H
#include <stdint.h>

struct store;
struct err;

/** One ingested file. */
struct store_source {
  const char *path;
  const char *kind;   /* "k6-ndjson", "pg-csvlog", "sys-wide-csv", ... */
  uint64_t size;      /* bytes as read (compressed when it was) */
  const char *sha256; /* 64 hex digits */
  int64_t lines, skipped;
};

/** The run and path a file with this SHA-256 was ingested as: *run and
 *  *path malloc'ed, both NULL when no file has it (or it cannot be read). */
int store_source_owner(struct store *st, const char *sha256, char **run, char **path, struct err *err);

/** Records a file of run_id. */
int store_source_add(struct store *st, int64_t run_id, const struct store_source *f, struct err *err);

#endif
