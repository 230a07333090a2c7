/* outfile.h - write report files whole or not at all.
 *
 * outfile_write() writes to "PATH.tmp.<pid>" in the same directory, flushes,
 * and renames over PATH, so a reader never sees a torn file. Returns 0, or
 * -1 with err filled (LR_CANTCREAT when the file cannot be created, LR_IOERR
 * when writing fails); the temporary file is removed on failure.
 */
#ifndef LOADREP_OUTFILE_H
#define LOADREP_OUTFILE_H
#include <stddef.h>

struct err;

int outfile_write(const char *path, const void *data, size_t len, struct err *err);

/** Creates `dir` and its parents as needed (LR_CANTCREAT on failure). */
int outfile_mkdirs(const char *dir, struct err *err);

/** Renames tmp over path (LR_IOERR on failure, tmp removed). */
int outfile_commit(const char *tmp, const char *path, struct err *err);

struct strbuf;
/** Appends the file at path to data (at most max bytes); -1 when it cannot
 *  be opened or read (errno set). */
int outfile_read(const char *path, struct strbuf *data, size_t max);

#endif
