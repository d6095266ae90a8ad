/**
 * The double's `flux start [--test-size=N] CMD...`: a broker process (its thread named
 * `flux-broker-0`, as the real broker names itself) serving a fresh instance, running CMD as
 * the initial program with FLUX_URI set, and ending the way recordings 17–19 show:
 *
 * - the exit code is the initial program's (128+N when a signal killed it, 127 when it does
 *   not exist), except 1 when it exited 0 after a shutdown ("aborted after exit with rc=0");
 * - `flux shutdown` sends SIGHUP to the initial program's process group and then waits for
 *   it to exit, however long (18, 19); jobs are canceled only once it has exited (18: a job
 *   that ran `flux shutdown` ran on until the initial program ended);
 * - without `--test-size` the `flux start` process is the broker, and SIGTERM to it starts a
 *   shutdown; with `--test-size` it is a launcher that runs the broker as its child, and
 *   SIGTERM (or SIGINT) kills only the launcher: the broker and the initial program go on (19).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeFluxInstance } from './instance.js';
import { FakeFluxServer } from './server.js';

/** `flux start --test-size=N`: the launcher, whose only work is to run the broker and wait. */
async function launch(argv: string[]): Promise<number> {
  process.title = 'flux-start';
  const script = fileURLToPath(import.meta.url);
  const broker = spawn(process.execPath, [script, ...argv], { stdio: 'inherit', env: { ...process.env, FAKE_FLUX_LAUNCHED: '1' } });
  // No handler for SIGTERM/SIGINT: they end this process alone, as recorded.
  const rc = await new Promise<number>((resolve) => broker.on('exit', (code, signal) => resolve(signal !== null ? 128 + (os.constants.signals[signal] ?? 0) : (code ?? 0))));
  if (rc !== 0) {
    process.stderr.write(`flux-start: 0 (pid ${broker.pid ?? 0}) exited with rc=${rc}\n`);
  }
  return rc;
}

async function main(argv: string[]): Promise<number> {
  if (argv.some((arg) => arg.startsWith('--test-size=')) && process.env.FAKE_FLUX_LAUNCHED !== '1') {
    return launch(argv);
  }
  process.title = 'flux-broker-0';
  let size = 1;
  const args = [...argv];
  let testSize = false;
  while (args[0]?.startsWith('-') === true) {
    const option = args.shift() ?? '';
    const match = /^--test-size=(\d+)$/.exec(option);
    if (match !== null) {
      size = Number(match[1]);
      testSize = true;
    }
  }
  const [command, ...rest] = args;
  if (command === undefined) {
    process.stderr.write('flux-start: the double needs a command\n');
    return 2;
  }
  const rundir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-'));
  const socketPath = path.join(rundir, 'local-0');
  const uri = `local://${socketPath}`;
  const instance = new FakeFluxInstance({ size, rundir, uri, brokerPid: process.pid, cores: Number(process.env.FAKE_FLUX_CORES ?? 2) });
  const server = await FakeFluxServer.listen(instance, socketPath);
  if (process.env.FAKE_FLUX_URI_FILE !== undefined) {
    // Tells a test where this instance is (a real one is found with `flux uri`).
    fs.writeFileSync(process.env.FAKE_FLUX_URI_FILE, uri);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, FLUX_URI: uri };
  delete env.FLUX_JOB_ID;
  delete env.FAKE_FLUX_LAUNCHED;
  if (testSize) {
    env.FLUX_START_URI = `local://${path.join(rundir, 'start')}`;
  }
  const child = spawn(command, rest, { env, stdio: 'inherit', detached: true });
  let shutdownRequested = false;
  const hangup = (): void => {
    shutdownRequested = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGHUP');
      } catch {
        // already gone
      }
    }
  };
  server.onShutdown = hangup;
  if (!testSize) {
    process.on('SIGTERM', hangup);
  }
  const cmdline = [command, ...rest].join(' ');
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => {
      process.stderr.write(`/bin/bash: line 1: ${command}: command not found\n`);
      resolve(127);
    });
    child.on('exit', (exitCode, signal) => {
      resolve(signal !== null ? 128 + (os.constants.signals[signal] ?? 0) : (exitCode ?? 0));
    });
  });
  let rc = code;
  if (shutdownRequested && code === 0) {
    process.stderr.write(`broker.err[0]: rc2.0: ${cmdline} aborted after exit with rc=0 (rc=1)\n`);
    rc = 1;
  } else if (code !== 0) {
    process.stderr.write(`broker.err[0]: rc2.0: ${cmdline} Exited (rc=${code})\n`);
  }
  const running = [...instance.jobs.values()].filter((job) => job.state !== 'INACTIVE').length;
  instance.shutdown();
  if (running > 0) {
    process.stderr.write(`broker.err[0]: cleanup.2: flux-cancel: Canceled ${running} job (0 errors)\n`);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  instance.close();
  await server.close();
  fs.rmSync(rundir, { recursive: true, force: true });
  return rc;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fake flux start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(70);
  },
);
