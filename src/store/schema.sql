-- loadrep database schema, version 4 (SQLite: PRAGMA user_version = 4;
-- PostgreSQL: loadrep_meta.schema_version, src/store/store_pg_schema.c).
-- Databases of versions 1-3 are upgraded in place by store_open() (src/store/store.c).
-- The SQL is the dialect both backends accept; on PostgreSQL every table
-- also has a `rowid` identity column, as SQLite's implicit one, so that
-- ORDER BY rowid is the order rows were written in on both.
-- Times are Unix epoch seconds (REAL, microsecond precision); durations in ms.

CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  scenario      TEXT NOT NULL DEFAULT '',
  env           TEXT NOT NULL DEFAULT '',
  labels        TEXT NOT NULL DEFAULT '{}',   -- JSON object of --label k=v
  start_ts      REAL,                         -- first sample
  end_ts        REAL,                         -- last sample
  duration_s    REAL,                         -- k6's test-run duration when known, else the sample span
  duration_src  TEXT NOT NULL DEFAULT 'samples', -- 'k6' (handleSummary) | 'counter' | 'samples'
  has_samples   INTEGER NOT NULL DEFAULT 0,   -- 1 when NDJSON/CSV points were ingested
  k6_version    TEXT,
  created_at    TEXT NOT NULL,
  -- v2: did the run run its course? 1 yes (no sign that it stopped early),
  -- 0 no (incomplete_reason says why), NULL unknown (ingested before v2;
  -- treated as complete).
  complete      INTEGER,
  incomplete_reason TEXT,
  k6_exit_status INTEGER                      -- k6's exit status when known (meta.json, --k6-exit-status)
);

CREATE TABLE source_files (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  path    TEXT NOT NULL,
  kind    TEXT NOT NULL,                      -- k6-ndjson, k6-summary-export, ...
  size    INTEGER NOT NULL,
  sha256  TEXT NOT NULL UNIQUE,
  lines   INTEGER,
  skipped INTEGER NOT NULL DEFAULT 0          -- lines skipped with a warning (+Inf)
);

-- Aggregates of every metric and submetric k6 declared, as k6 computes them.
CREATE TABLE metrics (
  run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,                     -- "http_req_duration{name:x}" for submetrics
  type     TEXT NOT NULL,                     -- trend | counter | rate | gauge
  contains TEXT NOT NULL DEFAULT 'default',
  count    REAL, sum REAL, avg REAL, min REAL, med REAL, max REAL,
  p90 REAL, p95 REAL, p99 REAL,
  rate     REAL,                              -- counter: count/s
  passes   INTEGER, fails INTEGER,            -- rate metrics
  value    REAL,                              -- rate fraction or gauge last value
  extra    TEXT,                              -- JSON: other summaryTrendStats (p(99.9), ...)
  PRIMARY KEY (run_id, name)
);

CREATE TABLE thresholds (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  metric     TEXT NOT NULL,
  expression TEXT NOT NULL,
  ok         INTEGER,                         -- NULL when not judged
  source     TEXT NOT NULL,                   -- 'k6' (its verdict) | 'loadrep' (evaluated here)
  PRIMARY KEY (run_id, metric, expression)
);

CREATE TABLE checks (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  grp    TEXT NOT NULL,
  name   TEXT NOT NULL,
  passes INTEGER NOT NULL,
  fails  INTEGER NOT NULL,
  PRIMARY KEY (run_id, grp, name)
);

-- Per-run endpoints: method + normalised name.
CREATE TABLE endpoints (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  method    TEXT NOT NULL,
  name      TEXT NOT NULL,
  requests  INTEGER NOT NULL,
  failed    INTEGER NOT NULL,                 -- http_req_failed = 1
  ok_count  INTEGER NOT NULL,                 -- expected_response = true
  UNIQUE (run_id, method, name)
);

-- Trend aggregates per endpoint: metric is http_req_duration, _blocked, ...,
-- scope 'all' (every request, as k6's submetric) or 'ok' (expected_response:true).
CREATE TABLE endpoint_metrics (
  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  metric  TEXT NOT NULL,
  scope   TEXT NOT NULL,
  count   INTEGER NOT NULL,
  avg REAL, min REAL, med REAL, max REAL, p90 REAL, p95 REAL, p99 REAL,
  PRIMARY KEY (endpoint_id, metric, scope)
);

-- Errors grouped by status and k6 error_code.
CREATE TABLE errors (
  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  status     TEXT NOT NULL,
  error_code TEXT NOT NULL,
  error      TEXT NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (endpoint_id, status, error_code, error)
);

-- One-second buckets; endpoint_id NULL is the whole run. t = whole seconds
-- since runs.start_ts (by the sample's timestamp, i.e. request end).
CREATE TABLE buckets (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  endpoint_id INTEGER REFERENCES endpoints(id) ON DELETE CASCADE,
  t           INTEGER NOT NULL,
  requests    INTEGER NOT NULL,
  failures    INTEGER NOT NULL,
  ok_count    INTEGER NOT NULL,
  dur_sum     REAL NOT NULL,                  -- sum of http_req_duration, successful requests
  p50 REAL, p95 REAL, p99 REAL,               -- of successful requests
  blocked_sum REAL NOT NULL DEFAULT 0, connecting_sum REAL NOT NULL DEFAULT 0,
  tls_sum REAL NOT NULL DEFAULT 0, sending_sum REAL NOT NULL DEFAULT 0,
  waiting_sum REAL NOT NULL DEFAULT 0, receiving_sum REAL NOT NULL DEFAULT 0,
  vus         REAL,                           -- max of the vus gauge in this second (run rows)
  iterations  INTEGER NOT NULL DEFAULT 0,
  iter_dur_sum REAL NOT NULL DEFAULT 0,
  data_sent   REAL,                           -- v4: bytes k6 sent and received in this second (run rows;
  data_received REAL                          -- NULL: not recorded, e.g. ingested before v4)
);
CREATE INDEX buckets_run ON buckets(run_id, endpoint_id, t);

-- Every http_req_duration sample of an endpoint, in time order, compactly
-- (src/store/samples.h): comparisons and capacity run from these alone.
CREATE TABLE samples (
  endpoint_id INTEGER PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
  count  INTEGER NOT NULL,
  data   BLOB NOT NULL
);

-- v2: k6 scenarios (the `scenario` tag of the samples). Every run with
-- samples has one row per scenario; name is the tag's value ('' for samples
-- without the tag).
CREATE TABLE scenarios (
  run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name     TEXT NOT NULL,
  executor TEXT,                              -- NULL when unknown
  requests INTEGER NOT NULL,
  failed   INTEGER NOT NULL,
  ok_count INTEGER NOT NULL,
  PRIMARY KEY (run_id, name)
);

-- v2: endpoints per scenario. endpoint_id is the whole-run row of the same
-- method and name. When the run has one scenario the figures are the
-- whole-run rows' (copied) and its samples are those of endpoint_id; with
-- several, scenario_samples holds each scenario's own.
CREATE TABLE scenario_endpoints (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  scenario    TEXT NOT NULL,
  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
  method      TEXT NOT NULL,
  name        TEXT NOT NULL,
  requests    INTEGER NOT NULL,
  failed      INTEGER NOT NULL,
  ok_count    INTEGER NOT NULL,
  UNIQUE (run_id, scenario, method, name)
);
CREATE TABLE scenario_endpoint_metrics (
  se_id   INTEGER NOT NULL REFERENCES scenario_endpoints(id) ON DELETE CASCADE,
  metric  TEXT NOT NULL,
  scope   TEXT NOT NULL,
  count   INTEGER NOT NULL,
  avg REAL, min REAL, med REAL, max REAL, p90 REAL, p95 REAL, p99 REAL,
  PRIMARY KEY (se_id, metric, scope)
);
CREATE TABLE scenario_samples (
  se_id  INTEGER PRIMARY KEY REFERENCES scenario_endpoints(id) ON DELETE CASCADE,
  count  INTEGER NOT NULL,
  data   BLOB NOT NULL
);

-- System metrics of the machine under test.
CREATE TABLE sys_series (
  id      INTEGER PRIMARY KEY,
  run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  host    TEXT NOT NULL,
  name    TEXT NOT NULL,
  unit    TEXT NOT NULL DEFAULT '',
  source  TEXT NOT NULL,                      -- file kind it came from
  UNIQUE (run_id, host, name, source)
);
CREATE TABLE sys_samples (
  series_id INTEGER NOT NULL REFERENCES sys_series(id) ON DELETE CASCADE,
  ts        REAL NOT NULL,
  value     REAL NOT NULL,
  in_window INTEGER NOT NULL                  -- 1 when inside the run's window plus margin
);
CREATE INDEX sys_samples_series ON sys_samples(series_id, ts);

CREATE TABLE baselines (
  scenario TEXT NOT NULL,
  env      TEXT NOT NULL,
  run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  set_at   TEXT NOT NULL,
  PRIMARY KEY (scenario, env)
);

-- Outcome of each `check`, for --history baselines.
CREATE TABLE check_results (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  baseline_id INTEGER,
  verdict    TEXT NOT NULL,                   -- ok | regression
  checked_at TEXT NOT NULL
);

-- v3: database evidence (src/store/store_db.h). PostgreSQL log entries:
-- statements over log_min_duration_statement (kind 'statement', with
-- duration_ms, the SQL as logged and its normalised form) and every other
-- entry by kind (plan, deadlock, lock_wait, error, ...; src/ingest/pglog.h).
CREATE TABLE db_log_entries (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  ts          REAL NOT NULL,
  pid         INTEGER,
  database    TEXT NOT NULL DEFAULT '',
  username    TEXT NOT NULL DEFAULT '',
  app         TEXT NOT NULL DEFAULT '',
  severity    TEXT NOT NULL DEFAULT '',
  sqlstate    TEXT NOT NULL DEFAULT '',
  kind        TEXT NOT NULL,
  duration_ms REAL,
  query       TEXT,                           -- statements: as logged (literal values)
  norm        TEXT,                           -- statements: pg_normalise(query)
  queryid     INTEGER,                        -- csvlog query_id (PostgreSQL 14+), NULL when absent
  message     TEXT NOT NULL DEFAULT ''        -- other entries: the message (first 1000 bytes)
);
CREATE INDEX db_log_entries_run ON db_log_entries(run_id, kind, ts);

-- v3: pg_stat_statements rows (times in ms, as the view gives them).
CREATE TABLE db_statements (
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  datname     TEXT NOT NULL DEFAULT '',
  queryid     INTEGER,
  toplevel    INTEGER,                        -- NULL before PostgreSQL 14
  query       TEXT NOT NULL,
  norm        TEXT NOT NULL,
  calls       INTEGER NOT NULL,
  total_ms    REAL NOT NULL,
  mean_ms REAL, min_ms REAL, max_ms REAL, stddev_ms REAL,
  rows        INTEGER,
  shared_blks_hit INTEGER, shared_blks_read INTEGER, temp_blks_written INTEGER
);
CREATE INDEX db_statements_run ON db_statements(run_id);

-- v3: rows of statistics-view snapshots (pg_stat_database, pg_stat_activity,
-- pg_stat_user_tables, ...) as JSON objects of column -> text; snap tells
-- the files apart (the ingest's file order).
CREATE TABLE db_snapshots (
  run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  view    TEXT NOT NULL,
  snap    INTEGER NOT NULL,
  data    TEXT NOT NULL
);
CREATE INDEX db_snapshots_run ON db_snapshots(run_id, view);

-- v4: responses per second by HTTP status, whole run (http_reqs samples
-- by their `status` tag; '0' is no response). t as in buckets.
CREATE TABLE status_buckets (
  run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  t       INTEGER NOT NULL,
  status  TEXT NOT NULL,
  count   INTEGER NOT NULL,
  PRIMARY KEY (run_id, t, status)
);

-- v4: the k6 instances (runners) whose files make up a run: one row per
-- instance, named from the `instance` tag, else the hostname tag, else the
-- file. Figures over that instance's own samples.
CREATE TABLE run_instances (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  files      TEXT NOT NULL DEFAULT '',      -- the files it came from, '\n'-separated
  requests   INTEGER NOT NULL,
  failed     INTEGER NOT NULL,
  p95_ms     REAL,
  vus_max    REAL,
  start_ts   REAL,
  end_ts     REAL,
  PRIMARY KEY (run_id, name)
);

-- v4: k6's own threshold verdicts per instance (each runner's summary),
-- beside thresholds (the run's, re-evaluated over the merged samples).
CREATE TABLE instance_thresholds (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  instance   TEXT NOT NULL,
  metric     TEXT NOT NULL,
  expression TEXT NOT NULL,
  ok         INTEGER,
  PRIMARY KEY (run_id, instance, metric, expression)
);

PRAGMA user_version = 4;
