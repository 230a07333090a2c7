/* compare_int.h - what the parts of compare share (compare.c: the document
 * and the verdict; compare_runs.c: a run's data; compare_findings.c: the
 * findings and their rules). Not a public interface. */
#ifndef LOADREP_COMPARE_INT_H
#define LOADREP_COMPARE_INT_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/compare.h"
#include "analysis/compare_load.h"
#include "store/store.h" /* struct run_info */

struct store;
struct err;
struct run_info;
struct sample;
struct scenario;

#define MIN_N_P50 20
#define MIN_N_P95 110
#define MIN_N_P99 555
#define MIN_N_AVG 20
#define MIN_N_RPS 110
#define LEVEL 0.95

/* p50..avg are k6's http_req_duration (every request, as k6 prints it);
 * ok_p95 is http_req_duration{expected_response:true} (successful requests). */
enum metric { M_P50, M_P95, M_P99, M_AVG, M_OKP95, M_RPS, M_ERR, M_COUNT };
extern const char *const metric_names[M_COUNT];
extern const int metric_gated[M_COUNT];
enum { NLAT = 5 }; /* latency metrics, in the order above */

struct ep {
  char *method, *name, *label;
  uint64_t requests, failed;
  struct sample *s; /* every request (NULL without samples) */
  size_t ns;
  double agg[NLAT]; /* p50 p95 p99 avg of every request, p95 of successful ones (aggregates) */
  uint64_t agg_n, agg_ok_n;
};

struct rdata {
  const struct run_info *info;
  struct run_info own; /* history runs are loaded here */
  double dur;          /* k6's test-run duration, else the sample span */
  double span;         /* covers every sample time */
  double max_vus;
  double iter_ms;      /* mean iteration duration; NaN when unknown */
  double w0, w1;       /* window of the findings (seconds since start): the whole run */
  struct load_profile load;
  struct scenario *sc; /* the run's k6 scenarios (store_scenarios_of) */
  size_t nsc;
  int samples;         /* every endpoint has its samples */
  size_t n_eps;
  struct ep *eps;
  struct ep all;
};


/* compare_runs.c */
int cmp_load_run(struct store *st, const struct run_info *info, struct rdata *r, struct err *err);
int cmp_load_scenario(struct store *st, const struct rdata *whole, const struct scenario *sc, struct rdata *r,
                      struct err *err);
void cmp_rdata_release(struct rdata *r);

/* compare_findings.c */
json_t *cmp_build_findings(struct rdata *base, size_t nbase, struct rdata *cand, const struct compare_opts *o,
                           const int *want, int comparable, json_t *warnings, double *block_out);
void cmp_warn(json_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cmp_differs(double a, double b, double tol);

#endif
