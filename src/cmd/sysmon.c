/* Placeholder until its issue lands; replaced by the real implementation. */
#include "cli.h"
#include "cmd/cmd.h"
#include "util/err.h"

int cmd_sysmon(int argc, char **argv, const struct global_opts *g) {
  (void)argc; (void)argv; (void)g;
  errorf("'sysmon' is not available in this build yet");
  return LR_SOFTWARE;
}
