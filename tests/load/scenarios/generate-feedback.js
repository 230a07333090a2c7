// generate-feedback.js - POST /api/agents/generate: AI feedback from the LLM
// agent, the slowest endpoint. llm_feedback_latency holds the latency of the
// answered calls, llm_timeouts the share that timed out (LLM_TIMEOUT, default 30s).
// Standalone, it asks about question ids 1..QUESTIONS (see k6-config.js).
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/generate-feedback.js
import http from 'k6/http';
import { check, group } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import {
  BASE_URL, ENDPOINTS, QUESTIONS, buildOptions, handleSummary, params, parseJson, randomInt, recordServer,
  studentId, think,
} from '../k6-config.js';

const NAME = ENDPOINTS.generateFeedback;
const TIMEOUT = __ENV.LLM_TIMEOUT || '30s';

export const llmLatency = new Trend('llm_feedback_latency', true);
export const llmTimeouts = new Rate('llm_timeouts');

/**
 * Asks the feedback agent about question `qid` that `student` answered with
 * option `answer` (optional); returns the feedback text or undefined.
 */
export function generateFeedback(student, qid, answer) {
  const payload = { student_id: student, question_id: qid };
  if (answer !== undefined) payload.answer = answer;
  const res = http.post(`${BASE_URL}/api/agents/generate`, JSON.stringify(payload), params(NAME, { timeout: TIMEOUT }));
  recordServer(res);
  // k6 error_code 1050: request timeout; 504: the gateway gave up on the LLM.
  llmTimeouts.add(res.error_code === 1050 || res.status === 504);
  if (res.status === 200) llmLatency.add(res.timings.duration);
  const body = parseJson(res);
  const ok = check(res, {
    'feedback: status is 200': (r) => r.status === 200,
    'feedback: has feedback': () => body !== undefined && body !== null && typeof body.feedback === 'string',
  });
  return ok ? body.feedback : undefined;
}

/** Scenario function: ask for feedback on a question, then read it. */
export function generateFeedbackIteration() {
  group('request AI feedback', () => generateFeedback(studentId(), randomInt(1, QUESTIONS), randomInt(0, 3)));
  think(5, 15);
}

export const options = buildOptions({ exec: 'generateFeedbackIteration', endpoints: [NAME] });
export default generateFeedbackIteration;
export { handleSummary };
