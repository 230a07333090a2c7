#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/timeparse.h"

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int rfc3339_parse(const char *s, size_t len, int assume_utc, int64_t *epoch_ns) {
  int Y, M, D, h, m, sec;
  if (len < 19 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
      digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) ||
      s[13] != ':' || digits(s + 14, 2, &m) || s[16] != ':' || digits(s + 17, 2, &sec))
    return -1;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  /* int64 nanoseconds cover 1677-09-21 to 2262-04-11: stay well inside. */
  if (Y < 1700 || Y > 2250)
    return -1;
  if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60)
    return -1;
  if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
    return -1;
  size_t i = 19;
  int64_t frac = 0;
  if (i < len && s[i] == '.') {
    i++;
    int nd = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
      if (nd < 9) {
        frac = frac * 10 + (s[i] - '0');
        nd++;
      }
      i++;
    }
    if (nd == 0)
      return -1;
    for (; nd < 9; nd++)
      frac *= 10;
  }
  int64_t off = 0;
  if (i == len) {
    if (!assume_utc)
      return -1;
  } else if (s[i] == 'Z' || s[i] == 'z') {
    i++;
  } else if (len - i == 4 && !memcmp(s + i, " UTC", 4)) {
    i += 4;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh, om;
    int sign = s[i] == '-' ? -1 : 1;
    if (len - i == 6 && s[i + 3] == ':' && !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om))
      i += 6;
    else if (len - i == 5 && !digits(s + i + 1, 2, &oh) && !digits(s + i + 3, 2, &om))
      i += 5;
    else
      return -1;
    if (oh > 23 || om > 59)
      return -1;
    off = sign * (oh * 3600 + om * 60);
  } else {
    return -1;
  }
  if (i != len)
    return -1;
  int64_t secs = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - off;
  *epoch_ns = secs * 1000000000 + frac;
  return 0;
}

void time_format_iso(double epoch_s, char buf[64]) {
  time_t t = (time_t)epoch_s;
  if ((double)t > epoch_s)
    t--;
  int ms = (int)((epoch_s - (double)t) * 1000.0 + 0.5);
  if (ms >= 1000) {
    ms -= 1000;
    t++;
  }
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(buf, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void time_now_iso(char buf[64]) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  char *end = NULL;
  double t = sde && *sde ? strtod(sde, &end) : 0;
  if (!sde || !*sde || *end || t < 0)
    t = (double)time(NULL);
  time_format_iso(t, buf);
}

int epoch_unit_digits(double v) {
  return v < 1e11 ? 0 : v < 1e14 ? 3 : v < 1e17 ? 6 : 9;
}
