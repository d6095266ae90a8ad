/**
 * A catalogue of bad inputs: each must get a 4xx whose JSON body names the field, never a 5xx,
 * and never a hang.
 */
import test from 'ava';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ env: { JOBGATE_MAX_BODY_BYTES: '65536' } });
});
test.after.always(async () => {
  await server.close();
});

interface Case {
  name: string;
  method: 'get' | 'post';
  path: string;
  query?: Record<string, string>;
  body?: string;
  type?: string;
  status: number;
  /** Text the body must contain: the field or parameter named. */
  names: string;
}

const huge = '18446744073709551616';
const cases: Case[] = [
  { name: 'num_tasks not a number', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', num_tasks: 'many' }, status: 422, names: 'num_tasks' },
  { name: 'num_tasks 2^64', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', num_tasks: huge }, status: 422, names: 'num_tasks' },
  { name: 'num_tasks negative', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', num_tasks: '-3' }, status: 400, names: 'num_tasks' },
  { name: 'num_tasks NaN', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', num_tasks: 'NaN' }, status: 422, names: 'num_tasks' },
  { name: 'cores_per_task a float', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', cores_per_task: '1.5' }, status: 422, names: 'cores_per_task' },
  { name: 'cores_per_task zero', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', cores_per_task: '0' }, status: 400, names: 'cores_per_task' },
  { name: 'exclusive not a boolean', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', exclusive: 'perhaps' }, status: 422, names: 'exclusive' },
  { name: 'runtime negative', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', runtime: '-1' }, status: 400, names: 'Runtime must be >= 0' },
  { name: 'runtime huge', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', runtime: '1e308' }, status: 422, names: 'runtime' },
  { name: 'runtime Infinity', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', runtime: 'Infinity' }, status: 422, names: 'runtime' },
  { name: 'urgency out of range', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', urgency: '99' }, status: 400, names: 'urgency' },
  { name: 'command missing', method: 'post', path: '/v1/jobs/submit', status: 400, names: 'command' },
  { name: 'command with an open quote', method: 'post', path: '/v1/jobs/submit', query: { command: 'echo "unterminated' }, status: 400, names: 'command' },
  { name: 'command with a NUL', method: 'post', path: '/v1/jobs/submit', query: { command: 'echo \u0000' }, status: 400, names: 'command' },
  { name: 'envars not an object', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', envars: '[1,2]' }, status: 422, names: 'envars' },
  { name: 'envars bad name', method: 'post', path: '/v1/jobs/submit', query: { command: 'true' }, body: '{"1BAD": "x"}', type: 'application/json', status: 400, names: 'envars.1BAD' },
  { name: 'envars nested value', method: 'post', path: '/v1/jobs/submit', query: { command: 'true' }, body: '{"A": {"b": 1}}', type: 'application/json', status: 422, names: 'A' },
  { name: 'option flag key with -o', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', option_flags: '-ompi=x' }, status: 400, names: 'keys without -o' },
  { name: 'workdir with NUL', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', workdir: '/tmp/\u0000x' }, status: 400, names: 'workdir' },
  { name: 'workdir traversal to nowhere', method: 'post', path: '/v1/jobs/submit', query: { command: 'true', workdir: '../../../../nonexistent/../../x' }, status: 400, names: 'workdir' },
  { name: 'unknown field in a JSON request', method: 'post', path: '/v1/jobs/submit', body: '{"command": "true", "num_taks": 2}', type: 'application/json', status: 422, names: 'num_taks' },
  { name: 'command of the wrong type in JSON', method: 'post', path: '/v1/jobs/submit', body: '{"command": 5, "num_tasks": "x"}', type: 'application/json', status: 422, names: 'num_tasks' },
  { name: 'a JSON array body', method: 'post', path: '/v1/jobs/submit', query: { command: 'true' }, body: '[1,2,3]', type: 'application/json', status: 400, names: 'body' },
  { name: 'invalid JSON', method: 'post', path: '/v1/jobs/submit', query: { command: 'true' }, body: '{"A": ', type: 'application/json', status: 400, names: 'body' },
  { name: 'oversized body', method: 'post', path: '/v1/jobs/submit', query: { command: 'true' }, body: JSON.stringify({ A: 'x'.repeat(100000) }), type: 'application/json', status: 413, names: 'body' },
  { name: 'oversized query string', method: 'get', path: '/v1/jobs', query: { pad: 'x'.repeat(40000) }, status: 413, names: 'query' },
  { name: 'job id malformed', method: 'get', path: '/v1/jobs/not-an-id', status: 400, names: 'jobid' },
  { name: 'job id past 2^64', method: 'get', path: `/v1/jobs/${huge}`, status: 400, names: 'jobid' },
  { name: 'job id F58 without prefix', method: 'get', path: '/v1/jobs/37o9WoZ', status: 400, names: 'jobid' },
  { name: 'job id with a path traversal', method: 'get', path: '/v1/jobs/..%2F..%2Fetc%2Fpasswd/output', status: 400, names: 'jobid' },
  { name: 'cancel a malformed id', method: 'post', path: '/v1/jobs/%F0%9F%A5%9E/cancel', status: 400, names: 'jobid' },
  { name: 'details not a boolean', method: 'get', path: '/v1/jobs', query: { details: 'sure' }, status: 422, names: 'details' },
  { name: 'limit not a number', method: 'get', path: '/v1/jobs', query: { limit: 'ten' }, status: 422, names: 'limit' },
  { name: 'limit negative', method: 'get', path: '/v1/jobs', query: { limit: '-1' }, status: 422, names: 'limit' },
  { name: 'output stream unknown', method: 'get', path: '/v1/jobs/123/output', query: { stream: 'stdin' }, status: 422, names: 'stream' },
  { name: 'search start negative', method: 'get', path: '/v1/jobs/search', query: { start: '-5' }, status: 422, names: 'start' },
  { name: 'static path traversal', method: 'get', path: '/static/..%2F..%2Fpackage.json', status: 404, names: 'Not Found' },
  { name: 'an unknown route', method: 'get', path: '/v1/nothing-here', status: 404, names: 'No route' },
];

for (const item of cases) {
  test(`${item.name} → ${item.status}`, async (t) => {
    let request = server.request[item.method](item.path);
    if (item.query) request = request.query(item.query);
    if (item.body !== undefined) request = request.set('Content-Type', item.type ?? 'application/json').send(item.body);
    const response = await request;
    t.is(response.status, item.status, response.text.slice(0, 300));
    t.regex(String(response.headers['content-type']), /application\/json/);
    t.true(response.text.includes(item.names), response.text.slice(0, 300));
  });
}

test('a wrong method on a known route is 405, not a 5xx', async (t) => {
  const response = await server.request.delete('/v1/jobs');
  t.is(response.status, 405);
});

test('the output parameters of a real job are validated, naming each', async (t) => {
  const id = (await server.request.post('/v1/jobs/submit').query({ command: 'true' })).body.id;
  for (const [query, field] of [[{ stream: 'stdin' }, 'stream'], [{ since: '-1' }, 'since'], [{ tail: 'x' }, 'tail'], [{ max_bytes: '0' }, 'max_bytes'], [{ format: 'xml' }, 'format']] as const) {
    const response = await server.request.get(`/v1/jobs/${id}/output`).query(query);
    t.is(response.status, 422, JSON.stringify(query));
    t.true(response.text.includes(field));
  }
});
