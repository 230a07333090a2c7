/* history_text.c - text and Markdown renderings of history_build()'s JSON. */
#include <stdio.h>
#include <string.h>

#include "render/escape.h"
#include "render/history_text.h"
#include "util/strbuf.h"

static void fmt_hval(char *buf, size_t len, const char *unit, double v) {
  if (!strcmp(unit, "fraction"))
    snprintf(buf, len, "%.3f%%", v * 100);
  else if (!strcmp(unit, "req/s"))
    snprintf(buf, len, "%.2f/s", v);
  else
    snprintf(buf, len, "%.2f ms", v);
}

void history_render_text(json_t *h, struct strbuf *out) {
  json_t *runs = json_object_get(h, "runs");
  const char *unit = json_string_value(json_object_get(h, "unit"));
  strbuf_addstr(out, "metric ");
  strbuf_addstr(out, json_string_value(json_object_get(h, "metric")));
  strbuf_addstr(out, " of ");
  esc_term(out, json_string_value(json_object_get(h, "endpoint")));
  if (json_is_string(json_object_get(h, "scenario"))) {
    strbuf_addstr(out, ", scenario ");
    esc_term(out, json_string_value(json_object_get(h, "scenario")));
  }
  strbuf_addstr(out, "\n\n");
  size_t wn = 3;
  for (size_t i = 0; i < json_array_size(runs); i++) {
    size_t l = strlen(json_string_value(json_object_get(json_array_get(runs, i), "name")));
    wn = l > wn ? l : wn;
  }
  strbuf_addf(out, "%6s  %-*s  %14s  %8s  %s\n", "ID", (int)wn, "RUN", "VALUE", "N", "CHANGE POINT");
  for (size_t i = 0; i < json_array_size(runs); i++) {
    json_t *r = json_array_get(runs, i);
    char val[64];
    fmt_hval(val, sizeof val, unit, json_number_value(json_object_get(r, "value")));
    struct strbuf name = STRBUF_INIT;
    esc_term(&name, json_string_value(json_object_get(r, "name")));
    strbuf_addf(out, "%6lld  %-*s  %14s  %8lld", (long long)json_integer_value(json_object_get(r, "id")), (int)wn,
                name.buf, val, (long long)json_integer_value(json_object_get(r, "n")));
    strbuf_release(&name);
    if (json_is_true(json_object_get(r, "change_point")))
      strbuf_addf(out, "  <- %+.1f%% (p = %.2g)", json_number_value(json_object_get(r, "change_pct")),
                  json_number_value(json_object_get(r, "p_value")));
    strbuf_addch(out, '\n');
  }
  size_t ncp = json_array_size(json_object_get(h, "change_points"));
  strbuf_addf(out, "\n%zu run%s, %zu change point%s\n", json_array_size(runs), json_array_size(runs) == 1 ? "" : "s",
              ncp, ncp == 1 ? "" : "s");
}

void history_render_md(json_t *h, struct strbuf *out) {
  json_t *runs = json_object_get(h, "runs");
  const char *unit = json_string_value(json_object_get(h, "unit"));
  strbuf_addstr(out, "| Id | Run | ");
  esc_md(out, json_string_value(json_object_get(h, "metric")));
  strbuf_addstr(out, " | n | Change point |\n|---:|---|---:|---:|---|\n");
  for (size_t i = 0; i < json_array_size(runs); i++) {
    json_t *r = json_array_get(runs, i);
    char val[64];
    fmt_hval(val, sizeof val, unit, json_number_value(json_object_get(r, "value")));
    strbuf_addf(out, "| %lld | ", (long long)json_integer_value(json_object_get(r, "id")));
    esc_md(out, json_string_value(json_object_get(r, "name")));
    strbuf_addf(out, " | %s | %lld | ", val, (long long)json_integer_value(json_object_get(r, "n")));
    if (json_is_true(json_object_get(r, "change_point")))
      strbuf_addf(out, "%+.1f%% (p = %.2g)", json_number_value(json_object_get(r, "change_pct")),
                  json_number_value(json_object_get(r, "p_value")));
    strbuf_addstr(out, " |\n");
  }
}
