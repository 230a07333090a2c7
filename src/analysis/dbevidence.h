/* dbevidence.h - the database and its caches beside the load: statements
 * (pg_stat_statements joined to the server log), slow statements, the exact
 * "query p95 < X" decision, cache hit ratios, connection-pool exhaustion,
 * the database as a bottleneck, and what changed between two runs.
 * docs/methods.md "Database evidence" states the rules.
 *
 * show's "database" object (db_evidence_json):
 * {"datname": application database (the one with the most statement time),
 *  "source": "pg_stat_statements" | "log" | null,
 *  "total_calls", "total_ms",
 *  "statements": [{"query", "queryid" (string or null), "calls", "total_ms", "mean_ms", "max_ms", "rows",
 *                  "shared_blks_hit", "shared_blks_read", "share_of_db_time", "logged"}],   top by total time
 *  "slow": {"threshold_ms", "count" (null when unknown: no log and some max_exec_time over the line),
 *           "basis": "log" | "max_exec_time" | null,
 *           "by_statement": [{"query", "queryid", "database", "count", "max_ms", "first", "last"}]},
 *  "query_p95_below_ms": {"threshold_ms", "decided", "below", "calls", "calls_above", "share_above",
 *                         "basis", "reason"},
 *  "caches": [{"name", "hits", "misses", "hit_ratio", "source", "windows": [{"time_s", "hit_ratio"}]}],
 *  "caches_overall": {"hits", "misses", "hit_ratio"} | null,
 *  "log": {"statements", "plans", "events": {"<kind>": count}, "log_min_duration_statement_ms"},
 *  "activity": {"idle_in_transaction", "max_xact_age_s"} | null,
 *  "database_stats": {"deadlocks", "xact_commit", "xact_rollback", "blks_hit_ratio", "temp_files"} | null,
 *  "tables": [{"name", "seq_scan", "seq_tup_read", "idx_scan"}],
 *  "pool": pool_exhaustion object (below) | null}
 */
#ifndef LOADREP_DBEVIDENCE_H
#define LOADREP_DBEVIDENCE_H
#include <jansson.h>
#include <stdint.h>

struct err;
struct run_info;
struct store;

#define DB_SLOW_MS_DEFAULT 500.0  /* --slow-query-ms */
#define DB_QUERY_P95_MS 100.0     /* acceptance: database query p95 < 100 ms */
#define DB_CACHE_HIT_MIN 0.70     /* acceptance: cache hit rate > 70 % */
#define DB_TOP_STATEMENTS 10

/** The "database" object of `show` for run; *out is NULL when the run has
 *  no database evidence (no PostgreSQL input, no cache or pool series). */
int db_evidence_json(struct store *st, const struct run_info *run, double slow_ms, json_t **out, struct err *err);

/** Connection-pool exhaustion (soak): {"verdict": "exhausted" | "leak" |
 *  "none" | "inconclusive", "reason", "pool_size", "exhausted_at_s" (observed),
 *  "projected_exhaustion_s" (leak: when the rising floor reaches the pool
 *  size), "floor_start", "floor_end", "floor_slope_per_min", "series"
 *  (the series used), "idle_in_transaction_end", "max_xact_age_s",
 *  "waiting_max", "timeouts", "ok_requests_after"}. Times in seconds from the
 *  run's start. */
int db_pool_exhaustion_json(struct store *st, const struct run_info *run, json_t **out, struct err *err);

/** The database as a resource for bottleneck/capacity: {"resource":
 *  "database", "saturated", "saturated_at_s", "pool": {...}, "statements":
 *  [{"query", "queryid", "share_of_db_time", "mean_ms", "grows_with_load",
 *  "load_correlation", "endpoint", "endpoint_correlation"}], "lock_waits",
 *  "deadlocks", "idle_in_transaction_end", "leak", "seq_scanned_tables",
 *  "summary"}; "summary" is one sentence whose SQL and names are reduced to
 *  letters, digits and plain punctuation (safe to print as is). *out NULL
 *  when the run has no database evidence. */
int db_bottleneck_evidence(struct store *st, const struct run_info *run, json_t **out, struct err *err);

/** What changed in the database from run base_id to cand_id: an array of
 *  findings [{"kind": "new_statement" | "slower_statement" |
 *  "faster_statement" | "gone_statement" | "new_slow_statement" |
 *  "cache_ratio", "query", "queryid", "base": {...}, "candidate": {...},
 *  "change", "regression" (bool), "text"}]. threshold is the relative change
 *  that counts (e.g. 0.2 for 20 %); calls_per_request is per successful k6
 *  request (more of them is an N+1 pattern); a statement change also needs a total
 *  time of at least 1 % of the database time of the run where it is larger.
 *  Never NULL (an empty array without evidence; on a read error an array
 *  with one {"kind": "error", "text"}). */
json_t *db_compare_json(struct store *st, int64_t base_id, int64_t cand_id, double threshold);

#endif
