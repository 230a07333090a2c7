/* SHA-256: FIPS 180-4 test vectors, and the CPU's SHA extensions agreeing
 * with the portable code on every length around block boundaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/sha256.h"

static void hex_of(const void *data, size_t n, char out[65]) {
  struct sha256 c;
  sha256_init(&c);
  sha256_update(&c, data, n);
  sha256_final_hex(&c, out);
}

static unsigned char *make_buf(void) {
  unsigned char *buf = malloc(4096);
  unsigned s = 7;
  for (int i = 0; i < 4096; i++) {
    s = s * 1103515245u + 12345u;
    buf[i] = (unsigned char)(s >> 16);
  }
  return buf;
}

int main(int argc, char **argv) {
  char h[65], g[80];
  if (argc > 1 && !strcmp(argv[1], "--dump")) {
    unsigned char *buf = make_buf();
    for (size_t n = 0; n < 4096; n += 61) {
      hex_of(buf, n, h);
      printf("%s\n", h);
    }
    free(buf);
    return 0;
  }
  hex_of("abc", 3, h);
  STR_EQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "FIPS 180-4 'abc'");
  hex_of("", 0, h);
  STR_EQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty message");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  hex_of(two, strlen(two), h);
  STR_EQ(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "FIPS 180-4 two blocks");
  /* One million 'a', fed in uneven pieces. */
  struct sha256 c;
  sha256_init(&c);
  char a[997];
  memset(a, 'a', sizeof a);
  size_t left = 1000000;
  for (size_t k = 1; left; k = k % 997 + 1) {
    size_t n = k < left ? k : left;
    sha256_update(&c, a, n);
    left -= n;
  }
  sha256_final_hex(&c, h);
  STR_EQ(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "a million 'a'");
  /* The accelerated and the portable code agree on every length around block
   * boundaries. LOADREP_NO_SHA_NI selects the portable code; it is read once
   * per process, so a child (this program with --dump) gives the other side. */
  unsigned char *buf = make_buf();
  char self[4096], cmd[4200];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  self[sl > 0 ? sl : 0] = 0;
  snprintf(cmd, sizeof cmd, "LOADREP_NO_SHA_NI=1 '%s' --dump", self);
  FILE *child = sl > 0 ? popen(cmd, "r") : NULL;
  int same = child != NULL, lines = 0;
  for (size_t n = 0; child && n < 4096; n += 61) {
    hex_of(buf, n, h);
    if (!fgets(g, sizeof g, child) || strncmp(g, h, 64) != 0)
      same = 0;
    lines++;
  }
  if (child)
    pclose(child);
  OK(same && lines == 68, "the CPU's SHA extensions and the portable code agree on 68 lengths");
  free(buf);
  return test_report();
}
