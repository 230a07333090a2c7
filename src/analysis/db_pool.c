/* db_pool.c - connection-pool exhaustion (soak): the pool series, the
 * floor of connections in use and what was served after it filled. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dbevidence.h"
#include "analysis/dbevidence_int.h"
#include "stats/trend.h"
#include "store/store.h"
#include "store/store_levels.h"
#include "util/err.h"
#include "util/jsonx.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

/* ----------------------------------------------------------------- pool */

void db_find_pool_series(struct series_set *ss, struct series *p[P_N]) {
  memset(p, 0, P_N * sizeof *p);
  for (size_t i = 0; i < ss->n; i++) {
    char base[256], state[64];
    db_base_name(ss->s[i].name, base, sizeof base);
    if (strstr(base, "pool")) {
      int k = -1;
      if (strstr(base, "in_use") || strstr(base, "inuse") || strstr(base, "active") || strstr(base, "busy"))
        k = P_INUSE;
      else if (strstr(base, "waiting") || strstr(base, "pending"))
        k = P_WAITING;
      else if (strstr(base, "timeout"))
        k = P_TIMEOUTS;
      else if (strstr(base, "wait"))
        k = P_WAIT;
      else if (strstr(base, "size") || strstr(base, "max"))
        k = P_SIZE;
      if (k >= 0 && !p[k])
        p[k] = &ss->s[i];
    } else if (strstr(base, "activity") && strstr(base, "count") &&
               db_label_value(ss->s[i].name, "state", state, sizeof state) && !strcmp(state, "idle in transaction") &&
               !p[P_IDLETX]) {
      p[P_IDLETX] = &ss->s[i];
    }
  }
}

double db_series_max(const struct series *x, double t0, double t1) {
  double m = NAN;
  for (size_t i = 0; x && i < x->n; i++)
    if (x->t[i] >= t0 && x->t[i] <= t1 && (isnan(m) || x->v[i] > m))
      m = x->v[i];
  return m;
}

/* Successful requests in [t0, t1] from the run's one-second buckets. */
static double ok_requests(struct store *st, const struct run_info *run, double t0, double t1) {
  double v;
  if (store_ok_between(st, run->id, floor(t0 - run->start_ts), floor(t1 - run->start_ts), &v, NULL) < 0)
    return NAN;
  return v;
}

int db_pool_json(struct store *st, const struct run_info *run, struct series_set *ss, json_t **out,
                 struct err *err) {
  struct series *p[P_N];
  db_find_pool_series(ss, p);
  json_t *o = json_object();
  *out = o;
  for (int k = 0; k < P_N; k++)
    if (p[k] && db_load_samples(st, p[k], err) < 0)
      return -1;
  json_t *act = db_activity_json(st, run->id, NULL);
  json_t *used = json_object();
  static const char *const role[P_N] = {"in_use", "waiting", "size", "timeouts", "wait", "idle_in_transaction"};
  for (int k = 0; k < P_N; k++)
    if (p[k])
      json_object_set_new(used, role[k], json_string(p[k]->name));
  json_object_set_new(o, "series", used);
  json_object_set_new(o, "idle_in_transaction_end", json_is_object(act) ? json_incref(json_object_get(act, "idle_in_transaction")) : json_null());
  json_object_set_new(o, "max_xact_age_s", json_is_object(act) ? json_incref(json_object_get(act, "max_xact_age_s")) : json_null());
  json_decref(act);
  struct series *held = p[P_INUSE] ? p[P_INUSE] : p[P_IDLETX];
  if (!held || held->n < 3 || !isfinite(run->start_ts)) {
    json_object_set_new(o, "verdict", json_string("inconclusive"));
    json_object_set_new(o, "reason", json_string("no connection-pool series (pool in use, or idle-in-transaction "
                                                 "sessions) was ingested for this run"));
    return 0;
  }
  double t0 = run->start_ts, t1 = isfinite(run->end_ts) ? run->end_ts : held->t[held->n - 1];
  double size = db_series_max(p[P_SIZE], -INFINITY, INFINITY);
  if (isnan(size))
    size = db_series_max(held, -INFINITY, INFINITY);
  json_object_set_new(o, "pool_size", whole(size));
  json_object_set_new(o, "waiting_max", whole(db_series_max(p[P_WAITING], t0, t1)));
  double timeouts = p[P_TIMEOUTS] ? db_series_amount(p[P_TIMEOUTS], 0, -INFINITY, INFINITY) : NAN;
  json_object_set_new(o, "timeouts", jx_real_or_null(rnd(timeouts, 0.01)));
  /* Floors: the fewest connections held in each window (the held ones that
   * are never given back raise it); idle-in-transaction sessions when the
   * service exports no in-use gauge. */
  struct series *fs = p[P_IDLETX] ? p[P_IDLETX] : held;
  size_t nw = 0, capw = 0;
  double *wt = NULL, *wf = NULL;
  size_t capf = 0;
  for (double a = t0; a < t1; a += POOL_WINDOW_S) {
    double m = NAN;
    for (size_t i = 0; i < fs->n; i++)
      if (fs->t[i] >= a && fs->t[i] < a + POOL_WINDOW_S && isfinite(fs->v[i]) && (isnan(m) || fs->v[i] < m))
        m = fs->v[i];
    if (isnan(m))
      continue;
    XGROW(wt, capw, nw + 1);
    XGROW(wf, capf, nw + 1);
    wt[nw] = a - t0 + POOL_WINDOW_S / 2;
    wf[nw] = m;
    nw++;
  }
  json_t *fl = json_array();
  for (size_t i = 0; i < nw; i++)
    json_array_append_new(fl, json_pack("{s:f, s:o}", "time_s", wt[i], "floor", whole(wf[i])));
  json_object_set_new(o, "floor_series", json_string(fs->name));
  json_object_set_new(o, "floors", fl);
  json_object_set_new(o, "floor_start", nw ? whole(wf[0]) : json_null());
  json_object_set_new(o, "floor_end", nw ? whole(wf[nw - 1]) : json_null());
  /* Observed: from some time to the end every connection is held, and the
   * held ones serve nothing (all idle in transaction, or no successful
   * request from then on). */
  double ex = NAN, last_free = -INFINITY;
  for (size_t i = 0; i < held->n; i++)
    if (held->t[i] <= t1 && held->v[i] < size)
      last_free = held->t[i];
  double from = NAN;
  for (size_t i = 0; i < held->n; i++)
    if (held->t[i] > last_free && held->t[i] <= t1) {
      from = held->t[i];
      break;
    }
  double ok_after = NAN, all_leaked = NAN;
  if (isfinite(from) && t1 - from >= 5) {
    ok_after = ok_requests(st, run, from + 5, t1);
    if (p[P_IDLETX]) {
      for (size_t i = 0; i < p[P_IDLETX]->n; i++)
        if (p[P_IDLETX]->t[i] >= t0 && p[P_IDLETX]->v[i] >= size) {
          all_leaked = p[P_IDLETX]->t[i];
          break;
        }
    }
    double after_from = ok_requests(st, run, from, t1), before = ok_requests(st, run, t0, from);
    double rate_before = before / fmax(1, from - t0), rate_after = after_from / fmax(1, t1 - from);
    if ((isfinite(all_leaked) && all_leaked <= t1) || (isfinite(rate_after) && rate_after < 0.1 * rate_before))
      ex = from;
  }
  double slope = NAN, projected = NAN;
  if (nw >= 3) {
    struct sen_result sen;
    if (trend_sen_slope(wt, wf, nw, 0, 0.05, &sen) == 0)
      slope = sen.slope;
  }
  const char *verdict;
  char reason[512];
  if (isfinite(ex)) {
    verdict = "exhausted";
    snprintf(reason, sizeof reason,
             "every one of the %g pool connections is held from %.0f s to the end of the run%s; requests wait for a "
             "connection that never comes",
             size, ex - t0,
             isfinite(all_leaked) ? " and all of them sit idle in transaction (leaked)" : " and no request succeeds");
  } else if (nw >= 3 && isfinite(slope) && slope > 0 && wf[nw - 1] - wf[0] >= 1) {
    verdict = "leak";
    projected = wt[nw - 1] + (size - wf[nw - 1]) / slope;
    snprintf(reason, sizeof reason,
             "the floor of held connections rises from %g to %g (%.2f per minute): connections are not given back; "
             "at this rate the pool of %g is used up at %.0f s",
             wf[0], wf[nw - 1], slope * 60, size, projected);
  } else if (nw >= 3) {
    verdict = "none";
    snprintf(reason, sizeof reason, "the floor of held connections does not rise (%g to %g)", wf[0], wf[nw - 1]);
  } else {
    verdict = "inconclusive";
    snprintf(reason, sizeof reason, "the run is shorter than three %.0f-s windows", POOL_WINDOW_S);
  }
  json_object_set_new(o, "verdict", json_string(verdict));
  json_object_set_new(o, "reason", json_string(reason));
  json_object_set_new(o, "exhausted_at_s", jx_real_or_null(rnd(ex - t0, 0.1)));
  json_object_set_new(o, "all_idle_in_transaction_at_s", jx_real_or_null(rnd(all_leaked - t0, 0.1)));
  json_object_set_new(o, "projected_exhaustion_s", jx_real_or_null(rnd(projected, 0.1)));
  json_object_set_new(o, "floor_slope_per_min", jx_real_or_null(rnd(slope * 60, 1e-4)));
  json_object_set_new(o, "ok_requests_after", isfinite(ex) ? whole(ok_after) : json_null());
  free(wt);
  free(wf);
  return 0;
}

int db_pool_exhaustion_json(struct store *st, const struct run_info *run, json_t **out, struct err *err) {
  struct series_set ss;
  *out = NULL;
  if (db_load_series(st, run->id, &ss, err) < 0)
    return -1;
  int rc = db_pool_json(st, run, &ss, out, err);
  db_series_set_release(&ss);
  if (rc < 0) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}
