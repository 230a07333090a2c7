#include <math.h>
#include <stdarg.h>

#include "util/jsonx.h"
#include "util/strbuf.h"

double jx_num(const json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *jx_str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

json_t *jx_real_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

json_t *jx_whole_or_real(double v) {
  if (isnan(v))
    return json_null();
  if (v == floor(v) && fabs(v) < 9e15)
    return json_integer((json_int_t)v);
  return json_real(v);
}

json_t *jx_strf(const char *fmt, ...) {
  struct strbuf sb = STRBUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  strbuf_vaddf(&sb, fmt, ap);
  va_end(ap);
  json_t *j = json_string(sb.buf);
  strbuf_release(&sb);
  return j;
}
