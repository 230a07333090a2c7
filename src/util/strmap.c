#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"
#include "util/xalloc.h"

uint64_t strmap_hash(const void *key, size_t len) {
  const unsigned char *p = key;
  uint64_t h = UINT64_C(1469598103934665603);
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= UINT64_C(1099511628211);
  }
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
