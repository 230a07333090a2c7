#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/escape.h"
#include "render/template.h"
#include "util/embedded.h"
#include "util/err.h"
#include "util/xalloc.h"

enum node_kind { N_TEXT, N_VAR, N_EACH, N_IF, N_UNLESS };

enum filter {
  F_NONE = -1,
  /* Same order as filter_names[] (alphabetical, for bsearch). */
  F_CHG, F_CODE, F_COUNT, F_DUR, F_F0, F_F1, F_F2, F_F3, F_G3, F_HTML, F_INT, F_JSON, F_MB, F_MS,
  F_PASSFAIL, F_PCT, F_RAW, F_S, F_SENTENCE, F_YESNO
};

/* Filter names MUST be in alphabetical order (test_template checks it). */
const char *const tmpl_filter_names[] = {
  "chg", "code", "count", "dur", "f0", "f1", "f2", "f3", "g3", "html", "int", "json", "mb", "ms",
  "passfail", "pct", "raw", "s", "sentence", "yesno",
};
const size_t tmpl_filter_count = sizeof tmpl_filter_names / sizeof tmpl_filter_names[0];

struct node;
struct nodes {
  struct node *v;
  size_t n, cap;
};

struct node {
  enum node_kind kind;
  int line;
  const char *text; /* N_TEXT: points into tmpl->src */
  size_t len;
  char *path;       /* N_VAR and blocks */
  int optional;
  int filter;
  struct nodes body, alt;
};

struct tmpl {
  char *name;
  char *src;
  struct nodes root;
};

/* A tag found in the source: [start, end) is "{{...}}", [eff_start, eff_end)
 * what it removes (plus the surrounding whitespace of a standalone line). */
struct tag {
  size_t start, end, eff_start, eff_end;
  int line;
  int block;
};

static int cmp_name(const void *key, const void *elem) {
  return strcmp((const char *)key, *(const char *const *)elem);
}

static int find_filter(const char *name) {
  const char *const *hit =
      bsearch(name, tmpl_filter_names, tmpl_filter_count, sizeof *tmpl_filter_names, cmp_name);
  return hit ? (int)(hit - tmpl_filter_names) : F_NONE;
}

static struct node *push(struct nodes *ns) {
  XGROW(ns->v, ns->cap, ns->n + 1);
  struct node *nd = &ns->v[ns->n++];
  memset(nd, 0, sizeof *nd);
  nd->filter = F_NONE;
  return nd;
}

static void nodes_release(struct nodes *ns) {
  for (size_t i = 0; i < ns->n; i++) {
    free(ns->v[i].path);
    nodes_release(&ns->v[i].body);
    nodes_release(&ns->v[i].alt);
  }
  free(ns->v);
  ns->v = NULL;
  ns->n = ns->cap = 0;
}

void tmpl_free(struct tmpl *t) {
  if (!t)
    return;
  nodes_release(&t->root);
  free(t->name);
  free(t->src);
  free(t);
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Copies the tag's inner text, trimmed. */
static char *tag_inner(const char *src, const struct tag *tg) {
  size_t a = tg->start + 2, b = tg->end - 2;
  while (a < b && (is_space(src[a]) || src[a] == '\n' || src[a] == '\r'))
    a++;
  while (b > a && (is_space(src[b - 1]) || src[b - 1] == '\n' || src[b - 1] == '\r'))
    b--;
  return xstrndup(src + a, b - a);
}

static int valid_path(const char *p) {
  if (!*p)
    return 0;
  if (!strcmp(p, "."))
    return 1;
  for (const char *c = p; *c; c++)
    if (is_space(*c) || *c == '{' || *c == '}' || *c == '|' || *c == '?' || *c == '\n')
      return 0;
  /* No empty segments. */
  if (p[0] == '.' || p[strlen(p) - 1] == '.' || strstr(p, ".."))
    return 0;
  return 1;
}

struct parser {
  struct tmpl *t;
  struct tag *tags;
  size_t ntags, pos; /* next tag to consume */
  struct err *err;
};

/* Parses nodes until a closing tag ({{else}} or {{/x}}) or the end. On a
 * closing tag, *closer is set to its inner text (caller frees), else NULL. */
static int parse_nodes(struct parser *p, struct nodes *out, size_t text_from, size_t *text_end,
                       char **closer, int *closer_line) {
  const char *src = p->t->src;
  size_t from = text_from;
  *closer = NULL;
  while (p->pos < p->ntags) {
    struct tag *tg = &p->tags[p->pos++];
    if (tg->eff_start > from) {
      struct node *nd = push(out);
      nd->kind = N_TEXT;
      nd->text = src + from;
      nd->len = tg->eff_start - from;
    }
    from = tg->eff_end;
    char *in = tag_inner(src, tg);
    if (in[0] == '!') {
      free(in);
      continue;
    }
    if (in[0] == '/' || !strcmp(in, "else")) {
      *closer = in;
      *closer_line = tg->line;
      *text_end = from;
      return 0;
    }
    if (in[0] == '#') {
      enum node_kind kind;
      const char *kw;
      if (!strncmp(in, "#each", 5) && is_space(in[5])) {
        kind = N_EACH;
        kw = "each";
      } else if (!strncmp(in, "#if", 3) && is_space(in[3])) {
        kind = N_IF;
        kw = "if";
      } else if (!strncmp(in, "#unless", 7) && is_space(in[7])) {
        kind = N_UNLESS;
        kw = "unless";
      } else {
        err_set(p->err, LR_DATAERR, "%s:%d: unknown block '{{%s}}'", p->t->name, tg->line, in);
        free(in);
        return -1;
      }
      const char *arg = in + 1 + strlen(kw);
      while (is_space(*arg))
        arg++;
      struct node *nd = push(out);
      size_t idx = out->n - 1;
      nd->kind = kind;
      nd->line = tg->line;
      size_t alen = strlen(arg);
      if (alen && arg[alen - 1] == '?') {
        nd->optional = 1;
        alen--;
      }
      nd->path = xstrndup(arg, alen);
      if (!valid_path(nd->path)) {
        err_set(p->err, LR_DATAERR, "%s:%d: bad variable '%s' in '{{%s}}'", p->t->name, tg->line,
                nd->path, in);
        free(in);
        return -1;
      }
      char *cl = NULL;
      int cl_line = 0;
      struct nodes body = {0}, alt = {0};
      if (parse_nodes(p, &body, from, &from, &cl, &cl_line) < 0) {
        nodes_release(&body);
        free(in);
        return -1;
      }
      if (cl && !strcmp(cl, "else")) {
        free(cl);
        if (parse_nodes(p, &alt, from, &from, &cl, &cl_line) < 0) {
          nodes_release(&body);
          nodes_release(&alt);
          free(in);
          return -1;
        }
      }
      char want[16];
      snprintf(want, sizeof want, "/%s", kw);
      if (!cl || strcmp(cl, want)) {
        if (cl)
          err_set(p->err, LR_DATAERR, "%s:%d: '{{%s}}' closes '{{%s}}' of line %d", p->t->name,
                  cl_line, cl, in, tg->line);
        else
          err_set(p->err, LR_DATAERR, "%s:%d: '{{%s}}' is never closed", p->t->name, tg->line, in);
        free(cl);
        nodes_release(&body);
        nodes_release(&alt);
        free(in);
        return -1;
      }
      free(cl);
      free(in);
      nd = &out->v[idx]; /* out->v may have moved */
      nd->body = body;
      nd->alt = alt;
      continue;
    }
    /* A variable: path[?][|filter] */
    struct node *nd = push(out);
    nd->kind = N_VAR;
    nd->line = tg->line;
    char *bar = strchr(in, '|');
    if (bar) {
      *bar = 0;
      char *f = bar + 1;
      while (is_space(*f))
        f++;
      size_t fl = strlen(f);
      while (fl && is_space(f[fl - 1]))
        f[--fl] = 0;
      nd->filter = find_filter(f);
      if (nd->filter == F_NONE) {
        err_set(p->err, LR_DATAERR, "%s:%d: unknown filter '%s'", p->t->name, tg->line, f);
        free(in);
        return -1;
      }
    }
    size_t l = strlen(in);
    while (l && is_space(in[l - 1]))
      in[--l] = 0;
    if (l && in[l - 1] == '?') {
      nd->optional = 1;
      in[--l] = 0;
    }
    if (!valid_path(in)) {
      err_set(p->err, LR_DATAERR, "%s:%d: bad variable '{{%s}}'", p->t->name, tg->line, in);
      free(in);
      return -1;
    }
    nd->path = in;
  }
  size_t end = strlen(src);
  if (end > from) {
    struct node *nd = push(out);
    nd->kind = N_TEXT;
    nd->text = src + from;
    nd->len = end - from;
  }
  *text_end = end;
  return 0;
}

static int scan_tags(struct tmpl *t, struct tag **out, size_t *n, struct err *err) {
  const char *src = t->src;
  size_t cap = 0, cnt = 0;
  struct tag *tags = NULL;
  int line = 1;
  const char *line_at = src;
  for (const char *p = src; (p = strstr(p, "{{")) != NULL;) {
    for (; line_at < p; line_at++)
      if (*line_at == '\n')
        line++;
    const char *close = strstr(p + 2, "}}");
    if (!close) {
      free(tags);
      return err_set(err, LR_DATAERR, "%s:%d: '{{' without '}}'", t->name, line);
    }
    XGROW(tags, cap, cnt + 1);
    struct tag *tg = &tags[cnt++];
    tg->start = (size_t)(p - src);
    tg->end = (size_t)(close + 2 - src);
    tg->eff_start = tg->start;
    tg->eff_end = tg->end;
    tg->line = line;
    const char *in = p + 2;
    while (is_space(*in))
      in++;
    tg->block = *in == '#' || *in == '/' || *in == '!' || !strncmp(in, "else", 4);
    if (tg->block) {
      size_t a = tg->start, b = tg->end;
      while (a > 0 && is_space(src[a - 1]))
        a--;
      while (src[b] && is_space(src[b]))
        b++;
      int left = a == 0 || src[a - 1] == '\n';
      int right = !src[b] || src[b] == '\n' || (src[b] == '\r' && src[b + 1] == '\n');
      if (left && right) {
        tg->eff_start = a;
        tg->eff_end = !src[b] ? b : src[b] == '\n' ? b + 1 : b + 2;
      }
    }
    p = close + 2;
  }
  *out = tags;
  *n = cnt;
  return 0;
}

int tmpl_parse(const char *name, const char *text, struct tmpl **out, struct err *err) {
  struct tmpl *t = xcalloc(1, sizeof *t);
  t->name = xstrdup(name);
  t->src = xstrdup(text);
  struct parser p = {t, NULL, 0, 0, err};
  if (scan_tags(t, &p.tags, &p.ntags, err) < 0) {
    tmpl_free(t);
    return -1;
  }
  char *cl = NULL;
  int cl_line = 0;
  size_t end;
  int rc = parse_nodes(&p, &t->root, 0, &end, &cl, &cl_line);
  if (rc == 0 && cl) {
    rc = err_set(err, LR_DATAERR, "%s:%d: '{{%s}}' without an opening block", t->name, cl_line,
                 cl);
  }
  free(cl);
  free(p.tags);
  if (rc < 0) {
    tmpl_free(t);
    return -1;
  }
  *out = t;
  return 0;
}

/* ---- rendering ---- */

struct scope {
  json_t *item;
  const char *key; /* object member name, or NULL */
  size_t index, count;
};

struct render {
  const struct tmpl *t;
  json_t *root;
  struct scope *scopes;
  size_t depth, cap;
  struct err *err;
};

static json_t *special(struct render *r, const char *seg, json_t **tmp) {
  struct scope *s = r->depth ? &r->scopes[r->depth - 1] : NULL;
  if (!strcmp(seg, "@root"))
    return r->root;
  if (!strcmp(seg, "this") || !strcmp(seg, "."))
    return s ? s->item : r->root;
  if (!s)
    return NULL;
  if (!strcmp(seg, "@index"))
    return *tmp = json_integer((json_int_t)s->index);
  if (!strcmp(seg, "@n"))
    return *tmp = json_integer((json_int_t)s->index + 1);
  if (!strcmp(seg, "@first"))
    return *tmp = json_boolean(s->index == 0);
  if (!strcmp(seg, "@last"))
    return *tmp = json_boolean(s->index + 1 == s->count);
  if (!strcmp(seg, "@key"))
    return s->key ? (*tmp = json_string(s->key)) : NULL;
  return NULL;
}

/* Resolves path; *tmp receives a new reference the caller must drop. Returns
 * NULL (with err filled) when the path names nothing, or the json null
 * singleton for an optional missing path. */
static json_t *lookup(struct render *r, const struct node *nd, json_t **tmp) {
  *tmp = NULL;
  char *path = xstrdup(nd->path);
  char *save = NULL;
  char *seg = strcmp(path, ".") ? strtok_r(path, ".", &save) : path;
  json_t *v = NULL;
  if (seg[0] == '@' || !strcmp(seg, "this") || !strcmp(seg, ".")) {
    v = special(r, seg, tmp);
  } else {
    for (size_t i = r->depth; i-- > 0 && !v;)
      if (json_is_object(r->scopes[i].item))
        v = json_object_get(r->scopes[i].item, seg);
    if (!v && json_is_object(r->root))
      v = json_object_get(r->root, seg);
  }
  while (v && (seg = strcmp(nd->path, ".") ? strtok_r(NULL, ".", &save) : NULL) != NULL) {
    if (json_is_object(v)) {
      v = json_object_get(v, seg);
    } else if (json_is_array(v)) {
      char *end;
      unsigned long ix = strtoul(seg, &end, 10);
      v = *end ? NULL : json_array_get(v, ix);
    } else {
      v = NULL;
    }
  }
  free(path);
  if (!v) {
    if (*tmp) {
      json_decref(*tmp);
      *tmp = NULL;
    }
    if (nd->optional)
      return json_null();
    err_set(r->err, LR_DATAERR, "%s:%d: unknown variable '%s'", r->t->name, nd->line, nd->path);
  }
  return v;
}

static int truthy(json_t *v) {
  switch (json_typeof(v)) {
  case JSON_NULL:
  case JSON_FALSE: return 0;
  case JSON_TRUE: return 1;
  case JSON_INTEGER: return json_integer_value(v) != 0;
  case JSON_REAL: return json_real_value(v) != 0.0 && !isnan(json_real_value(v));
  case JSON_STRING: return json_string_length(v) > 0;
  case JSON_ARRAY: return json_array_size(v) > 0;
  case JSON_OBJECT: return json_object_size(v) > 0;
  }
  return 0;
}

/* Adds v with fixed decimals and no "-0". */
static void add_fixed(struct strbuf *out, double v, int decimals) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", decimals, v);
  if (buf[0] == '-') {
    int zero = 1;
    for (const char *c = buf + 1; *c; c++)
      if (*c != '0' && *c != '.')
        zero = 0;
    if (zero) {
      strbuf_addstr(out, buf + 1);
      return;
    }
  }
  strbuf_addstr(out, buf);
}

/* The default for numbers: integers as such, reals with at most 3 decimals
 * and no trailing zeros. */
static void add_default_number(struct strbuf *out, double v) {
  char buf[64];
  if (fabs(v) >= 1e15) {
    snprintf(buf, sizeof buf, "%.6g", v);
    strbuf_addstr(out, buf);
    return;
  }
  struct strbuf tmp = STRBUF_INIT;
  add_fixed(&tmp, v, 3);
  char *dot = strchr(tmp.buf, '.');
  if (dot) {
    char *e = tmp.buf + tmp.len;
    while (e > dot && (e[-1] == '0'))
      *--e = 0;
    if (e[-1] == '.')
      e[-1] = 0;
  }
  strbuf_addstr(out, tmp.buf);
  strbuf_release(&tmp);
}

static void fmt_number(int filter, double v, struct strbuf *out) {
  if (isnan(v) || isinf(v)) {
    strbuf_addstr(out, "n/a");
    return;
  }
  switch (filter) {
  case F_MS:
    add_fixed(out, v, fabs(v) < 100 ? 2 : fabs(v) < 10000 ? 1 : 0);
    break;
  case F_S:
    add_fixed(out, v, fabs(v) < 10 ? 2 : fabs(v) < 100 ? 1 : 0);
    break;
  case F_PCT: {
    double p = v * 100.0;
    if (!isfinite(p)) {
      strbuf_addstr(out, "n/a");
      break;
    }
    /* A small non-zero rate gets the decimals it needs (0.002%), never
     * "0.00%" for what is not zero. */
    int d = 2;
    while (p != 0 && fabs(p) < 0.5 * pow(10, -d) && d < 5)
      d++;
    add_fixed(out, p, d);
    strbuf_addch(out, '%');
    break;
  }
  case F_CHG:
    if (v > 0)
      strbuf_addch(out, '+');
    add_fixed(out, v, 1);
    strbuf_addch(out, '%');
    break;
  case F_F0:
  case F_INT: add_fixed(out, v, 0); break;
  case F_F1: add_fixed(out, v, 1); break;
  case F_F2: add_fixed(out, v, 2); break;
  case F_F3: add_fixed(out, v, 3); break;
  case F_MB: add_fixed(out, v / (1024.0 * 1024.0), 1); break;
  case F_G3: {
    char buf[64];
    snprintf(buf, sizeof buf, "%.3g", v);
    strbuf_addstr(out, buf);
    break;
  }
  case F_DUR: {
    if (v < 0 || v > 1e12) { /* not a duration a run can have */
      strbuf_addstr(out, "n/a");
      break;
    }
    double r = floor(v + 0.5);
    long long tot = (long long)r;
    long long h = tot / 3600, m = (tot % 3600) / 60, s = tot % 60;
    if (h)
      strbuf_addf(out, "%lldh%02lldm%02llds", h, m, s);
    else if (m)
      strbuf_addf(out, "%lldm%02llds", m, s);
    else
      strbuf_addf(out, "%llds", s);
    break;
  }
  default:
    add_default_number(out, v);
  }
}

int tmpl_format_number(const char *filter, double v, struct strbuf *out) {
  int f = filter ? find_filter(filter) : F_NONE;
  if (filter && f == F_NONE)
    return -1;
  fmt_number(f, v, out);
  return 0;
}

static int is_number_filter(int f) {
  return f == F_MS || f == F_S || f == F_PCT || f == F_CHG || f == F_F0 || f == F_F1 ||
         f == F_F2 || f == F_F3 || f == F_G3 || f == F_INT || f == F_MB || f == F_DUR;
}

static const char *type_name(json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "a list";
  case JSON_STRING: return "a string";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  default: return "a number";
  }
}

static int emit_var(struct render *r, const struct node *nd, struct strbuf *out) {
  json_t *tmp;
  json_t *v = lookup(r, nd, &tmp);
  if (!v)
    return -1;
  int f = nd->filter, rc = 0;
  if (f == F_JSON) {
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    esc_md(out, s ? s : "");
    free(s);
  } else if (f == F_COUNT) {
    if (json_is_array(v))
      strbuf_addf(out, "%zu", json_array_size(v));
    else if (json_is_object(v))
      strbuf_addf(out, "%zu", json_object_size(v));
    else if (json_is_null(v))
      strbuf_addstr(out, "0");
    else
      rc = err_set(r->err, LR_DATAERR, "%s:%d: '%s' is %s; filter 'count' needs a list",
                   r->t->name, nd->line, nd->path, type_name(v));
  } else if (json_is_object(v) || json_is_array(v)) {
    rc = err_set(r->err, LR_DATAERR, "%s:%d: '%s' is %s, not a value", r->t->name, nd->line,
                 nd->path, type_name(v));
  } else if (json_is_null(v)) {
    strbuf_addstr(out, "n/a");
  } else if (f == F_PASSFAIL || f == F_YESNO) {
    if (!json_is_boolean(v))
      rc = err_set(r->err, LR_DATAERR, "%s:%d: '%s' is %s; filter '%s' needs a boolean",
                   r->t->name, nd->line, nd->path, type_name(v), tmpl_filter_names[f]);
    else if (f == F_PASSFAIL)
      strbuf_addstr(out, json_is_true(v) ? "PASS" : "FAIL");
    else
      strbuf_addstr(out, json_is_true(v) ? "yes" : "no");
  } else if (json_is_boolean(v)) {
    if (is_number_filter(f))
      rc = err_set(r->err, LR_DATAERR, "%s:%d: '%s' is %s; filter '%s' needs a number",
                   r->t->name, nd->line, nd->path, type_name(v), tmpl_filter_names[f]);
    else
      strbuf_addstr(out, json_is_true(v) ? "yes" : "no");
  } else if (json_is_number(v)) {
    fmt_number(f, json_number_value(v), out);
  } else { /* string */
    const char *s = json_string_value(v);
    if (is_number_filter(f))
      rc = err_set(r->err, LR_DATAERR, "%s:%d: '%s' is %s; filter '%s' needs a number",
                   r->t->name, nd->line, nd->path, type_name(v), tmpl_filter_names[f]);
    else if (f == F_RAW)
      strbuf_addstr(out, s);
    else if (f == F_HTML)
      esc_html(out, s);
    else if (f == F_CODE)
      esc_md_code(out, s);
    else if (f == F_SENTENCE) { /* a note as a whole sentence: capital first, full stop last */
      size_t at = out->len, n = strlen(s);
      esc_md(out, s);
      if (out->len > at && out->buf[at] >= 'a' && out->buf[at] <= 'z')
        out->buf[at] = (char)(out->buf[at] - 'a' + 'A');
      if (n && !strchr(".!?", s[n - 1]))
        strbuf_addch(out, '.');
    } else
      esc_md(out, s);
  }
  json_decref(tmp);
  return rc;
}

static int render_nodes(struct render *r, const struct nodes *ns, struct strbuf *out);

static void push_scope(struct render *r, json_t *item, const char *key, size_t i, size_t n) {
  XGROW(r->scopes, r->cap, r->depth + 1);
  r->scopes[r->depth++] = (struct scope){item, key, i, n};
}

static int render_each(struct render *r, const struct node *nd, struct strbuf *out) {
  json_t *tmp;
  json_t *v = lookup(r, nd, &tmp);
  if (!v)
    return -1;
  int rc = 0;
  if (json_is_array(v)) {
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n && rc == 0; i++) {
      push_scope(r, json_array_get(v, i), NULL, i, n);
      rc = render_nodes(r, &nd->body, out);
      r->depth--;
    }
    if (n == 0)
      rc = render_nodes(r, &nd->alt, out);
  } else if (json_is_object(v)) {
    size_t n = json_object_size(v), i = 0;
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val) {
      push_scope(r, val, key, i++, n);
      rc = render_nodes(r, &nd->body, out);
      r->depth--;
      if (rc)
        break;
    }
    if (n == 0)
      rc = render_nodes(r, &nd->alt, out);
  } else if (json_is_null(v)) {
    rc = render_nodes(r, &nd->alt, out);
  } else {
    rc = err_set(r->err, LR_DATAERR, "%s:%d: '{{#each %s}}': '%s' is %s, not a list",
                 r->t->name, nd->line, nd->path, nd->path, type_name(v));
  }
  json_decref(tmp);
  return rc;
}

static int render_nodes(struct render *r, const struct nodes *ns, struct strbuf *out) {
  for (size_t i = 0; i < ns->n; i++) {
    const struct node *nd = &ns->v[i];
    int rc = 0;
    switch (nd->kind) {
    case N_TEXT:
      strbuf_add(out, nd->text, nd->len);
      break;
    case N_VAR:
      rc = emit_var(r, nd, out);
      break;
    case N_EACH:
      rc = render_each(r, nd, out);
      break;
    case N_IF:
    case N_UNLESS: {
      json_t *tmp;
      json_t *v = lookup(r, nd, &tmp);
      if (!v)
        return -1;
      int yes = truthy(v) ^ (nd->kind == N_UNLESS);
      json_decref(tmp);
      rc = render_nodes(r, yes ? &nd->body : &nd->alt, out);
      break;
    }
    }
    if (rc)
      return rc;
  }
  return 0;
}

int tmpl_render(const struct tmpl *t, json_t *root, struct strbuf *out, struct err *err) {
  struct render r = {t, root, NULL, 0, 0, err};
  int rc = render_nodes(&r, &t->root, out);
  free(r.scopes);
  return rc;
}

int tmpl_render_string(const char *name, const char *text, json_t *root, struct strbuf *out,
                       struct err *err) {
  struct tmpl *t;
  if (tmpl_parse(name, text, &t, err) < 0)
    return -1;
  int rc = tmpl_render(t, root, out, err);
  tmpl_free(t);
  return rc;
}

/* ------------------------------------------------------------ loading */

int tmpl_load(const char *template_dir, const char *name, char **text, char **label, struct err *err) {
  if (template_dir) {
    struct strbuf path = STRBUF_INIT;
    strbuf_addf(&path, "%s/%s", template_dir, name);
    FILE *f = fopen(path.buf, "rbe");
    if (f) {
      struct strbuf sb = STRBUF_INIT;
      char buf[8192];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&sb, buf, n);
      int bad = ferror(f);
      fclose(f);
      if (bad) {
        err_set(err, LR_IOERR, "cannot read '%s': %s", path.buf, strerror(errno));
        strbuf_release(&sb);
        strbuf_release(&path);
        return -1;
      }
      *text = strbuf_detach(&sb, NULL);
      *label = strbuf_detach(&path, NULL);
      return 0;
    }
    if (errno != ENOENT) {
      err_set(err, LR_NOINPUT, "cannot open '%s': %s", path.buf, strerror(errno));
      strbuf_release(&path);
      return -1;
    }
    strbuf_release(&path);
  }
  const struct embedded_file *ef = embedded_find(name);
  if (!ef)
    return err_set(err, LR_SOFTWARE, "template '%s' is not embedded in this build", name);
  *text = xstrdup((const char *)ef->data);
  struct strbuf l = STRBUF_INIT;
  strbuf_addf(&l, "templates/%s", name);
  *label = strbuf_detach(&l, NULL);
  return 0;
}
