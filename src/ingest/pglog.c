/* pglog.c - PostgreSQL logs, pg_stat_statements and statistics-view CSVs. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/pglog.h"
#include "ingest/reader.h"
#include "util/csv.h"
#include "util/err.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeparse.h"
#include "util/utf8.h"
#include "util/xalloc.h"

const char *pg_kind_name(enum pg_kind k) {
  static const char *const names[] = {
      [PG_CSVLOG] = "pg-csvlog", [PG_STDERR] = "pg-stderr-log", [PG_STAT_STATEMENTS] = "pg-stat-statements",
      [PG_STAT_DATABASE] = "pg-stat-database", [PG_STAT_ACTIVITY] = "pg-stat-activity",
      [PG_STAT_TABLES] = "pg-stat-user-tables", [PG_STAT_INDEXES] = "pg-stat-user-indexes",
      [PG_STATIO_TABLES] = "pg-statio-user-tables", [PG_SETTINGS] = "pg-settings"};
  return name_of(names, NAMES_COUNT(names), (int)k, "none");
}

const char *pg_view_name(enum pg_kind k) {
  static const char *const names[] = {
      [PG_STAT_DATABASE] = "pg_stat_database",   [PG_STAT_ACTIVITY] = "pg_stat_activity",
      [PG_STAT_TABLES] = "pg_stat_user_tables",  [PG_STAT_INDEXES] = "pg_stat_user_indexes",
      [PG_STATIO_TABLES] = "pg_statio_user_tables", [PG_SETTINGS] = "pg_settings",
  };
  return name_of(names, NAMES_COUNT(names), (int)k, NULL);
}

const char *pg_entry_kind_name(enum pg_entry_kind k) {
  static const char *const names[] = {"statement", "plan",       "deadlock",   "lock_wait", "statement_timeout",
                                      "error",     "fatal",      "panic",      "warning",   "checkpoint",
                                      "autovacuum", "temp_file", "lost_in_transaction", "other"};
  return name_of(names, NAMES_COUNT(names), (int)k, "other");
}

/* ------------------------------------------------------------ time stamps */

/* Length of "YYYY-MM-DD HH:MM:SS[.fff] ZONE" at s (0 when it is not one);
 * *off_s gets the zone's offset east of UTC, *ok 0 for an unknown zone. */
static size_t ts_prefix(const char *s, size_t n, int *ok, double *off_s) {
  static const char pat[] = "dddd-dd-dd dd:dd:dd";
  size_t i = 0;
  *ok = 1;
  *off_s = 0;
  if (n < sizeof pat - 1)
    return 0;
  for (; i < sizeof pat - 1; i++) {
    if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
      return 0;
  }
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && isdigit((unsigned char)s[i]))
      i++;
  }
  if (i >= n || s[i] != ' ')
    return 0;
  size_t z = ++i;
  if (i < n && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    i++;
    int h = 0, m = 0, nd = 0;
    while (i < n && isdigit((unsigned char)s[i]) && nd < 2)
      h = h * 10 + (s[i++] - '0'), nd++;
    if (nd == 0)
      return 0;
    if (i < n && s[i] == ':')
      i++;
    nd = 0;
    while (i < n && isdigit((unsigned char)s[i]) && nd < 2)
      m = m * 10 + (s[i++] - '0'), nd++;
    *off_s = sign * (h * 3600.0 + m * 60.0);
    return i;
  }
  while (i < n && isalpha((unsigned char)s[i]))
    i++;
  if (i == z || i - z > 6)
    return 0;
  size_t zl = i - z;
  if (!((zl == 3 && (!memcmp(s + z, "UTC", 3) || !memcmp(s + z, "GMT", 3) || !memcmp(s + z, "UCT", 3))) ||
        (zl == 1 && s[z] == 'Z')))
    *ok = 0;
  return i;
}

/* Parses the stamp at s (length from ts_prefix) into epoch seconds. */
static int ts_parse(const char *s, size_t n, double *out) {
  int ok;
  double off;
  size_t len = ts_prefix(s, n, &ok, &off);
  if (!len || !ok)
    return -1;
  const char *sp = memchr(s + 11, ' ', len - 11);
  if (!sp)
    return -1;
  int64_t ns;
  if (rfc3339_parse(s, (size_t)(sp - s), 1, &ns) < 0)
    return -1;
  *out = (double)ns / 1e9 - off;
  return 0;
}

/* ---------------------------------------------------------------- CSV */

static void rec_push(struct pg_csv_record *rec, size_t off) {
  XGROW(rec->f, rec->cap, rec->nf + 1);
  rec->f[rec->nf++] = (char *)(uintptr_t)off; /* offsets until the buffer stops moving */
}

int pg_csv_next(struct reader *r, struct pg_csv_record *rec, struct err *err) {
  const char *line;
  size_t len;
  struct strbuf raw = STRBUF_INIT;
  int inq = 0, got = 0;
  rec->nf = 0;
  for (;;) {
    int g = reader_getline(r, &line, &len, err);
    if (g < 0) {
      strbuf_release(&raw);
      return -1;
    }
    if (g == 0) {
      if (!got) {
        strbuf_release(&raw);
        return 0;
      }
      if (inq) {
        long at = rec->line;
        strbuf_release(&raw);
        return err_set(err, LR_DATAERR, "%s:%ld: a quoted field is not closed before the end of the file",
                       reader_path(r), at);
      }
      break;
    }
    if (!got) {
      rec->line = reader_lineno(r);
      got = 1;
      if (len == 0 && !inq) { /* blank line between records */
        got = 0;
        continue;
      }
    } else {
      strbuf_addch(&raw, '\n');
    }
    for (size_t i = 0; i < len; i++)
      if (line[i] == '"')
        inq = !inq;
    strbuf_add(&raw, line, len);
    if (!inq)
      break;
  }
  /* Split raw into NUL-terminated fields in rec->buf. */
  strbuf_reset(&rec->buf);
  size_t i = 0;
  const char *p = raw.buf;
  size_t n = raw.len;
  for (;;) {
    rec_push(rec, rec->buf.len);
    if (i < n && p[i] == '"') {
      int closed; /* an unclosed quote was refused when the record was read */
      i = csv_unquote(p, n, i + 1, &rec->buf, &closed);
      /* text after the closing quote up to the comma is kept as is */
      while (i < n && p[i] != ',')
        strbuf_addch(&rec->buf, p[i++]);
    } else {
      while (i < n && p[i] != ',')
        strbuf_addch(&rec->buf, p[i++]);
    }
    strbuf_addch(&rec->buf, 0);
    if (i < n && p[i] == ',') {
      i++;
      continue;
    }
    break;
  }
  for (size_t k = 0; k < rec->nf; k++)
    rec->f[k] = rec->buf.buf + (size_t)(uintptr_t)rec->f[k];
  strbuf_release(&raw);
  return 1;
}

void pg_csv_release(struct pg_csv_record *rec) {
  strbuf_release(&rec->buf);
  free(rec->f);
  rec->f = NULL;
  rec->nf = rec->cap = 0;
}

/* Header names of the first line (simple split; names are plain words). */
static size_t header_names(const unsigned char *h, size_t n, char names[][40], size_t max) {
  const unsigned char *nl = memchr(h, '\n', n);
  size_t len = nl ? (size_t)(nl - h) : n, k = 0, i = utf8_bom_len(h, len);
  while (i <= len && k < max) {
    size_t j = 0;
    while (i < len && h[i] != ',') {
      unsigned char c = h[i++];
      if (c != '"' && c != '\r' && j < 39)
        names[k][j++] = (char)tolower(c);
    }
    names[k][j] = 0;
    k++;
    i++;
  }
  return k;
}

static int has_name(char names[][40], size_t k, const char *want) {
  for (size_t i = 0; i < k; i++)
    if (!strcmp(names[i], want))
      return 1;
  return 0;
}

/* "LOG:  ", "ERROR:  " ... at s[i]: returns the severity's length, else 0. */
static const char *const severities[] = {"LOG",   "ERROR", "WARNING", "FATAL",  "PANIC",   "NOTICE",
                                         "INFO",  "DEBUG", "DEBUG1",  "DEBUG2", "DEBUG3",  "DEBUG4",
                                         "DEBUG5", "DETAIL", "HINT",  "STATEMENT", "CONTEXT", "QUERY",
                                         "LOCATION"};

static size_t severity_at(const char *s, size_t n, size_t i) {
  if (i > 0 && s[i - 1] != ' ')
    return 0;
  for (size_t k = 0; k < sizeof severities / sizeof *severities; k++) {
    size_t l = strlen(severities[k]);
    if (i + l + 3 <= n && !memcmp(s + i, severities[k], l) && s[i + l] == ':' && s[i + l + 1] == ' ' &&
        s[i + l + 2] == ' ')
      return l;
  }
  return 0;
}

/* Index of the severity marker in a stderr line, or -1. */
static long find_severity(const char *s, size_t n, size_t from, size_t *sevlen) {
  for (size_t i = from; i < n; i++) {
    if (isupper((unsigned char)s[i])) {
      size_t l = severity_at(s, n, i);
      if (l) {
        *sevlen = l;
        return (long)i;
      }
    }
  }
  return -1;
}

enum pg_kind pg_detect(const unsigned char *head, size_t n) {
  const char *s = (const char *)head;
  size_t i = utf8_bom_len(head, n);
  int ok;
  double off;
  size_t tl = ts_prefix(s + i, n - i, &ok, &off);
  if (tl) {
    const char *nl = memchr(s + i, '\n', n - i);
    size_t len = nl ? (size_t)(nl - (s + i)) : n - i;
    if (tl < len && s[i + tl] == ',')
      return PG_CSVLOG;
    size_t sl;
    if (find_severity(s + i, len, tl, &sl) >= 0)
      return PG_STDERR;
    return PG_NONE;
  }
  char names[128][40];
  size_t k = header_names(head, n, names, 128);
  if (k < 2)
    return PG_NONE;
  if (has_name(names, k, "query") && has_name(names, k, "calls") &&
      (has_name(names, k, "total_exec_time") || has_name(names, k, "total_time")))
    return PG_STAT_STATEMENTS;
  if (has_name(names, k, "datname") && has_name(names, k, "xact_commit") && has_name(names, k, "blks_hit"))
    return PG_STAT_DATABASE;
  if (has_name(names, k, "pid") && has_name(names, k, "state") &&
      (has_name(names, k, "xact_start") || has_name(names, k, "backend_start")))
    return PG_STAT_ACTIVITY;
  if (has_name(names, k, "indexrelname") && has_name(names, k, "idx_scan"))
    return PG_STAT_INDEXES;
  if (has_name(names, k, "relname") && has_name(names, k, "heap_blks_read"))
    return PG_STATIO_TABLES;
  if (has_name(names, k, "relname") && has_name(names, k, "seq_scan"))
    return PG_STAT_TABLES;
  if (has_name(names, k, "name") && has_name(names, k, "setting"))
    return PG_SETTINGS;
  return PG_NONE;
}

/* ------------------------------------------------------------- entries */

static int starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* Fills kind, duration and query of e from its severity, SQLSTATE and
 * message. -1 when a duration entry is malformed. */
static int classify_entry(struct pg_log_entry *e, struct strbuf *query) {
  const char *m = e->message;
  e->duration_ms = NAN;
  e->query = "";
  strbuf_reset(query);
  if (starts(m, "duration: ")) {
    char *end;
    errno = 0;
    double d = strtod(m + 10, &end);
    if (end == m + 10 || errno || !isfinite(d) || d < 0 || strncmp(end, " ms", 3))
      return -1;
    e->duration_ms = d;
    const char *rest = end + 3;
    while (*rest == ' ')
      rest++;
    if (starts(rest, "statement: ")) {
      e->kind = PGE_STATEMENT;
      strbuf_addstr(query, rest + 11);
    } else if (starts(rest, "execute ")) {
      const char *colon = strstr(rest, ": ");
      if (!colon)
        return -1;
      e->kind = PGE_STATEMENT;
      strbuf_addstr(query, colon + 2);
    } else if (starts(rest, "plan:")) {
      e->kind = PGE_PLAN;
    } else {
      e->kind = PGE_OTHER; /* log_duration's bare duration, bind, parse */
    }
    e->query = query->buf;
    return 0;
  }
  const char *sev = e->severity;
  if (!strcmp(e->sqlstate, "40P01") || strstr(m, "deadlock detected"))
    e->kind = PGE_DEADLOCK;
  else if (strstr(m, " still waiting for ") && strstr(m, "Lock"))
    e->kind = PGE_LOCK_WAIT;
  else if (!strcmp(e->sqlstate, "57014") || strstr(m, "canceling statement due to statement timeout"))
    e->kind = PGE_STATEMENT_TIMEOUT;
  else if (!strcmp(sev, "ERROR"))
    e->kind = PGE_ERROR;
  else if (!strcmp(sev, "FATAL"))
    e->kind = PGE_FATAL;
  else if (!strcmp(sev, "PANIC"))
    e->kind = PGE_PANIC;
  else if (!strcmp(sev, "WARNING"))
    e->kind = PGE_WARNING;
  else if (starts(m, "checkpoint ") || starts(m, "restartpoint "))
    e->kind = PGE_CHECKPOINT;
  else if (starts(m, "automatic vacuum") || starts(m, "automatic analyze") || starts(m, "automatic aggressive"))
    e->kind = PGE_AUTOVACUUM;
  else if (starts(m, "temporary file"))
    e->kind = PGE_TEMP_FILE;
  else if (strstr(m, "on client connection with an open transaction"))
    e->kind = PGE_LOST_IN_TX;
  else
    e->kind = PGE_OTHER;
  return 0;
}

static int parse_int64(const char *s, int64_t *v) {
  if (!*s)
    return 0;
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  if (*end || errno)
    return -1;
  *v = (int64_t)x;
  return 1;
}

static int parse_csvlog(struct reader *r, const struct pg_sink *sink, struct err *err) {
  struct pg_csv_record rec = {STRBUF_INIT, NULL, 0, 0, 0};
  struct strbuf q = STRBUF_INIT;
  const char *path = reader_path(r);
  int rc = 0, g;
  while ((g = pg_csv_next(r, &rec, err)) == 1) {
    if (rec.nf < 23 || rec.nf > 26) {
      rc = err_set(err, LR_DATAERR, "%s:%ld: %zu fields, expected a csvlog record of 23 to 26 (PostgreSQL 9 to 17)",
                   path, rec.line, rec.nf);
      break;
    }
    struct pg_log_entry e = {0};
    e.line = rec.line;
    if (ts_parse(rec.f[0], strlen(rec.f[0]), &e.ts) < 0) {
      rc = err_set(err, LR_DATAERR,
                   "%s:%ld: log_time '%.40s' is not a time stamp with a known zone (expected e.g. "
                   "'2026-11-27 15:50:36.851 UTC'; set log_timezone = 'UTC')",
                   path, rec.line, rec.f[0]);
      break;
    }
    e.user = rec.f[1];
    e.database = rec.f[2];
    e.pid = strtol(rec.f[3], NULL, 10);
    e.severity = rec.f[11];
    e.sqlstate = rec.f[12];
    e.message = rec.f[13];
    e.app = rec.f[22];
    if (rec.nf == 26) {
      int p = parse_int64(rec.f[25], &e.queryid);
      if (p < 0) {
        rc = err_set(err, LR_DATAERR, "%s:%ld: query_id '%.30s' is not an integer", path, rec.line, rec.f[25]);
        break;
      }
      e.has_queryid = p == 1 && e.queryid != 0;
    }
    if (classify_entry(&e, &q) < 0) {
      rc = err_set(err, LR_DATAERR, "%s:%ld: a duration entry without 'duration: <number> ms' at its start", path,
                   rec.line);
      break;
    }
    if (sink->entry && (rc = sink->entry(sink->ctx, &e, err)) != 0)
      break;
  }
  if (g < 0)
    rc = -1;
  pg_csv_release(&rec);
  strbuf_release(&q);
  return rc;
}

/* stderr format: entries start with a time stamp and carry "SEV:  "; lines
 * starting with a tab (or without a time stamp) continue the entry; DETAIL,
 * HINT, CONTEXT, STATEMENT, QUERY and LOCATION lines belong to it. */
struct se_state {
  int have;
  struct pg_log_entry e;
  struct strbuf msg, user, db, app, sev;
};

static int se_flush(struct se_state *s, const struct pg_sink *sink, struct strbuf *q, const char *path,
                    struct err *err) {
  if (!s->have)
    return 0;
  s->have = 0;
  s->e.message = s->msg.buf;
  s->e.user = s->user.buf;
  s->e.database = s->db.buf;
  s->e.app = s->app.buf;
  s->e.severity = s->sev.buf;
  s->e.sqlstate = "";
  if (classify_entry(&s->e, q) < 0)
    return err_set(err, LR_DATAERR, "%s:%ld: a duration entry without 'duration: <number> ms' at its start", path,
                   s->e.line);
  return sink->entry ? sink->entry(sink->ctx, &s->e, err) : 0;
}

static int parse_stderr(struct reader *r, const struct pg_sink *sink, struct err *err) {
  struct se_state s = {0};
  strbuf_init(&s.msg, 256);
  strbuf_init(&s.user, 16);
  strbuf_init(&s.db, 16);
  strbuf_init(&s.app, 16);
  strbuf_init(&s.sev, 8);
  struct strbuf q = STRBUF_INIT;
  const char *path = reader_path(r);
  const char *line;
  size_t len;
  int rc = 0, g, attached = 0;
  while ((g = reader_getline(r, &line, &len, err)) == 1) {
    int ok;
    double off;
    size_t tl = len && line[0] != '\t' ? ts_prefix(line, len, &ok, &off) : 0;
    size_t sl = 0;
    long at = tl ? find_severity(line, len, tl, &sl) : -1;
    if (!tl || at < 0) {
      if (!s.have && !attached) {
        if (len == 0)
          continue;
        rc = err_set(err, LR_DATAERR,
                     "%s:%ld: expected a log line starting with a time stamp and a 'LOG:  ' (or ERROR, ...) marker",
                     path, reader_lineno(r));
        break;
      }
      if (s.have) {
        strbuf_addch(&s.msg, '\n');
        strbuf_add(&s.msg, line[0] == '\t' ? line + 1 : line, line[0] == '\t' ? len - 1 : len);
      }
      continue;
    }
    const char *sev = line + at;
    const char *text = sev + sl + 3;
    size_t tlen = len - (size_t)(text - line);
    static const char *const attach[] = {"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"};
    int is_attach = 0;
    for (size_t k = 0; k < 6; k++)
      if (sl == strlen(attach[k]) && !memcmp(sev, attach[k], sl))
        is_attach = 1;
    if (is_attach) {
      attached = 1;
      if (s.have) { /* keep the main message; the rest is context */
        strbuf_addch(&s.msg, '\n');
        strbuf_add(&s.msg, sev, len - (size_t)at);
      }
      continue;
    }
    if ((rc = se_flush(&s, sink, &q, path, err)) != 0)
      break;
    attached = 0;
    struct pg_log_entry e = {0};
    e.line = reader_lineno(r);
    if (ts_parse(line, tl, &e.ts) < 0) {
      rc = err_set(err, LR_DATAERR,
                   "%s:%ld: '%.*s' is not a time stamp with a known zone (set log_timezone = 'UTC')", path, e.line,
                   (int)tl, line);
      break;
    }
    strbuf_reset(&s.user);
    strbuf_reset(&s.db);
    strbuf_reset(&s.app);
    /* the prefix between the stamp and the severity: [pid], user@db, app=name */
    const char *p = line + tl, *pe = sev;
    while (p < pe) {
      while (p < pe && *p == ' ')
        p++;
      const char *w = p;
      while (p < pe && *p != ' ')
        p++;
      size_t wl = (size_t)(p - w);
      if (!wl)
        continue;
      if (w[0] == '[' && wl > 2) {
        e.pid = strtol(w + 1, NULL, 10);
      } else if (wl > 4 && !memcmp(w, "app=", 4)) {
        strbuf_add(&s.app, w + 4, wl - 4);
      } else if (memchr(w, '@', wl) && !s.user.len) {
        const char *atp = memchr(w, '@', wl);
        strbuf_add(&s.user, w, (size_t)(atp - w));
        strbuf_add(&s.db, atp + 1, wl - (size_t)(atp - w) - 1);
      }
    }
    strbuf_reset(&s.sev);
    strbuf_add(&s.sev, sev, sl);
    strbuf_reset(&s.msg);
    strbuf_add(&s.msg, text, tlen);
    s.e = e;
    s.have = 1;
  }
  if (g < 0)
    rc = -1;
  if (rc == 0)
    rc = se_flush(&s, sink, &q, path, err);
  strbuf_release(&s.msg);
  strbuf_release(&s.user);
  strbuf_release(&s.db);
  strbuf_release(&s.app);
  strbuf_release(&s.sev);
  strbuf_release(&q);
  return rc;
}

/* ---------------------------------------------------- CSV with a header */

static int col_index(struct pg_csv_record *h, const char *a, const char *b) {
  for (size_t i = 0; i < h->nf; i++) {
    if (!strcmp(h->f[i], a) || (b && !strcmp(h->f[i], b)))
      return (int)i;
  }
  return -1;
}

static int num_cell(struct pg_csv_record *rec, int col, const char *name, double *v, const char *path,
                    struct err *err) {
  *v = NAN;
  if (col < 0 || !*rec->f[col])
    return 0;
  char *end;
  errno = 0;
  double x = strtod(rec->f[col], &end);
  if (*end || errno || !isfinite(x))
    return err_set(err, LR_DATAERR, "%s:%ld: column '%s': expected a number, got '%.30s'", path, rec->line, name,
                   rec->f[col]);
  *v = x;
  return 0;
}

static int parse_with_header(struct reader *r, enum pg_kind k, const struct pg_sink *sink, struct err *err) {
  struct pg_csv_record hdr = {STRBUF_INIT, NULL, 0, 0, 0}, rec = {STRBUF_INIT, NULL, 0, 0, 0};
  const char *path = reader_path(r);
  int rc = 0, g = pg_csv_next(r, &hdr, err);
  if (g <= 0) {
    pg_csv_release(&hdr);
    return g < 0 ? -1 : err_set(err, LR_DATAERR, "%s:1: no header line", path);
  }
  for (size_t i = 0; i < hdr.nf; i++) {
    char *c = hdr.f[i];
    if (i == 0 && utf8_bom_len((const unsigned char *)c, strlen(c)))
      memmove(c, c + 3, strlen(c + 3) + 1);
    for (; *c; c++)
      *c = (char)tolower((unsigned char)*c);
  }
  int c_db = col_index(&hdr, "datname", "database"), c_qid = col_index(&hdr, "queryid", NULL),
      c_q = col_index(&hdr, "query", NULL), c_calls = col_index(&hdr, "calls", NULL),
      c_tot = col_index(&hdr, "total_exec_time", "total_time"), c_mean = col_index(&hdr, "mean_exec_time", "mean_time"),
      c_min = col_index(&hdr, "min_exec_time", "min_time"), c_max = col_index(&hdr, "max_exec_time", "max_time"),
      c_sd = col_index(&hdr, "stddev_exec_time", "stddev_time"), c_rows = col_index(&hdr, "rows", NULL),
      c_hit = col_index(&hdr, "shared_blks_hit", NULL), c_read = col_index(&hdr, "shared_blks_read", NULL),
      c_tmp = col_index(&hdr, "temp_blks_written", NULL), c_top = col_index(&hdr, "toplevel", NULL);
  while ((g = pg_csv_next(r, &rec, err)) == 1) {
    if (rec.nf == 1 && !*rec.f[0])
      continue;
    if (rec.nf != hdr.nf) {
      rc = err_set(err, LR_DATAERR, "%s:%ld: %zu fields, the header has %zu", path, rec.line, rec.nf, hdr.nf);
      break;
    }
    if (k == PG_STAT_STATEMENTS) {
      struct pg_stmt_row s = {0};
      s.line = rec.line;
      s.datname = c_db >= 0 ? rec.f[c_db] : "";
      s.query = rec.f[c_q];
      s.toplevel = -1;
      if (c_top >= 0 && *rec.f[c_top])
        s.toplevel = rec.f[c_top][0] == 't' || rec.f[c_top][0] == 'T' || rec.f[c_top][0] == '1';
      if (c_qid >= 0) {
        int p = parse_int64(rec.f[c_qid], &s.queryid);
        if (p < 0) {
          rc = err_set(err, LR_DATAERR, "%s:%ld: column 'queryid': expected an integer, got '%.30s'", path, rec.line,
                       rec.f[c_qid]);
          break;
        }
        s.has_queryid = p == 1;
      }
      if (num_cell(&rec, c_calls, "calls", &s.calls, path, err) < 0 ||
          num_cell(&rec, c_tot, "total_exec_time", &s.total_ms, path, err) < 0 ||
          num_cell(&rec, c_mean, "mean_exec_time", &s.mean_ms, path, err) < 0 ||
          num_cell(&rec, c_min, "min_exec_time", &s.min_ms, path, err) < 0 ||
          num_cell(&rec, c_max, "max_exec_time", &s.max_ms, path, err) < 0 ||
          num_cell(&rec, c_sd, "stddev_exec_time", &s.stddev_ms, path, err) < 0 ||
          num_cell(&rec, c_rows, "rows", &s.rows, path, err) < 0 ||
          num_cell(&rec, c_hit, "shared_blks_hit", &s.shared_blks_hit, path, err) < 0 ||
          num_cell(&rec, c_read, "shared_blks_read", &s.shared_blks_read, path, err) < 0 ||
          num_cell(&rec, c_tmp, "temp_blks_written", &s.temp_blks_written, path, err) < 0) {
        rc = -1;
        break;
      }
      if (isnan(s.calls) || s.calls < 0 || isnan(s.total_ms) || s.total_ms < 0) {
        rc = err_set(err, LR_DATAERR, "%s:%ld: calls and total_exec_time must be numbers >= 0", path, rec.line);
        break;
      }
      if (sink->stmt && (rc = sink->stmt(sink->ctx, &s, err)) != 0)
        break;
    } else if (sink->snapshot && (rc = sink->snapshot(sink->ctx, pg_view_name(k), rec.line, hdr.f, rec.f, rec.nf,
                                                       err)) != 0) {
      break;
    }
  }
  if (g < 0)
    rc = -1;
  pg_csv_release(&hdr);
  pg_csv_release(&rec);
  return rc;
}

int pg_parse(struct reader *r, enum pg_kind k, const struct pg_sink *sink, struct err *err) {
  switch (k) {
  case PG_CSVLOG:
    return parse_csvlog(r, sink, err);
  case PG_STDERR:
    return parse_stderr(r, sink, err);
  case PG_NONE:
    return err_set(err, LR_SOFTWARE, "pg_parse: no kind");
  default:
    return parse_with_header(r, k, sink, err);
  }
}
