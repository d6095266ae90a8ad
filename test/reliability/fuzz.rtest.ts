/**
 * Bad input, generated: every operation of `/openapi.json` (so every route, path parameter,
 * query parameter and body field the API declares, including routes added later) and every
 * page and static path is called with values from fast-check (hostile catalogue, arbitrary
 * unicode and control characters, huge and negative integers, NaN, path traversal, broken
 * JSON, wrong content types) and hostile headers (CR/LF injection, oversized ids, bad dates,
 * forged cookies and tokens), over a raw socket that sends the bytes as they are. Every answer
 * must come within its time limit, be below 500, and carry no injected header. With auth off
 * and on (a valid token on most requests, so the routes behind authentication are reached).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { idOf } from './lib/http-client.js';
import { encodeComponent, rawRequest, type RawAnswer } from './lib/raw-http.js';
import { startService, type Service } from './lib/service.js';
import { counts, recordFigure, reportTally } from './lib/tally.js';

reportTally(test, import.meta.url);

const SEED = Number(process.env.JOBGATE_FUZZ_SEED ?? '20260815');
const RUNS = Number(process.env.JOBGATE_FUZZ_RUNS ?? '60');

interface Operation {
  method: string;
  /** OpenAPI path, `{name}` for path parameters. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[] | null;
}

type Json = Record<string, unknown>;

function operationsOf(document: Json): Operation[] {
  const components = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const resolve = (schema: Json | undefined): Json | undefined => {
    const ref = schema?.$ref;
    return typeof ref === 'string' ? components[ref.split('/').pop() ?? ''] : schema;
  };
  const operations: Operation[] = [];
  for (const [route, item] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
        continue;
      }
      const parameters = (operation.parameters ?? []) as { in: string; name: string }[];
      const content = ((operation.requestBody as Json | undefined)?.content ?? null) as Record<string, { schema?: Json }> | null;
      const schema = resolve(content?.['application/json']?.schema ?? content?.['application/x-www-form-urlencoded']?.schema);
      operations.push({
        method: method.toUpperCase(),
        path: route,
        pathParams: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
        queryParams: parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
        bodyFields: content === null ? null : Object.keys((schema?.properties ?? {}) as Json),
      });
    }
  }
  return operations;
}

const TWO_64 = '18446744073709551616';
/** Values that broke parsers somewhere once: numbers at and past every limit, encodings, traversal, markup, injection. */
const HOSTILE = [
  '', ' ', '0', '-0', '1', '-1', '2', '65', '-9223372036854775809', '-9223372036854775808', '9223372036854775807', '9223372036854775808',
  '18446744073709551615', TWO_64, '340282366920938463463374607431768211456', '1e308', '-1e308', '1e-400', 'NaN', 'nan', 'Infinity', '-Infinity',
  '0x10', '0b11', '1.5', '1,5', '1_000', ' 7 ', '007', 'true', 'false', 'null', 'undefined', '[]', '{}', '[1,2]', '{"a":1}', '{"__proto__":{"x":1}}',
  '../../../../etc/passwd', '..\\..\\windows', '/etc/passwd', '/proc/self/environ', '~', '~root', '.', '..', '/', '//', '%00', '\u0000', '\u0000x',
  '\r\nX-Injected: 1', 'a\rX-Injected: 1', '\n', '\t', '\u000b', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\u202e', '\ufeff', '\ufffd', '\ud800', '\udfff',
  'ƒ', 'ƒ2Ex4ZnuR', 'f2Ex4ZnuR', '0x0123456789abcdef', 'dead.beef.cafe.babe', '😀', 'é'.repeat(300), 'x'.repeat(5000),
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'; DROP TABLE jobs; --", '%', '%%', '%ZZ', '%C0%AE', '${PATH}', '$(id)', '`id`',
  '\\', '"', "'", '=', '&', '#', '?', '*', 'a,b,c', ',,,', 'RUN,SCHED', 'pending', 'active', 'COMPLETED', 'INACTIVE', '-t_submit', 't_submit', 'id',
  'csv', 'json', 'ndjson', 'stdout', 'stderr', 'all', 'raw', 'chunks', 'lines', 'hold', 'expedite', 'cancel', 'default:x', 'type:name', 'a:b:c',
  '2024-05-01T00:00:00Z', '2024-13-45T99:99:99Z', '9999999999999', '-62135596800', '1970-01-01',
];

const text = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 1500 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

/** A value for a parameter; commands never name a real program (the fuzzer must not run anything). */
function valueFor(name: string, ids: string[]): fc.Arbitrary<string> {
  if (name === 'command') {
    return text.map((value) => `jobgate-fuzz-missing ${value}`);
  }
  return fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom(...ids) });
}

/** A JSON value as text, including texts JSON.stringify never writes (huge integers, NaN). */
function jsonFor(name: string, ids: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: valueFor(name, ids).map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.constantFrom(TWO_64, '-1', '1e400', '-0', '0.5', 'NaN', 'true', 'null', '[]', '{}', '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]', '{"a":{"b":{"c":[1,{"d":null}]}}}', `[${TWO_64}, "x"]`, '{"__proto__": {"polluted": true}}') },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...ids), { maxLength: 5 }).map((list) => `[${list.join(',')}]`) },
  );
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=x', 'application/xml', '', '*/*', 'application/json\r\nX-Injected: 1'];

function bodyFor(fields: string[], ids: string[]): fc.Arbitrary<{ type: string; body: string }> {
  const names = fc.constantFrom(...fields, 'unknown_field', '__proto__', 'constructor', '');
  const object = fc.array(names.chain((name) => jsonFor(name, ids).map((value) => `${JSON.stringify(name)}:${value}`)), { maxLength: 8 }).map((pairs) => `{${pairs.join(',')}}`);
  const broken = fc.constantFrom('{', '{"a":', '[1,2', 'null', '"x"', '1', '', '\u0000', `{"id": ${TWO_64}}`, '{"a":1}{"b":2}', 'a=b&c=%ZZ', '\ufeff{}');
  return fc.record({
    type: fc.oneof({ weight: 5, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
    body: fc.oneof({ weight: 4, arbitrary: object }, { weight: 1, arbitrary: broken }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) }),
  });
}

const HEADER_NAMES = ['Accept', 'Content-Type', 'Last-Event-ID', 'X-Request-Id', 'Authorization', 'Cookie', 'If-None-Match', 'If-Modified-Since', 'Origin', 'Sec-Fetch-Site', 'Range', 'Accept-Encoding', 'Accept-Language', 'X-Forwarded-For', 'Referer'];
const headerValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE.filter((value) => !/[\r\n\u0000]/.test(value))) },
  { weight: 1, arbitrary: fc.constantFrom('text/event-stream', 'application/json', 'text/html', 'Bearer x.y.z', 'Bearer ' + 'a'.repeat(9000), 'Basic Zm9vOmJhcg==', 'jobgate_session=' + 'x'.repeat(200), 'W/"x"', '*', 'Mon, 32 Foo 99999 25:61:61 GMT', 'bytes=0-1,-1', 'cross-site', 'null', 'x\r\nX-Injected: 1') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 100 }) },
);

interface Generated {
  pathValues: string[];
  query: [string, string][];
  headers: [string, string][];
  body: { type: string; body: string } | null;
}

function requestFor(operation: Operation, ids: string[]): fc.Arbitrary<Generated> {
  const names = fc.constantFrom(...operation.queryParams, 'unknown', 'a[b]', 'a[]', '', '__proto__');
  return fc.record({
    pathValues: fc.tuple(...operation.pathParams.map((name) => valueFor(name, ids))),
    query: fc.array(names.chain((name) => valueFor(name, ids).map((value): [string, string] => [name, value])), { maxLength: 6 }),
    headers: fc.array(fc.tuple(fc.constantFrom(...HEADER_NAMES), headerValue), { maxLength: 3 }),
    body: operation.bodyFields === null ? fc.constant(null) : fc.option(bodyFor(operation.bodyFields, ids), { nil: null }),
  });
}

function targetOf(operation: Operation, generated: Generated): string {
  let index = 0;
  const route = operation.path.replace(/\{[^}]+\}/g, () => encodeComponent(generated.pathValues[index++] ?? ''));
  const query = generated.query.map(([name, value]) => `${encodeComponent(name)}=${encodeComponent(value)}`).join('&');
  return query === '' ? route : `${route}?${query}`;
}

/** Checks one answer: below 500, and no header the request tried to inject. */
function sound(answer: RawAnswer): boolean {
  return answer.status >= 100 && answer.status < 500 && !answer.headers.has('x-injected');
}

interface Setup {
  service: Service;
  port: number;
  ids: string[];
  token: string | null;
}

async function setUp(t: { teardown(fn: () => Promise<void> | void): void }, auth: boolean): Promise<Setup> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobgate-rel-fuzz-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env: Record<string, string> = { JOBGATE_WORKDIR: dir };
  if (auth) {
    Object.assign(env, { FLUX_REQUIRE_AUTH: 'true', FLUX_USER: 'fuzzer', FLUX_TOKEN: 'a long fuzzing password', FLUX_SECRET_KEY: 'a client secret for the fuzz' });
  }
  const service = await startService(path.join(dir, 'data'), ['--cores', '2'], env);
  t.teardown(() => service.close());
  let token: string | null = null;
  const headers: Record<string, string> = {};
  if (auth) {
    const login = await service.client.post('/v1/login/access-token', { body: 'username=fuzzer&password=a+long+fuzzing+password', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    token = (login.json() as { access_token: string }).access_token;
    headers.Authorization = `Bearer ${token}`;
  }
  const running = idOf(await service.client.post('/v1/jobs/submit', { query: { command: 'sleep 300', job_name: 'running' }, headers }));
  const done = idOf(await service.client.post('/v1/jobs/submit', { query: { command: 'echo done', job_name: 'done' }, headers }));
  const port = Number(new URL(service.url).port);
  return { service, port, ids: [running, done, `ƒ${running}`, '0'], token };
}

async function fuzzApi(t: { log(...values: unknown[]): void }, setup: Setup, runs: number): Promise<{ operations: number; requests: number }> {
  const document = (await setup.service.client.get('/openapi.json')).json();
  // service/stop ends the service under test: the stop tests call it.
  const operations = operationsOf(document).filter((operation) => operation.path !== '/v1/service/stop');
  let requests = 0;
  for (const operation of operations) {
    await fc.assert(
      fc.asyncProperty(requestFor(operation, setup.ids), fc.boolean(), async (generated, withToken) => {
        const headers: [string, string][] = [...generated.headers];
        if (setup.token !== null && withToken && !headers.some(([name]) => name === 'Authorization')) {
          headers.push(['Authorization', `Bearer ${setup.token}`]);
        }
        if (generated.body !== null) {
          headers.push(['Content-Type', generated.body.type]);
        }
        requests += 1;
        const answer = await rawRequest(setup.port, { method: operation.method, target: targetOf(operation, generated), headers, ...(generated.body !== null ? { body: Buffer.from(generated.body.body, 'utf8') } : {}) });
        if (!sound(answer)) {
          t.log(`${operation.method} ${operation.path}: ${answer.head.slice(0, 400)}`);
        }
        return sound(answer);
      }),
      { numRuns: runs, seed: SEED, endOnFailure: false },
    );
  }
  return { operations: operations.length, requests };
}

const PAGES: { method: string; path: string }[] = [
  { method: 'GET', path: '/' }, { method: 'GET', path: '/jobs' }, { method: 'GET', path: '/job/{id}' }, { method: 'GET', path: '/job/{id}/cancel' },
  { method: 'POST', path: '/job/{id}/cancel' }, { method: 'GET', path: '/job/{id}/output.txt' }, { method: 'GET', path: '/submit' }, { method: 'POST', path: '/submit' },
  { method: 'GET', path: '/nodes' }, { method: 'GET', path: '/login' }, { method: 'POST', path: '/login' }, { method: 'POST', path: '/logout' },
  { method: 'GET', path: '/account' }, { method: 'GET', path: '/docs' }, { method: 'GET', path: '/static/{id}' }, { method: 'GET', path: '/static/app/{id}' },
];

/** Static paths that try to leave the static folders, encoded every way a server may decode. */
const TRAVERSALS = [
  '/static/../package.json', '/static/..%2fpackage.json', '/static/%2e%2e/%2e%2e/package.json', '/static/..%252f..%252fpackage.json', '/static/....//....//package.json',
  '/static/%2e%2e%5c%2e%2e%5cpackage.json', '/static//etc/passwd', '/static/%00/../package.json', '/static/app/../../src/server.ts', '/static/app/%2e%2e/%2e%2e/src/server.ts',
  '/static/..%c0%af..%c0%afpackage.json', '/static/%u002e%u002e/package.json', '/static/ /../package.json', '/static/app/../../../../../../etc/passwd',
  '/static/\u0000', '/static/app/', '/static/', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/static/style.css/..', '/static/style.css%00.js',
];

async function fuzzPages(t: { log(...values: unknown[]): void }, setup: Setup, runs: number): Promise<number> {
  let requests = 0;
  for (const page of PAGES) {
    const operation: Operation = { method: page.method, path: page.path, pathParams: page.path.includes('{id}') ? ['id'] : [], queryParams: ['notice', 'stream', 'next', 'q', 'state'], bodyFields: page.method === 'POST' ? ['command', 'num_tasks', 'csrf_token', 'username', 'password', 'envars', 'workdir'] : null };
    await fc.assert(
      fc.asyncProperty(requestFor(operation, setup.ids), async (generated) => {
        const headers: [string, string][] = [...generated.headers, ['Accept', 'text/html']];
        if (generated.body !== null) {
          headers.push(['Content-Type', generated.body.type === 'application/json' ? 'application/x-www-form-urlencoded' : generated.body.type]);
        }
        requests += 1;
        const answer = await rawRequest(setup.port, { method: operation.method, target: targetOf(operation, generated), headers, ...(generated.body !== null ? { body: Buffer.from(generated.body.body, 'utf8') } : {}) });
        if (!sound(answer)) {
          t.log(`${operation.method} ${operation.path}: ${answer.head.slice(0, 400)}`);
        }
        return sound(answer);
      }),
      { numRuns: Math.max(10, Math.floor(runs / 2)), seed: SEED, endOnFailure: false },
    );
  }
  return requests;
}

test.serial('every route of the API document, every page and static path, with generated bad input: never a 5xx, never a hang (auth off)', async (t) => {
  const setup = await setUp(t, false);
  const api = await fuzzApi(t, setup, RUNS);
  const pages = await fuzzPages(t, setup, RUNS);
  let traversals = 0;
  for (const target of TRAVERSALS) {
    const answer = await rawRequest(setup.port, { method: 'GET', target, headers: [] });
    traversals += 1;
    t.true(answer.status < 500, `${target}: ${answer.status}`);
    t.not(answer.status, 200, `${target} must not be served`);
  }
  // Header injection through the request id the service echoes back.
  const injected = await rawRequest(setup.port, { method: 'GET', target: '/health', headers: [['X-Request-Id', 'abc\rX-Injected: 1']] });
  t.false(injected.headers.has('x-injected'));
  t.is((await setup.service.client.get('/health')).status, 200, 'the service is alive');
  t.is((await setup.service.client.get('/ready')).status, 200);
  t.is(counts.serverErrors, 0);
  t.is(counts.hangs, 0);
  recordFigure('fuzz, auth off', { seed: SEED, 'API operations': api.operations, 'API requests': api.requests, 'page requests': pages, 'static traversals': traversals });
});

test.serial('the same with authentication on (a valid token on most requests)', async (t) => {
  const setup = await setUp(t, true);
  const api = await fuzzApi(t, setup, Math.max(10, Math.floor(RUNS / 2)));
  const pages = await fuzzPages(t, setup, Math.max(10, Math.floor(RUNS / 2)));
  t.is((await setup.service.client.get('/health')).status, 200, 'the service is alive');
  t.is(counts.serverErrors, 0);
  t.is(counts.hangs, 0);
  recordFigure('fuzz, auth on', { seed: SEED, 'API operations': api.operations, 'API requests': api.requests, 'page requests': pages });
});
