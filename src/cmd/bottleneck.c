/* bottleneck.c - `loadrep bottleneck RUN` (analysis/bottleneck.h); the
 * options are capacity's (cmd/capacity.c), the printer render/capacity_text.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/bottleneck.h"
#include "analysis/capacity.h"
#include "cli.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/err.h"
#include "util/jsonx.h"

static const char usage_head[] =
    "usage: loadrep bottleneck RUN [options]\n"
    "\n"
    "What saturates first in a ramp (stress) run: the order in which endpoints'\n"
    "p95 rises (x1.5 over low load, sustained), where the added latency goes\n"
    "(k6 phases blocked/sending/waiting/receiving, as shares of the growth from\n"
    "low load to the breaking point), the system metrics at the breaking point (CPU busy and run\n"
    "queue, memory, a backend queue, in-flight requests, the load generator),\n"
    "the utilisation-law CPU ceiling, per-endpoint capacity (calls/hour), and a\n"
    "verdict: cpu, memory, backend_pool, or unknown when the evidence does not\n"
    "support one (for example when no system metrics were ingested). The knee is\n"
    "the breaking point of 'loadrep capacity' (same --slo and --window).\n"
    "\n";

static const char usage_tail[] =
    "\n"
    "Exit status: 0 analysed (whatever the verdict), 64 usage, 65 the run has no\n"
    "per-request samples (summary-only ingest), 66 no such run.\n";

int cmd_bottleneck(int argc, char **argv, const struct global_opts *g) {
  return capacity_command(argc, argv, g, 1, usage_head, usage_tail);
}
