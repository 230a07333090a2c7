/* reader.h - reads an input file line by line, gunzipping when its first
 * bytes are the gzip magic (never by extension), hashing the raw bytes.
 *
 * reader_open() → reader_peek() (detection) → reader_getline()… or
 * reader_read_all() → reader_finish() (size, sha256) → reader_close().
 * Lines come without their "\n" (and without a "\r" before it); they stay
 * valid until the next call. A truncated gzip stream is an error (LR_DATAERR)
 * naming the file and the line it stopped in.
 */
#ifndef LOADREP_READER_H
#define LOADREP_READER_H
#include <stddef.h>
#include <stdint.h>

struct err;
struct strbuf;
struct reader;

int reader_open(struct reader **out, const char *path, struct err *err);
void reader_close(struct reader *r);

/** Up to `want` bytes of the start of the (decompressed) content. */
int reader_peek(struct reader *r, size_t want, const unsigned char **buf, size_t *n, struct err *err);

/** 1 with line and len set, 0 at end of file, -1 on error. */
int reader_getline(struct reader *r, const char **line, size_t *len, struct err *err);
/** Line number of the last line returned (1-based). */
long reader_lineno(const struct reader *r);
/** Appends the whole remaining content to sb. */
int reader_read_all(struct reader *r, struct strbuf *sb, struct err *err);

/** Reads to the end (when not there yet) and gives the raw size and sha256. */
int reader_finish(struct reader *r, uint64_t *size, char sha256_hex[65], struct err *err);

/** Raw bytes consumed so far and the file's raw size, for progress lines. */
uint64_t reader_raw_pos(const struct reader *r);
uint64_t reader_raw_size(const struct reader *r);
int reader_is_gzip(const struct reader *r);
const char *reader_path(const struct reader *r);

#endif
