/* k6_agg_int.h - the aggregator's internals, shared by its two halves:
 * k6_agg.c (reading points into series and buckets) and k6_agg_store.c
 * (aggregating them into the store). Not for other modules: use k6_agg.h. */
#ifndef LOADREP_K6_AGG_INT_H
#define LOADREP_K6_AGG_INT_H
#include <stdint.h>

#include <jansson.h>

#include "util/strmap.h"

enum mtype { MT_TREND, MT_COUNTER, MT_RATE, MT_GAUGE };
extern const char *const k6_mtype_names[4]; /* by enum mtype */

/* Built-in HTTP metrics that feed endpoints and buckets. */
enum hm { HM_NONE, HM_REQS, HM_FAILED, HM_DURATION, HM_BLOCKED, HM_CONNECTING, HM_TLS, HM_SENDING, HM_WAITING,
          HM_RECEIVING, HM_VUS, HM_ITERATIONS, HM_ITER_DUR, HM_DATA_SENT, HM_DATA_RECEIVED };
#define N_PHASES 6 /* blocked .. receiving */
/* A request sample's scenario (index + 1, 0: no tag) rides in the upper
 * bits of its flags; samples_encode() keeps only the low two. */
#define SAMPLE_SC_SHIFT 8

struct sub {
  char *name;
  json_t *tags;
};

struct metric {
  char *name;
  enum mtype type;
  char contains[16];
  json_t *thresholds;
  struct sub *subs;
  size_t nsub;
  enum hm hm;
  int declared;
};

struct tagset {
  json_t *tags;
  int endpoint; /* -1 unless an HTTP request's tags */
  int expected; /* expected_response: 1 true, 0 false, -1 absent */
  const char *status, *error_code, *error, *group, *check, *scenario;
  int sc; /* index in k6_agg.scen, -1: no scenario tag */
  int inst; /* the instance its `instance` (else `hostname`) tag names, -1: none */
  int *series_of; /* metric index → series index + 1 (0: none yet) */
  size_t nseries_of;
};

struct series {
  int metric, tagset;
  double *v;
  size_t n, cap;
  double sum; /* trend: Σ in arrival order; counter: count */
  uint64_t total, nonzero;
  double min, max, last;
  uint64_t last_seq;
};

struct endpoint {
  char *method, *name;
  struct sample *s;
  size_t n, cap;
};

struct bucket {
  int endpoint; /* -1: the whole run */
  int64_t sec;
  uint64_t ok_count;
  double dur_sum, p50, p95, p99;
  uint64_t requests, failures, iterations;
  double phase[N_PHASES];
  double vus;
  double iter_dur_sum;
  double data_sent, data_received; /* bytes (run buckets) */
  int has_vus;
};

/* http_reqs of one whole second by their `status` tag (status_buckets). */
struct status_count {
  int64_t sec;
  const char *status; /* borrowed from the tag set */
  uint64_t count;
};

struct k6_agg {
  struct metric *metrics;
  size_t nmetrics, cap_metrics;
  struct strmap metric_ix;
  struct tagset *tagsets;
  size_t ntagsets, cap_tagsets;
  struct strmap tagset_ix;
  struct series *series;
  size_t nseries, cap_series;
  struct strmap series_ix;
  struct endpoint *endpoints;
  size_t nendpoints, cap_endpoints;
  struct strmap endpoint_ix;
  struct bucket *buckets;
  size_t nbuckets, cap_buckets;
  struct strmap bucket_ix;
  struct status_count *statuses;
  size_t nstatuses, cap_statuses;
  struct strmap status_ix;
  int64_t tmin, tmax;
  uint64_t points;
  struct k6_instances *inst; /* the runners (ingest/k6_instances.h) */
  int src_inst;              /* the instance of samples without the tag: the file's */
  char **scen; /* distinct scenario tag values, in order of appearance */
  size_t nscen, cap_scen;
  struct strmap scen_ix;
  /* The nine points of one request share their tags, and points come
   * roughly in time order: remember the last lookups. */
  char *last_tags;
  size_t last_tags_len, last_tags_cap;
  int last_tags_ix;
  struct bucket_cache {
    int64_t sec;
    int ix;
  } * bcache; /* [endpoint + 1] */
  size_t cap_bcache;
};

/** The bucket of (endpoint, second), created when missing. */
struct bucket *k6_agg_bucket_get(struct k6_agg *a, int endpoint, int64_t sec);
/** Marks the scenarios the run has samples of: present[k + 1] for tag
 *  index k, present[0] for "no tag" (see k6_agg.c). */
void k6_agg_scen_present(const struct k6_agg *a, unsigned char *present);

#endif
