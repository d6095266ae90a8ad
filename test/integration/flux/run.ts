/**
 * `npm run test:flux`: the flux integration suite, against a real Flux.
 *
 * - No `flux` on PATH: prints a banner saying the suite did NOT run and exits 0 (CI has no
 *   Flux; the double's suite in `npm test` covers the same behaviour).
 * - `flux` on PATH, not inside an instance (no FLUX_URI): starts one for the run,
 *   `flux start --test-size=1`, with this runner as its initial program.
 * - Inside an instance (`flux start --test-size=1 npm run test:flux`): runs the suite there.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../../src/version.js';
import { realFlux } from './real-flux.js';

function run(file: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit', cwd: projectRoot });
    child.once('exit', (code, signal) => resolve(code ?? (signal !== null ? 1 : 0)));
    child.once('error', (error) => {
      process.stderr.write(`test:flux: cannot run ${file}: ${error.message}\n`);
      resolve(1);
    });
  });
}

async function main(): Promise<number> {
  const flux = realFlux();
  if (process.env.JOBGATE_TEST_FLUX !== undefined && flux !== null) {
    // Checking the suite itself on another flux (the double): that one comes first on PATH.
    process.env.PATH = `${path.dirname(flux)}:${process.env.PATH ?? ''}`;
  }
  if (flux === null) {
    const line = '='.repeat(64);
    process.stdout.write(`${line}\n  real-Flux suite NOT RUN: no flux on PATH\n  (it needs a real Flux; see README "Flux". Exit code 0 so CI passes.)\n${line}\n`);
    return 0;
  }
  if (process.env.FLUX_URI === undefined || process.env.FLUX_URI === '') {
    process.stdout.write(`test:flux: no instance (FLUX_URI unset): running under ${flux} start --test-size=1\n`);
    return run(flux, ['start', '--test-size=1', process.execPath, fileURLToPath(import.meta.url)]);
  }
  process.stdout.write(`test:flux: against ${flux}, instance ${process.env.FLUX_URI}\n`);
  const ava = path.join(projectRoot, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
  return run(process.execPath, [ava, '--config', path.join(projectRoot, 'ava.flux.config.mjs')]);
}

process.exitCode = await main();
