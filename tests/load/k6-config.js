// k6-config.js - what every EduMind load-test script shares: the target, the
// SLO thresholds, the five scenarios, request helpers and handleSummary.
//
// Environment (k6 -e NAME=VALUE):
//   BASE_URL         service under test (default http://localhost:8080)
//   SCENARIO         smoke | normal | peak | stress | soak (default smoke)
//   SCALE            multiplies every VU count (0.1 for a small machine), default 1
//   TIME_SCALE       multiplies every duration (0.05 turns the 4 h soak into 12 min), default 1
//   THINK_SCALE      multiplies every think time (0 = no think time), default 1 (smoke: 0.2)
//   VUS, DURATION    absolute override of VUs / duration of a constant-VU scenario
//   STRESS_PEAK_VUS  absolute override of the stress ramp's top (default 2000 x SCALE)
//   P95_MS           latency SLO for p95, every endpoint (default 2000)
//   MAX_ERROR_RATE   error SLO as a fraction (default 0.01)
//   SUMMARY_JSON     where handleSummary writes the summary data as JSON
//   AUTH_TOKEN       sent as "Authorization: Bearer ..." when set
//   STUDENTS, ASSESSMENTS  id ranges used when the service returns no ids (default 1000, 50)
//   QUESTIONS        question ids 1..QUESTIONS asked about when no session gave any (default 500:
//                    the questions of assessments 1..50 in the seeded EduMind database)
//   ABORT_ON_FAIL    1: k6 stops the test as soon as the error-rate threshold is crossed
//                    (abortOnFail, evaluated after ABORT_DELAY, default 5s; k6 then exits 99)
//   TEST_ID          added as a tag to every sample when set
import { sleep } from 'k6';
import { Rate } from 'k6/metrics';

function envNumber(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`-e ${name}=${raw}: expected a number >= 0`);
  return v;
}

export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
export const SCENARIO = __ENV.SCENARIO || 'smoke';
export const SCALE = envNumber('SCALE', 1);
export const TIME_SCALE = envNumber('TIME_SCALE', 1);
// smoke checks that every endpoint works: short think times by default.
export const THINK_SCALE = envNumber('THINK_SCALE', SCENARIO === 'smoke' ? 0.2 : 1);
export const P95_MS = envNumber('P95_MS', 2000);
export const MAX_ERROR_RATE = envNumber('MAX_ERROR_RATE', 0.01);
export const STUDENTS = Math.max(1, Math.floor(envNumber('STUDENTS', 1000)));
export const ASSESSMENTS = Math.max(1, Math.floor(envNumber('ASSESSMENTS', 50)));
export const QUESTIONS = Math.max(1, Math.floor(envNumber('QUESTIONS', 500)));
export const ABORT_ON_FAIL = __ENV.ABORT_ON_FAIL === '1' || __ENV.ABORT_ON_FAIL === 'true';
// k6 waits this long (times TIME_SCALE) for running iterations at the end of a
// scenario and of each ramp-down before it interrupts them.
export const GRACEFUL_STOP_S = 30;

// The `name` tag of every request: one entry per endpoint in k6's and
// loadrep's tables, whatever ids the URLs carry.
export const ENDPOINTS = Object.freeze({
  listAssessments: 'GET /api/assessments',
  startAssessment: 'POST /api/assessments/{id}/start',
  submitResponse: 'POST /api/responses',
  viewAnalytics: 'GET /api/analytics/student/{id}',
  generateFeedback: 'POST /api/agents/generate',
});

export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

// 5xx answers, apart from http_req_failed (which also counts 4xx).
export const serverErrors = new Rate('server_errors');

// The scenarios at full size (seconds, VUs). SCALE and TIME_SCALE apply.
export const SCENARIOS = Object.freeze({
  smoke: { executor: 'constant-vus', vus: 5, duration: 15 },
  normal: { executor: 'constant-vus', vus: 100, duration: 10 * 60 },
  peak: { executor: 'constant-vus', vus: 500, duration: 5 * 60 },
  // Ramp to the breaking point: 0 -> 2000 VUs over 10 min, hold 1 min, ramp down.
  stress: {
    executor: 'ramping-vus',
    stages: [
      { duration: 10 * 60, target: 2000 },
      { duration: 60, target: 2000 },
      { duration: 30, target: 0 },
    ],
  },
  soak: { executor: 'constant-vus', vus: 200, duration: 4 * 60 * 60 },
});

/** Seconds as a k6 duration string: 600 -> "10m", 14400 -> "4h", 90 -> "1m30s". */
export function k6Duration(seconds) {
  let s = Math.max(1, Math.round(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s || (!h && !m) ? `${s}s` : '');
}

function scaledVUs(vus) {
  return Math.max(1, Math.round(vus * SCALE));
}

/** The k6 scenario object for `name`, sized by SCALE/TIME_SCALE, running `exec`. */
export function scenario(name, exec) {
  const base = SCENARIOS[name];
  if (!base) {
    throw new Error(`unknown SCENARIO '${name}': use one of ${Object.keys(SCENARIOS).join(', ')}`);
  }
  // The graceful stop shrinks with TIME_SCALE like every other duration (at
  // least 1 s), so a scaled-down run does not wait 30 s for its last journeys.
  const grace = k6Duration(GRACEFUL_STOP_S * TIME_SCALE);
  const out = { executor: base.executor, exec, gracefulStop: grace };
  if (base.executor === 'constant-vus') {
    out.vus = __ENV.VUS ? Math.max(1, Math.floor(envNumber('VUS', 1))) : scaledVUs(base.vus);
    out.duration = __ENV.DURATION || k6Duration(base.duration * TIME_SCALE);
  } else {
    const top = __ENV.STRESS_PEAK_VUS ? Math.max(1, Math.floor(envNumber('STRESS_PEAK_VUS', 1))) : null;
    out.startVUs = 0;
    out.gracefulRampDown = grace;
    out.stages = base.stages.map((st) => ({
      duration: k6Duration(st.duration * TIME_SCALE),
      target: st.target === 0 ? 0 : top !== null ? Math.round((top * st.target) / 2000) : scaledVUs(st.target),
    }));
  }
  return out;
}

/** SLO thresholds: overall, and one per endpoint on its name-tagged submetric. */
export function thresholds(endpoints) {
  const failed = `rate<${MAX_ERROR_RATE}`;
  const t = {
    http_req_duration: [`p(95)<${P95_MS}`],
    // ABORT_ON_FAIL=1: stop the test once errors cross the SLO (k6 exits 99).
    http_req_failed: [ABORT_ON_FAIL
      ? { threshold: failed, abortOnFail: true, delayAbortEval: __ENV.ABORT_DELAY || '5s' }
      : failed],
    checks: ['rate>0.99'],
  };
  for (const name of endpoints) t[`http_req_duration{name:${name}}`] = [`p(95)<${P95_MS}`];
  if (endpoints.includes(ENDPOINTS.generateFeedback)) {
    // Defined in scenarios/generate-feedback.js, which every script calling the LLM imports.
    t.llm_feedback_latency = [`p(95)<${P95_MS}`];
    t.llm_timeouts = ['rate<0.05'];
  }
  return t;
}

/** The options of a script: the SCENARIO running `exec`, thresholds for `endpoints`. */
export function buildOptions({ exec, endpoints }) {
  const opts = {
    scenarios: { [SCENARIO]: scenario(SCENARIO, exec) },
    thresholds: thresholds(endpoints),
    summaryTrendStats: SUMMARY_TREND_STATS,
    userAgent: 'edumind-loadtest (k6)',
  };
  if (__ENV.TEST_ID) opts.tags = { testid: __ENV.TEST_ID };
  return opts;
}

/** Request parameters: JSON headers, the endpoint's name tag, optional extras. */
export function params(name, extra = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (__ENV.AUTH_TOKEN) headers.Authorization = `Bearer ${__ENV.AUTH_TOKEN}`;
  return Object.assign({ headers, tags: { name } }, extra);
}

/** The parsed JSON body, or undefined (error pages, empty bodies, timeouts). */
export function parseJson(res) {
  if (!res || !res.body) return undefined;
  try {
    return res.json();
  } catch (e) {
    return undefined;
  }
}

/** Records 5xx answers (and transport errors, status 0) in server_errors. */
export function recordServer(res) {
  serverErrors.add(res.status === 0 || res.status >= 500);
}

/** Think time: a uniform pause in [min, max] seconds, times THINK_SCALE. */
export function think(min = 1, max = 3) {
  const s = (min + Math.random() * (max - min)) * THINK_SCALE;
  if (s > 0) sleep(s);
}

/** The student this VU plays (1..STUDENTS). */
export function studentId() {
  const vu = typeof __VU === 'number' && __VU > 0 ? __VU : 1;
  return ((vu - 1) % STUDENTS) + 1;
}

export function randomInt(lo, hi) {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

// ---- end-of-test summary -------------------------------------------------

function fmtTime(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0s';
  if (ms < 1) return `${(ms * 1000).toFixed(2)}µs`;
  if (ms < 1000) return `${ms.toFixed(2)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

function fmtNumber(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const digits = Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 1 ? 2 : 4;
  return v.toFixed(digits).replace(/0+$/, '').replace(/\.$/, '');
}

function fmtBytes(b) {
  if (typeof b !== 'number' || !Number.isFinite(b)) return String(b);
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (Math.abs(b) >= 1000 && i < units.length - 1) {
    b /= 1000;
    i += 1;
  }
  return `${i || !Number.isInteger(b) ? b.toFixed(1) : b} ${units[i]}`;
}

function metricLine(name, m, stats) {
  const v = m.values || {};
  if (m.type === 'trend') {
    const f = m.contains === 'time' ? fmtTime : fmtNumber;
    return stats.filter((s) => s in v).map((s) => `${s}=${f(v[s])}`).join(' ');
  }
  if (m.type === 'rate') return `${(100 * (v.rate || 0)).toFixed(2)}% ✓ ${v.passes || 0} ✗ ${v.fails || 0}`;
  if (m.type === 'counter' && m.contains === 'data') return `${fmtBytes(v.count)} ${fmtBytes(v.rate)}/s`;
  if (m.type === 'counter') return `${fmtNumber(v.count)} ${fmtNumber(v.rate)}/s`;
  return `${fmtNumber(v.value)} min=${fmtNumber(v.min)} max=${fmtNumber(v.max)}`;
}

function groupLines(group, depth, out) {
  const pad = '  '.repeat(depth);
  for (const c of group.checks || []) {
    const mark = c.fails === 0 ? '✓' : '✗';
    out.push(`${pad}${mark} ${c.name} (${c.passes} passed, ${c.fails} failed)`);
  }
  for (const g of group.groups || []) {
    out.push(`${pad}█ ${g.name}`);
    groupLines(g, depth + 1, out);
  }
}

/** A plain-text summary of k6's summary data (no remote jslib needed). */
export function textSummary(data) {
  const out = [];
  const stats = (data.options && data.options.summaryTrendStats) || SUMMARY_TREND_STATS;
  groupLines(data.root_group || {}, 1, out);
  const metrics = data.metrics || {};
  const names = Object.keys(metrics).sort();
  const width = Math.min(60, Math.max(10, ...names.map((n) => n.length)) + 2);
  const failed = [];
  for (const name of names) {
    const m = metrics[name];
    const th = m.thresholds || {};
    const keys = Object.keys(th);
    let mark = ' ';
    if (keys.length) {
      const ok = keys.every((k) => th[k].ok);
      mark = ok ? '✓' : '✗';
      for (const k of keys) if (!th[k].ok) failed.push(`${name}: ${k}`);
    }
    out.push(`${mark} ${name.padEnd(width, '.')}: ${metricLine(name, m, stats)}`);
  }
  if (failed.length) out.push('', `thresholds crossed: ${failed.join('; ')}`);
  const ms = data.state && data.state.testRunDurationMs;
  if (typeof ms === 'number') out.push('', `test run duration: ${fmtTime(ms)}`);
  return `\n${out.join('\n')}\n\n`;
}

/** k6 handleSummary: the text summary on stdout, the data as JSON in SUMMARY_JSON. */
export function handleSummary(data) {
  const files = { stdout: textSummary(data) };
  if (__ENV.SUMMARY_JSON) files[__ENV.SUMMARY_JSON] = JSON.stringify(data, null, 2);
  return files;
}
