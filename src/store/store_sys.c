/* store_sys.c - writes parsed system metrics into sys_series/sys_samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
#include "store/sq.h"
#include "store/store.h"
#include "store/store_sys.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

struct sys_writer {
  struct store *st;
  int64_t run_id;
  const char *source;
  struct sq_bulk *samples;
  struct strmap ids;     /* "host\0name" -> index into series_ids */
  int64_t *series_ids;
  size_t n_ids, cap_ids;
  struct strbuf key;
  int last;              /* index of the last series used, -1 at first */
  struct strbuf last_key;
  long n;
};

static int series_id(struct sys_writer *w, const char *host, const char *series, const char *unit, int64_t *id,
                     struct err *err) {
  strbuf_reset(&w->key);
  strbuf_addstr(&w->key, host);
  strbuf_addch(&w->key, 0);
  strbuf_addstr(&w->key, series);
  /* Wide CSV rows and Prometheus series repeat the same series in runs of
   * samples: check the last one before hashing. */
  if (w->last >= 0 && w->last_key.len == w->key.len && !memcmp(w->last_key.buf, w->key.buf, w->key.len)) {
    *id = w->series_ids[w->last];
    return 0;
  }
  int idx = strmap_get(&w->ids, w->key.buf, w->key.len);
  if (idx < 0) {
    int64_t got;
    if (sq_run(w->st, err, "cannot insert a system series",
               "INSERT INTO sys_series (run_id, host, name, unit, source) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT DO NOTHING",
               "issss", w->run_id, host, series, unit ? unit : "", w->source) < 0 ||
        sq_int64_of(w->st, err, "cannot read a system series", -1, &got,
                    "SELECT id FROM sys_series WHERE run_id = ? AND host = ? AND name = ? AND source = ?", "isss",
                    w->run_id, host, series, w->source) < 0)
      return -1;
    if (got < 0)
      return store_fail(w->st, err, "cannot read a system series");
    XGROW(w->series_ids, w->cap_ids, w->n_ids + 1);
    w->series_ids[w->n_ids] = got;
    idx = (int)w->n_ids++;
    strmap_put(&w->ids, w->key.buf, w->key.len, idx);
  }
  w->last = idx;
  strbuf_reset(&w->last_key);
  strbuf_add(&w->last_key, w->key.buf, w->key.len);
  *id = w->series_ids[idx];
  return 0;
}

static int writer_sample(void *ctx, const char *host, const char *series, const char *unit, double ts,
                         double value, struct err *err) {
  struct sys_writer *w = ctx;
  int64_t id = 0;
  if (!isfinite(value) || !isfinite(ts))
    return 0;
  if (series_id(w, host, series, unit, &id, err) < 0)
    return -1;
  sq_bulk_int64(w->samples, id);
  sq_bulk_double(w->samples, ts);
  sq_bulk_double(w->samples, value);
  sq_bulk_int64(w->samples, 0);
  if (sq_bulk_end_row(w->samples, err) < 0)
    return store_fail(w->st, err, "cannot insert a system sample");
  w->n++;
  return 0;
}

int sys_ingest_file(struct store *st, int64_t run_id, struct reader *r, enum sys_kind kind, long *n_samples,
                    struct err *err) {
  struct sys_writer w = {0};
  w.st = st;
  w.run_id = run_id;
  w.source = sys_kind_name(kind);
  w.last = -1;
  strbuf_init(&w.key, 64);
  strbuf_init(&w.last_key, 64);
  int rc = -1;
  w.samples = sq_bulk_begin(st, "sys_samples", "series_id, ts, value, in_window", err);
  if (w.samples) {
    struct sys_sink sink = {&w, writer_sample};
    rc = sys_parse(r, kind, &sink, err);
    if (rc == 0)
      rc = sq_bulk_finish(w.samples, err);
    else
      sq_bulk_abort(w.samples);
  }
  strmap_release(&w.ids);
  free(w.series_ids);
  strbuf_release(&w.last_key);
  strbuf_release(&w.key);
  if (n_samples)
    *n_samples = w.n;
  return rc;
}

int sys_mark_window(struct store *st, int64_t run_id, double start_ts, double end_ts, double margin_s,
                    int *overlap, struct err *err) {
  int all = isnan(start_ts) || isnan(end_ts);
  *overlap = 1;
  if (sq_run(st, err, "cannot mark system samples",
             "UPDATE sys_samples SET in_window = CASE WHEN ?1 <> 0 OR (ts >= ?2 AND ts <= ?3) THEN 1 ELSE 0 END "
             "WHERE series_id IN (SELECT id FROM sys_series WHERE run_id = ?4)",
             "Iddi", all, all ? 0.0 : start_ts - margin_s, all ? 0.0 : end_ts + margin_s, run_id) < 0)
    return -1;
  if (all)
    return 0;
  /* Overlap: a sample within [start, end], or no sample at all. */
  int64_t yes;
  int rc = sq_int64_of(st, err, "cannot read system samples", 1, &yes,
                       "SELECT CASE WHEN EXISTS (SELECT 1 FROM sys_samples x JOIN sys_series r ON r.id = x.series_id "
                       "                         WHERE r.run_id = ?1 AND x.ts >= ?2 AND x.ts <= ?3) "
                       "OR NOT EXISTS (SELECT 1 FROM sys_samples x JOIN sys_series r ON r.id = x.series_id "
                       "               WHERE r.run_id = ?1) THEN 1 ELSE 0 END",
                       "idd", run_id, start_ts, end_ts);
  *overlap = (int)yes;
  return rc;
}
