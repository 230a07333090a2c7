/* strmap.h - byte-string → int map (open addressing), for interning.
 *
 * struct strmap m = STRMAP_INIT; strmap_put(&m, key, len, v);
 * strmap_get(&m, key, len) → value or -1; strmap_release(&m).
 * Keys are copied. Values are non-negative ints.
 */
#ifndef LOADREP_STRMAP_H
#define LOADREP_STRMAP_H
#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
  char *key;
  size_t len;
  uint64_t hash;
  int value;
};

struct strmap {
  struct strmap_slot *slots;
  size_t cap, used;
};
#define STRMAP_INIT {NULL, 0, 0}

uint64_t strmap_hash(const void *key, size_t len);
int strmap_get(const struct strmap *m, const void *key, size_t len);
void strmap_put(struct strmap *m, const void *key, size_t len, int value);
void strmap_release(struct strmap *m);

#endif
