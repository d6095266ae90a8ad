/**
 * The slurm suite runs against a real Slurm (test/slurm/cluster/start-slurm.sh) in one of two
 * modes, decided by where it runs: inside an allocation (`salloc ... npm run test:slurm`) jobgate
 * launches job steps with srun; outside one it submits batch jobs with sbatch.
 */
import http from 'node:http';
import { runCommand } from '../../src/executors/process.js';
import type { Environment } from '../../src/config/load.js';
import { startTestServer, waitFor, type TestServer, type TestServerOptions } from '../helpers/test-server.js';

export const mode: 'step' | 'batch' = process.env.SLURM_JOB_ID ? 'step' : 'batch';

/** What jobgate needs from the test's environment: SLURM_CONF, and in step mode the allocation. */
export function slurmEnv(): Environment {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && (name === 'SLURM_CONF' || (mode === 'step' && name.startsWith('SLURM_')))) {
      env[name] = value;
    }
  }
  return env;
}

export async function startSlurmServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ ...options, flags: { executor: 'slurm', ...options.flags }, env: { ...slurmEnv(), ...options.env } });
}

/** Runs a Slurm command for a test's own look (squeue, sbatch...); throws when it fails. */
export async function slurm(program: string, args: string[]): Promise<string> {
  const result = await runCommand(program, args, { env: { ...process.env } });
  if (result.exitCode !== 0) {
    throw new Error(`${program} ${args.join(' ')}: ${result.stderr || result.startError || `exit ${result.exitCode ?? '?'}`}`);
  }
  return result.stdout.trim();
}

export type Detail = Record<string, unknown>;

export async function detail(server: TestServer, id: string): Promise<Detail> {
  const response = await server.request.get(`/v1/jobs/${id}`);
  if (response.status !== 200) {
    throw new Error(`GET /v1/jobs/${id}: ${response.status} ${response.text}`);
  }
  return response.body as Detail;
}

export async function waitForState(server: TestServer, id: string, state: string, timeoutMs = 30_000): Promise<Detail> {
  return waitFor(async () => {
    const job = await detail(server, id);
    return job.state === state ? job : undefined;
  }, timeoutMs, `job ${id} to be ${state}`);
}

export async function outputOf(server: TestServer, id: string, stream: 'all' | 'stdout' | 'stderr' = 'all'): Promise<string> {
  const response = await server.request.get(`/v1/jobs/${id}/output`).query({ stream, format: 'raw' });
  return Buffer.isBuffer(response.body) ? response.body.toString('utf8') : String(response.text ?? '');
}

/** Follows `/output/stream` (raw bytes as they are written) and collects the text. */
export function followOutput(server: TestServer, id: string): { text: () => string; done: Promise<string>; close: () => void } {
  let text = '';
  let request: http.ClientRequest | null = null;
  // Resolves with what arrived, whether the stream ended or was closed.
  const done = new Promise<string>((resolve) => {
    request = http.get(`${server.url}/v1/jobs/${id}/output/stream`, (response) => {
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      response.on('end', () => resolve(text));
      response.on('error', () => resolve(text));
    });
    request.on('error', () => resolve(text));
  });
  return { text: () => text, done, close: () => request?.destroy() };
}
