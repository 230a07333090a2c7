/* loadrep runs: the history of runs. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeparse.h"

static const char usage[] = "usage: loadrep runs [--scenario S] [--format text|json]\n"
                            "\n"
                            "Lists the runs in the database, oldest first, with their baseline mark (*).\n";

/* A left-aligned cell of `width` columns, control characters replaced. */
static void print_cell(const char *text, int width) {
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p && n < width; p++, n++)
    putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
  for (; n <= width; n++)
    putchar(' ');
}

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
                                  "(SELECT p95 FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_req_duration'), "
                                  "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'http_req_failed'), "
                                  "EXISTS (SELECT 1 FROM baselines b WHERE b.run_id = r.id) "
                                  "FROM runs r WHERE ?1 IS NULL OR r.scenario = ?1 ORDER BY r.id",
                                  &err);
  if (!s) {
    store_close(st);
    return fail(&err);
  }
  if (scenario)
    sqlite3_bind_text(s, 1, scenario, -1, SQLITE_TRANSIENT);
  json_t *arr = json_array();
  if (fmt == FMT_TEXT)
    printf("%4s  %-32s %-12s %-8s %-24s %8s %9s %9s %7s\n", "id", "name", "scenario", "env", "start", "dur s",
           "requests", "p95 ms", "fail%");
  while (sqlite3_step(s) == SQLITE_ROW) {
    char start[64] = "-";
    double ts = store_col_double(s, 4);
    if (isfinite(ts))
      time_format_iso(ts, start);
    if (fmt == FMT_TEXT) {
      printf("%4lld%s ", (long long)sqlite3_column_int64(s, 0), sqlite3_column_int(s, 9) ? "*" : " ");
      print_cell(store_col_text(s, 1), 32);
      print_cell(store_col_text(s, 2), 12);
      print_cell(store_col_text(s, 3), 8);
      printf("%-24s %8.1f %9.0f %9.2f %6.2f%%\n", start,
             store_col_double(s, 5), store_col_double(s, 6), store_col_double(s, 7), 100 * store_col_double(s, 8));
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
