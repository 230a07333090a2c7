#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/completeness.h"
#include "ingest/detect.h"
#include "ingest/ingest.h"
#include "ingest/k6_agg.h"
#include "ingest/k6_csv.h"
#include "ingest/k6_ndjson.h"
#include "ingest/k6_summary.h"
#include "ingest/pglog.h"
#include "ingest/reader.h"
#include "ingest/runners.h"
#include "ingest/sysmetrics.h"
#include "store/store.h"
#include "store/store_db.h"
#include "store/store_runs.h"
#include "store/store_sources.h"
#include "store/store_sys.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

#define HEAD_BYTES 65536
#define SYS_MARGIN_S 30.0

struct in_file {
  const char *path;
  struct reader *r;
  enum input_kind kind;
  enum sys_kind sys;
  enum pg_kind pg;
  int pg_skip; /* a stderr log beside the csvlog of the same server: not counted twice */
  struct k6_summary sum;
  int has_sum;
  long lines, skipped;
};

static int has_nul(const unsigned char *h, size_t n) { return memchr(h, 0, n) != NULL; }

static int classify(struct in_file *f, struct err *err) {
  if (reader_open(&f->r, f->path, err) < 0)
    return -1;
  const unsigned char *head;
  size_t n;
  if (reader_peek(f->r, HEAD_BYTES, &head, &n, err) < 0)
    return -1;
  if (n == 0)
    return err_set(err, LR_DATAERR, "%s:1: empty file (expected k6 results or system metrics)", f->path);
  if (has_nul(head, n))
    return err_set(err, LR_DATAERR, "%s:1: binary data, not a k6 result or system-metrics file", f->path);
  f->kind = detect_head(head, n);
  if (f->kind == IN_K6_NDJSON || f->kind == IN_K6_CSV)
    return 0;
  f->pg = pg_detect(head, n);
  if (f->pg != PG_NONE) {
    f->kind = IN_PG;
    return 0;
  }
  f->sys = sys_detect(head, n);
  if (f->sys != SYS_NONE) {
    f->kind = IN_SYS;
    return 0;
  }
  if (f->kind != IN_JSON_DOC)
    return err_set(err, LR_DATAERR,
                   "%s:1: not a file loadrep knows (expected k6 --out json/csv, a k6 summary, system metrics: "
                   "wide or long CSV, sadf -d, Prometheus query_range JSON, or PostgreSQL: csvlog, stderr log, "
                   "pg_stat_statements or statistics-view CSV)",
                   f->path);
  struct strbuf sb = STRBUF_INIT;
  if (reader_read_all(f->r, &sb, err) < 0) {
    strbuf_release(&sb);
    return -1;
  }
  json_error_t je;
  size_t bom = sb.len >= 3 && !memcmp(sb.buf, "\xef\xbb\xbf", 3) ? 3 : 0;
  json_t *doc = json_loadb(sb.buf + bom, sb.len - bom, JSON_REJECT_DUPLICATES, &je);
  strbuf_release(&sb);
  if (!doc)
    return err_set(err, LR_DATAERR, "%s:%d:%d: invalid JSON: %s", f->path, je.line, je.column, je.text);
  f->kind = detect_json_doc(doc);
  int rc = 0;
  if (f->kind == IN_K6_SUMMARY_EXPORT || f->kind == IN_K6_HANDLE_SUMMARY || f->kind == IN_K6_MACHINE_SUMMARY) {
    rc = k6_summary_parse(doc, f->kind, f->path, &f->sum, err);
    f->has_sum = rc == 0;
  } else {
    rc = err_set(err, LR_DATAERR,
                 "%s:1: a JSON document of an unknown shape (expected a k6 --summary-export, handleSummary or "
                 "machine-readable summary, or a Prometheus query_range response)",
                 f->path);
  }
  json_decref(doc);
  return rc;
}

struct progress {
  double last;
  int tty;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(void *ctx, const struct reader *r) {
  struct progress *p = ctx;
  double t = now_s();
  if (!p->tty || t - p->last < 0.5)
    return;
  p->last = t;
  uint64_t size = reader_raw_size(r), pos = reader_raw_pos(r);
  fprintf(stderr, "\rloadrep: %s: %3.0f%% of %.1f MB", reader_path(r), size ? 100.0 * (double)pos / (double)size : 0,
          (double)size / 1e6);
}

/* A file is recorded with its size and SHA-256 once it is read whole; a file
 * already ingested (in any run) is refused. */
static int add_source(struct store *st, int64_t run_id, struct in_file *f, struct err *err) {
  uint64_t size;
  char sha[65];
  if (reader_finish(f->r, &size, sha, err) < 0)
    return -1;
  char *run, *path;
  if (store_source_owner(st, sha, &run, &path, err) < 0)
    return -1;
  if (run) {
    err_set(err, LR_DATAERR, "%s: this file was already ingested (as '%s' of run '%s'); nothing was changed",
            f->path, path, run);
    free(run);
    free(path);
    return -1;
  }
  struct store_source src = {
      .path = f->path,
      .kind = f->kind == IN_SYS  ? sys_kind_name(f->sys)
              : f->kind == IN_PG ? pg_kind_name(f->pg)
                                 : input_kind_name(f->kind),
      .size = size,
      .sha256 = sha,
      .lines = f->lines ? f->lines : reader_lineno(f->r),
      .skipped = f->skipped,
  };
  return store_source_add(st, run_id, &src, err);
}

/* Merges what the summaries say: k6's duration beats count/rate, verdicts are
 * AND-ed across parallel instances. */
static void merge_summaries(struct in_file *fs, int n, struct k6_summary_info *info, json_t **verdicts) {
  memset(info, 0, sizeof *info);
  info->duration_s = NAN;
  *verdicts = NULL;
  for (int i = 0; i < n; i++) {
    if (!fs[i].has_sum)
      continue;
    struct k6_summary *s = &fs[i].sum;
    int better = isnan(info->duration_s) ||
                 (!strcmp(s->duration_src ? s->duration_src : "", "k6") &&
                  strcmp(info->duration_src ? info->duration_src : "", "k6")) ||
                 (s->duration_s > info->duration_s && !strcmp(s->duration_src ? s->duration_src : "",
                                                              info->duration_src ? info->duration_src : ""));
    if (!isnan(s->duration_s) && better) {
      info->duration_s = s->duration_s;
      info->duration_src = s->duration_src;
    }
    if (!info->trend_stats && s->trend_stats)
      info->trend_stats = s->trend_stats;
    if (!info->k6_version && s->k6_version)
      info->k6_version = s->k6_version;
    if (!info->scenario_config && s->scenario_config)
      info->scenario_config = s->scenario_config;
    json_t *v = k6_summary_verdicts(s);
    if (!*verdicts) {
      *verdicts = v;
      continue;
    }
    const char *m;
    json_t *exprs;
    json_object_foreach(v, m, exprs) {
      json_t *have = json_object_get(*verdicts, m);
      if (!have) {
        json_object_set(*verdicts, m, exprs);
        continue;
      }
      const char *e;
      json_t *ok;
      json_object_foreach(exprs, e, ok) {
        json_t *h = json_object_get(have, e);
        json_object_set_new(have, e, json_boolean((!h || json_is_true(h)) && json_is_true(ok)));
      }
    }
    json_decref(v);
  }
  info->verdicts = *verdicts;
}

/* meta.json beside the k6 files (as tests/load/run.sh and the sample data
 * write it): k6's exit status (k6_exit_status or k6_exit_code) and,
 * when it has them, k6's options. The first one found speaks. */
static json_t *read_meta(const struct in_file *fs, int n) {
  for (int i = 0; i < n; i++) {
    if (fs[i].kind == IN_SYS || fs[i].kind == IN_PG)
      continue;
    const char *slash = strrchr(fs[i].path, '/');
    struct strbuf p = STRBUF_INIT;
    if (slash)
      strbuf_add(&p, fs[i].path, (size_t)(slash - fs[i].path + 1));
    strbuf_addstr(&p, "meta.json");
    json_error_t je;
    json_t *doc = access(p.buf, R_OK) == 0 ? json_load_file(p.buf, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!doc && access(p.buf, R_OK) == 0)
      warnf("%s:%d: not valid JSON, ignored: %s", p.buf, je.line, je.text);
    strbuf_release(&p);
    if (json_is_object(doc))
      return doc;
    json_decref(doc);
  }
  return NULL;
}

static int meta_exit_status(json_t *meta) {
  json_t *v = json_object_get(meta, "k6_exit_status");
  if (!json_is_integer(v))
    v = json_object_get(meta, "k6_exit_code");
  return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 256 ? (int)json_integer_value(v)
                                                                                          : -1;
}

static int insert_run(struct store *st, const struct ingest_opts *o, const char *name, const char *scenario,
                      int64_t *id, struct err *err) {
  char now[64];
  time_now_iso(now);
  char *labels = o->labels ? json_dumps(o->labels, JSON_COMPACT) : NULL;
  int rc = store_run_create(st, name, scenario, o->env ? o->env : "", labels ? labels : "{}", now, id, err);
  free(labels);
  return rc;
}

/* "<scenario>-YYYYmmdd-HHMMSS", made unique with -2, -3, ... */
static int default_name(struct store *st, const char *scenario, double start, char *out, size_t cap,
                        struct err *err) {
  char iso[64];
  time_format_iso(isfinite(start) ? start : 0, iso);
  char stamp[32];
  snprintf(stamp, sizeof stamp, "%.4s%.2s%.2s-%.2s%.2s%.2s", iso, iso + 5, iso + 8, iso + 11, iso + 14, iso + 17);
  for (int k = 1; k < 1000; k++) {
    if (k == 1)
      snprintf(out, cap, "%s-%s", scenario, stamp);
    else
      snprintf(out, cap, "%s-%s-%d", scenario, stamp, k);
    int64_t id;
    if (store_run_id_of(st, out, &id, err) < 0)
      return -1;
    if (!id)
      return 0;
  }
  return err_set(err, LR_SOFTWARE, "cannot find a free run name for '%s'", scenario);
}

/* One ingest: the files, what was read from them, and the run written. */
struct ingest {
  struct store *st;
  const struct ingest_opts *o;
  struct in_file *fs;
  int n, n_k6, n_sum, n_sys, n_pg;
  struct k6_agg *agg;
  struct progress prog;
  struct ingest_result *res;
  int64_t run_id;
  struct k6_summary_info info;
  json_t *verdicts, *meta, *meta_cfg;
  int by_dir; /* runners named by their directories (ingest/runners.h) */
};

/* Recognises every file; the same server's log in csvlog and stderr
 * format: the csvlog speaks. */
static int classify_all(struct ingest *g, char *const *paths, struct err *err) {
  struct in_file *fs = g->fs;
  for (int i = 0; i < g->n; i++) {
    fs[i].path = paths[i];
    if (classify(&fs[i], err) < 0)
      return -1;
    g->n_k6 += fs[i].kind == IN_K6_NDJSON || fs[i].kind == IN_K6_CSV;
    g->n_sum += fs[i].has_sum;
    g->n_sys += fs[i].kind == IN_SYS;
    g->n_pg += fs[i].kind == IN_PG;
  }
  const char **k6 = xcalloc((size_t)g->n + 1, sizeof *k6);
  int nk = 0;
  for (int i = 0; i < g->n; i++)
    if (fs[i].kind == IN_K6_NDJSON || fs[i].kind == IN_K6_CSV || fs[i].has_sum)
      k6[nk++] = fs[i].path;
  g->by_dir = runners_by_dir(k6, nk);
  free(k6);
  for (int i = 0; i < g->n; i++) {
    if (fs[i].kind != IN_PG || fs[i].pg != PG_STDERR)
      continue;
    for (int j = 0; j < g->n; j++) {
      if (fs[j].kind == IN_PG && fs[j].pg == PG_CSVLOG) {
        fs[i].pg_skip = 1;
        warnf("%s: a stderr-format log beside the csvlog %s: only the csvlog's entries are counted", fs[i].path,
              fs[j].path);
        break;
      }
    }
  }
  return 0;
}

static int name_is_free(struct store *st, const char *name, struct err *err) {
  int64_t exists = 0;
  if (name && store_run_id_of(st, name, &exists, err) < 0)
    return -1;
  if (exists)
    return err_set(err, LR_DATAERR, "a run named '%s' exists already; choose another --run name", name);
  return 0;
}

/* Reads the k6 samples (NDJSON and CSV) into the aggregator. */
static int read_samples(struct ingest *g, struct err *err) {
  for (int i = 0; i < g->n; i++) {
    struct in_file *f = &g->fs[i];
    if (f->kind == IN_K6_NDJSON || f->kind == IN_K6_CSV) {
      char *runner = runner_label(f->path, g->by_dir);
      k6_agg_set_source(g->agg, runner, f->path);
      free(runner);
    }
    if (f->kind == IN_K6_NDJSON) {
      struct ndjson_stats ns = {0};
      if (k6_ndjson_read(f->r, g->agg, &ns, show_progress, &g->prog, err) < 0)
        return -1;
      f->lines = ns.lines;
      f->skipped = ns.skipped_nonfinite;
      g->res->skipped += ns.skipped_nonfinite;
      if (ns.skipped_nonfinite)
        warnf("%s: skipped %ld line(s) with a non-finite value (+Inf/NaN), as k6 v0.x writes them", f->path,
              ns.skipped_nonfinite);
    } else if (f->kind == IN_K6_CSV) {
      long rows = 0;
      if (k6_csv_read(f->r, g->agg, &rows, err) < 0)
        return -1;
      f->lines = rows + 1;
    } else {
      continue;
    }
    if (g->prog.tty)
      fputs("\r\033[K", stderr);
  }
  return 0;
}

/* The run the files go to: a new one for k6 results, an existing one
 * (--run) for system metrics alone. */
static int open_run(struct ingest *g, struct err *err) {
  const struct ingest_opts *o = g->o;
  if (g->n_k6 + g->n_sum == 0) {
    if (!o->run_name)
      return err_set(err, LR_USAGE, "system metrics alone need --run RUN (the run they belong to)");
    struct run_info ri;
    if (store_find_run(g->st, o->run_name, &ri, err) < 0)
      return -1;
    g->run_id = ri.id;
    snprintf(g->res->run_name, sizeof g->res->run_name, "%s", ri.name);
    run_info_release(&ri);
    g->res->attached = 1;
    return 0;
  }
  if (name_is_free(g->st, o->run_name, err) < 0)
    return -1;
  char tmp[64];
  snprintf(tmp, sizeof tmp, ".ingest-%ld-%ld", (long)getpid(), (long)time(NULL));
  return insert_run(g->st, o, o->run_name ? o->run_name : tmp, o->scenario ? o->scenario : "", &g->run_id, err);
}

/* The k6 files' sources, the summaries merged and meta.json read. */
static int add_k6_sources(struct ingest *g, struct err *err) {
  struct in_file *fs = g->fs;
  for (int i = 0; i < g->n; i++)
    if ((fs[i].kind == IN_K6_NDJSON || fs[i].kind == IN_K6_CSV) && add_source(g->st, g->run_id, &fs[i], err) < 0)
      return -1;
  g->res->points = k6_agg_points(g->agg);
  if (g->n_k6 && g->res->points == 0)
    return err_set(err, LR_DATAERR, "%s: no k6 samples in the file(s) (a run needs at least one Point)", fs[0].path);
  merge_summaries(fs, g->n, &g->info, &g->verdicts);
  g->meta = read_meta(fs, g->n);
  g->meta_cfg = g->meta ? k6_scenario_config(g->meta) : NULL;
  if (!g->info.scenario_config)
    g->info.scenario_config = g->meta_cfg;
  for (int i = 0; i < g->n; i++)
    if (fs[i].has_sum && add_source(g->st, g->run_id, &fs[i], err) < 0)
      return -1;
  return 0;
}

/* The samples' aggregates with the summaries, or a summary alone (the first
 * of several speaks for the run) with its duration. */
static int store_results(struct ingest *g, struct err *err) {
  struct in_file *fs = g->fs;
  for (int i = 0; i < g->n; i++) {
    if (!fs[i].has_sum)
      continue;
    char *runner = runner_label(fs[i].path, g->by_dir);
    const char *name = runner;
    /* The runner of the samples beside it (the only sample file, or the one
     * of the same runner name), by its tag when it has one. */
    for (int j = 0; j < g->n; j++) {
      char *other = fs[j].kind == IN_K6_NDJSON || fs[j].kind == IN_K6_CSV ? runner_label(fs[j].path, g->by_dir) : NULL;
      const char *tagged = other && (g->n_k6 == 1 || !strcmp(other, runner)) ? k6_agg_instance_of(g->agg, fs[j].path) : NULL;
      free(other);
      if (tagged) {
        name = tagged;
        break;
      }
    }
    int rc = runner_summary_store(g->st, g->run_id, name, fs[i].path, &fs[i].sum, !g->res->points && g->n_sum > 1,
                                  err);
    free(runner);
    if (rc < 0)
      return -1;
  }
  if (g->res->points) {
    if (k6_agg_store(g->agg, g->st, g->run_id, &g->info, err) < 0)
      return -1;
    for (int i = 0; i < g->n; i++)
      if (fs[i].has_sum && k6_summary_store(&fs[i].sum, g->st, g->run_id, 1, err) < 0)
        return -1;
    return 0;
  }
  struct k6_summary **sums = xcalloc((size_t)g->n, sizeof *sums);
  int ns = 0;
  for (int i = 0; i < g->n; i++)
    if (fs[i].has_sum)
      sums[ns++] = &fs[i].sum;
  int rc = 0;
  if (ns == 1) {
    rc = k6_summary_store(sums[0], g->st, g->run_id, 0, err);
  } else if (ns > 1) { /* runners' summaries without samples: merged, approximately */
    struct k6_summary merged = *sums[0];
    runners_merge_summaries(sums, ns, &merged.metrics, &merged.checks);
    rc = k6_summary_store(&merged, g->st, g->run_id, 0, err);
    json_decref(merged.metrics);
    json_decref(merged.checks);
  }
  free(sums);
  if (rc < 0)
    return -1;
  return store_run_set_duration(g->st, g->run_id, g->info.duration_s,
                                g->info.duration_src ? g->info.duration_src : "unknown", err);
}

/* --run, else "<scenario>-<start>"; the scenario is --scenario, else the k6
 * scenario when there is one, else their names joined by '+' (e.g.
 * "browse+checkout"), with a warning. */
static int name_run(struct ingest *g, struct err *err) {
  const struct ingest_opts *o = g->o;
  char scen_buf[65];
  size_t nscen = k6_agg_scenarios(g->agg, scen_buf, sizeof scen_buf);
  const char *scenario = o->scenario ? o->scenario : scen_buf;
  if (!o->scenario && nscen > 1)
    warnf("the run has %zu k6 scenarios; it is filed under scenario '%s' (name it with --scenario S)", nscen,
          scen_buf);
  if (!*scenario)
    scenario = "default";
  char name[256];
  struct run_info ri;
  if (store_get_run(g->st, g->run_id, &ri, err) < 0)
    return -1;
  if (o->run_name)
    snprintf(name, sizeof name, "%s", o->run_name);
  else if (default_name(g->st, scenario, ri.start_ts, name, sizeof name, err) < 0) {
    run_info_release(&ri);
    return -1;
  }
  run_info_release(&ri);
  if (store_run_set_name(g->st, g->run_id, name, scenario, g->info.k6_version, err) < 0)
    return -1;
  snprintf(g->res->run_name, sizeof g->res->run_name, "%s", name);
  return 0;
}

/* Complete or not (src/ingest/completeness.h). */
static int judge_completeness(struct ingest *g, struct err *err) {
  const struct ingest_opts *o = g->o;
  struct ingest_result *res = g->res;
  struct completeness_in ci = {o->has_exit_status ? o->k6_exit_status : meta_exit_status(g->meta),
                               res->points ? k6_agg_abort_thresholds(g->agg) : NULL, NAN,
                               k6_configured_duration_s(g->info.scenario_config)};
  struct run_info ri;
  int r;
  if (store_get_run(g->st, g->run_id, &ri, err) == 0) {
    ci.duration_s = ri.duration_s;
    run_info_release(&ri);
    r = completeness_store(g->st, g->run_id, &ci, &res->complete, res->incomplete_reason,
                           sizeof res->incomplete_reason, err);
  } else {
    r = -1;
  }
  json_decref(ci.abort_thresholds);
  return r;
}

/* System metrics and database evidence (PostgreSQL logs, pg_stat_statements,
 * snapshots, and the server's settings from meta.json:
 * log_min_duration_statement), then the system samples aligned to the
 * run's window. */
static int store_sys_and_db(struct ingest *g, struct err *err) {
  for (int i = 0; i < g->n; i++) {
    struct in_file *f = &g->fs[i];
    if (f->kind != IN_SYS)
      continue;
    long ns = 0;
    if (sys_ingest_file(g->st, g->run_id, f->r, f->sys, &ns, err) < 0)
      return -1;
    g->res->sys_samples += ns;
    if (add_source(g->st, g->run_id, f, err) < 0)
      return -1;
  }
  if (g->n_pg &&
      db_store_settings(g->st, g->run_id, json_object_get(json_object_get(g->meta, "postgresql"), "settings"), err) < 0)
    return -1;
  for (int i = 0, snap = 0; i < g->n; i++) {
    struct in_file *f = &g->fs[i];
    if (f->kind != IN_PG)
      continue;
    long nr = 0;
    if (!f->pg_skip && db_ingest_file(g->st, g->run_id, f->r, f->pg, ++snap, &nr, err) < 0)
      return -1;
    if (add_source(g->st, g->run_id, f, err) < 0)
      return -1;
  }
  if (!g->n_sys)
    return 0;
  struct run_info ri;
  if (store_get_run(g->st, g->run_id, &ri, err) < 0)
    return -1;
  int rc = 0;
  if (isfinite(ri.start_ts) && isfinite(ri.end_ts)) {
    int overlap = 1;
    rc = sys_mark_window(g->st, g->run_id, ri.start_ts, ri.end_ts, SYS_MARGIN_S, &overlap, err);
    if (rc == 0)
      g->res->sys_overlap = overlap;
  }
  run_info_release(&ri);
  return rc;
}

/* What is written, in the write transaction. */
static int write_run(struct ingest *g, struct err *err) {
  if (open_run(g, err) < 0)
    return -1;
  g->res->run_id = g->run_id;
  if (add_k6_sources(g, err) < 0)
    return -1;
  if (!g->res->attached &&
      (store_results(g, err) < 0 || name_run(g, err) < 0 || judge_completeness(g, err) < 0))
    return -1;
  return store_sys_and_db(g, err);
}

int ingest_files(struct store *st, const struct ingest_opts *o, char *const *paths, int n, struct ingest_result *res,
                 struct err *err) {
  struct ingest g = {.st = st, .o = o, .n = n, .res = res};
  g.fs = xcalloc((size_t)n, sizeof *g.fs);
  g.agg = k6_agg_new();
  g.prog = (struct progress){0, o->progress && isatty(STDERR_FILENO)};
  int rc = -1, in_tx = 0;
  memset(res, 0, sizeof *res);
  res->sys_overlap = 1;

  if (classify_all(&g, paths, err) < 0)
    goto out;
  res->files = n;
  /* Parse before taking the write lock: another ingest waits only for the
   * writes, not for this one's reading. */
  if (o->run_name && g.n_k6 + g.n_sum && name_is_free(st, o->run_name, err) < 0)
    goto out;
  if (read_samples(&g, err) < 0)
    goto out;
  if (store_begin(st, err) < 0)
    goto out;
  in_tx = 1;
  if (write_run(&g, err) < 0)
    goto out;
  if (store_commit(st, err) < 0)
    goto out;
  in_tx = 0;
  rc = 0;
out:
  if (in_tx)
    store_rollback(st);
  if (g.prog.tty)
    fputs("\r\033[K", stderr);
  json_decref(g.verdicts);
  json_decref(g.meta_cfg);
  json_decref(g.meta);
  for (int i = 0; i < n; i++) {
    reader_close(g.fs[i].r);
    if (g.fs[i].has_sum)
      k6_summary_release(&g.fs[i].sum);
  }
  free(g.fs);
  k6_agg_free(g.agg);
  return rc;
}
