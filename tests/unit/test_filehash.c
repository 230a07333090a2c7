/* filehash: XXH3-128 values as the xxHash CLI gives them (`xxhsum -H2 FILE`,
 * xxhash 0.8.1; the empty input's value is also the one xxHash's own tests
 * list), whatever the pieces the bytes come in and wherever the state sits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/filehash.h"

static void value_of(const void *data, size_t n, char out[FILEHASH_LEN + 1]) {
  struct filehash h;
  filehash_init(&h);
  filehash_update(&h, data, n);
  filehash_final(&h, out);
}

/* The bytes of a small LCG, the same on every machine. */
static unsigned char *make_buf(void) {
  unsigned char *buf = malloc(4096);
  unsigned s = 7;
  for (int i = 0; i < 4096; i++) {
    s = s * 1103515245u + 12345u;
    buf[i] = (unsigned char)(s >> 16);
  }
  return buf;
}

/* `xxhsum -H2` of the first n bytes of make_buf(): every code path of XXH3
 * (1-3, 4-8, 9-16, 17-128, 129-240 bytes, then whole stripes and blocks). */
static const struct {
  size_t n;
  const char *hex;
} lcg[] = {
    {1, "c89f16e01381dd11c00f9d4f580c0c3a"},    {3, "38b3d385f6638fb8c3ba64a032f23e38"},
    {4, "ddda28b8f5e20e7581a63acdec52a774"},    {8, "7d8b0876d33b453e34346d9b9c276c32"},
    {9, "755a3b752fe4b0d85d97f50d3dfe304a"},    {16, "34ada7b12d7d778a0b7e5f127dc09029"},
    {17, "16e41d009ebf28c0b1f276a5971eb2af"},   {128, "5cd088c1fdd79d2da48d0a52b77303c6"},
    {129, "041568aa8aa03ba3814fb6c91c733f7d"},  {240, "0ea6edcfccb95c08468027c28959939e"},
    {241, "21190ce6f46707b7688262b930328dae"},  {1024, "15658b941f9258e04095b15c8a3ca61d"},
    {1025, "430ff1731ec91f8871d5bf6d4cb914b4"}, {4096, "ed419b41add08801aa9a9cad73bdb2e3"},
};

int main(void) {
  char h[FILEHASH_LEN + 1], want[FILEHASH_LEN + 1];
  INT_EQ(FILEHASH_LEN, 41, "\"xxh3-128:\" and 32 hex digits");
  OK(FILEHASH_LEN + 1 <= 65, "a value fits the 65-byte buffers that held a SHA-256");

  value_of("", 0, h);
  STR_EQ(h, "xxh3-128:99aa06d3014798d86001c324468d497f", "empty input");
  value_of("abc", 3, h);
  STR_EQ(h, "xxh3-128:06b05ab6733a618578af5f94892f3950", "'abc'");

  /* A million 'a', fed in uneven pieces (1, 2, ... 997 bytes). */
  struct filehash c;
  filehash_init(&c);
  char a[997];
  memset(a, 'a', sizeof a);
  size_t left = 1000000;
  for (size_t k = 1; left; k = k % 997 + 1) {
    size_t n = k < left ? k : left;
    filehash_update(&c, a, n);
    left -= n;
  }
  filehash_final(&c, h);
  STR_EQ(h, "xxh3-128:a545df8e384a9579b1fd6fae5285c4eb", "a million 'a' in uneven pieces");

  unsigned char *buf = make_buf();
  for (size_t i = 0; i < sizeof lcg / sizeof lcg[0]; i++) {
    snprintf(want, sizeof want, "%s%s", FILEHASH_PREFIX, lcg[i].hex);
    value_of(buf, lcg[i].n, h);
    STR_EQ(h, want, "%zu LCG bytes at once", lcg[i].n);
    /* The same bytes one at a time, with an empty piece between. */
    filehash_init(&c);
    for (size_t k = 0; k < lcg[i].n; k++) {
      filehash_update(&c, buf + k, 1);
      filehash_update(&c, buf, 0);
    }
    filehash_final(&c, h);
    STR_EQ(h, want, "%zu LCG bytes one at a time", lcg[i].n);
  }

  /* The state finds its own 64-byte boundary: the struct at every offset. */
  unsigned char *mem = malloc(sizeof(struct filehash) + 64);
  int same = 1;
  snprintf(want, sizeof want, "%s%s", FILEHASH_PREFIX, lcg[sizeof lcg / sizeof lcg[0] - 1].hex);
  for (size_t off = 0; off < 64; off++) {
    struct filehash *p = (struct filehash *)(void *)(mem + off);
    filehash_init(p);
    filehash_update(p, buf, 1000);
    filehash_update(p, buf + 1000, 3096);
    filehash_final(p, h);
    same &= !strcmp(h, want);
  }
  OK(same, "the same value with the struct at 64 different offsets");
  free(mem);
  free(buf);
  return test_report();
}
