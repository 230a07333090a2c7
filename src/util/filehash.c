/* filehash.c - XXH3-128 through xxHash's own header, compiled in
 * (XXH_INLINE_ALL): the state's layout is then this build's, so it can live
 * inside struct filehash without the library's allocator and without
 * depending on the shared library's private layout. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util/filehash.h"

static_assert(sizeof(XXH3_state_t) <= FILEHASH_STATE_MAX,
              "struct filehash too small for this xxHash's XXH3_state_t");

static XXH3_state_t *state(struct filehash *h) {
  return (XXH3_state_t *)(((uintptr_t)h->mem + 63) & ~(uintptr_t)63);
}

void filehash_init(struct filehash *h) { XXH3_128bits_reset(state(h)); }

void filehash_update(struct filehash *h, const void *data, size_t n) {
  if (n)
    XXH3_128bits_update(state(h), data, n);
}

void filehash_final(struct filehash *h, char *out) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits_digest(state(h)));
  memcpy(out, FILEHASH_PREFIX, sizeof FILEHASH_PREFIX - 1);
  out += sizeof FILEHASH_PREFIX - 1;
  for (size_t i = 0; i < sizeof c.digest; i++) {
    *out++ = "0123456789abcdef"[c.digest[i] >> 4];
    *out++ = "0123456789abcdef"[c.digest[i] & 15];
  }
  *out = 0;
}
