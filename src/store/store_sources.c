#include <stdlib.h>

#include "store/store.h"
#include "store/store_sources.h"
#include "util/err.h"
#include "util/xalloc.h"

int store_source_owner(struct store *st, const char *sha256, char **run, char **path, struct err *err) {
  *run = *path = NULL;
  sqlite3_stmt *q = store_prepare(st,
                                  "SELECT r.name, s.path FROM source_files s JOIN runs r ON r.id = s.run_id "
                                  "WHERE s.sha256 = ?",
                                  err);
  if (!q)
    return -1;
  sqlite3_bind_text(q, 1, sha256, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(q) == SQLITE_ROW) {
    *run = xstrdup(store_col_text(q, 0));
    *path = xstrdup(store_col_text(q, 1));
  }
  sqlite3_finalize(q);
  return 0;
}

int store_source_add(struct store *st, int64_t run_id, const struct store_source *f, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "INSERT INTO source_files (run_id, path, kind, size, sha256, lines, skipped) "
                                  "VALUES (?,?,?,?,?,?,?)",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_text(s, 2, f->path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, f->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 4, (sqlite3_int64)f->size);
  sqlite3_bind_text(s, 5, f->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 6, f->lines);
  sqlite3_bind_int64(s, 7, f->skipped);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "cannot record source file");
  return 0;
}
