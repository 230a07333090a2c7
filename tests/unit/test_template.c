/* test_template.c - the report template language (src/render/template.h). */
#include <jansson.h>
#include <stdlib.h>

#include "harness.h"
#include "render/template.h"
#include "util/err.h"

static json_t *J(const char *text) {
  json_error_t je;
  json_t *v = json_loads(text, 0, &je);
  if (!v) {
    fprintf(stderr, "bad test JSON: %s\n", je.text);
    abort();
  }
  return v;
}

/* Renders tmpl over json; returns the output (static buffer) or "ERR: msg". */
static const char *R(const char *tmpl, const char *json) {
  static char buf[4096];
  struct strbuf out = STRBUF_INIT;
  struct err err = ERR_INIT;
  json_t *root = J(json);
  if (tmpl_render_string("t.tmpl", tmpl, root, &out, &err) < 0)
    snprintf(buf, sizeof buf, "ERR: %s", err.msg);
  else
    snprintf(buf, sizeof buf, "%s", out.buf);
  json_decref(root);
  strbuf_release(&out);
  return buf;
}

static void variables(void) {
  STR_EQ(R("a {{x}} b", "{\"x\":\"hi\"}"), "a hi b", "plain string");
  STR_EQ(R("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":3}}}"), "3", "dotted path");
  STR_EQ(R("{{m.p(95)}}", "{\"m\":{\"p(95)\":1.5}}"), "1.5", "key with parentheses");
  STR_EQ(R("{{l.1}}", "{\"l\":[\"a\",\"b\"]}"), "b", "array index");
  STR_EQ(R("{{x}}", "{\"x\":null}"), "n/a", "null");
  STR_EQ(R("{{x}}", "{\"x\":true}"), "yes", "bool");
  STR_EQ(R("{{x}}", "{\"x\":2.5000}"), "2.5", "trailing zeros trimmed");
  STR_EQ(R("{{x}}", "{\"x\":1234567}"), "1234567", "integer");
  STR_EQ(R("{{ x }}", "{\"x\":1}"), "1", "spaces inside tag");
  STR_EQ(R("{{y?}}", "{\"x\":1}"), "n/a", "optional missing");
  STR_EQ(R("{{y?|ms}}", "{\"x\":1}"), "n/a", "optional missing with filter");
}

static void escaping(void) {
  STR_EQ(R("{{x}}", "{\"x\":\"a|b\"}"), "a\\|b", "pipe escaped");
  STR_EQ(R("{{x}}", "{\"x\":\"<script>alert(1)</script>\"}"),
         "\\<script\\>alert(1)\\</script\\>", "html tags escaped");
  STR_EQ(R("{{x}}", "{\"x\":\"a\\nb\\r\\tc\"}"), "a b  c", "newlines become spaces");
  STR_EQ(R("{{x}}", "{\"x\":\"`rm -rf`\"}"), "\\`rm -rf\\`", "backticks");
  STR_EQ(R("{{x}}", "{\"x\":\"# h\"}"), "\\# h", "heading marker at start");
  STR_EQ(R("{{x}}", "{\"x\":\"1. x\"}"), "1\\. x", "list marker at start");
  STR_EQ(R("{{x|raw}}", "{\"x\":\"**b**\"}"), "**b**", "raw");
  STR_EQ(R("{{x|html}}", "{\"x\":\"<a href='x'>&\"}"), "&lt;a href=&#39;x&#39;&gt;&amp;", "html");
  STR_EQ(R("{{x|code}}", "{\"x\":\"a`b|c\"}"), "``a`b\\|c``", "code span");
  STR_EQ(R("{{x}}", "{\"x\":\"/api/{id}/start\"}"), "/api/{id}/start", "braces kept readable");
}

static void filters(void) {
  STR_EQ(R("{{x|ms}}", "{\"x\":0.5678}"), "0.57", "ms small");
  STR_EQ(R("{{x|ms}}", "{\"x\":15.938}"), "15.94", "ms");
  STR_EQ(R("{{x|ms}}", "{\"x\":1266.58}"), "1266.6", "ms large");
  STR_EQ(R("{{x|ms}}", "{\"x\":50439.4}"), "50439", "ms very large");
  STR_EQ(R("{{x|pct}}", "{\"x\":0.2862}"), "28.62%", "pct");
  STR_EQ(R("{{x|pct}}", "{\"x\":0}"), "0.00%", "pct zero");
  STR_EQ(R("{{x|chg}}", "{\"x\":12.34}"), "+12.3%", "chg up");
  STR_EQ(R("{{x|chg}}", "{\"x\":-50}"), "-50.0%", "chg down");
  STR_EQ(R("{{x|chg}}", "{\"x\":-0.01}"), "0.0%", "no negative zero");
  STR_EQ(R("{{x|int}}", "{\"x\":188379}"), "188379", "int");
  STR_EQ(R("{{x|f1}}", "{\"x\":889.56}"), "889.6", "f1");
  STR_EQ(R("{{x|dur}}", "{\"x\":211.2}"), "3m31s", "dur");
  STR_EQ(R("{{x|dur}}", "{\"x\":3725}"), "1h02m05s", "dur hours");
  STR_EQ(R("{{x|g3}}", "{\"x\":9.614e-08}"), "9.61e-08", "g3");
  STR_EQ(R("{{x|mb}}", "{\"x\":1048576}"), "1.0", "mb");
  STR_EQ(R("{{x|passfail}}", "{\"x\":false}"), "FAIL", "passfail");
  STR_EQ(R("{{x|ms}}", "{\"x\":null}"), "n/a", "null number");
  STR_EQ(R("{{l|count}}", "{\"l\":[1,2,3]}"), "3", "count");
  STR_EQ(R("{{x|ms}}", "{\"x\":\"fast\"}"), "ERR: t.tmpl:1: 'x' is a string; filter 'ms' needs a number",
         "string to number filter");
  for (size_t i = 1; i < tmpl_filter_count; i++)
    OK(strcmp(tmpl_filter_names[i - 1], tmpl_filter_names[i]) < 0, "filters sorted at %zu", i);
  struct strbuf sb = STRBUF_INIT;
  INT_EQ(tmpl_format_number("ms", 2.345, &sb), 0, "format_number");
  STR_EQ(sb.buf, "2.35", "format_number ms");
  INT_EQ(tmpl_format_number("nope", 1, &sb), -1, "format_number unknown");
  strbuf_release(&sb);
}

static void blocks(void) {
  const char *list = "{\"eps\":[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2}],\"v\":9,\"e\":[]}";
  STR_EQ(R("{{#each eps}}{{n}}={{v}};{{/each}}", list), "a=1;b=2;", "each");
  STR_EQ(R("{{#each eps}}{{@n}}{{#if @last}}.{{else}},{{/if}}{{/each}}", list), "1,2.",
         "each with @n and @last");
  STR_EQ(R("{{#each e}}x{{else}}none{{/each}}", list), "none", "each else on empty");
  STR_EQ(R("{{#each eps}}{{v}}{{@root.v}}{{/each}}", list), "1929", "@root and shadowing");
  STR_EQ(R("{{#each o}}{{@key}}:{{.}} {{/each}}", "{\"o\":{\"a\":1,\"b\":2}}"), "a:1 b:2 ",
         "each over object");
  STR_EQ(R("{{#if x}}y{{else}}n{{/if}}", "{\"x\":0}"), "n", "if zero");
  STR_EQ(R("{{#if x}}y{{else}}n{{/if}}", "{\"x\":\"s\"}"), "y", "if string");
  STR_EQ(R("{{#unless x}}y{{/unless}}", "{\"x\":[]}"), "y", "unless empty");
  STR_EQ(R("{{#if x?}}y{{else}}n{{/if}}", "{}"), "n", "optional if");
  STR_EQ(R("{{! note }}a", "{}"), "a", "comment");
}

static void standalone_lines(void) {
  const char *t = "| h |\n|---|\n{{#each l}}\n| {{.}} |\n{{/each}}\nend\n";
  STR_EQ(R(t, "{\"l\":[1,2]}"), "| h |\n|---|\n| 1 |\n| 2 |\nend\n", "block lines vanish");
  STR_EQ(R("  {{#if x}}  \nA\n  {{else}}\nB\n{{/if}}", "{\"x\":1}"), "A\n", "indented blocks");
  STR_EQ(R("a {{#if x}}b{{/if}} c\n", "{\"x\":1}"), "a b c\n", "inline blocks keep spaces");
  STR_EQ(R("{{#if x}}\r\nA\r\n{{/if}}\r\n", "{\"x\":1}"), "A\r\n", "CRLF");
}

static void errors(void) {
  STR_EQ(R("line1\n{{p59_ms}}", "{\"p95_ms\":1}"), "ERR: t.tmpl:2: unknown variable 'p59_ms'",
         "unknown variable names template:line");
  STR_EQ(R("{{a.b}}", "{\"a\":{}}"), "ERR: t.tmpl:1: unknown variable 'a.b'", "missing nested");
  STR_EQ(R("\n\n{{#each l}}x", "{\"l\":[]}"), "ERR: t.tmpl:3: '{{#each l}}' is never closed",
         "unclosed");
  STR_EQ(R("{{#if x}}{{/each}}", "{\"x\":1}"),
         "ERR: t.tmpl:1: '{{/each}}' closes '{{#if x}}' of line 1", "mismatched");
  STR_EQ(R("{{/if}}", "{}"), "ERR: t.tmpl:1: '{{/if}}' without an opening block", "stray close");
  STR_EQ(R("{{x|nope}}", "{\"x\":1}"), "ERR: t.tmpl:1: unknown filter 'nope'", "unknown filter");
  STR_EQ(R("{{x", "{}"), "ERR: t.tmpl:1: '{{' without '}}'", "unterminated tag");
  STR_EQ(R("{{#for x}}{{/for}}", "{}"), "ERR: t.tmpl:1: unknown block '{{#for x}}'", "bad block");
  STR_EQ(R("{{o}}", "{\"o\":{}}"), "ERR: t.tmpl:1: 'o' is an object, not a value", "object value");
  STR_EQ(R("{{#each x}}{{/each}}", "{\"x\":3}"),
         "ERR: t.tmpl:1: '{{#each x}}': 'x' is a number, not a list", "each over number");
  STR_EQ(R("{{a b}}", "{}"), "ERR: t.tmpl:1: bad variable '{{a b}}'", "space in path");
  STR_EQ(R("{{#each l}}{{zz}}{{/each}}", "{\"l\":[{}]}"), "ERR: t.tmpl:1: unknown variable 'zz'",
         "unknown inside loop");
}

int main(void) {
  variables();
  escaping();
  filters();
  blocks();
  standalone_lines();
  errors();
  return test_report();
}
