/* fuzz_options.c - libFuzzer target: every small text parser a user or a
 * file feeds: option values (src/cli.c parse_duration, parse_percent,
 * parse_double, parse_long, parse_format), the capacity SLO text
 * (capacity_parse_slo), RFC 3339 times (util/timeparse.c), endpoint name
 * normalisation (ingest/endpoint.c) and k6 threshold expressions
 * (k6_threshold_eval).
 *
 *   scripts/fuzz.sh 300 fuzz_options
 *
 * The input, up to its first NUL, is given to each parser in turn.
 * Invariants (else abort()): a value accepted is finite and in the range the
 * option documents; a refusal is LR_USAGE naming the option; a normalised
 * endpoint name normalises to itself; a threshold evaluates to -1, 0 or 1.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/capacity.h"
#include "cli.h"
#include "ingest/endpoint.h"
#include "ingest/k6_agg.h"
#include "util/err.h"
#include "util/timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *input) {
  fprintf(stderr, "fuzz invariant violated: %s\n  input: '%s'\n", what, input);
  abort();
}

static void refused(const struct err *err, const char *opt, const char *s) {
  if (err->code != LR_USAGE)
    die("an option refusal that is not LR_USAGE (64)", s);
  if (!strstr(err->msg, opt))
    die("an option refusal that does not name the option", err->msg);
}

static json_t *stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!stats)
    stats = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "avg", 12.5, "p(95)", 1999.0, "p(99.9)", 2500.0, "rate",
                      0.01, "count", 10.0, "value", 1.0, "max", 1e300);
  char *s = malloc(size + 1);
  memcpy(s, data, size);
  s[size] = 0;
  struct err err = ERR_INIT;
  double d;
  long l;
  enum out_format fmt;

  if (parse_duration("--window", s, &d, &err) == 0) {
    if (!isfinite(d) || d < 0)
      die("parse_duration accepted a non-finite or negative duration", s);
  } else {
    refused(&err, "--window", s);
  }
  if (parse_percent("--threshold", s, &d, &err) == 0) {
    if (!isfinite(d) || d < 0 || d > 1000)
      die("parse_percent accepted a value outside 0..1000", s);
  } else {
    refused(&err, "--threshold", s);
  }
  if (parse_double("--x", s, &d, &err) == 0) {
    if (!isfinite(d))
      die("parse_double accepted a non-finite number", s);
  } else {
    refused(&err, "--x", s);
  }
  if (parse_long("--target-users", s, 1, 100000000, &l, &err) == 0) {
    if (l < 1 || l > 100000000)
      die("parse_long accepted a value outside its range", s);
  } else {
    refused(&err, "--target-users", s);
  }
  if (parse_format("--format", s, &fmt, &err) < 0)
    refused(&err, "--format", s);

  struct capacity_opts o;
  capacity_opts_init(&o);
  if (capacity_parse_slo(s, &o, &err) == 0) {
    if (!isfinite(o.slo_p95_ms) || o.slo_p95_ms <= 0 || !isfinite(o.slo_error_rate) || o.slo_error_rate <= 0)
      die("capacity_parse_slo accepted an SLO that is not finite and positive", s);
  } else {
    refused(&err, "--slo", s);
  }

  int64_t ns;
  for (int utc = 0; utc <= 1; utc++) {
    if (rfc3339_parse(s, size, utc, &ns) == 0) {
      char buf[64];
      time_format_iso((double)ns / 1e9, buf);
      if (strlen(buf) >= 64)
        die("time_format_iso overflowed its buffer", s);
    }
  }

  if (strlen(s) == size) { /* endpoint names come from JSON/CSV strings: no NUL inside */
    char *n1 = endpoint_normalize(s);
    char *n2 = endpoint_normalize(n1);
    if (strcmp(n1, n2) != 0)
      die("endpoint_normalize is not idempotent", s);
    char *lab = endpoint_label("GET", n1);
    if (!lab || strlen(lab) < strlen(n1))
      die("endpoint_label lost text", s);
    free(lab);
    free(n1);
    free(n2);
    int v = k6_threshold_eval(s, stats);
    if (v < -1 || v > 1)
      die("k6_threshold_eval returned something else than -1, 0, 1", s);
  }
  free(s);
  return 0;
}
