/**
 * `tag`, `meta`, the filters of `list`/`search` (tags, metadata, held, time windows, sort,
 * pages) and `export` of the real `bin/jobgate` against a real jobgate.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parseJsonLossless } from '../../src/lib/json.js';
import { cliSubmit, useCliServer } from '../helpers/cli.js';
import { waitForJobEnd } from '../helpers/test-server.js';

const suite = useCliServer(test, { flags: { cores: '16' } });

async function submitAndWait(...args: string[]): Promise<string> {
  const id = await cliSubmit(suite.cli, args);
  await waitForJobEnd(suite.server, id);
  return id;
}

const ids = (stdout: string): string[] => (parseJsonLossless(stdout) as { id: number | bigint }[]).map((job) => job.id.toString());

test('tag adds and removes tags and shows them; meta sets and unsets keys; mistakes exit 1, 2 and 4', async (t) => {
  const id = await submitAndWait('--name', 'labelled', 'true');
  const added = await suite.cli.run(['tag', id, 'add', 'project:climate', 'urgent', 'stage:two']);
  t.is(added.exitCode, 0, added.stderr);
  t.deepEqual(added.stdout.split('\n').sort(), ['project:climate', 'stage:two', 'urgent']);
  t.deepEqual((await suite.cli.run(['tag', id, 'rm', 'urgent', 'stage:two'])).stdout, 'project:climate');
  t.is((await suite.cli.run(['tag', id])).stdout, 'project:climate');
  const bad = await suite.cli.run(['tag', id, 'add', 'bad type!:x']);
  t.is(bad.exitCode, 1);
  t.regex(bad.stderr, /^jobgate: tags\[0\]\.type: a tag type is/);
  t.is((await suite.cli.run(['tag', id, 'paint', 'x'])).exitCode, 2);
  t.is((await suite.cli.run(['tag', id, 'add'])).exitCode, 2);
  t.is((await suite.cli.run(['tag', '123', 'add', 'x'])).exitCode, 4);

  t.deepEqual((await suite.cli.run(['meta', id, 'set', 'run=2', 'note=a=b c', 'who=me'])).stdout.split('\n').sort(), ['note=a=b c', 'run=2', 'who=me']);
  t.deepEqual((await suite.cli.run(['meta', id, 'unset', 'who', 'note'])).stdout, 'run=2');
  const json = parseJsonLossless((await suite.cli.run(['meta', id, '--json'])).stdout) as { metadata: Record<string, string>; tags: unknown[] };
  t.deepEqual(json.metadata, { run: '2' });
  t.is((await suite.cli.run(['meta', id, 'set', 'novalue'])).exitCode, 2);
  t.is((await suite.cli.run(['meta', id, 'set', 'bad key!=x'])).exitCode, 1);

  const info = await suite.cli.run(['info', id]);
  t.regex(info.stdout, /^tags\s+project:climate$/m);
  t.regex(info.stdout, /^meta run\s+2$/m);
});

test('list filters by tag, metadata, state, held and time; sorts; pages; shows tags; refuses what it cannot read', async (t) => {
  const marker = `f${process.pid}`;
  const first = await submitAndWait('--name', `${marker}-b`, 'true');
  const second = await submitAndWait('--name', `${marker}-a`, 'false');
  const third = await submitAndWait('--name', `${marker}-c`, 'true');
  for (const id of [first, second]) {
    await suite.cli.run(['tag', id, 'add', `batch:${marker}`]);
  }
  await suite.cli.run(['meta', second, 'set', 'run=7']);

  const table = await suite.cli.run(['list', '--tag', `batch:${marker}`]);
  t.is(table.exitCode, 0, table.stderr);
  const lines = table.stdout.split('\n');
  t.regex(lines[0] ?? '', /^JOBID\s+OWNER\s+NAME\s+STATE\s+RC\s+TASKS\s+SUBMITTED\s+RUNTIME\s+TAGS$/);
  t.is(lines.length, 3);
  t.regex(lines[1] ?? '', new RegExp(`\\s${marker}-a\\s+FAILED\\s+1\\s.*\\sbatch:${marker}$`));

  t.deepEqual(ids((await suite.cli.run(['list', '--tag', `batch:${marker}`, '--meta', 'run=7', '--json'])).stdout), [second]);
  t.deepEqual(ids((await suite.cli.run(['list', '--tag', `batch:${marker}`, '--meta', 'run', '--json'])).stdout), [second]);
  t.deepEqual(ids((await suite.cli.run(['search', marker, '--state', 'completed', '--sort', 'name', '--json'])).stdout), [first, third]);
  t.deepEqual(ids((await suite.cli.run(['search', marker, '--sort', 'name:desc', '--limit', '1', '--page', '2', '--json'])).stdout), [first]);
  t.deepEqual(ids((await suite.cli.run(['search', marker, '--submitted', '1h..', '--ended', `..${new Date(Date.now() + 60_000).toISOString()}`, '--no-held', '--json'])).stdout).length, 3);
  t.deepEqual(ids((await suite.cli.run(['search', marker, '--submitted', '..1h', '--json'])).stdout), [], 'nothing was submitted more than an hour ago');
  t.deepEqual(ids((await suite.cli.run(['search', marker, '--held', '--json'])).stdout), []);

  const badTime = await suite.cli.run(['list', '--submitted', 'soon']);
  t.is(badTime.exitCode, 2);
  t.regex(badTime.stderr, /--submitted/);
  const badSort = await suite.cli.run(['list', '--sort', 'shoe_size']);
  t.is(badSort.exitCode, 1);
  t.regex(badSort.stderr, /^jobgate: sort: 'shoe_size' is not a sortable column/);
  t.is((await suite.cli.run(['list', '--page', '2', '--offset', '3'])).exitCode, 2);
});

test('export streams CSV, JSON or JSON lines of the filtered jobs, to stdout or a file', async (t) => {
  const marker = `x${process.pid}`;
  const done = await submitAndWait('--name', marker, 'true');
  await submitAndWait('--name', marker, 'true');
  await suite.cli.run(['tag', done, 'add', 'export:me']);

  const csv = await suite.cli.run(['export', '--name', marker, '--fields', 'id,name,state,tags', '--sort', 't_submit']);
  t.is(csv.exitCode, 0, csv.stderr);
  const rows = csv.stdout.split('\r\n');
  t.deepEqual(rows[0], 'id,name,state,tags');
  t.is(rows[1], `${done},${marker},INACTIVE,export:me`);
  t.is(rows.length, 3);

  const file = path.join(suite.cli.configHome, 'jobs.json');
  const json = await suite.cli.run(['export', '--tag', 'export:me', '--format', 'json', '--times', 'iso', '-o', file]);
  t.is(json.exitCode, 0, json.stderr);
  t.is(json.stdout, '');
  const exported = parseJsonLossless(fs.readFileSync(file, 'utf8')) as { id: number | bigint; t_submit: string }[];
  t.deepEqual(exported.map((job) => job.id.toString()), [done]);
  t.regex(exported[0]?.t_submit ?? '', /^\d{4}-\d{2}-\d{2}T/);

  const lines = await suite.cli.run(['export', '--name', marker, '-F', 'ndjson']);
  t.is(lines.stdout.split('\n').length, 2);
  const badField = await suite.cli.run(['export', '--fields', 'id,shoe_size']);
  t.is(badField.exitCode, 1);
  t.regex(badField.stderr, /'shoe_size' is not a field/);
  t.is((await suite.cli.run(['export', '--format', 'xml'])).exitCode, 2);
});
