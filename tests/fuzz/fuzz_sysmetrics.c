/* fuzz_sysmetrics.c - libFuzzer target: the system-metric parsers
 * (src/ingest/sysmetrics.c: wide CSV, long CSV, sadf -d, Prometheus JSON)
 * directly, then the same file through a whole `loadrep ingest` beside a
 * small fixed k6 NDJSON file (so the samples are stored and windowed).
 *
 *   scripts/fuzz.sh 300 fuzz_sysmetrics
 *
 * The input is the content of one file. When sys_detect() does not
 * recognise it, the parser is chosen from the input size, so every parser
 * also sees content it was not made for (detection only reads the head;
 * the rest of a file is arbitrary anyway).
 *
 * Invariants (else abort()): every value handed to the sink is finite with
 * a finite time and non-NULL host/series/unit; an error is LR_DATAERR with
 * a message starting "file:"; a failed ingest leaves no row behind.
 */
#define _GNU_SOURCE /* memfd_create */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/reader.h"
#include "ingest/sysmetrics.h"
#include "store/store.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;
static int fd_k6 = -1, fd_sys = -1;
static char path_k6[64], path_sys[64];

/* A minimal run for the system metrics to belong to (2026-11-26T21:52:45Z
 * to :55Z; the samples in the corpus are around that time). */
static const char k6_file[] =
    "{\"type\":\"Metric\",\"data\":{\"name\":\"http_reqs\",\"type\":\"counter\",\"contains\":\"default\","
    "\"thresholds\":[],\"submetrics\":null},\"metric\":\"http_reqs\"}\n"
    "{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:45.133664672Z\","
    "\"value\":1,\"tags\":{\"method\":\"GET\",\"name\":\"http://x/api\",\"status\":\"200\"}}}\n"
    "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:45.133664672Z\","
    "\"value\":12.5,\"tags\":{\"method\":\"GET\",\"name\":\"http://x/api\",\"status\":\"200\"}}}\n"
    "{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:55.133664672Z\","
    "\"value\":1,\"tags\":{\"method\":\"GET\",\"name\":\"http://x/api\",\"status\":\"200\"}}}\n"
    "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:55.133664672Z\","
    "\"value\":20.25,\"tags\":{\"method\":\"GET\",\"name\":\"http://x/api\",\"status\":\"200\"}}}\n";

static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz invariant violated: %s\n  %s\n", what, detail ? detail : "");
  abort();
}

static int memfd(char path[64]) {
  int fd = memfd_create("loadrep-fuzz", 0);
  if (fd < 0)
    die("memfd_create failed", NULL);
  snprintf(path, 64, "/proc/self/fd/%d", fd);
  return fd;
}

static void init(void) {
  struct err err = ERR_INIT;
  if (store_open(&st, ":memory:", &err) < 0)
    die("cannot open an in-memory store", err.msg);
  fd_k6 = memfd(path_k6);
  fd_sys = memfd(path_sys);
  if (pwrite(fd_k6, k6_file, sizeof k6_file - 1, 0) != (ssize_t)(sizeof k6_file - 1))
    die("cannot write the memfd", NULL);
}

static long rows(void) {
  sqlite3_stmt *s = NULL;
  const char *sql = "SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM sys_series) + "
                    "(SELECT count(*) FROM sys_samples) + (SELECT count(*) FROM source_files)";
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
    die("cannot count rows", sqlite3_errmsg(st->db));
  long n = (long)sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

static int sample(void *ctx, const char *host, const char *series, const char *unit, double ts, double value,
                  struct err *err) {
  (void)err;
  long *n = ctx;
  if (!host || !series || !unit)
    die("sample with a NULL host, series or unit", NULL);
  if (!isfinite(ts) || !isfinite(value))
    die("non-finite sample handed to the sink", series);
  (void)strlen(host), (void)strlen(series), (void)strlen(unit); /* ASan: readable strings */
  (*n)++;
  return 0;
}

static void check_error(const struct err *err, const char *path) {
  size_t l = strlen(path);
  if (err->code != LR_DATAERR)
    die("a bad input gave an error other than LR_DATAERR (65)", err->msg);
  if (strncmp(err->msg, path, l) != 0 || err->msg[l] != ':')
    die("error message does not start with 'file:'", err->msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!st)
    init();
  if (ftruncate(fd_sys, 0) < 0 || (size && pwrite(fd_sys, data, size, 0) != (ssize_t)size))
    die("cannot write the memfd", NULL);

  /* 1. The parser alone. */
  struct err err = ERR_INIT;
  struct reader *r = NULL;
  if (reader_open(&r, path_sys, &err) < 0)
    die("reader_open failed on a memfd", err.msg);
  const unsigned char *head;
  size_t n;
  if (reader_peek(r, 65536, &head, &n, &err) == 0) {
    enum sys_kind kind = sys_detect(head, n);
    int detected = kind != SYS_NONE;
    if (!detected)
      kind = (enum sys_kind)(1 + size % 4);
    long count = 0;
    struct sys_sink sink = {&count, sample};
    if (sys_parse(r, kind, &sink, &err) < 0)
      check_error(&err, path_sys);
  } else {
    check_error(&err, path_sys);
  }
  reader_close(r);

  /* 2. The whole ingest, beside a k6 file. */
  char *argv[2] = {path_k6, path_sys};
  struct ingest_opts o = {0};
  struct ingest_result res;
  struct err e2 = ERR_INIT;
  if (ingest_files(st, &o, argv, 2, &res, &e2) < 0) {
    /* The k6 file is fine, so the error must be about the fuzzed one. */
    check_error(&e2, path_sys);
    if (rows() != 0)
      die("a failed ingest left rows behind", e2.msg);
    return 0;
  }
  struct err e3 = ERR_INIT;
  if (store_exec(st, "DELETE FROM runs", &e3) < 0)
    die("cannot clean up", e3.msg);
  if (rows() != 0)
    die("rows of a run survive its deletion (missing ON DELETE CASCADE?)", NULL);
  return 0;
}
