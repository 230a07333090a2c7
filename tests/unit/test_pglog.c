/* PostgreSQL inputs: the statement normaliser (pg_stat_statements' $n
 * form), kind detection, the csvlog parser (quoted multi-line fields,
 * auto_explain plans, event kinds), the stderr format, pg_stat_statements
 * columns of PostgreSQL 12 to 17, and bad lines with their line numbers;
 * on the shipped edumind-pg runs: the pool exhaustion of the soak, the
 * database as the bottleneck of before/stress, what changed before/after. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glob.h>
#include <jansson.h>

#include "analysis/dbevidence.h"
#include "harness.h"
#include "ingest/ingest.h"
#include "ingest/pglog.h"
#include "ingest/reader.h"
#include "store/store.h"
#include "util/err.h"

static void norm_is(const char *in, const char *want) {
  char *got = pg_normalise(in, strlen(in));
  STR_EQ(got, want, "pg_normalise(%s)", in);
  free(got);
}

static void normaliser(void) {
  norm_is("SELECT id FROM responses WHERE session_id=300004 AND question_id=9311",
          "SELECT id FROM responses WHERE session_id=$1 AND question_id=$2");
  norm_is("SELECT id FROM sessions WHERE student_id=4219 AND assessment_id=1443 AND status='open'",
          "SELECT id FROM sessions WHERE student_id=$1 AND assessment_id=$2 AND status=$3");
  /* pg_stat_statements' own text changes only in white space */
  norm_is("SELECT id FROM sessions WHERE student_id=$1 AND assessment_id=$2 AND status=$3",
          "SELECT id FROM sessions WHERE student_id=$1 AND assessment_id=$2 AND status=$3");
  norm_is("SELECT *,\n\t\t(case pg_is_in_recovery() when 't' then null else pg_current_wal_lsn() end) AS x",
          "SELECT *, (case pg_is_in_recovery() when $1 then null else pg_current_wal_lsn() end) AS x");
  /* existing parameters keep their numbers; constants follow the highest */
  norm_is("UPDATE t SET v = $1 WHERE id = 7 AND w = $2", "UPDATE t SET v = $1 WHERE id = $3 AND w = $2");
  /* identifiers with digits, quoted identifiers, casts, negative numbers, exponents */
  norm_is("SELECT t1.c2, \"col 3\" FROM t1 WHERE x = -5 AND y > 1.5e3 AND z::int4 = '7'::text",
          "SELECT t1.c2, \"col 3\" FROM t1 WHERE x = $1 AND y > $2 AND z::int4 = $3::text");
  norm_is("SELECT a - 1 FROM t", "SELECT a - $1 FROM t");
  /* escaped quotes, E'', X'', dollar quotes, comments, trailing semicolon */
  norm_is("SELECT 'it''s', E'a\\'b', X'ff', $$x$$, $tag$ y $tag$ -- note\n FROM t /* c */ ;",
          "SELECT $1, $2, $3, $4, $5 FROM t");
  norm_is("INSERT INTO r(a,b) VALUES (1,'x'),(2,'y') RETURNING id",
          "INSERT INTO r(a,b) VALUES ($1,$2),($3,$4) RETURNING id");
  norm_is("SELECT 1 LIMIT 10 OFFSET 20", "SELECT $1 LIMIT $2 OFFSET $3");
  norm_is("", "");
  /* an unterminated string does not run off the end */
  norm_is("SELECT 'abc", "SELECT $1");
}

static void detection(void) {
  const char *csvlog = "2026-11-27 15:50:36.851 UTC,\"postgres\",\"db\",1,\"h\",s,1,\"SELECT\",x\n";
  INT_EQ(pg_detect((const unsigned char *)csvlog, strlen(csvlog)), PG_CSVLOG, "csvlog");
  const char *se = "2026-11-27 15:50:36.851 UTC [13565] postgres@edumind_run app=x LOG:  duration: 1 ms\n";
  INT_EQ(pg_detect((const unsigned char *)se, strlen(se)), PG_STDERR, "stderr");
  const char *se2 = "2026-11-27 15:50:36 CET [1] LOG:  checkpoint starting: time\n";
  INT_EQ(pg_detect((const unsigned char *)se2, strlen(se2)), PG_STDERR, "stderr with %%t and a zone name");
  const char *pgss = "datname,queryid,query,calls,total_exec_time\n";
  INT_EQ(pg_detect((const unsigned char *)pgss, strlen(pgss)), PG_STAT_STATEMENTS, "pg_stat_statements 13+");
  const char *pg12 = "userid,dbid,queryid,query,calls,total_time,rows\n";
  INT_EQ(pg_detect((const unsigned char *)pg12, strlen(pg12)), PG_STAT_STATEMENTS, "pg_stat_statements 12");
  const char *db = "datid,datname,numbackends,xact_commit,xact_rollback,blks_read,blks_hit\n";
  INT_EQ(pg_detect((const unsigned char *)db, strlen(db)), PG_STAT_DATABASE, "pg_stat_database");
  const char *act = "pid,datname,usename,backend_start,xact_start,state,query\n";
  INT_EQ(pg_detect((const unsigned char *)act, strlen(act)), PG_STAT_ACTIVITY, "pg_stat_activity");
  const char *idx = "relid,indexrelid,schemaname,relname,indexrelname,idx_scan\n";
  INT_EQ(pg_detect((const unsigned char *)idx, strlen(idx)), PG_STAT_INDEXES, "pg_stat_user_indexes");
  const char *set = "name,setting,unit\n";
  INT_EQ(pg_detect((const unsigned char *)set, strlen(set)), PG_SETTINGS, "pg_settings");
  const char *k6 = "metric_name,timestamp,metric_value\n";
  INT_EQ(pg_detect((const unsigned char *)k6, strlen(k6)), PG_NONE, "k6 CSV is not PostgreSQL");
  const char *wide = "timestamp,cpu_pct\n2026-01-01T00:00:00Z,5\n";
  INT_EQ(pg_detect((const unsigned char *)wide, strlen(wide)), PG_NONE, "system CSV is not PostgreSQL");
}

/* Writes text to a temporary file and parses it. */
struct got {
  int n, stmts, plans, events[PGE_OTHER + 1];
  double dur[8];
  char query[8][256];
  long line[8];
  int64_t qid[8];
  int has_qid[8];
  double ts0;
  char db[32];
  int nstmt_rows;
  double calls, total, maxv;
  int toplevel;
  int nsnap;
};

static int on_entry(void *ctx, const struct pg_log_entry *e, struct err *err) {
  (void)err;
  struct got *g = ctx;
  if (g->n == 0) {
    g->ts0 = e->ts;
    snprintf(g->db, sizeof g->db, "%s", e->database);
  }
  g->events[e->kind]++;
  if (e->kind == PGE_STATEMENT && g->stmts < 8) {
    g->dur[g->stmts] = e->duration_ms;
    snprintf(g->query[g->stmts], sizeof g->query[0], "%s", e->query);
    g->line[g->stmts] = e->line;
    g->qid[g->stmts] = e->queryid;
    g->has_qid[g->stmts] = e->has_queryid;
    g->stmts++;
  }
  g->n++;
  return 0;
}

static int on_stmt(void *ctx, const struct pg_stmt_row *s, struct err *err) {
  (void)err;
  struct got *g = ctx;
  g->nstmt_rows++;
  g->calls += s->calls;
  g->total += s->total_ms;
  g->maxv = s->max_ms;
  g->toplevel = s->toplevel;
  return 0;
}

static int on_snap(void *ctx, const char *view, long line, char **names, char **values, size_t ncol,
                   struct err *err) {
  (void)view, (void)line, (void)names, (void)values, (void)ncol, (void)err;
  ((struct got *)ctx)->nsnap++;
  return 0;
}

static int parse_text(const char *text, struct got *g, struct err *err) {
  char path[] = "/tmp/test_pglog.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return -2;
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  memset(g, 0, sizeof *g);
  struct reader *r = NULL;
  int rc = reader_open(&r, path, err);
  if (rc == 0) {
    const unsigned char *head;
    size_t n;
    reader_peek(r, 65536, &head, &n, err);
    enum pg_kind k = pg_detect(head, n);
    struct pg_sink sink = {g, on_entry, on_stmt, on_snap};
    rc = k == PG_NONE ? -3 : pg_parse(r, k, &sink, err);
    reader_close(r);
  }
  unlink(path);
  return rc;
}

static void csvlog(void) {
  struct got g;
  struct err err = ERR_INIT;
  const char *text =
      "2026-11-27 15:50:38.860 UTC,\"postgres\",\"shop\",13566,\"127.0.0.1:35468\",6b09a6c5.34fe,3,\"SELECT\","
      "2026-11-27 15:50:29 UTC,13/7460,0,LOG,00000,\"duration: 507.803 ms  plan:\n"
      "Query Text: SELECT id FROM responses WHERE session_id=300047\n"
      "Seq Scan on responses  (cost=0.00..39546.00 rows=1 width=4)\n"
      "  Filter: ((session_id = 300047))\",,,,,,,,,\"app\",\"client backend\",,1300341988638473330\n"
      "2026-11-27 15:50:38.882 UTC,\"postgres\",\"shop\",13566,\"127.0.0.1:35468\",6b09a6c5.34fe,4,\"SELECT\","
      "2026-11-27 15:50:29 UTC,13/7460,0,LOG,00000,\"duration: 530.062 ms  statement: SELECT id FROM responses\n"
      "WHERE note = 'a,\"\"b\"\"\n,c' AND session_id=300047\",,,,,,,,,\"app\",\"client backend\",,"
      "-5621311300047324130\n"
      "2026-11-27 15:50:39.000 UTC,\"postgres\",\"shop\",13567,\"h\",s,1,\"UPDATE\",2026-11-27 15:50:29 UTC,1/1,0,"
      "ERROR,40P01,\"deadlock detected\",\"Process 1 waits for ShareLock\",,,,,\"UPDATE t SET a=1\",,,"
      "\"app\",\"client backend\",,0\n"
      "2026-11-27 15:50:40.000 UTC,\"postgres\",\"shop\",13568,\"h\",s,1,\"SELECT\",2026-11-27 15:50:29 UTC,1/1,0,"
      "LOG,00000,\"process 13568 still waiting for ShareLock on transaction 5 after 1000.1 ms\",,,,,,,,,"
      "\"app\",\"client backend\",,0\n"
      "2026-11-27 15:50:41.000 UTC,\"postgres\",\"shop\",13569,\"h\",s,1,\"SELECT\",2026-11-27 15:50:29 UTC,1/1,0,"
      "LOG,00000,\"duration: 101.000 ms  execute <unnamed>: SELECT 1 WHERE a = $1\",\"parameters: $1 = '5'\","
      ",,,,,,,\"app\",\"client backend\",,7\n"
      /* PostgreSQL 13: 24 columns, no query_id */
      "2026-11-27 15:50:42.000 UTC,\"postgres\",\"shop\",13570,\"h\",s,1,\"SELECT\",2026-11-27 15:50:29 UTC,1/1,0,"
      "LOG,00000,\"duration: 200.5 ms  statement: SELECT 2\",,,,,,,,,\"app\",\"client backend\"\n";
  int rc = parse_text(text, &g, &err);
  INT_EQ(rc, 0, "csvlog parses: %s", err.msg);
  INT_EQ(g.n, 6, "six entries");
  INT_EQ(g.stmts, 3, "a plan is not a statement: three statements");
  INT_EQ(g.events[PGE_PLAN], 1, "one plan");
  INT_EQ(g.events[PGE_DEADLOCK], 1, "deadlock by SQLSTATE");
  INT_EQ(g.events[PGE_LOCK_WAIT], 1, "lock wait");
  DBL_NEAR(g.dur[0], 530.062, 1e-9, "duration");
  STR_EQ(g.query[0], "SELECT id FROM responses\nWHERE note = 'a,\"b\"\n,c' AND session_id=300047",
         "quoted multi-line field with doubled quotes and commas");
  INT_EQ(g.line[0], 5, "a record's line is its first line");
  INT_EQ(g.has_qid[0], 1, "query_id");
  INT_EQ(g.qid[0], -5621311300047324130LL, "negative query_id");
  STR_EQ(g.query[1], "SELECT 1 WHERE a = $1", "execute <unnamed>: the statement");
  INT_EQ(g.has_qid[2], 0, "24 columns: no query_id");
  DBL_NEAR(g.ts0, 1795794638.860, 1e-3, "log_time in UTC");
  STR_EQ(g.db, "shop", "database");

  /* Bad records: file:line. */
  rc = parse_text("2026-11-27 15:50:38.860 UTC,a,b\n", &g, &err);
  OK(rc < 0 && strstr(err.msg, ":1: 3 fields"), "too few fields: %s", err.msg);
  rc = parse_text("2026-11-27 15:50:38.860 UTC,\"a\",\"b\",1,\"h\",s,1,\"SELECT\",x,1/1,0,LOG,00000,"
                  "\"duration: 5 ms  statement: SELECT 'open\n",
                  &g, &err);
  OK(rc < 0 && strstr(err.msg, ":1: a quoted field is not closed"), "unterminated quote: %s", err.msg);
}

static void stderr_format(void) {
  struct got g;
  struct err err = ERR_INIT;
  const char *text = "2026-11-27 15:50:38.860 UTC [13566] postgres@shop app=sim LOG:  duration: 507.803 ms  plan:\n"
                     "\tQuery Text: SELECT 1\n"
                     "\tResult  (cost=0.00..0.01 rows=1 width=4)\n"
                     "2026-11-27 15:50:38.882 UTC [13566] postgres@shop app=sim LOG:  duration: 530.062 ms  "
                     "statement: SELECT a\n"
                     "\tFROM t WHERE b = 'x'\n"
                     "2026-11-27 15:50:39.000 UTC [1] postgres@shop app=sim ERROR:  canceling statement due to "
                     "statement timeout\n"
                     "2026-11-27 15:50:39.000 UTC [1] postgres@shop app=sim STATEMENT:  SELECT pg_sleep(10)\n"
                     "2026-11-27 16:08:36.529 UTC [503] LOG:  checkpoint starting: time\n";
  int rc = parse_text(text, &g, &err);
  INT_EQ(rc, 0, "stderr parses: %s", err.msg);
  INT_EQ(g.n, 4, "four entries (STATEMENT belongs to the error)");
  INT_EQ(g.stmts, 1, "one statement");
  STR_EQ(g.query[0], "SELECT a\nFROM t WHERE b = 'x'", "continuation lines join the statement");
  INT_EQ(g.events[PGE_STATEMENT_TIMEOUT], 1, "statement timeout");
  INT_EQ(g.events[PGE_CHECKPOINT], 1, "checkpoint");
  STR_EQ(g.db, "shop", "user@db prefix");
  rc = parse_text("2026-11-27 15:50:38.860 UTC [1] LOG:  x\n2026-11-27 15:50:38.860 UTC [1] LOG:  duration: x ms  "
                  "statement: SELECT 1\n",
                  &g, &err);
  OK(rc < 0 && strstr(err.msg, ":2: a duration entry"), "bad duration at line 2: %s", err.msg);
}

static void statements(void) {
  struct got g;
  struct err err = ERR_INIT;
  /* PostgreSQL 17 columns (stats_since, shared_blk_read_time) and unknown ones are ignored. */
  int rc = parse_text("userid,dbid,toplevel,queryid,query,plans,calls,total_exec_time,min_exec_time,max_exec_time,"
                      "mean_exec_time,stddev_exec_time,rows,shared_blks_hit,shared_blks_read,shared_blk_read_time,"
                      "stats_since,zzz\n"
                      "10,5,t,42,\"SELECT a,\n b FROM t WHERE c = $1\",0,3,30.5,1,20,10.1666,5,3,7,1,0.5,"
                      "2026-01-01 00:00:00+00,q\n"
                      "10,5,f,43,SELECT 1,0,2,1,0.5,0.5,0.5,0,2,0,0,0,2026-01-01 00:00:00+00,q\n",
                      &g, &err);
  INT_EQ(rc, 0, "pg_stat_statements 17 parses: %s", err.msg);
  INT_EQ(g.nstmt_rows, 2, "two rows");
  DBL_NEAR(g.calls, 5, 0, "calls");
  DBL_NEAR(g.total, 31.5, 1e-12, "total_exec_time");
  INT_EQ(g.toplevel, 0, "toplevel f");
  rc = parse_text("query,calls,total_time\nSELECT 1,2\n", &g, &err);
  OK(rc < 0 && strstr(err.msg, ":2: 2 fields, the header has 3"), "short row: %s", err.msg);
  rc = parse_text("query,calls,total_exec_time\nSELECT 1,-1,5\n", &g, &err);
  OK(rc < 0 && strstr(err.msg, ":2: calls and total_exec_time"), "negative calls: %s", err.msg);
  rc = parse_text("datid,datname,xact_commit,xact_rollback,blks_hit\n1,shop,5,0,9\n1,other,1,0,1\n", &g, &err);
  INT_EQ(rc, 0, "pg_stat_database: %s", err.msg);
  INT_EQ(g.nsnap, 2, "two snapshot rows");
}

/* Ingests one run of data/edumind-pg as the product's users do. */
static int64_t ingest_run(struct store *st, const char *run, const char *name) {
  char pat[1024];
  glob_t g;
  memset(&g, 0, sizeof g);
  const char *data = FIXTURES "/../../data/edumind-pg";
  snprintf(pat, sizeof pat, "%s/%s/k6_metrics.ndjson.gz", data, run);
  glob(pat, 0, NULL, &g);
  snprintf(pat, sizeof pat, "%s/%s/handle_summary.json", data, run);
  glob(pat, GLOB_APPEND, NULL, &g);
  snprintf(pat, sizeof pat, "%s/%s/prometheus/[!q]*.json", data, run); /* not queries.json */
  glob(pat, GLOB_APPEND, NULL, &g);
  snprintf(pat, sizeof pat, "%s/%s/db/*", data, run);
  glob(pat, GLOB_APPEND, NULL, &g);
  char **files = calloc(g.gl_pathc, sizeof *files);
  int n = 0;
  for (size_t i = 0; i < g.gl_pathc; i++) {
    FILE *f = fopen(g.gl_pathv[i], "rb");
    int empty = !f || fgetc(f) == EOF;
    if (f)
      fclose(f);
    if (!empty)
      files[n++] = g.gl_pathv[i];
  }
  struct ingest_opts o = {0};
  o.run_name = name;
  struct ingest_result res;
  struct err err = ERR_INIT;
  int rc = ingest_files(st, &o, files, n, &res, &err);
  INT_EQ(rc, 0, "ingest %s: %s", run, err.msg);
  free(files);
  globfree(&g);
  return rc == 0 ? res.run_id : 0;
}

static json_t *finding(json_t *arr, const char *kind, const char *needle) {
  size_t i;
  json_t *f;
  json_array_foreach(arr, i, f) {
    const char *q = json_string_value(json_object_get(f, "query"));
    const char *c = json_string_value(json_object_get(f, "cache"));
    if (!strcmp(json_string_value(json_object_get(f, "kind")), kind) &&
        ((q && strstr(q, needle)) || (c && !strcmp(c, needle))))
      return f;
  }
  return NULL;
}

static void evidence(void) {
  char path[] = "/tmp/test_pglog_db.XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  unlink(path);
  struct store *st = NULL;
  struct err err = ERR_INIT;
  if (store_open(&st, path, &err) < 0) {
    OK(0, "store_open: %s", err.msg);
    return;
  }
  int64_t bn = ingest_run(st, "before/normal", "bn"), an = ingest_run(st, "after/normal", "an"),
          bs = ingest_run(st, "before/stress", "bs"), soak = ingest_run(st, "before/soak", "soak");
  struct run_info ri;
  /* soak: the leak uses the pool up around 210-220 s */
  if (soak && store_get_run(st, soak, &ri, &err) == 0) {
    json_t *p = NULL;
    INT_EQ(db_pool_exhaustion_json(st, &ri, &p, &err), 0, "pool exhaustion: %s", err.msg);
    STR_EQ(json_string_value(json_object_get(p, "verdict")), "exhausted", "soak: exhausted");
    double t = json_number_value(json_object_get(p, "exhausted_at_s"));
    OK(t >= 200 && t <= 235, "soak: exhausted at %g s", t);
    json_decref(p);
    run_info_release(&ri);
  }
  if (an && store_get_run(st, an, &ri, &err) == 0) {
    json_t *p = NULL;
    db_pool_exhaustion_json(st, &ri, &p, &err);
    STR_EQ(json_string_value(json_object_get(p, "verdict")), "none", "after/normal: no leak");
    json_decref(p);
    run_info_release(&ri);
  }
  /* before/stress: the pool saturates, held by the responses lookups behind two endpoints */
  if (bs && store_get_run(st, bs, &ri, &err) == 0) {
    json_t *b = NULL;
    INT_EQ(db_bottleneck_evidence(st, &ri, &b, &err), 0, "bottleneck evidence: %s", err.msg);
    OK(json_is_true(json_object_get(b, "saturated")), "before/stress: pool saturated");
    json_t *s0 = json_array_get(json_object_get(b, "statements"), 0),
           *s1 = json_array_get(json_object_get(b, "statements"), 1);
    STR_EQ(json_string_value(json_object_get(s0, "endpoint")), "POST /api/responses", "duplicate check");
    OK(strstr(json_string_value(json_object_get(s0, "query")), "FROM responses WHERE session_id") != NULL,
       "top statement");
    STR_EQ(json_string_value(json_object_get(s1, "endpoint")), "GET /api/analytics/student/{id}", "analytics");
    STR_EQ(json_string_value(json_object_get(json_array_get(json_object_get(b, "seq_scanned_tables"), 0), "name")),
           "responses", "the unindexed table");
    STR_EQ(json_string_value(json_object_get(b, "leak")), "leak", "leaked connections");
    json_decref(b);
    run_info_release(&ri);
  }
  /* before -> after: the responses lookups gone or faster, caches */
  json_t *c = db_compare_json(st, bn, an, 0.2);
  OK(finding(c, "gone_statement", "WHERE student_id=$1") != NULL, "student_id lookup gone (one JOIN)");
  json_t *f = finding(c, "faster_statement", "FROM responses WHERE session_id=$1");
  OK(f && json_is_false(json_object_get(f, "regression")), "duplicate check faster, no regression");
  f = finding(c, "cache_ratio", "assessment_list");
  OK(f && json_number_value(json_object_get(f, "candidate")) > 0.7 && json_is_false(json_object_get(f, "regression")),
     "list cache above 70 %%");
  f = finding(c, "cache_ratio", "llm_feedback");
  OK(f && json_is_false(json_object_get(f, "regression")) && strstr(json_string_value(json_object_get(f, "text")), "below 70"),
     "LLM cache rose 0 -> 27 %%: better, but said to be below 70 %%");
  json_decref(c);
  /* after -> before: the slow statements come back */
  c = db_compare_json(st, an, bn, 0.2);
  OK(finding(c, "new_slow_statement", "FROM responses WHERE session_id=$1") != NULL, "new slow statement");
  OK(finding(c, "slower_statement", "FROM responses WHERE session_id=$1") != NULL, "slower statement");
  json_decref(c);
  store_close(st);
  char side[600];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
}

int main(void) {
  normaliser();
  detection();
  csvlog();
  stderr_format();
  statements();
  evidence();
  return test_report();
}
