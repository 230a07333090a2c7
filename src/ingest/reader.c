#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/reader.h"
#include "util/err.h"
#include "util/filehash.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define RAW_CHUNK (1u << 18)

struct reader {
  char *path;
  int fd;
  int gzip;
  int raw_eof;    /* read() returned 0 */
  int z_done;     /* gzip: last member ended and no more input */
  z_stream zs;
  unsigned char *raw; /* raw input buffer */
  size_t raw_len, raw_off;
  uint64_t raw_pos, raw_size;
  /* The file is hashed on a second thread, from its own descriptor, while
   * this one parses (XXH3-128 hashes faster than read() copies from the page
   * cache: docs/performance/BENCHMARKS.md). */
  pthread_t hasher;
  int hashing;
  atomic_int stop;
  int hash_errno;
  uint64_t hashed;
  char sha_hex[65];
  int inline_hash; /* not a regular file (a pipe): hash as we read */
  struct filehash sha;
  /* decompressed (or plain) data window */
  char *buf;
  size_t cap, start, end;
  int eof; /* no more content */
  long lineno;
};

static int raw_fill(struct reader *r, struct err *err) {
  ssize_t n;
  do
    n = read(r->fd, r->raw, RAW_CHUNK);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return err_set(err, LR_IOERR, "%s: read error: %s", r->path, strerror(errno));
  if (n == 0)
    r->raw_eof = 1;
  if (r->inline_hash) {
    filehash_update(&r->sha, r->raw, (size_t)n);
    r->hashed += (uint64_t)n;
  }
  r->raw_pos += (uint64_t)n;
  r->raw_len = (size_t)n;
  r->raw_off = 0;
  return 0;
}

static void *hash_file(void *arg) {
  struct reader *r = arg;
  struct filehash sha;
  filehash_init(&sha);
  int fd = open(r->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r->hash_errno = errno;
    return NULL;
  }
  size_t cap = 1u << 20;
  unsigned char *buf = malloc(cap);
  if (!buf) {
    r->hash_errno = ENOMEM;
    close(fd);
    return NULL;
  }
  for (;;) {
    if (atomic_load(&r->stop))
      break;
    ssize_t n = read(fd, buf, cap);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      r->hash_errno = errno;
      break;
    }
    if (n == 0) {
      filehash_final(&sha, r->sha_hex);
      break;
    }
    filehash_update(&sha, buf, (size_t)n);
    r->hashed += (uint64_t)n;
  }
  free(buf);
  close(fd);
  return NULL;
}

int reader_open(struct reader **out, const char *path, struct err *err) {
  struct reader *r = xcalloc(1, sizeof *r);
  r->path = xstrdup(path);
  r->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (r->fd < 0) {
    err_set(err, errno == ENOENT ? LR_NOINPUT : LR_IOERR, "cannot open '%s': %s", path, strerror(errno));
    reader_close(r);
    return -1;
  }
  struct stat sb;
  if (fstat(r->fd, &sb) == 0) {
    if (S_ISDIR(sb.st_mode)) {
      err_set(err, LR_NOINPUT, "'%s' is a directory, not a file", path);
      reader_close(r);
      return -1;
    }
    r->raw_size = (uint64_t)sb.st_size;
    r->inline_hash = !S_ISREG(sb.st_mode);
  }
  r->raw = xmalloc(RAW_CHUNK);
  filehash_init(&r->sha);
  if (!r->inline_hash && pthread_create(&r->hasher, NULL, hash_file, r) != 0) {
    err_set(err, LR_OSERR, "%s: cannot start a thread: %s", path, strerror(errno));
    reader_close(r);
    return -1;
  }
  r->hashing = !r->inline_hash;
  if (raw_fill(r, err) < 0) {
    reader_close(r);
    return -1;
  }
  if (r->raw_len >= 2 && r->raw[0] == 0x1f && r->raw[1] == 0x8b) {
    r->gzip = 1;
    if (inflateInit2(&r->zs, 15 + 16) != Z_OK) {
      err_set(err, LR_SOFTWARE, "%s: cannot initialise zlib", path);
      reader_close(r);
      return -1;
    }
  }
  r->cap = RAW_CHUNK * 4;
  r->buf = xmalloc(r->cap + 1);
  *out = r;
  return 0;
}

void reader_close(struct reader *r) {
  if (!r)
    return;
  if (r->hashing) {
    atomic_store(&r->stop, 1);
    pthread_join(r->hasher, NULL);
  }
  if (r->gzip)
    inflateEnd(&r->zs);
  if (r->fd >= 0)
    close(r->fd);
  free(r->raw);
  free(r->buf);
  free(r->path);
  free(r);
}

/* Appends more content after r->end; sets r->eof at the end. */
static int fill(struct reader *r, struct err *err) {
  if (r->start > 0 && (r->start == r->end || r->end + RAW_CHUNK > r->cap)) {
    memmove(r->buf, r->buf + r->start, r->end - r->start);
    r->end -= r->start;
    r->start = 0;
  }
  if (r->cap - r->end < RAW_CHUNK) {
    r->cap *= 2;
    r->buf = xrealloc(r->buf, r->cap + 1);
  }
  for (;;) {
    if (r->raw_off == r->raw_len) {
      if (r->raw_eof) {
        if (r->gzip && !r->z_done)
          return err_set(err, LR_DATAERR,
                         "%s:%ld: truncated gzip stream (the file ends before the compressed data does)",
                         r->path, r->lineno + 1);
        r->eof = 1;
        return 0;
      }
      if (!r->gzip && !r->inline_hash) {
        /* Plain file: read straight into the line buffer, no copy. */
        ssize_t n;
        do
          n = read(r->fd, r->buf + r->end, r->cap - r->end);
        while (n < 0 && errno == EINTR);
        if (n < 0)
          return err_set(err, LR_IOERR, "%s: read error: %s", r->path, strerror(errno));
        r->raw_pos += (uint64_t)n;
        r->end += (size_t)n;
        if (n == 0)
          r->raw_eof = 1;
        else
          return 0;
        continue;
      }
      if (raw_fill(r, err) < 0)
        return -1;
      continue;
    }
    if (!r->gzip) {
      size_t n = r->raw_len - r->raw_off;
      if (n > r->cap - r->end)
        n = r->cap - r->end;
      memcpy(r->buf + r->end, r->raw + r->raw_off, n);
      r->raw_off += n;
      r->end += n;
      return 0;
    }
    if (r->z_done) {
      /* Another gzip member follows (concatenated .gz files). */
      if (inflateReset(&r->zs) != Z_OK)
        return err_set(err, LR_SOFTWARE, "%s: zlib reset failed", r->path);
      r->z_done = 0;
    }
    r->zs.next_in = r->raw + r->raw_off;
    r->zs.avail_in = (uInt)(r->raw_len - r->raw_off);
    r->zs.next_out = (unsigned char *)r->buf + r->end;
    r->zs.avail_out = (uInt)(r->cap - r->end);
    int zr = inflate(&r->zs, Z_NO_FLUSH);
    size_t produced = (size_t)((char *)r->zs.next_out - (r->buf + r->end));
    r->raw_off = (size_t)(r->zs.next_in - r->raw);
    r->end += produced;
    if (zr == Z_STREAM_END) {
      r->z_done = 1;
    } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
      return err_set(err, LR_DATAERR, "%s:%ld: corrupt gzip data: %s", r->path, r->lineno + 1,
                     r->zs.msg ? r->zs.msg : "inflate failed");
    }
    if (produced)
      return 0;
  }
}

int reader_peek(struct reader *r, size_t want, const unsigned char **buf, size_t *n, struct err *err) {
  while (r->end - r->start < want && !r->eof)
    if (fill(r, err) < 0)
      return -1;
  *buf = (const unsigned char *)r->buf + r->start;
  *n = r->end - r->start < want ? r->end - r->start : want;
  return 0;
}

int reader_getline(struct reader *r, const char **line, size_t *len, struct err *err) {
  size_t scan = r->start;
  for (;;) {
    char *nl = memchr(r->buf + scan, '\n', r->end - scan);
    if (nl) {
      size_t l = (size_t)(nl - (r->buf + r->start));
      *line = r->buf + r->start;
      if (l && (*line)[l - 1] == '\r')
        l--;
      r->buf[r->start + l] = 0; /* the byte was the newline or CR */
      *len = l;
      r->start = (size_t)(nl - r->buf) + 1;
      r->lineno++;
      return 1;
    }
    if (r->eof) {
      if (r->start == r->end)
        return 0;
      *line = r->buf + r->start;
      *len = r->end - r->start;
      if (*len && (*line)[*len - 1] == '\r')
        (*len)--;
      r->buf[r->start + *len] = 0;
      r->start = r->end;
      r->lineno++;
      return 1;
    }
    size_t scanned = r->end - r->start;
    if (fill(r, err) < 0)
      return -1;
    scan = r->start + scanned;
  }
}

long reader_lineno(const struct reader *r) { return r->lineno; }

int reader_read_all(struct reader *r, struct strbuf *sb, struct err *err) {
  for (;;) {
    strbuf_add(sb, r->buf + r->start, r->end - r->start);
    r->start = r->end;
    if (r->eof)
      return 0;
    if (fill(r, err) < 0)
      return -1;
  }
}

int reader_finish(struct reader *r, uint64_t *size, char sha256_hex[65], struct err *err) {
  if (r->hashing) {
    pthread_join(r->hasher, NULL);
    r->hashing = 0;
  }
  if (r->inline_hash) {
    while (!r->raw_eof)
      if (raw_fill(r, err) < 0)
        return -1;
    filehash_final(&r->sha, r->sha_hex);
  }
  if (r->hash_errno)
    return err_set(err, LR_IOERR, "%s: read error: %s", r->path, strerror(r->hash_errno));
  if (!r->sha_hex[0])
    return err_set(err, LR_IOERR, "%s: the file could not be read to its end", r->path);
  *size = r->hashed;
  memcpy(sha256_hex, r->sha_hex, 65);
  return 0;
}

uint64_t reader_raw_pos(const struct reader *r) { return r->raw_pos; }
uint64_t reader_raw_size(const struct reader *r) { return r->raw_size; }
int reader_is_gzip(const struct reader *r) { return r->gzip; }
const char *reader_path(const struct reader *r) { return r->path; }
