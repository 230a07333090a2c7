/* cmd.h - the subcommands, one file each under src/cmd/.
 *
 * Each cmd_<name>() gets argv with argv[0] = the command name, parses its own
 * options with getopt_long, prints its results and returns the exit code.
 */
#ifndef LOADREP_CMD_H
#define LOADREP_CMD_H

struct global_opts;

/** One subcommand: int cmd_<name>(int argc, char **argv, const struct global_opts *g). */
typedef int cmd_fn(int argc, char **argv, const struct global_opts *g);

cmd_fn cmd_baseline, cmd_bottleneck, cmd_capacity, cmd_check, cmd_compare, cmd_history, cmd_ingest, cmd_report,
    cmd_runs, cmd_show, cmd_soak, cmd_sysmon;

/* The body shared by `capacity` and `bottleneck` (src/cmd/capacity.c). */
int capacity_command(int argc, char **argv, const struct global_opts *g, int bottleneck, const char *usage_head,
                     const char *usage_tail);

#endif
