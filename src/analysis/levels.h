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

struct capacity_opts {
  double slo_p95_ms;     /* 2000 */
  double slo_error_rate; /* 0.01 */
  double window_s;       /* 10 */
  long target_users;     /* 1000 */
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
  int pass, pass_p95, pass_err;
  double *ok_dur;         /* sorted durations of successful requests */
  size_t n_ok_dur;
};

/** An endpoint with its samples. */
struct cap_endpoint {
  int64_t id;
  char *method, *name;
  struct sample *s;
  size_t n;
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
};

/** Loads the run's samples and buckets into windows of o->window_s (merged
 *  forward until each has ≥ 200 requests). LR_DATAERR when the run has no
 *  samples. Free with cap_data_release(). */
int cap_data_load(struct store *st, const struct run_info *run, const struct capacity_opts *o,
                  struct cap_data *d, struct err *err);
void cap_data_release(struct cap_data *d);

/** The SLO analysis of the levels. Indexes into d->lv; -1 when none. */
struct cap_slo {
  long first_fail;        /* first window of the first sustained SLO failure */
  long fail_p95, fail_err;/* the same for each criterion alone */
  long last_pass;         /* last passing window before first_fail (-1: none) */
  long retro_peak;        /* window where goodput peaked before a ≥ 10 % sustained drop */
  long breaking;          /* min of the above */
  char reason[160];
};
void cap_slo_analyse(const struct cap_data *d, struct cap_slo *s);

/** The level used as "the knee" for attribution: the breaking point when
 *  there is one, else the last load level. */
long cap_knee_index(const struct cap_data *d, const struct cap_slo *s);

#endif
