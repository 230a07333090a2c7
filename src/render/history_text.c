/* history_text.c - text and Markdown renderings of history_build()'s JSON. */
#include <stdio.h>
#include <string.h>

#include "render/escape.h"
#include "render/history_text.h"
#include "util/jsonx.h"
#include "util/strbuf.h"

/* Run r's value in the unit of h. */
static const char *run_value(char *buf, size_t len, json_t *h, json_t *r) {
  const char *unit = jx_str(h, "unit");
  double v = json_number_value(json_object_get(r, "value"));
  if (!strcmp(unit, "fraction"))
    snprintf(buf, len, "%.3f%%", v * 100);
  else if (!strcmp(unit, "req/s"))
    snprintf(buf, len, "%.2f/s", v);
  else
    snprintf(buf, len, "%.2f ms", v);
  return buf;
}

/* "<prefix>+12.3% (p = 0.01)" when run r starts a change point. */
static void change_point(struct strbuf *out, json_t *r, const char *prefix) {
  if (json_is_true(json_object_get(r, "change_point")))
    strbuf_addf(out, "%s%+.1f%% (p = %.2g)", prefix, json_number_value(json_object_get(r, "change_pct")),
                json_number_value(json_object_get(r, "p_value")));
}

void history_render_text(json_t *h, struct strbuf *out) {
  json_t *runs = json_object_get(h, "runs"), *r;
  size_t i, wn = 3;
  strbuf_addf(out, "metric %s of ", jx_str(h, "metric"));
  esc_term(out, jx_str(h, "endpoint"));
  if (json_is_string(json_object_get(h, "scenario"))) {
    strbuf_addstr(out, ", scenario ");
    esc_term(out, jx_str(h, "scenario"));
  }
  strbuf_addstr(out, "\n\n");
  json_array_foreach(runs, i, r) {
    size_t l = strlen(jx_str(r, "name"));
    wn = l > wn ? l : wn;
  }
  strbuf_addf(out, "%6s  %-*s  %14s  %8s  %s\n", "ID", (int)wn, "RUN", "VALUE", "N", "CHANGE POINT");
  json_array_foreach(runs, i, r) {
    char val[64];
    struct strbuf name = STRBUF_INIT;
    esc_term(&name, jx_str(r, "name"));
    strbuf_addf(out, "%6lld  %-*s  %14s  %8lld", (long long)json_integer_value(json_object_get(r, "id")), (int)wn,
                name.buf, run_value(val, sizeof val, h, r), (long long)json_integer_value(json_object_get(r, "n")));
    strbuf_release(&name);
    change_point(out, r, "  <- ");
    strbuf_addch(out, '\n');
  }
  size_t ncp = json_array_size(json_object_get(h, "change_points"));
  strbuf_addf(out, "\n%zu run%s, %zu change point%s\n", json_array_size(runs), json_array_size(runs) == 1 ? "" : "s",
              ncp, ncp == 1 ? "" : "s");
}

void history_render_md(json_t *h, struct strbuf *out) {
  json_t *r;
  size_t i;
  strbuf_addstr(out, "| Id | Run | ");
  esc_md(out, jx_str(h, "metric"));
  strbuf_addstr(out, " | n | Change point |\n|---:|---|---:|---:|---|\n");
  json_array_foreach(json_object_get(h, "runs"), i, r) {
    char val[64];
    strbuf_addf(out, "| %lld | ", (long long)json_integer_value(json_object_get(r, "id")));
    esc_md(out, jx_str(r, "name"));
    strbuf_addf(out, " | %s | %lld | ", run_value(val, sizeof val, h, r),
                (long long)json_integer_value(json_object_get(r, "n")));
    change_point(out, r, "");
    strbuf_addstr(out, " |\n");
  }
}
