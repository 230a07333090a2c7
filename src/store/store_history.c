#include <stdlib.h>

#include "store/sq.h"
#include "store/store.h"
#include "store/store_history.h"
#include "store/store_rows.h"
#include "util/err.h"

int store_baseline_set(struct store *st, const char *scenario, const char *env, int64_t run_id, const char *set_at,
                       struct err *err) {
  return sq_run(st, err, "cannot set the baseline",
                "INSERT INTO baselines (scenario, env, run_id, set_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scenario, env) DO UPDATE SET run_id = excluded.run_id, set_at = excluded.set_at",
                "ssis", scenario, env, run_id, set_at);
}

#define F(type, member) STORE_FIELD(type, struct store_baseline, member)
static const struct store_field baseline_fields[] = {F(SF_STR, scenario), F(SF_STR, env), F(SF_I64, run_id),
                                                     F(SF_STR, run_name), F(SF_STR, set_at)};
#undef F
STORE_SHAPE_FREE(baseline_shape, struct store_baseline, baseline_fields, store_baselines_free)

int store_baselines_list(struct store *st, const char *scenario, const char *env, struct store_baseline **out,
                         size_t *n, struct err *err) {
  return store_rows_query(st, err, &baseline_shape, "cannot read baselines", (void **)out, n,
                          "SELECT b.scenario, b.env, b.run_id, r.name, b.set_at FROM baselines b "
                          "JOIN runs r ON r.id = b.run_id WHERE (CAST(?1 AS TEXT) IS NULL OR b.scenario = ?1) "
                          "AND (CAST(?2 AS TEXT) IS NULL OR b.env = ?2) ORDER BY b.scenario, b.env",
                          "ss", scenario, env);
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
