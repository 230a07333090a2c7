/* loadrep runs: the history of runs. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_opts.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "store/store_runs.h"
#include "util/jsonx.h"
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

struct runs_opts {
  enum out_format fmt;
  const char *scenario;
};

static const struct cli_opt opts[] = {{"scenario", "S", 's', NULL}, {"format", "F", 'f', NULL}, {NULL, NULL, 0, NULL}};

static int on_opt(void *ctx, int id, const char *arg, struct err *err) {
  struct runs_opts *o = ctx;
  if (id == 's') {
    o->scenario = arg;
    return 0;
  }
  if (parse_format("--format", arg, &o->fmt, err) < 0)
    return -1;
  if (o->fmt == FMT_MD)
    return err_set(err, LR_USAGE, "option '--format': expected text or json, got '%s'", arg);
  return 0;
}

int cmd_runs(int argc, char **argv, const struct global_opts *g) {
  struct runs_opts ro = {FMT_TEXT, NULL};
  struct err err = ERR_INIT;
  int orc = cli_parse_opts("runs", argc, argv, opts, usage, NULL, on_opt, &ro);
  if (orc >= 0)
    return orc;
  enum out_format fmt = ro.fmt;
  const char *scenario = ro.scenario;
  if (optind != argc)
    return usage_error("runs", "unexpected argument '%s'", argv[optind]);
  struct store *st;
  if (cli_open_store(g, &st, &err) < 0)
    return fail(&err);
  struct store_run_row *rows;
  size_t n;
  int rc = store_runs_list(st, scenario, &rows, &n, &err);
  store_close(st);
  if (rc < 0)
    return fail(&err);
  json_t *arr = json_array();
  /* Text: the name and scenario columns are as wide as their longest value
   * (at least 32 and 12, at most 64 and 40). */
  int wname = 32, wscen = 12;
  if (fmt == FMT_TEXT) {
    for (size_t i = 0; i < n; i++) {
      int ln = (int)strlen(rows[i].name), ls = (int)strlen(rows[i].scenario);
      wname = ln > wname ? (ln > 64 ? 64 : ln) : wname;
      wscen = ls > wscen ? (ls > 40 ? 40 : ls) : wscen;
    }
    printf("%4s  %-*s %-*s %-8s %-24s %8s %9s %9s %7s\n", "id", wname, "name", wscen, "scenario", "env", "start",
           "dur s", "requests", "p95 ms", "fail%");
  }
  for (size_t i = 0; i < n; i++) {
    const struct store_run_row *r = &rows[i];
    char start[64] = "-";
    if (isfinite(r->start_ts))
      time_format_iso(r->start_ts, start);
    /* complete: false only when known to have stopped early (runs
     * ingested before schema v2 are unknown, counted complete). */
    int inc = r->complete == 0;
    if (fmt == FMT_TEXT) {
      printf("%4lld%s ", (long long)r->id, r->baseline ? "*" : " ");
      print_cell(r->name, wname);
      print_cell(r->scenario, wscen);
      print_cell(r->env, 8);
      char p95[32];
      if (isnan(r->p95_ms))
        snprintf(p95, sizeof p95, "n/a");
      else
        snprintf(p95, sizeof p95, "%.2f", r->p95_ms);
      printf("%-24s %8.1f %9.0f %9s %6.2f%%%s\n", start, r->duration_s, r->requests, p95, 100 * r->error_rate,
             inc ? "  incomplete" : "");
    } else {
      json_t *o = json_object();
      json_object_set_new(o, "id", json_integer(r->id));
      json_object_set_new(o, "name", json_string(r->name));
      json_object_set_new(o, "scenario", json_string(r->scenario));
      json_object_set_new(o, "env", json_string(r->env));
      json_object_set_new(o, "start", isfinite(r->start_ts) ? json_string(start) : json_null());
      json_object_set_new(o, "duration_s", jx_real_or_null(r->duration_s));
      json_object_set_new(o, "requests", jx_real_or_null(r->requests));
      json_object_set_new(o, "p95_ms", jx_real_or_null(r->p95_ms));
      json_object_set_new(o, "error_rate", jx_real_or_null(r->error_rate));
      json_object_set_new(o, "baseline", json_boolean(r->baseline));
      json_object_set_new(o, "complete", json_boolean(!inc));
      json_object_set_new(o, "incomplete_reason",
                          inc ? json_string(r->incomplete_reason ? r->incomplete_reason : "") : json_null());
      json_object_set_new(o, "k6_exit_status", r->k6_exit_status < 0 ? json_null() : json_integer(r->k6_exit_status));
      json_array_append_new(arr, o);
    }
  }
  store_run_rows_free(rows, n);
  if (fmt != FMT_TEXT) {
    json_t *doc = json_pack("{s:o}", "runs", arr);
    print_json(doc);
    json_decref(doc);
  } else {
    json_decref(arr);
  }
  return LR_OK;
}
