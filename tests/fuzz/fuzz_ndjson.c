/* fuzz_ndjson.c - libFuzzer target: a whole `loadrep ingest` of k6 NDJSON
 * (fast path and jansson fallback, gzip reader, aggregation, SQLite store),
 * then `show` of the run it made.
 *
 *   scripts/fuzz.sh 300 fuzz_ndjson
 *   build-fuzz/tests/fuzz/fuzz_ndjson -max_len=65536 NEW_CORPUS tests/fuzz/corpus/fuzz_ndjson
 *
 * The input is the content of one file (plain, or gzip when it starts with
 * the gzip magic). A line "#~~file~~#" splits it into several files ingested
 * together (parallel k6 instances, NDJSON + handleSummary, k6 + system
 * metrics). fuzz_summary.c and fuzz_csv.c are this same harness with their
 * own corpus.
 *
 * Beyond sanitizer reports, every input must satisfy (else abort()):
 *  - a failed ingest returns LR_DATAERR (or LR_USAGE for system metrics
 *    without a run) with a message that starts with the name of one of the
 *    files, and leaves no row behind (one transaction);
 *  - a successful ingest gives a run whose `show` document builds,
 *    has every key of the shape in issue 2 (a NaN statistic would be a
 *    missing key: jansson cannot hold NaN), dumps to valid JSON, and renders
 *    as text and Markdown.
 */
#define _GNU_SOURCE /* memfd_create, memmem */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analysis/show.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

#define MAX_FILES 4
static const char SEP[] = "#~~file~~#\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static int fds[MAX_FILES];
static char paths[MAX_FILES][64];
static FILE *devnull;

static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz invariant violated: %s\n  %s\n", what, detail ? detail : "");
  abort();
}

static void init(void) {
  struct err err = ERR_INIT;
  if (store_open(&st, ":memory:", &err) < 0)
    die("cannot open an in-memory store", err.msg);
  for (int i = 0; i < MAX_FILES; i++) {
    fds[i] = memfd_create("loadrep-fuzz", 0);
    if (fds[i] < 0)
      die("memfd_create failed", NULL);
    snprintf(paths[i], sizeof paths[i], "/proc/self/fd/%d", fds[i]);
  }
  devnull = fopen("/dev/null", "w");
}

static long count(const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
    die("cannot count rows", sqlite3_errmsg(st->db));
  long n = (long)sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

static long all_rows(void) {
  return count("SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM source_files) + "
               "(SELECT count(*) FROM metrics) + (SELECT count(*) FROM endpoints) + "
               "(SELECT count(*) FROM buckets) + (SELECT count(*) FROM sys_series) + "
               "(SELECT count(*) FROM sys_samples) + (SELECT count(*) FROM checks) + "
               "(SELECT count(*) FROM thresholds)");
}

/* The shape of issue 2: every key present (null allowed). jansson cannot
 * hold NaN or Inf (json_real() gives NULL), so a non-finite statistic that
 * slipped through shows up here as a missing key. */
static void need(json_t *obj, const char *keys, const char *where) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", keys);
  char *save = NULL;
  for (char *k = strtok_r(buf, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
    if (!json_object_get(obj, k)) {
      char msg[512];
      snprintf(msg, sizeof msg, "%s: key '%s' missing", where, k);
      die("show document does not have the documented shape", msg);
    }
  }
}

static void check_shape(json_t *doc) {
  need(json_object_get(doc, "run"), "id name scenario env start end duration_s", "run");
  const char *name;
  json_t *m;
  /* A run known from a summary alone shows only the statistics k6 printed
   * (the machine-readable summary has no p(99), its counters no rate). */
  int samples = json_object_size(json_object_get(doc, "endpoints")) > 0;
  json_object_foreach(json_object_get(doc, "metrics"), name, m) {
    if (!samples)
      continue;
    const char *type = json_string_value(json_object_get(m, "type"));
    if (!type)
      die("metric without a type", name);
    if (!strcmp(type, "trend"))
      need(m, "count avg min med max p(90) p(95) p(99)", name);
    else if (!strcmp(type, "counter"))
      need(m, "count rate", name);
    else if (!strcmp(type, "rate"))
      need(m, "passes fails value", name);
    else if (!strcmp(type, "gauge"))
      need(m, "value min max", name);
    else
      die("metric of an unknown type", name);
  }
  size_t i;
  json_array_foreach(json_object_get(doc, "endpoints"), i, m) {
    need(m, "method name requests failed error_rate rps http_req_duration", "endpoint");
    /* An endpoint seen only in non-duration samples has no latency stats
     * (count 0); reported as a shape question, not checked here. */
    json_t *d = json_object_get(m, "http_req_duration");
    if (json_number_value(json_object_get(d, "count")) > 0)
      need(d, "avg min med max p(90) p(95) p(99)", "endpoint duration");
  }
}

static void check_show(int64_t run_id) {
  struct err err = ERR_INIT;
  struct run_info ri;
  if (store_get_run(st, run_id, &ri, &err) < 0)
    die("the run just stored cannot be read", err.msg);
  json_t *doc = NULL;
  if (show_build(st, &ri, &doc, &err) < 0) {
    /* A stored run must always be showable. */
    die("show_build failed on a stored run", err.msg);
  }
  if (!json_is_object(json_object_get(doc, "run")) || !json_is_object(json_object_get(doc, "metrics")) ||
      !json_is_array(json_object_get(doc, "endpoints")))
    die("show document lacks run/metrics/endpoints", NULL);
  check_shape(doc);
  char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17));
  if (!text)
    die("show document does not dump to JSON", NULL);
  json_error_t je;
  json_t *back = json_loads(text, 0, &je);
  if (!back)
    die("show document dumps to invalid JSON", je.text);
  json_decref(back);
  free(text);
  show_print_text(doc, devnull, 0);
  struct strbuf md = STRBUF_INIT;
  show_render_md(doc, &md);
  strbuf_release(&md);
  json_decref(doc);
  run_info_release(&ri);
}

static int load_file(int i, const uint8_t *p, size_t n) {
  if (ftruncate(fds[i], 0) < 0 || (n && pwrite(fds[i], p, n, 0) != (ssize_t)n))
    die("cannot write the memfd", NULL);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!st)
    init();
  /* Split on SEP lines into at most MAX_FILES files. */
  int n = 0;
  const uint8_t *p = data, *end = data + size;
  while (n < MAX_FILES) {
    const uint8_t *s = n + 1 < MAX_FILES ? memmem(p, (size_t)(end - p), SEP, sizeof SEP - 1) : NULL;
    load_file(n++, p, s ? (size_t)(s - p) : (size_t)(end - p));
    if (!s)
      break;
    p = s + sizeof SEP - 1;
  }
  char *argv[MAX_FILES];
  for (int i = 0; i < n; i++)
    argv[i] = paths[i];

  struct ingest_opts o = {0};
  struct ingest_result res;
  struct err err = ERR_INIT;
  long before = all_rows();
  if (before != 0)
    die("the store is not empty before an ingest", NULL);
  if (ingest_files(st, &o, argv, n, &res, &err) < 0) {
    if (err.code == LR_USAGE && strstr(err.msg, "need --run"))
      return 0;
    if (err.code != LR_DATAERR)
      die("a bad input gave an error other than LR_DATAERR (65)", err.msg);
    int named = 0;
    for (int i = 0; i < n; i++) {
      size_t l = strlen(paths[i]);
      named |= !strncmp(err.msg, paths[i], l) && err.msg[l] == ':';
    }
    if (!named && !strstr(err.msg, "a run named"))
      die("error message does not start with 'file:'", err.msg);
    if (all_rows() != 0)
      die("a failed ingest left rows behind", err.msg);
    return 0;
  }
  check_show(res.run_id);
  struct err e2 = ERR_INIT;
  if (store_exec(st, "DELETE FROM runs", &e2) < 0)
    die("cannot clean up", e2.msg);
  if (all_rows() != 0)
    die("rows of a run survive its deletion (missing ON DELETE CASCADE?)", NULL);
  return 0;
}
