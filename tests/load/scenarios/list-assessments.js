// list-assessments.js - GET /api/assessments: students browsing the catalogue.
//   k6 run -e SCENARIO=normal -e BASE_URL=http://host:8080 tests/load/scenarios/list-assessments.js
import http from 'k6/http';
import { check, group } from 'k6';
import {
  BASE_URL, ENDPOINTS, buildOptions, handleSummary, params, parseJson, recordServer, think,
} from '../k6-config.js';

const NAME = ENDPOINTS.listAssessments;

/** One page (20 items) of the catalogue; returns its items ([] when the answer has none). */
export function listAssessments(page = 1) {
  const res = http.get(`${BASE_URL}/api/assessments?page=${page}`, params(NAME));
  recordServer(res);
  const body = parseJson(res);
  const items = Array.isArray(body) ? body : (body && Array.isArray(body.items) ? body.items : []);
  check(res, {
    'list: status is 200': (r) => r.status === 200,
    'list: has items': () => items.length > 0,
  });
  return items;
}

/** Scenario function: browse one of the first pages, then read it. */
export function listAssessmentsIteration() {
  group('browse assessments', () => listAssessments(1 + Math.floor(Math.random() * 3)));
  think(1, 3);
}

export const options = buildOptions({ exec: 'listAssessmentsIteration', endpoints: [NAME] });
export default listAssessmentsIteration;
export { handleSummary };
