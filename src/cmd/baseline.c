/* baseline.c - `loadrep baseline set RUN | show | clear`: the pinned baseline
 * run of each (scenario, env). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis/history.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "render/escape.h"
#include "store/store.h"
#include "store/store_history.h"
#include "util/err.h"
#include "util/strbuf.h"

static const char usage[] =
    "usage: loadrep baseline set [--force] RUN\n"
    "       loadrep baseline show [--scenario S] [--env E] [--format text|json|md]\n"
    "       loadrep baseline clear [--scenario S] [--env E] [--all]\n"
    "\n"
    "Pins RUN as the baseline of its scenario and environment: 'loadrep check' and\n"
    "'loadrep compare' without BASE compare against it. RUN is an id, a name,\n"
    "'latest' or 'latest:SCENARIO'. 'show' lists the baselines; 'clear' removes the\n"
    "baseline of --scenario (and --env), or every baseline with --all.\n"
    "A run that k6 did not let run its course (see 'loadrep runs': incomplete) is\n"
    "refused as a baseline (exit 65) unless --force.\n"
    "\n"
    "options:\n"
    "  --scenario S     only this scenario (show, clear)\n"
    "  --env E          only this environment (show, clear; default: any for show, '' for clear)\n"
    "  --all            clear: every baseline\n"
    "  --force          set: accept an incomplete run\n"
    "  --format F       show: text (default), json or md\n"
    "  -h, --help       this help\n";

static int do_show(struct store *st, const char *scenario, const char *env, enum out_format fmt) {
  struct err err = ERR_INIT;
  struct store_baseline *bl;
  size_t nb;
  if (store_baselines_list(st, scenario, env, &bl, &nb, &err) < 0)
    return fail(&err);
  json_t *arr = json_array();
  for (size_t i = 0; i < nb; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "scenario", json_string(bl[i].scenario));
    json_object_set_new(o, "env", json_string(bl[i].env));
    json_object_set_new(o, "run_id", json_integer(bl[i].run_id));
    json_object_set_new(o, "run", json_string(bl[i].run_name));
    json_object_set_new(o, "set_at", json_string(bl[i].set_at));
    json_array_append_new(arr, o);
  }
  store_baselines_free(bl, nb);
  struct strbuf sb = STRBUF_INIT;
  size_t n = json_array_size(arr);
  if (fmt == FMT_JSON) {
    json_t *doc = json_object();
    json_object_set_new(doc, "baselines", arr);
    print_json(doc);
    json_decref(doc);
    return LR_OK;
  }
  if (fmt == FMT_MD) {
    strbuf_addstr(&sb, "| Scenario | Env | Run | Id | Set at |\n|---|---|---|---:|---|\n");
    for (size_t i = 0; i < n; i++) {
      json_t *o = json_array_get(arr, i);
      strbuf_addstr(&sb, "| ");
      esc_md(&sb, json_string_value(json_object_get(o, "scenario")));
      strbuf_addstr(&sb, " | ");
      esc_md(&sb, json_string_value(json_object_get(o, "env")));
      strbuf_addstr(&sb, " | ");
      esc_md(&sb, json_string_value(json_object_get(o, "run")));
      strbuf_addf(&sb, " | %lld | ", (long long)json_integer_value(json_object_get(o, "run_id")));
      esc_md(&sb, json_string_value(json_object_get(o, "set_at")));
      strbuf_addstr(&sb, " |\n");
    }
  } else if (n == 0) {
    strbuf_addstr(&sb, "no baseline set (use 'loadrep baseline set RUN')\n");
  } else {
    size_t w0 = strlen("SCENARIO"), w1 = strlen("ENV"), w2 = strlen("RUN");
    for (size_t i = 0; i < n; i++) {
      json_t *o = json_array_get(arr, i);
      size_t l0 = strlen(json_string_value(json_object_get(o, "scenario")));
      size_t l1 = strlen(json_string_value(json_object_get(o, "env")));
      size_t l2 = strlen(json_string_value(json_object_get(o, "run")));
      w0 = l0 > w0 ? l0 : w0;
      w1 = l1 > w1 ? l1 : w1;
      w2 = l2 > w2 ? l2 : w2;
    }
    strbuf_addf(&sb, "%-*s  %-*s  %-*s  %6s  %s\n", (int)w0, "SCENARIO", (int)w1, "ENV", (int)w2, "RUN", "ID",
                "SET AT");
    for (size_t i = 0; i < n; i++) {
      json_t *o = json_array_get(arr, i);
      struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
      esc_term(&a, json_string_value(json_object_get(o, "scenario")));
      esc_term(&b, json_string_value(json_object_get(o, "env")));
      esc_term(&c, json_string_value(json_object_get(o, "run")));
      strbuf_addf(&sb, "%-*s  %-*s  %-*s  %6lld  %s\n", (int)w0, a.buf, (int)w1, b.buf, (int)w2, c.buf,
                  (long long)json_integer_value(json_object_get(o, "run_id")),
                  json_string_value(json_object_get(o, "set_at")));
      strbuf_release(&a);
      strbuf_release(&b);
      strbuf_release(&c);
    }
  }
  fputs(sb.buf, stdout);
  strbuf_release(&sb);
  json_decref(arr);
  return LR_OK;
}

static int do_clear(struct store *st, const char *scenario, const char *env, int all, int quiet) {
  struct err err = ERR_INIT;
  if (!all && !scenario) {
    /* Without --scenario: allowed when there is exactly one baseline. */
    int64_t nset;
    if (store_baselines_count(st, &nset, &err) < 0)
      return fail(&err);
    long long n = (long long)nset;
    if (n > 1)
      return usage_error("baseline", "%lld baselines are set: say which with --scenario S (or --all)", n);
    all = 1;
  }
  int n;
  if (store_baselines_clear(st, all ? NULL : scenario, env, &n, &err) < 0)
    return fail(&err);
  if (!quiet)
    fprintf(stderr, "loadrep: cleared %d baseline%s\n", n, n == 1 ? "" : "s");
  return LR_OK;
}

int cmd_baseline(int argc, char **argv, const struct global_opts *g) {
  static const struct option longopts[] = {
      {"scenario", required_argument, NULL, 's'},
      {"env", required_argument, NULL, 'e'},
      {"all", no_argument, NULL, 'a'},
      {"force", no_argument, NULL, 'F'},
      {"format", required_argument, NULL, 'f'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *scenario = NULL, *env = NULL;
  int all = 0, force = 0, c;
  enum out_format fmt = FMT_TEXT;
  struct err err = ERR_INIT;
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 's': scenario = optarg; break;
    case 'e': env = optarg; break;
    case 'a': all = 1; break;
    case 'F': force = 1; break;
    case 'f':
      if (parse_format("--format", optarg, &fmt, &err) < 0)
        return usage_error("baseline", "%s", err.msg);
      break;
    case 'h': fputs(usage, stdout); return LR_OK;
    default: return usage_error("baseline", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind >= argc)
    return usage_error("baseline", "say 'set RUN', 'show' or 'clear'");
  const char *sub = argv[optind++];
  int rc;
  struct store *st;
  if (!strcmp(sub, "set")) {
    if (optind + 1 != argc)
      return usage_error("baseline", "'baseline set' takes exactly one RUN");
    if (cli_open_store(g, &st, &err) < 0)
      return fail(&err);
    struct run_info r;
    if (store_find_run(st, argv[optind], &r, &err) < 0) {
      store_close(st);
      return fail(&err);
    }
    if (r.complete == 0 && !force) {
      struct strbuf sb = STRBUF_INIT;
      esc_term(&sb, r.name);
      err_set(&err, LR_DATAERR, "run '%s' is incomplete (%s): not a baseline; pass --force to pin it anyway", sb.buf,
              r.incomplete_reason ? r.incomplete_reason : "stopped early");
      strbuf_release(&sb);
      run_info_release(&r);
      store_close(st);
      return fail(&err);
    }
    if (r.complete == 0 && !g->quiet) {
      struct strbuf sb = STRBUF_INIT;
      esc_term(&sb, r.name);
      warnf("run '%s' is incomplete (%s); pinned as the baseline because of --force", sb.buf,
            r.incomplete_reason ? r.incomplete_reason : "stopped early");
      strbuf_release(&sb);
    }
    if (history_pin_baseline(st, &r, &err) < 0) {
      run_info_release(&r);
      store_close(st);
      return fail(&err);
    }
    if (!g->quiet) {
      struct strbuf sb = STRBUF_INIT;
      strbuf_addstr(&sb, "loadrep: run '");
      esc_term(&sb, r.name);
      strbuf_addf(&sb, "' (id %lld) is now the baseline of scenario '", (long long)r.id);
      esc_term(&sb, r.scenario);
      strbuf_addstr(&sb, "'");
      if (*r.env) {
        strbuf_addstr(&sb, ", env '");
        esc_term(&sb, r.env);
        strbuf_addstr(&sb, "'");
      }
      fprintf(stderr, "%s\n", sb.buf);
      strbuf_release(&sb);
    }
    run_info_release(&r);
    store_close(st);
    return LR_OK;
  }
  if (!strcmp(sub, "show") || !strcmp(sub, "clear")) {
    if (optind != argc)
      return usage_error("baseline", "unexpected argument '%s'", argv[optind]);
    if (cli_open_store(g, &st, &err) < 0)
      return fail(&err);
    rc = !strcmp(sub, "show") ? do_show(st, scenario, env, fmt) : do_clear(st, scenario, env, all, g->quiet);
    store_close(st);
    return rc;
  }
  return usage_error("baseline", "unknown subcommand '%s' (expected set, show or clear)", sub);
}
