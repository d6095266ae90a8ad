/** process.ts: terminate-with-grace, SIGTERM first, SIGKILL only for what is still there. */
import test from 'ava';
import { startService, terminateWithGrace, killAfterGrace } from '../../src/executors/process.js';

test('a process that ignores SIGTERM is killed with SIGKILL once the grace period is over', async (t) => {
  // `exec` keeps one process, and an ignored signal stays ignored across exec.
  const child = startService('/bin/sh', ['-c', 'trap "" TERM; echo ready; exec sleep 60'], { stdin: false });
  await new Promise<void>((resolve) => child.onStdoutLine((line) => line === 'ready' && resolve()));
  const sent: string[] = [];
  terminateWithGrace(
    (signal) => {
      sent.push(signal);
      child.kill(signal);
    },
    { graceMs: 200, exited: child.exited },
  );
  const exit = await child.exited;
  t.deepEqual(sent, ['SIGTERM', 'SIGKILL']);
  t.is(exit.signal, 9);
});

test('a process that ends on SIGTERM gets no SIGKILL', async (t) => {
  const child = startService('/bin/sh', ['-c', 'echo ready; exec sleep 60'], { stdin: false });
  await new Promise<void>((resolve) => child.onStdoutLine((line) => line === 'ready' && resolve()));
  const sent: string[] = [];
  terminateWithGrace(
    (signal) => {
      sent.push(signal);
      child.kill(signal);
    },
    { graceMs: 50, exited: child.exited },
  );
  const exit = await child.exited;
  t.is(exit.signal, 15);
  // Well past the grace period: the exit cleared the timer, so SIGKILL never went out.
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.deepEqual(sent, ['SIGTERM']);
});

test('the escalation is cleared when the target exits or it is canceled', async (t) => {
  let killed = 0;
  let exit: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => {
    exit = resolve;
  });
  killAfterGrace(() => (killed += 1), { graceMs: 30, exited });
  exit();
  const canceled = killAfterGrace(() => (killed += 1), { graceMs: 30 });
  canceled.cancel();
  killAfterGrace(() => (killed += 10), { graceMs: 30 });
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.is(killed, 10, 'only the escalation that was neither exited nor canceled fired');
});
