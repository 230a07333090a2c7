/* fuzz_summary.c - libFuzzer target: k6's end-of-test summaries
 * (--summary-export, handleSummary data, the machine-readable summary), alone
 * or beside NDJSON, through a whole `loadrep ingest` and `show`.
 *
 *   scripts/fuzz.sh 300 fuzz_summary
 *
 * Same harness and invariants as fuzz_ndjson.c (a "#~~file~~#" line splits
 * the input into several files); only the seed corpus differs
 * (tests/fuzz/corpus/fuzz_summary: trimmed real summaries of each kind).
 */
#include "fuzz_ndjson.c"
