/**
 * The double against the recordings: every kept step of a flux-core 0.88 recording
 * (transcripts/*.json) is run again, in order, against a fresh double, and must print the
 * same stdout and stderr and exit with the same code.
 *
 * Only what differs on every run is normalised: job ids (the double's are mapped to the
 * recorded ones, in submit order), timestamps, the userid, and — in output eventlogs — the
 * interleaving of stdout and stderr events, which is the job shell's read order.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { split } from 'shlex';
import { f58Of, readJobId } from './ids.js';
import { ROOT } from './root.js';
import { startFakeFlux, type FakeFlux } from './start.js';

interface Step {
  cmd: string;
  stdin?: string;
  rc: number;
  stdout: string;
  stderr: string;
}

interface Fixture {
  source: string;
  replay?: boolean;
  size: number;
  setup: { cmd: string; recorded_id: string; wait: string }[];
  steps: Step[];
}

const DIR = path.join(ROOT, 'test', 'fake-flux', 'transcripts');
const ID = /ƒ[1-9A-HJ-NP-Za-km-z]+/g;

function run(flux: FakeFlux, cmd: string, stdin: string | undefined): Promise<{ rc: number; stdout: string; stderr: string }> {
  const words = split(cmd);
  const env: Record<string, string | undefined> = { ...process.env, ...flux.env };
  while (words.length > 0) {
    const assignment = /^([A-Z_]+)=(.*)$/.exec(words[0] ?? '');
    if (assignment !== null) {
      env[assignment[1] ?? ''] = assignment[2];
      words.shift();
    } else if (words[0] === 'env' && words[1] === '-u') {
      delete env[words[2] ?? ''];
      words.splice(0, 3);
    } else {
      break;
    }
  }
  const [file = 'flux', ...args] = words;
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, cwd: '/tmp', encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ rc: code, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

/** Puts events of one stream together (header first), keeping each stream's own order. */
function byStream(text: string): string {
  const rank = (line: string): number => (/header/.test(line) ? 0 : /"?stream"?[=:]"stdout"/.test(line) ? 1 : /"?stream"?[=:]"stderr"/.test(line) ? 2 : 3);
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  return [...lines.map((line, index) => ({ line, index })).sort((a, b) => rank(a.line) - rank(b.line) || a.index - b.index).map((item) => item.line), last].join('\n');
}

function normalize(text: string, cmd: string, ids: Map<string, string>): string {
  let result = text;
  for (const [fake, recorded] of ids) {
    result = result.split(fake).join(recorded);
  }
  result = result.replace(/\b\d{10}\.\d+\b/g, '<time>').replace(/userid(=|":)\d+/g, 'userid$1<uid>');
  return /-p (guest\.)?output|guest\.output$/.test(cmd) ? byStream(result) : result;
}

for (const file of fs.readdirSync(DIR).filter((name) => name.endsWith('.json')).sort()) {
  const fixture = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Fixture;
  if (fixture.replay === false) {
    continue;
  }
  test(`the double repeats recording ${file}`, async (t) => {
    // Each step starts a process (~0.1 s, more on a busy machine): time limits are reached when
    // the recording shows it (the step that waits for the exception), not by the clock.
    const flux = await startFakeFlux({ size: fixture.size, manualTimeLimits: true });
    t.teardown(() => flux.close());
    // recorded f58 → the double's f58 (for commands), and back (for outputs)
    const toFake = new Map<string, string>();
    const toRecorded = new Map<string, string>();
    const remember = (recorded: string, fake: string): void => {
      toFake.set(recorded, fake);
      toRecorded.set(fake, recorded);
      const id = readJobId(fake);
      const recordedId = readJobId(recorded);
      if (id !== null && recordedId !== null) {
        toRecorded.set(id.toString(), recordedId.toString());
      }
    };
    for (const setup of fixture.setup) {
      const submitted = await run(flux, setup.cmd, undefined);
      const fake = submitted.stdout.trim();
      remember(setup.recorded_id, fake);
      await run(flux, `flux job wait-event -t 10 ${fake} ${setup.wait}`, undefined);
    }
    for (const step of fixture.steps) {
      const cmd = step.cmd.replace(ID, (recorded) => toFake.get(recorded) ?? recorded);
      if (/^flux job wait-event .* exception$/.test(step.cmd)) {
        flux.instance.expireTimeLimits();
      }
      const result = await run(flux, cmd, step.stdin);
      const recordedIds = step.stdout.match(ID) ?? [];
      const fakeIds = result.stdout.match(ID) ?? [];
      if (/^flux (job )?submit/.test(step.cmd) && recordedIds.length === fakeIds.length) {
        recordedIds.forEach((recorded, index) => remember(recorded, fakeIds[index] ?? ''));
      }
      const where = `${file}: ${step.cmd}`;
      t.is(result.rc, step.rc, `exit code of ${where}\n${result.stderr}`);
      t.is(normalize(result.stdout, step.cmd, toRecorded), normalize(step.stdout, step.cmd, new Map()), `stdout of ${where}`);
      t.is(normalize(result.stderr, step.cmd, toRecorded), normalize(step.stderr, step.cmd, new Map()), `stderr of ${where}`);
    }
  });
}

test('the double issues ids as Flux does: F58 with ƒ, exact above 2^53', async (t) => {
  // Seven days of uptime: ids pass 2^53 after about 6.2 days.
  const flux = await startFakeFlux({ uptimeMs: 7 * 86400 * 1000 });
  t.teardown(() => flux.close());
  const result = await run(flux, 'flux submit true', undefined);
  const id = readJobId(result.stdout.trim());
  t.truthy(id);
  t.true((id ?? 0n) > 2n ** 53n);
  t.is(result.stdout, `${f58Of(id ?? 0n)}\n`);
});
