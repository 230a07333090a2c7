// start-assessment.js - POST /api/assessments/{id}/start: a student opens an assessment.
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/start-assessment.js
import http from 'k6/http';
import { check, group } from 'k6';
import { Counter } from 'k6/metrics';
import {
  ASSESSMENTS, BASE_URL, ENDPOINTS, buildOptions, handleSummary, params, parseJson, randomInt,
  recordServer, studentId, think,
} from '../k6-config.js';

const NAME = ENDPOINTS.startAssessment;
export const sessionsStarted = new Counter('sessions_started');

/**
 * Starts assessment `assessmentId` for `student`. Returns the session
 * ({ session_id, questions: [question ids from the answer's `question_ids`] })
 * or undefined when the service refused or sent no questions.
 */
export function startAssessment(assessmentId, student) {
  const res = http.post(
    `${BASE_URL}/api/assessments/${encodeURIComponent(assessmentId)}/start`,
    JSON.stringify({ student_id: student }),
    params(NAME),
  );
  recordServer(res);
  const body = parseJson(res);
  const sessionId = body ? body.session_id : undefined;
  const questions = body && Array.isArray(body.question_ids) ? body.question_ids : [];
  const ok = check(res, {
    'start: status is 201': (r) => r.status === 201,
    'start: has session_id': () => sessionId !== undefined && sessionId !== null,
    'start: has question_ids': () => questions.length > 0,
  });
  if (!ok) return undefined;
  sessionsStarted.add(1);
  return { session_id: sessionId, questions };
}

/** Scenario function: open a random assessment, then read its first question. */
export function startAssessmentIteration() {
  group('start assessment', () => startAssessment(randomInt(1, ASSESSMENTS), studentId()));
  think(1, 3);
}

export const options = buildOptions({ exec: 'startAssessmentIteration', endpoints: [NAME] });
export default startAssessmentIteration;
export { handleSummary };
