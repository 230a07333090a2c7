#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"
#include "util/xalloc.h"

/* Eight bytes at a time, multiply-xorshift mixing (tag sets are ~200 bytes). */
uint64_t strmap_hash(const void *key, size_t len) {
  const unsigned char *p = key;
  uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)len;
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 32;
  }
  uint64_t t = 0;
  for (size_t i = 0; i < len; i++)
    t |= (uint64_t)p[i] << (8 * i);
  h = (h ^ t) * UINT64_C(0xc4ceb9fe1a85ec53);
  return h ^ (h >> 29);
}

static struct strmap_slot *find(const struct strmap *m, const void *key, size_t len, uint64_t h) {
  size_t mask = m->cap - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    struct strmap_slot *s = &m->slots[i];
    if (!s->key || (s->hash == h && s->len == len && !memcmp(s->key, key, len)))
      return s;
  }
}

int strmap_get(const struct strmap *m, const void *key, size_t len) {
  if (!m->cap)
    return -1;
  struct strmap_slot *s = find(m, key, len, strmap_hash(key, len));
  return s->key ? s->value : -1;
}

static void grow(struct strmap *m) {
  struct strmap old = *m;
  m->cap = old.cap ? old.cap * 2 : 64;
  m->slots = xcalloc(m->cap, sizeof *m->slots);
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].key)
      *find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
  free(old.slots);
}

void strmap_put(struct strmap *m, const void *key, size_t len, int value) {
  if ((m->used + 1) * 2 > m->cap)
    grow(m);
  uint64_t h = strmap_hash(key, len);
  struct strmap_slot *s = find(m, key, len, h);
  if (!s->key) {
    s->key = xstrndup(key, len);
    s->len = len;
    s->hash = h;
    m->used++;
  }
  s->value = value;
}

void strmap_release(struct strmap *m) {
  for (size_t i = 0; i < m->cap; i++)
    free(m->slots[i].key);
  free(m->slots);
  m->slots = NULL;
  m->cap = m->used = 0;
}
