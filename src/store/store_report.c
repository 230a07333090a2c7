/* store_report.c - what `loadrep report` reads (store/store_report.h). */
#include <stdlib.h>

#include "store/store_report.h"
#include "store/store_rows.h"
#include "util/xalloc.h"

static int id_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  *(int64_t *)item = sq_int64(q, 0);
  return 0;
}

static void free_plain(void *items, size_t n) {
  (void)n;
  free(items);
}

int store_report_latest_runs(struct store *st, int64_t **ids, size_t *n, struct err *err) {
  struct sq_stmt *q = sq_prepare(st,
                                 "SELECT (SELECT r.id FROM runs r WHERE r.scenario = g.scenario AND r.env = g.env "
                                 "ORDER BY r.start_ts DESC NULLS LAST, r.id DESC LIMIT 1) "
                                 "FROM (SELECT scenario, env FROM runs GROUP BY scenario, env) g "
                                 "ORDER BY g.scenario, g.env",
                                 err);
  return store_rows(st, q, sizeof **ids, id_row, free_plain, "reading the latest run of each scenario", (void **)ids,
                    n, err);
}

static int vus_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_vus_point *p = item;
  p->t = sq_double(q, 0);
  p->vus = sq_double(q, 1);
  return 0;
}

int store_report_vus_points(struct store *st, int64_t run_id, struct store_vus_point **rows, size_t *n,
                            struct err *err) {
  return store_rows_of_id(st,
                          "SELECT t, vus FROM buckets WHERE run_id = ? AND endpoint_id IS NULL "
                          "AND vus IS NOT NULL ORDER BY t",
                          run_id, sizeof **rows, vus_row, free_plain, "reading the run's VUs", (void **)rows, n, err);
}

static int verdict_row(struct sq_stmt *q, void *item, struct err *err) {
  (void)err;
  struct store_check_verdict *v = item;
  v->run = xstrdup(sq_text(q, 0));
  v->baseline = xstrdup(sq_text(q, 1));
  v->verdict = xstrdup(sq_text(q, 2));
  return 0;
}

void store_check_verdicts_free(struct store_check_verdict *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(rows[i].run);
    free(rows[i].baseline);
    free(rows[i].verdict);
  }
  free(rows);
}

static void verdicts_release(void *items, size_t n) { store_check_verdicts_free(items, n); }

int store_report_check_verdicts(struct store *st, struct store_check_verdict **rows, size_t *n, struct err *err) {
  struct sq_stmt *q = sq_prepare(st,
                                 "SELECT r.name, b.name, c.verdict FROM check_results c JOIN runs r ON r.id = c.run_id "
                                 "LEFT JOIN runs b ON b.id = c.baseline_id ORDER BY c.rowid",
                                 err);
  return store_rows(st, q, sizeof **rows, verdict_row, verdicts_release, "reading the recorded checks",
                    (void **)rows, n, err);
}
