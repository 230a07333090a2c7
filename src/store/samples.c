/* Blob layout: one format byte, then per sample (sorted by time):
 *   'N': varint zigzag(Δt µs), varint (ns << 2 | flags)     -- exact ns durations
 *   'D': varint zigzag(Δt µs), 8-byte little-endian double, 1 byte flags
 * Δt is relative to the previous sample (the first to 0). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/samples.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static void put_varint(struct strbuf *out, uint64_t v) {
  unsigned char b[10];
  int n = 0;
  do {
    b[n] = v & 0x7f;
    v >>= 7;
    if (v)
      b[n] |= 0x80;
    n++;
  } while (v);
  strbuf_add(out, b, (size_t)n);
}

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end)
      return -1;
    unsigned char c = *(*p)++;
    r |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *v = r;
      return 0;
    }
  }
  return -1;
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static int by_time(const void *a, const void *b) {
  const struct sample *x = a, *y = b;
  return (x->t > y->t) - (x->t < y->t);
}

static int exact_ns(double ms, uint64_t *ns) {
  if (!(ms >= 0) || ms > 1e12)
    return 0;
  double r = round(ms * 1e6);
  if ((double)(int64_t)r / 1e6 != ms)
    return 0;
  *ns = (uint64_t)(int64_t)r;
  return 1;
}

void samples_encode(struct sample *s, size_t n, struct strbuf *out) {
  if (n)
    qsort(s, n, sizeof *s, by_time);
  int mode_n = 1;
  uint64_t ns = 0;
  for (size_t i = 0; i < n && mode_n; i++)
    mode_n = exact_ns(s[i].dur_ms, &ns) && ns < (UINT64_C(1) << 61);
  strbuf_addch(out, mode_n ? 'N' : 'D');
  int64_t prev = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t us = (int64_t)llround(s[i].t * 1e6);
    put_varint(out, zigzag(us - prev));
    prev = us;
    if (mode_n) {
      exact_ns(s[i].dur_ms, &ns);
      put_varint(out, ns << 2 | (s[i].flags & 3));
    } else {
      unsigned char b[8];
      uint64_t bits;
      memcpy(&bits, &s[i].dur_ms, 8);
      for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(bits >> (8 * k));
      strbuf_add(out, b, 8);
      strbuf_addch(out, (int)(s[i].flags & 3));
    }
  }
}

int samples_decode(const void *blob, size_t len, struct sample **out, size_t *n, struct err *err) {
  const unsigned char *p = blob, *end = p + len;
  size_t cap = 0, cnt = 0;
  struct sample *v = NULL;
  if (len == 0 || (*p != 'N' && *p != 'D'))
    goto bad;
  int mode_n = *p++ == 'N';
  int64_t t = 0;
  while (p < end) {
    uint64_t dt, x;
    if (get_varint(&p, end, &dt) < 0)
      goto bad;
    t += unzigzag(dt);
    XGROW(v, cap, cnt + 1);
    v[cnt].t = (double)t / 1e6;
    if (mode_n) {
      if (get_varint(&p, end, &x) < 0)
        goto bad;
      v[cnt].dur_ms = (double)(int64_t)(x >> 2) / 1e6;
      v[cnt].flags = (unsigned)(x & 3);
    } else {
      if (end - p < 9)
        goto bad;
      uint64_t bits = 0;
      for (int k = 0; k < 8; k++)
        bits |= (uint64_t)p[k] << (8 * k);
      memcpy(&v[cnt].dur_ms, &bits, 8);
      v[cnt].flags = p[8] & 3;
      p += 9;
    }
    cnt++;
  }
  *out = v;
  *n = cnt;
  return 0;
bad:
  free(v);
  return err_set(err, LR_DATAERR, "corrupt sample blob in the database");
}
