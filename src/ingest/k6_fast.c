/* k6_fast.c - validating fast path for k6 NDJSON Point lines.
 *
 * Accepts exactly one shape (the one k6 v0.x–v2.x writes):
 *   {"metric":"NAME","type":"Point","data":{"time":"RFC3339","value":NUM,
 *    "tags":{"k":"v",...}[,"metadata":{"k":"v",...}]}}  [whitespace]
 * with no whitespace between tokens, and declines (returns 0) everything
 * else, so the jansson parser sees it. Every accepted line is one jansson
 * (2.14, any of the flags 0, JSON_REJECT_DUPLICATES, JSON_DECODE_INT_AS_REAL)
 * accepts, with the same values:
 * - strings: no raw control characters, strict UTF-8 (as jansson's
 *   utf8_check_full), escapes as JSON (\uXXXX with valid surrogate pairs);
 *   \u0000 is declined (jansson needs JSON_ALLOW_NUL for it); keys with any
 *   escape and duplicated keys are declined;
 * - numbers: the JSON grammar exactly; "-0" (jansson's integer 0 vs strtod's
 *   -0.0), integers of more than 18 digits (strtoll overflow) and overflow to
 *   ±Inf are declined; the value is strtod's, computed by Clinger's exact
 *   fast path (w·10^e with w < 2^53, |e| ≤ 22: one correctly rounded IEEE
 *   operation on exact operands) or strtod itself;
 * - time: a string without escapes that rfc3339_parse() accepts, read by
 *   rfc3339_parse() itself (the jansson path calls it on the same bytes).
 * One pass, no allocation, no global state (thread safe).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/k6_line.h"
#include "util/timeparse.h"
#include "util/utf8.h"

typedef const unsigned char *cp;

/* 1 for bytes that may appear in a JSON string as themselves without any
 * further check: 0x20..0x7f except '"' and '\\'. */
static const unsigned char plain[256] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20 */ 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    /* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x80-0xff: 0 (UTF-8, checked separately) */
};

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define K6F_SWAR 1
#else
#define K6F_SWAR 0
#endif

/* Validates one multi-byte UTF-8 sequence at s (s[0] >= 0x80); strict
 * UTF-8 is what jansson's utf8_check_first/utf8_check_full accept. Returns
 * the byte after it, or NULL. */
static cp scan_utf8(cp s, cp end) {
  size_t n = utf8_seq_len((const char *)s, (size_t)(end - s));
  return n ? s + n : NULL;
}

static int hex4(cp s) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v += (int)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v += (int)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v += (int)(c - 'A' + 10);
    else
      return -1;
  }
  return v;
}

/* Validates the escape at s (s[0] == '\\'); returns the byte after it. */
static cp scan_escape(cp s, cp end) {
  if (end - s < 2)
    return NULL;
  switch (s[1]) {
  case '"':
  case '\\':
  case '/':
  case 'b':
  case 'f':
  case 'n':
  case 'r':
  case 't':
    return s + 2;
  case 'u': {
    if (end - s < 6)
      return NULL;
    int v = hex4(s + 2);
    if (v <= 0)
      return NULL; /* bad hex digit, or \u0000 (needs JSON_ALLOW_NUL) */
    if (v >= 0xD800 && v <= 0xDBFF) {
      if (end - s < 12 || s[6] != '\\' || s[7] != 'u')
        return NULL;
      int v2 = hex4(s + 8);
      if (v2 < 0xDC00 || v2 > 0xDFFF)
        return NULL;
      return s + 12;
    }
    if (v >= 0xDC00 && v <= 0xDFFF)
      return NULL;
    return s + 6;
  }
  default:
    return NULL;
  }
}

/* s: first byte after an opening quote. Returns the closing quote, or NULL
 * (decline). Sets *esc when the string holds an escape. */
static cp scan_str(cp s, cp end, int *esc) {
  for (;;) {
#if K6F_SWAR
    while (end - s >= 8) {
      uint64_t x;
      memcpy(&x, s, 8);
      uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
      uint64_t m = (x & HIGHS) | ((x - ONES * 0x20) & ~x & HIGHS) | ((q - ONES) & ~q & HIGHS) |
                   ((b - ONES) & ~b & HIGHS);
      if (m) {
        /* The lowest flagged byte is exact (false positives can only sit
         * above a true hit). */
        s += (unsigned)__builtin_ctzll(m) >> 3;
        goto special;
      }
      s += 8;
    }
#endif
    while (s < end && plain[*s])
      s++;
    if (s >= end)
      return NULL;
#if K6F_SWAR
  special:
#endif
    if (*s == '"')
      return s;
    if (*s == '\\') {
      *esc = 1;
      s = scan_escape(s, end);
    } else if (*s >= 0x80) {
      s = scan_utf8(s, end);
    } else {
      return NULL; /* raw control character */
    }
    if (!s)
      return NULL;
  }
}

/* Raw byte order of two keys (no escapes in either). */
static int key_cmp(cp a, size_t alen, cp b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if (c)
    return c;
  return (alen > blen) - (alen < blen);
}

#define MAX_KEYS 64

/* An object of string keys (without escapes, all distinct) and string
 * values, no whitespace. s at '{'; returns the byte after the '}'. */
static cp scan_flat_object(cp s, cp end) {
  cp kp[MAX_KEYS];
  size_t kl[MAX_KEYS];
  int nk = 0, sorted = 1;
  s++;
  if (s < end && *s == '}')
    return s + 1;
  for (;;) {
    int esc = 0;
    if (s >= end || *s != '"')
      return NULL;
    cp k = ++s;
    s = scan_str(s, end, &esc);
    if (!s || esc || nk == MAX_KEYS)
      return NULL;
    size_t klen = (size_t)(s - k);
    if (nk > 0 && sorted && key_cmp(kp[nk - 1], kl[nk - 1], k, klen) >= 0)
      sorted = 0;
    kp[nk] = k;
    kl[nk] = klen;
    nk++;
    s++;
    if (end - s < 2 || s[0] != ':' || s[1] != '"')
      return NULL;
    s = scan_str(s + 2, end, &esc);
    if (!s)
      return NULL;
    s++;
    if (s >= end)
      return NULL;
    if (*s == ',') {
      s++;
      continue;
    }
    if (*s != '}')
      return NULL;
    s++;
    break;
  }
  if (!sorted) {
    for (int i = 1; i < nk; i++)
      for (int j = 0; j < i; j++)
        if (kl[i] == kl[j] && !memcmp(kp[i], kp[j], kl[i]))
          return NULL; /* duplicated key */
  }
  return s;
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#define IS_DIGIT(c) ((unsigned)((c) - '0') < 10u)

/* A JSON number at s; returns the byte after it with *out set to strtod's
 * value, or NULL (decline). */
static cp scan_number(cp s, cp end, double *out) {
  cp start = s;
  int neg = 0, is_int = 1, big = 0, nint = 0;
  uint64_t w = 0;
  long exp10 = 0;
  if (s < end && *s == '-') {
    neg = 1;
    s++;
  }
  if (s >= end)
    return NULL;
  if (*s == '0') {
    s++;
    nint = 1;
    if (s < end && IS_DIGIT(*s))
      return NULL; /* leading zero */
  } else if (IS_DIGIT(*s)) {
    while (s < end && IS_DIGIT(*s)) {
      if (w < 100000000000000000ULL) /* < 1e17: w*10+9 fits easily */
        w = w * 10 + (uint64_t)(*s - '0');
      else
        big = 1;
      nint++;
      s++;
    }
  } else {
    return NULL;
  }
  if (s < end && *s == '.') {
    is_int = 0;
    s++;
    if (s >= end || !IS_DIGIT(*s))
      return NULL;
    while (s < end && IS_DIGIT(*s)) {
      if (w < 100000000000000000ULL) {
        w = w * 10 + (uint64_t)(*s - '0');
        exp10--;
      } else {
        big = 1;
      }
      s++;
    }
  }
  if (s < end && (*s == 'e' || *s == 'E')) {
    int eneg = 0;
    long e = 0;
    is_int = 0;
    s++;
    if (s < end && (*s == '+' || *s == '-')) {
      eneg = *s == '-';
      s++;
    }
    if (s >= end || !IS_DIGIT(*s))
      return NULL;
    while (s < end && IS_DIGIT(*s)) {
      if (e < 100000)
        e = e * 10 + (*s - '0');
      s++;
    }
    exp10 += eneg ? -e : e;
  }
  if (is_int) {
    if (nint > 18)
      return NULL; /* may overflow jansson's strtoll */
    if (neg && w == 0)
      return NULL; /* "-0": jansson's integer 0 is +0.0, strtod gives -0.0 */
  }
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
  if (!big && w <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
    double v = (double)w;
    v = exp10 >= 0 ? v * pow10_exact[exp10] : v / pow10_exact[-exp10];
    *out = neg ? -v : v;
    return s;
  }
#endif
  char buf[64];
  size_t n = (size_t)(s - start);
  if (n >= sizeof buf)
    return NULL;
  memcpy(buf, start, n);
  buf[n] = '\0';
  char *ep;
  double v = strtod(buf, &ep);
  if (ep != buf + n || isinf(v))
    return NULL; /* a locale with another decimal point, or overflow */
  *out = v;
  return s;
}

#define LIT(s, end, lit) ((size_t)((end) - (s)) >= sizeof(lit) - 1 && !memcmp((s), (lit), sizeof(lit) - 1))

int k6_fast_point(const char *line, size_t len, struct k6_point *p) {
  cp s = (cp)line, end = s + len;
  static const char head[] = "{\"metric\":\"";
  static const char mid[] = "\",\"type\":\"Point\",\"data\":{\"time\":\"";
  static const char val[] = "\",\"value\":";
  static const char tags[] = ",\"tags\":{";
  static const char meta[] = ",\"metadata\":{";
  int esc = 0;

  if (!LIT(s, end, head))
    return 0;
  s += sizeof head - 1;
  cp name = s;
  s = scan_str(s, end, &esc);
  if (!s || esc || s == name)
    return 0;
  size_t name_len = (size_t)(s - name);
  if (!LIT(s, end, mid))
    return 0;
  s += sizeof mid - 1;
  cp tm = s;
  s = scan_str(s, end, &esc);
  int64_t ns;
  if (!s || esc || rfc3339_parse((const char *)tm, (size_t)(s - tm), 0, &ns) != 0 || !LIT(s, end, val))
    return 0;
  s += sizeof val - 1;
  double v;
  s = scan_number(s, end, &v);
  if (!s || !LIT(s, end, tags))
    return 0;
  s += sizeof tags - 2; /* at '{' */
  cp tg = s;
  s = scan_flat_object(s, end);
  if (!s)
    return 0;
  size_t tags_len = (size_t)(s - tg);
  if (LIT(s, end, meta)) {
    s = scan_flat_object(s + sizeof meta - 2, end);
    if (!s)
      return 0;
  }
  if (end - s < 2 || s[0] != '}' || s[1] != '}')
    return 0;
  for (s += 2; s < end; s++)
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
      return 0;
  p->metric = (const char *)name;
  p->metric_len = name_len;
  p->time_ns = ns;
  p->value = v;
  p->tags = (const char *)tg;
  p->tags_len = tags_len;
  return 1;
}
