// user-journey.js - a student's session, the realistic mix: browse the
// catalogue, open an assessment, answer its questions with reading time
// between them, look at the progress dashboard, sometimes ask the AI tutor.
// One iteration is one visit; think times make a VU behave like a person.
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/user-journey.js
import { group } from 'k6';
import {
  ASSESSMENTS, ENDPOINTS, buildOptions, handleSummary, randomInt, studentId, think,
} from '../k6-config.js';
import { listAssessments } from './list-assessments.js';
import { startAssessment } from './start-assessment.js';
import { questionId, submitResponse } from './submit-response.js';
import { viewAnalytics } from './view-analytics.js';
import { generateFeedback } from './generate-feedback.js';

const ANSWERS = ['A', 'B', 'C', 'D'];
// Share of visits that end with a question to the AI tutor (-e FEEDBACK_SHARE=0.3).
const FEEDBACK_SHARE = Number(__ENV.FEEDBACK_SHARE || 0.3);
// Share of visits that only browse and leave.
const BROWSE_ONLY_SHARE = Number(__ENV.BROWSE_ONLY_SHARE || 0.2);

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

  if (session) {
    const available = session.questions.length || 5;
    const answering = Math.min(available, randomInt(3, 6));
    for (let i = 0; i < answering; i++) {
      const qid = questionId(session, i);
      group('answer question', () => submitResponse(session.session_id, qid, ANSWERS[randomInt(0, 3)]));
      think(2, 6);
    }
  }

  group('view analytics', () => viewAnalytics(student));
  think(3, 8);

  if (Math.random() < FEEDBACK_SHARE) {
    group('request AI feedback', () => generateFeedback(student, session ? session.session_id : undefined));
    think(5, 15);
  }
}

export const options = buildOptions({ exec: 'userJourney', endpoints: Object.values(ENDPOINTS) });
export default userJourney;
export { handleSummary };
