// generate-feedback.js - POST /api/agents/generate: AI feedback from the LLM
// agent, the slowest endpoint. llm_feedback_latency holds the latency of the
// answered calls, llm_timeouts the share that timed out (LLM_TIMEOUT, default 30s).
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/generate-feedback.js
import http from 'k6/http';
import { check, group } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import {
  BASE_URL, ENDPOINTS, buildOptions, handleSummary, params, parseJson, randomInt, recordServer,
  studentId, think,
} from '../k6-config.js';

const NAME = ENDPOINTS.generateFeedback;
const TIMEOUT = __ENV.LLM_TIMEOUT || '30s';
const TOPICS = ['algebra', 'geometry', 'reading comprehension', 'chemistry', 'history'];

export const llmLatency = new Trend('llm_feedback_latency', true);
export const llmTimeouts = new Rate('llm_timeouts');

/** Asks the feedback agent about `student` (and `sessionId` if any); returns the text or undefined. */
export function generateFeedback(student, sessionId) {
  const payload = {
    agent: 'feedback',
    student_id: student,
    prompt: `Explain my mistakes in ${TOPICS[randomInt(0, TOPICS.length - 1)]} and what to practise next.`,
  };
  if (sessionId !== undefined) payload.session_id = sessionId;
  const res = http.post(`${BASE_URL}/api/agents/generate`, JSON.stringify(payload), params(NAME, { timeout: TIMEOUT }));
  recordServer(res);
  // k6 error_code 1050: request timeout; 504: the gateway gave up on the LLM.
  llmTimeouts.add(res.error_code === 1050 || res.status === 504);
  if (res.status === 200) llmLatency.add(res.timings.duration);
  const body = parseJson(res);
  const ok = check(res, { 'feedback: status is 200': (r) => r.status === 200 });
  return ok && body ? body.text || body.feedback || '' : undefined;
}

/** Scenario function: ask for feedback, then read it. */
export function generateFeedbackIteration() {
  group('request AI feedback', () => generateFeedback(studentId()));
  think(5, 15);
}

export const options = buildOptions({ exec: 'generateFeedbackIteration', endpoints: [NAME] });
export default generateFeedbackIteration;
export { handleSummary };
