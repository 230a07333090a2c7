/* store_scenarios.h - a run's k6 scenarios (schema v2) and their endpoints.
 *
 * k6 tags every sample with `scenario`. The whole-run tables (endpoints,
 * endpoint_metrics, samples) merge every scenario and stay exactly k6's
 * whole-run figures; the per-scenario figures are in scenarios,
 * scenario_endpoints, scenario_endpoint_metrics and scenario_samples
 * (src/store/schema.sql). Every run with samples has at least one scenario;
 * a run known from a summary alone has none.
 *
 *   struct scenario *sc; size_t n;
 *   store_scenarios_of(st, run_id, &sc, &n, &err);   // sorted by name
 *   for each sc[i].eps[k]: store_scenario_samples(st, &sc[i].eps[k], &s, &ns, &err)
 *   store_scenarios_free(sc, n);
 */
#ifndef LOADREP_STORE_SCENARIOS_H
#define LOADREP_STORE_SCENARIOS_H
#include <stddef.h>
#include <stdint.h>

struct store;
struct err;
struct sample;

/** http_req_duration of one scope: count 0 means no sample (every
 *  statistic NaN, printed null / n/a). */
struct sc_trend {
  int64_t count;
  double avg, min, med, max, p90, p95, p99;
};

struct scenario_endpoint {
  int64_t id;          /* scenario_endpoints.id */
  int64_t endpoint_id; /* the whole-run endpoints.id of the same method and name */
  char *method, *name; /* owned */
  int64_t requests, failed, ok_count;
  struct sc_trend all; /* http_req_duration, every request (k6's submetric) */
  struct sc_trend ok;  /* http_req_duration{expected_response:true} */
};

struct scenario {
  char *name;     /* the k6 scenario tag ('' when the samples had none) */
  char *executor; /* NULL when unknown */
  int64_t requests, failed, ok_count;
  struct scenario_endpoint *eps; /* sorted by name, method */
  size_t n_eps;
};

/** The scenarios of run_id, sorted by name, with their endpoints. *out is
 *  NULL and *n 0 when the run has none (summary-only). */
int store_scenarios_of(struct store *st, int64_t run_id, struct scenario **out, size_t *n, struct err *err);
void store_scenarios_free(struct scenario *sc, size_t n);

/** The http_req_duration samples of one scenario endpoint (time-sorted,
 *  as samples_decode() gives them): its own when the run has several
 *  scenarios, else the whole-run endpoint's. *out NULL, *n 0 when none. */
int store_scenario_samples(struct store *st, const struct scenario_endpoint *e, struct sample **out, size_t *n,
                           struct err *err);

#endif
