/* k6_instances.c - the k6 instances of one ingest (ingest/k6_instances.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/k6_instances.h"
#include "stats/percentile.h"
#include "store/store_instances.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct inst {
  char *name;
  struct strbuf files;
  uint64_t requests, failed, points;
  double *dur;
  size_t ndur, cap_dur;
  double vus_max;
  int64_t tmin, tmax;
  unsigned gen; /* the file generation its current file was recorded in */
};

struct k6_instances {
  struct inst *v;
  size_t n, cap;
  struct strmap ix;
  char *cur_file; /* the file being read (k6_instances_key with a file) */
  unsigned gen;   /* counts the files read */
};

struct k6_instances *k6_instances_new(void) {
  struct k6_instances *in = xcalloc(1, sizeof *in);
  in->ix = (struct strmap)STRMAP_INIT;
  return in;
}

void k6_instances_free(struct k6_instances *in) {
  if (!in)
    return;
  for (size_t i = 0; i < in->n; i++) {
    free(in->v[i].name);
    strbuf_release(&in->v[i].files);
    free(in->v[i].dur);
  }
  free(in->v);
  strmap_release(&in->ix);
  free(in->cur_file);
  free(in);
}

static void add_file(struct inst *x, const char *file) {
  if (!file)
    return;
  /* Already listed? Files are few; a scan is enough. */
  size_t n = strlen(file);
  for (const char *p = x->files.buf; (p = strstr(p, file)) != NULL; p += n)
    if ((p == x->files.buf || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
      return;
  if (x->files.len)
    strbuf_addch(&x->files, '\n');
  strbuf_addstr(&x->files, file);
}

int k6_instances_key(struct k6_instances *in, const char *name, const char *file) {
  int ix = strmap_get(&in->ix, name, strlen(name));
  if (ix < 0) {
    XGROW(in->v, in->cap, in->n + 1);
    struct inst *x = &in->v[in->n];
    memset(x, 0, sizeof *x);
    x->name = xstrdup(name);
    x->files = (struct strbuf)STRBUF_INIT;
    x->vus_max = NAN;
    x->tmin = INT64_MAX;
    x->tmax = INT64_MIN;
    ix = (int)in->n++;
    strmap_put(&in->ix, name, strlen(name), ix);
  }
  if (file) {
    add_file(&in->v[ix], file);
    free(in->cur_file);
    in->cur_file = xstrdup(file);
    in->gen++;
    in->v[ix].gen = in->gen;
  }
  return ix;
}

void k6_instances_point(struct k6_instances *in, int ix, enum k6_inst_kind kind, int64_t time_ns, double value) {
  if (ix < 0 || (size_t)ix >= in->n)
    return;
  struct inst *x = &in->v[ix];
  if (x->gen != in->gen && in->cur_file) { /* named by its tag: the file it is in */
    add_file(x, in->cur_file);
    x->gen = in->gen;
  }
  x->points++;
  if (time_ns < x->tmin)
    x->tmin = time_ns;
  if (time_ns > x->tmax)
    x->tmax = time_ns;
  switch (kind) {
  case K6I_REQS:
    x->requests += (uint64_t)value;
    break;
  case K6I_FAILED:
    x->failed += value != 0;
    break;
  case K6I_DURATION:
    XGROW(x->dur, x->cap_dur, x->ndur + 1);
    x->dur[x->ndur++] = value;
    break;
  case K6I_VUS:
    if (isnan(x->vus_max) || value > x->vus_max)
      x->vus_max = value;
    break;
  default:
    break;
  }
}

size_t k6_instances_count(const struct k6_instances *in) {
  size_t n = 0;
  for (size_t i = 0; i < in->n; i++)
    n += in->v[i].points > 0;
  return n;
}

int k6_instances_store(struct k6_instances *in, struct store *st, int64_t run_id, struct err *err) {
  for (size_t i = 0; i < in->n; i++) {
    struct inst *x = &in->v[i];
    if (!x->points)
      continue;
    stats_sort(x->dur, x->ndur);
    struct store_instance row = {
        .name = x->name,
        .files = x->files.buf,
        .requests = (int64_t)x->requests,
        .failed = (int64_t)x->failed,
        .p95_ms = x->ndur ? stats_pct_text(x->dur, x->ndur, "95") : NAN,
        .vus_max = x->vus_max,
        .start_ts = (double)x->tmin / 1e9,
        .end_ts = (double)x->tmax / 1e9,
    };
    if (store_instance_add(st, run_id, &row, err) < 0)
      return -1;
  }
  return 0;
}

const char *k6_instances_of_file(const struct k6_instances *in, const char *file) {
  const struct inst *best = NULL;
  size_t n = strlen(file);
  for (size_t i = 0; i < in->n; i++) {
    const struct inst *x = &in->v[i];
    for (const char *p = x->files.buf; x->points && (p = strstr(p, file)) != NULL; p += n)
      if ((p == x->files.buf || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) {
        if (!best || x->points > best->points)
          best = x;
        break;
      }
  }
  return best ? best->name : NULL;
}
