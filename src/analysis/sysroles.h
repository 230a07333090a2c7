/* sysroles.h - the system-metric roles that capacity, bottleneck and soak
 * share: which stored series is the host CPU, the process RSS, a backend
 * queue, ... chosen by conventional names (host_cpu_busy_pct,
 * node_cpu_utilisation_pct, process_resident_memory_bytes, *_rss_kb,
 * *queue*, *inflight*, ...). Library code, no printing.
 */
#ifndef LOADREP_SYSROLES_H
#define LOADREP_SYSROLES_H
#include <stddef.h>
#include <stdint.h>

struct err;
struct run_info;
struct store;

enum sys_role {
  SR_HOST_CPU_PCT,  /* host CPU busy, percent of all cores */
  SR_PROC_CPU,      /* the service's CPU, in cores */
  SR_LOAD1,         /* run queue: 1-min load average */
  SR_MEM_USED,      /* host memory used, bytes */
  SR_MEM_TOTAL,     /* host memory total, bytes */
  SR_PROC_RSS,      /* the service's resident memory, bytes */
  SR_PROC_THREADS,
  SR_PROC_FDS,
  SR_INFLIGHT,      /* the service's own in-flight requests */
  SR_QUEUE,         /* a backend queue (waiters) */
  SR_LOADGEN_CPU,   /* the load generator's CPU, percent of one core */
  SR_NET_RX,        /* network bytes received per second */
  SR_N
};

struct sys_role_series {
  int64_t id;       /* 0 when the run has no such series */
  char *name;
  double scale;     /* multiply stored values by this (e.g. percent → cores) */
  long samples;
};

struct sys_roles {
  struct sys_role_series r[SR_N];
  double cores;     /* from per-mode CPU-seconds rates when present, else NAN */
  int any;          /* the run has any system series at all */
};

/** A role's short name ("host_cpu_pct", "proc_rss_bytes", ...). */
const char *sys_role_name(enum sys_role r);

/** Finds the best series for each role (most in-window samples wins). */
int sys_roles_find(struct store *st, const struct run_info *run, struct sys_roles *roles,
                   struct err *err);
void sys_roles_release(struct sys_roles *roles);

/** Mean of role r over [t0, t1) seconds since the run start; NAN when the
 *  role has no series or no sample there. */
double sys_role_mean(struct store *st, const struct run_info *run, const struct sys_roles *roles,
                     enum sys_role r, double t0, double t1);

/** All samples of role r (times as seconds since the run start, scaled
 *  values), in time order. The arrays are NULL and n is 0 when the role is absent. */
int sys_role_series(struct store *st, const struct run_info *run, const struct sys_roles *roles,
                    enum sys_role r, double **ts, double **v, size_t *n, struct err *err);

#endif
