/* filehash.h - the content hash that recognises a file ingested twice.
 *
 * XXH3-128 from xxHash (Debian: libxxhash-dev), written "xxh3-128:" and 32
 * lowercase hex digits (the canonical, big-endian form `xxhsum -H2` prints).
 * Not a cryptographic hash: it tells the same file given again from a new
 * one, which is all ingest asks of it; chosen over SHA-256 by measurement
 * (docs/performance/BENCHMARKS.md, "Content hash").
 *
 * The algorithm's name is part of the value, so a value only ever equals one
 * of its own algorithm: databases written before it hold a bare SHA-256 (64
 * hex digits) in source_files.sha256, which no value of this hash matches.
 */
#ifndef LOADREP_FILEHASH_H
#define LOADREP_FILEHASH_H
#include <stddef.h>

#define FILEHASH_PREFIX "xxh3-128:"
/** Characters of a value, without its NUL (41). */
#define FILEHASH_LEN (sizeof FILEHASH_PREFIX - 1 + 32)

/* xxHash's XXH3_state_t (576 bytes in 0.8) lives inside, at a 64-byte
 * boundary found at run time, so the struct can sit anywhere (e.g. in a
 * calloc'd one); don't copy a started one. */
#define FILEHASH_STATE_MAX 576
struct filehash {
  unsigned char mem[FILEHASH_STATE_MAX + 64];
};

void filehash_init(struct filehash *h);
void filehash_update(struct filehash *h, const void *data, size_t n);
/** Writes the value and a NUL into out (FILEHASH_LEN + 1 bytes or more). */
void filehash_final(struct filehash *h, char *out);

#endif
