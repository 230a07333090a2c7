/* bottleneck.c - what saturates first (see bottleneck.h, METHODS.md §6). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/dbevidence.h"
#include "analysis/levels.h"
#include "analysis/slo.h"
#include "analysis/sysroles.h"
#include "stats/fit.h"
#include "store/samples.h"
#include "store/store.h"
#include "util/cmp.h"
#include "util/err.h"
#include "util/jsonx.h"
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

static double rnd(double v, double unit) {
  return isfinite(v) ? round(v / unit) * unit : v;
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
  size_t nlow = cap_low_load_count(d);
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

/* One resource that saturated, for the ranking. */
struct bn_cand {
  const char *resource, *kind;
  long onset;            /* first saturated load level */
  double explains;       /* share of the mean latency growth from low load to the breaking point after the onset */
  char detail[256];
  json_t *evidence;
};

struct bn_ctx {
  struct store *st;
  const struct cap_data *d;
  const struct cap_slo *slo;
  struct sys_roles roles;
  json_t *doc, *caveats, *evidence;
  long k;                /* knee level for attribution */
  size_t nlow;
  struct ep_stat *es;
  size_t nes;
  const struct ep_stat *first;
  double *cpu, *pcpu, *ld, *mu, *mt, *qv, *inf, *lg;
  double cpu_ceiling, xpeak;
  struct bn_cand cand[4];
  size_t ncand;
  char buf[512];
};

static void bn_endpoints(struct bn_ctx *c) {
  const struct cap_data *d = c->d;
  c->es = xcalloc(d->nep ? d->nep : 1, sizeof *c->es);
  for (size_t e = 0; e < d->nep; e++) {
    ep_levels(d, &d->ep[e], &c->es[c->nes]);
    if (c->es[c->nes].nlv == 0) {
      free(c->es[c->nes].lv);
      continue;
    }
    ep_analyse(d, c->slo, &c->es[c->nes]);
    c->nes++;
  }
  qsort(c->es, c->nes, sizeof *c->es, cmp_ep);
  json_t *eps = json_array();
  for (size_t i = 0; i < c->nes; i++) {
    const struct ep_stat *x = &c->es[i];
    json_t *o = json_object();
    json_object_set_new(o, "endpoint", json_string(x->ep->name));
    json_object_set_new(o, "method", json_string(x->ep->method));
    json_object_set_new(o, "base_p95_ms", jx_real_or_null(rnd(x->base_p95, 0.001)));
    json_object_set_new(o, "base_mean_ms", jx_real_or_null(rnd(x->base_mean, 0.001)));
    json_object_set_new(o, "onset_vus", x->onset >= 0 ? jx_real_or_null(rnd(x->lv[x->onset].vus, 0.1)) : json_null());
    json_object_set_new(o, "onset_time_s", x->onset >= 0 ? json_real(x->lv[x->onset].t0) : json_null());
    json_object_set_new(o, "p95_at_knee_ms", jx_real_or_null(rnd(x->p95_knee, 0.001)));
    json_object_set_new(o, "ratio_at_knee", jx_real_or_null(rnd(x->ratio_knee, 0.01)));
    json_array_append_new(eps, o);
  }
  json_object_set_new(c->doc, "endpoints", eps);
  const struct ep_stat *first = (c->nes && c->es[0].onset >= 0) ? &c->es[0] : NULL;
  c->first = first;
  json_object_set_new(c->doc, "first_to_degrade", first ? json_string(first->ep->name) : json_null());
  if (!first)
    return;
  snprintf(c->buf, sizeof c->buf, "%s degraded first: p95 %.1f ms -> %.1f ms (x%.1f) from %.0f VUs (t=%.0f s)",
           first->ep->name, first->base_p95, first->lv[first->onset].p95,
           first->lv[first->onset].p95 / first->base_p95, first->lv[first->onset].vus, first->lv[first->onset].t0);
  json_array_append_new(c->evidence, json_string(c->buf));
  long lvl = -1;
  for (size_t j = 0; j < d->nload; j++)
    if (d->lv[j].t0 <= first->lv[first->onset].t0 && first->lv[first->onset].t0 < d->lv[j].t1)
      lvl = (long)j;
  json_t *together = json_array();
  for (size_t i = 1; i < c->nes && lvl >= 0; i++)
    if (c->es[i].onset >= 0 && c->es[i].lv[c->es[i].onset].t0 < d->lv[lvl].t1)
      json_array_append_new(together, json_string(c->es[i].ep->name));
  if (json_array_size(together)) {
    snprintf(c->buf, sizeof c->buf,
             "%zu other endpoint(s) degraded within the same %.0f-s level: the queueing is shared, so the first "
             "one is only slightly ahead",
             json_array_size(together), d->lv[lvl].t1 - d->lv[lvl].t0);
    json_array_append_new(c->evidence, json_string(c->buf));
  }
  json_object_set_new(c->doc, "degraded_with_first", together);
}

/* Phases: growth from low load to the breaking point, as shares. */
static void bn_phases(struct bn_ctx *c) {
  const struct cap_data *d = c->d;
  const struct cap_level *K = &d->lv[c->k];
  static const char *const pn[CAP_NPHASES] = {"blocked", "connecting", "tls", "sending", "waiting", "receiving"};
  double lo[CAP_NPHASES] = {0}, wsum = 0;
  for (size_t i = 0; i < c->nlow; i++) {
    double w = (double)d->lv[i].requests;
    for (int p = 0; p < CAP_NPHASES; p++)
      lo[p] += d->lv[i].phase[p] * w;
    wsum += w;
  }
  json_t *ph = json_object(), *jlo = json_object(), *jk = json_object(), *sh = json_object();
  for (int p = 0; p < CAP_NPHASES; p++) {
    lo[p] = wsum > 0 ? lo[p] / wsum : NAN;
    json_object_set_new(jlo, pn[p], jx_real_or_null(rnd(lo[p], 0.001)));
    json_object_set_new(jk, pn[p], jx_real_or_null(rnd(K->phase[p], 0.001)));
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
    json_object_set_new(sh, pn[parts[j]], jx_real_or_null(rnd(share, 1e-4)));
    if (tot > 0 && (dom < 0 || dlt[j] > dlt[dom]))
      dom = j;
  }
  json_object_set_new(ph, "low_load_mean_ms", jlo);
  json_object_set_new(ph, "knee_mean_ms", jk);
  json_object_set_new(ph, "growth_ms", jx_real_or_null(rnd(tot, 0.001)));
  json_object_set_new(ph, "shares", sh);
  json_object_set_new(ph, "dominant", dom >= 0 ? json_string(pn[parts[dom]]) : json_null());
  json_object_set_new(c->doc, "phases", ph);
  if (dom >= 0 && tot > 0) {
    static const char *const means[4] = {
        "connection setup or client-side pool wait (blocked): accept backlog, connection churn or a saturated "
        "load generator",
        "request upload (sending): client or network",
        "server time (waiting/TTFB): processing and queueing in the service",
        "response download (receiving): bandwidth or payload size"};
    snprintf(c->buf, sizeof c->buf, "%.0f%% of the mean latency growth to the breaking point (+%.1f ms) is %s",
             100 * dlt[dom] / tot, tot, means[dom]);
    json_array_append_new(c->evidence, json_string(c->buf));
  }
}

/* Utilisation law on the pre-knee levels: U = U0 + D·X (Theil–Sen); the
 * CPU ceiling (100 − U0)/D in successful req/s. */
static double cpu_ceiling_of(const struct cap_data *d, const double *cpu, long k) {
  size_t m = 0;
  double *x = xmalloc((size_t)(k + 1) * sizeof *x), *u = xmalloc((size_t)(k + 1) * sizeof *u);
  for (long i = 0; i < k; i++)
    if (isfinite(cpu[i])) {
      x[m] = d->lv[i].ok_rps;
      u[m] = cpu[i];
      m++;
    }
  double slope = NAN, icpt = NAN;
  if (m >= 3) {
    size_t np = m * (m - 1) / 2, n = 0;
    double *sl = xmalloc(np * sizeof *sl);
    for (size_t a = 0; a < m; a++)
      for (size_t b = a + 1; b < m; b++)
        if (x[b] != x[a])
          sl[n++] = (u[b] - u[a]) / (x[b] - x[a]);
    if (n) {
      slope = fit_median(sl, n);
      double *r = xmalloc(m * sizeof *r);
      for (size_t a = 0; a < m; a++)
        r[a] = u[a] - slope * x[a];
      icpt = fit_median(r, m);
      free(r);
    }
    free(sl);
  }
  free(x);
  free(u);
  return slope > 0 ? (100 - icpt) / slope : NAN;
}

/* Pool saturation: waiters >= QUEUE_ONSET in this and the next level and
 * still growing there (a waiter or two that drain again is no saturation). */
static long queue_onset(const struct cap_data *d, const double *q) {
  for (size_t i = 0; i + 1 < d->nload; i++)
    if (q[i] >= QUEUE_ONSET && q[i + 1] >= QUEUE_ONSET && q[i + 1] > q[i])
      return (long)i;
  return -1;
}

/* Share of the mean latency growth (low load → knee) that comes at or after
 * level `onset`: 1 when the resource saturated before latency grew. */
static double explains_share(const struct bn_ctx *c, long onset) {
  const struct cap_data *d = c->d;
  if (onset < 0 || onset > c->k)
    return 0;
  double base = 0;
  for (size_t i = 0; i < c->nlow; i++)
    base += d->lv[i].mean_ms / (double)c->nlow;
  double grow = d->lv[c->k].mean_ms - base;
  if (!(grow > 0))
    return NAN;
  double before = onset > 0 ? d->lv[onset - 1].mean_ms : base;
  double s = (d->lv[c->k].mean_ms - fmax(before, base)) / grow;
  return s < 0 ? 0 : s > 1 ? 1 : s;
}

static struct bn_cand *add_cand(struct bn_ctx *c, const char *resource, const char *kind, long onset) {
  struct bn_cand *x = &c->cand[c->ncand++];
  x->resource = resource;
  x->kind = kind;
  x->onset = onset;
  x->explains = explains_share(c, onset);
  x->detail[0] = 0;
  x->evidence = json_array();
  return x;
}

/* The sentence in c->buf as evidence: of candidate x too when there is one. */
static void cand_note(struct bn_ctx *c, struct bn_cand *x) {
  if (x)
    json_array_append_new(x->evidence, json_string(c->buf));
  json_array_append_new(c->evidence, json_string(c->buf));
}

static void bn_cpu(struct bn_ctx *c, json_t *res) {
  const struct cap_data *d = c->d;
  long k = c->k;
  long on = onset_at(d, c->cpu, CPU_SAT_PCT);
  c->cpu_ceiling = cpu_ceiling_of(d, c->cpu, k);
  json_t *o = json_object();
  json_object_set_new(o, "resource", json_string("cpu"));
  json_object_set_new(o, "series", json_string(c->roles.r[SR_HOST_CPU_PCT].name));
  json_object_set_new(o, "cores", jx_real_or_null(c->roles.cores));
  json_object_set_new(o, "low_load_pct", jx_real_or_null(rnd(mean_over(c->cpu, 0, c->nlow), 0.01)));
  json_object_set_new(o, "knee_pct", jx_real_or_null(rnd(c->cpu[k], 0.01)));
  json_object_set_new(o, "saturated_at_knee", json_boolean(c->cpu[k] >= CPU_SAT_PCT));
  json_object_set_new(o, "onset_vus", on >= 0 ? jx_real_or_null(rnd(d->lv[on].vus, 0.1)) : json_null());
  json_object_set_new(o, "onset_time_s", on >= 0 ? json_real(d->lv[on].t0) : json_null());
  json_object_set_new(o, "utilisation_law_ceiling_rps", jx_real_or_null(rnd(c->cpu_ceiling, 0.1)));
  if (c->roles.r[SR_PROC_CPU].id) {
    json_object_set_new(o, "process_series", json_string(c->roles.r[SR_PROC_CPU].name));
    json_object_set_new(o, "process_cores_at_knee", jx_real_or_null(rnd(c->pcpu[k], 0.001)));
  }
  if (c->roles.r[SR_LOAD1].id) {
    json_object_set_new(o, "load1_at_knee", jx_real_or_null(rnd(c->ld[k], 0.01)));
    json_object_set_new(o, "run_queue_saturated",
                        isfinite(c->roles.cores) ? json_boolean(c->ld[k] > c->roles.cores) : json_null());
  }
  json_array_append_new(res, o);
  struct bn_cand *x = on >= 0 ? add_cand(c, "cpu", "hardware", on) : NULL;
  if (x)
    snprintf(x->detail, sizeof x->detail, "CPU of the host (%s)", c->roles.r[SR_HOST_CPU_PCT].name);
  if (on >= 0)
    snprintf(c->buf, sizeof c->buf, "host CPU %.0f%% at the breaking point; first >= %.0f%% at %.0f VUs (t=%.0f s)",
             c->cpu[k], CPU_SAT_PCT, d->lv[on].vus, d->lv[on].t0);
  else
    snprintf(c->buf, sizeof c->buf, "host CPU %.0f%% at the breaking point, below %.0f%%: not CPU-bound there", c->cpu[k],
             CPU_SAT_PCT);
  cand_note(c, x);
  if (isfinite(c->cpu_ceiling) && c->cpu_ceiling > 0) {
    snprintf(c->buf, sizeof c->buf,
             "utilisation law: CPU would cap successful throughput near %.0f req/s; the observed peak was %.0f "
             "req/s (%.0f%%)",
             c->cpu_ceiling, c->xpeak, 100 * c->xpeak / c->cpu_ceiling);
    cand_note(c, x);
  }
}

static void bn_pool(struct bn_ctx *c, json_t *res) {
  const struct cap_data *d = c->d;
  long k = c->k, on = queue_onset(d, c->qv);
  const char *qn = c->roles.r[SR_QUEUE].name;
  json_t *o = json_object();
  json_object_set_new(o, "resource", json_string("backend_pool"));
  json_object_set_new(o, "series", json_string(qn));
  json_object_set_new(o, "low_load_waiting", jx_real_or_null(rnd(mean_over(c->qv, 0, c->nlow), 0.01)));
  json_object_set_new(o, "knee_waiting", jx_real_or_null(rnd(c->qv[k], 0.01)));
  json_object_set_new(o, "saturated_at_knee", json_boolean(on >= 0 && on <= k));
  json_object_set_new(o, "onset_vus", on >= 0 ? jx_real_or_null(rnd(d->lv[on].vus, 0.1)) : json_null());
  json_object_set_new(o, "onset_time_s", on >= 0 ? json_real(d->lv[on].t0) : json_null());
  json_array_append_new(res, o);
  struct bn_cand *x = on >= 0 ? add_cand(c, "backend_pool", "pool", on) : NULL;
  int llm = c->first && name_is_llm(c->first->ep->name);
  if (x)
    snprintf(x->detail, sizeof x->detail, "a serialised backend with a fixed pool (%s)%s%s", qn,
             llm ? ", reached through " : "", llm ? c->first->ep->name : "");
  /* A database pool: name the statements that hold it (dbevidence.h). */
  json_t *dbe = NULL;
  int dbq = has(qn, "pool") && (has(qn, "db") || has(qn, "database") || has(qn, "sql") || has(qn, "pg"));
  if (db_bottleneck_evidence(c->st, d->run, &dbe, NULL) == 0 && dbe) {
    if (x && dbq && json_is_true(json_object_get(dbe, "saturated")))
      snprintf(x->detail, sizeof x->detail, "the database: its connection pool (%s) and the statements that hold it",
               qn);
    if (x && dbq) {
      snprintf(c->buf, sizeof c->buf, "%s", jx_str(dbe, "summary"));
      cand_note(c, x);
    }
    json_object_set_new(c->doc, "database", dbe);
  }
  if (on >= 0)
    snprintf(c->buf, sizeof c->buf,
             "%s: %.1f waiting at low load, %.1f at the breaking point; waiters >= %.0f and growing from %.0f VUs (t=%.0f s)", qn,
             mean_over(c->qv, 0, c->nlow), c->qv[k], QUEUE_ONSET, d->lv[on].vus, d->lv[on].t0);
  else
    snprintf(c->buf, sizeof c->buf, "%s: waiters never stayed >= %.0f and growing (%.1f at the breaking point)", qn, QUEUE_ONSET,
             c->qv[k]);
  cand_note(c, x);
}

static void bn_memory(struct bn_ctx *c, json_t *res) {
  const struct cap_data *d = c->d;
  long k = c->k, on = -1;
  double frac = NAN;
  if (c->roles.r[SR_MEM_TOTAL].id && c->mt[k] > 0)
    frac = c->mu[k] / c->mt[k];
  if (c->roles.r[SR_MEM_TOTAL].id)
    for (size_t i = 0; i < d->nload && on < 0; i++)
      if (c->mt[i] > 0 && c->mu[i] / c->mt[i] >= MEM_SAT_FRAC)
        on = (long)i;
  json_t *o = json_object();
  json_object_set_new(o, "resource", json_string("memory"));
  json_object_set_new(o, "series", json_string(c->roles.r[SR_MEM_USED].name));
  json_object_set_new(o, "low_load_bytes", jx_real_or_null(rnd(mean_over(c->mu, 0, c->nlow), 1)));
  json_object_set_new(o, "knee_bytes", jx_real_or_null(rnd(c->mu[k], 1)));
  json_object_set_new(o, "knee_fraction", jx_real_or_null(rnd(frac, 1e-4)));
  json_object_set_new(o, "saturated_at_knee", isfinite(frac) ? json_boolean(frac >= MEM_SAT_FRAC) : json_null());
  json_array_append_new(res, o);
  if (on >= 0) {
    struct bn_cand *x = add_cand(c, "memory", "hardware", on);
    snprintf(x->detail, sizeof x->detail, "host memory (%s)", c->roles.r[SR_MEM_USED].name);
    snprintf(c->buf, sizeof c->buf, "host memory %.0f%% used from %.0f VUs (t=%.0f s)",
             100 * c->mu[on] / c->mt[on], d->lv[on].vus, d->lv[on].t0);
    cand_note(c, x);
  }
}

static void bn_other_resources(struct bn_ctx *c, json_t *res) {
  const struct cap_data *d = c->d;
  long k = c->k;
  if (c->roles.r[SR_INFLIGHT].id) {
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("server_concurrency"));
    json_object_set_new(o, "series", json_string(c->roles.r[SR_INFLIGHT].name));
    json_object_set_new(o, "low_load", jx_real_or_null(rnd(mean_over(c->inf, 0, c->nlow), 0.01)));
    json_object_set_new(o, "knee", jx_real_or_null(rnd(c->inf[k], 0.01)));
    json_object_set_new(o, "client_inflight_at_knee", jx_real_or_null(rnd(d->lv[k].inflight, 0.01)));
    json_array_append_new(res, o);
    /* The same rounded figures as the resources table prints. */
    snprintf(c->buf, sizeof c->buf, "%s: %.1f in flight at low load, %.1f at the breaking point", c->roles.r[SR_INFLIGHT].name,
             rnd(mean_over(c->inf, 0, c->nlow), 0.01), rnd(c->inf[k], 0.01));
    json_array_append_new(c->evidence, json_string(c->buf));
  }
  if (c->roles.r[SR_NET_RX].id) {
    double *nx = role_levels(c->st, d, &c->roles, SR_NET_RX);
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("network"));
    json_object_set_new(o, "series", json_string(c->roles.r[SR_NET_RX].name));
    json_object_set_new(o, "low_load_bytes_per_s", jx_real_or_null(rnd(mean_over(nx, 0, c->nlow), 1)));
    json_object_set_new(o, "knee_bytes_per_s", jx_real_or_null(rnd(nx[k], 1)));
    json_object_set_new(o, "note", json_string("utilisation needs the link capacity, which the metrics do not give"));
    json_array_append_new(res, o);
    free(nx);
  }
  if (c->roles.r[SR_LOADGEN_CPU].id) {
    json_t *o = json_object();
    json_object_set_new(o, "resource", json_string("load_generator"));
    json_object_set_new(o, "series", json_string(c->roles.r[SR_LOADGEN_CPU].name));
    json_object_set_new(o, "knee_pct", jx_real_or_null(rnd(c->lg[k], 0.01)));
    json_array_append_new(res, o);
    json_array_append_new(c->caveats, json_string("the load generator ran on the measured host: its CPU use is "
                                                  "inside the host CPU figures"));
    for (long i = 0; i <= k; i++)
      if (c->cpu[i] >= 95) {
        snprintf(c->buf, sizeof c->buf,
                 "the shared host's CPU was %.0f%% busy at %.0f VUs, at or before the breaking point: the load generator "
                 "may itself have been starved there",
                 c->cpu[i], d->lv[i].vus);
        json_array_append_new(c->caveats, json_string(c->buf));
        break;
      }
  }
  if (c->roles.r[SR_PROC_CPU].id && isfinite(c->pcpu[k])) {
    if (isfinite(c->roles.cores))
      snprintf(c->buf, sizeof c->buf, "service process used %.2f of %.0f cores at the breaking point", c->pcpu[k], c->roles.cores);
    else
      snprintf(c->buf, sizeof c->buf, "service process used %.2f cores at the breaking point", c->pcpu[k]);
    json_array_append_new(c->evidence, json_string(c->buf));
  }
}

static void bn_resources(struct bn_ctx *c) {
  const struct cap_data *d = c->d;
  c->cpu = role_levels(c->st, d, &c->roles, SR_HOST_CPU_PCT);
  c->pcpu = role_levels(c->st, d, &c->roles, SR_PROC_CPU);
  c->ld = role_levels(c->st, d, &c->roles, SR_LOAD1);
  c->mu = role_levels(c->st, d, &c->roles, SR_MEM_USED);
  c->mt = role_levels(c->st, d, &c->roles, SR_MEM_TOTAL);
  c->qv = role_levels(c->st, d, &c->roles, SR_QUEUE);
  c->inf = role_levels(c->st, d, &c->roles, SR_INFLIGHT);
  c->lg = role_levels(c->st, d, &c->roles, SR_LOADGEN_CPU);
  c->cpu_ceiling = NAN;
  for (size_t i = 0; i < d->nload; i++)
    c->xpeak = fmax(c->xpeak, d->lv[i].ok_rps);
  json_t *res = json_array();
  if (c->roles.r[SR_QUEUE].id)
    bn_pool(c, res);
  if (c->roles.r[SR_HOST_CPU_PCT].id)
    bn_cpu(c, res);
  if (c->roles.r[SR_MEM_USED].id)
    bn_memory(c, res);
  bn_other_resources(c, res);
  json_object_set_new(c->doc, "resources", res);
}

/* Per-endpoint fixed-pool capacity (utilisation law X ≤ c/S), with each
 * endpoint's own objective. */
static int bn_endpoint_capacity(struct bn_ctx *c, struct err *err) {
  const struct cap_data *d = c->d;
  json_t *pools = json_array();
  double llm_cph = NAN;
  const char *llm_name = NULL;
  for (size_t i = 0; i < c->nes; i++) {
    const struct ep_stat *x = &c->es[i];
    json_t *o = json_object();
    json_object_set_new(o, "endpoint", json_string(x->ep->name));
    json_object_set_new(o, "service_time_ms", jx_real_or_null(rnd(x->base_mean, 0.001)));
    json_object_set_new(o, "rps_within_slo", jx_real_or_null(rnd(x->ok_rps_last_pass, 0.001)));
    json_object_set_new(o, "calls_per_hour_within_slo", jx_real_or_null(rnd(3600 * x->ok_rps_last_pass, 1)));
    json_object_set_new(o, "peak_rps", jx_real_or_null(rnd(x->ok_rps_peak, 0.001)));
    json_object_set_new(o, "peak_calls_per_hour", jx_real_or_null(rnd(3600 * x->ok_rps_peak, 1)));
    double busy = x->ok_rps_peak * x->base_mean / 1000;
    json_object_set_new(o, "concurrency_at_peak", jx_real_or_null(rnd(busy, 0.01)));
    if (d->opts.slos) {
      struct slo so;
      if (slo_resolve(d->opts.slos, c->st, d->run->id, d->run->scenario, x->ep->name, &so, err) < 0) {
        json_decref(pools);
        return -1;
      }
      json_t *sj = slo_to_json(&so);
      json_object_update(o, sj);
      json_decref(sj);
      /* the endpoint's own objective on its p95 slices: the first slice over it */
      long over = -1;
      for (size_t j = 0; j < x->nlv && over < 0; j++)
        if (!slo_p95_met(x->lv[j].p95, so.p95_ms))
          over = (long)j;
      json_object_set_new(o, "p95_over_slo_vus", over >= 0 ? jx_real_or_null(rnd(x->lv[over].vus, 0.1)) : json_null());
      json_object_set_new(o, "p95_over_slo_time_s", over >= 0 ? json_real(x->lv[over].t0) : json_null());
    }
    json_array_append_new(pools, o);
    if (name_is_llm(x->ep->name) && (!llm_name || x->base_mean > 0)) {
      llm_name = x->ep->name;
      llm_cph = 3600 * x->ok_rps_last_pass;
    }
  }
  json_object_set_new(c->doc, "endpoint_capacity", pools);
  json_object_set_new(c->doc, "llm_endpoint", llm_name ? json_string(llm_name) : json_null());
  json_object_set_new(c->doc, "llm_calls_per_hour", jx_real_or_null(rnd(llm_cph, 1)));
  return 0;
}

static int cmp_cand(const void *a, const void *b) {
  const struct bn_cand *x = a, *y = b;
  if (x->onset != y->onset)
    return x->onset < y->onset ? -1 : 1;
  double ex = isfinite(x->explains) ? x->explains : 0, ey = isfinite(y->explains) ? y->explains : 0;
  return (ex < ey) - (ex > ey);
}

/* The ranked list and the verdict (= its first entry when that saturated
 * by one level after the knee). */
static void bn_verdict(struct bn_ctx *c) {
  const struct cap_data *d = c->d;
  qsort(c->cand, c->ncand, sizeof c->cand[0], cmp_cand);
  json_t *ranked = json_array();
  long slack = c->k + 1;
  for (size_t i = 0; i < c->ncand; i++) {
    struct bn_cand *x = &c->cand[i];
    snprintf(c->buf, sizeof c->buf, "saturated %s; %.0f%% of the mean latency growth from low load to the breaking point came after that",
             x->onset <= c->k ? "at or before the breaking point" : "only after the breaking point", 100 * (isfinite(x->explains) ? x->explains : 0));
    json_array_append_new(x->evidence, json_string(c->buf));
    json_array_append_new(ranked, json_pack("{s:I, s:s, s:s, s:s, s:o, s:f, s:o, s:b, s:o}", "rank", (json_int_t)(i + 1),
                                            "resource", x->resource, "kind", x->kind, "detail", x->detail,
                                            "first_saturated_vus", jx_real_or_null(rnd(d->lv[x->onset].vus, 0.1)),
                                            "first_saturated_time_s", d->lv[x->onset].t0, "explains_latency_growth",
                                            jx_real_or_null(rnd(x->explains, 1e-3)), "after_knee", x->onset > slack,
                                            "evidence", x->evidence));
    x->evidence = NULL;
  }
  const struct bn_cand *top = c->ncand && c->cand[0].onset <= slack ? &c->cand[0] : NULL;
  char detail[512];
  if (top)
    snprintf(detail, sizeof detail, "%s", top->detail);
  else if (!c->roles.any)
    snprintf(detail, sizeof detail, "the evidence (system metrics) is missing");
  else if (c->slo->breaking < 0)
    snprintf(detail, sizeof detail,
             "the run reached no breaking point and no recorded resource saturated at its highest load");
  else if (isfinite(c->cpu_ceiling) && c->xpeak < 0.7 * c->cpu_ceiling)
    snprintf(detail, sizeof detail,
             "no host resource saturated; the knee is well below the CPU ceiling, which points at a soft limit "
             "outside the host metrics (a lock, pool, database or rate limit)");
  else
    snprintf(detail, sizeof detail, "no recorded resource saturated at the breaking point");
  if (!c->roles.any) {
    json_array_append_new(c->evidence, json_string("no system metrics were ingested for this run: CPU, memory and "
                                                   "backend queues cannot be judged"));
    json_array_append_new(c->caveats, json_string("no system metrics: the bottleneck verdict rests on k6 data alone"));
  }
  json_t *v = json_object();
  json_object_set_new(v, "resource", json_string(top ? top->resource : "unknown"));
  json_object_set_new(v, "detail", json_string(detail));
  json_object_set_new(v, "onset_vus", top ? jx_real_or_null(rnd(d->lv[top->onset].vus, 0.1)) : json_null());
  json_object_set_new(v, "evidence", c->evidence);
  c->evidence = NULL;
  json_object_set_new(c->doc, "verdict", v);
  json_object_set_new(c->doc, "bottlenecks", ranked);
}

static void bn_release(struct bn_ctx *c) {
  for (size_t i = 0; i < c->nes; i++)
    free(c->es[i].lv);
  free(c->es);
  double *arrs[] = {c->cpu, c->pcpu, c->ld, c->mu, c->mt, c->qv, c->inf, c->lg};
  for (size_t i = 0; i < sizeof arrs / sizeof arrs[0]; i++)
    free(arrs[i]);
  for (size_t i = 0; i < c->ncand; i++)
    json_decref(c->cand[i].evidence);
  json_decref(c->evidence);
  sys_roles_release(&c->roles);
}

int bottleneck_analyse(struct store *st, const struct cap_data *d, const struct cap_slo *slo, json_t **out,
                       struct err *err) {
  struct bn_ctx c;
  memset(&c, 0, sizeof c);
  c.st = st;
  c.d = d;
  c.slo = slo;
  if (sys_roles_find(st, d->run, &c.roles, err) < 0)
    return -1;
  c.doc = json_object();
  c.caveats = json_array();
  c.evidence = json_array();
  c.k = cap_knee_index(d, slo);
  c.nlow = cap_low_load_count(d);
  const struct cap_level *K = &d->lv[c.k];
  json_object_set_new(c.doc, "knee",
                      json_pack("{s:o, s:f, s:s}", "vus", jx_real_or_null(rnd(K->vus, 0.1)), "time_s", K->t0, "basis",
                                slo->breaking >= 0 ? "breaking point" : "highest load level (no breaking point)"));
  json_object_set_new(c.doc, "low_load", json_pack("{s:o, s:f}", "vus_max", jx_real_or_null(rnd(d->lv[c.nlow - 1].vus, 0.1)),
                                                   "until_time_s", d->lv[c.nlow - 1].t1));
  bn_endpoints(&c);
  bn_phases(&c);
  bn_resources(&c);
  if (bn_endpoint_capacity(&c, err) < 0) {
    json_decref(c.doc);
    json_decref(c.caveats);
    bn_release(&c);
    return -1;
  }
  bn_verdict(&c);
  json_object_set_new(c.doc, "caveats", c.caveats);
  bn_release(&c);
  *out = c.doc;
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
