/* fuzz_k6_fast.c - libFuzzer target: the k6 Point fast path
 * (src/ingest/k6_fast.c) never accepts a line that jansson rejects, and on
 * every line it accepts gives jansson's metric, time, value (bit for bit)
 * and tags. Any disagreement aborts.
 *
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DLOADREP_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_k6_fast
 *   build-fuzz/tests/fuzz/fuzz_k6_fast -max_len=4096 CORPUS_DIR
 *
 * The input is one line; a first byte of 0x01 instead makes the rest a
 * suffix glued to a realistic Point prefix, so mutations reach the value,
 * tags and metadata quickly.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/k6_line.h"
#include "util/timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ref_point(const char *line, size_t len, size_t flags, json_t **root, int64_t *ns) {
  *root = json_loadb(line, len, flags, NULL);
  if (!*root || !json_is_object(*root))
    return 0;
  json_t *type = json_object_get(*root, "type"), *metric = json_object_get(*root, "metric");
  json_t *d = json_object_get(*root, "data");
  if (!json_is_string(type) || strcmp(json_string_value(type), "Point") != 0 || !json_is_string(metric) ||
      !json_is_object(d))
    return 0;
  json_t *t = json_object_get(d, "time"), *v = json_object_get(d, "value");
  json_t *tags = json_object_get(d, "tags"), *meta = json_object_get(d, "metadata");
  if (!json_is_string(t) || !json_is_number(v) || !json_is_object(tags) || (meta && !json_is_object(meta)))
    return 0;
  return rfc3339_parse(json_string_value(t), json_string_length(t), 0, ns) == 0;
}

static void fail(const char *why, const char *line, size_t len) {
  fprintf(stderr, "k6_fast differential failure: %s\nline (%zu bytes): %.*s\n", why, len, (int)len, line);
  abort();
}

static void check(const char *line, size_t len) {
  struct k6_point p;
  if (!k6_fast_point(line, len, &p))
    return;
  static const size_t flags[] = {0, JSON_REJECT_DUPLICATES, JSON_DECODE_INT_AS_REAL};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    json_t *root;
    int64_t ns;
    if (!ref_point(line, len, flags[i], &root, &ns))
      fail("fast path accepted a line jansson rejects", line, len);
    json_t *m = json_object_get(root, "metric"), *d = json_object_get(root, "data");
    if (json_string_length(m) != p.metric_len || memcmp(json_string_value(m), p.metric, p.metric_len) != 0)
      fail("metric differs", line, len);
    if (ns != p.time_ns)
      fail("time differs", line, len);
    double v = json_number_value(json_object_get(d, "value"));
    if (memcmp(&v, &p.value, sizeof v) != 0)
      fail("value differs", line, len);
    json_t *t = json_loadb(p.tags, p.tags_len, flags[i], NULL);
    if (!t || !json_equal(t, json_object_get(d, "tags")))
      fail("tags differ", line, len);
    json_decref(t);
    json_decref(root);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char prefix[] =
      "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-26T21:52:45.133664672Z\","
      "\"value\":";
  if (size > 0 && data[0] == 0x01) {
    char *buf = malloc(sizeof prefix - 1 + size - 1);
    memcpy(buf, prefix, sizeof prefix - 1);
    memcpy(buf + sizeof prefix - 1, data + 1, size - 1);
    check(buf, sizeof prefix - 1 + size - 1);
    free(buf);
    return 0;
  }
  /* An exact-size copy, so ASan sees any read past the end. */
  char *buf = malloc(size ? size : 1);
  memcpy(buf, data, size);
  check(buf, size);
  free(buf);
  return 0;
}
