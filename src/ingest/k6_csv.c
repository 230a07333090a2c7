#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ingest/k6_agg.h"
#include "ingest/k6_csv.h"
#include "ingest/reader.h"
#include "util/csv.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

#define MAX_COLS 64

/* Splits a CSV line (k6 quotes fields that hold commas or quotes): the
 * number of fields, or -1 when malformed or wider than MAX_COLS. */
static int split(const char *line, struct csv_fields *f) {
  size_t at;
  if (csv_split(line, strlen(line), ',', 0, f, &at) < 0 || f->n > MAX_COLS)
    return -1;
  return (int)f->n;
}

/* Unix s/ms/µs/ns by magnitude, or RFC 3339. */
static int parse_ts(const char *s, int64_t *ns) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end != s && !*end && errno == 0 && isfinite(v) && v >= 0) {
    static const double to_ns[] = {[0] = 1e9, [3] = 1e6, [6] = 1e3, [9] = 1};
    double scaled = v * to_ns[epoch_unit_digits(v)];
    if (scaled > 8.8e18) /* past the year 2250: not a time k6 wrote */
      return -1;
    *ns = (int64_t)llround(scaled);
    return 0;
  }
  return rfc3339_parse(s, strlen(s), 0, ns);
}

int k6_csv_read(struct reader *r, struct k6_agg *a, long *rows, struct err *err) {
  const char *path = reader_path(r);
  const char *line;
  size_t len;
  struct csv_fields hf = CSV_FIELDS_INIT, rf = CSV_FIELDS_INIT;
  int rc = reader_getline(r, &line, &len, err);
  if (rc <= 0)
    return rc < 0 ? -1 : err_set(err, LR_DATAERR, "%s: empty file", path);
  if (len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) { /* UTF-8 byte order mark */
    line += 3;
    len -= 3;
  }
  char *header = xstrndup(line, len);
  int ncol = split(header, &hf);
  char *hdr[MAX_COLS], *f[MAX_COLS];
  for (int c = 0; c < ncol; c++)
    hdr[c] = csv_field(&hf, (size_t)c);
  if (ncol < 3 || strcmp(hdr[0], "metric_name") || strcmp(hdr[1], "timestamp") || strcmp(hdr[2], "metric_value")) {
    free(header);
    csv_fields_release(&hf);
    return err_set(err, LR_DATAERR, "%s:1: expected the k6 CSV header metric_name,timestamp,metric_value,...", path);
  }
  struct strbuf tags = STRBUF_INIT;
  char *row = NULL;
  int out = -1;
  while ((rc = reader_getline(r, &line, &len, err)) > 0) {
    long ln = reader_lineno(r);
    if (!len)
      continue;
    free(row);
    row = xstrndup(line, len);
    int n = split(row, &rf);
    for (int c = 0; c < n; c++)
      f[c] = csv_field(&rf, (size_t)c);
    if (n != ncol) {
      err_set(err, LR_DATAERR, "%s:%ld: expected %d fields as in the header, got %d", path, ln, ncol, n < 0 ? 0 : n);
      goto done;
    }
    int64_t ns;
    if (parse_ts(f[1], &ns) < 0) {
      err_set(err, LR_DATAERR, "%s:%ld: timestamp '%s' is not a Unix time or RFC 3339 time", path, ln, f[1]);
      goto done;
    }
    char *end;
    double v = strtod(f[2], &end);
    if (end == f[2] || *end || !isfinite(v)) {
      err_set(err, LR_DATAERR, "%s:%ld: metric_value '%s' is not a finite number", path, ln, f[2]);
      goto done;
    }
    json_t *t = json_object();
    for (int c = 3; c < ncol; c++) {
      if (!*f[c] || !strcmp(hdr[c], "metadata"))
        continue;
      if (!strcmp(hdr[c], "extra_tags")) {
        char *save = NULL;
        for (char *kv = strtok_r(f[c], "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
          char *eq = strchr(kv, '=');
          if (eq) {
            *eq = 0;
            json_t *tv = json_string(eq + 1);
            if (!tv || json_object_set_new(t, kv, tv) < 0) {
              json_decref(t);
              err_set(err, LR_DATAERR, "%s:%ld: extra_tags is not valid UTF-8", path, ln);
              goto done;
            }
          }
        }
        continue;
      }
      json_t *tv = json_string(f[c]);
      if (!tv || json_object_set_new(t, hdr[c], tv) < 0) {
        json_decref(t);
        err_set(err, LR_DATAERR, "%s:%ld: column '%s' is not valid UTF-8", path, ln, hdr[c]);
        goto done;
      }
    }
    char *raw = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
    struct err e2 = ERR_INIT;
    int ts = raw ? k6_agg_tagset(a, raw, strlen(raw), t, &e2) : -1;
    free(raw);
    json_decref(t);
    if (ts < 0) {
      err_set(err, LR_DATAERR, "%s:%ld: %s", path, ln, e2.msg[0] ? e2.msg : "tags are not valid UTF-8");
      goto done;
    }
    k6_agg_point(a, f[0], strlen(f[0]), ns, v, ts);
    (*rows)++;
  }
  out = rc < 0 ? -1 : 0;
done:
  free(row);
  free(header);
  csv_fields_release(&hf);
  csv_fields_release(&rf);
  strbuf_release(&tags);
  return out;
}
