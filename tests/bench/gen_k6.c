/* gen_k6.c - deterministic generator of realistic k6 `--out json` NDJSON.
 *
 *   gen_k6 --size 100M [--style v0|v2] [--gzip] [--max-vus N] [--seed N] -o FILE
 *
 * Writes about SIZE bytes (uncompressed) of what k6 writes for the EduMind
 * sample system: Metric lines the first time each metric appears, then
 * Points with k6's line shape and tags; 5 endpoints, VUs ramping up to
 * --max-vus (30 % of the file), holding (60 %) and ramping down (10 %), a
 * vus/vus_max gauge every second, latency growing with load, HTTP 500/503
 * (error_code tag) and network errors (status 0, error + error_code tags,
 * no proto) as load grows, checks (one with '&'), group and iteration
 * durations, iterations with metadata {vu, iter}, data_sent/received.
 * Numbers are formatted as k6 does: --style v0 (k6 ≤ v1.x, easyjson, Go
 * 'g' shortest: 1.234567e+06, 5e-05; '&' escaped as \u0026; metadata keys
 * in map order) or v2 (encoding/json: plain up to 1e21, 1e-07 below 1e-6;
 * '&' raw; sorted metadata keys). Samples are flushed in 200 ms batches
 * like k6, so the file is only roughly in time order.
 * Same arguments ⇒ byte-identical output.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- output ---- */

static FILE *out_f;
static gzFile out_gz;
static char obuf[1 << 20];
static size_t olen;
static uint64_t total;
static uint64_t n_lines, n_requests, n_trend;

static void flush_out(void) {
  if (!olen)
    return;
  if (out_gz) {
    if (gzwrite(out_gz, obuf, (unsigned)olen) != (int)olen) {
      fprintf(stderr, "gen_k6: gzip write error\n");
      exit(74);
    }
  } else if (fwrite(obuf, 1, olen, out_f) != olen) {
    perror("gen_k6: write");
    exit(74);
  }
  olen = 0;
}

static void put(const char *s, size_t n) {
  if (olen + n > sizeof obuf)
    flush_out();
  memcpy(obuf + olen, s, n);
  olen += n;
  total += n;
}
#define PUTS(s) put((s), strlen(s))

/* ---- numbers as k6 writes them ---- */

enum { V0, V2 };
static int style = V0;

/* Appends the value m / 10^scale (m >= 0 an integer, so the shortest
 * round-trip form of the double is this exact decimal, trimmed) formatted as
 * Go's strconv 'g' shortest (v0, easyjson) or encoding/json (v2). */
static void put_num(uint64_t m, int scale, int neg) {
  char dig[24], b[48];
  int nd = 0, n = 0;
  if (m == 0) {
    put("0", 1);
    return;
  }
  while (m % 10 == 0) {
    m /= 10;
    scale--;
  }
  char tmp[24];
  int t = 0;
  while (m) {
    tmp[t++] = (char)('0' + m % 10);
    m /= 10;
  }
  while (t)
    dig[nd++] = tmp[--t];
  int dp = nd - scale; /* value = 0.DIGITS × 10^dp */
  int exp = dp - 1;
  int use_e;
  if (style == V0)
    use_e = exp < -4 || exp >= 6;
  else
    use_e = exp < -6 || exp >= 21;
  if (neg)
    b[n++] = '-';
  if (use_e) {
    b[n++] = dig[0];
    if (nd > 1) {
      b[n++] = '.';
      for (int i = 1; i < nd; i++)
        b[n++] = dig[i];
    }
    b[n++] = 'e';
    b[n++] = exp < 0 ? '-' : '+';
    int ae = exp < 0 ? -exp : exp;
    if (ae < 10 && !(style == V2 && exp < 0))
      b[n++] = '0'; /* Go: at least two exponent digits; encoding/json trims e-07 to e-7 */
    n += snprintf(b + n, sizeof b - (size_t)n, "%d", ae);
  } else if (dp <= 0) {
    b[n++] = '0';
    b[n++] = '.';
    for (int i = 0; i < -dp; i++)
      b[n++] = '0';
    for (int i = 0; i < nd; i++)
      b[n++] = dig[i];
  } else if (dp >= nd) {
    for (int i = 0; i < nd; i++)
      b[n++] = dig[i];
    for (int i = nd; i < dp; i++)
      b[n++] = '0';
  } else {
    for (int i = 0; i < dp; i++)
      b[n++] = dig[i];
    b[n++] = '.';
    for (int i = dp; i < nd; i++)
      b[n++] = dig[i];
  }
  put(b, (size_t)n);
}

/* ---- random numbers (splitmix64) ---- */

static uint64_t rs;
static uint64_t rnd(void) {
  uint64_t z = (rs += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static double unif(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }
static double gauss(void) {
  double u = unif(), v = unif();
  if (u < 1e-300)
    u = 1e-300;
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}
/* A duration in ns, log-normal with the given median (ms) and sigma. */
static uint64_t lognorm_ns(double median_ms, double sigma) {
  double v = median_ms * exp(sigma * gauss()) * 1e6;
  if (v < 1)
    v = 1;
  if (v > 3e14)
    v = 3e14;
  return (uint64_t)v;
}

/* ---- time ---- */

static const int64_t T0 = INT64_C(1795725000); /* 2026-11-26T20:30:00Z */

static void put_time(int64_t ns) {
  char b[48];
  int64_t s = ns / 1000000000, f = ns % 1000000000;
  int64_t days = s / 86400, sod = s % 86400;
  /* civil_from_days (Howard Hinnant) */
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  int n = snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, (int)m, (int)d, (int)(sod / 3600),
                   (int)(sod / 60 % 60), (int)(sod % 60));
  if (f) {
    char fr[16];
    snprintf(fr, sizeof fr, ".%09d", (int)f);
    int l = 10;
    while (fr[l - 1] == '0')
      l--;
    memcpy(b + n, fr, (size_t)l);
    n += l;
  }
  b[n++] = 'Z';
  put(b, (size_t)n);
}

/* ---- metrics ---- */

enum {
  M_VUS, M_VUS_MAX, M_REQS, M_DUR, M_BLOCKED, M_CONNECTING, M_TLS, M_SENDING, M_WAITING, M_RECEIVING,
  M_FAILED, M_CHECKS, M_GROUP_DUR, M_ITER_DUR, M_ITERS, M_SENT, M_RECV, M_SERVER_ERRORS, M_LLM_LAT,
  M_LLM_TIMEOUTS, M_SESSIONS, M_COUNT
};
static const struct {
  const char *name, *type, *contains, *thresholds;
} metrics[M_COUNT] = {
    {"vus", "gauge", "default", "[]"},
    {"vus_max", "gauge", "default", "[]"},
    {"http_reqs", "counter", "default", "[]"},
    {"http_req_duration", "trend", "time", "[\"p(95)<2000\"]"},
    {"http_req_blocked", "trend", "time", "[]"},
    {"http_req_connecting", "trend", "time", "[]"},
    {"http_req_tls_handshaking", "trend", "time", "[]"},
    {"http_req_sending", "trend", "time", "[]"},
    {"http_req_waiting", "trend", "time", "[]"},
    {"http_req_receiving", "trend", "time", "[]"},
    {"http_req_failed", "rate", "default", "[\"rate<0.01\"]"},
    {"checks", "rate", "default", "[\"rate>0.99\"]"},
    {"group_duration", "trend", "time", "[]"},
    {"iteration_duration", "trend", "time", "[]"},
    {"iterations", "counter", "default", "[]"},
    {"data_sent", "counter", "data", "[]"},
    {"data_received", "counter", "data", "[]"},
    {"server_errors", "rate", "default", "[]"},
    {"llm_feedback_latency", "trend", "time", "[\"p(95)<2500\"]"},
    {"llm_timeouts", "rate", "default", "[\"rate<0.05\"]"},
    {"sessions_started", "counter", "default", "[]"},
};
static int seen[M_COUNT];

static const struct {
  const char *method, *name, *group, *check1, *check2;
  double weight, median_ms, sigma, bytes_out, bytes_in;
} eps[5] = {
    {"GET", "GET /api/assessments", "::browse assessments", "list: status is 200", "list: has items & total",
     0.35, 8.0, 0.45, 310, 2400},
    {"POST", "POST /api/assessments/{id}/start", "::start assessment", "start: status is 201",
     "start: has session_id", 0.20, 12.0, 0.5, 420, 380},
    {"POST", "POST /api/responses", "::answer question", "response: accepted (201)", NULL, 0.28, 10.0, 0.5,
     560, 300},
    {"GET", "GET /api/analytics/student/{id}", "::view analytics", "analytics: status is 200",
     "analytics: has by_subject", 0.12, 35.0, 0.6, 300, 5200},
    {"POST", "POST /api/agents/generate", "::request AI feedback", "feedback: status is 200", NULL, 0.05, 900.0,
     0.35, 900, 1800},
};

static void put_metric_line(int m) {
  PUTS("{\"type\":\"Metric\",\"data\":{\"name\":\"");
  PUTS(metrics[m].name);
  PUTS("\",\"type\":\"");
  PUTS(metrics[m].type);
  PUTS("\",\"contains\":\"");
  PUTS(metrics[m].contains);
  PUTS("\",\"thresholds\":");
  PUTS(metrics[m].thresholds);
  PUTS(",\"submetrics\":");
  if (m == M_DUR) {
    put("[", 1);
    for (int i = 0; i < 5; i++) {
      PUTS("{\"name\":\"http_req_duration{name:");
      PUTS(eps[i].name);
      PUTS("}\",\"suffix\":\"name:");
      PUTS(eps[i].name);
      PUTS("\",\"tags\":{\"name\":\"");
      PUTS(eps[i].name);
      PUTS("\"}},");
    }
    PUTS("{\"name\":\"http_req_duration{expected_response:true}\",\"suffix\":\"expected_response:true\","
         "\"tags\":{\"expected_response\":\"true\"}}]");
  } else {
    PUTS("null");
  }
  PUTS("},\"metric\":\"");
  PUTS(metrics[m].name);
  PUTS("\"}\n");
}

/* Starts a Point line up to and including "\"value\":". */
static void point_head(int m, int64_t t_ns) {
  if (!seen[m]) {
    seen[m] = 1;
    put_metric_line(m);
  }
  n_trend += metrics[m].type[0] == 't';
  PUTS("{\"metric\":\"");
  PUTS(metrics[m].name);
  PUTS("\",\"type\":\"Point\",\"data\":{\"time\":\"");
  put_time(t_ns);
  PUTS("\",\"value\":");
}

/* A tag value, escaped as the style does ('&' → \u0026 in v0). */
static void put_tagval(const char *s) {
  if (style == V0 && strchr(s, '&')) {
    for (; *s; s++) {
      if (*s == '&')
        PUTS("\\u0026");
      else
        put(s, 1);
    }
  } else {
    PUTS(s);
  }
}

static char http_tags[512];
static size_t http_tags_len;
static const char *scenario = "stress";

static void make_http_tags(int ep, int status, const char *error, const char *error_code) {
  char st[8];
  snprintf(st, sizeof st, "%d", status);
  int failed = status < 200 || status > 399;
  int n = snprintf(http_tags, sizeof http_tags,
                   "{%s%s%s%s%s%s\"expected_response\":\"%s\",\"group\":\"%s\",\"method\":\"%s\",\"name\":\"%s\","
                   "%s\"scenario\":\"%s\",\"status\":\"%s\",\"url\":\"%s\"}",
                   error ? "\"error\":\"" : "", error ? error : "", error ? "\"," : "",
                   error_code ? "\"error_code\":\"" : "", error_code ? error_code : "", error_code ? "\"," : "",
                   failed ? "false" : "true", eps[ep].group, eps[ep].method, eps[ep].name,
                   status ? "\"proto\":\"HTTP/1.1\"," : "", scenario, st, eps[ep].name);
  http_tags_len = (size_t)n;
}

static void put_group_tags(const char *group) {
  PUTS(",\"tags\":{\"group\":\"");
  PUTS(group);
  PUTS("\",\"scenario\":\"");
  PUTS(scenario);
  PUTS("\"}");
}

static void end_point(void) {
  PUTS("}}\n");
  n_lines++;
}

static void put_check(int64_t t, const char *group, const char *check, int ok) {
  point_head(M_CHECKS, t);
  put(ok ? "1" : "0", 1);
  PUTS(",\"tags\":{\"check\":\"");
  put_tagval(check);
  PUTS("\",\"group\":\"");
  PUTS(group);
  PUTS("\",\"scenario\":\"");
  PUTS(scenario);
  PUTS("\"}");
  end_point();
}

static uint64_t parse_size(const char *s) {
  char *e;
  double v = strtod(s, &e);
  switch (*e) {
  case 'k': case 'K': v *= 1e3; break;
  case 'm': case 'M': v *= 1e6; break;
  case 'g': case 'G': v *= 1e9; break;
  default: break;
  }
  return (uint64_t)v;
}

static void usage(void) {
  fprintf(stderr, "usage: gen_k6 --size SIZE[K|M|G] [--style v0|v2] [--gzip] [--max-vus N] [--seed N] -o FILE\n");
  exit(64);
}

int main(int argc, char **argv) {
  uint64_t size = 0;
  int gzip = 0, max_vus = 1000;
  const char *path = NULL;
  rs = 42;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--size") && i + 1 < argc)
      size = parse_size(argv[++i]);
    else if (!strcmp(argv[i], "--style") && i + 1 < argc) {
      i++;
      if (!strcmp(argv[i], "v0"))
        style = V0;
      else if (!strcmp(argv[i], "v2"))
        style = V2;
      else
        usage();
    } else if (!strcmp(argv[i], "--gzip"))
      gzip = 1;
    else if (!strcmp(argv[i], "--max-vus") && i + 1 < argc)
      max_vus = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
      rs = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-o") && i + 1 < argc)
      path = argv[++i];
    else
      usage();
  }
  if (!size || !path || max_vus < 1)
    usage();
  if (gzip) {
    out_gz = gzopen(path, "wb6");
    if (!out_gz) {
      perror(path);
      return 73;
    }
  } else {
    out_f = fopen(path, "wb");
    if (!out_f) {
      perror(path);
      return 73;
    }
  }
  long *iters = calloc((size_t)max_vus + 1, sizeof *iters);
  int64_t sec = 0;
  int vus = 1;
  int knee = max_vus * 3 / 4; /* the system saturates here */
  while (total < size) {
    double f = (double)total / (double)size;
    double shape = f < 0.3 ? f / 0.3 : f < 0.9 ? 1.0 : (1.0 - f) / 0.1;
    vus = (int)(max_vus * shape + 0.5);
    if (vus < 1)
      vus = 1;
    if (vus > max_vus)
      vus = max_vus;
    int64_t t_sec = (T0 + sec) * INT64_C(1000000000);
    point_head(M_VUS, t_sec + 907408035);
    put_num((uint64_t)vus, 0, 0);
    PUTS(",\"tags\":{}");
    end_point();
    point_head(M_VUS_MAX, t_sec + 907408035);
    put_num((uint64_t)max_vus, 0, 0);
    PUTS(",\"tags\":{}");
    end_point();
    /* Load factor: latency and errors grow past the knee. */
    double load = (double)vus / (double)knee;
    double slow = load > 1 ? 1 + 4 * (load - 1) * (load - 1) + 2 * (load - 1) : 1 + 0.05 * load;
    double p_err = load > 1 ? 0.02 + 0.3 * (load - 1) : load > 0.8 ? 0.001 : 0.0;
    if (p_err > 0.6)
      p_err = 0.6;
    /* Each VU completes ~0.8 iterations per second (1 s think time). */
    int n_iter = (int)(vus * 0.8 / (slow > 2 ? slow / 2 : 1) + unif());
    /* k6 flushes every 200 ms: emit in 5 batches, unordered within one. */
    for (int batch = 0; batch < 5; batch++) {
      int nb = n_iter / 5 + (batch < n_iter % 5);
      for (int k = 0; k < nb && total < size; k++) {
        int64_t t_end = t_sec + batch * 200000000 + (int64_t)(unif() * 2e8);
        int vu = 1 + (int)(rnd() % (uint64_t)vus);
        double r = unif(), acc = 0;
        int ep = 0;
        for (ep = 0; ep < 4; ep++) {
          acc += eps[ep].weight;
          if (r < acc)
            break;
        }
        /* Outcome. */
        int status = ep == 1 || ep == 2 ? 201 : 200;
        const char *error = NULL, *error_code = NULL;
        double er = unif();
        if (er < p_err) {
          double kind = unif();
          if (kind < 0.45) {
            status = 503;
            error_code = "1503";
          } else if (kind < 0.8) {
            status = 500;
            error_code = "1500";
          } else if (kind < 0.95) {
            status = 0;
            error = "request timeout";
            error_code = "1050";
          } else {
            status = 0;
            error = "dial tcp 10.0.0.12:8080: connect: connection refused";
            error_code = "1212";
          }
        }
        make_http_tags(ep, status, error, error_code);
        n_requests++;
        /* Phases (ns). */
        int new_conn = unif() < 0.02 + (status == 0 ? 0.5 : 0.0);
        uint64_t connecting = new_conn ? lognorm_ns(0.35 * slow, 0.4) : 0;
        uint64_t blocked = connecting + (new_conn ? lognorm_ns(0.05, 0.5) : 800 + rnd() % 9000);
        uint64_t sending = unif() < 0.03 ? 30 + rnd() % 70 /* 5e-05 ms style */ : lognorm_ns(0.025, 0.5);
        uint64_t waiting, receiving;
        if (status == 0 && error_code[3] == '0') { /* timeout */
          waiting = 60000000000ULL;
          receiving = 0;
          sending = 0;
        } else if (status == 0) {
          waiting = 0;
          receiving = 0;
          sending = 0;
        } else {
          waiting = lognorm_ns(eps[ep].median_ms * slow, eps[ep].sigma);
          receiving = unif() < 0.02 ? 40 + rnd() % 60 : lognorm_ns(0.08, 0.6);
        }
        uint64_t duration = sending + waiting + receiving;
        int failed = status < 200 || status > 399;
        static const int http_metrics[] = {M_REQS,    M_DUR,     M_BLOCKED,   M_CONNECTING, M_TLS,
                                           M_SENDING, M_WAITING, M_RECEIVING, M_FAILED};
        uint64_t vals[] = {1, duration, blocked, connecting, 0, sending, waiting, receiving, (uint64_t)failed};
        for (int h = 0; h < 9; h++) {
          point_head(http_metrics[h], t_end);
          if (h == 0 || h == 8)
            put_num(vals[h], 0, 0);
          else
            put_num(vals[h], 6, 0);
          PUTS(",\"tags\":");
          put(http_tags, http_tags_len);
          end_point();
        }
        int64_t t_chk = t_end + 40000 + (int64_t)(rnd() % 200000);
        put_check(t_chk, eps[ep].group, eps[ep].check1, !failed);
        if (eps[ep].check2)
          put_check(t_chk, eps[ep].group, eps[ep].check2, !failed && unif() > 0.0005);
        if (ep == 1 && !failed) {
          point_head(M_SESSIONS, t_chk);
          put("1", 1);
          put_group_tags(eps[ep].group);
          end_point();
        }
        if (ep == 4) {
          point_head(M_LLM_LAT, t_chk);
          put_num(duration, 6, 0);
          put_group_tags(eps[ep].group);
          end_point();
          point_head(M_LLM_TIMEOUTS, t_chk);
          put(status == 0 ? "1" : "0", 1);
          put_group_tags(eps[ep].group);
          end_point();
        }
        point_head(M_SERVER_ERRORS, t_chk);
        put(status >= 500 ? "1" : "0", 1);
        put_group_tags(eps[ep].group);
        end_point();
        uint64_t gdur = duration + blocked + 100000 + rnd() % 400000;
        point_head(M_GROUP_DUR, t_chk + 1000);
        put_num(gdur, 6, 0);
        put_group_tags(eps[ep].group);
        end_point();
        /* End of the iteration: 1 s think time plus the group. */
        int64_t t_it = t_chk + 1000000000 + (int64_t)(rnd() % 3000000);
        uint64_t sent = (uint64_t)(eps[ep].bytes_out + rnd() % 64);
        uint64_t recv = status == 0 ? 0 : (uint64_t)(eps[ep].bytes_in + rnd() % 512);
        if (ep == 3 && unif() < 0.01)
          recv = 1000000 + rnd() % 900000; /* a large export: 1.234567e+06 in v0 */
        point_head(M_SENT, t_it);
        put_num(sent, 0, 0);
        put_group_tags("");
        end_point();
        point_head(M_RECV, t_it);
        put_num(recv, 0, 0);
        put_group_tags("");
        end_point();
        long it = iters[vu]++;
        char meta[64];
        if (style == V2 || (rnd() & 1))
          snprintf(meta, sizeof meta, ",\"metadata\":{\"iter\":\"%ld\",\"vu\":\"%d\"}", it, vu);
        else
          snprintf(meta, sizeof meta, ",\"metadata\":{\"vu\":\"%d\",\"iter\":\"%ld\"}", vu, it);
        point_head(M_ITER_DUR, t_it);
        put_num(gdur + 1000000000 + rnd() % 2000000, 6, 0);
        put_group_tags("");
        PUTS(meta);
        end_point();
        point_head(M_ITERS, t_it);
        put("1", 1);
        put_group_tags("");
        PUTS(meta);
        end_point();
      }
    }
    sec++;
  }
  flush_out();
  free(iters);
  if (out_gz) {
    if (gzclose(out_gz) != Z_OK) {
      fprintf(stderr, "gen_k6: gzip close error\n");
      return 74;
    }
  } else if (fclose(out_f) != 0) {
    perror(path);
    return 74;
  }
  fprintf(stderr, "gen_k6: %s: %llu bytes (uncompressed), points %llu, requests %llu, trend samples %llu, "
          "%lld s of test, style %s\n",
          path, (unsigned long long)total, (unsigned long long)n_lines, (unsigned long long)n_requests,
          (unsigned long long)n_trend,
          (long long)sec, style == V0 ? "v0" : "v2");
  return 0;
}
