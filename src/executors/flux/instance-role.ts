/**
 * How jobgate relates to the Flux instance, which decides what `POST /v1/service/stop` does:
 *
 * - `initial-program`: jobgate runs as (or under) the instance's initial program, as in
 *   `flux start jobgate serve`. The broker starts the initial program as its own child and
 *   ends the instance when it exits, so jobgate drains and exits.
 * - `beside`: jobgate reached the instance through FLUX_URI (a sidecar container, a service
 *   next to a system instance) or runs as one of its jobs: exiting would leave the instance
 *   running, so jobgate drains and runs `flux shutdown`.
 *
 * `auto` tells them apart by the process tree: under `flux start`, one of jobgate's ancestors
 * is the broker (its thread is named `flux-broker-<rank>`, and its pid is the instance's
 * `broker.pid` attribute); a job has FLUX_JOB_ID set, the initial program never has it.
 */
import fs from 'node:fs';
import { runCommand } from '../process.js';

export type FluxRole = 'initial-program' | 'beside';

interface ProcessEntry {
  pid: number;
  ppid: number;
  comm: string;
}

function readProcess(pid: number, procRoot: string): ProcessEntry | null {
  try {
    const stat = fs.readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(fields[1]), comm };
  } catch {
    return null;
  }
}

/** jobgate's ancestors, nearest first (the process itself excluded). */
export function ancestors(startPid: number = process.ppid, procRoot = '/proc'): ProcessEntry[] {
  const chain: ProcessEntry[] = [];
  let pid = startPid;
  const seen = new Set<number>();
  while (pid > 0 && !seen.has(pid) && chain.length < 64) {
    seen.add(pid);
    const entry = readProcess(pid, procRoot);
    if (entry === null) {
      break;
    }
    chain.push(entry);
    pid = entry.ppid;
  }
  return chain;
}

/**
 * Decides the role. `brokerPid` is the instance's `broker.pid` attribute (null when it could
 * not be read): a broker ancestor must have that pid, which rules out a broker of another
 * instance (or of another pid namespace) that happens to be an ancestor.
 */
export function detectRole(env: Readonly<Record<string, string | undefined>>, brokerPid: number | null, chain: ProcessEntry[] = ancestors()): FluxRole {
  if (env.FLUX_JOB_ID !== undefined && env.FLUX_JOB_ID !== '') {
    return 'beside';
  }
  const broker = chain.find((entry) => entry.comm.startsWith('flux-broker') && (brokerPid === null || entry.pid === brokerPid));
  return broker === undefined ? 'beside' : 'initial-program';
}

/** The role to act on: the configured one, or (auto) the one the process tree shows. */
export async function resolveRole(configured: 'auto' | FluxRole, flux: string, env: Record<string, string>): Promise<FluxRole> {
  if (configured !== 'auto') {
    return configured;
  }
  const result = await runCommand(flux, ['getattr', 'broker.pid'], { env, timeoutMs: 10000 });
  const brokerPid = result.exitCode === 0 && /^\d+$/.test(result.stdout.trim()) ? Number(result.stdout.trim()) : null;
  return detectRole(env, brokerPid);
}

/** `flux shutdown`: beside the instance, jobgate's exit would leave it running. */
export async function shutdownInstance(flux: string, env: Record<string, string>, timeoutMs: number, log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void): Promise<void> {
  log('info', 'ending the Flux instance: flux shutdown');
  const result = await runCommand(flux, ['shutdown'], { env, timeoutMs });
  log(result.exitCode === 0 ? 'info' : 'warn', 'flux shutdown finished', { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}`.trim().slice(-2000) });
}
