/* hash_bench.c - how fast can ingest recognise a file it has seen? Hashes the
 * same bytes, in the same run, with each candidate and prints a Markdown table
 * (MB/s, 1 MB = 10^6 bytes, best of --repeat; ratio to OpenSSL's SHA-256).
 *
 *   hash_bench [--repeat N] [--chunk BYTES] FILE   (plain or gzip; read into memory)
 *   hash_bench [--repeat N] --size MB               (deterministic bytes)
 *
 * Candidates: util/filehash (what ingest uses: XXH3-128 from libxxhash,
 * compiled in), libxxhash's shared XXH3-128 (its SSE2 default and its
 * AVX2/AVX-512 dispatch), OpenSSL EVP SHA-256 when libcrypto was found, and
 * the hand-written SHA-256 of loadrep 0.1 when built with
 * -DBENCH_OLD_SHA256='"/path/to/old/sha256.c"' (see BENCHMARKS.md), plus
 * read() from the page cache in the ingest hasher's 1 MiB pieces, the floor
 * any of them sits on. Data is fed in --chunk pieces (default 1 MiB, as the
 * ingest hasher reads).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define XXH_DISPATCH_DISABLE_REPLACE /* call the default and the dispatch entry points by name */
#include <xxh_x86dispatch.h>
#include <xxhash.h>

#include "util/filehash.h"

#ifdef HAVE_LIBCRYPTO
#include <openssl/evp.h>
#endif
#ifdef BENCH_OLD_SHA256
#include BENCH_OLD_SHA256
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hexify(const unsigned char *d, size_t n, char *out) {
  for (size_t i = 0; i < n; i++)
    sprintf(out + 2 * i, "%02x", d[i]);
}

/* One candidate: hashes buf[0..n) in pieces of `chunk`, writes a digest. */
typedef void (*hash_fn)(const unsigned char *buf, size_t n, size_t chunk, char *digest);

static void h_filehash(const unsigned char *buf, size_t n, size_t chunk, char *digest) {
  struct filehash h;
  filehash_init(&h);
  for (size_t o = 0; o < n; o += chunk)
    filehash_update(&h, buf + o, n - o < chunk ? n - o : chunk);
  filehash_final(&h, digest);
}

/* The shared library's XXH3-128; `dispatch` picks the AVX2/AVX-512 path. */
static void xxh_lib(const unsigned char *buf, size_t n, size_t chunk, char *digest, int dispatch) {
  XXH3_state_t *st = XXH3_createState();
  XXH3_128bits_reset(st); /* the reset has no dispatch variant */
  for (size_t o = 0; o < n; o += chunk) {
    size_t k = n - o < chunk ? n - o : chunk;
    if (dispatch)
      XXH3_128bits_update_dispatch(st, buf + o, k);
    else
      XXH3_128bits_update(st, buf + o, k);
  }
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits_digest(st));
  XXH3_freeState(st);
  hexify(c.digest, sizeof c.digest, digest);
}

static void h_xxh_sse2(const unsigned char *b, size_t n, size_t c, char *d) { xxh_lib(b, n, c, d, 0); }
static void h_xxh_dispatch(const unsigned char *b, size_t n, size_t c, char *d) { xxh_lib(b, n, c, d, 1); }

#ifdef HAVE_LIBCRYPTO
static void h_evp_sha256(const unsigned char *buf, size_t n, size_t chunk, char *digest) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  for (size_t o = 0; o < n; o += chunk)
    EVP_DigestUpdate(ctx, buf + o, n - o < chunk ? n - o : chunk);
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  hexify(md, len, digest);
}
#endif

#ifdef BENCH_OLD_SHA256
static void h_old_sha256(const unsigned char *buf, size_t n, size_t chunk, char *digest) {
  struct sha256 c;
  sha256_init(&c);
  for (size_t o = 0; o < n; o += chunk)
    sha256_update(&c, buf + o, n - o < chunk ? n - o : chunk);
  sha256_final_hex(&c, digest);
}
#endif

/* The page-cache floor: read() of the file in 1 MiB pieces, no hash. */
static const char *g_path;
static void h_read(const unsigned char *buf, size_t n, size_t chunk, char *digest) {
  (void)buf, (void)n, (void)chunk;
  static unsigned char piece[1 << 20];
  int fd = open(g_path, O_RDONLY);
  unsigned long long total = 0;
  ssize_t k;
  while (fd >= 0 && (k = read(fd, piece, sizeof piece)) > 0)
    total += (unsigned long long)k;
  if (fd >= 0)
    close(fd);
  snprintf(digest, 80, "(%llu bytes read)", total);
}

struct cand {
  const char *name, *short_name;
  hash_fn fn;
  int is_ref; /* the ratio's denominator */
};

static unsigned char *load(const char *path, size_t *n) {
  gzFile f = gzopen(path, "rb"); /* plain files read through unchanged */
  if (!f)
    return NULL;
  gzbuffer(f, 1 << 20);
  size_t cap = 1 << 26, len = 0;
  unsigned char *buf = malloc(cap);
  for (;;) {
    if (cap - len < (1u << 20))
      buf = realloc(buf, cap *= 2);
    int k = gzread(f, buf + len, 1u << 20);
    if (k <= 0)
      break;
    len += (size_t)k;
  }
  gzclose(f);
  *n = len;
  return buf;
}

int main(int argc, char **argv) {
  int repeat = 3;
  size_t chunk = 1 << 20, size_mb = 0;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
      repeat = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
      chunk = (size_t)atol(argv[++i]);
    else if (!strcmp(argv[i], "--size") && i + 1 < argc)
      size_mb = (size_t)atol(argv[++i]);
    else if (argv[i][0] != '-')
      path = argv[i];
    else {
      fprintf(stderr, "usage: hash_bench [--repeat N] [--chunk BYTES] (FILE | --size MB)\n");
      return 64;
    }
  }
  if (repeat < 1 || chunk < 1 || (!path && !size_mb)) {
    fprintf(stderr, "usage: hash_bench [--repeat N] [--chunk BYTES] (FILE | --size MB)\n");
    return 64;
  }
  size_t n = 0;
  unsigned char *buf;
  if (path) {
    buf = load(path, &n);
    if (!buf) {
      fprintf(stderr, "hash_bench: cannot read %s\n", path);
      return 66;
    }
  } else {
    n = size_mb * 1000000;
    buf = malloc(n);
    unsigned long long s = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      buf[i] = (unsigned char)(" \n\"{}:,.0123456789abcdefhijklmnoprstuvwxyz_"[s % 43]);
    }
  }
  struct cand c[8];
  int nc = 0;
#ifdef HAVE_LIBCRYPTO
  c[nc++] = (struct cand){"SHA-256, OpenSSL EVP (" OPENSSL_VERSION_TEXT ")", "OpenSSL SHA-256", h_evp_sha256, 1};
#endif
#ifdef BENCH_OLD_SHA256
  c[nc++] = (struct cand){"SHA-256, hand-written util/sha256.c of loadrep 0.1 (SHA-NI)", "its SHA-256", h_old_sha256, 0};
#endif
  c[nc++] = (struct cand){"XXH3-128, libxxhash shared library, default (SSE2) path", "libxxhash", h_xxh_sse2, 0};
  c[nc++] = (struct cand){"XXH3-128, libxxhash shared library, runtime dispatch (AVX2/AVX-512)", "libxxhash", h_xxh_dispatch, 0};
  c[nc++] = (struct cand){"**XXH3-128, util/filehash.c (ingest's hash: xxHash's header, inlined)**", "filehash", h_filehash, 0};
  if (path) {
    g_path = path;
    c[nc++] = (struct cand){"read() from the page cache, 1 MiB pieces, no hash", "read()", h_read, 0};
  }
  if (!c[0].is_ref)
    c[0].is_ref = 1; /* without libcrypto the first row is the reference */

  double best[8], ref = 0;
  char dig[8][96];
  for (int k = 0; k < nc; k++)
    best[k] = 1e30;
  /* Interleaved rounds: a busy neighbour slows every candidate, not one. */
  for (int r = 0; r < repeat; r++)
    for (int k = 0; k < nc; k++) {
      double t0 = now();
      c[k].fn(buf, n, chunk, dig[k]);
      double t = now() - t0;
      if (t < best[k])
        best[k] = t;
    }
  for (int k = 0; k < nc; k++)
    if (c[k].is_ref)
      ref = best[k];
  printf("Input: %s, %zu bytes, fed in %zu-byte pieces; best of %d interleaved rounds.\n\n",
         path ? path : "generated", n, chunk, repeat);
  printf("| hash | time (s) | MB/s | vs %s | digest |\n|---|---:|---:|---:|---|\n", c[0].short_name);
  for (int k = 0; k < nc; k++)
    printf("| %s | %.3f | %.0f | %.2f× | `%.41s%s` |\n", c[k].name, best[k], (double)n / best[k] / 1e6,
           ref / best[k], dig[k], strlen(dig[k]) > 41 ? "…" : "");
  free(buf);
  return 0;
}
