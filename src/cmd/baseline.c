/* Placeholder until the compare work lands; replaced by its real implementation. */
#include "cli.h"
#include "cmd/cmd.h"
#include "util/err.h"

int cmd_baseline(int argc, char **argv, const struct global_opts *g) {
  (void)argc; (void)argv; (void)g;
  errorf("'baseline' is not available in this build yet");
  return LR_SOFTWARE;
}
