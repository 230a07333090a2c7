/* slo.c - service-level objectives: parsing and resolution (see slo.h). */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/slo.h"
#include "store/store.h"
#include "store/store_metrics.h"
#include "util/err.h"
#include "util/names.h"
#include "util/xalloc.h"

#define SLO_DEFAULT_P95_MS 2000.0
#define SLO_DEFAULT_ERROR_RATE 0.01

/* One objective pair as written somewhere; NAN where not set. */
struct slo_pair {
  double p95_ms, error_rate;
};

struct slo_entry {
  char *key;
  struct slo_pair o;
};

struct slo_set {
  struct slo_pair cli;
  int has_file;
  struct slo_pair file_default;
  struct slo_entry *scen, *ep;
  size_t nscen, nep;
  struct slo_capacity cap;
};

const char *slo_source_name(enum slo_source s) {
  static const char *const names[] = {[SLO_SRC_K6_THRESHOLD] = "k6_threshold", [SLO_SRC_FILE] = "file",
                                      [SLO_SRC_CLI] = "cli"};
  return name_of(names, NAMES_COUNT(names), (int)s, "default");
}

int slo_p95_met(double p95_ms, double objective_ms) {
  return isfinite(p95_ms) && p95_ms < objective_ms;
}

int slo_errors_met(double rate, double objective) {
  if (!isfinite(rate))
    return 0;
  return objective <= 0 ? rate <= 0 : rate < objective;
}

struct slo_set *slo_set_new(void) {
  struct slo_set *s = xcalloc(1, sizeof *s);
  s->cli.p95_ms = s->cli.error_rate = NAN;
  s->file_default.p95_ms = s->file_default.error_rate = NAN;
  s->cap.target_users = 0;
  s->cap.zero_errors_at = NAN;
  return s;
}

static void entries_free(struct slo_entry *e, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(e[i].key);
  free(e);
}

void slo_set_free(struct slo_set *s) {
  if (!s)
    return;
  entries_free(s->scen, s->nscen);
  entries_free(s->ep, s->nep);
  free(s);
}

/* ------------------------------------------------------------- CLI text */

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* One "key<value unit" part; 0 or -1. */
static int parse_part(const char *part, double *p95, double *er) {
  const char *p = skip_ws(part);
  char key[32];
  size_t k = 0;
  while (*p && *p != '<' && *p != ' ' && k < sizeof key - 1)
    key[k++] = (char)tolower((unsigned char)*p++);
  key[k] = 0;
  p = skip_ws(p);
  if (*p != '<')
    return -1;
  p++;
  if (*p == '=')
    p++;
  p = skip_ws(p);
  char *end;
  double v = strtod(p, &end);
  if (end == p || !isfinite(v) || v < 0)
    return -1;
  const char *unit = skip_ws(end);
  char u[8];
  size_t ul = 0;
  while (*unit && *unit != ' ' && ul < sizeof u - 1)
    u[ul++] = (char)tolower((unsigned char)*unit++);
  u[ul] = 0;
  if (*skip_ws(unit))
    return -1;
  if (!strcmp(key, "p95") || !strcmp(key, "p(95)") || !strcmp(key, "latency")) {
    if (v <= 0)
      return -1;
    if (!strcmp(u, "ms") || !*u)
      *p95 = v;
    else if (!strcmp(u, "s"))
      *p95 = v * 1000;
    else
      return -1;
    return 0;
  }
  if (!strcmp(key, "errors") || !strcmp(key, "error") || !strcmp(key, "error_rate") ||
      !strcmp(key, "err")) {
    double r;
    if (!strcmp(u, "%"))
      r = v / 100;
    else if (!*u && v < 1)
      r = v;
    else
      return -1;
    if (!(r >= 0) || r > 1) /* errors<100% is "not every request failed" */
      return -1;
    *er = r;
    return 0;
  }
  return -1;
}

int slo_parse_text(const char *text, double *p95_ms, double *error_rate, struct err *err) {
  double p95 = NAN, er = NAN;
  int rc = text && *skip_ws(text) ? 0 : -1;
  if (rc == 0) {
    char *copy = xstrdup(text);
    char *save = NULL;
    for (char *part = strtok_r(copy, ",;", &save); part && rc == 0;
         part = strtok_r(NULL, ",;", &save))
      rc = parse_part(part, &p95, &er);
    free(copy);
  }
  if (rc < 0)
    return err_set(err, LR_USAGE,
                   "option '--slo': expected e.g. 'p95<2000ms,errors<1%%' (p95 in ms or s, errors in %%), got '%s'",
                   text ? text : "");
  *p95_ms = p95;
  *error_rate = er;
  return 0;
}

int slo_set_cli(struct slo_set *s, const char *text, struct err *err) {
  double p95, er;
  if (slo_parse_text(text, &p95, &er, err) < 0)
    return -1;
  if (isfinite(p95))
    s->cli.p95_ms = p95;
  if (isfinite(er))
    s->cli.error_rate = er;
  return 0;
}

/* ------------------------------------------------------------- the file */

/* Reads {"p95_ms": N, "error_rate": F} into *o; -1 with err naming `where`. */
static int parse_pair(json_t *v, const char *path, const char *where, struct slo_pair *o,
                      struct err *err) {
  o->p95_ms = o->error_rate = NAN;
  if (!json_is_object(v))
    return err_set(err, LR_DATAERR, "%s: '%s' must be an object such as {\"p95_ms\": 2000, \"error_rate\": 0.01}",
                   path, where);
  const char *k;
  json_t *x;
  json_object_foreach(v, k, x) {
    if (!strcmp(k, "p95_ms")) {
      if (!json_is_number(x) || !(json_number_value(x) > 0) || !isfinite(json_number_value(x)))
        return err_set(err, LR_DATAERR, "%s: '%s.p95_ms' must be a number of milliseconds above 0", path,
                       where);
      o->p95_ms = json_number_value(x);
    } else if (!strcmp(k, "error_rate")) {
      double r = json_is_number(x) ? json_number_value(x) : NAN;
      if (!(r >= 0 && r < 1))
        return err_set(err, LR_DATAERR,
                       "%s: '%s.error_rate' must be a fraction from 0 to below 1 (0.01 is 1 %%)", path, where);
      o->error_rate = r;
    } else {
      return err_set(err, LR_DATAERR, "%s: unknown key '%s.%s' (expected p95_ms, error_rate)", path, where, k);
    }
  }
  return 0;
}

static int parse_entries(json_t *v, const char *path, const char *section, struct slo_entry **out,
                         size_t *nout, struct err *err) {
  if (!json_is_object(v))
    return err_set(err, LR_DATAERR, "%s: '%s' must be an object of name: objectives", path, section);
  size_t n = json_object_size(v), i = 0;
  struct slo_entry *e = xcalloc(n ? n : 1, sizeof *e);
  const char *k;
  json_t *x;
  json_object_foreach(v, k, x) {
    char where[256];
    snprintf(where, sizeof where, "%s.%s", section, k);
    if (parse_pair(x, path, where, &e[i].o, err) < 0) {
      entries_free(e, i);
      return -1;
    }
    e[i++].key = xstrdup(k);
  }
  *out = e;
  *nout = i;
  return 0;
}

static int parse_capacity(json_t *v, const char *path, struct slo_capacity *c, struct err *err) {
  if (!json_is_object(v))
    return err_set(err, LR_DATAERR, "%s: 'capacity' must be an object", path);
  const char *k;
  json_t *x;
  json_object_foreach(v, k, x) {
    if (!strcmp(k, "target_users")) {
      double u = json_is_number(x) ? json_number_value(x) : NAN;
      if (!(u >= 1 && u <= 1e9) || u != floor(u))
        return err_set(err, LR_DATAERR, "%s: 'capacity.target_users' must be a whole number of users, 1 or more",
                       path);
      c->target_users = (long)u;
    } else if (!strcmp(k, "zero_errors_at")) {
      double f = json_is_number(x) ? json_number_value(x) : NAN;
      if (!(f > 0 && f <= 1))
        return err_set(err, LR_DATAERR,
                       "%s: 'capacity.zero_errors_at' must be a fraction of capacity above 0, at most 1 (0.8 is 80 %%)",
                       path);
      c->zero_errors_at = f;
    } else {
      return err_set(err, LR_DATAERR, "%s: unknown key 'capacity.%s' (expected target_users, zero_errors_at)",
                     path, k);
    }
  }
  return 0;
}

int slo_set_file(struct slo_set *s, const char *path, struct err *err) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return err_set(err, LR_NOINPUT, "cannot read SLO file '%s'", path);
  json_error_t je;
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
  fclose(f);
  if (!root)
    return err_set(err, LR_DATAERR, "%s:%d: not valid JSON: %s", path, je.line, je.text);
  struct slo_set t = *s;
  t.scen = t.ep = NULL;
  t.nscen = t.nep = 0;
  t.file_default.p95_ms = t.file_default.error_rate = NAN;
  int rc = json_is_object(root) ? 0 : err_set(err, LR_DATAERR, "%s: expected a JSON object", path);
  const char *k;
  json_t *v;
  if (rc == 0) {
    json_object_foreach(root, k, v) {
      if (!strcmp(k, "default"))
        rc = parse_pair(v, path, "default", &t.file_default, err);
      else if (!strcmp(k, "scenarios"))
        rc = parse_entries(v, path, "scenarios", &t.scen, &t.nscen, err);
      else if (!strcmp(k, "endpoints"))
        rc = parse_entries(v, path, "endpoints", &t.ep, &t.nep, err);
      else if (!strcmp(k, "capacity"))
        rc = parse_capacity(v, path, &t.cap, err);
      else if (k[0] != '_' && k[0] != '$')
        rc = err_set(err, LR_DATAERR,
                     "%s: unknown key '%s' (expected default, scenarios, endpoints, capacity)", path, k);
      if (rc < 0)
        break;
    }
  }
  json_decref(root);
  if (rc < 0) {
    entries_free(t.scen, t.nscen);
    entries_free(t.ep, t.nep);
    return -1;
  }
  entries_free(s->scen, s->nscen);
  entries_free(s->ep, s->nep);
  t.has_file = 1;
  *s = t;
  return 0;
}

void slo_capacity_of(const struct slo_set *s, struct slo_capacity *out) {
  *out = s->cap;
}

int slo_set_has_overrides(const struct slo_set *s) {
  return isfinite(s->cli.p95_ms) || isfinite(s->cli.error_rate) || s->has_file;
}

/* ------------------------------------------------------------- resolution */

/* An endpoint key matches "NAME" or "METHOD NAME" (k6's name tag may or
 * may not carry the method). */
static int endpoint_matches(const char *key, const char *endpoint) {
  if (!strcmp(key, endpoint))
    return 1;
  const char *sp = strchr(key, ' ');
  return sp && !strchr(endpoint, ' ') && !strcmp(sp + 1, endpoint);
}

static const struct slo_entry *find_entry(const struct slo_entry *e, size_t n, const char *name,
                                          int is_endpoint) {
  if (!name)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (is_endpoint ? endpoint_matches(e[i].key, name) : !strcmp(e[i].key, name))
      return &e[i];
  return NULL;
}

/* Parses "p(95)<2000" / "rate<0.01" (also "<="); returns the bound or NAN. */
static double threshold_bound(const char *expr, const char *agg) {
  const char *p = skip_ws(expr);
  size_t n = strlen(agg);
  if (strncmp(p, agg, n))
    return NAN;
  p = skip_ws(p + n);
  if (*p != '<')
    return NAN;
  p++;
  if (*p == '=')
    p++;
  char *end;
  double v = strtod(p, &end);
  if (end == p || *skip_ws(end) || !isfinite(v))
    return NAN;
  return v;
}

/* The submetric's name tag: "metric{name:X}" → X (in buf); NULL when the
 * metric is the plain one (or {expected_response:true}); "" otherwise. */
static const char *threshold_target(const char *metric, const char *base, char *buf, size_t cap) {
  size_t n = strlen(base);
  if (strncmp(metric, base, n))
    return "";
  const char *p = metric + n;
  if (!*p || !strcmp(p, "{expected_response:true}"))
    return NULL;
  if (strncmp(p, "{name:", 6))
    return "";
  p += 6;
  size_t len = strlen(p);
  if (len < 1 || p[len - 1] != '}' || len - 1 >= cap)
    return "";
  memcpy(buf, p, len - 1);
  buf[len - 1] = 0;
  return buf;
}

struct k6_found {
  double ep_p95, all_p95, ep_err, all_err;
  char ep_p95_m[128], all_p95_m[128], ep_err_m[128], all_err_m[128];
};

static void k6_note(double *slot, char *m, double v, const char *metric, const char *expr) {
  if (isfinite(v) && !isfinite(*slot)) {
    *slot = v;
    snprintf(m, 128, "%s %s", metric, expr);
  }
}

static int k6_thresholds(struct store *st, int64_t run_id, const char *endpoint, struct k6_found *f,
                         struct err *err) {
  f->ep_p95 = f->all_p95 = f->ep_err = f->all_err = NAN;
  if (!st || run_id <= 0)
    return 0;
  struct store_threshold_row *th;
  size_t nth;
  if (store_thresholds_of(st, run_id, &th, &nth, err) < 0)
    return -1;
  for (size_t i = 0; i < nth; i++) {
    const char *m = th[i].metric, *x = th[i].expression;
    char buf[256];
    const char *tgt = threshold_target(m, "http_req_duration", buf, sizeof buf);
    double b = threshold_bound(x, "p(95)");
    if (!tgt)
      k6_note(&f->all_p95, f->all_p95_m, b, m, x);
    else if (*tgt && endpoint && endpoint_matches(tgt, endpoint))
      k6_note(&f->ep_p95, f->ep_p95_m, b, m, x);
    tgt = threshold_target(m, "http_req_failed", buf, sizeof buf);
    b = threshold_bound(x, "rate");
    if (!tgt)
      k6_note(&f->all_err, f->all_err_m, b, m, x);
    else if (*tgt && endpoint && endpoint_matches(tgt, endpoint))
      k6_note(&f->ep_err, f->ep_err_m, b, m, x);
  }
  store_threshold_rows_free(th, nth);
  return 0;
}

/* Resolves one field: CLI, file (endpoint, scenario, default), k6, built-in. */
static void resolve_field(double cli, const struct slo_entry *ep, const struct slo_entry *sc,
                          double file_def, int has_file, double k6_ep, const char *k6_ep_m, double k6_all,
                          const char *k6_all_m, double builtin, size_t off, double *v,
                          enum slo_source *src, char *from, size_t cap) {
#define FIELD(e) (*(const double *)((const char *)&(e)->o + off))
  if (isfinite(cli)) {
    *v = cli, *src = SLO_SRC_CLI;
    snprintf(from, cap, "cli: --slo");
  } else if (ep && isfinite(FIELD(ep))) {
    *v = FIELD(ep), *src = SLO_SRC_FILE;
    snprintf(from, cap, "file: endpoints.%s", ep->key);
  } else if (sc && isfinite(FIELD(sc))) {
    *v = FIELD(sc), *src = SLO_SRC_FILE;
    snprintf(from, cap, "file: scenarios.%s", sc->key);
  } else if (has_file && isfinite(file_def)) {
    *v = file_def, *src = SLO_SRC_FILE;
    snprintf(from, cap, "file: default");
  } else if (isfinite(k6_ep)) {
    *v = k6_ep, *src = SLO_SRC_K6_THRESHOLD;
    snprintf(from, cap, "k6: %s", k6_ep_m);
  } else if (isfinite(k6_all)) {
    *v = k6_all, *src = SLO_SRC_K6_THRESHOLD;
    snprintf(from, cap, "k6: %s", k6_all_m);
  } else {
    *v = builtin, *src = SLO_SRC_DEFAULT;
    snprintf(from, cap, "built-in default");
  }
#undef FIELD
}

int slo_resolve(const struct slo_set *s, struct store *st, int64_t run_id, const char *scenario,
                const char *endpoint, struct slo *out, struct err *err) {
  struct k6_found k6;
  if (endpoint && !strcmp(endpoint, "ALL"))
    endpoint = NULL;
  if (k6_thresholds(st, run_id, endpoint, &k6, err) < 0)
    return -1;
  const struct slo_entry *ep = find_entry(s->ep, s->nep, endpoint, 1);
  const struct slo_entry *sc = find_entry(s->scen, s->nscen, scenario, 0);
  memset(out, 0, sizeof *out);
  resolve_field(s->cli.p95_ms, ep, sc, s->file_default.p95_ms, s->has_file, k6.ep_p95, k6.ep_p95_m,
                k6.all_p95, k6.all_p95_m, SLO_DEFAULT_P95_MS, offsetof(struct slo_pair, p95_ms),
                &out->p95_ms, &out->p95_src, out->p95_from, sizeof out->p95_from);
  resolve_field(s->cli.error_rate, ep, sc, s->file_default.error_rate, s->has_file, k6.ep_err,
                k6.ep_err_m, k6.all_err, k6.all_err_m, SLO_DEFAULT_ERROR_RATE,
                offsetof(struct slo_pair, error_rate), &out->error_rate, &out->err_src, out->err_from,
                sizeof out->err_from);
  return 0;
}

json_t *slo_to_json(const struct slo *o) {
  return json_pack("{s:f, s:f, s:{s:s, s:s}, s:{s:s, s:s}}", "p95_slo_ms", o->p95_ms, "error_slo",
                   o->error_rate, "slo_source", "p95", slo_source_name(o->p95_src), "errors",
                   slo_source_name(o->err_src), "slo_from", "p95", o->p95_from, "errors", o->err_from);
}
