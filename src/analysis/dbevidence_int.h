/* dbevidence_int.h - what the files of the database evidence share
 * (analysis/dbevidence.c, db_series.c, db_pool.c, db_bottleneck.c,
 * db_compare.c); nothing outside them includes it. */
#ifndef LOADREP_DBEVIDENCE_INT_H
#define LOADREP_DBEVIDENCE_INT_H
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"
#include "util/jsonx.h"
#include "util/timeparse.h"

struct run_info;

#define WINDOW_S 10.0     /* time buckets of the load correlations */
#define CACHE_WINDOW_S 30.0
#define POOL_WINDOW_S 30.0

static inline json_t *whole(double v) { return jx_whole_or_real(v); }

static inline double rnd(double v, double q) { return isfinite(v) ? round(v / q) * q : v; }

static inline json_t *iso_or_null(double ts) {
  if (!isfinite(ts))
    return json_null();
  char b[64];
  time_format_iso(ts, b);
  return json_string(b);
}

/* A query id as a JSON string, or null. */
static inline json_t *db_queryid_json(int has, int64_t id) {
  if (!has)
    return json_null();
  char b[32];
  snprintf(b, sizeof b, "%lld", (long long)id);
  return json_string(b);
}

/* The application database: the datname with the most statement time in
 * pg_stat_statements, else the one with the most logged statements. */
int db_app_database(struct store *st, int64_t run_id, char **out, struct err *err);
/* A setting in ms from the snapshot 'settings' or a pg_settings export; NaN. */
double db_setting_ms(struct store *st, int64_t run_id, const char *name);
/* pg_stat_activity: idle in transaction and the oldest transaction; NULL. */
json_t *db_activity_json(struct store *st, int64_t run_id, const char *db);

/* ---- system series (db_series.c) ---- */

struct series {
  int64_t id;
  char *name;
  double *t, *v;
  size_t n;
};

struct series_set {
  struct series *s;
  size_t n;
};

/* The value of label key in "name{k=\"v\",...}" into buf; 0 when absent. */
int db_label_value(const char *name, const char *key, char *buf, size_t cap);
/* The series name without its labels. */
void db_base_name(const char *name, char *buf, size_t cap);
void db_series_set_release(struct series_set *ss);
int db_load_series(struct store *st, int64_t run_id, struct series_set *ss, struct err *err);
int db_load_samples(struct store *st, struct series *x, struct err *err);
double db_series_amount(const struct series *x, int counter, double t0, double t1);
/* The cache hit ratios of the run (hit/miss counter pairs of the series):
 * *out an array, *overall their sum; both NULL without cache series. */
int db_caches_json(struct store *st, const struct run_info *run, struct series_set *ss, json_t **out,
                   json_t **overall, struct err *err);

/* ---- the pool (db_pool.c) ---- */

enum { P_INUSE, P_WAITING, P_SIZE, P_TIMEOUTS, P_WAIT, P_IDLETX, P_N };

void db_find_pool_series(struct series_set *ss, struct series *p[P_N]);
double db_series_max(const struct series *x, double t0, double t1);
/* The pool object (analysis/dbevidence.h, db_pool_exhaustion_json) from
 * the run's series; *out NULL without pool series. */
int db_pool_json(struct store *st, const struct run_info *run, struct series_set *ss, json_t **out,
                 struct err *err);

#endif
