// user-journey.js - a student's session, the realistic mix: browse the
// catalogue, open an assessment, answer its questions with reading time
// between them, look at the progress dashboard, sometimes ask the AI tutor.
// One iteration is one visit; think times make a VU behave like a person.
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/user-journey.js
import { group } from 'k6';
import {
  ASSESSMENTS, ENDPOINTS, QUESTIONS, SCENARIO, buildOptions, handleSummary, randomInt, studentId, think,
} from '../k6-config.js';
import { listAssessments } from './list-assessments.js';
import { startAssessment } from './start-assessment.js';
import { randomAnswer, submitResponse } from './submit-response.js';
import { viewAnalytics } from './view-analytics.js';
import { generateFeedback } from './generate-feedback.js';

// Share of visits that end with a question to the AI tutor (-e FEEDBACK_SHARE=0.3),
// and of visits that only browse and leave (-e BROWSE_ONLY_SHARE=0.2). The
// smoke scenario checks that every endpoint works: every visit goes all the way.
const SMOKE = SCENARIO === 'smoke';
const FEEDBACK_SHARE = Number(__ENV.FEEDBACK_SHARE || (SMOKE ? 1 : 0.3));
const BROWSE_ONLY_SHARE = Number(__ENV.BROWSE_ONLY_SHARE || (SMOKE ? 0 : 0.2));

export function userJourney() {
  const student = studentId();

  const items = group('browse assessments', () => {
    const first = listAssessments(1);
    return Math.random() < 0.3 ? first.concat(listAssessments(2)) : first;
  });
  think(2, 5);
  if (Math.random() < BROWSE_ONLY_SHARE) return;

  const picked = items.length ? items[randomInt(0, items.length - 1)] : undefined;
  const assessmentId = picked && picked.id !== undefined ? picked.id : randomInt(1, ASSESSMENTS);
  const session = group('start assessment', () => startAssessment(assessmentId, student));
  think(1, 3);

  // The last answered question (and answer) is what the AI tutor is asked about.
  let asked = { qid: randomInt(1, QUESTIONS), answer: undefined };
  if (session) {
    const answering = Math.min(session.questions.length, randomInt(3, 6));
    for (let i = 0; i < answering; i++) {
      const qid = session.questions[i];
      const answer = randomAnswer();
      group('answer question', () => submitResponse(session.session_id, qid, answer));
      asked = { qid, answer };
      think(2, 6);
    }
  }

  group('view analytics', () => viewAnalytics(student));
  think(3, 8);

  if (Math.random() < FEEDBACK_SHARE) {
    group('request AI feedback', () => generateFeedback(student, asked.qid, asked.answer));
    think(5, 15);
  }
}

export const options = buildOptions({ exec: 'userJourney', endpoints: Object.values(ENDPOINTS) });
export default userJourney;
export { handleSummary };
