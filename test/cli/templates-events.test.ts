/**
 * `templates` and `submit --template` (parameters, errors that name them), and `events` — the
 * backlog, live with --follow, and resumed exactly after a connection cut in mid-event — of the
 * real `bin/jobgate` against a real jobgate.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parseJsonLossless } from '../../src/lib/json.js';
import { parseJobId } from '../../src/model/job-id.js';
import { cliEnv, useCliServer } from '../helpers/cli.js';
import { startCuttingProxy } from '../helpers/cutting-proxy.js';
import { submitJob, waitFor, waitForJobEnd } from '../helpers/test-server.js';

const suite = useCliServer(test, { flags: { cores: '16' } });

const GREET = {
  description: 'Say hello',
  parameters: {
    who: { type: 'string', required: true, description: 'Whom to greet' },
    times: { type: 'integer', default: 1, minimum: 1, maximum: 3 },
  },
  job: { command: "sh -c 'for i in $(seq $0); do echo hello $1; done' {{times}} '{{who}}'" },
};

interface Event { seq: number; id: number | bigint; event: string; state: string; name: string }

const eventsOf = (stdout: string): Event[] => stdout.split('\n').filter((line) => line !== '').map((line) => parseJsonLossless(line) as Event);

test.serial('templates: create from a file or stdin, list, show, submit with parameters, delete', async (t) => {
  const file = path.join(suite.cli.configHome, 'greet.json');
  fs.writeFileSync(file, JSON.stringify(GREET));
  const created = await suite.cli.run(['templates', 'create', 'greet', '-f', file, '--shared']);
  t.is(created.exitCode, 0, created.stderr);
  t.is(created.stdout, 'greet created');
  const again = await suite.cli.run(['templates', 'create', 'greet', '-f', file]);
  t.is(again.exitCode, 1);
  t.regex(again.stderr, /already exists/);
  const replaced = await suite.cli.run(['templates', 'create', 'greet', '-f', '-', '--replace', '--shared', '--description', 'Say hello, louder'], { input: JSON.stringify(GREET) });
  t.is(replaced.stdout, 'greet replaced (revision 2)');
  t.is((await suite.cli.run(['templates', 'create', 'broken', '-f', '-'], { input: 'not json' })).exitCode, 2);
  t.regex((await suite.cli.run(['templates', 'create', 'broken', '-f', '-'], { input: '{"job": {"command": "echo {{nope}}"}}' })).stderr, /job\.command\[1\]: \{\{nope\}\} is not a declared parameter/);

  const list = await suite.cli.run(['templates', 'list']);
  t.regex(list.stdout, /^NAME\s+OWNER\s+SHARED\s+PARAMETERS\s+DESCRIPTION\ngreet\s+\S+\s+yes\s+who,times\s+Say hello, louder$/);
  const shown = await suite.cli.run(['templates', 'show', 'greet']);
  t.regex(shown.stdout, /^who\s+string\s+\(required\)\s+Whom to greet$/m);
  t.regex(shown.stdout, /^times\s+integer\s+1\s+>=1 <=3$/m);

  const run = await suite.cli.run(['submit', '--template', 'greet', '-p', 'who=a b; c', '-p', 'times=2', '--tag', 'demo', '--meta', 'ticket=T-9', '--follow']);
  t.is(run.exitCode, 0, run.stderr);
  t.is(run.stdout, 'hello a b; c\nhello a b; c');
  const id = parseJobId(run.stderr.split('\n')[0] ?? '')?.toString() ?? '';
  const job = (await suite.server.request.get(`/v1/jobs/${id}`)).body as { tags: { type: string; name: string }[]; metadata: Record<string, string> };
  t.deepEqual(job.tags, [{ type: 'default', name: 'demo' }, { type: 'template', name: 'greet' }]);
  t.deepEqual(job.metadata, { ticket: 'T-9' });

  const invalid = await suite.cli.run(['submit', '--template', 'greet', '-p', 'times=9']);
  t.is(invalid.exitCode, 1);
  t.regex(invalid.stderr, /params\.who: required/);
  t.regex(invalid.stderr, /params\.times: must be at most 3/);
  const mixed = await suite.cli.run(['submit', '--template', 'greet', '-n', '2', '-p', 'who=x']);
  t.is(mixed.exitCode, 2);
  t.regex(mixed.stderr, /not --tasks/);
  t.is((await suite.cli.run(['submit', '-p', 'who=x', 'true'])).exitCode, 2);
  t.is((await suite.cli.run(['submit', '--template', 'nope'])).exitCode, 4);

  t.is((await suite.cli.run(['templates', 'delete', 'greet'])).stdout, 'greet deleted');
  t.is((await suite.cli.run(['templates', 'delete', 'greet'])).exitCode, 4);
});

test.serial('events: the backlog of a job, in order, then exit; --json lines keep exact ids', async (t) => {
  const id = await submitJob(suite.server, { command: 'true', job_name: 'evented' });
  await waitForJobEnd(suite.server, id);
  const text = await suite.cli.run(['events', '--job', id]);
  t.is(text.exitCode, 0, text.stderr);
  const lines = text.stdout.split('\n');
  t.is(lines.length, 9);
  t.regex(lines[0] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}ƒ\S+ {2}submit {4}DEPEND {5}evented$/);
  t.regex(lines[8] ?? '', /^\S+ \S+ {2}ƒ\S+ {2}clean {5}COMPLETED {2}evented$/);
  const json = eventsOf((await suite.cli.run(['events', '--job', id, '--json'])).stdout);
  t.deepEqual(json.map((event) => event.event), ['submit', 'depend', 'priority', 'alloc', 'start', 'finish', 'release', 'free', 'clean']);
  t.true(json.every((event) => event.id.toString() === id));
  const endings = eventsOf((await suite.cli.run(['events', '--job', id, '--state', 'completed', '--json'])).stdout);
  t.deepEqual(endings.map((event) => event.event), ['clean']);
  t.is((await suite.cli.run(['events', '--state', 'sleeping'])).exitCode, 2);
  t.is((await suite.cli.run(['events', '--since', 'yesterday'])).exitCode, 1);
});

test.serial('events --follow: live events, and after a cut in mid-event it resumes with Last-Event-ID: none lost, none twice', async (t) => {
  const proxy = await startCuttingProxy(suite.server.url);
  const via = cliEnv({ JOBGATE_URL: proxy.url });
  const follower = via.start(['events', '--follow', '--json', '--state', 'inactive,run']);
  t.teardown(async () => {
    await follower.stop();
    await proxy.close();
    via.cleanup();
  });
  await waitFor(() => (proxy.received().includes('event: ready') ? true : undefined), 20000, 'the follower to be ready');
  const first = await submitJob(suite.server, { command: 'true', job_name: 'live-first' });
  await waitFor(() => (eventsOf(follower.stdout()).some((event) => event.name === 'live-first' && event.event === 'clean') ? true : undefined), 20000, 'the first job to end');
  const cut = proxy.cutAt('"name":"live-second"');
  const second = await submitJob(suite.server, { command: 'true', job_name: 'live-second' });
  await cut;
  await waitFor(() => (eventsOf(follower.stdout()).some((event) => event.name === 'live-second' && event.event === 'clean') ? true : undefined), 20000, 'the second job to end');

  const events = eventsOf(follower.stdout());
  const seqs = events.map((event) => event.seq);
  t.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'in order, each once');
  for (const id of [first, second]) {
    t.deepEqual(events.filter((event) => event.id.toString() === id).map((event) => event.event), ['alloc', 'start', 'clean'], `job ${id}: only the events leaving it running or inactive`);
  }
  t.regex(follower.stderr(), /reconnecting to http:\/\/127\.0\.0\.1:\d+ \(attempt 1\)/);
  t.regex(proxy.requests.slice(1).join(''), /last-event-id: \d+/i);
});
