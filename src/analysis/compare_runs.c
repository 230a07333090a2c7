/* compare_runs.c - a run as compare sees it: endpoints with their samples,
 * k6's aggregates, the load profile, and each k6 scenario as a run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare_int.h"
#include "ingest/endpoint.h"
#include "store/samples.h"
#include "store/store.h"
#include "store/store_compare.h"
#include "store/store_scenarios.h"
#include "util/xalloc.h"

/* ---- loading runs ----------------------------------------------------- */

static void ep_release(struct ep *e) {
  free(e->method);
  free(e->name);
  free(e->label);
  free(e->s);
}

void cmp_rdata_release(struct rdata *r) {
  for (size_t i = 0; i < r->n_eps; i++)
    ep_release(&r->eps[i]);
  free(r->eps);
  ep_release(&r->all);
  load_profile_release(&r->load);
  store_scenarios_free(r->sc, r->nsc);
  if (r->own.name)
    run_info_release(&r->own);
  memset(r, 0, sizeof *r);
}

static int load_profile_of(struct store *st, struct rdata *r, struct err *err);

/* The request mix of the load profile: each endpoint's share of the requests. */
static void set_mix(struct rdata *r) {
  struct load_profile *p = &r->load;
  p->n_mix = r->n_eps;
  p->mix_label = xcalloc(r->n_eps ? r->n_eps : 1, sizeof *p->mix_label);
  p->mix_share = xcalloc(r->n_eps ? r->n_eps : 1, sizeof *p->mix_share);
  for (size_t i = 0; i < r->n_eps; i++) {
    p->mix_label[i] = r->eps[i].label;
    p->mix_share[i] = r->all.requests ? (double)r->eps[i].requests / (double)r->all.requests : NAN;
  }
}
static void finish_all(struct rdata *r);

static void ep_from_store(struct ep *e, struct store_endpoint *se) {
  memset(e, 0, sizeof *e);
  e->method = se->method;
  e->name = se->name;
  se->method = se->name = NULL;
  e->label = endpoint_label(e->method, e->name);
  e->requests = se->requests;
  e->failed = se->failed;
  e->agg[M_P50] = se->all.med;
  e->agg[M_P95] = se->all.p95;
  e->agg[M_P99] = se->all.p99;
  e->agg[M_AVG] = se->all.avg;
  e->agg[M_OKP95] = se->ok.p95;
  e->agg_n = se->all.count;
  e->agg_ok_n = se->ok.count;
  e->s = se->s;
  e->ns = se->ns;
  se->s = NULL;
}

int cmp_load_run(struct store *st, const struct run_info *info, struct rdata *r, struct err *err) {
  memset(r, 0, sizeof *r);
  r->info = info;
  r->samples = info->has_samples ? 1 : 0;
  struct store_endpoint *se;
  size_t nse;
  if (store_endpoints_of(st, info->id, &se, &nse, err) < 0)
    return -1;
  double maxt = 0;
  r->eps = xcalloc(nse ? nse : 1, sizeof *r->eps);
  for (size_t i = 0; i < nse; i++) {
    r->samples = r->samples && se[i].has_samples;
    for (size_t k = 0; k < se[i].ns; k++)
      maxt = se[i].s[k].t > maxt ? se[i].s[k].t : maxt;
    ep_from_store(&r->eps[r->n_eps++], &se[i]);
  }
  store_endpoints_free(se, nse);
  if (r->n_eps == 0)
    r->samples = 0;
  r->dur = info->duration_s;
  if (!(r->dur > 0))
    r->dur = info->end_ts - info->start_ts;
  if (!(r->dur > 0))
    r->dur = maxt;
  r->span = maxt > r->dur ? maxt : r->dur;

  /* ALL: every endpoint together; whole-run aggregates from k6's metrics
   * when there are no samples. */
  finish_all(r);
  struct store_latency all, ok;
  if (store_run_latency(st, info->id, &all, &ok, err) < 0)
    return -1;
  r->all.agg_n = all.count;
  r->all.agg[M_P50] = all.med;
  r->all.agg[M_P95] = all.p95;
  r->all.agg[M_P99] = all.p99;
  r->all.agg[M_AVG] = all.avg;
  r->all.agg_ok_n = ok.count;
  r->all.agg[M_OKP95] = ok.p95;
  if (r->n_eps == 0 && store_run_http_counts(st, info->id, &r->all.requests, &r->all.failed, err) < 0)
    return -1;
  if (store_scenarios_of(st, info->id, &r->sc, &r->nsc, err) < 0)
    return -1;
  if (load_profile_of(st, r, err) < 0)
    return -1;
  r->load.executor = r->nsc == 1 ? r->sc[0].executor : NULL;
  return 0;
}

/* The run's figures over the endpoints `eps` (already filled): ALL and the
 * request mix. */
static void finish_all(struct rdata *r) {
  r->all.method = xstrdup("");
  r->all.name = xstrdup("ALL");
  r->all.label = xstrdup("ALL");
  size_t total = 0;
  for (size_t i = 0; i < r->n_eps; i++) {
    r->all.requests += r->eps[i].requests;
    r->all.failed += r->eps[i].failed;
    total += r->eps[i].ns;
  }
  if (r->samples) {
    r->all.s = xmalloc((total ? total : 1) * sizeof *r->all.s);
    for (size_t i = 0; i < r->n_eps; i++) {
      memcpy(r->all.s + r->all.ns, r->eps[i].s, r->eps[i].ns * sizeof *r->all.s);
      r->all.ns += r->eps[i].ns;
    }
  }
  for (int k = 0; k < NLAT; k++)
    r->all.agg[k] = NAN;
}

/* One k6 scenario of a loaded run as a run of its own: its endpoints and
 * samples, the run's duration and VU profile, the scenario's executor and
 * request mix. */
int cmp_load_scenario(struct store *st, const struct rdata *whole, const struct scenario *sc, struct rdata *r,
                         struct err *err) {
  memset(r, 0, sizeof *r);
  r->info = whole->info;
  r->samples = whole->samples;
  r->dur = whole->dur;
  r->span = whole->span;
  r->max_vus = whole->max_vus;
  r->iter_ms = NAN;
  r->eps = xcalloc(sc->n_eps ? sc->n_eps : 1, sizeof *r->eps);
  for (size_t i = 0; i < sc->n_eps; i++) {
    const struct scenario_endpoint *se = &sc->eps[i];
    struct ep *e = &r->eps[r->n_eps++];
    e->method = xstrdup(se->method);
    e->name = xstrdup(se->name);
    e->label = endpoint_label(e->method, e->name);
    e->requests = (uint64_t)se->requests;
    e->failed = (uint64_t)se->failed;
    e->agg[M_P50] = se->all.med;
    e->agg[M_P95] = se->all.p95;
    e->agg[M_P99] = se->all.p99;
    e->agg[M_AVG] = se->all.avg;
    e->agg[M_OKP95] = se->ok.p95;
    e->agg_n = (uint64_t)se->all.count;
    e->agg_ok_n = (uint64_t)se->ok.count;
    if (r->samples && store_scenario_samples(st, se, &e->s, &e->ns, err) < 0)
      return -1;
  }
  finish_all(r);
  struct load_profile *p = &r->load;
  *p = whole->load;
  p->think_ms = NAN;
  p->iter_ms = NAN;
  p->executor = sc->executor;
  set_mix(r);
  return 0;
}

/* The load the run put on the service: VU profile, think time, request mix. */
static int load_profile_of(struct store *st, struct rdata *r, struct err *err) {
  struct store_second *sec;
  size_t nsec;
  if (store_run_seconds(st, r->info->id, &sec, &nsec, err) < 0)
    return -1;
  double iterations = 0, iter_sum = 0, iter_n = 0;
  r->max_vus = NAN;
  for (size_t i = 0; i < nsec; i++) {
    if (isfinite(sec[i].vus) && !(sec[i].vus <= r->max_vus))
      r->max_vus = sec[i].vus;
    iterations += sec[i].iterations;
    if (sec[i].iterations > 0) {
      iter_sum += sec[i].iter_dur_sum;
      iter_n += sec[i].iterations;
    }
  }
  r->iter_ms = iter_n > 0 ? iter_sum / iter_n : NAN;
  struct load_profile *p = &r->load;
  memset(p, 0, sizeof *p);
  p->duration_s = r->dur;
  p->max_vus = r->max_vus;
  p->iter_ms = r->iter_ms;
  p->think_ms = NAN;
  double sum[LOAD_CURVE_N] = {0}, cnt[LOAD_CURVE_N] = {0}, plateau = 0;
  for (size_t k = 0; k < nsec; k++) {
    double t = sec[k].t, vus = sec[k].vus;
    if (!isfinite(vus) || !(r->dur > 0))
      continue;
    int i = (int)floor(t / r->dur * LOAD_CURVE_N);
    i = i >= LOAD_CURVE_N ? LOAD_CURVE_N - 1 : i < 0 ? 0 : i;
    sum[i] += vus;
    cnt[i] += 1;
    plateau += vus >= 0.95 * r->max_vus;
  }
  free(sec);
  for (int i = 0; i < LOAD_CURVE_N; i++)
    p->curve[i] = cnt[i] > 0 ? sum[i] / cnt[i] : NAN;
  p->ramp = r->max_vus > 0 && plateau < 0.5 * r->dur;
  if (r->samples && iterations > 0 && r->iter_ms > 0) {
    double dsum = 0;
    for (size_t i = 0; i < r->all.ns; i++)
      dsum += r->all.s[i].dur_ms;
    p->think_ms = r->iter_ms - dsum / iterations;
  }
  set_mix(r);
  return 0;
}
