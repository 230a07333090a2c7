/* sysstats_text.c - the system series table of `show`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/escape.h"
#include "render/sysstats_text.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* s with control characters replaced, for terminals. */
static void put_term(const char *s, FILE *f) {
  struct strbuf sb = STRBUF_INIT;
  esc_term(&sb, s);
  fwrite(sb.buf, 1, sb.len, f);
  strbuf_release(&sb);
}

static void fmt_value(const char *unit, json_t *jv, char *buf, size_t n) {
  if (!json_is_number(jv)) {
    snprintf(buf, n, "-");
    return;
  }
  double v = json_number_value(jv);
  if (!strcmp(unit, "bytes") || !strcmp(unit, "bytes/s")) {
    static const char *const suf[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    double a = v;
    while (fabs(a) >= 1024 && i < 4) {
      a /= 1024;
      i++;
    }
    snprintf(buf, n, i ? "%.1f %s%s" : "%.0f %s%s", a, suf[i], unit[5] ? "/s" : "");
  } else if (!strcmp(unit, "percent")) {
    snprintf(buf, n, "%.1f%%", v);
  } else if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 0.01)) {
    snprintf(buf, n, "%.3g", v);
  } else if (v == floor(v)) {
    snprintf(buf, n, "%.0f", v);
  } else {
    snprintf(buf, n, "%.2f", v);
  }
}

static size_t display_width(const char *s) {
  size_t w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if ((*p & 0xC0) != 0x80)
      w++;
  return w;
}

static void pad(FILE *f, size_t n) {
  for (size_t i = 0; i < n; i++)
    fputc(' ', f);
}

void sysstats_print_text(json_t *system, FILE *f) {
  size_t rows = json_array_size(system);
  if (!rows)
    return;
  enum { NCOL = 7 };
  static const char *const head[NCOL] = {"samples", "min", "avg", "p95", "max", "at peak", "unit"};
  static const char *const keys[5] = {"min", "avg", "p95", "max", "at_peak"};
  char(*cell)[NCOL][32] = xcalloc(rows, sizeof *cell);
  char **label = xcalloc(rows, sizeof *label);
  size_t w0 = strlen("system series"), w[NCOL];
  for (int c = 0; c < NCOL; c++)
    w[c] = strlen(head[c]);
  for (size_t i = 0; i < rows; i++) {
    json_t *o = json_array_get(system, i);
    const char *host = json_string_value(json_object_get(o, "host"));
    const char *unit = json_string_value(json_object_get(o, "unit"));
    struct strbuf sb = STRBUF_INIT;
    if (host && *host)
      strbuf_addf(&sb, "%s: ", host);
    strbuf_addstr(&sb, json_string_value(json_object_get(o, "series")) ? json_string_value(json_object_get(o, "series")) : "");
    label[i] = strbuf_detach(&sb, NULL);
    if (display_width(label[i]) > w0)
      w0 = display_width(label[i]);
    snprintf(cell[i][0], 32, "%lld", (long long)json_integer_value(json_object_get(o, "samples")));
    for (int k = 0; k < 5; k++)
      fmt_value(unit ? unit : "", json_object_get(o, keys[k]), cell[i][k + 1], 32);
    snprintf(cell[i][6], 32, "%s", unit ? unit : "");
    for (int c = 0; c < NCOL; c++)
      if (strlen(cell[i][c]) > w[c])
        w[c] = strlen(cell[i][c]);
  }
  fputs("system series", f);
  pad(f, w0 - strlen("system series"));
  for (int c = 0; c < NCOL; c++) {
    fputs("  ", f);
    if (c < NCOL - 1) {
      pad(f, w[c] - strlen(head[c]));
      fputs(head[c], f);
    } else {
      fputs(head[c], f);
    }
  }
  fputc('\n', f);
  for (size_t i = 0; i < rows; i++) {
    put_term(label[i], f);
    pad(f, w0 - display_width(label[i]));
    for (int c = 0; c < NCOL; c++) {
      fputs("  ", f);
      if (c < NCOL - 1)
        pad(f, w[c] - strlen(cell[i][c]));
      put_term(cell[i][c], f);
    }
    fputc('\n', f);
    free(label[i]);
  }
  free(label);
  free(cell);
}
