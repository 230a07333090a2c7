/* test_k6_fast.c - differential test of the k6 Point fast path
 * (src/ingest/k6_fast.c) against a jansson reference extraction.
 *
 * Property: whenever k6_fast_point() accepts a line, jansson accepts it too
 * (with flags 0, JSON_REJECT_DUPLICATES and JSON_DECODE_INT_AS_REAL) and
 * gives the same metric name, time (through rfc3339_parse), value (bit for
 * bit) and tags (json_equal to json_loadb of the raw span).
 * Checked on every line of every real file under data/edumind, on a table of
 * hand-written tricky lines, and on number and time edge cases.
 * LOADREP_TEST_QUICK=1 reads only the smaller real files;
 * LOADREP_K6_FAST_FILES=F1:F2... checks these files too (e.g. gen_k6 output).
 */
#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "ingest/k6_line.h"
#include "ingest/reader.h"
#include "util/err.h"
#include "util/timeparse.h"

struct ref {
  json_t *root;
  const char *metric;
  size_t metric_len;
  int64_t time_ns;
  double value;
  json_t *tags;
};

/* The reference: 1 when jansson (with `flags`) reads a Point line with all
 * the fields the fast path returns; r->root must be json_decref'd. */
static int ref_point(const char *line, size_t len, size_t flags, struct ref *r) {
  json_error_t e;
  memset(r, 0, sizeof *r);
  r->root = json_loadb(line, len, flags, &e);
  if (!r->root || !json_is_object(r->root))
    return 0;
  json_t *type = json_object_get(r->root, "type"), *metric = json_object_get(r->root, "metric");
  json_t *data = json_object_get(r->root, "data");
  if (!json_is_string(type) || strcmp(json_string_value(type), "Point") != 0 || !json_is_string(metric) ||
      !json_is_object(data))
    return 0;
  json_t *time = json_object_get(data, "time"), *value = json_object_get(data, "value");
  json_t *tags = json_object_get(data, "tags"), *meta = json_object_get(data, "metadata");
  if (!json_is_string(time) || !json_is_number(value) || !json_is_object(tags))
    return 0;
  if (meta && !json_is_object(meta))
    return 0;
  if (rfc3339_parse(json_string_value(time), json_string_length(time), 0, &r->time_ns) != 0)
    return 0;
  r->metric = json_string_value(metric);
  r->metric_len = json_string_length(metric);
  r->value = json_number_value(value);
  r->tags = tags;
  return 1;
}

struct counts {
  long lines, ref_points, accepted, declined_points, mismatches;
};

static void show_line(const char *what, const char *line, size_t len) {
  fprintf(stderr, "  %s: %.*s%s\n", what, (int)(len > 300 ? 300 : len), line, len > 300 ? "..." : "");
}

/* Compares fast vs reference on one line; `all_flags` also runs the
 * reference with JSON_REJECT_DUPLICATES and JSON_DECODE_INT_AS_REAL. */
static void diff_line(const char *line, size_t len, int all_flags, struct counts *c) {
  struct k6_point p;
  memset(&p, 0, sizeof p);
  int fast = k6_fast_point(line, len, &p);
  struct ref r;
  int ref = ref_point(line, len, 0, &r);
  c->lines++;
  c->ref_points += ref;
  if (fast)
    c->accepted++;
  else if (ref)
    c->declined_points++;
  if (fast) {
    int bad = 0;
    if (!ref) {
      bad = 1;
      show_line("fast accepted, jansson rejected", line, len);
    } else {
      if (p.metric_len != r.metric_len || memcmp(p.metric, r.metric, p.metric_len) != 0)
        bad = 1, show_line("metric differs", line, len);
      if (p.time_ns != r.time_ns)
        bad = 1, show_line("time differs", line, len);
      if (memcmp(&p.value, &r.value, sizeof p.value) != 0) {
        bad = 1;
        show_line("value differs", line, len);
        fprintf(stderr, "  fast %.17g jansson %.17g\n", p.value, r.value);
      }
      json_t *t = json_loadb(p.tags, p.tags_len, 0, NULL);
      if (!t || !json_equal(t, r.tags))
        bad = 1, show_line("tags differ", line, len);
      json_decref(t);
    }
    if (all_flags) {
      static const size_t more[] = {JSON_REJECT_DUPLICATES, JSON_DECODE_INT_AS_REAL};
      for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        struct ref r2;
        int ok = ref_point(line, len, more[i], &r2);
        if (!ok)
          bad = 1, show_line("fast accepted, jansson (more flags) rejected", line, len);
        else if (memcmp(&p.value, &r2.value, sizeof p.value) != 0)
          bad = 1, show_line("value differs (more flags)", line, len);
        json_decref(r2.root);
      }
    }
    c->mismatches += bad;
  }
  json_decref(r.root);
}

/* ---- the real files ---- */

static void collect(const char *dir, char ***paths, size_t *n) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    size_t l = strlen(dir) + strlen(de->d_name) + 2;
    char *p = malloc(l);
    snprintf(p, l, "%s/%s", dir, de->d_name);
    struct stat sb;
    if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      collect(p, paths, n);
      free(p);
    } else if (strcmp(de->d_name, "k6_metrics.ndjson.gz") == 0) {
      *paths = realloc(*paths, (*n + 1) * sizeof **paths);
      (*paths)[(*n)++] = p;
    } else {
      free(p);
    }
  }
  closedir(d);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_real_files(void) {
  char **paths = NULL;
  size_t n = 0;
  collect(FIXTURES "/../../data/edumind", &paths, &n);
  qsort(paths, n, sizeof *paths, cmp_str);
  OK(n >= 10, "found only %zu real k6 files under data/edumind", n);
  const char *extra = getenv("LOADREP_K6_FAST_FILES");
  if (extra && *extra) {
    char *list = strdup(extra), *save = NULL;
    for (char *t = strtok_r(list, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
      paths = realloc(paths, (n + 1) * sizeof *paths);
      paths[n++] = strdup(t);
    }
    free(list);
  }
  const char *quick = getenv("LOADREP_TEST_QUICK");
  struct counts tot = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < n; i++) {
    struct stat sb;
    if (quick && *quick && *quick != '0' && stat(paths[i], &sb) == 0 && sb.st_size > 3000000) {
      free(paths[i]);
      continue;
    }
    struct reader *rd;
    struct err e = ERR_INIT;
    if (reader_open(&rd, paths[i], &e) < 0) {
      OK(0, "%s", e.msg);
      free(paths[i]);
      continue;
    }
    struct counts c = {0, 0, 0, 0, 0};
    const char *line;
    size_t len;
    int rc;
    while ((rc = reader_getline(rd, &line, &len, &e)) > 0) {
      long before = c.declined_points;
      diff_line(line, len, 0, &c);
      if (c.declined_points > before && c.declined_points <= 3)
        show_line("declined Point line (info)", line, len);
    }
    OK(rc == 0, "%s: %s", paths[i], e.msg);
    reader_close(rd);
    const char *shown = paths[i];
    if (!strncmp(shown, FIXTURES, strlen(FIXTURES)))
      shown += strlen(FIXTURES "/../../");
    fprintf(stderr, "  %-60s lines %8ld points %8ld fast %8ld declined %ld mismatches %ld\n", shown, c.lines,
            c.ref_points, c.accepted, c.declined_points, c.mismatches);
    tot.lines += c.lines;
    tot.ref_points += c.ref_points;
    tot.accepted += c.accepted;
    tot.declined_points += c.declined_points;
    tot.mismatches += c.mismatches;
    free(paths[i]);
  }
  free(paths);
  fprintf(stderr, "  real files: %ld lines, %ld Point lines, fast path accepted %ld (%.4f%%), mismatches %ld\n",
          tot.lines, tot.ref_points, tot.accepted,
          tot.ref_points ? 100.0 * (double)tot.accepted / (double)tot.ref_points : 0.0, tot.mismatches);
  INT_EQ(tot.mismatches, 0, "fast path and jansson disagree on real lines");
  OK(tot.ref_points > 0, "no Point lines read");
  OK((double)tot.accepted >= 0.999 * (double)tot.ref_points, "fast path accepts only %ld of %ld Point lines",
     tot.accepted, tot.ref_points);
}

/* ---- hand-written tricky lines ---- */

#define PRE "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:45.133664672Z\","
#define TG "\"tags\":{\"group\":\"::home\",\"method\":\"GET\",\"status\":\"200\"}"

/* 'A': must be accepted, 'D': must be declined, '?': either (must agree). */
static const struct {
  char want;
  const char *line;
} tricky[] = {
    {'A', PRE "\"value\":0.960851," TG "}}"},
    {'A', PRE "\"value\":1.234567e+06," TG "}}"},
    {'A', PRE "\"value\":5e-05," TG "}}"},
    {'A', PRE "\"value\":1e+22," TG "}}"},
    {'A', PRE "\"value\":1E5," TG "}}"},
    {'A', PRE "\"value\":0.00005," TG "}}"},
    {'A', PRE "\"value\":1234567," TG "}}"},
    {'A', PRE "\"value\":-12.5," TG "}}"},
    {'A', PRE "\"value\":0," TG "}}"},
    {'A', PRE "\"value\":-0.0," TG "}}"},
    {'A', PRE "\"value\":-0e3," TG "}}"},
    {'A', PRE "\"value\":0.1e-400," TG "}}"},
    {'A', PRE "\"value\":4.9406564584124654e-324," TG "}}"},
    {'A', PRE "\"value\":1.7976931348623157e308," TG "}}"},
    {'A', PRE "\"value\":123456789012345678," TG "}}"},
    {'A', PRE "\"value\":9007199254740993," TG "}}"},
    {'A', PRE "\"value\":0.30000000000000004," TG "}}"},
    {'A', PRE "\"value\":123456789.123456789123," TG "}}"},
    {'D', PRE "\"value\":-0," TG "}}"},
    {'D', PRE "\"value\":1234567890123456789," TG "}}"},
    {'D', PRE "\"value\":99999999999999999999," TG "}}"},
    {'D', PRE "\"value\":+1," TG "}}"},
    {'D', PRE "\"value\":+Inf," TG "}}"},
    {'D', PRE "\"value\":Inf," TG "}}"},
    {'D', PRE "\"value\":-Inf," TG "}}"},
    {'D', PRE "\"value\":NaN," TG "}}"},
    {'D', PRE "\"value\":1e999," TG "}}"},
    {'D', PRE "\"value\":-1e999," TG "}}"},
    {'D', PRE "\"value\":01," TG "}}"},
    {'D', PRE "\"value\":00," TG "}}"},
    {'D', PRE "\"value\":-01.5," TG "}}"},
    {'D', PRE "\"value\":.5," TG "}}"},
    {'D', PRE "\"value\":1.," TG "}}"},
    {'D', PRE "\"value\":1.e5," TG "}}"},
    {'D', PRE "\"value\":1e," TG "}}"},
    {'D', PRE "\"value\":1e+," TG "}}"},
    {'D', PRE "\"value\":0x10," TG "}}"},
    {'D', PRE "\"value\":-," TG "}}"},
    {'D', PRE "\"value\":\"1\"," TG "}}"},
    {'D', PRE "\"value\":null," TG "}}"},
    {'D', PRE "\"value\":true," TG "}}"},
    {'D', PRE "\"value\":1 ," TG "}}"},
    /* tags */
    {'A', PRE "\"value\":2,\"tags\":{}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"name\":\"q\\u0026a\",\"url\":\"a\\\"b\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"name\":\"\\\\ \\/ \\b\\f\\n\\r\\t\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"name\":\"\\ud83d\\ude00\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"name\":\"\\u00e9\\u20AC\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"\":\"\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{\"a\":\"x\",\"ab\":\"y\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"a\":\"x\",\"b\":\"y\",\"a\":\"z\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"b\":\"x\",\"a\":\"y\",\"b\":\"z\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"a\":\"x\",\"\\u0061\":\"z\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\\u0000\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\\ud83d\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\\ude00\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\\ud83d\\u0041\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\\u12G4\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\\x41\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\\'\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"a\tb\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"a\nb\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\xc3\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\xc0\xaf\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\xe0\x80\xaf\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\xed\xa0\x80\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\xf4\x90\x80\x80\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\xff\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":\"\x80\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":{\"a\":\"b\"}}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"name\":[\"a\"]}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"status\":200}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"status\":null}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"a\":\"b\",}}}"},
    {'D', PRE "\"value\":1,\"tags\":{,}}}"},
    {'D', PRE "\"value\":1,\"tags\":{\"a\" : \"b\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":null}}"},
    {'D', PRE "\"value\":1,\"tags\":\"{}\"}}"},
    {'D', PRE "\"value\":1}}"},
    /* metadata */
    {'A', PRE "\"value\":1.761788,\"tags\":{\"group\":\"\",\"scenario\":\"default\"},\"metadata\":{\"vu\":\"1\","
              "\"iter\":\"0\"}}}"},
    {'A', PRE "\"value\":1.761788,\"tags\":{\"group\":\"\"},\"metadata\":{\"iter\":\"0\",\"vu\":\"1\"}}}"},
    {'A', PRE "\"value\":1,\"tags\":{},\"metadata\":{}}}"},
    {'D', PRE "\"value\":1,\"tags\":{},\"metadata\":{\"vu\":1}}}"},
    {'D', PRE "\"value\":1,\"tags\":{},\"metadata\":{\"vu\":\"1\",\"vu\":\"2\"}}}"},
    {'D', PRE "\"value\":1,\"tags\":{},\"metadata\":null}}"},
    {'D', PRE "\"value\":1,\"tags\":{},\"extra\":{}}}"},
    /* the line as a whole */
    {'A', PRE "\"value\":1," TG "}}\r"},
    {'A', PRE "\"value\":1," TG "}}  \t"},
    {'A', PRE "\"value\":1," TG "}}\r\n"},
    {'D', PRE "\"value\":1," TG "}}x"},
    {'D', PRE "\"value\":1," TG "}},"},
    {'D', PRE "\"value\":1," TG "}}}"},
    {'D', PRE "\"value\":1," TG "}}{}"},
    {'D', PRE "\"value\":1," TG "}"},
    {'D', PRE "\"value\":1," TG},
    {'D', PRE "\"value\":1,\"tags\":{\"group\":\"::ho"},
    {'D', PRE "\"value\":1"},
    {'D', PRE},
    {'D', "{\"metric\":\"http_req_duration\",\"type\":\"Poi"},
    {'D', "{\"metric\":\"htt"},
    {'D', ""},
    {'D', "{"},
    {'D', "{}"},
    {'D', " " PRE "\"value\":1," TG "}}"},
    {'D', "{\"type\":\"Point\",\"metric\":\"vus\",\"data\":{\"time\":\"2026-11-26T21:52:46.132636301Z\",\"value\":2,"
          "\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Metric\",\"data\":{\"time\":\"2026-11-26T21:52:46.132636301Z\",\"value\":2,"
          "\"tags\":{}}}"},
    {'D', "{\"type\":\"Metric\",\"data\":{\"name\":\"vus\",\"type\":\"gauge\",\"contains\":\"default\","
          "\"thresholds\":[],\"submetrics\":null},\"metric\":\"vus\"}"},
    {'D', "{\"metric\":\"a\\u0062\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46Z\",\"value\":2,"
          "\"tags\":{}}}"},
    {'D', "{\"metric\":\"\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46Z\",\"value\":2,\"tags\":{}}}"},
    {'A', "{\"metric\":\"my_metric_\xc3\xa9\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"a\",\"metric\":\"b\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"a\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46Z\",\"value\":2,"
          "\"value\":3,\"tags\":{}}}"},
    {'D', "{\"metric\":\"a\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46Z\",\"value\":2,"
          "\"tags\":{},\"tags\":{}}}"},
    /* time */
    {'A', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T22:52:58.215652606+01:00\","
          "\"value\":2,\"tags\":{}}}"},
    {'A', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T16:22:58.2-05:30\","
          "\"value\":2,\"tags\":{}}}"},
    {'A', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2024-02-29T23:59:60.999999999Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'A', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"1969-12-31T23:59:59.5Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2023-02-29T00:00:00Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46.Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-13-26T21:52:46Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T24:52:46Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46+24:00\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46Z \","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46\\u005a\","
          "\"value\":2,\"tags\":{}}}"},
    {'D', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":1700000000,\"value\":2,\"tags\":{}}}"},
    {'?', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26 21:52:46Z\","
          "\"value\":2,\"tags\":{}}}"},
    {'?', "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:46.1234567891Z\","
          "\"value\":2,\"tags\":{}}}"},
};

static void test_tricky(void) {
  struct counts c = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
    const char *l = tricky[i].line;
    size_t len = strlen(l);
    struct k6_point p;
    int fast = k6_fast_point(l, len, &p);
    if (tricky[i].want == 'A')
      OK(fast == 1, "tricky line %zu should be accepted: %s", i, l);
    else if (tricky[i].want == 'D')
      OK(fast == 0, "tricky line %zu should be declined: %s", i, l);
    diff_line(l, len, 1, &c);
    /* Every prefix (truncated lines) and a NUL byte inside. */
    for (size_t k = 0; k < len; k++)
      diff_line(l, k, 1, &c);
    if (len > 20 && len < 1024) {
      char buf[1024];
      memcpy(buf, l, len);
      buf[len / 2] = '\0';
      diff_line(buf, len, 1, &c);
    }
  }
  INT_EQ(c.mismatches, 0, "fast path and jansson disagree on tricky lines");
  /* Embedded NUL inside a tag value: declined. */
  static const char nul_line[] = PRE "\"value\":1,\"tags\":{\"name\":\"a\0b\"}}}";
  struct k6_point p;
  INT_EQ(k6_fast_point(nul_line, sizeof nul_line - 1, &p), 0, "raw NUL in a string must be declined");
}

/* Values and times of accepted lines, checked against expectations. */
static void test_fields(void) {
  struct k6_point p;
  static const char l1[] = PRE "\"value\":0.960851,\"tags\":{\"a\":\"b\"}}}";
  INT_EQ(k6_fast_point(l1, sizeof l1 - 1, &p), 1, "basic line");
  INT_EQ(p.metric_len, 17, "metric length");
  OK(memcmp(p.metric, "http_req_duration", 17) == 0, "metric name");
  INT_EQ(p.time_ns, INT64_C(1795729965133664672), "time");
  OK(p.value == 0.960851, "value");
  INT_EQ(p.tags_len, 9, "tags length");
  OK(memcmp(p.tags, "{\"a\":\"b\"}", 9) == 0, "tags span");
  static const char l2[] = "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T22:52:58.215652606+01:00\","
                           "\"value\":2,\"tags\":{}}}";
  INT_EQ(k6_fast_point(l2, sizeof l2 - 1, &p), 1, "offset line");
  INT_EQ(p.time_ns, INT64_C(1795729978215652606), "time with offset");
  INT_EQ(p.tags_len, 2, "empty tags");
}

/* The number scanner on many values printed the ways k6 prints them:
 * shortest round trip ('g' with exponent from 1e6 as easyjson, plain as
 * encoding/json), %.17g, and %f. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static void test_numbers(void) {
  struct counts c = {0, 0, 0, 0, 0};
  char num[64], line[256];
  long bad = 0;
  for (int i = 0; i < 300000; i++) {
    double v;
    uint64_t r = rng();
    switch (i % 6) {
    case 0: /* a latency in ms with ns resolution, as k6 writes */
      v = (double)(r % 100000000000ULL) / 1e6;
      break;
    case 1: /* a wide range of magnitudes */
      v = ldexp((double)(r >> 11), (int)(rng() % 200) - 150);
      break;
    case 2: /* any finite double */
      memcpy(&v, &r, sizeof v);
      if (!isfinite(v))
        v = 1.5;
      break;
    case 3:
      v = (double)(r % 100000);
      break;
    case 4:
      v = (double)(r % 1000000) / 1e6 / 1e3;
      break;
    default:
      v = (double)(r % 10000000000ULL) * 1e3;
      break;
    }
    int style = (i / 6) % 3;
    if (style == 2 && fabs(v) >= 1e15)
      style = 0;
    if (style == 0)
      snprintf(num, sizeof num, "%.17g", v);
    else if (style == 1)
      snprintf(num, sizeof num, "%.15g", v);
    else
      snprintf(num, sizeof num, "%.6f", v);
    snprintf(line, sizeof line,
             "{\"metric\":\"m\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:45Z\",\"value\":%s,"
             "\"tags\":{}}}",
             num);
    struct k6_point p;
    size_t len = strlen(line);
    if (!k6_fast_point(line, len, &p)) {
      if (strchr(num, 'n') == NULL && strcmp(num, "-0") != 0 && strlen(num) < 19)
        bad++;
      continue;
    }
    double want = strtod(num, NULL);
    if (strcmp(num, "-0") != 0 && memcmp(&want, &p.value, sizeof want) != 0) {
      bad++;
      fprintf(stderr, "  number %s: fast %.17g strtod %.17g\n", num, p.value, want);
    }
    if (i % 16 == 0)
      diff_line(line, len, 1, &c);
  }
  INT_EQ(bad, 0, "numbers declined or differing from strtod");
  INT_EQ(c.mismatches, 0, "numbers differing from jansson");
}

int main(void) {
  test_fields();
  test_tricky();
  test_numbers();
  test_real_files();
  return test_report();
}
