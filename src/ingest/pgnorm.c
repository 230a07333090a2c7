/* pgnorm.c - pg_normalise(): a statement's text as pg_stat_statements
 * shows it (constants as $n, white space as one space), so the server
 * log's statements join the pg_stat_statements export. */
#include <ctype.h>
#include <string.h>

#include "ingest/pglog.h"
#include "util/strbuf.h"

static int ident_start(unsigned char c) { return isalpha(c) || c == '_' || c >= 0x80; }
static int ident_char(unsigned char c) { return isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

/* One walk over the text; with out == NULL it only finds the highest $n. */
struct norm {
  const char *s;
  size_t n;
  struct strbuf *out;
  int *maxp;
  int next;          /* the number of the next placeholder */
  int pending_space; /* white space or a comment since the last output */
  char prev;         /* last significant output character */
};

static void emit_space(struct norm *z) {
  if (z->pending_space && z->out && z->out->len)
    strbuf_addch(z->out, ' ');
  z->pending_space = 0;
}

/* Text kept as it is; prev is what it counts as ('a' a name, '0' a value). */
static void emit(struct norm *z, size_t from, size_t len, char prev) {
  emit_space(z);
  if (z->out)
    strbuf_add(z->out, z->s + from, len);
  z->prev = prev;
}

static void placeholder(struct norm *z) {
  emit_space(z);
  if (z->out)
    strbuf_addf(z->out, "$%d", z->next);
  z->next++;
  z->prev = '0';
}

/* The end of a nested block comment opening at i. */
static size_t block_comment_end(const char *s, size_t n, size_t i) {
  int depth = 0;
  while (i < n) {
    if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
      depth++;
      i += 2;
    } else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
      i += 2;
      if (--depth == 0)
        break;
    } else {
      i++;
    }
  }
  return i;
}

/* The end of a text quoted with q opening at i (q doubled is q itself). */
static size_t quoted_end(const char *s, size_t n, size_t i, char q) {
  size_t j = i + 1;
  while (j < n) {
    if (s[j] == q) {
      if (j + 1 < n && s[j + 1] == q) {
        j += 2;
        continue;
      }
      j++;
      break;
    }
    j++;
  }
  return j;
}

/* At '$': a parameter $n (kept), a dollar-quoted constant, or a lone '$'. */
static size_t norm_dollar(struct norm *z, size_t i) {
  const char *s = z->s;
  size_t n = z->n, j = i + 1;
  if (j < n && isdigit((unsigned char)s[j])) { /* parameter $n: kept */
    long v = 0;
    while (j < n && isdigit((unsigned char)s[j])) {
      if (v < 100000)
        v = v * 10 + (s[j] - '0');
      j++;
    }
    if (z->maxp && v > *z->maxp)
      *z->maxp = (int)v;
    emit(z, i, j - i, '0');
    return j;
  }
  /* dollar quote $tag$ ... $tag$ */
  while (j < n && (ident_char((unsigned char)s[j]) && s[j] != '$'))
    j++;
  if (j < n && s[j] == '$' && (j == i + 1 || ident_start((unsigned char)s[i + 1]))) {
    size_t tl = j - i + 1;
    const char *tag = s + i;
    size_t k = j + 1;
    while (k + tl <= n && memcmp(s + k, tag, tl))
      k++;
    placeholder(z);
    return k + tl <= n ? k + tl : n;
  }
  emit(z, i, 1, '$');
  return i + 1;
}

/* At a name: E'..', B'..', X'..', N'..' (one letter right before a quote)
 * are constants; other names are kept. */
static size_t norm_ident(struct norm *z, size_t i) {
  const char *s = z->s;
  size_t n = z->n, j = i;
  unsigned char c = (unsigned char)s[i];
  while (j < n && ident_char((unsigned char)s[j]))
    j++;
  if (j - i == 1 && j < n && s[j] == '\'' && strchr("EeBbXxNn", c)) {
    int esc = c == 'E' || c == 'e';
    size_t k = j + 1;
    while (k < n) {
      if (esc && s[k] == '\\' && k + 1 < n) {
        k += 2;
        continue;
      }
      if (s[k] == '\'') {
        if (k + 1 < n && s[k + 1] == '\'') {
          k += 2;
          continue;
        }
        k++;
        break;
      }
      k++;
    }
    placeholder(z);
    return k;
  }
  emit(z, i, j - i, 'a');
  return j;
}

/* Whether a number starts at i: a digit, '.' and a digit after something
 * other than a name, or '-' before one where a value may start (*neg). */
static int number_starts(const struct norm *z, size_t i, int *neg) {
  const char *s = z->s;
  size_t n = z->n;
  unsigned char c = (unsigned char)s[i];
  *neg = c == '-' && i + 1 < n &&
         (isdigit((unsigned char)s[i + 1]) || (s[i + 1] == '.' && i + 2 < n && isdigit((unsigned char)s[i + 2]))) &&
         (z->prev == 0 || strchr("=<>(,+-*/%^|[:", z->prev));
  return isdigit(c) || *neg || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]) && z->prev != 'a');
}

/* The end of a number at i: hexadecimal, or digits (with '_'), a fraction
 * and an exponent. */
static size_t number_end(const char *s, size_t n, size_t i, int neg) {
  size_t j = i + (neg ? 1 : 0);
  if (j + 1 < n && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
    j += 2;
    while (j < n && isxdigit((unsigned char)s[j]))
      j++;
    return j;
  }
  while (j < n && (isdigit((unsigned char)s[j]) || s[j] == '_'))
    j++;
  if (j < n && s[j] == '.') {
    j++;
    while (j < n && isdigit((unsigned char)s[j]))
      j++;
  }
  if (j < n && (s[j] == 'e' || s[j] == 'E') &&
      ((j + 1 < n && isdigit((unsigned char)s[j + 1])) ||
       (j + 2 < n && (s[j + 1] == '+' || s[j + 1] == '-') && isdigit((unsigned char)s[j + 2])))) {
    j += 2;
    while (j < n && isdigit((unsigned char)s[j]))
      j++;
  }
  return j;
}

static void norm_walk(const char *s, size_t n, struct strbuf *out, int *maxp, int base) {
  struct norm z = {.s = s, .n = n, .out = out, .maxp = maxp, .next = base + 1};
  size_t i = 0;
  int neg;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      z.pending_space = 1;
      i++;
    } else if (c == '-' && i + 1 < n && s[i + 1] == '-') { /* comment to the end of the line */
      while (i < n && s[i] != '\n')
        i++;
      z.pending_space = 1;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      i = block_comment_end(s, n, i);
      z.pending_space = 1;
    } else if (c == '"') { /* quoted identifier: kept */
      size_t j = quoted_end(s, n, i, '"');
      emit(&z, i, j - i, 'a');
      i = j;
    } else if (c == '\'') { /* string constant */
      placeholder(&z);
      i = quoted_end(s, n, i, '\'');
    } else if (c == '$') {
      i = norm_dollar(&z, i);
    } else if (ident_start(c)) {
      i = norm_ident(&z, i);
    } else if (number_starts(&z, i, &neg)) {
      placeholder(&z);
      i = number_end(s, n, i, neg);
    } else {
      emit(&z, i, 1, (char)c);
      i++;
    }
  }
}

char *pg_normalise(const char *sql, size_t len) {
  int maxp = 0;
  norm_walk(sql, len, NULL, &maxp, 0);
  struct strbuf sb = STRBUF_INIT;
  norm_walk(sql, len, &sb, NULL, maxp);
  while (sb.len && (sb.buf[sb.len - 1] == ';' || sb.buf[sb.len - 1] == ' '))
    sb.buf[--sb.len] = 0;
  return strbuf_detach(&sb, NULL);
}
