#include "util/utf8.h"

size_t utf8_seq_len(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  if (n == 0)
    return 0;
  unsigned c = s[0];
  size_t len;
  unsigned min, cp;
  if (c < 0x80)
    return 1;
  else if ((c & 0xe0) == 0xc0)
    len = 2, min = 0x80, cp = c & 0x1f;
  else if ((c & 0xf0) == 0xe0)
    len = 3, min = 0x800, cp = c & 0x0f;
  else if ((c & 0xf8) == 0xf0)
    len = 4, min = 0x10000, cp = c & 0x07;
  else
    return 0;
  if (n < len)
    return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[k] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

size_t utf8_invalid_at(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t len = utf8_seq_len(s + i, n - i);
    if (!len)
      return i;
    i += len;
  }
  return n;
}

size_t utf8_bom_len(const unsigned char *s, size_t n) {
  return n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf ? 3 : 0;
}

size_t utf8_text_start(const unsigned char *s, size_t n) {
  size_t i = utf8_bom_len(s, n);
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
    i++;
  return i;
}

size_t utf8_char_start(const char *s, size_t i) {
  while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
    i--;
  return i;
}
