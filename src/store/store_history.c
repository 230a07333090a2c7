#include <stdlib.h>

#include "store/store.h"
#include "store/store_history.h"
#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

int store_baseline_set(struct store *st, const char *scenario, const char *env, int64_t run_id, const char *set_at,
                       struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "INSERT INTO baselines (scenario, env, run_id, set_at) VALUES (?, ?, ?, ?) "
                                  "ON CONFLICT (scenario, env) DO UPDATE SET run_id = excluded.run_id, "
                                  "set_at = excluded.set_at",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, env, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, run_id);
  sqlite3_bind_text(s, 4, set_at, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot set the baseline");
}

void store_baselines_free(struct store_baseline *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(b[i].scenario);
    free(b[i].env);
    free(b[i].run_name);
    free(b[i].set_at);
  }
  free(b);
}

static int baseline_row(sqlite3_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_baseline *b = item;
  b->scenario = xstrdup(store_col_text(s, 0));
  b->env = xstrdup(store_col_text(s, 1));
  b->run_id = sqlite3_column_int64(s, 2);
  b->run_name = xstrdup(store_col_text(s, 3));
  b->set_at = xstrdup(store_col_text(s, 4));
  return 0;
}

static void baselines_release(void *b, size_t n) {
  store_baselines_free(b, n);
}

int store_baselines_list(struct store *st, const char *scenario, const char *env, struct store_baseline **out,
                         size_t *n, struct err *err) {
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT b.scenario, b.env, b.run_id, r.name, b.set_at FROM baselines b "
                                  "JOIN runs r ON r.id = b.run_id WHERE (?1 IS NULL OR b.scenario = ?1) "
                                  "AND (?2 IS NULL OR b.env = ?2) ORDER BY b.scenario, b.env",
                                  err);
  if (s && scenario)
    sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
  if (s && env)
    sqlite3_bind_text(s, 2, env, -1, SQLITE_TRANSIENT);
  return store_rows(st, s, sizeof **out, baseline_row, baselines_release, "cannot read baselines", (void **)out, n,
                    err);
}

int store_baselines_count(struct store *st, int64_t *n, struct err *err) {
  *n = 0;
  sqlite3_stmt *c = store_prepare(st, "SELECT count(*) FROM baselines", err);
  if (!c)
    return -1;
  if (sqlite3_step(c) == SQLITE_ROW)
    *n = sqlite3_column_int64(c, 0);
  sqlite3_finalize(c);
  return 0;
}

int store_baselines_clear(struct store *st, const char *scenario, const char *env, int *removed, struct err *err) {
  sqlite3_stmt *s = !scenario ? store_prepare(st, "DELETE FROM baselines", err)
                              : store_prepare(st, "DELETE FROM baselines WHERE scenario = ? AND env = ?", err);
  if (!s)
    return -1;
  if (scenario) {
    sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, env ? env : "", -1, SQLITE_TRANSIENT);
  }
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "cannot clear the baseline");
  if (removed)
    *removed = sqlite3_changes(st->db);
  return 0;
}

int store_check_record(struct store *st, int64_t run_id, int64_t baseline_id, const char *verdict,
                       const char *checked_at, struct err *err) {
  sqlite3_stmt *s = store_prepare(
      st, "INSERT INTO check_results (run_id, baseline_id, verdict, checked_at) VALUES (?, ?, ?, ?)", err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  if (baseline_id)
    sqlite3_bind_int64(s, 2, baseline_id);
  else
    sqlite3_bind_null(s, 2);
  sqlite3_bind_text(s, 3, verdict, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, checked_at, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : store_fail(st, err, "cannot record the check result");
}
