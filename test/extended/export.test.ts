/** GET /v1/jobs/export: CSV and JSON, fields, filters, exact ids, streaming with backpressure, ownership. */
import http from 'node:http';
import test from 'ava';
import { makeTempDir, parseExact, startTestServer, submitJob, type TestServer } from '../helpers/test-server.js';
import { addUser, AUTH_ENV, bearer, fetchToken } from '../helpers/auth.js';
import { FakeExecutor } from '../helpers/fake-executor.js';
import { seedJobs, type SeedJob } from '../helpers/seed-jobs.js';
import { EXPORT_FIELDS } from '../../src/http/presenters/job-export.js';

const T0 = 1_700_000_000;
const BIG = (1n << 60n) + 3n;
const MANY = 8_000;

const SEEDS: SeedJob[] = [
  { id: 11n, owner: 'alice', name: 'plain', t_submit: T0, tags: [{ type: 'project', name: 'climate' }], metadata: { run: '1' } },
  { id: 12n, owner: 'alice', name: 'has, comma "and quotes"', result: 'FAILED', t_submit: T0 + 10, command: ['sh', '-c', 'echo a b'] },
  { id: 13n, owner: 'bob', name: '=HYPERLINK("http://evil")', t_submit: T0 + 20 },
  { id: BIG, owner: 'bob', name: 'big', result: 'TIMEOUT', t_submit: T0 + 30 },
  ...Array.from({ length: MANY }, (_, index): SeedJob => ({ id: 100_000n + BigInt(index), owner: 'carol', name: `bulk-${index % 7}`, t_submit: T0 + 100 + index })),
];

let server: TestServer;
test.before(async () => {
  const dataDir = makeTempDir();
  seedJobs(dataDir, SEEDS);
  server = await startTestServer({ dataDir, overrides: { executor: new FakeExecutor() } });
});
test.after.always(async () => {
  await server.close();
});

/** Splits CSV text into records (RFC 4180: quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const ch = text[index];
    if (quoted) {
      if (ch === '"' && text[index + 1] === '"') { field += '"'; index += 1; } else if (ch === '"') { quoted = false; } else { field += ch; }
    } else if (ch === '"') { quoted = true; } else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[index + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; index += 1; } else { field += ch; }
  }
  return rows;
}

test('CSV: header row, chosen fields in order, RFC 4180 quoting, spreadsheet formulas defused', async (t) => {
  const response = await server.request.get('/v1/jobs/export').query({ owner: ['alice', 'bob'], fields: 'id,name,owner,result,tags,metadata,command', sort: 't_submit' });
  t.is(response.status, 200);
  t.regex(String(response.headers['content-type']), /^text\/csv/);
  t.regex(String(response.headers['content-disposition']), /^attachment; filename="jobs-\d{8}T\d{6}Z\.csv"$/);
  t.is(response.headers['cache-control'], 'no-store');
  const rows = parseCsv(response.text);
  t.deepEqual(rows[0], ['id', 'name', 'owner', 'result', 'tags', 'metadata', 'command']);
  t.deepEqual(rows.slice(1), [
    ['11', 'plain', 'alice', 'COMPLETED', 'project:climate', 'run=1', 'plain'],
    ['12', 'has, comma "and quotes"', 'alice', 'FAILED', '', '', "sh -c 'echo a b'"],
    ['13', '\'=HYPERLINK("http://evil")', 'bob', 'COMPLETED', '', '', "'=HYPERLINK(\"http://evil\")'"],
    [BIG.toString(), 'big', 'bob', 'TIMEOUT', '', '', 'big'],
  ]);
});

test('JSON and NDJSON: exact 64-bit ids, ISO times on request', async (t) => {
  const json = await server.request.get('/v1/jobs/export').query({ format: 'json', name: 'big', fields: 'id,jobid,t_submit', times: 'iso' }).buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (part: string) => { text += part; });
    res.on('end', () => done(null, text));
  });
  const rows = parseExact(json.body as string) as { id: bigint; t_submit: string }[];
  t.deepEqual(rows.map((row) => row.id), [BIG]);
  t.is(rows[0]?.t_submit, '2023-11-14T22:13:50.000Z');
  const ndjson = await server.request.get('/v1/jobs/export').query({ format: 'ndjson', owner: 'alice', fields: 'id,name', sort: 't_submit' }).buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (part: string) => { text += part; });
    res.on('end', () => done(null, text));
  });
  t.deepEqual((ndjson.body as string).trim().split('\n').map((line) => JSON.parse(line) as unknown), [{ id: 11, name: 'plain' }, { id: 12, name: 'has, comma "and quotes"' }]);
  const empty = await server.request.get('/v1/jobs/export').query({ format: 'json', owner: 'nobody' });
  t.deepEqual(JSON.parse(empty.text), []);
});

test('every matching job, in order: 8,000 rows', async (t) => {
  const response = await server.request.get('/v1/jobs/export').query({ owner: 'carol', fields: 'id', sort: 'id' });
  const lines = response.text.trimEnd().split('\r\n');
  t.is(lines.length, MANY + 1);
  t.is(lines[1], '100000');
  t.is(lines[MANY], String(100_000 + MANY - 1));
});

test('a slow reader holds nobody back: jobgate keeps writing while an export waits on its client', async (t) => {
  // Wide rows (every field, ISO times): far more than socket buffers hold, so the export really waits.
  const url = new URL(`/v1/jobs/export?owner=carol&format=ndjson&times=iso&fields=${EXPORT_FIELDS.join(',')}`, server.url);
  const received = await new Promise<{ bytes: number; res: http.IncomingMessage }>((resolve, reject) => {
    http.get(url, (res) => {
      res.once('data', (part: Buffer) => {
        res.pause();
        resolve({ bytes: part.length, res });
      });
    }).on('error', reject);
  });
  // The export is paused mid-way (its reader holds a statement open); writes still go through.
  const id = await submitJob(server, { command: 'sleep 1' });
  t.regex(id, /^\d+$/);
  t.is((await server.request.post(`/v1/jobs/${id}/tags`).send({ tags: ['while-exporting'] })).status, 200);
  let total = received.bytes;
  received.res.on('data', (part: Buffer) => { total += part.length; });
  received.res.resume();
  await new Promise((resolve) => received.res.on('end', resolve));
  t.true(total > 5_000_000, `${total} bytes`);
});

test('bad parameters: unknown field, format or filter is a 400 naming it', async (t) => {
  const field = await server.request.get('/v1/jobs/export').query({ fields: 'id,envars' });
  t.is(field.status, 400);
  t.regex(field.body.error.details[0].message, /'envars' is not a field/);
  t.is((await server.request.get('/v1/jobs/export').query({ format: 'xlsx' })).status, 400);
  t.is((await server.request.get('/v1/jobs/export').query({ owners: 'x' })).body.error.details[0].field, 'owners');
});

test('ownership: a user exports only their own jobs', async (t) => {
  const dataDir = makeTempDir();
  seedJobs(dataDir, SEEDS.slice(0, 4));
  const auth = await startTestServer({ dataDir, env: AUTH_ENV });
  t.teardown(() => auth.close());
  await addUser(dataDir, 'alice', 'alice-password-1');
  const alice = bearer(await fetchToken(auth, 'alice', 'alice-password-1'));
  const rows = parseCsv((await auth.request.get('/v1/jobs/export').query({ fields: 'id,owner' }).set(alice)).text);
  t.deepEqual(rows.slice(1).map((row) => row[1]), ['alice', 'alice']);
  t.is((await auth.request.get('/v1/jobs/export')).status, 401);
});
