/* main.c - global options, subcommand dispatch, stdout check, exit codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd/cmd.h"
#include "util/err.h"

struct cmd {
  const char *name;
  cmd_fn *fn;
  const char *summary;
};

/* Sorted by name; printed by `loadrep --help`. */
static const struct cmd commands[] = {
    {"baseline", cmd_baseline, "set, show or clear the baseline run of a scenario"},
    {"bottleneck", cmd_bottleneck, "name what saturates first in a stress run"},
    {"capacity", cmd_capacity, "max users and requests/s within the SLO, breaking point, USL"},
    {"check", cmd_check, "CI gate: exit 1 when a run regressed against its baseline"},
    {"compare", cmd_compare, "compare two runs metric by metric, with verdicts"},
    {"history", cmd_history, "a metric across runs, with change points"},
    {"ingest", cmd_ingest, "load k6 results and system metrics into the database"},
    {"report", cmd_report, "write LOAD_TEST_RESULTS.md, CAPACITY_PLANNING.md, charts, HTML, PDF"},
    {"runs", cmd_runs, "list the runs in the database"},
    {"show", cmd_show, "overall metrics and the per-endpoint table of a run"},
    {"soak", cmd_soak, "memory growth, latency drift and error bursts of a long run"},
    {"sysmon", cmd_sysmon, "sample system metrics of this machine to a CSV file"},
};

static void print_usage(FILE *f) {
  fputs("usage: loadrep [--db PATH] [-q] COMMAND [ARGS]\n\n"
        "Turns k6 results into baselines, regression verdicts, capacity plans and reports.\n\n"
        "commands:\n",
        f);
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
  fputs("\n'loadrep COMMAND --help' describes a command. The database is --db PATH,\n"
        "else $LOADREP_DB, else ./loadrep.db.\n",
        f);
}

/* Takes --db PATH / --db=PATH out of argv wherever it stands before "--". */
static int take_db_option(int *argc, char **argv, const char **db) {
  int out = 1;
  int i;
  for (i = 1; i < *argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    if (strcmp(argv[i], "--db") == 0) {
      if (i + 1 >= *argc) {
        errorf("option '--db' needs a path");
        return -1;
      }
      *db = argv[++i];
      continue;
    }
    if (strncmp(argv[i], "--db=", 5) == 0) {
      *db = argv[i] + 5;
      continue;
    }
    argv[out++] = argv[i];
  }
  for (; i < *argc; i++)
    argv[out++] = argv[i];
  argv[out] = NULL;
  *argc = out;
  return 0;
}

static int finish_stdout(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
    errorf("write error on standard output: %s", strerror(errno ? errno : EIO));
    return LR_IOERR;
  }
  return rc;
}

int main(int argc, char **argv) {
  struct global_opts g = {0};
  /* SIGPIPE keeps its default: a reader that went away (| head) ends us
   * quietly with a non-zero status, as it does cat and grep. */
  g.db = getenv("LOADREP_DB");
  if (!g.db || !*g.db)
    g.db = "loadrep.db";
  if (take_db_option(&argc, argv, &g.db) < 0)
    return LR_USAGE;
  g.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      print_usage(stdout);
      return finish_stdout(LR_OK);
    } else if (!strcmp(argv[i], "--version")) {
      printf("loadrep %s\n", LOADREP_VERSION);
      return finish_stdout(LR_OK);
    } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
      g.quiet = 1;
    } else {
      errorf("unknown option '%s'", argv[i]);
      errorf("try 'loadrep --help'");
      return LR_USAGE;
    }
  }
  if (i >= argc) {
    print_usage(stderr);
    return LR_USAGE;
  }
  if (!strcmp(argv[i], "help")) {
    print_usage(stdout);
    return finish_stdout(LR_OK);
  }
  for (size_t c = 0; c < sizeof commands / sizeof *commands; c++) {
    if (strcmp(commands[c].name, argv[i]) == 0) {
      int rc = commands[c].fn(argc - i, argv + i, &g);
      return finish_stdout(rc);
    }
  }
  errorf("'%s' is not a loadrep command", argv[i]);
  errorf("try 'loadrep --help'");
  return LR_USAGE;
}
