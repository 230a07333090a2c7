/* test_sysmetrics.c - system-metric parsers, storage, window marking and
 * per-run statistics, on real excerpts (tests/fixtures/sys, data/edumind). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/sysstats.h"
#include "harness.h"
#include "ingest/reader.h"
#include "ingest/sysmetrics.h"
#include "render/sysstats_text.h"
#include "store/sq.h"
#include "store/store.h"
#include "store/store_sys.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

#define SYS FIXTURES "/sys"
#define DATA FIXTURES "/../../data/edumind"

static char tmpdir[] = "/tmp/loadrep-test-sys.XXXXXX";

/* ------------------------------------------------------------ a sink */

struct sample {
  char *host, *series, *unit;
  double ts, value;
};

struct coll {
  struct sample *s;
  size_t n, cap;
};

static int coll_sample(void *ctx, const char *host, const char *series, const char *unit, double ts, double value,
                       struct err *err) {
  (void)err;
  struct coll *c = ctx;
  XGROW(c->s, c->cap, c->n + 1);
  struct sample *s = &c->s[c->n++];
  s->host = xstrdup(host);
  s->series = xstrdup(series);
  s->unit = xstrdup(unit);
  s->ts = ts;
  s->value = value;
  return 0;
}

static void coll_free(struct coll *c) {
  for (size_t i = 0; i < c->n; i++) {
    free(c->s[i].host);
    free(c->s[i].series);
    free(c->s[i].unit);
  }
  free(c->s);
  memset(c, 0, sizeof *c);
}

static const struct sample *find(const struct coll *c, const char *series, size_t nth) {
  for (size_t i = 0; i < c->n; i++)
    if (!strcmp(c->s[i].series, series) && nth-- == 0)
      return &c->s[i];
  return NULL;
}

static size_t count_series(const struct coll *c) {
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++) {
    size_t j = 0;
    for (; j < i; j++)
      if (!strcmp(c->s[i].series, c->s[j].series) && !strcmp(c->s[i].host, c->s[j].host))
        break;
    k += j == i;
  }
  return k;
}

/* Detects and parses path; returns sys_parse's result, kind in *kind. */
static int parse_file(const char *path, struct coll *c, enum sys_kind *kind, struct err *err) {
  struct reader *r;
  if (reader_open(&r, path, err) < 0)
    return -1;
  const unsigned char *head;
  size_t n;
  int rc = reader_peek(r, 4096, &head, &n, err);
  if (rc == 0) {
    *kind = sys_detect(head, n);
    struct sys_sink sink = {c, coll_sample};
    rc = *kind == SYS_NONE ? err_set(err, LR_DATAERR, "not detected") : sys_parse(r, *kind, &sink, err);
  }
  reader_close(r);
  return rc;
}

static char *write_tmp(const char *name, const char *content) {
  struct strbuf sb = STRBUF_INIT;
  strbuf_addf(&sb, "%s/%s", tmpdir, name);
  FILE *f = fopen(sb.buf, "w");
  if (!f) {
    perror(sb.buf);
    exit(2);
  }
  fputs(content, f);
  fclose(f);
  return strbuf_detach(&sb, NULL);
}

/* Parses content (as file `name`) expecting failure; returns the message. */
static const char *bad(const char *name, const char *content, enum sys_kind want_kind) {
  static struct err err;
  struct coll c = {0};
  enum sys_kind kind = SYS_NONE;
  char *path = write_tmp(name, content);
  memset(&err, 0, sizeof err);
  int rc = parse_file(path, &c, &kind, &err);
  INT_EQ(kind, want_kind, "%s: detected kind", name);
  INT_EQ(rc, -1, "%s: parse must fail", name);
  INT_EQ(err.code, LR_DATAERR, "%s: exit code", name);
  coll_free(&c);
  free(path);
  return err.msg;
}

static double iso(const char *s) {
  int64_t ns = 0;
  rfc3339_parse(s, strlen(s), 0, &ns);
  return (double)ns / 1e9;
}

/* ------------------------------------------------------------ detection */

static void test_detect(void) {
  static const struct {
    const char *text;
    enum sys_kind kind;
  } cases[] = {
      {"timestamp,epoch_s,host_cpu_user_pct\n2026-11-26T21:58:38.664Z,1795730318.664,50.00\n", SYS_WIDE_CSV},
      {"\xEF\xBB\xBFtime,cpu\n", SYS_WIDE_CSV},
      {"timestamp,host,metric,value\n", SYS_LONG_CSV},
      {"# hostname;interval;timestamp;CPU;%user\n", SYS_SADF},
      {"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}", SYS_PROMETHEUS},
      {"{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"x\"}", SYS_PROMETHEUS},
      /* k6's own formats are not system metrics */
      {"metric_name,timestamp,metric_value,check,error,error_code\n", SYS_NONE},
      {"{\"type\":\"Metric\",\"data\":{\"name\":\"vus\"},\"metric\":\"vus\"}\n", SYS_NONE},
      {"{\"metrics\":{\"http_reqs\":{}},\"root_group\":{}}", SYS_NONE},
      {"cpu,mem\n1,2\n", SYS_NONE},
      {"", SYS_NONE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    INT_EQ(sys_detect((const unsigned char *)cases[i].text, strlen(cases[i].text)), cases[i].kind,
           "detect case %zu", i);
  STR_EQ(sys_kind_name(SYS_WIDE_CSV), "sys-wide-csv", "kind name");
  STR_EQ(sys_kind_name(SYS_PROMETHEUS), "prometheus", "kind name");
}

static void test_units(void) {
  double sc;
  STR_EQ(sys_infer_unit("host_cpu_busy_pct", &sc), "percent", "pct");
  STR_EQ(sys_infer_unit("sut_rss_kb", &sc), "bytes", "kb");
  DBL_NEAR(sc, 1024, 0, "kb scale");
  STR_EQ(sys_infer_unit("process_resident_memory_bytes", &sc), "bytes", "bytes");
  DBL_NEAR(sc, 1, 0, "bytes scale");
  STR_EQ(sys_infer_unit("lo_rx_bytes_per_s", &sc), "bytes/s", "bytes/s");
  STR_EQ(sys_infer_unit("rxkB/s{iface=\"lo\"}", &sc), "bytes/s", "sadf kB/s");
  DBL_NEAR(sc, 1024, 0, "kB/s scale");
  STR_EQ(sys_infer_unit("cswch/s", &sc), "per-second", "sadf /s");
  STR_EQ(sys_infer_unit("sut_requests_rate_by_endpoint_status{endpoint=\"x_pct\"}", &sc), "per-second",
         "labels ignored");
  STR_EQ(sys_infer_unit("%user{cpu=\"all\"}", &sc), "percent", "sadf %%");
  STR_EQ(sys_infer_unit("kbmemfree", &sc), "bytes", "sadf kb");
  STR_EQ(sys_infer_unit("sut_threads", &sc), "count", "threads");
  STR_EQ(sys_infer_unit("up", &sc), "count", "up");
  STR_EQ(sys_infer_unit("load1", &sc), "", "load");
}

/* ------------------------------------------------------------ parsers */

static void test_wide(void) {
  struct coll c = {0};
  struct err err = ERR_INIT;
  enum sys_kind kind;
  INT_EQ(parse_file(SYS "/system_metrics_smoke.csv", &c, &kind, &err), 0, "wide: %s", err.msg);
  INT_EQ(kind, SYS_WIDE_CSV, "wide kind");
  /* 13 rows x 21 metric columns = 273 cells, 13 of them empty (k6 before and after its run) */
  INT_EQ(c.n, 260, "wide: non-empty cells");
  INT_EQ(count_series(&c), 21, "wide: series (timestamp and epoch_s are not series)");
  OK(find(&c, "timestamp", 0) == NULL && find(&c, "epoch_s", 0) == NULL, "time columns are not series");
  const struct sample *s = find(&c, "sut_rss_kb", 0);
  OK(s != NULL, "sut_rss_kb present");
  if (s) {
    DBL_NEAR(s->value, 28024.0 * 1024, 0, "kB converted to bytes");
    STR_EQ(s->unit, "bytes", "rss unit");
    STR_EQ(s->host, "", "no host column");
    DBL_NEAR(s->ts, 1795730318.664, 1e-6, "timestamp from ISO column");
  }
  s = find(&c, "k6_rss_kb", 0); /* first two cells empty: first value is row 3 */
  OK(s && s->value == 30648.0 * 1024 && fabs(s->ts - 1795730320.664) < 1e-6, "empty cells are missing, not zero");
  s = find(&c, "host_cpu_busy_pct", 12);
  OK(s && s->value == 51.00 && !strcmp(s->unit, "percent"), "last busy value");
  s = find(&c, "lo_rx_bytes_per_s", 0);
  OK(s && !strcmp(s->unit, "bytes/s") && s->value == 7478, "bytes/s");
  coll_free(&c);

  /* epoch seconds only, a host column, quotes, NaN and blank lines */
  char *p = write_tmp("epoch.csv", "epoch_s,host,\"cpu_pct\",rss_kb\n"
                                   "1795730318.5,a,1.5,10\n"
                                   "\n"
                                   "1795730319.5,\"b\",NaN,\n"
                                   "1795730320500,a,2,\n");
  INT_EQ(parse_file(p, &c, &kind, &err), 0, "epoch csv: %s", err.msg);
  INT_EQ(c.n, 3, "epoch csv samples");
  OK(c.n == 3 && !strcmp(c.s[0].host, "a") && c.s[0].ts == 1795730318.5 && c.s[1].value == 10240,
     "epoch csv first row");
  OK(c.n == 3 && !strcmp(c.s[2].host, "a") && fabs(c.s[2].ts - 1795730320.5) < 1e-6, "milliseconds detected");
  coll_free(&c);
  free(p);
}

static void test_long(void) {
  struct coll c = {0};
  struct err err = ERR_INIT;
  enum sys_kind kind;
  INT_EQ(parse_file(SYS "/long_smoke.csv", &c, &kind, &err), 0, "long: %s", err.msg);
  INT_EQ(kind, SYS_LONG_CSV, "long kind");
  INT_EQ(c.n, 10, "long samples (2 empty values skipped)");
  INT_EQ(count_series(&c), 3, "long series");
  const struct sample *s = find(&c, "mem_used_kb", 3);
  OK(s && s->value == 541284.0 * 1024 && !strcmp(s->host, "edumind-sut") && !strcmp(s->unit, "bytes") &&
         fabs(s->ts - 1795730321.664) < 1e-6,
     "long: mem_used_kb row 4");
  coll_free(&c);
}

static void test_sadf(void) {
  struct coll c = {0};
  struct err err = ERR_INIT;
  enum sys_kind kind;
  INT_EQ(parse_file(SYS "/sadf_d.txt", &c, &kind, &err), 0, "sadf: %s", err.msg);
  INT_EQ(kind, SYS_SADF, "sadf kind");
  /* 4 intervals: -u -P ALL 3x6, -w 2, -r 11, -q 6, -d 1x8, -n DEV 4x8 */
  INT_EQ(c.n, 4 * (18 + 2 + 11 + 6 + 8 + 32), "sadf samples");
  INT_EQ(count_series(&c), 18 + 2 + 11 + 6 + 8 + 32, "sadf series");
  const struct sample *s = find(&c, "%user{cpu=\"all\"}", 0);
  OK(s && s->value == 40.50 && !strcmp(s->unit, "percent") && !strcmp(s->host, "vm") &&
         s->ts == iso("2026-11-26T23:41:56Z"),
     "sadf: %%user of all CPUs");
  s = find(&c, "%idle{cpu=\"1\"}", 3);
  OK(s && s->value == 33.00 && s->ts == iso("2026-11-26T23:41:59Z"), "sadf: per-CPU idle");
  s = find(&c, "kbmemfree", 0);
  OK(s && s->value == 22941352.0 * 1024 && !strcmp(s->unit, "bytes"), "sadf: kB to bytes");
  s = find(&c, "wkB/s{dev=\"vda\"}", 2);
  OK(s && s->value == 192.0 * 1024 && !strcmp(s->unit, "bytes/s"), "sadf: disk kB/s");
  s = find(&c, "cswch/s", 1);
  OK(s && s->value == 1118.81 && !strcmp(s->unit, "per-second"), "sadf: cswch/s");
  OK(find(&c, "rxkB/s{iface=\"eth0\"}", 3) != NULL, "sadf: interface label");
  coll_free(&c);

  /* LINUX-RESTART records are skipped */
  char *p = write_tmp("restart.txt", "# hostname;interval;timestamp;proc/s;cswch/s\n"
                                     "vm;-1;2026-11-26 23:41:55 UTC;LINUX-RESTART\t(2 CPU)\n"
                                     "vm;1;2026-11-26 23:41:56 UTC;177.00;1176.00\n");
  INT_EQ(parse_file(p, &c, &kind, &err), 0, "sadf restart: %s", err.msg);
  INT_EQ(c.n, 2, "sadf restart samples");
  coll_free(&c);
  free(p);
}

static void test_prometheus(void) {
  struct coll c = {0};
  struct err err = ERR_INIT;
  enum sys_kind kind;
  INT_EQ(parse_file(SYS "/prometheus/sut_requests_rate_by_endpoint_status.json", &c, &kind, &err), 0, "prom: %s",
         err.msg);
  INT_EQ(kind, SYS_PROMETHEUS, "prom kind");
  const struct sample *s = find(&c, "sut_requests_rate_by_endpoint_status{endpoint=\"assessments\",status=\"200\"}", 1);
  OK(s && s->value == 0.2629 && s->ts == 1795730324.624 && !strcmp(s->unit, "per-second") && !strcmp(s->host, ""),
     "prom: no __name__: file name plus sorted labels");
  coll_free(&c);

  INT_EQ(parse_file(SYS "/prometheus/sut_process_resident_memory_bytes.json", &c, &kind, &err), 0, "prom: %s",
         err.msg);
  INT_EQ(c.n, 12, "prom rss samples");
  s = find(&c, "process_resident_memory_bytes", 11);
  OK(s && s->value == 38264832 && !strcmp(s->unit, "bytes"), "prom: __name__, constant instance/job dropped");
  coll_free(&c);

  INT_EQ(parse_file(SYS "/prometheus/scrape_up.json", &c, &kind, &err), 0, "prom: %s", err.msg);
  INT_EQ(count_series(&c), 2, "prom up series");
  OK(find(&c, "up{instance=\"127.0.0.1:8080\",job=\"edumind\"}", 0) != NULL &&
         find(&c, "up{instance=\"127.0.0.1:9100\",job=\"node\"}", 0) != NULL,
     "prom: instance/job kept when they tell results apart");
  coll_free(&c);

  INT_EQ(parse_file(SYS "/prometheus/node_cpu_utilisation_pct.json", &c, &kind, &err), 0, "prom: %s", err.msg);
  s = find(&c, "node_cpu_utilisation_pct", 0);
  OK(s && s->value == 50.75000000000074 && !strcmp(s->unit, "percent"), "prom: {} metric uses the file name");
  coll_free(&c);

  INT_EQ(parse_file(SYS "/prometheus/node_cpu_seconds_rate_by_mode.json", &c, &kind, &err), 0, "prom: %s",
         err.msg);
  OK(find(&c, "node_cpu_seconds_rate_by_mode{mode=\"idle\"}", 0) != NULL, "prom: mode label");
  coll_free(&c);

  /* NaN and infinities are skipped without an error; vector results */
  char *p = write_tmp("q.json.gz.json",
                      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"a\":"
                      "\"x\\\"y\"},\"values\":[[1,\"NaN\"],[2,\"+Inf\"],[3,\"-Inf\"],[4,\"1e3\"]]}]}}");
  INT_EQ(parse_file(p, &c, &kind, &err), 0, "prom nan: %s", err.msg);
  INT_EQ(c.n, 1, "NaN/Inf skipped");
  OK(c.n == 1 && !strcmp(c.s[0].series, "q.json.gz{a=\"x\\\"y\"}") && c.s[0].value == 1000,
     "label value escaped; got %s", c.n ? c.s[0].series : "-");
  coll_free(&c);
  free(p);
  p = write_tmp("v.json", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                          "{\"metric\":{\"__name__\":\"up\",\"job\":\"n\"},\"value\":[1795730317.624,\"1\"]}]}}");
  INT_EQ(parse_file(p, &c, &kind, &err), 0, "prom vector: %s", err.msg);
  OK(c.n == 1 && !strcmp(c.s[0].series, "up") && c.s[0].ts == 1795730317.624, "vector result");
  coll_free(&c);
  free(p);
}

/* ------------------------------------------------------------ bad input */

#define HAS(msg, want) OK(strstr((msg), (want)) != NULL, "message '%s' lacks '%s'", (msg), (want))

static void test_bad(void) {
  const char *m;
  m = bad("cols.csv", "timestamp,cpu_pct,mem_kb\n2026-11-26T21:58:38Z,1,2\n2026-11-26T21:58:39Z,1\n", SYS_WIDE_CSV);
  HAS(m, "cols.csv:3:23: 2 fields, expected 3");
  m = bad("cols2.csv", "timestamp,cpu_pct\n2026-11-26T21:58:38Z,1,2\n", SYS_WIDE_CSV);
  HAS(m, "cols2.csv:2:24: 3 fields, expected 2");
  m = bad("nan.csv", "timestamp,cpu_pct,mem_kb\n2026-11-26T21:58:38Z,1,2\n2026-11-26T21:58:39Z,1,12x\n",
          SYS_WIDE_CSV);
  HAS(m, "nan.csv:3:24: '12x' is not a number, expected a number");
  m = bad("zone.csv", "timestamp,cpu_pct\n2026-11-26T21:58:38,1\n", SYS_WIDE_CSV);
  HAS(m, "zone.csv:2:1: timestamp '2026-11-26T21:58:38' has no time zone");
  m = bad("year.csv", "timestamp,cpu_pct\n9999-01-01T00:00:00Z,1\n", SYS_WIDE_CSV);
  HAS(m, "year.csv:2:1: timestamp '9999-01-01T00:00:00Z' is out of range");
  m = bad("garbage.csv", "time,cpu_pct\nyesterday,1\n", SYS_WIDE_CSV);
  HAS(m, "garbage.csv:2:1: 'yesterday' is not a timestamp");
  m = bad("quote.csv", "timestamp,cpu_pct\n2026-11-26T21:58:38Z,\"1\n", SYS_WIDE_CSV);
  HAS(m, "quote.csv:2:22: unterminated quoted field");
  m = bad("dup.csv", "timestamp,cpu,cpu\n", SYS_WIDE_CSV);
  HAS(m, "dup.csv:1:15: column 'cpu' appears twice");
  m = bad("sadf_notime.txt", "# hostname;interval;timestamp;proc/s\nvm;1;2026-11-26 23:41:56;1.0\n", SYS_SADF);
  HAS(m, "sadf_notime.txt:2:6: timestamp '2026-11-26 23:41:56' has no time zone");
  m = bad("long.csv", "timestamp,host,metric,value\n2026-11-26T21:58:38Z,h,cpu,abc\n", SYS_LONG_CSV);
  HAS(m, "long.csv:2:28: 'abc' is not a number");
  m = bad("p.json", "{\"status\":\"success\",\n\"data\":{\"resultType\":\"matrix\",\"result\":[}}", SYS_PROMETHEUS);
  HAS(m, "p.json:2:");
  HAS(m, "invalid JSON");
  m = bad("e.json", "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 5\"}",
          SYS_PROMETHEUS);
  HAS(m, "e.json: Prometheus returned an error (bad_data: parse error at char 5)");
  m = bad("pv.json",
          "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
          "\"values\":[[1,\"1\"],[2,\"x\"]]}]}}",
          SYS_PROMETHEUS);
  HAS(m, "pv.json: data.result[0].values[1]: 'x' is not a number");

  /* a zone-less timestamp in real `sadf -d -t` output */
  struct coll c = {0};
  struct err err = ERR_INIT;
  enum sys_kind kind;
  INT_EQ(parse_file(SYS "/sadf_d_localtime.txt", &c, &kind, &err), -1, "sadf -t must fail");
  HAS(err.msg, "sadf_d_localtime.txt:2:6: timestamp '2026-11-26 23:41:56' has no time zone");
  coll_free(&c);

  /* missing timestamp column: the file is not detected as system metrics;
   * parsing it as a wide CSV anyway says what is missing */
  char *p = write_tmp("notime.csv", "when,cpu_pct\n1,2\n");
  struct reader *r;
  INT_EQ(sys_detect((const unsigned char *)"when,cpu_pct\n", 13), SYS_NONE, "no time column: not detected");
  if (reader_open(&r, p, &err) == 0) {
    struct sys_sink sink = {&c, coll_sample};
    INT_EQ(sys_parse(r, SYS_WIDE_CSV, &sink, &err), -1, "no time column fails");
    HAS(err.msg, "notime.csv:1:1: no timestamp column");
    reader_close(r);
  }
  free(p);
}

/* ------------------------------------------------------------ store */

static int64_t add_run(struct store *st, const char *name, double start, double end) {
  struct err err = ERR_INIT;
  int64_t id = -1;
  if (sq_int64_of(st, &err, "add run", -1, &id,
                  "INSERT INTO runs (name, start_ts, end_ts, created_at) VALUES (?, ?, ?, 'now') RETURNING id", "sdd",
                  name, start, end) < 0)
    return -1;
  return id;
}

static int ingest(struct store *st, int64_t run, const char *path, long *n, struct err *err) {
  struct reader *r;
  if (reader_open(&r, path, err) < 0)
    return -1;
  const unsigned char *head;
  size_t hn;
  int rc = reader_peek(r, 4096, &head, &hn, err);
  if (rc == 0)
    rc = sys_ingest_file(st, run, r, sys_detect(head, hn), n, err);
  reader_close(r);
  return rc;
}

static long count_sql(struct store *st, const char *sql, int64_t run) {
  struct err err = ERR_INIT;
  int64_t v = -1;
  if (sq_int64_of(st, &err, "count", -1, &v, sql, "i", run) < 0)
    return -1;
  return (long)v;
}

/* Reads column `col` of a plain CSV (no quotes) independently of the parser:
 * the epoch_s column (2nd) and the value, for rows with a non-empty cell. */
static size_t raw_column(const char *path, const char *col, double *ts, double *val, size_t cap) {
  FILE *f = fopen(path, "r");
  char line[4096];
  int want = -1;
  size_t n = 0;
  if (!f || !fgets(line, sizeof line, f))
    return 0;
  line[strcspn(line, "\r\n")] = 0;
  int k = 0;
  for (char *tok = strtok(line, ","); tok; tok = strtok(NULL, ","), k++)
    if (!strcmp(tok, col))
      want = k;
  while (want >= 0 && n < cap && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    char *p = line, *cell[64];
    int nc = 0;
    for (;;) {
      cell[nc++] = p;
      char *q = strchr(p, ',');
      if (!q || nc == 64)
        break;
      *q = 0;
      p = q + 1;
    }
    if (want < nc && *cell[want]) {
      ts[n] = strtod(cell[1], NULL);
      val[n] = strtod(cell[want], NULL);
      n++;
    }
  }
  fclose(f);
  return n;
}

static json_t *series_entry(json_t *sys, const char *name, const char *source) {
  size_t i;
  json_t *o;
  json_array_foreach(sys, i, o) {
    if (!strcmp(json_string_value(json_object_get(o, "series")), name) &&
        !strcmp(json_string_value(json_object_get(o, "source")), source))
      return o;
  }
  return NULL;
}

static void test_store(void) {
  struct store *st = NULL;
  struct err err = ERR_INIT;
  struct strbuf db = STRBUF_INIT;
  strbuf_addf(&db, "%s/t.db", tmpdir);
  if (store_open(&st, db.buf, &err) < 0) {
    T_FAIL("store_open: %s", err.msg);
    strbuf_release(&db);
    return;
  }
  /* the smoke run: k6 samples from meta.json's start to end */
  double start = 1795730320.624, end = 1795730327.275;
  int64_t run = add_run(st, "smoke", start, end);
  long n = 0, total = 0;
  INT_EQ(store_begin(st, &err), 0, "begin");
  INT_EQ(ingest(st, run, SYS "/system_metrics_smoke.csv", &n, &err), 0, "ingest csv: %s", err.msg);
  INT_EQ(n, 260, "csv samples stored");
  total += n;
  INT_EQ(ingest(st, run, SYS "/prometheus/sut_process_resident_memory_bytes.json", &n, &err), 0, "ingest prom: %s",
         err.msg);
  INT_EQ(n, 12, "prom samples stored");
  total += n;
  INT_EQ(ingest(st, run, SYS "/sadf_d.txt", &n, &err), 0, "ingest sadf: %s", err.msg);
  total += n;
  /* a bad file stores nothing once the caller rolls back */
  INT_EQ(store_commit(st, &err), 0, "commit");
  INT_EQ(count_sql(st, "SELECT count(*) FROM sys_samples x JOIN sys_series s ON s.id = x.series_id WHERE run_id = ?",
                   run),
         total, "all samples stored");
  INT_EQ(count_sql(st, "SELECT count(*) FROM sys_series WHERE run_id = ? AND source = 'sys-wide-csv'", run), 21,
         "wide series");

  INT_EQ(store_begin(st, &err), 0, "begin 2");
  char *p = write_tmp("half.csv", "timestamp,cpu_pct\n2026-11-26T21:58:40Z,1\n2026-11-26T21:58:41Z,x\n");
  INT_EQ(ingest(st, run, p, &n, &err), -1, "bad file fails");
  store_rollback(st);
  free(p);
  INT_EQ(count_sql(st, "SELECT count(*) FROM sys_series WHERE run_id = ? AND name = 'cpu_pct'", run), 0,
         "rolled back: nothing stored");

  /* window marking: smoke CSV rows at xx.664, 1 s apart; the window is
   * [20.624 - 1, 27.275 + 1] = rows 39.665 .. 47.664 (9 rows) per series */
  int overlap = -1;
  INT_EQ(sys_mark_window(st, run, start, end, 1.0, &overlap, &err), 0, "mark: %s", err.msg);
  INT_EQ(overlap, 1, "clocks overlap");
  INT_EQ(count_sql(st,
                   "SELECT count(*) FROM sys_samples x JOIN sys_series s ON s.id = x.series_id "
                   "WHERE run_id = ? AND name = 'sut_rss_kb' AND in_window = 1",
                   run),
         9, "sut_rss_kb in window");
  INT_EQ(count_sql(st,
                   "SELECT count(*) FROM sys_samples x JOIN sys_series s ON s.id = x.series_id "
                   "WHERE run_id = ? AND source = 'sadf' AND in_window = 1",
                   run),
         0, "sadf fixture (another day) outside the window");
  int64_t run2 = add_run(st, "far", 1e9, 1e9 + 60);
  INT_EQ(store_begin(st, &err), 0, "begin 3");
  INT_EQ(ingest(st, run2, SYS "/system_metrics_smoke.csv", &n, &err), 0, "ingest far: %s", err.msg);
  INT_EQ(sys_mark_window(st, run2, 1e9, 1e9 + 60, 30, &overlap, &err), 0, "mark far");
  INT_EQ(overlap, 0, "clocks do not overlap");
  INT_EQ(count_sql(st,
                   "SELECT count(*) FROM sys_samples x JOIN sys_series s ON s.id = x.series_id "
                   "WHERE run_id = ? AND in_window = 1",
                   run2),
         0, "nothing in window");
  INT_EQ(store_commit(st, &err), 0, "commit 3");
  int64_t run3 = add_run(st, "empty", start, end);
  INT_EQ(sys_mark_window(st, run3, start, end, 30, &overlap, &err), 0, "mark empty");
  INT_EQ(overlap, 1, "no system samples: nothing to warn about");

  /* statistics over [start, end] against the raw file */
  double ts[64], val[64];
  size_t raw = raw_column(SYS "/system_metrics_smoke.csv", "sut_rss_kb", ts, val, 64);
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  size_t k = 0;
  for (size_t i = 0; i < raw; i++) {
    if (ts[i] < start || ts[i] > end)
      continue;
    double v = val[i] * 1024;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
    sum += v;
    k++;
  }
  OK(k == 7, "raw smoke rows in window: %zu", k);
  /* peak load: bucket t=3 of the run has the most VUs */
  char sql[256];
  for (int t = 0; t < 7; t++) {
    snprintf(sql, sizeof sql, "INSERT INTO buckets (run_id, t, requests, failures, ok_count, dur_sum, vus) "
                              "VALUES (%lld, %d, 0, 0, 0, 0, %d)", (long long)run, t, t == 3 ? 5 : 2);
    store_exec(st, sql, &err);
  }
  struct run_info ri = {0};
  INT_EQ(store_get_run(st, run, &ri, &err), 0, "get run");
  json_t *sys = NULL;
  INT_EQ(sysstats_json(st, &ri, &sys, &err), 0, "sysstats: %s", err.msg);
  json_t *o = series_entry(sys, "sut_rss_kb", "sys-wide-csv");
  OK(o != NULL, "sut_rss_kb entry");
  if (o) {
    INT_EQ(json_integer_value(json_object_get(o, "samples")), (long long)k, "samples");
    DBL_NEAR(json_real_value(json_object_get(o, "min")), mn, 0, "min equals the raw file");
    DBL_NEAR(json_real_value(json_object_get(o, "max")), mx, 0, "max equals the raw file");
    DBL_NEAR(json_real_value(json_object_get(o, "avg")), sum / (double)k, 1e-6, "avg equals the raw file");
    STR_EQ(json_string_value(json_object_get(o, "unit")), "bytes", "unit");
    /* peak at start + 3.5 s = 21:58:44.124: nearest row 21:58:43.664 (28024 -> 37240 kB at 42.664) */
    DBL_NEAR(json_real_value(json_object_get(o, "at_peak")), 37240.0 * 1024, 0, "at_peak");
  }
  o = series_entry(sys, "process_resident_memory_bytes", "prometheus");
  OK(o && json_integer_value(json_object_get(o, "samples")) == 7, "prometheus rss in window");
  o = series_entry(sys, "%user{cpu=\"all\"}", "sadf");
  OK(o && json_integer_value(json_object_get(o, "samples")) == 0 && json_is_null(json_object_get(o, "min")),
     "series outside the window: 0 samples, null stats");
  /* the text table */
  char *buf = NULL;
  size_t blen = 0;
  FILE *mf = open_memstream(&buf, &blen);
  sysstats_print_text(sys, mf);
  fclose(mf);
  OK(buf && strstr(buf, "sut_rss_kb") && strstr(buf, "36.4 MiB") && strstr(buf, "system series"),
     "text table:\n%s", buf ? buf : "");
  free(buf);
  json_decref(sys);
  run_info_release(&ri);
  store_close(st);
  strbuf_release(&db);
}

/* The same quantity seen by /proc (sut_rss_kb, the wide CSV) and by the
 * service's Prometheus endpoint (process_resident_memory_bytes) agrees on
 * every real run: sample by sample (nearest in time) the median relative
 * difference is under 1 %, and the maxima agree within 1 %. */
static void test_rss_agreement(void) {
  static const char *const runs[] = {"smoke",         "after/normal",        "after/peak",          "after/soak",
                                     "after/stress",  "before/normal",       "before/peak",         "before/soak",
                                     "before/stress", "nochange/run_a",      "nochange/run_b",      "regression/baseline",
                                     "regression/regressed"};
  for (size_t ri = 0; ri < sizeof runs / sizeof *runs; ri++) {
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, DATA "/%s/system_metrics.csv", runs[ri]);
    snprintf(p2, sizeof p2, DATA "/%s/prometheus/sut_process_resident_memory_bytes.json", runs[ri]);
    if (access(p1, R_OK) != 0)
      continue;
    struct coll a = {0}, b = {0};
    struct err err = ERR_INIT;
    enum sys_kind ka, kb;
    INT_EQ(parse_file(p1, &a, &ka, &err), 0, "%s: %s", p1, err.msg);
    INT_EQ(parse_file(p2, &b, &kb, &err), 0, "%s: %s", p2, err.msg);
    double *rel = xcalloc(a.n + 1, sizeof *rel);
    size_t nrel = 0;
    double max_a = 0, max_b = 0;
    for (size_t i = 0; i < b.n; i++)
      max_b = b.s[i].value > max_b ? b.s[i].value : max_b;
    for (size_t i = 0; i < a.n; i++) {
      if (strcmp(a.s[i].series, "sut_rss_kb"))
        continue;
      max_a = a.s[i].value > max_a ? a.s[i].value : max_a;
      double best = 1e9, bv = 0;
      for (size_t j = 0; j < b.n; j++)
        if (fabs(b.s[j].ts - a.s[i].ts) < best) {
          best = fabs(b.s[j].ts - a.s[i].ts);
          bv = b.s[j].value;
        }
      if (best <= 1.0)
        rel[nrel++] = fabs(bv - a.s[i].value) / a.s[i].value;
    }
    OK(nrel >= 10, "%s: paired samples %zu", runs[ri], nrel);
    for (size_t i = 1; i < nrel; i++) /* insertion sort, small */
      for (size_t j = i; j > 0 && rel[j - 1] > rel[j]; j--) {
        double t = rel[j];
        rel[j] = rel[j - 1];
        rel[j - 1] = t;
      }
    double med = nrel ? rel[nrel / 2] : 1;
    OK(med < 0.01, "%s: median |proc - prometheus| / proc = %g", runs[ri], med);
    OK(fabs(max_a - max_b) <= 0.01 * max_a, "%s: max RSS /proc %g vs prometheus %g", runs[ri], max_a, max_b);
    free(rel);
    coll_free(&a);
    coll_free(&b);
  }
}

int main(void) {
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 2;
  }
  test_detect();
  test_units();
  test_wide();
  test_long();
  test_sadf();
  test_prometheus();
  test_bad();
  test_store();
  test_rss_agreement();
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", tmpdir);
  return test_report();
}
