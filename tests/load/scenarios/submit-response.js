// submit-response.js - POST /api/responses: a student answers a question.
// Each VU opens one session (POST .../start, tagged as that endpoint) and
// then keeps answering its questions, opening a new session when done.
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/submit-response.js
import http from 'k6/http';
import { check, group } from 'k6';
import { Counter } from 'k6/metrics';
import {
  ASSESSMENTS, BASE_URL, ENDPOINTS, buildOptions, handleSummary, params, randomInt, recordServer,
  studentId, think,
} from '../k6-config.js';
import { startAssessment } from './start-assessment.js';

const NAME = ENDPOINTS.submitResponse;
const ANSWERS = ['A', 'B', 'C', 'D'];
export const responsesSubmitted = new Counter('responses_submitted');

/** The id of question `index` of `session` (its own ids, else 1-based numbers). */
export function questionId(session, index) {
  const q = session.questions[index];
  if (q !== undefined && q !== null && typeof q === 'object' && q.id !== undefined) return q.id;
  return q !== undefined && q !== null && typeof q !== 'object' ? q : index + 1;
}

/** Answers one question of a session; true when the service accepted it. */
export function submitResponse(sessionId, qid, answer) {
  const res = http.post(
    `${BASE_URL}/api/responses`,
    JSON.stringify({
      session_id: sessionId,
      question_id: qid,
      answer,
      time_spent_ms: randomInt(5000, 60000),
    }),
    params(NAME),
  );
  recordServer(res);
  const ok = check(res, { 'response: accepted (201)': (r) => r.status === 201 });
  if (ok) responsesSubmitted.add(1);
  return ok;
}

// Per-VU state (each VU has its own copy of module variables).
let session;
let next = 0;

/** Scenario function: answer the next question of this VU's session. */
export function submitResponseIteration() {
  const count = session ? Math.max(session.questions.length, 5) : 0;
  if (!session || next >= count) {
    session = group('start assessment', () => startAssessment(randomInt(1, ASSESSMENTS), studentId()));
    next = 0;
    if (!session) {
      think(1, 3);
      return;
    }
  }
  const qid = questionId(session, next);
  next += 1;
  group('answer question', () => submitResponse(session.session_id, qid, ANSWERS[randomInt(0, 3)]));
  think(1, 3);
}

export const options = buildOptions({
  exec: 'submitResponseIteration',
  endpoints: [NAME, ENDPOINTS.startAssessment],
});
export default submitResponseIteration;
export { handleSummary };
