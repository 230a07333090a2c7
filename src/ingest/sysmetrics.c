/* sysmetrics.c - wide CSV, long CSV, sadf -d and Prometheus query_range
 * parsers for system metrics (see sysmetrics.h for the rules); Prometheus
 * is in sys_prometheus.c. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/reader.h"
#include "ingest/sysmetrics.h"
#include "ingest/sysmetrics_int.h"
#include "util/csv.h"
#include "util/err.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/timeparse.h"
#include "util/xalloc.h"

const char *sys_kind_name(enum sys_kind k) {
  static const char *const names[] = {[SYS_WIDE_CSV] = "sys-wide-csv", [SYS_LONG_CSV] = "sys-long-csv",
                                      [SYS_SADF] = "sadf", [SYS_PROMETHEUS] = "prometheus"};
  return name_of(names, NAMES_COUNT(names), (int)k, "none");
}

/* ---------------------------------------------------------------- units */

int sys_ends_with(const char *s, size_t n, const char *suffix) {
  size_t m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int starts_with(const char *s, size_t n, const char *prefix) {
  size_t m = strlen(prefix);
  return n >= m && memcmp(s, prefix, m) == 0;
}

static int contains(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(s + i, needle, m) == 0)
      return 1;
  return 0;
}

const char *sys_infer_unit(const char *name, double *scale) {
  char low[256];
  size_t n = 0;
  for (; name[n] && name[n] != '{' && n < sizeof low - 1; n++)
    low[n] = (char)tolower((unsigned char)name[n]);
  low[n] = 0;
  *scale = 1.0;
  if (low[0] == '%' || sys_ends_with(low, n, "_pct") || sys_ends_with(low, n, "_percent") ||
      contains(low, n, "_pct_") || sys_ends_with(low, n, "_utilisation") || sys_ends_with(low, n, "_utilization"))
    return "percent";
  if (sys_ends_with(low, n, "kb/s") || sys_ends_with(low, n, "_kb_per_s") || sys_ends_with(low, n, "_kb_per_sec")) {
    *scale = 1024.0;
    return "bytes/s";
  }
  if (sys_ends_with(low, n, "_bytes_per_s") || sys_ends_with(low, n, "_bytes_per_sec") ||
      sys_ends_with(low, n, "_bytes_rate") || sys_ends_with(low, n, "bytes/s"))
    return "bytes/s";
  if (sys_ends_with(low, n, "_per_s") || sys_ends_with(low, n, "_per_sec") || sys_ends_with(low, n, "_per_second") ||
      sys_ends_with(low, n, "/s") || sys_ends_with(low, n, "_rate") || contains(low, n, "_rate_"))
    return "per-second";
  if (sys_ends_with(low, n, "_bytes") || sys_ends_with(low, n, "_bytes_total"))
    return "bytes";
  if (sys_ends_with(low, n, "_kb") || (starts_with(low, n, "kb") && n > 2 && isalpha((unsigned char)low[2]))) {
    *scale = 1024.0;
    return "bytes";
  }
  if (sys_ends_with(low, n, "_mb")) {
    *scale = 1048576.0;
    return "bytes";
  }
  if (sys_ends_with(low, n, "_seconds") || sys_ends_with(low, n, "_seconds_total"))
    return "seconds";
  if (sys_ends_with(low, n, "_threads") || sys_ends_with(low, n, "_fds") || sys_ends_with(low, n, "_count") ||
      sys_ends_with(low, n, "_total") || sys_ends_with(low, n, "_requests") || sys_ends_with(low, n, "_waiting") ||
      !strcmp(low, "up"))
    return "count";
  return "";
}

/* ------------------------------------------------------------ detection */

static int is_time_name(const char *s, size_t n) {
  static const char *const names[] = {"timestamp", "time",   "ts",     "datetime", "epoch",     "epoch_s",
                                      "epoch_ms",  "unix",   "unix_s", "unix_ms",  "unix_time", NULL};
  for (int i = 0; names[i]; i++)
    if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
      return 1;
  return 0;
}

static int name_is(const char *s, size_t n, const char *want) {
  return strlen(want) == n && strncasecmp(s, want, n) == 0;
}

static size_t find_bytes(const unsigned char *h, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(h + i, needle, m) == 0)
      return i;
  return (size_t)-1;
}

enum sys_kind sys_detect(const unsigned char *head, size_t n) {
  size_t i = utf8_text_start(head, n);
  if (i >= n)
    return SYS_NONE;
  if (head[i] == '{') {
    /* Prometheus: {"status":"success","data":{"resultType":"matrix",... */
    if (find_bytes(head + i, n - i, "\"status\"") != (size_t)-1 &&
        (find_bytes(head + i, n - i, "\"resultType\"") != (size_t)-1 ||
         find_bytes(head + i, n - i, "\"errorType\"") != (size_t)-1))
      return SYS_PROMETHEUS;
    return SYS_NONE;
  }
  if (n - i >= 11 && memcmp(head + i, "# hostname;", 11) == 0)
    return SYS_SADF;
  /* CSV header: the first line. */
  size_t end = i;
  while (end < n && head[end] != '\n')
    end++;
  int has_time = 0, has_metric = 0, has_value = 0, ncols = 0;
  size_t p = i;
  while (p <= end) {
    size_t q = p;
    while (q < end && head[q] != ',')
      q++;
    size_t a = p, b = q;
    while (a < b && (head[a] == ' ' || head[a] == '"'))
      a++;
    while (b > a && (head[b - 1] == ' ' || head[b - 1] == '"' || head[b - 1] == '\r'))
      b--;
    const char *f = (const char *)head + a;
    size_t fl = b - a;
    if (name_is(f, fl, "metric_name") || name_is(f, fl, "metric_value"))
      return SYS_NONE; /* k6 --out csv */
    if (is_time_name(f, fl))
      has_time = 1;
    else if (name_is(f, fl, "metric") || name_is(f, fl, "series"))
      has_metric = 1;
    else if (name_is(f, fl, "value"))
      has_value = 1;
    ncols++;
    p = q + 1;
  }
  if (!has_time || ncols < 2)
    return SYS_NONE;
  if (has_metric && has_value)
    return SYS_LONG_CSV;
  return SYS_WIDE_CSV;
}

/* ------------------------------------------------------------- helpers */

/* A short printable copy of s for messages. */
const char *sys_snip(const char *s, size_t n, char out[48]) {
  size_t k = 0;
  for (size_t i = 0; i < n && k < 40; i++)
    out[k++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
  if (n > 40) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k] = 0;
  return out;
}

/* Number cell: 1 with *v set, 0 for a missing value (empty, NaN, Inf), -1 when not a number. */
int sys_parse_value(const char *s, double *v) {
  if (!*s)
    return 0;
  errno = 0;
  char *e;
  double d = strtod(s, &e);
  if (e == s || *e)
    return -1;
  if (isnan(d) || isinf(d))
    return 0;
  if (errno == ERANGE && d != 0)
    return -1;
  *v = d;
  return 1;
}

/* Splits line on sep (util/csv.h), trimming spaces and tabs; a malformed
 * quoted field is a data error at its column. */
static int split_line(const char *line, size_t len, char sep, struct csv_fields *f, const char *path, long lineno,
                      struct err *err) {
  size_t at;
  int rc = csv_split(line, len, sep, CSV_TRIM, f, &at);
  if (rc == CSV_UNTERMINATED)
    return err_set(err, LR_DATAERR, "%s:%ld:%zu: unterminated quoted field, expected a closing '\"'", path, lineno,
                   at);
  if (rc == CSV_AFTER_QUOTE)
    return err_set(err, LR_DATAERR, "%s:%ld:%zu: unexpected character after a quoted field, expected '%c'", path,
                   lineno, at, sep);
  return 0;
}

static int is_blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return 0;
  return 1;
}

static int parse_time_cell(const char *s, int ms, double *ts, const char *path, long lineno, size_t col,
                           struct err *err) {
  char sn[48];
  size_t n = strlen(s);
  if (!n)
    return err_set(err, LR_DATAERR,
                   "%s:%ld:%zu: empty timestamp, expected ISO-8601 with a zone or epoch seconds", path,
                   lineno, col);
  errno = 0;
  char *e;
  double d = strtod(s, &e);
  if (e != s && !*e && isfinite(d) && (s[0] == '.' || isdigit((unsigned char)s[0]))) {
    int unit = ms ? 3 : epoch_unit_digits(d);
    if (unit)
      d /= unit == 3 ? 1000.0 : unit == 6 ? 1e6 : 1e9;
    *ts = d;
    return 0;
  }
  int64_t ns;
  /* Years far from now are typos (and would overflow nanoseconds past 2262). */
  int year = n >= 4 && isdigit((unsigned char)s[0]) ? atoi(s) : 0;
  if (n >= 19 && s[4] == '-' && (year < 1900 || year > 2200))
    return err_set(err, LR_DATAERR, "%s:%ld:%zu: timestamp '%s' is out of range, expected a year from 1900 to 2200",
                   path, lineno, col, sys_snip(s, n, sn));
  if (rfc3339_parse(s, n, 0, &ns) == 0) {
    *ts = (double)ns / 1e9;
    return 0;
  }
  if (rfc3339_parse(s, n, 1, &ns) == 0)
    return err_set(err, LR_DATAERR,
                   "%s:%ld:%zu: timestamp '%s' has no time zone, expected one such as Z or +01:00 "
                   "(or epoch seconds)",
                   path, lineno, col, sys_snip(s, n, sn));
  return err_set(err, LR_DATAERR,
                 "%s:%ld:%zu: '%s' is not a timestamp, expected ISO-8601 with a zone "
                 "(2026-11-26T21:58:38.664Z) or epoch seconds",
                 path, lineno, col, sys_snip(s, n, sn));
}

static int bad_number(const char *path, long lineno, size_t col, const char *s, struct err *err) {
  char sn[48];
  return err_set(err, LR_DATAERR, "%s:%ld:%zu: '%s' is not a number, expected a number or an empty cell", path,
                 lineno, col, sys_snip(s, strlen(s), sn));
}

static void strip_bom(const char **line, size_t *len, size_t *shift) {
  *shift = utf8_bom_len((const unsigned char *)*line, *len);
  *line += *shift;
  *len -= *shift;
}

/* ------------------------------------------------------------ wide CSV */

enum { COL_SERIES, COL_TIME, COL_HOST, COL_OTHER_TIME };

struct wide_col {
  int role;
  int ms;
  char *name;
  const char *unit;
  double scale;
};

/* A line of a text format, refused when it is not UTF-8 (names reach JSON). */
static int getline_utf8(struct reader *r, const char **line, size_t *len, struct err *err) {
  int got = reader_getline(r, line, len, err);
  if (got > 0) {
    size_t at = utf8_invalid_at(*line, *len);
    if (at < *len)
      return err_set(err, LR_DATAERR, "%s:%ld:%zu: invalid UTF-8, expected text", reader_path(r), reader_lineno(r),
                     at + 1);
  }
  return got;
}

/* The next data row of a CSV with ncols columns into f: blank lines are
 * skipped, a row with another count of fields is an error. 1 a row (*ln its
 * line), 0 the end, -1 an error. */
static int next_row(struct reader *r, struct csv_fields *f, size_t ncols, long *ln, struct err *err) {
  const char *path = reader_path(r), *line;
  size_t len;
  int got;
  while ((got = getline_utf8(r, &line, &len, err)) > 0) {
    *ln = reader_lineno(r);
    if (is_blank(line, len))
      continue;
    if (split_line(line, len, ',', f, path, *ln, err) < 0)
      return -1;
    if (f->n != ncols) {
      size_t col = f->n > ncols ? f->col[ncols] : len + 1;
      return err_set(err, LR_DATAERR, "%s:%ld:%zu: %zu fields, expected %zu as in the header", path, *ln, col, f->n,
                     ncols);
    }
    return 1;
  }
  return got;
}

/* The number in field i of a row as sys_parse_value() reads it: 1, 0 for
 * a missing value, -1 (err names the line and column) for not a number. */
static int cell_value(struct csv_fields *f, size_t i, const char *path, long ln, double *v, struct err *err) {
  int pv = sys_parse_value(csv_field(f, i), v);
  if (pv < 0)
    bad_number(path, ln, f->col[i], csv_field(f, i), err);
  return pv;
}

/* The header line of a CSV file into f (a byte order mark skipped: its
 * length in *shift, for column numbers). */
static int read_header(struct reader *r, const char *path, struct csv_fields *f, size_t *shift, struct err *err) {
  const char *line;
  size_t len;
  int got = getline_utf8(r, &line, &len, err);
  if (got <= 0)
    return got == 0 ? err_set(err, LR_DATAERR, "%s:1:1: empty file, expected a CSV header", path) : -1;
  strip_bom(&line, &len, shift);
  return split_line(line, len, ',', f, path, 1, err);
}

static int parse_wide(struct reader *r, const struct sys_sink *sink, struct err *err) {
  const char *path = reader_path(r);
  size_t shift;
  struct csv_fields f = CSV_FIELDS_INIT;
  struct wide_col *cols = NULL;
  size_t ncols = 0;
  int rc = -1, got;
  int time_col = -1, host_col = -1;

  if (read_header(r, path, &f, &shift, err) < 0)
    goto out;
  ncols = f.n;
  cols = xcalloc(ncols, sizeof *cols);
  for (size_t i = 0; i < ncols; i++) {
    const char *name = csv_field(&f, i);
    size_t nl = strlen(name);
    cols[i].name = xstrdup(name);
    if (!nl) {
      err_set(err, LR_DATAERR, "%s:1:%zu: empty column name, expected a metric name", path, f.col[i] + shift);
      goto out;
    }
    for (size_t j = 0; j < i; j++)
      if (!strcmp(cols[j].name, name)) {
        err_set(err, LR_DATAERR, "%s:1:%zu: column '%s' appears twice, expected unique column names", path,
                f.col[i] + shift, name);
        goto out;
      }
    if (is_time_name(name, nl)) {
      cols[i].role = time_col < 0 ? COL_TIME : COL_OTHER_TIME;
      cols[i].ms = sys_ends_with(name, nl, "_ms") || sys_ends_with(name, nl, "_MS");
      if (time_col < 0)
        time_col = (int)i;
    } else if ((name_is(name, nl, "host") || name_is(name, nl, "hostname")) && host_col < 0) {
      cols[i].role = COL_HOST;
      host_col = (int)i;
    } else {
      cols[i].role = COL_SERIES;
      cols[i].unit = sys_infer_unit(name, &cols[i].scale);
    }
  }
  if (time_col < 0) {
    err_set(err, LR_DATAERR, "%s:1:1: no timestamp column, expected one named timestamp, time or epoch_s", path);
    goto out;
  }
  long ln;
  while ((got = next_row(r, &f, ncols, &ln, err)) > 0) {
    double ts;
    if (parse_time_cell(csv_field(&f, (size_t)time_col), cols[time_col].ms, &ts, path, ln, f.col[time_col], err) < 0)
      goto out;
    const char *host = host_col >= 0 ? csv_field(&f, (size_t)host_col) : "";
    for (size_t i = 0; i < ncols; i++) {
      if (cols[i].role != COL_SERIES)
        continue;
      double v;
      int pv = cell_value(&f, i, path, ln, &v, err);
      if (pv < 0)
        goto out;
      if (pv == 0)
        continue;
      if (sink->sample(sink->ctx, host, cols[i].name, cols[i].unit, ts, v * cols[i].scale, err) != 0)
        goto out;
    }
  }
  if (got < 0)
    goto out;
  rc = 0;
out:
  for (size_t i = 0; i < ncols && cols; i++)
    free(cols[i].name);
  free(cols);
  csv_fields_release(&f);
  return rc;
}

/* ------------------------------------------------------------ long CSV */

static int parse_long(struct reader *r, const struct sys_sink *sink, struct err *err) {
  const char *path = reader_path(r);
  size_t shift;
  struct csv_fields f = CSV_FIELDS_INIT;
  int rc = -1, got;
  int c_time = -1, c_host = -1, c_metric = -1, c_value = -1, c_unit = -1;
  size_t ncols;

  if (read_header(r, path, &f, &shift, err) < 0)
    goto out;
  ncols = f.n;
  for (size_t i = 0; i < ncols; i++) {
    const char *name = csv_field(&f, i);
    size_t nl = strlen(name);
    int *slot = NULL;
    if (is_time_name(name, nl))
      slot = &c_time;
    else if (name_is(name, nl, "host") || name_is(name, nl, "hostname"))
      slot = &c_host;
    else if (name_is(name, nl, "metric") || name_is(name, nl, "series"))
      slot = &c_metric;
    else if (name_is(name, nl, "value"))
      slot = &c_value;
    else if (name_is(name, nl, "unit"))
      slot = &c_unit;
    if (!slot) {
      err_set(err, LR_DATAERR, "%s:1:%zu: unexpected column '%s', expected timestamp, host, metric, value, unit",
              path, f.col[i] + shift, name);
      goto out;
    }
    if (*slot >= 0) {
      err_set(err, LR_DATAERR, "%s:1:%zu: column '%s' appears twice, expected it once", path, f.col[i] + shift,
              name);
      goto out;
    }
    *slot = (int)i;
  }
  if (c_time < 0 || c_metric < 0 || c_value < 0) {
    err_set(err, LR_DATAERR, "%s:1:1: missing %s column, expected the header timestamp,host,metric,value", path,
            c_time < 0 ? "timestamp" : c_metric < 0 ? "metric" : "value");
    goto out;
  }
  int ms = sys_ends_with(csv_field(&f, (size_t)c_time), strlen(csv_field(&f, (size_t)c_time)), "_ms");
  long ln;
  while ((got = next_row(r, &f, ncols, &ln, err)) > 0) {
    double ts, v;
    if (parse_time_cell(csv_field(&f, (size_t)c_time), ms, &ts, path, ln, f.col[c_time], err) < 0)
      goto out;
    const char *metric = csv_field(&f, (size_t)c_metric);
    if (!*metric) {
      err_set(err, LR_DATAERR, "%s:%ld:%zu: empty metric name, expected one", path, ln, f.col[c_metric]);
      goto out;
    }
    int pv = cell_value(&f, (size_t)c_value, path, ln, &v, err);
    if (pv < 0)
      goto out;
    if (pv == 0)
      continue;
    double scale = 1.0;
    const char *unit = c_unit >= 0 ? csv_field(&f, (size_t)c_unit) : "";
    if (!*unit)
      unit = sys_infer_unit(metric, &scale);
    if (sink->sample(sink->ctx, c_host >= 0 ? csv_field(&f, (size_t)c_host) : "", metric, unit, ts, v * scale,
                     err) != 0)
      goto out;
  }
  if (got < 0)
    goto out;
  rc = 0;
out:
  csv_fields_release(&f);
  return rc;
}

/* ------------------------------------------------------------ sadf -d */

struct sadf_col {
  char *name;  /* as in the header */
  char *label; /* lower-case label key when the column is a label */
  const char *unit;
  double scale;
};

static void sadf_cols_free(struct sadf_col *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(c[i].name);
    free(c[i].label);
  }
  free(c);
}

static int is_label_header(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!isupper((unsigned char)*s))
      return 0;
  return 1;
}

void sys_add_label_value(struct strbuf *sb, const char *v) {
  for (; *v; v++) {
    if (*v == '\\' || *v == '"')
      strbuf_addch(sb, '\\');
    if (*v == '\n') {
      strbuf_addstr(sb, "\\n");
      continue;
    }
    strbuf_addch(sb, *v);
  }
}

static int parse_sadf(struct reader *r, const struct sys_sink *sink, struct err *err) {
  const char *path = reader_path(r);
  const char *line;
  size_t len;
  struct csv_fields f = CSV_FIELDS_INIT;
  struct strbuf name = STRBUF_INIT, labels = STRBUF_INIT;
  struct sadf_col *cols = NULL;
  size_t ncols = 0;
  int rc = -1, got;

  while ((got = getline_utf8(r, &line, &len, err)) > 0) {
    long ln = reader_lineno(r);
    if (is_blank(line, len))
      continue;
    if (line[0] == '#') {
      /* "# hostname;interval;timestamp;CPU;%user;..." */
      size_t skip = 1;
      while (skip < len && line[skip] == ' ')
        skip++;
      if (split_line(line + skip, len - skip, ';', &f, path, ln, err) < 0)
        goto out;
      if (f.n < 4 || strcmp(csv_field(&f, 0), "hostname") || strcmp(csv_field(&f, 1), "interval") ||
          strcmp(csv_field(&f, 2), "timestamp")) {
        err_set(err, LR_DATAERR, "%s:%ld:1: unexpected header, expected '# hostname;interval;timestamp;...'",
                path, ln);
        goto out;
      }
      sadf_cols_free(cols, ncols);
      ncols = f.n;
      cols = xcalloc(ncols, sizeof *cols);
      for (size_t i = 3; i < ncols; i++) {
        const char *h = csv_field(&f, i);
        cols[i].name = xstrdup(h);
        if (!*h) {
          err_set(err, LR_DATAERR, "%s:%ld:%zu: empty column name, expected a metric name", path, ln,
                  f.col[i] + skip);
          goto out;
        }
        if (is_label_header(h)) {
          cols[i].label = xstrdup(h);
          for (char *p = cols[i].label; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        } else {
          cols[i].unit = sys_infer_unit(h, &cols[i].scale);
        }
      }
      continue;
    }
    if (!cols) {
      err_set(err, LR_DATAERR, "%s:%ld:1: data before any header, expected '# hostname;interval;timestamp;...'",
              path, ln);
      goto out;
    }
    if (split_line(line, len, ';', &f, path, ln, err) < 0)
      goto out;
    if (f.n >= 4 && (!strncmp(csv_field(&f, 3), "LINUX-RESTART", 13) || !strncmp(csv_field(&f, 3), "COM ", 4)))
      continue;
    if (f.n != ncols) {
      size_t col = f.n > ncols ? f.col[ncols] : len + 1;
      err_set(err, LR_DATAERR, "%s:%ld:%zu: %zu fields, expected %zu as in the header", path, ln, col, f.n,
              ncols);
      goto out;
    }
    double ts;
    if (parse_time_cell(csv_field(&f, 2), 0, &ts, path, ln, f.col[2], err) < 0)
      goto out;
    /* The labels of this row. */
    strbuf_reset(&labels);
    for (size_t i = 3; i < ncols; i++) {
      if (!cols[i].label)
        continue;
      const char *v = csv_field(&f, i);
      if (!strcmp(cols[i].label, "cpu") && !strcmp(v, "-1"))
        v = "all";
      strbuf_addstr(&labels, labels.len ? "," : "{");
      strbuf_addf(&labels, "%s=\"", cols[i].label);
      sys_add_label_value(&labels, v);
      strbuf_addch(&labels, '"');
    }
    if (labels.len)
      strbuf_addch(&labels, '}');
    for (size_t i = 3; i < ncols; i++) {
      if (cols[i].label)
        continue;
      double v;
      int pv = cell_value(&f, i, path, ln, &v, err);
      if (pv < 0)
        goto out;
      if (pv == 0)
        continue;
      strbuf_reset(&name);
      strbuf_addstr(&name, cols[i].name);
      strbuf_add(&name, labels.buf, labels.len);
      if (sink->sample(sink->ctx, csv_field(&f, 0), name.buf, cols[i].unit, ts, v * cols[i].scale, err) != 0)
        goto out;
    }
  }
  if (got < 0)
    goto out;
  if (!cols) {
    err_set(err, LR_DATAERR, "%s:1:1: no sadf header, expected '# hostname;interval;timestamp;...'", path);
    goto out;
  }
  rc = 0;
out:
  sadf_cols_free(cols, ncols);
  csv_fields_release(&f);
  strbuf_release(&name);
  strbuf_release(&labels);
  return rc;
}

int sys_parse(struct reader *r, enum sys_kind kind, const struct sys_sink *sink, struct err *err) {
  static int (*const parsers[])(struct reader *, const struct sys_sink *, struct err *) = {
      [SYS_WIDE_CSV] = parse_wide, [SYS_LONG_CSV] = parse_long, [SYS_SADF] = parse_sadf,
      [SYS_PROMETHEUS] = sys_parse_prometheus};
  if ((size_t)kind < sizeof parsers / sizeof *parsers && parsers[kind])
    return parsers[kind](r, sink, err);
  return err_set(err, LR_SOFTWARE, "%s: not a system-metrics file", reader_path(r));
}
