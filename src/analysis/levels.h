/* levels.h - a ramp run cut into load levels, and the SLO analysis of those
 * levels (METHODS.md §5.1-5.4): the data that capacity, bottleneck and soak
 * all start from. Library code, no printing.
 */
#ifndef LOADREP_LEVELS_H
#define LOADREP_LEVELS_H
#include <stddef.h>
#include <stdint.h>

struct err;
struct run_info;
struct store;
struct sample;

struct slo_set;

struct capacity_opts {
  double slo_p95_ms;     /* 2000 */
  double slo_error_rate; /* 0.01 */
  double window_s;       /* 10 */
  long target_users;     /* 1000 */
  /* When set, the run's objective (and each endpoint's) is resolved from it
   * (analysis/slo.h: --slo, --slo-file, the run's k6 thresholds, built-in)
   * and replaces slo_p95_ms / slo_error_rate; NULL: those two apply. */
  const struct slo_set *slos;
  int target_from_cli;   /* 1: target_users came from --target-users */
  int brief;             /* 1: levels, SLO bracket, throughput and signals only (no USL, no bottleneck) */
};

/** Fills the defaults above. */
void capacity_opts_init(struct capacity_opts *o);

/** Parses "p95<2000ms,errors<1%" into o (either part may be left out; the
 *  latency accepts ms or s, "p(95)" too; errors accepts a percentage or a
 *  fraction below 1 such as 0.01). LR_USAGE error on bad text. */
int capacity_parse_slo(const char *text, struct capacity_opts *o, struct err *err);


/** Per-request phase means in a window (ms), in this order. */
enum { CAP_BLOCKED, CAP_CONNECTING, CAP_TLS, CAP_SENDING, CAP_WAITING, CAP_RECEIVING, CAP_NPHASES };

/** One load level: a window of the run (possibly several merged). */
struct cap_level {
  double t0, t1;          /* seconds since the run start, [t0, t1) */
  double vus, vus_max;    /* mean and max of the per-second VU gauge */
  long requests, failures, ok;
  double rps, ok_rps;     /* requests/s and successful requests/s */
  double mean_ms, p95_ms, p99_ms; /* successful requests (NAN when none) */
  double err_rate;        /* failures / requests */
  double inflight;        /* time-average requests in flight (exact, from samples) */
  double iter_rate, iter_mean_ms;
  double little;          /* iter_rate · iter_mean / vus − 1 (NAN when undefined) */
  double phase[CAP_NPHASES];
  int rampdown;           /* after the peak, VUs fell below 90 % of it: not a level */
  long load_failures;     /* failures not classified functional (these are judged) */
  double load_err_rate;   /* load_failures / requests: the rate the error SLO judges */
  double failed_rps;      /* failures / s */
  int pass, pass_p95, pass_err; /* pass_err judges load_err_rate */
  double *ok_dur;         /* sorted durations of successful requests */
  size_t n_ok_dur;
};

/** An endpoint with its samples. */
struct cap_endpoint {
  int64_t id;
  char *method, *name;
  struct sample *s;
  size_t n;
  long failures;          /* failed requests (samples) */
  double first_fail_s;    /* time of the first failed request (NAN: none) */
  int functional;         /* its failures are functional, not load (levels.c) */
};

struct cap_data {
  const struct run_info *run;
  struct capacity_opts opts;
  struct cap_level *lv;
  size_t nlv;
  size_t nload;           /* levels before the ramp-down */
  struct cap_endpoint *ep;
  size_t nep;
  /* per-second overall buckets, index = t */
  long *sec_req, *sec_fail;
  double *sec_vus;        /* NAN where the second has no VU sample */
  size_t nsec;
  long dropped_windows;   /* trailing windows with too few requests */
  char slo_p95_from[192], slo_err_from[192]; /* where the objectives came from */
  const char *slo_p95_src, *slo_err_src;     /* slo_source_name() */
};

/** Loads the run's samples and buckets into windows of o->window_s (merged
 *  forward until each has ≥ 200 requests). LR_DATAERR when the run has no
 *  samples. Free with cap_data_release(). */
int cap_data_load(struct store *st, const struct run_info *run, const struct capacity_opts *o,
                  struct cap_data *d, struct err *err);
void cap_data_release(struct cap_data *d);

/** The SLO analysis of the levels: each index names the FIRST load level
 *  (ramp-down levels excluded) where its condition holds; -1 when none.
 *  The same rules fill the levels table's pass column (docs/methods.md §4). */
struct cap_slo {
  long first_fail;        /* first failing level: p95 >= SLO or judged errors over SLO */
  long fail_p95, fail_err;/* first level failing each criterion alone */
  long last_pass;         /* the level before first_fail (no failure: the last passing level) */
  long best_pass;         /* the passing level before first_fail with the most successful req/s */
  long knee;              /* first level whose successful req/s per VU is < 80 % of the low-load figure */
  long retro;             /* first level whose successful req/s is <= 90 % of an earlier level's */
  long retro_peak;        /* that earlier level (the highest before retro) */
  long breaking;          /* = first_fail: the breaking point */
  double base_ok_rps_per_vu; /* low-load successful req/s per VU (knee reference) */
  char reason[160];
};
void cap_slo_analyse(const struct cap_data *d, struct cap_slo *s);

/** Low-load levels: VUs <= 10 % of the top load level, at least the first two. */
size_t cap_low_load_count(const struct cap_data *d);

/** Resolves the objectives of d->run (opts.slos) into d->opts and the
 *  slo_* fields; no-op without a set. */
int cap_data_resolve_slo(struct store *st, struct cap_data *d, struct err *err);

/** Error class of a k6 (status, error_code, error text): "http_4xx",
 *  "http_5xx", "timeout", "connection" or "other". */
const char *cap_error_class(const char *status, const char *error_code, const char *error);

/** The level used as "the knee" for attribution: the breaking point when
 *  there is one, else the last load level. */
long cap_knee_index(const struct cap_data *d, const struct cap_slo *s);

#endif
