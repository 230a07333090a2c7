#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/outfile.h"
#include "util/err.h"
#include "util/strbuf.h"

int outfile_write(const char *path, const void *data, size_t len, struct err *err) {
  struct strbuf tmp = STRBUF_INIT;
  strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
  int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    err_set(err, LR_CANTCREAT, "cannot create '%s': %s", path, strerror(errno));
    strbuf_release(&tmp);
    return -1;
  }
  const char *p = data;
  size_t left = len;
  while (left) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      err_set(err, LR_IOERR, "cannot write '%s': %s", path, strerror(w < 0 ? errno : EIO));
      close(fd);
      unlink(tmp.buf);
      strbuf_release(&tmp);
      return -1;
    }
    p += w;
    left -= (size_t)w;
  }
  if (close(fd) < 0) {
    err_set(err, LR_IOERR, "cannot write '%s': %s", path, strerror(errno));
    unlink(tmp.buf);
    strbuf_release(&tmp);
    return -1;
  }
  int rc = outfile_commit(tmp.buf, path, err);
  strbuf_release(&tmp);
  return rc;
}

int outfile_commit(const char *tmp, const char *path, struct err *err) {
  if (rename(tmp, path) < 0) {
    err_set(err, LR_IOERR, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

int outfile_mkdirs(const char *dir, struct err *err) {
  struct strbuf sb = STRBUF_INIT;
  strbuf_addstr(&sb, dir);
  for (char *p = sb.buf + 1; ; p++) {
    char c = *p;
    if (c == '/' || c == 0) {
      *p = 0;
      if (mkdir(sb.buf, 0755) < 0 && errno != EEXIST) {
        err_set(err, LR_CANTCREAT, "cannot create directory '%s': %s", sb.buf, strerror(errno));
        strbuf_release(&sb);
        return -1;
      }
      *p = c;
      if (!c)
        break;
    }
  }
  struct stat st;
  int ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
  strbuf_release(&sb);
  if (!ok)
    return err_set(err, LR_CANTCREAT, "cannot create directory '%s': not a directory", dir);
  return 0;
}

int outfile_read(const char *path, struct strbuf *data, size_t max) {
  FILE *f = fopen(path, "rbe");
  if (!f)
    return -1;
  char buf[8192];
  size_t n;
  while (data->len < max && (n = fread(buf, 1, sizeof buf, f)) > 0)
    strbuf_add(data, buf, n);
  int bad = ferror(f);
  fclose(f);
  return bad ? -1 : 0;
}
