/* sysroles.c - which stored system series plays which role (see sysroles.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sysroles.h"
#include "store/store.h"
#include "store/store_sys.h"
#include "util/err.h"
#include "util/xalloc.h"

static const char *const role_names[SR_N] = {
    "host_cpu_pct", "proc_cpu_cores", "load1",        "mem_used_bytes", "mem_total_bytes", "proc_rss_bytes",
    "proc_threads", "proc_fds",       "inflight",     "backend_queue",  "loadgen_cpu_pct", "net_rx_bytes_per_s"};

const char *sys_role_name(enum sys_role r) {
  return (r >= 0 && r < SR_N) ? role_names[r] : "?";
}

static int has(const char *s, const char *needle) {
  return strstr(s, needle) != NULL;
}

static int ends(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && !strcmp(s + n - m, suf);
}

/* Role of a series from its lowercased base name (before '{') and unit;
 * -1 when none. *scale converts the stored value to the role's unit. */
static int classify(const char *low, const char *unit, double *scale) {
  *scale = 1;
  int proc = has(low, "sut_") || has(low, "process") || has(low, "proc_") || has(low, "app_");
  if (has(low, "k6") && has(low, "cpu"))
    return SR_LOADGEN_CPU;
  if (has(low, "cpu") && !has(low, "k6")) {
    if (proc) {
      if (!strcmp(unit, "percent") || ends(low, "_pct")) {
        *scale = 0.01;
        return SR_PROC_CPU;
      }
      if (has(low, "rate") || has(low, "per_s") || !strcmp(unit, "per-second"))
        return SR_PROC_CPU;
      return -1;
    }
    if ((!strcmp(unit, "percent") || ends(low, "_pct")) &&
        (has(low, "busy") || has(low, "util") || has(low, "usage")))
      return SR_HOST_CPU_PCT;
    return -1;
  }
  if (!strcmp(unit, "bytes/s") && (has(low, "rx") || has(low, "receive")) && !proc)
    return SR_NET_RX;
  if (ends(low, "load1") || !strcmp(low, "loadavg1"))
    return SR_LOAD1;
  if ((has(low, "mem") && has(low, "used")) && !proc && !strcmp(unit, "bytes"))
    return SR_MEM_USED;
  if ((has(low, "mem") && has(low, "total")) && !proc && !strcmp(unit, "bytes"))
    return SR_MEM_TOTAL;
  if ((has(low, "rss") || has(low, "resident_memory")) && !has(low, "k6"))
    return SR_PROC_RSS;
  if (has(low, "threads") && !has(low, "k6"))
    return SR_PROC_THREADS;
  if ((has(low, "fds") || has(low, "file_descriptors")) && !has(low, "max") && !has(low, "k6"))
    return SR_PROC_FDS;
  if (has(low, "inflight") || has(low, "in_flight") || has(low, "active_requests") || has(low, "concurrent_requests"))
    return SR_INFLIGHT;
  if (has(low, "queue") || ends(low, "_waiting") || has(low, "backlog") || has(low, "pending"))
    return SR_QUEUE;
  return -1;
}

void sys_roles_release(struct sys_roles *roles) {
  for (int r = 0; r < SR_N; r++)
    free(roles->r[r].name);
  memset(roles, 0, sizeof *roles);
}

static double series_mean(struct store *st, int64_t id, double a, double b, long *n) {
  double v;
  store_sys_mean(st, id, a, b, &v, n, NULL);
  return v;
}

int sys_roles_find(struct store *st, const struct run_info *run, struct sys_roles *roles, struct err *err) {
  memset(roles, 0, sizeof *roles);
  roles->cores = NAN;
  struct store_sys_series *ser;
  size_t nser;
  if (store_sys_series_counted(st, run->id, &ser, &nser, err) < 0)
    return -1;
  double cores_sum = 0;
  int cores_n = 0;
  for (size_t i = 0; i < nser; i++) {
    int64_t id = ser[i].id;
    const char *name = ser[i].name, *unit = ser[i].unit;
    long cnt = ser[i].in_window;
    roles->any = 1;
    char low[256];
    size_t n = 0;
    for (; name[n] && name[n] != '{' && n < sizeof low - 1; n++)
      low[n] = (char)tolower((unsigned char)name[n]);
    low[n] = 0;
    /* per-mode CPU seconds rates add up to the number of cores */
    if (has(low, "cpu_seconds") && has(name, "mode=") && !has(low, "process") && cnt > 0) {
      double m = series_mean(st, id, run->start_ts, run->end_ts + 1, NULL);
      if (isfinite(m)) {
        cores_sum += m;
        cores_n++;
      }
      continue;
    }
    double scale;
    int r = classify(low, unit, &scale);
    if (r < 0 || cnt == 0)
      continue;
    if (r == SR_PROC_CPU && has(low, "rate") && has(name, "mode="))
      continue;
    if (!roles->r[r].id || cnt > roles->r[r].samples) {
      free(roles->r[r].name);
      roles->r[r].id = id;
      roles->r[r].name = xstrdup(name);
      roles->r[r].scale = scale;
      roles->r[r].samples = cnt;
    }
  }
  store_sys_series_free(ser, nser);
  if (cores_n >= 2)
    roles->cores = round(cores_sum);
  return 0;
}

double sys_role_mean(struct store *st, const struct run_info *run, const struct sys_roles *roles,
                     enum sys_role r, double t0, double t1) {
  if (!roles->r[r].id)
    return NAN;
  double v = series_mean(st, roles->r[r].id, run->start_ts + t0, run->start_ts + t1, NULL);
  return v * roles->r[r].scale;
}

int sys_role_series(struct store *st, const struct run_info *run, const struct sys_roles *roles,
                    enum sys_role r, double **ts, double **v, size_t *n, struct err *err) {
  *ts = *v = NULL;
  *n = 0;
  if (!roles->r[r].id)
    return 0;
  if (store_sys_samples(st, roles->r[r].id, 1, NAN, NAN, ts, v, n, err) < 0)
    return -1;
  for (size_t i = 0; i < *n; i++) {
    (*ts)[i] -= run->start_ts;
    (*v)[i] *= roles->r[r].scale;
  }
  return 0;
}
