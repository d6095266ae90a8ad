import test from 'ava';
import { combineWaitStatuses, SrunStderr } from '../../../src/executors/slurm/srun-stderr.js';
import { SRUN_STDERR_FAILING, SRUN_STDERR_REFUSED, SRUN_STDERR_TIME_LIMIT, SRUN_STDERR_WAITING } from './samples.js';

test("srun's chatter is taken out; the tasks' stderr and srun's errors stay", (t) => {
  const seen: string[] = [];
  const parser = new SrunStderr({ launching: (step, hosts) => seen.push(`launching ${step} ${hosts.map((h) => `${h.host}:${h.tasks}`).join(',')}`), started: () => seen.push('started') });
  const kept = parser.push(Buffer.from(SRUN_STDERR_FAILING));
  t.is(kept.toString(), 'err\nerr\nsrun: error: localhost: tasks 0-1: Exited with exit code 3\n');
  t.deepEqual(seen, ['launching 2.0 localhost:2', 'started']);
  t.is(parser.stepId, '2.0');
  t.deepEqual(parser.statuses, [0x300, 0x300]);
  t.deepEqual(parser.errors, []);
});

test('lines split across chunks are put back together; a last partial line comes out at the end', (t) => {
  const parser = new SrunStderr();
  const text = Buffer.from(SRUN_STDERR_FAILING + 'no newline');
  let kept = '';
  for (let index = 0; index < text.length; index += 7) {
    kept += parser.push(text.subarray(index, index + 7)).toString();
  }
  kept += parser.end().toString();
  t.is(kept, 'err\nerr\nsrun: error: localhost: tasks 0-1: Exited with exit code 3\nno newline');
});

test('bytes that are not UTF-8 pass through unchanged', (t) => {
  const parser = new SrunStderr();
  const bytes = Buffer.from([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a]);
  t.deepEqual(parser.push(bytes), bytes);
});

test('a step killed at its Slurm time limit is reported, and its message kept', (t) => {
  const limits: string[] = [];
  const parser = new SrunStderr({ timeLimit: (line) => limits.push(line) });
  const kept = parser.push(Buffer.from(SRUN_STDERR_TIME_LIMIT)).toString();
  t.is(limits.length, 1);
  t.regex(kept, /DUE TO TIME LIMIT/);
  t.deepEqual(parser.statuses, [15]);
});

test('a step that waits for resources says so, then launches', (t) => {
  const seen: string[] = [];
  const parser = new SrunStderr({ waiting: () => seen.push('waiting'), launching: (step) => seen.push(step) });
  t.is(parser.push(Buffer.from(SRUN_STDERR_WAITING)).length, 0);
  t.deepEqual(seen, ['waiting', 'waiting', '9.7']);
});

test("srun's refusal before launch is kept as the reason", (t) => {
  const parser = new SrunStderr();
  parser.push(Buffer.from(SRUN_STDERR_REFUSED));
  t.deepEqual(parser.errors, ['Unable to create step for job 9: More processors requested than permitted']);
  t.is(parser.stepId, null);
});

test("the job's status is the highest task status, signals counting as 128+N", (t) => {
  t.is(combineWaitStatuses([]), null);
  t.is(combineWaitStatuses([0, 3 << 8, 1 << 8]), 3 << 8);
  t.is(combineWaitStatuses([3 << 8, 9]), 9);
  t.is(combineWaitStatuses([0, 0]), 0);
});
