/* slo.h - service-level objectives: where they come from and which applies.
 *
 * One resolution serves check, compare, capacity and report. Objectives come,
 * most specific first, from:
 *   1. `--slo 'p95<2000ms,errors<1%'` on the command line (overrides all);
 *   2. an SLO file (`--slo-file FILE`), JSON:
 *        {"default":   {"p95_ms": 2000, "error_rate": 0.01},
 *         "scenarios": {"normal": {"p95_ms": 1000, "error_rate": 0}},
 *         "endpoints": {"POST /api/agents/generate": {"p95_ms": 5000}},
 *         "capacity":  {"target_users": 1000, "zero_errors_at": 0.8}}
 *      where an endpoint entry beats a scenario entry beats the default, field
 *      by field;
 *   3. the k6 thresholds recorded in the run (http_req_duration p(95)<X and
 *      http_req_failed rate<Y, overall or on a {name:...} submetric);
 *   4. the built-in default, p95 < 2000 ms and errors < 1 %.
 * For an endpoint, step 3 looks first for the endpoint's own submetric
 * (http_req_duration{name:ENDPOINT}), then for the overall metric.
 * An objective is met when the figure is strictly below it, except that an
 * error objective of 0 is met only by no failed request at all
 * (slo_p95_met, slo_errors_met).
 * Library code: no printing.
 */
#ifndef LOADREP_SLO_H
#define LOADREP_SLO_H
#include <jansson.h>
#include <stdint.h>

struct err;
struct store;

/** Where an objective came from (printed as slo_source). */
enum slo_source { SLO_SRC_DEFAULT, SLO_SRC_K6_THRESHOLD, SLO_SRC_FILE, SLO_SRC_CLI };
const char *slo_source_name(enum slo_source s); /* "default" | "k6_threshold" | "file" | "cli" */

/** One resolved objective. NAN where the field is not set at any level. */
struct slo {
  double p95_ms;
  double error_rate;            /* fraction, e.g. 0.01 */
  enum slo_source p95_src, err_src;
  char p95_from[192], err_from[192]; /* e.g. "file: endpoints.POST /api/agents/generate" */
};

/** p95 (ms) meets the objective: finite and strictly below it. */
int slo_p95_met(double p95_ms, double objective_ms);
/** An error rate meets the objective: below it, or exactly 0 when it is 0. */
int slo_errors_met(double rate, double objective);

/** The capacity part of an SLO file (NAN / 0 when absent). */
struct slo_capacity {
  long target_users;            /* 0 when not set */
  double zero_errors_at;        /* fraction of capacity, e.g. 0.8; NAN when not set */
};

struct slo_set; /* opaque: the parsed CLI override, file, and defaults */

/** Creates an empty set (built-in defaults only). */
struct slo_set *slo_set_new(void);
void slo_set_free(struct slo_set *s);

/** Parses "p95<2000ms,errors<1%" as the command-line override. LR_USAGE on
 *  bad text, naming the option. */
int slo_set_cli(struct slo_set *s, const char *text, struct err *err);

/** Parses the --slo text into *p95_ms and *error_rate (NAN for a part that
 *  is left out). The same grammar as slo_set_cli. */
int slo_parse_text(const char *text, double *p95_ms, double *error_rate, struct err *err);

/** Reads an SLO file. LR_DATAERR naming the file and the offending key on
 *  bad content, LR_NOINPUT when it cannot be read. */
int slo_set_file(struct slo_set *s, const char *path, struct err *err);

/** Resolves the objective of (run, scenario, endpoint): endpoint may be NULL
 *  (the whole run, "ALL"). Reads the run's recorded k6 thresholds from the
 *  store when neither the CLI nor the file sets a field. */
int slo_resolve(const struct slo_set *s, struct store *st, int64_t run_id, const char *scenario,
                const char *endpoint, struct slo *out, struct err *err);

/** The capacity section of the file, for capacity (target_users 0 and
 *  zero_errors_at NAN when the file sets none). */
void slo_capacity_of(const struct slo_set *s, struct slo_capacity *out);

/** 1 when the CLI or the file sets any objective (so a caller's own default
 *  should not be used), else 0. */
int slo_set_has_overrides(const struct slo_set *s);

/** {"p95_slo_ms", "error_slo", "slo_source": {"p95", "errors"}, "slo_from": {...}} */
json_t *slo_to_json(const struct slo *o);

#endif
