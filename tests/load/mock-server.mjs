#!/usr/bin/env node
// mock-server.mjs - a small in-memory EduMind service implementing the five
// endpoints the load tests call, with the JSON shapes the scripts expect.
// It is not the real service: it lets you try the scripts and the whole
// run -> ingest -> check loop without one, and the test suite uses its
// handler to exercise the scripts.
//
//   node tests/load/mock-server.mjs [--port 8080] [--host 127.0.0.1] [--llm-delay-ms 400]
//
// API: the EduMind contract of ../shared/sut/README.md (the simulator that
// served the sample runs), checked as strictly: a wrong body gets the status
// the real service gives it (400, 404, 422), so a script that drifts from the
// API fails its checks here too.
//   GET  /api/assessments?page=N (1..100, 20 per page)
//        200 {"page","page_size","total","items":[{"id","title","subject",...,"question_count"}]}
//   POST /api/assessments/{id}/start  {"student_id": int}
//        201 {"session_id","assessment_id","student_id","question_ids":[int...],"duration_min"}
//        400 no student_id, 404 unknown assessment
//   POST /api/responses  {"session_id": int, "question_id": int, "answer": int 0..3}
//        201 {"response_id","session_id","question_id","is_correct","updated"}
//        400 missing/non-integer field, 404 unknown session, 422 question not in the session
//   GET  /api/analytics/student/{id}  (1..5000)
//        200 {"student_id","name","cohort","sessions","finished_sessions","by_subject","weakest_subjects"}
//        404 unknown student
//   POST /api/agents/generate  {"student_id": int, "question_id": int, "answer"?: int}
//        200 {"student_id","question_id","feedback","cached","model"}  400 missing ids, 404 unknown question
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const SUBJECTS = ['algebra', 'geometry', 'reading', 'chemistry', 'history'];
const QUESTIONS_PER = 10;

/** The service state and its request handler (synchronous, no I/O). */
export function createService({ assessments = 2000, students = 5000 } = {}) {
  const subjectOf = (a) => SUBJECTS[a % SUBJECTS.length];
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
      const v = JSON.parse(text || '{}');
      return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
    } catch (e) {
      return null;
    }
  };
  const int = (v) => typeof v === 'number' && Number.isInteger(v);
  const questionIds = (a) => Array.from({ length: QUESTIONS_PER }, (_, k) => (a - 1) * QUESTIONS_PER + k + 1);
  const assessmentOf = (qid) => Math.floor((qid - 1) / QUESTIONS_PER) + 1;

  function route(method, rawUrl, text) {
    const url = new URL(rawUrl, 'http://mock.invalid');
    const path = url.pathname;
    let m;
    if (method === 'GET' && path === '/api/assessments') {
      const page = Math.min(100, Math.max(1, parseInt(url.searchParams.get('page') || '1', 10) || 1));
      const items = [];
      for (let id = (page - 1) * 20 + 1; id <= Math.min(assessments, page * 20); id++) {
        items.push({ id, title: `Assessment ${id}`, subject: subjectOf(id), difficulty: 1 + (id % 5),
          duration_min: 30, created_at: '2026-01-01T00:00:00Z', question_count: QUESTIONS_PER, max_points: QUESTIONS_PER });
      }
      return ['assessments', reply(200, { page, page_size: 20, total: assessments, items })];
    }
    if (method === 'POST' && (m = path.match(/^\/api\/assessments\/(\d+)\/start$/))) {
      const a = Number(m[1]);
      const body = parse(text);
      if (!body || body.student_id === undefined) return ['start', reply(400, { error: 'student_id required' })];
      if (a < 1 || a > assessments) return ['start', reply(404, { error: 'assessment not found' })];
      const id = nextSession++;
      sessions.set(id, { student: Number(body.student_id), assessment: a });
      return ['start', reply(201, {
        session_id: id, assessment_id: a, student_id: body.student_id, question_ids: questionIds(a), duration_min: 30,
      })];
    }
    if (method === 'POST' && path === '/api/responses') {
      const body = parse(text);
      if (!body || !int(body.session_id) || !int(body.question_id) || !int(body.answer) || body.answer < 0 || body.answer > 3) {
        return ['responses', reply(400, { error: 'session_id, question_id, answer required' })];
      }
      const s = sessions.get(body.session_id);
      if (!s) return ['responses', reply(404, { error: 'session not found' })];
      if (assessmentOf(body.question_id) !== s.assessment) {
        return ['responses', reply(422, { error: 'question not part of this assessment' })];
      }
      const correct = body.answer === body.question_id % 4;
      const per = scores.get(s.student) || {};
      const subject = subjectOf(s.assessment);
      const sub = per[subject] || { answered: 0, correct: 0 };
      sub.answered += 1;
      sub.correct += correct ? 1 : 0;
      per[subject] = sub;
      scores.set(s.student, per);
      return ['responses', reply(201, {
        response_id: nextResponse++, session_id: body.session_id, question_id: body.question_id, is_correct: correct, updated: false,
      })];
    }
    if (method === 'GET' && (m = path.match(/^\/api\/analytics\/student\/(\d+)$/))) {
      const student = Number(m[1]);
      if (student < 1 || student > students) return ['analytics', reply(404, { error: 'student not found' })];
      const per = scores.get(student) || {};
      const bySubject = {};
      for (const [k, v] of Object.entries(per)) bySubject[k] = { ...v, accuracy: v.answered ? v.correct / v.answered : null };
      return ['analytics', reply(200, {
        student_id: student, name: `Student ${student}`, cohort: 'mock', sessions: 0, finished_sessions: 0,
        by_subject: bySubject, weakest_subjects: [],
      })];
    }
    if (method === 'POST' && path === '/api/agents/generate') {
      const body = parse(text);
      if (!body || !int(body.student_id) || !int(body.question_id) || (body.answer !== undefined && !int(body.answer))) {
        return ['generate', reply(400, { error: 'student_id, question_id required' })];
      }
      if (body.question_id < 1 || body.question_id > assessments * QUESTIONS_PER) {
        return ['generate', reply(404, { error: 'question not found' })];
      }
      return ['generate', reply(200, {
        student_id: body.student_id, question_id: body.question_id, cached: false, model: 'mock-llm',
        feedback: `Question ${body.question_id}: practise ${subjectOf(assessmentOf(body.question_id))}.`,
      })];
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
