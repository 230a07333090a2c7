/* samples.h - compact exact storage of one endpoint's request samples.
 *
 * Each sample is one HTTP request: its end time (seconds since the run's
 * start_ts), its http_req_duration in ms and flags. Durations that are whole
 * nanoseconds (all of k6's) round-trip exactly through int64 ns; others are
 * stored as raw doubles. The blob is sorted by time.
 */
#ifndef LOADREP_SAMPLES_H
#define LOADREP_SAMPLES_H
#include <stddef.h>
#include <stdint.h>

struct strbuf;
struct err;

enum { SAMPLE_OK = 1, SAMPLE_FAILED = 2 }; /* expected_response:true; http_req_failed=1 */

struct sample {
  double t;      /* seconds since run start (request end time), µs precision */
  double dur_ms; /* http_req_duration, exact */
  unsigned flags;
};

/** Sorts s by time and appends the encoding to out. */
void samples_encode(struct sample *s, size_t n, struct strbuf *out);
/** Decodes a blob into a new array (caller frees); -1 on a corrupt blob. */
int samples_decode(const void *blob, size_t len, struct sample **out, size_t *n, struct err *err);

#endif
