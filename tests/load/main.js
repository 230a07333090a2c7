// main.js - the entry point of the EduMind load tests.
//
//   k6 run -e SCENARIO=normal|peak|stress|soak|smoke -e SCRIPT=user-journey \
//          -e BASE_URL=http://host:8080 tests/load/main.js
//
// SCRIPT picks what the VUs do: user-journey (default, the realistic mix) or
// one endpoint: list-assessments, start-assessment, submit-response,
// view-analytics, generate-feedback. SCENARIO picks the load shape (see
// k6-config.js for the sizes and the SCALE / TIME_SCALE factors).
// tests/load/run.sh wraps this with the outputs loadrep ingests.
import { ENDPOINTS, buildOptions, handleSummary } from './k6-config.js';
import { listAssessmentsIteration } from './scenarios/list-assessments.js';
import { startAssessmentIteration } from './scenarios/start-assessment.js';
import { submitResponseIteration } from './scenarios/submit-response.js';
import { viewAnalyticsIteration } from './scenarios/view-analytics.js';
import { generateFeedbackIteration } from './scenarios/generate-feedback.js';
import { userJourney } from './scenarios/user-journey.js';

// SCRIPT name -> the exported function the scenario executes, and the
// endpoints it calls (each gets its own p95 threshold).
export const SCRIPTS = Object.freeze({
  'user-journey': { exec: 'userJourney', endpoints: Object.values(ENDPOINTS) },
  'list-assessments': { exec: 'listAssessmentsIteration', endpoints: [ENDPOINTS.listAssessments] },
  'start-assessment': { exec: 'startAssessmentIteration', endpoints: [ENDPOINTS.startAssessment] },
  'submit-response': {
    exec: 'submitResponseIteration',
    endpoints: [ENDPOINTS.submitResponse, ENDPOINTS.startAssessment],
  },
  'view-analytics': { exec: 'viewAnalyticsIteration', endpoints: [ENDPOINTS.viewAnalytics] },
  'generate-feedback': { exec: 'generateFeedbackIteration', endpoints: [ENDPOINTS.generateFeedback] },
});

export const SCRIPT = __ENV.SCRIPT || 'user-journey';
const selected = SCRIPTS[SCRIPT];
if (!selected) {
  throw new Error(`unknown SCRIPT '${SCRIPT}': use one of ${Object.keys(SCRIPTS).join(', ')}`);
}

export const options = buildOptions(selected);

export {
  listAssessmentsIteration,
  startAssessmentIteration,
  submitResponseIteration,
  viewAnalyticsIteration,
  generateFeedbackIteration,
  userJourney,
  handleSummary,
};

export default function () {
  const fns = {
    listAssessmentsIteration,
    startAssessmentIteration,
    submitResponseIteration,
    viewAnalyticsIteration,
    generateFeedbackIteration,
    userJourney,
  };
  fns[selected.exec]();
}
