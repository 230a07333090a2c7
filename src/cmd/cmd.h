/* cmd.h - the subcommands, one file each under src/cmd/.
 *
 * Each cmd_<name>() gets argv with argv[0] = the command name, parses its own
 * options with getopt_long, prints its results and returns the exit code.
 */
#ifndef LOADREP_CMD_H
#define LOADREP_CMD_H

struct global_opts;

int cmd_baseline(int argc, char **argv, const struct global_opts *g);
int cmd_bottleneck(int argc, char **argv, const struct global_opts *g);
int cmd_capacity(int argc, char **argv, const struct global_opts *g);
int cmd_check(int argc, char **argv, const struct global_opts *g);
int cmd_compare(int argc, char **argv, const struct global_opts *g);
int cmd_history(int argc, char **argv, const struct global_opts *g);
int cmd_ingest(int argc, char **argv, const struct global_opts *g);
int cmd_report(int argc, char **argv, const struct global_opts *g);
int cmd_runs(int argc, char **argv, const struct global_opts *g);
int cmd_show(int argc, char **argv, const struct global_opts *g);
int cmd_soak(int argc, char **argv, const struct global_opts *g);
int cmd_sysmon(int argc, char **argv, const struct global_opts *g);

/* The body shared by `capacity` and `bottleneck` (src/cmd/capacity.c). */
int capacity_command(int argc, char **argv, const struct global_opts *g, int bottleneck, const char *usage_head,
                     const char *usage_tail);

#endif
