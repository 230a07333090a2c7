// view-analytics.js - GET /api/analytics/student/{id}: a student's progress dashboard.
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/view-analytics.js
import http from 'k6/http';
import { check, group } from 'k6';
import {
  BASE_URL, ENDPOINTS, buildOptions, handleSummary, params, parseJson, recordServer, studentId, think,
} from '../k6-config.js';

const NAME = ENDPOINTS.viewAnalytics;

/** The analytics of `student`; returns the parsed body or undefined. */
export function viewAnalytics(student) {
  const res = http.get(`${BASE_URL}/api/analytics/student/${encodeURIComponent(student)}`, params(NAME));
  recordServer(res);
  const body = parseJson(res);
  const ok = check(res, {
    'analytics: status is 200': (r) => r.status === 200,
    'analytics: has by_subject': () => body !== undefined && body !== null && body.by_subject !== undefined,
  });
  return ok ? body : undefined;
}

/** Scenario function: open the dashboard, then look at it. */
export function viewAnalyticsIteration() {
  group('view analytics', () => viewAnalytics(studentId()));
  think(2, 5);
}

export const options = buildOptions({ exec: 'viewAnalyticsIteration', endpoints: [NAME] });
export default viewAnalyticsIteration;
export { handleSummary };
