#include <stddef.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_sources.h"
#include "util/err.h"
#include "store/store_rows.h"

static const char owner_sql[] =
    "SELECT r.name, s.path FROM source_files s JOIN runs r ON r.id = s.run_id WHERE s.sha256 = ?";

int store_source_owner(struct store *st, const char *sha256, char **run, char **path, struct err *err) {
  *run = *path = NULL;
  return store_scan_first(st, sq_query(st, err, owner_sql, "s", sha256), NULL, err, "ss", run, path);
}

int store_source_add(struct store *st, int64_t run_id, const struct store_source *f, struct err *err) {
  return sq_run(st, err, "cannot record source file",
                "INSERT INTO source_files (run_id, path, kind, size, sha256, lines, skipped) VALUES (?,?,?,?,?,?,?)",
                "issisii", run_id, f->path, f->kind, (int64_t)f->size, f->sha256, (int64_t)f->lines,
                (int64_t)f->skipped);
}
