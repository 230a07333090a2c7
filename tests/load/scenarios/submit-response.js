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
export const responsesSubmitted = new Counter('responses_submitted');

/** An answer: the index of one of the question's four options (0..3). */
export function randomAnswer() {
  return randomInt(0, 3);
}

/** Answers question `qid` of session `sessionId` with option `answer`; true when accepted. */
export function submitResponse(sessionId, qid, answer) {
  const res = http.post(
    `${BASE_URL}/api/responses`,
    JSON.stringify({ session_id: sessionId, question_id: qid, answer }),
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

/** Scenario function: answer the next question of this VU's session (a new session when done). */
export function submitResponseIteration() {
  if (!session || next >= session.questions.length) {
    session = group('start assessment', () => startAssessment(randomInt(1, ASSESSMENTS), studentId()));
    next = 0;
    if (!session) {
      think(1, 3);
      return;
    }
  }
  const qid = session.questions[next];
  next += 1;
  group('answer question', () => submitResponse(session.session_id, qid, randomAnswer()));
  think(1, 3);
}

export const options = buildOptions({
  exec: 'submitResponseIteration',
  endpoints: [NAME, ENDPOINTS.startAssessment],
});
export default submitResponseIteration;
export { handleSummary };
