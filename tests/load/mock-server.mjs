#!/usr/bin/env node
// mock-server.mjs - a small in-memory EduMind service implementing the five
// endpoints the load tests call, with the JSON shapes the scripts expect.
// It is not the real service: it lets you try the scripts and the whole
// run -> ingest -> check loop without one, and the test suite uses its
// handler to exercise the scripts.
//
//   node tests/load/mock-server.mjs [--port 8080] [--host 127.0.0.1] [--llm-delay-ms 400]
//
// API (what the scripts send and check):
//   GET  /api/assessments?page=P&limit=L   200 {"items":[{"id","title","subject","question_count"}],"page","total"}
//   POST /api/assessments/{id}/start  {"student_id"}                  201 {"session_id","assessment_id","questions":[{"id"}]}
//   POST /api/responses  {"session_id","question_id","answer"}        201 {"id","correct"}
//   GET  /api/analytics/student/{id}                                  200 {"student_id","by_subject":{...}}
//   POST /api/agents/generate  {"agent","student_id","prompt"}        200 {"text"}
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const SUBJECTS = ['algebra', 'geometry', 'reading', 'chemistry', 'history'];

/** The service state and its request handler (synchronous, no I/O). */
export function createService({ assessments = 50, questions = 8 } = {}) {
  const catalogue = [];
  for (let i = 1; i <= assessments; i++) {
    catalogue.push({ id: i, title: `Assessment ${i}`, subject: SUBJECTS[i % SUBJECTS.length], question_count: questions });
  }
  const sessions = new Map();
  const scores = new Map(); // student -> subject -> {answered, correct}
  let nextSession = 1;
  let nextResponse = 1;
  const counts = {};

  const reply = (status, body) => ({
    status,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parse = (text) => {
    try {
      const v = JSON.parse(text || '');
      return v && typeof v === 'object' ? v : null;
    } catch (e) {
      return null;
    }
  };

  function route(method, rawUrl, text) {
    const url = new URL(rawUrl, 'http://mock.invalid');
    const path = url.pathname.replace(/\/+$/, '');
    let m;
    if (method === 'GET' && path === '/api/assessments') {
      const page = Math.max(1, parseInt(url.searchParams.get('page') || '1', 10) || 1);
      const limit = Math.min(100, Math.max(1, parseInt(url.searchParams.get('limit') || '20', 10) || 20));
      const items = catalogue.slice((page - 1) * limit, page * limit);
      return ['assessments', reply(200, { items, page, total: catalogue.length })];
    }
    if (method === 'POST' && (m = path.match(/^\/api\/assessments\/([^/]+)\/start$/))) {
      const a = catalogue.find((x) => String(x.id) === decodeURIComponent(m[1]));
      const body = parse(text);
      if (!a) return ['start', reply(404, { error: 'no such assessment' })];
      if (!body || body.student_id === undefined) return ['start', reply(400, { error: 'student_id required' })];
      const id = `s${nextSession++}`;
      const qs = [];
      for (let q = 1; q <= a.question_count; q++) qs.push({ id: a.id * 100 + q, text: `Question ${q}` });
      sessions.set(id, { student: String(body.student_id), subject: a.subject });
      return ['start', reply(201, { session_id: id, assessment_id: a.id, questions: qs })];
    }
    if (method === 'POST' && path === '/api/responses') {
      const body = parse(text);
      const s = body && sessions.get(String(body.session_id));
      if (!s || body.question_id === undefined) return ['responses', reply(400, { error: 'session_id and question_id required' })];
      const correct = String(body.answer) === 'A';
      const per = scores.get(s.student) || {};
      const sub = per[s.subject] || { answered: 0, correct: 0 };
      sub.answered += 1;
      sub.correct += correct ? 1 : 0;
      per[s.subject] = sub;
      scores.set(s.student, per);
      return ['responses', reply(201, { id: nextResponse++, correct })];
    }
    if (method === 'GET' && (m = path.match(/^\/api\/analytics\/student\/([^/]+)$/))) {
      const student = decodeURIComponent(m[1]);
      const per = scores.get(student) || {};
      const bySubject = {};
      for (const [k, v] of Object.entries(per)) bySubject[k] = { ...v, accuracy: v.answered ? v.correct / v.answered : 0 };
      return ['analytics', reply(200, { student_id: student, by_subject: bySubject })];
    }
    if (method === 'POST' && path === '/api/agents/generate') {
      const body = parse(text);
      if (!body || body.student_id === undefined) return ['generate', reply(400, { error: 'student_id required' })];
      return ['generate', reply(200, { text: `Feedback for student ${body.student_id}: practise the questions you missed.` })];
    }
    return ['other', reply(404, { error: 'not found' })];
  }

  return {
    counts,
    handle(method, url, text) {
      const [endpoint, res] = route(method, url, text);
      const key = `${endpoint} ${res.status}`;
      counts[key] = (counts[key] || 0) + 1;
      return { endpoint, ...res };
    },
  };
}

function main(argv) {
  const opt = { port: 8080, host: '127.0.0.1', 'llm-delay-ms': 400 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log('usage: node mock-server.mjs [--port 8080] [--host 127.0.0.1] [--llm-delay-ms 400]');
      return;
    }
    const k = a.replace(/^--/, '');
    if (!(k in opt) || i + 1 >= argv.length) {
      console.error(`mock-server: unknown option or missing value: ${a}`);
      process.exit(64);
    }
    opt[k] = k === 'host' ? argv[++i] : Number(argv[++i]);
  }
  const service = createService();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const out = service.handle(req.method, req.url, Buffer.concat(chunks).toString('utf8'));
      const send = () => {
        res.writeHead(out.status, out.headers);
        res.end(out.body);
      };
      if (out.endpoint === 'generate') setTimeout(send, opt['llm-delay-ms'] * (0.5 + Math.random()));
      else send();
    });
  });
  server.listen(opt.port, opt.host, () => {
    const { port } = server.address();
    console.log(`EduMind mock listening on http://${opt.host}:${port} pid=${process.pid}`);
  });
  const stop = () => {
    console.log(`requests: ${JSON.stringify(service.counts)}`);
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
