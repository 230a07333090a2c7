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

/* 6 or more hex digits, at least one of them a digit: "a1b2c3", a hash.
 * (An all-letter word such as "facade" or "deadbeef" is not an id.) */
static int is_hex_id(const char *s, size_t n) {
  if (n < 6)
    return 0;
  int digit = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isxdigit((unsigned char)s[i]))
      return 0;
    digit |= isdigit((unsigned char)s[i]) != 0;
  }
  return digit;
}

/* A slug with a number in it: parts of letters and digits joined by '-' or
 * '_' ("stu-42", "order_2024_0001", "user-a1b2c3"), one part of which is a
 * number or a hex id. "api-v2" and "v2" are not ids. */
static int is_slug_id(const char *s, size_t n) {
  int sep = 0, idpart = 0;
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '-' || s[i] == '_') {
      size_t len = i - start;
      if (!len)
        return 0; /* "-x", "a--b", "x-" */
      if (all_digits(s + start, len) || is_hex_id(s + start, len))
        idpart = 1;
      sep += i < n;
      start = i + 1;
    } else if (!isalnum((unsigned char)s[i])) {
      return 0;
    }
  }
  return sep && idpart;
}

/* k6 names a request made with http.url`...` after the template, writing
 * "${}" for every interpolation: a segment with one is an id. */
static int has_template_hole(const char *s, size_t n) {
  for (size_t i = 0; i + 3 <= n; i++)
    if (!memcmp(s + i, "${}", 3))
      return 1;
  return 0;
}

static int id_like(const char *s, size_t n) {
  return all_digits(s, n) || is_uuid(s, n) || is_hex_id(s, n) || is_slug_id(s, n) || has_template_hole(s, n);
}

char *endpoint_normalize(const char *name) {
  const char *path = NULL, *start = name;
  if (!strncmp(name, "${}", 3)) {
    /* http.url`${BASE}/api/x/${id}`: the base URL is an interpolation; what
     * follows it is the path. */
    const char *p = name;
    while (!strncmp(p, "${}", 3))
      p += 3;
    if (*p != '/')
      return xstrdup(name);
    start = path = p;
  } else if (!strncmp(name, "http://", 7) || !strncmp(name, "https://", 8)) {
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
  strbuf_add(&out, start, (size_t)(path - start));
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
