/**
 * `hold`, `release`, `priority` and the bulk forms of `cancel`/`hold`/`release` (ids or filter
 * options, --dry-run) of the real `bin/jobgate` against a real jobgate with one core: a
 * blocker runs, the other jobs wait, so there is always something pending to act on.
 */
import test from 'ava';
import { parseJsonLossless } from '../../src/lib/json.js';
import { cliSubmit, useCliServer } from '../helpers/cli.js';
import { waitFor, waitForJobEnd } from '../helpers/test-server.js';

let blocker = '';
const suite = useCliServer(test, { flags: { cores: '1' } }, async () => {
  blocker = await submit('--name', 'blocker', 'sleep', '120');
  await waitFor(async () => ((await job(blocker)).state === 'RUN' ? true : undefined));
});

const submit = (...args: string[]): Promise<string> => cliSubmit(suite.cli, args);

async function job(id: string): Promise<Record<string, unknown>> {
  return (await suite.server.request.get(`/v1/jobs/${id}`)).body as Record<string, unknown>;
}

test.serial('hold, priority and release one job; each says what it did; refusals exit 1, 4 and 2', async (t) => {
  const id = await submit('--name', 'waiting', 'true');
  const hold = await suite.cli.run(['hold', id, '--reason', 'disk full']);
  t.is(hold.exitCode, 0, hold.stderr);
  t.regex(hold.stdout, /^ƒ\S+ held$/);
  t.like(await job(id), { held: true, urgency: 0, hold: { reason: 'disk full' } });
  const info = await suite.cli.run(['info', id]);
  t.regex(info.stdout, /^held\s+by \S+ \d+s ago: disk full$/m);
  t.regex((await suite.cli.run(['hold', id])).stdout, /^ƒ\S+ already held$/);
  t.regex((await suite.cli.run(['list', '--name', 'waiting'])).stdout, /\sHELD\s/);

  const expedite = await suite.cli.run(['priority', id, 'expedite']);
  t.is(expedite.exitCode, 0, expedite.stderr);
  t.regex(expedite.stdout, /^ƒ\S+ urgency 31$/);
  t.like(await job(id), { held: false, urgency: 31 });
  t.regex((await suite.cli.run(['priority', id, '0'])).stdout, /^ƒ\S+ urgency 0 \(held\)$/);
  const release = await suite.cli.run(['release', id]);
  t.regex(release.stdout, /^ƒ\S+ released$/);
  t.like(await job(id), { held: false, urgency: 31 }, 'back to the urgency it had before the hold');

  const running = await suite.cli.run(['hold', blocker]);
  t.is(running.exitCode, 1);
  t.regex(running.stderr, /^jobgate: ƒ\S+: job ƒ\S+ is running: only pending jobs can be held$/);
  t.is((await suite.cli.run(['priority', blocker, '20'])).exitCode, 1);
  t.is((await suite.cli.run(['hold', '123'])).exitCode, 4);
  t.is((await suite.cli.run(['priority', id, '99'])).exitCode, 2);
  t.is((await suite.cli.run(['hold'])).exitCode, 2, 'no job named at all');
  const both = await suite.cli.run(['hold', id, '--name', 'waiting']);
  t.is(both.exitCode, 2);
  t.regex(both.stderr, /job ids or filter options, not both/);
  const canceled = await suite.cli.run(['cancel', id, '--json']);
  t.is(canceled.exitCode, 0, canceled.stderr);
  t.like(parseJsonLossless(canceled.stdout), { action: 'cancel', summary: { requested: 1, changed: 1 } }, '--json: the answer of the bulk route');
});

test.serial('by filter: --dry-run says which jobs it would hold and which it could not, and changes nothing', async (t) => {
  const a = await submit('--name', 'batch', 'true');
  const b = await submit('--name', 'batch', 'true');
  const dry = await suite.cli.run(['hold', '--name', 'batch', '--dry-run']);
  t.is(dry.exitCode, 0, dry.stderr);
  t.deepEqual(dry.stdout.split('\n').map((line) => line.replace(/^ƒ\S+ /, '')), ['would be held', 'would be held']);
  t.like(await job(a), { held: false });

  const held = await suite.cli.run(['hold', '--name', 'batch', '--reason', 'later']);
  t.is(held.stdout.split('\n').filter((line) => / held$/.test(line)).length, 2);
  t.like(await job(b), { held: true, hold: { reason: 'later' } });
  // Several ids go in one bulk request; the running blocker is refused on its own line.
  const mixed = await suite.cli.run(['release', a, b, blocker]);
  t.is(mixed.exitCode, 1);
  t.is(mixed.stdout.split('\n').filter((line) => / released$/.test(line)).length, 2);
  t.regex(mixed.stderr, /^jobgate: ƒ\S+: job ƒ\S+ is running: only pending jobs can be released$/m);
  const json = await suite.cli.run(['hold', a, blocker, '--json']);
  t.is(json.exitCode, 1);
  const answer = parseJsonLossless(json.stdout) as { summary: { succeeded: number; failed: number; errors: Record<string, number> } };
  t.like(answer.summary, { succeeded: 1, failed: 1, errors: { RESOURCE_CONFLICT: 1 } });
  t.regex((await suite.cli.run(['release', '--held', '--dry-run'])).stdout, /^ƒ\S+ would be released$/);
  t.regex((await suite.cli.run(['release', '--held'])).stdout, /^ƒ\S+ released$/);
  t.like(await job(a), { held: false });

  const cancelPreview = await suite.cli.run(['cancel', '--name', 'batch', '--dry-run']);
  t.deepEqual(cancelPreview.stdout.split('\n').map((line) => line.replace(/^ƒ\S+ /, '')), ['would be canceled', 'would be canceled']);
  const none = await suite.cli.run(['cancel', '--name', 'no-such-batch']);
  t.is(none.exitCode, 0);
  t.regex(none.stderr, /no job matches/);
  const canceled = await suite.cli.run(['cancel', '--name', 'batch', '--state', 'pending', '--reason', 'not needed']);
  t.is(canceled.exitCode, 0, canceled.stderr);
  t.is(canceled.stdout.split('\n').filter((line) => / cancel requested$/.test(line)).length, 2);
  t.is((await waitForJobEnd(suite.server, a)).result, 'CANCELED');
  t.is(((await waitForJobEnd(suite.server, b)).exception as { note: string }).note, 'not needed');
});
