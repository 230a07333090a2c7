/* check.c - `loadrep check RUN`: the CI regression gate. It shares options,
 * comparison and output with `loadrep compare` (cmd/compare.c), and adds
 * the exit status, --junit, --summary, --annotations, --no-baseline-ok and
 * the check_results record that rolling baselines read. */
#include "cli.h"
#include "cmd/cmd.h"

/* Defined in cmd/compare.c. */
int compare_main(int argc, char **argv, const struct global_opts *g, int check);

int cmd_check(int argc, char **argv, const struct global_opts *g) { return compare_main(argc, argv, g, 1); }
