#include <ctype.h>
#include <string.h>

#include "ingest/endpoint.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static int all_digits(const char *s, size_t n) {
  if (!n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return 0;
  return 1;
}

static int is_uuid(const char *s, size_t n) {
  static const int dash[] = {8, 13, 18, 23};
  if (n != 36)
    return 0;
  for (size_t i = 0, d = 0; i < n; i++) {
    if (d < 4 && i == (size_t)dash[d]) {
      if (s[i] != '-')
        return 0;
      d++;
    } else if (!isxdigit((unsigned char)s[i])) {
      return 0;
    }
  }
  return 1;
}

static int is_long_hex(const char *s, size_t n) {
  if (n < 16)
    return 0;
  int digit = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isxdigit((unsigned char)s[i]))
      return 0;
    digit |= isdigit((unsigned char)s[i]) != 0;
  }
  return digit; /* a long all-letter word such as "deadbeefcafebabe" still counts only with a digit */
}

static int id_like(const char *s, size_t n) { return all_digits(s, n) || is_uuid(s, n) || is_long_hex(s, n); }

char *endpoint_normalize(const char *name) {
  const char *path = NULL;
  if (!strncmp(name, "http://", 7) || !strncmp(name, "https://", 8)) {
    path = strchr(strstr(name, "://") + 3, '/');
    if (!path) {
      size_t n = strcspn(name, "?#");
      return xstrndup(name, n);
    }
  } else if (name[0] == '/') {
    path = name;
  } else {
    return xstrdup(name);
  }
  struct strbuf out = STRBUF_INIT;
  strbuf_add(&out, name, (size_t)(path - name));
  size_t end = strcspn(path, "?#");
  const char *p = path, *stop = path + end;
  while (p < stop) {
    /* p is at a '/' */
    strbuf_addch(&out, '/');
    p++;
    const char *seg = p;
    while (p < stop && *p != '/')
      p++;
    size_t n = (size_t)(p - seg);
    if (id_like(seg, n))
      strbuf_addstr(&out, "{id}");
    else
      strbuf_add(&out, seg, n);
  }
  return strbuf_detach(&out, NULL);
}

char *endpoint_label(const char *method, const char *name) {
  size_t m = strlen(method);
  if (!m || (!strncmp(name, method, m) && name[m] == ' '))
    return xstrdup(name);
  struct strbuf sb = STRBUF_INIT;
  strbuf_addf(&sb, "%s %s", method, name);
  return strbuf_detach(&sb, NULL);
}
