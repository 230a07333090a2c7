/* bottleneck.c - what saturates first (see bottleneck.h, METHODS.md §6). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/levels.h"
#include "analysis/sysroles.h"
#include "stats/fit.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define EP_MIN_SAMPLES 110    /* per endpoint slice (METHODS.md §6.3) */
#define EP_ONSET_RATIO 1.5
#define CPU_SAT_PCT 85.0
#define MEM_SAT_FRAC 0.90
#define QUEUE_ONSET 1.0

static int has(const char *s, const char *needle) {
  return strstr(s, needle) != NULL;
}

/* ------------------------------------------------------------ helpers */

static json_t *jnum(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

static double rnd(double v, double unit) {
  return isfinite(v) ? round(v / unit) * unit : v;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Low-load levels: VUs ≤ 10 % of the top level, at least the first two
 * (the service may already degrade at 20 % of a ramp's top). */
static size_t low_load_count(const struct cap_data *d) {
  double top = 0;
  for (size_t i = 0; i < d->nload; i++)
    if (d->lv[i].vus > top)
      top = d->lv[i].vus;
  size_t n = 0;
  while (n < d->nload && d->lv[n].vus <= 0.1 * top)
    n++;
  if (n < 2)
    n = d->nload < 2 ? d->nload : 2;
  return n;
}

/* One endpoint's slice: consecutive whole seconds holding ≥ EP_MIN_SAMPLES
 * successful requests of the endpoint (finer than the load levels, so that
 * endpoints that degrade within one level are still ordered). */
struct ep_level {
  double t0, t1, vus, p95, mean, ok_rps;
  size_t n;
};

struct ep_stat {
  const struct cap_endpoint *ep;
  struct ep_level *lv;
  size_t nlv;
  double base_p95, base_mean;     /* low load */
  long onset;                     /* index into lv, -1 none */
  double ratio_knee, p95_knee;
  double ok_rps_last_pass, ok_rps_peak;
};

static void ep_levels(const struct cap_data *d, const struct cap_endpoint *ep, struct ep_stat *es) {
  memset(es, 0, sizeof *es);
  es->ep = ep;
  es->onset = -1;
  if (d->nload == 0)
    return;
  size_t cap = 0;
  double *buf = xmalloc((ep->n ? ep->n : 1) * sizeof *buf);
  size_t k = 0;
  double tend = d->lv[d->nload - 1].t1;
  double t = d->lv[0].t0;
  while (k < ep->n && ep->s[k].t < t)
    k++;
  while (t < tend) {
    double t0 = t;
    size_t n = 0;
    double sum = 0;
    while (t < tend && n < EP_MIN_SAMPLES) {
      t += 1;
      while (k < ep->n && ep->s[k].t < t) {
        if (ep->s[k].flags & SAMPLE_OK) {
          buf[n++] = ep->s[k].dur_ms;
          sum += ep->s[k].dur_ms;
        }
        k++;
      }
    }
    if (n < EP_MIN_SAMPLES / 2)
      break;
    qsort(buf, n, sizeof *buf, cmp_double);
    XGROW(es->lv, cap, es->nlv + 1);
    struct ep_level *L = &es->lv[es->nlv++];
    L->t0 = t0;
    L->t1 = t;
    double vs = 0;
    size_t vn = 0;
    for (size_t sec = (size_t)t0; sec < (size_t)t && sec < d->nsec; sec++)
      if (isfinite(d->sec_vus[sec])) {
        vs += d->sec_vus[sec];
        vn++;
      }
    L->vus = vn ? vs / (double)vn : NAN;
    L->n = n;
    L->p95 = fit_quantile_sorted(buf, n, 0.95);
    L->mean = sum / (double)n;
    L->ok_rps = (double)n / (L->t1 - L->t0);
  }
  free(buf);
}

/* Rate of an endpoint's successful requests within the level [t0, t1). */
static double ep_rate(const struct cap_endpoint *ep, double t0, double t1) {
  size_t n = 0;
  for (size_t k = 0; k < ep->n; k++)
    if (ep->s[k].t >= t0 && ep->s[k].t < t1 && (ep->s[k].flags & SAMPLE_OK))
      n++;
  return (double)n / (t1 - t0);
}

static void ep_analyse(const struct cap_data *d, const struct cap_slo *slo, struct ep_stat *es) {
  if (es->nlv == 0)
    return;
  size_t nlow = low_load_count(d);
  double low_end = d->lv[nlow - 1].t1;
  double *p = xmalloc(es->nlv * sizeof *p), *m = xmalloc(es->nlv * sizeof *m);
  size_t nb = 0;
  for (size_t j = 0; j < es->nlv; j++)
    if (es->lv[j].t1 <= low_end || j == 0) {
      p[nb] = es->lv[j].p95;
      m[nb] = es->lv[j].mean;
      nb++;
    }
  es->base_p95 = fit_median(p, nb);
  es->base_mean = fit_median(m, nb);
  free(p);
  free(m);
  for (size_t j = 0; j < es->nlv; j++) {
    double r = es->lv[j].p95 / es->base_p95;
    double r2 = j + 1 < es->nlv ? es->lv[j + 1].p95 / es->base_p95 : r;
    if (es->lv[j].t0 >= low_end && r >= EP_ONSET_RATIO && r2 >= EP_ONSET_RATIO) {
      es->onset = (long)j;
      break;
    }
  }
  /* p95 over the knee level */
  long k = cap_knee_index(d, slo);
  const struct cap_level *K = &d->lv[k];
  size_t n = 0;
  double *buf = xmalloc((es->ep->n ? es->ep->n : 1) * sizeof *buf);
  for (size_t j = 0; j < es->ep->n; j++)
    if (es->ep->s[j].t >= K->t0 && es->ep->s[j].t < K->t1 && (es->ep->s[j].flags & SAMPLE_OK))
      buf[n++] = es->ep->s[j].dur_ms;
  qsort(buf, n, sizeof *buf, cmp_double);
  es->p95_knee = fit_quantile_sorted(buf, n, 0.95);
  es->ratio_knee = es->p95_knee / es->base_p95;
  free(buf);
  es->ok_rps_last_pass = NAN;
  if (slo->last_pass >= 0)
    es->ok_rps_last_pass = ep_rate(es->ep, d->lv[slo->last_pass].t0, d->lv[slo->last_pass].t1);
  es->ok_rps_peak = 0;
  for (size_t j = 0; j < d->nload; j++) {
    double r = ep_rate(es->ep, d->lv[j].t0, d->lv[j].t1);
    if (r > es->ok_rps_peak)
      es->ok_rps_peak = r;
  }
}

static int cmp_ep(const void *a, const void *b) {
  const struct ep_stat *x = a, *y = b;
  double tx = x->onset >= 0 ? x->lv[x->onset].t0 : INFINITY;
  double ty = y->onset >= 0 ? y->lv[y->onset].t0 : INFINITY;
  if (tx != ty)
    return tx < ty ? -1 : 1;
  if (x->ratio_knee != y->ratio_knee)
    return x->ratio_knee > y->ratio_knee ? -1 : 1;
  return strcmp(x->ep->name, y->ep->name);
}

static int name_is_llm(const char *name) {
  char low[512];
  size_t n = 0;
  for (; name[n] && n < sizeof low - 1; n++)
    low[n] = (char)tolower((unsigned char)name[n]);
  low[n] = 0;
  return has(low, "llm") || has(low, "generat") || has(low, "agent") || has(low, "completion") ||
         has(low, "/chat") || has(low, "/ai/") || has(low, "inference");
}

/* Per-level mean of a role; NAN-filled when absent. */
static double *role_levels(struct store *st, const struct cap_data *d, const struct sys_roles *roles,
                           enum sys_role r) {
  double *v = xmalloc((d->nlv ? d->nlv : 1) * sizeof *v);
  for (size_t i = 0; i < d->nlv; i++)
    v[i] = sys_role_mean(st, d->run, roles, r, d->lv[i].t0, d->lv[i].t1);
  return v;
}

/* First load level where v ≥ thr for this and the next level (or the last). */
static long onset_at(const struct cap_data *d, const double *v, double thr) {
  for (size_t i = 0; i < d->nload; i++)
    if (v[i] >= thr && (i + 1 >= d->nload || v[i + 1] >= thr))
      return (long)i;
  return -1;
}

static double mean_over(const double *v, size_t a, size_t b) {
  double s = 0;
  size_t n = 0;
  for (size_t i = a; i < b; i++)
    if (isfinite(v[i])) {
      s += v[i];
      n++;
    }
  return n ? s / (double)n : NAN;
}

/* ------------------------------------------------------------ analyse */

int bottleneck_analyse(struct store *st, const struct cap_data *d, const struct cap_slo *slo, json_t **out,
                       struct err *err) {
  struct sys_roles roles;
  if (sys_roles_find(st, d->run, &roles, err) < 0)
    return -1;
  json_t *doc = json_object();
  json_t *caveats = json_array();
  json_t *evidence = json_array();
  long k = cap_knee_index(d, slo);
  const struct cap_level *K = &d->lv[k];
  size_t nlow = low_load_count(d);
  char buf[512];

  json_object_set_new(doc, "knee",
                      json_pack("{s:o, s:f, s:s}", "vus", jnum(rnd(K->vus, 0.1)), "time_s", K->t0, "basis",
                                slo->breaking >= 0 ? "breaking point" : "highest load level (no breaking point)"));
  json_object_set_new(doc, "low_load", json_pack("{s:o, s:f}", "vus_max", jnum(rnd(d->lv[nlow - 1].vus, 0.1)),
                                                 "until_time_s", d->lv[nlow - 1].t1));

  /* endpoint degradation order */
  struct ep_stat *es = xcalloc(d->nep ? d->nep : 1, sizeof *es);
  size_t nes = 0;
  for (size_t e = 0; e < d->nep; e++) {
    ep_levels(d, &d->ep[e], &es[nes]);
    if (es[nes].nlv == 0) {
      free(es[nes].lv);
      continue;
    }
    ep_analyse(d, slo, &es[nes]);
    nes++;
  }
  qsort(es, nes, sizeof *es, cmp_ep);
  json_t *eps = json_array();
  for (size_t i = 0; i < nes; i++) {
    const struct ep_stat *x = &es[i];
    char nm[600];
    snprintf(nm, sizeof nm, "%s", x->ep->name);
    json_t *o = json_object();
    json_object_set_new(o, "endpoint", json_string(nm));
    json_object_set_new(o, "method", json_string(x->ep->method));
    json_object_set_new(o, "base_p95_ms", jnum(rnd(x->base_p95, 0.001)));
    json_object_set_new(o, "base_mean_ms", jnum(rnd(x->base_mean, 0.001)));
    json_object_set_new(o, "onset_vus", x->onset >= 0 ? jnum(rnd(x->lv[x->onset].vus, 0.1)) : json_null());
    json_object_set_new(o, "onset_time_s", x->onset >= 0 ? json_real(x->lv[x->onset].t0) : json_null());
    json_object_set_new(o, "p95_at_knee_ms", jnum(rnd(x->p95_knee, 0.001)));
    json_object_set_new(o, "ratio_at_knee", jnum(rnd(x->ratio_knee, 0.01)));
    json_array_append_new(eps, o);
  }
  json_object_set_new(doc, "endpoints", eps);
  const struct ep_stat *first = (nes && es[0].onset >= 0) ? &es[0] : NULL;
  json_object_set_new(doc, "first_to_degrade", first ? json_string(first->ep->name) : json_null());
  if (first) {
    snprintf(buf, sizeof buf, "%s degraded first: p95 %.1f ms -> %.1f ms (x%.1f) from %.0f VUs (t=%.0f s)",
             first->ep->name, first->base_p95, first->lv[first->onset].p95,
             first->lv[first->onset].p95 / first->base_p95, first->lv[first->onset].vus,
             first->lv[first->onset].t0);
    json_array_append_new(evidence, json_string(buf));
    /* endpoints whose onset falls in the same load level: shared queueing */
    long lvl = -1;
    for (size_t j = 0; j < d->nload; j++)
      if (d->lv[j].t0 <= first->lv[first->onset].t0 && first->lv[first->onset].t0 < d->lv[j].t1)
        lvl = (long)j;
    json_t *together = json_array();
    for (size_t i = 1; i < nes && lvl >= 0; i++)
      if (es[i].onset >= 0 && es[i].lv[es[i].onset].t0 < d->lv[lvl].t1)
        json_array_append_new(together, json_string(es[i].ep->name));
    if (json_array_size(together)) {
      snprintf(buf, sizeof buf,
               "%zu other endpoint(s) degraded within the same %.0f-s level: the queueing is shared, so the first "
               "one is only slightly ahead",
               json_array_size(together), d->lv[lvl].t1 - d->lv[lvl].t0);
      json_array_append_new(evidence, json_string(buf));
    }
    json_object_set_new(doc, "degraded_with_first", together);
  }

  /* phases: growth from low load to the knee, as shares */
  {
    static const char *const pn[CAP_NPHASES] = {"blocked", "connecting", "tls", "sending", "waiting", "receiving"};
    double lo[CAP_NPHASES] = {0}, wsum = 0;
    for (size_t i = 0; i < nlow; i++) {
      double w = (double)d->lv[i].requests;
      for (int p = 0; p < CAP_NPHASES; p++)
        lo[p] += d->lv[i].phase[p] * w;
      wsum += w;
    }
    json_t *ph = json_object(), *jlo = json_object(), *jk = json_object(), *sh = json_object();
    for (int p = 0; p < CAP_NPHASES; p++) {
      lo[p] = wsum > 0 ? lo[p] / wsum : NAN;
      json_object_set_new(jlo, pn[p], jnum(rnd(lo[p], 0.001)));
      json_object_set_new(jk, pn[p], jnum(rnd(K->phase[p], 0.001)));
    }
    /* additive parts of the user-visible time: blocked (holds connecting and
     * TLS), sending, waiting, receiving */
    const int parts[4] = {CAP_BLOCKED, CAP_SENDING, CAP_WAITING, CAP_RECEIVING};
    double tot = 0, dlt[4];
    for (int j = 0; j < 4; j++) {
      dlt[j] = K->phase[parts[j]] - lo[parts[j]];
      if (!isfinite(dlt[j]))
        dlt[j] = 0;
      tot += dlt[j];
    }
    int dom = -1;
    for (int j = 0; j < 4; j++) {
      double share = tot > 0 ? dlt[j] / tot : NAN;
      json_object_set_new(sh, pn[parts[j]], jnum(rnd(share, 1e-4)));
      if (tot > 0 && (dom < 0 || dlt[j] > dlt[dom]))
        dom = j;
    }
    json_object_set_new(ph, "low_load_mean_ms", jlo);
    json_object_set_new(ph, "knee_mean_ms", jk);
    json_object_set_new(ph, "growth_ms", jnum(rnd(tot, 0.001)));
    json_object_set_new(ph, "shares", sh);
    json_object_set_new(ph, "dominant", dom >= 0 ? json_string(pn[parts[dom]]) : json_null());
    json_object_set_new(doc, "phases", ph);
    if (dom >= 0 && tot > 0) {
      static const char *const means[4] = {
          "connection setup or client-side pool wait (blocked): accept backlog, connection churn or a saturated "
          "load generator",
          "request upload (sending): client or network",
          "server time (waiting/TTFB): processing and queueing in the service",
          "response download (receiving): bandwidth or payload size"};
      snprintf(buf, sizeof buf, "%.0f%% of the mean latency growth to the knee (+%.1f ms) is %s",
               100 * dlt[dom] / tot, tot, means[dom]);
      json_array_append_new(evidence, json_string(buf));
    }
  }

  /* resources */
  json_t *res = json_array();
  double *cpu = role_levels(st, d, &roles, SR_HOST_CPU_PCT);
  double *pcpu = role_levels(st, d, &roles, SR_PROC_CPU);
  double *ld = role_levels(st, d, &roles, SR_LOAD1);
  double *mu = role_levels(st, d, &roles, SR_MEM_USED);
  double *mt = role_levels(st, d, &roles, SR_MEM_TOTAL);
  double *qv = role_levels(st, d, &roles, SR_QUEUE);
  double *inf = role_levels(st, d, &roles, SR_INFLIGHT);
  double *lg = role_levels(st, d, &roles, SR_LOADGEN_CPU);
  long cpu_on = -1, q_on = -1, mem_on = -1;
  double cpu_ceiling = NAN;
  double xpeak = 0;
  for (size_t i = 0; i < d->nload; i++)
    xpeak = fmax(xpeak, d->lv[i].ok_rps);
  if (roles.r[SR_HOST_CPU_PCT].id) {
    cpu_on = onset_at(d, cpu, CPU_SAT_PCT);
    /* utilisation law on the pre-knee levels: U = U0 + D·X */
    size_t m = 0;
    double *x = xmalloc((size_t)(k + 1) * sizeof *x), *u = xmalloc((size_t)(k + 1) * sizeof *u);
    for (long i = 0; i < k; i++)
      if (isfinite(cpu[i])) {
        x[m] = d->lv[i].rps;
        u[m] = cpu[i];
        m++;
      }
    double slope = NAN, icpt = NAN;
    if (m >= 3) {
      /* Theil–Sen */
      size_t np = m * (m - 1) / 2, c = 0;
      double *sl = xmalloc(np * sizeof *sl);
      for (size_t a = 0; a < m; a++)
        for (size_t b = a + 1; b < m; b++)
          if (x[b] != x[a])
            sl[c++] = (u[b] - u[a]) / (x[b] - x[a]);
      if (c) {
        slope = fit_median(sl, c);
        double *r = xmalloc(m * sizeof *r);
        for (size_t a = 0; a < m; a++)
          r[a] = u[a] - slope * x[a];
        icpt = fit_median(r, m);
        free(r);
      }
      free(sl);
    }
    if (slope > 0)
      cpu_ceiling = (100 - icpt) / slope;
    free(x);
    free(u);
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("cpu"));
    json_object_set_new(o, "series", json_string(roles.r[SR_HOST_CPU_PCT].name));
    json_object_set_new(o, "cores", jnum(roles.cores));
    json_object_set_new(o, "low_load_pct", jnum(rnd(mean_over(cpu, 0, nlow), 0.01)));
    json_object_set_new(o, "knee_pct", jnum(rnd(cpu[k], 0.01)));
    json_object_set_new(o, "saturated_at_knee", json_boolean(cpu[k] >= CPU_SAT_PCT));
    json_object_set_new(o, "onset_vus", cpu_on >= 0 ? jnum(rnd(d->lv[cpu_on].vus, 0.1)) : json_null());
    json_object_set_new(o, "onset_time_s", cpu_on >= 0 ? json_real(d->lv[cpu_on].t0) : json_null());
    json_object_set_new(o, "utilisation_law_ceiling_rps", jnum(rnd(cpu_ceiling, 0.1)));
    if (roles.r[SR_PROC_CPU].id) {
      json_object_set_new(o, "process_series", json_string(roles.r[SR_PROC_CPU].name));
      json_object_set_new(o, "process_cores_at_knee", jnum(rnd(pcpu[k], 0.001)));
    }
    if (roles.r[SR_LOAD1].id) {
      json_object_set_new(o, "load1_at_knee", jnum(rnd(ld[k], 0.01)));
      json_object_set_new(o, "run_queue_saturated", isfinite(roles.cores) ? json_boolean(ld[k] > roles.cores)
                                                                          : json_null());
    }
    json_array_append_new(res, o);
  }
  if (roles.r[SR_MEM_USED].id) {
    double frac = NAN;
    if (roles.r[SR_MEM_TOTAL].id && mt[k] > 0)
      frac = mu[k] / mt[k];
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("memory"));
    json_object_set_new(o, "series", json_string(roles.r[SR_MEM_USED].name));
    json_object_set_new(o, "low_load_bytes", jnum(rnd(mean_over(mu, 0, nlow), 1)));
    json_object_set_new(o, "knee_bytes", jnum(rnd(mu[k], 1)));
    json_object_set_new(o, "knee_fraction", jnum(rnd(frac, 1e-4)));
    json_object_set_new(o, "saturated_at_knee", isfinite(frac) ? json_boolean(frac >= MEM_SAT_FRAC) : json_null());
    if (isfinite(frac) && frac >= MEM_SAT_FRAC)
      mem_on = k;
    json_array_append_new(res, o);
  }
  if (roles.r[SR_QUEUE].id) {
    q_on = onset_at(d, qv, QUEUE_ONSET);
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("backend_pool"));
    json_object_set_new(o, "series", json_string(roles.r[SR_QUEUE].name));
    json_object_set_new(o, "low_load_waiting", jnum(rnd(mean_over(qv, 0, nlow), 0.01)));
    json_object_set_new(o, "knee_waiting", jnum(rnd(qv[k], 0.01)));
    json_object_set_new(o, "saturated_at_knee", json_boolean(qv[k] >= QUEUE_ONSET));
    json_object_set_new(o, "onset_vus", q_on >= 0 ? jnum(rnd(d->lv[q_on].vus, 0.1)) : json_null());
    json_object_set_new(o, "onset_time_s", q_on >= 0 ? json_real(d->lv[q_on].t0) : json_null());
    json_array_append_new(res, o);
  }
  if (roles.r[SR_INFLIGHT].id) {
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("server_concurrency"));
    json_object_set_new(o, "series", json_string(roles.r[SR_INFLIGHT].name));
    json_object_set_new(o, "low_load", jnum(rnd(mean_over(inf, 0, nlow), 0.01)));
    json_object_set_new(o, "knee", jnum(rnd(inf[k], 0.01)));
    json_object_set_new(o, "client_inflight_at_knee", jnum(rnd(K->inflight, 0.01)));
    json_array_append_new(res, o);
  }
  if (roles.r[SR_NET_RX].id) {
    double *nx = role_levels(st, d, &roles, SR_NET_RX);
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("network"));
    json_object_set_new(o, "series", json_string(roles.r[SR_NET_RX].name));
    json_object_set_new(o, "low_load_bytes_per_s", jnum(rnd(mean_over(nx, 0, nlow), 1)));
    json_object_set_new(o, "knee_bytes_per_s", jnum(rnd(nx[k], 1)));
    json_object_set_new(o, "note", json_string("utilisation needs the link capacity, which the metrics do not give"));
    json_array_append_new(res, o);
    free(nx);
  }
  if (roles.r[SR_LOADGEN_CPU].id) {
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("load_generator"));
    json_object_set_new(o, "series", json_string(roles.r[SR_LOADGEN_CPU].name));
    json_object_set_new(o, "knee_pct", jnum(rnd(lg[k], 0.01)));
    json_array_append_new(res, o);
    json_array_append_new(caveats, json_string("the load generator ran on the measured host: its CPU use is "
                                               "inside the host CPU figures"));
    for (long i = 0; i <= k; i++)
      if (cpu[i] >= 95) {
        snprintf(buf, sizeof buf,
                 "the shared host's CPU was %.0f%% busy at %.0f VUs, at or before the knee: the load generator "
                 "may itself have been starved there",
                 cpu[i], d->lv[i].vus);
        json_array_append_new(caveats, json_string(buf));
        break;
      }
  }
  json_object_set_new(doc, "resources", res);

  /* per-endpoint fixed-pool capacity (utilisation law X ≤ c/S) */
  json_t *pools = json_array();
  double llm_cph = NAN;
  const char *llm_name = NULL;
  for (size_t i = 0; i < nes; i++) {
    const struct ep_stat *x = &es[i];
    json_t *o = json_object();
    json_object_set_new(o, "endpoint", json_string(x->ep->name));
    json_object_set_new(o, "service_time_ms", jnum(rnd(x->base_mean, 0.001)));
    json_object_set_new(o, "rps_within_slo", jnum(rnd(x->ok_rps_last_pass, 0.001)));
    json_object_set_new(o, "calls_per_hour_within_slo", jnum(rnd(3600 * x->ok_rps_last_pass, 1)));
    json_object_set_new(o, "peak_rps", jnum(rnd(x->ok_rps_peak, 0.001)));
    json_object_set_new(o, "peak_calls_per_hour", jnum(rnd(3600 * x->ok_rps_peak, 1)));
    /* busy servers at the peak by the utilisation law (X·S): for a fixed
     * pool that has saturated, this estimates the pool size */
    double busy = x->ok_rps_peak * x->base_mean / 1000;
    json_object_set_new(o, "concurrency_at_peak", jnum(rnd(busy, 0.01)));
    json_array_append_new(pools, o);
    if (name_is_llm(x->ep->name) && (!llm_name || x->base_mean > 0)) {
      llm_name = x->ep->name;
      llm_cph = 3600 * x->ok_rps_last_pass;
    }
  }
  json_object_set_new(doc, "endpoint_capacity", pools);
  json_object_set_new(doc, "llm_endpoint", llm_name ? json_string(llm_name) : json_null());
  json_object_set_new(doc, "llm_calls_per_hour", jnum(rnd(llm_cph, 1)));

  /* verdict */
  const char *resource = "unknown";
  char detail[512] = "";
  long knee_slack = k + 1; /* onsets up to one level after the knee count */
  int have_sys = roles.any;
  long best_on = -1;
  if (!have_sys) {
    json_array_append_new(evidence, json_string("no system metrics were ingested for this run: CPU, memory and "
                                                "backend queues cannot be judged"));
    json_array_append_new(caveats, json_string("no system metrics: the bottleneck verdict rests on k6 data alone"));
  }
  if (q_on >= 0 && q_on <= knee_slack) {
    resource = "backend_pool";
    best_on = q_on;
    snprintf(detail, sizeof detail, "a serialised backend with a fixed pool (%s)%s%s",
             roles.r[SR_QUEUE].name, first && name_is_llm(first->ep->name) ? ", reached through " : "",
             first && name_is_llm(first->ep->name) ? first->ep->name : "");
  }
  if (cpu_on >= 0 && cpu_on <= knee_slack && (best_on < 0 || cpu_on < best_on)) {
    resource = "cpu";
    best_on = cpu_on;
    snprintf(detail, sizeof detail, "CPU of the host (%s)", roles.r[SR_HOST_CPU_PCT].name);
  }
  if (mem_on >= 0 && best_on < 0) {
    resource = "memory";
    best_on = mem_on;
    snprintf(detail, sizeof detail, "host memory (%s)", roles.r[SR_MEM_USED].name);
  }
  if (roles.r[SR_QUEUE].id) {
    if (q_on >= 0)
      snprintf(buf, sizeof buf, "%s: %.1f waiting at low load, %.1f at the knee; first >= %.0f at %.0f VUs (t=%.0f s)",
               roles.r[SR_QUEUE].name, mean_over(qv, 0, nlow), qv[k], QUEUE_ONSET, d->lv[q_on].vus,
               d->lv[q_on].t0);
    else
      snprintf(buf, sizeof buf, "%s stayed below %.0f waiting up to the knee (%.1f there)", roles.r[SR_QUEUE].name,
               QUEUE_ONSET, qv[k]);
    json_array_append_new(evidence, json_string(buf));
  }
  if (roles.r[SR_HOST_CPU_PCT].id) {
    if (cpu_on >= 0)
      snprintf(buf, sizeof buf, "host CPU %.0f%% at the knee; first >= %.0f%% at %.0f VUs (t=%.0f s)%s", cpu[k],
               CPU_SAT_PCT, d->lv[cpu_on].vus, d->lv[cpu_on].t0,
               isfinite(cpu_ceiling) ? "" : "");
    else
      snprintf(buf, sizeof buf, "host CPU %.0f%% at the knee, below %.0f%%: not CPU-bound there", cpu[k], CPU_SAT_PCT);
    json_array_append_new(evidence, json_string(buf));
    if (isfinite(cpu_ceiling) && cpu_ceiling > 0) {
      snprintf(buf, sizeof buf,
               "utilisation law: CPU would cap throughput near %.0f req/s; the observed peak was %.0f req/s (%.0f%%)",
               cpu_ceiling, xpeak, 100 * xpeak / cpu_ceiling);
      json_array_append_new(evidence, json_string(buf));
    }
  }
  if (roles.r[SR_INFLIGHT].id) {
    snprintf(buf, sizeof buf, "%s: %.1f in flight at low load, %.1f at the knee", roles.r[SR_INFLIGHT].name,
             mean_over(inf, 0, nlow), inf[k]);
    json_array_append_new(evidence, json_string(buf));
  }
  if (roles.r[SR_PROC_CPU].id && isfinite(pcpu[k])) {
    if (isfinite(roles.cores))
      snprintf(buf, sizeof buf, "service process used %.2f of %.0f cores at the knee", pcpu[k], roles.cores);
    else
      snprintf(buf, sizeof buf, "service process used %.2f cores at the knee", pcpu[k]);
    json_array_append_new(evidence, json_string(buf));
  }
  if (!strcmp(resource, "unknown") && have_sys) {
    if (slo->breaking < 0)
      snprintf(detail, sizeof detail,
               "the run reached no breaking point and no recorded resource saturated at its highest load");
    else if (isfinite(cpu_ceiling) && xpeak < 0.7 * cpu_ceiling)
      snprintf(detail, sizeof detail,
               "no host resource saturated; the knee is well below the CPU ceiling, which points at a soft limit "
               "outside the host metrics (a lock, pool, database or rate limit)");
    else
      snprintf(detail, sizeof detail, "no recorded resource saturated at the knee");
  }
  if (!strcmp(resource, "unknown") && !have_sys)
    snprintf(detail, sizeof detail, "the evidence (system metrics) is missing");
  json_t *v = json_object();
  json_object_set_new(v, "resource", json_string(resource));
  json_object_set_new(v, "detail", json_string(detail));
  json_object_set_new(v, "onset_vus", best_on >= 0 ? jnum(rnd(d->lv[best_on].vus, 0.1)) : json_null());
  json_object_set_new(v, "evidence", evidence);
  json_object_set_new(doc, "verdict", v);
  json_object_set_new(doc, "caveats", caveats);

  for (size_t i = 0; i < nes; i++)
    free(es[i].lv);
  free(es);
  free(cpu);
  free(pcpu);
  free(ld);
  free(mu);
  free(mt);
  free(qv);
  free(inf);
  free(lg);
  sys_roles_release(&roles);
  *out = doc;
  return 0;
}

int bottleneck_build(struct store *st, const struct run_info *run, const struct capacity_opts *o, json_t **out,
                     struct err *err) {
  struct cap_data d;
  if (cap_data_load(st, run, o, &d, err) < 0)
    return -1;
  struct cap_slo s;
  cap_slo_analyse(&d, &s);
  json_t *doc = NULL;
  if (bottleneck_analyse(st, &d, &s, &doc, err) < 0) {
    cap_data_release(&d);
    return -1;
  }
  json_t *full = json_object();
  json_object_set_new(full, "run", json_pack("{s:I, s:s}", "id", (json_int_t)run->id, "name", run->name));
  json_object_update(full, doc);
  json_decref(doc);
  cap_data_release(&d);
  *out = full;
  return 0;
}
