/* store_endpoints.h - a run's endpoints as `loadrep show` lists them: the
 * whole run's (table endpoints) or one scenario's (scenario_endpoints), each
 * with its counts and every stored trend (http_req_duration and its phases,
 * by scope).
 *
 *   struct store_ep_detail *e; size_t n;
 *   store_endpoint_details(st, run_id, NULL, &e, &n, &err);  // by name, method
 *   store_ep_details_free(e, n);
 *
 * Plain C values in and out; 0 or -1 with *err filled. The SQL serves
 * both backends (store/sq.h).
 */
#ifndef LOADREP_STORE_ENDPOINTS_H
#define LOADREP_STORE_ENDPOINTS_H
#include <stddef.h>
#include <stdint.h>

#include "store/store_scenarios.h" /* struct sc_trend */

struct store;
struct err;

/** One stored trend of an endpoint: metric ("http_req_duration",
 *  "http_req_waiting", ...) and scope ("all" | "ok"). Strings owned. */
struct store_ep_trend {
  char *metric, *scope;
  struct sc_trend t; /* NaN where the database has no value; count 0 */
};

struct store_ep_detail {
  int64_t id;
  char *method, *name;
  int64_t requests, failed, ok_count;
  struct store_ep_trend *trends; /* by metric, scope */
  size_t ntrends;
};

/** The endpoints of the whole run (scenario NULL) or of one scenario, by
 *  name, method. */
int store_endpoint_details(struct store *st, int64_t run_id, const char *scenario, struct store_ep_detail **out,
                           size_t *n, struct err *err);
void store_ep_details_free(struct store_ep_detail *e, size_t n);

/** An endpoint's successful requests. Strings owned. */
struct store_ep_ok {
  char *method, *name;
  double ok_count; /* 0 when NULL */
};
/** The run's endpoints by id with their successful requests. */
int store_endpoint_ok_counts(struct store *st, int64_t run_id, struct store_ep_ok **out, size_t *n, struct err *err);
void store_ep_oks_free(struct store_ep_ok *e, size_t n);

#endif
