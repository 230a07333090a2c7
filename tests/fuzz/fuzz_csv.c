/* fuzz_csv.c - libFuzzer target: k6's `--out csv` (and the CSV kinds of
 * system metrics it may be mistaken for) through a whole `loadrep ingest`
 * and `show`.
 *
 *   scripts/fuzz.sh 300 fuzz_csv
 *
 * Same harness and invariants as fuzz_ndjson.c (a "#~~file~~#" line splits
 * the input into several files); only the seed corpus differs
 * (tests/fuzz/corpus/fuzz_csv: the head of real k6 CSV files).
 */
#include "fuzz_ndjson.c"
