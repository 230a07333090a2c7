#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/escape.h"
#include "render/junit.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/jsonx.h"

static void attr(struct strbuf *out, const char *name, const char *value) {
  strbuf_addf(out, " %s=\"", name);
  esc_xml(out, value);
  strbuf_addch(out, '"');
}

/* "    <testcase name=... classname=loadrep.<endpoint> time=0", left open. */
static void testcase_open(struct strbuf *out, const char *name, const char *endpoint) {
  struct strbuf cls = STRBUF_INIT;
  strbuf_addf(&cls, "loadrep.%s", endpoint);
  strbuf_addstr(out, "    <testcase");
  attr(out, "name", name);
  attr(out, "classname", cls.buf);
  strbuf_addstr(out, " time=\"0\"");
  strbuf_release(&cls);
}

/* Closes an open testcase with a failure of `type`: message, then body. */
static void testcase_failed(struct strbuf *out, const char *message, const char *type, const char *body) {
  strbuf_addstr(out, ">\n      <failure");
  attr(out, "message", message);
  strbuf_addf(out, " type=\"%s\">", type);
  esc_xml(out, body);
  strbuf_addstr(out, "</failure>\n    </testcase>\n");
}

static void numbers(struct strbuf *sb, json_t *f) {
  const char *m = jx_str(f, "metric");
  int err = !strcmp(m, "error_rate");
  double b = jx_num(f, "baseline"), c = jx_num(f, "candidate");
  if (err)
    strbuf_addf(sb, "baseline %.3f%%, candidate %.3f%%, change %+.3f points", b * 100, c * 100,
                jx_num(f, "change_pct"));
  else
    strbuf_addf(sb, "baseline %.3f %s, candidate %.3f %s, change %+.1f%%", b, jx_str(f, "unit"), c, jx_str(f, "unit"),
                jx_num(f, "change_pct"));
  double lo = jx_num(f, "ci_low_pct"), hi = jx_num(f, "ci_high_pct");
  if (isfinite(lo) && isfinite(hi))
    strbuf_addf(sb, err ? ", 95%% interval [%+.3f, %+.3f] points" : ", 95%% interval [%+.1f%%, %+.1f%%]", lo, hi);
  strbuf_addf(sb, ", n %lld/%lld", (long long)json_integer_value(json_object_get(f, "n_baseline")),
              (long long)json_integer_value(json_object_get(f, "n_candidate")));
}

/* The objectives of the candidate: one testcase each (not_applicable ones
 * are left out), a failure for each slo_breach. */
static void objective_cases(json_t *cmp, struct strbuf *out) {
  json_t *ob = json_object_get(cmp, "objectives");
  for (size_t i = 0; i < json_array_size(ob); i++) {
    json_t *o = json_array_get(ob, i);
    const char *v = jx_str(o, "verdict");
    if (!strcmp(v, "not_applicable"))
      continue;
    struct strbuf tc = STRBUF_INIT;
    strbuf_addf(&tc, "%s objective %s", jx_str(o, "endpoint"), jx_str(o, "metric"));
    testcase_open(out, tc.buf, jx_str(o, "endpoint"));
    if (!strcmp(v, "slo_breach")) {
      struct strbuf msg = STRBUF_INIT;
      strbuf_addf(&msg, "%s missed its objective: %s", jx_str(o, "endpoint"), jx_str(o, "reason"));
      testcase_failed(out, msg.buf, "slo_breach", jx_str(o, "reason"));
      strbuf_release(&msg);
    } else {
      strbuf_addstr(out, "/>\n");
    }
    strbuf_release(&tc);
  }
}

/* A verdict that no finding or objective explains (incomplete, not
 * comparable) is a failed testcase of its own, so the file agrees with the
 * exit status. */
static int verdict_case(json_t *cmp, struct strbuf *out) {
  const char *v = jx_str(cmp, "verdict");
  if (strcmp(v, "incomplete") && strcmp(v, "not_comparable"))
    return 0;
  strbuf_addstr(out, "    <testcase name=\"run verdict\" classname=\"loadrep.run\" time=\"0\">\n      <failure");
  attr(out, "message", !strcmp(v, "incomplete") ? "the candidate run is incomplete"
                                                 : "the runs ran different loads: not comparable");
  attr(out, "type", v);
  strbuf_addstr(out, "/>\n    </testcase>\n");
  return 1;
}

void junit_render(json_t *cmp, const char *timestamp, const char *hostname, struct strbuf *out) {
  json_t *fs = json_object_get(cmp, "findings");
  size_t tests = 0, failures = 0;
  for (size_t i = 0; i < json_array_size(fs); i++) {
    json_t *f = json_array_get(fs, i);
    if (!json_is_true(json_object_get(f, "gated")))
      continue;
    tests++;
    failures += !strcmp(jx_str(f, "verdict"), "regression");
  }
  json_t *ob = json_object_get(cmp, "objectives");
  for (size_t i = 0; i < json_array_size(ob); i++) {
    const char *v = jx_str(json_array_get(ob, i), "verdict");
    tests += strcmp(v, "not_applicable") != 0;
    failures += !strcmp(v, "slo_breach");
  }
  if (!strcmp(jx_str(cmp, "verdict"), "incomplete") || !strcmp(jx_str(cmp, "verdict"), "not_comparable")) {
    tests++;
    failures++;
  }
  json_t *b = json_object_get(cmp, "baseline"), *c = json_object_get(cmp, "candidate");
  struct strbuf name = STRBUF_INIT;
  strbuf_addf(&name, "loadrep check %s vs %s", jx_str(c, "name"), jx_str(b, "name"));
  strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
  attr(out, "name", "loadrep");
  strbuf_addf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n", tests, failures);
  strbuf_addstr(out, "  <testsuite package=\"loadrep\" id=\"0\"");
  attr(out, "name", name.buf);
  attr(out, "timestamp", timestamp);
  attr(out, "hostname", hostname);
  strbuf_addf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n", tests, failures);
  strbuf_addstr(out, "    <properties>\n");
  static const char *const props[][2] = {{"baseline", "baseline"}, {"candidate", "candidate"}};
  for (size_t k = 0; k < 2; k++) {
    strbuf_addstr(out, "      <property");
    attr(out, "name", props[k][0]);
    attr(out, "value", jx_str(json_object_get(cmp, props[k][1]), "name"));
    strbuf_addstr(out, "/>\n");
  }
  char thr[64];
  snprintf(thr, sizeof thr, "%.6g", jx_num(cmp, "threshold_pct"));
  strbuf_addstr(out, "      <property name=\"threshold_pct\"");
  attr(out, "value", thr);
  strbuf_addstr(out, "/>\n      <property name=\"verdict\"");
  attr(out, "value", jx_str(cmp, "verdict"));
  strbuf_addstr(out, "/>\n    </properties>\n");
  struct strbuf sysout = STRBUF_INIT;
  for (size_t i = 0; i < json_array_size(fs); i++) {
    json_t *f = json_array_get(fs, i);
    if (!json_is_true(json_object_get(f, "gated")))
      continue;
    struct strbuf tc = STRBUF_INIT, msg = STRBUF_INIT;
    strbuf_addf(&tc, "%s %s", jx_str(f, "endpoint"), jx_str(f, "metric"));
    testcase_open(out, tc.buf, jx_str(f, "endpoint"));
    const char *v = jx_str(f, "verdict");
    if (!strcmp(v, "regression")) {
      strbuf_addf(&msg, "%s %s regressed: ", jx_str(f, "endpoint"), jx_str(f, "metric"));
      numbers(&msg, f);
      testcase_failed(out, msg.buf, "regression", jx_str(f, "reason"));
    } else {
      strbuf_addstr(out, "/>\n");
      strbuf_addf(&sysout, "%s: %s (", tc.buf, v);
      numbers(&sysout, f);
      strbuf_addf(&sysout, ") %s\n", jx_str(f, "reason"));
    }
    strbuf_release(&tc);
    strbuf_release(&msg);
  }
  objective_cases(cmp, out);
  verdict_case(cmp, out);
  json_t *w = json_object_get(cmp, "warnings");
  for (size_t i = 0; i < json_array_size(w); i++)
    strbuf_addf(&sysout, "warning: %s\n", json_string_value(json_array_get(w, i)));
  strbuf_addstr(out, "    <system-out>");
  esc_xml(out, sysout.buf);
  strbuf_addstr(out, "</system-out>\n    <system-err></system-err>\n  </testsuite>\n</testsuites>\n");
  strbuf_release(&sysout);
  strbuf_release(&name);
}

int junit_write(json_t *cmp, const char *path, struct err *err) {
  char ts[32], host[256] = "localhost";
  time_t now = time(NULL);
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde)
    now = (time_t)strtoll(sde, NULL, 10);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  if (gethostname(host, sizeof host) != 0 || !host[0])
    snprintf(host, sizeof host, "localhost");
  host[sizeof host - 1] = 0;
  struct strbuf sb = STRBUF_INIT;
  junit_render(cmp, ts, host, &sb);
  struct strbuf tmp = STRBUF_INIT;
  strbuf_addf(&tmp, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp.buf);
  if (fd < 0) {
    err_set(err, LR_CANTCREAT, "cannot create '%s': %s", path, strerror(errno));
    goto fail;
  }
  mode_t mask = umask(0);
  umask(mask);
  (void)fchmod(fd, 0666 & ~mask); /* mkstemp makes 0600; a report is for everyone */
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    unlink(tmp.buf);
    err_set(err, LR_CANTCREAT, "cannot create '%s': %s", path, strerror(errno));
    goto fail;
  }
  size_t wr = fwrite(sb.buf, 1, sb.len, f);
  int bad = wr != sb.len || ferror(f);
  if (fclose(f) != 0 || bad) {
    unlink(tmp.buf);
    err_set(err, LR_IOERR, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
    goto fail;
  }
  if (rename(tmp.buf, path) != 0) {
    unlink(tmp.buf);
    err_set(err, LR_CANTCREAT, "cannot create '%s': %s", path, strerror(errno));
    goto fail;
  }
  strbuf_release(&tmp);
  strbuf_release(&sb);
  return 0;
fail:
  strbuf_release(&tmp);
  strbuf_release(&sb);
  return -1;
}
