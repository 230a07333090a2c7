/* Placeholder until its issue lands; replaced by the real implementation. */
#include "cli.h"
#include "cmd/cmd.h"
#include "util/err.h"

int cmd_bottleneck(int argc, char **argv, const struct global_opts *g) {
  (void)argc; (void)argv; (void)g;
  errorf("'bottleneck' is not available in this build yet");
  return LR_SOFTWARE;
}
