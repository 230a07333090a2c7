/* store_sys.c - writes parsed system metrics into sys_series/sys_samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"
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
  sqlite3_stmt *ins_series, *get_series, *ins_sample;
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
    sqlite3_stmt *s = w->ins_series;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, w->run_id);
    sqlite3_bind_text(s, 2, host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, series, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, unit ? unit : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, w->source, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
      return store_fail(w->st, err, "cannot insert a system series");
    s = w->get_series;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, w->run_id);
    sqlite3_bind_text(s, 2, host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, series, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, w->source, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW)
      return store_fail(w->st, err, "cannot read a system series");
    XGROW(w->series_ids, w->cap_ids, w->n_ids + 1);
    w->series_ids[w->n_ids] = sqlite3_column_int64(s, 0);
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
  sqlite3_stmt *s = w->ins_sample;
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_double(s, 2, ts);
  sqlite3_bind_double(s, 3, value);
  if (sqlite3_step(s) != SQLITE_DONE)
    return store_fail(w->st, err, "cannot insert a system sample");
  w->n++;
  return 0;
}

int sys_ingest_file(struct store *st, int64_t run_id, struct reader *r, enum sys_kind kind, long *n_samples,
                    struct err *err) {
  struct sys_writer w = {0};
  int rc = -1;
  w.st = st;
  w.run_id = run_id;
  w.source = sys_kind_name(kind);
  w.last = -1;
  strbuf_init(&w.key, 64);
  strbuf_init(&w.last_key, 64);
  w.ins_series = store_prepare(st,
                               "INSERT OR IGNORE INTO sys_series (run_id, host, name, unit, source) "
                               "VALUES (?, ?, ?, ?, ?)",
                               err);
  w.get_series = store_prepare(st, "SELECT id FROM sys_series WHERE run_id = ? AND host = ? AND name = ? AND source = ?",
                               err);
  w.ins_sample = store_prepare(st, "INSERT INTO sys_samples (series_id, ts, value, in_window) VALUES (?, ?, ?, 0)",
                               err);
  if (w.ins_series && w.get_series && w.ins_sample) {
    struct sys_sink sink = {&w, writer_sample};
    rc = sys_parse(r, kind, &sink, err);
  }
  sqlite3_finalize(w.ins_series);
  sqlite3_finalize(w.get_series);
  sqlite3_finalize(w.ins_sample);
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
  sqlite3_stmt *s = store_prepare(st,
                                  "UPDATE sys_samples SET in_window = (?1 OR (ts >= ?2 AND ts <= ?3)) "
                                  "WHERE series_id IN (SELECT id FROM sys_series WHERE run_id = ?4)",
                                  err);
  if (!s)
    return -1;
  sqlite3_bind_int(s, 1, all);
  sqlite3_bind_double(s, 2, all ? 0 : start_ts - margin_s);
  sqlite3_bind_double(s, 3, all ? 0 : end_ts + margin_s);
  sqlite3_bind_int64(s, 4, run_id);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return store_fail(st, err, "cannot mark system samples");
  if (all)
    return 0;
  s = store_prepare(st,
                    "SELECT EXISTS (SELECT 1 FROM sys_samples x JOIN sys_series r ON r.id = x.series_id "
                    "               WHERE r.run_id = ?1 AND x.ts >= ?2 AND x.ts <= ?3), "
                    "       EXISTS (SELECT 1 FROM sys_samples x JOIN sys_series r ON r.id = x.series_id "
                    "               WHERE r.run_id = ?1)",
                    err);
  if (!s)
    return -1;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_double(s, 2, start_ts);
  sqlite3_bind_double(s, 3, end_ts);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *overlap = sqlite3_column_int(s, 0) || !sqlite3_column_int(s, 1);
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW)
    return store_fail(st, err, "cannot read system samples");
  return 0;
}
