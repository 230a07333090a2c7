/* timeparse.h - RFC 3339 / ISO 8601 timestamps as k6 and collectors write them. */
#ifndef LOADREP_TIMEPARSE_H
#define LOADREP_TIMEPARSE_H
#include <stddef.h>
#include <stdint.h>

/** Parses "2026-11-26T21:52:45.133664672Z" or "...+01:00" (0-9 fraction
 *  digits; 'T' or ' '; zone 'Z', "+hh:mm", "+hhmm" or " UTC") into Unix epoch
 *  nanoseconds. A timestamp without a zone is rejected (returns -1) unless
 *  `assume_utc` is set, and so is a year outside 1700-2250 (int64 ns).
 *  Returns 0 on success. */
int rfc3339_parse(const char *s, size_t len, int assume_utc, int64_t *epoch_ns);

/** The unit of a Unix time, told by its magnitude as k6 and collectors
 *  write them: the number of decimal digits below a second it counts in,
 *  0 for seconds (v < 1e11), 3 for ms (< 1e14), 6 for µs (< 1e17), else 9
 *  (ns). Every reader of an epoch column asks this one function. */
int epoch_unit_digits(double v);

/** "Now" as time_format_iso() gives it: $SOURCE_DATE_EPOCH when set (for
 *  reproducible output), else the clock. */
void time_now_iso(char buf[64]);

/** Formats epoch seconds as "2026-11-26T21:52:45.133Z" (UTC, ms) into buf[64]. */
void time_format_iso(double epoch_s, char buf[64]);

#endif
