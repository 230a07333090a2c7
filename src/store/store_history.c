#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_history.h"
#include "store/store_rows.h"
#include "util/err.h"
#include "util/xalloc.h"

int store_baseline_set(struct store *st, const char *scenario, const char *env, int64_t run_id, const char *set_at,
                       struct err *err) {
  return sq_run(st, err, "cannot set the baseline",
                "INSERT INTO baselines (scenario, env, run_id, set_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scenario, env) DO UPDATE SET run_id = excluded.run_id, set_at = excluded.set_at",
                "ssis", scenario, env, run_id, set_at);
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

static int baseline_row(struct sq_stmt *s, void *item, struct err *err) {
  (void)err;
  struct store_baseline *b = item;
  b->scenario = xstrdup(sq_text(s, 0));
  b->env = xstrdup(sq_text(s, 1));
  b->run_id = sq_int64(s, 2);
  b->run_name = xstrdup(sq_text(s, 3));
  b->set_at = xstrdup(sq_text(s, 4));
  return 0;
}

static void baselines_release(void *b, size_t n) {
  store_baselines_free(b, n);
}

int store_baselines_list(struct store *st, const char *scenario, const char *env, struct store_baseline **out,
                         size_t *n, struct err *err) {
  struct sq_stmt *s = sq_query(st, err,
                               "SELECT b.scenario, b.env, b.run_id, r.name, b.set_at FROM baselines b "
                               "JOIN runs r ON r.id = b.run_id WHERE (CAST(?1 AS TEXT) IS NULL OR b.scenario = ?1) "
                               "AND (CAST(?2 AS TEXT) IS NULL OR b.env = ?2) ORDER BY b.scenario, b.env",
                               "ss", scenario, env);
  return store_rows(st, s, sizeof **out, baseline_row, baselines_release, "cannot read baselines", (void **)out, n,
                    err);
}

int store_baselines_count(struct store *st, int64_t *n, struct err *err) {
  return sq_int64_of(st, err, "cannot read baselines", 0, n, "SELECT count(*) FROM baselines", "");
}

int store_baselines_clear(struct store *st, const char *scenario, const char *env, int *removed, struct err *err) {
  if (sq_run(st, err, "cannot clear the baseline",
             "DELETE FROM baselines WHERE CAST(?1 AS TEXT) IS NULL OR (scenario = ?1 AND env = ?2)", "ss", scenario,
             env ? env : "") < 0)
    return -1;
  if (removed)
    *removed = (int)sq_changes(st);
  return 0;
}

int store_check_record(struct store *st, int64_t run_id, int64_t baseline_id, const char *verdict,
                       const char *checked_at, struct err *err) {
  return sq_run(st, err, "cannot record the check result",
                "INSERT INTO check_results (run_id, baseline_id, verdict, checked_at) "
                "VALUES (?1, NULLIF(?2, 0), ?3, ?4)",
                "iiss", run_id, baseline_id, verdict, checked_at);
}
