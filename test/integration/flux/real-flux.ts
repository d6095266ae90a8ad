/** Helpers of the integration suite that runs jobgate against a real Flux instance. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';
import { FAKE_FLUX_BIN } from '../../fake-flux/start.js';
import { resolveExecutable } from '../../../src/executors/resolve-executable.js';

/**
 * The first `flux` on PATH that is not the test double, or null. JOBGATE_TEST_FLUX names one
 * explicitly (the suite's own check runs it on the double: JOBGATE_TEST_FLUX=test/fake-flux/bin/flux).
 */
export function realFlux(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.JOBGATE_TEST_FLUX !== undefined && env.JOBGATE_TEST_FLUX !== '') {
    return path.resolve(env.JOBGATE_TEST_FLUX);
  }
  const searchPath = (env.PATH ?? '').split(':').filter((dir) => dir !== '' && path.resolve(dir) !== FAKE_FLUX_BIN).join(':');
  const found = resolveExecutable('flux', searchPath, process.cwd());
  return found.ok ? found.file : null;
}

/** Runs a real flux command. */
export function flux(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(realFlux() ?? 'flux', args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

/**
 * jobgate on the instance the suite runs in. Its role is pinned to initial-program so that a
 * test's teardown (a stop that cancels jobs) never shuts the instance down.
 */
export function startRealJobgate(env: Record<string, string> = {}, dataDir?: string): Promise<TestServer> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return startTestServer({
    env: { ...inherited, JOBGATE_FLUX_ROLE: 'initial-program', ...env },
    flags: { executor: 'flux' },
    ...(dataDir !== undefined ? { dataDir } : {}),
  });
}
