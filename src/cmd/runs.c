/* loadrep runs: the history of runs. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeparse.h"

static const char usage[] = "usage: loadrep runs [--scenario S] [--format text|json]\n"
                            "\n"
                            "Lists the runs in the database, oldest first, with their baseline mark (*).\n"
                            "p95 is k6's http_req_duration over every request (n/a when no request got a\n"
                            "response); a run that k6 did not let run its course ends in 'incomplete'.\n";

/* A left-aligned cell of `width` bytes and a space, control characters
 * replaced; a longer text is cut with '~' as its last character. */
static void print_cell(const char *text, int width) {
  int n = 0, len = (int)strlen(text);
  for (const unsigned char *p = (const unsigned char *)text; *p && n < width; p++, n++)
    putchar(len > width && n == width - 1 ? '~' : *p < 0x20 || *p == 0x7f ? '?' : *p);
  for (; n <= width; n++)
    putchar(' ');
}

/* p95 is null when no request got a response (every request failed in 0 ms)
 * or there was no sample: k6's 0 there is not a latency. */
#define P95_SQL                                                                                                    \
  "(SELECT CASE WHEN d.count = 0 OR (d.max = 0 AND f.value = 1) THEN NULL ELSE d.p95 END "                        \
  " FROM metrics d LEFT JOIN metrics f ON f.run_id = d.run_id AND f.name = 'http_req_failed' "                     \
  " WHERE d.run_id = r.id AND d.name = 'http_req_duration')"

int cmd_runs(int argc, char **argv, const struct global_opts *g) {
  static const struct option opts[] = {{"scenario", required_argument, NULL, 's'},
                                       {"format", required_argument, NULL, 'f'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  enum out_format fmt = FMT_TEXT;
  const char *scenario = NULL;
  struct err err = ERR_INIT;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(usage, stdout);
      return LR_OK;
    } else if (c == 'f') {
      if (parse_format("--format", optarg, &fmt, &err) < 0)
        return usage_error("runs", "%s", err.msg);
      if (fmt == FMT_MD)
        return usage_error("runs", "option '--format': expected text or json, got '%s'", optarg);
    } else if (c == 's') {
      scenario = optarg;
    } else {
      return usage_error("runs", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc)
    return usage_error("runs", "unexpected argument '%s'", argv[optind]);
  struct store *st;
  if (cli_open_store(g, &st, &err) < 0)
    return fail(&err);
  sqlite3_stmt *s = store_prepare(st,
                                  "SELECT r.id, r.name, r.scenario, r.env, r.start_ts, r.duration_s, "
                                  "(SELECT count FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_reqs'), "
                                  P95_SQL ", "
                                  "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_req_failed'), "
                                  "EXISTS (SELECT 1 FROM baselines b WHERE b.run_id = r.id), "
                                  "r.complete, r.incomplete_reason, r.k6_exit_status "
                                  "FROM runs r WHERE ?1 IS NULL OR r.scenario = ?1 ORDER BY r.id",
                                  &err);
  if (!s) {
    store_close(st);
    return fail(&err);
  }
  if (scenario)
    sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
  json_t *arr = json_array();
  /* Text: the name and scenario columns are as wide as their longest value
   * (at least 32 and 12, at most 64 and 40). */
  int wname = 32, wscen = 12;
  if (fmt == FMT_TEXT) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      int ln = (int)strlen(store_col_text(s, 1)), ls = (int)strlen(store_col_text(s, 2));
      wname = ln > wname ? (ln > 64 ? 64 : ln) : wname;
      wscen = ls > wscen ? (ls > 40 ? 40 : ls) : wscen;
    }
    sqlite3_reset(s);
    printf("%4s  %-*s %-*s %-8s %-24s %8s %9s %9s %7s\n", "id", wname, "name", wscen, "scenario", "env", "start",
           "dur s", "requests", "p95 ms", "fail%");
  }
  while (sqlite3_step(s) == SQLITE_ROW) {
    char start[64] = "-";
    double ts = store_col_double(s, 4);
    if (isfinite(ts))
      time_format_iso(ts, start);
    if (fmt == FMT_TEXT) {
      printf("%4lld%s ", (long long)sqlite3_column_int64(s, 0), sqlite3_column_int(s, 9) ? "*" : " ");
      print_cell(store_col_text(s, 1), wname);
      print_cell(store_col_text(s, 2), wscen);
      print_cell(store_col_text(s, 3), 8);
      char p95[32];
      double pv = store_col_double(s, 7);
      if (isnan(pv))
        snprintf(p95, sizeof p95, "n/a");
      else
        snprintf(p95, sizeof p95, "%.2f", pv);
      printf("%-24s %8.1f %9.0f %9s %6.2f%%%s\n", start, store_col_double(s, 5), store_col_double(s, 6), p95,
             100 * store_col_double(s, 8),
             sqlite3_column_type(s, 10) != SQLITE_NULL && !sqlite3_column_int(s, 10) ? "  incomplete" : "");
    } else {
      json_t *o = json_object();
      json_object_set_new(o, "id", json_integer(sqlite3_column_int64(s, 0)));
      json_object_set_new(o, "name", json_string(store_col_text(s, 1)));
      json_object_set_new(o, "scenario", json_string(store_col_text(s, 2)));
      json_object_set_new(o, "env", json_string(store_col_text(s, 3)));
      json_object_set_new(o, "start", isfinite(ts) ? json_string(start) : json_null());
      double d = store_col_double(s, 5), r = store_col_double(s, 6), p = store_col_double(s, 7),
             e = store_col_double(s, 8);
      json_object_set_new(o, "duration_s", isfinite(d) ? json_real(d) : json_null());
      json_object_set_new(o, "requests", isfinite(r) ? json_real(r) : json_null());
      json_object_set_new(o, "p95_ms", isfinite(p) ? json_real(p) : json_null());
      json_object_set_new(o, "error_rate", isfinite(e) ? json_real(e) : json_null());
      json_object_set_new(o, "baseline", json_boolean(sqlite3_column_int(s, 9)));
      /* complete: false only when known to have stopped early (runs
       * ingested before schema v2 are unknown, counted complete). */
      int inc = sqlite3_column_type(s, 10) != SQLITE_NULL && !sqlite3_column_int(s, 10);
      json_object_set_new(o, "complete", json_boolean(!inc));
      json_object_set_new(o, "incomplete_reason", inc ? json_string(store_col_text(s, 11)) : json_null());
      json_object_set_new(o, "k6_exit_status",
                          sqlite3_column_type(s, 12) == SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int(s, 12)));
      json_array_append_new(arr, o);
    }
  }
  sqlite3_finalize(s);
  store_close(st);
  if (fmt != FMT_TEXT) {
    json_t *doc = json_pack("{s:o}", "runs", arr);
    print_json(doc);
    json_decref(doc);
  } else {
    json_decref(arr);
  }
  return LR_OK;
}
