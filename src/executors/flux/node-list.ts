/**
 * The instance's nodes from two `flux resource` commands (Flux has no JSON output for them):
 *
 *   flux resource list -n -o '{state} {nnodes} {ncores} {ngpus} {nodelist} {rlist}'
 *     free 1 2 0 vm rank0/core[0-1]           one line per state: free, allocated, down;
 *     allocated 0 0 0                          rlist gives ranks and core/GPU ids,
 *     down 0 0 0                               nodelist the host names in rank order
 *   flux resource status -n -o '{state} {nnodes} {ranks} {nodelist}'
 *     avail 1 0 vm                             avail, drained, offline, exclude, ...
 *
 * Several ranks may share a host name (`--test-size=2` gives `vm,vm`), so nodes are per rank.
 */
import type { JobId } from '../../model/job-id.js';
import { runCommand } from '../process.js';
import { ExecutorError, type NodeInfo } from '../types.js';
import { expandHostlist, parseIdset, splitTopLevel } from './idset.js';

export const RESOURCE_LIST_ARGS = ['resource', 'list', '-n', '-o', '{state} {nnodes} {ncores} {ngpus} {nodelist} {rlist}'];
export const RESOURCE_STATUS_ARGS = ['resource', 'status', '-n', '-o', '{state} {nnodes} {ranks} {nodelist}'];

interface RankResources {
  host: string;
  cores: number;
  gpus: number;
  listState: 'free' | 'allocated' | 'down';
  freeCores: number;
  freeGpus: number;
}

/** `rank[0-1]/core[0-1],gpu0 rank2/core0` → per rank: cores and GPUs. */
export function parseRlist(text: string): Map<number, { cores: number; gpus: number }> {
  const result = new Map<number, { cores: number; gpus: number }>();
  for (const group of text.trim().split(/\s+/).filter((part) => part !== '')) {
    const match = /^rank(\[[^\]]*\]|\d+)\/(.*)$/.exec(group);
    if (match === null) {
      continue;
    }
    const ranks = parseIdset(match[1] ?? '');
    let cores = 0;
    let gpus = 0;
    for (const child of splitTopLevel(match[2] ?? '')) {
      const childMatch = /^([a-z]+)(\[[^\]]*\]|\d+)$/.exec(child);
      if (childMatch === null) {
        continue;
      }
      const count = parseIdset(childMatch[2] ?? '').length;
      if (childMatch[1] === 'core') {
        cores += count;
      } else if (childMatch[1] === 'gpu') {
        gpus += count;
      }
    }
    for (const rank of ranks) {
      const existing = result.get(rank) ?? { cores: 0, gpus: 0 };
      result.set(rank, { cores: existing.cores + cores, gpus: existing.gpus + gpus });
    }
  }
  return result;
}

function lineFields(line: string): { state: string; rest: string[] } | null {
  const fields = line.trim().split(/\s+/);
  const state = fields.shift();
  return state === undefined || state === '' ? null : { state, rest: fields };
}

/** Combines both outputs into one NodeInfo per rank; `jobsOn(rank)` names the jobs running there. */
export function parseNodes(listOutput: string, statusOutput: string, jobsOn: (rank: number) => JobId[] = () => []): NodeInfo[] {
  const ranks = new Map<number, RankResources>();
  for (const line of listOutput.split('\n')) {
    const parsed = lineFields(line);
    if (parsed === null || parsed.rest.length < 5) {
      continue;
    }
    const state = parsed.state as RankResources['listState'];
    const nodelist = parsed.rest[3] ?? '';
    const rlist = parsed.rest.slice(4).join(' ');
    const perRank = parseRlist(rlist);
    const hosts = nodelist === '' ? [] : expandHostlist(nodelist);
    // Host names are listed in rank order of the ranks this line covers.
    const sortedRanks = [...perRank.keys()].sort((a, b) => a - b);
    sortedRanks.forEach((rank, index) => {
      const counts = perRank.get(rank) ?? { cores: 0, gpus: 0 };
      const entry = ranks.get(rank) ?? { host: hosts[index] ?? `rank${rank}`, cores: 0, gpus: 0, listState: state, freeCores: 0, freeGpus: 0 };
      entry.cores += counts.cores;
      entry.gpus += counts.gpus;
      if (state === 'free') {
        entry.freeCores += counts.cores;
        entry.freeGpus += counts.gpus;
      }
      if (state === 'down') {
        entry.listState = 'down';
      } else if (state === 'allocated' && entry.listState !== 'down') {
        entry.listState = 'allocated';
      }
      if (hosts[index] !== undefined) {
        entry.host = hosts[index];
      }
      ranks.set(rank, entry);
    });
  }

  const statusOf = new Map<number, string>();
  for (const line of statusOutput.split('\n')) {
    const parsed = lineFields(line);
    if (parsed === null || parsed.rest.length < 2) {
      continue;
    }
    try {
      for (const rank of parseIdset(parsed.rest[1] ?? '')) {
        // A rank can be listed as both avail and drained while draining; the worse word wins.
        if (statusOf.get(rank) === undefined || parsed.state !== 'avail') {
          statusOf.set(rank, parsed.state);
        }
      }
    } catch {
      continue;
    }
  }

  return [...ranks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([rank, entry]) => {
      const status = statusOf.get(rank) ?? (entry.listState === 'down' ? 'offline' : 'avail');
      const busyCores = entry.listState === 'down' ? 0 : entry.cores - entry.freeCores;
      const busyGpus = entry.listState === 'down' ? 0 : entry.gpus - entry.freeGpus;
      let state: string;
      if (status === 'drained' || status === 'draining') {
        state = 'drained';
      } else if (status !== 'avail' || entry.listState === 'down') {
        state = 'down';
      } else if (busyCores === 0 && busyGpus === 0) {
        state = 'idle';
      } else if (busyCores >= entry.cores && busyGpus >= entry.gpus) {
        state = 'allocated';
      } else {
        state = 'mixed';
      }
      return { name: entry.host, state, cores: entry.cores, coresBusy: busyCores, gpus: entry.gpus, gpusBusy: busyGpus, jobs: jobsOn(rank) };
    });
}

/** Runs both commands (in parallel) and combines their outputs. */
export async function readNodes(flux: string, env: Record<string, string>, jobsOn: (rank: number) => JobId[]): Promise<NodeInfo[]> {
  const run = (args: string[]): ReturnType<typeof runCommand> => runCommand(flux, args, { env, timeoutMs: 30000 });
  const [list, status] = await Promise.all([run(RESOURCE_LIST_ARGS), run(RESOURCE_STATUS_ARGS)]);
  if (list.exitCode !== 0) {
    throw new ExecutorError('unavailable', `flux resource list failed: ${(list.startError ?? list.stderr).trim() || `exit ${list.exitCode ?? 'none'}`}`);
  }
  return parseNodes(list.stdout, status.exitCode === 0 ? status.stdout : '', jobsOn);
}

/** The last answer of `read`, for a second: a busy nodes page costs two flux commands a second at most. */
export class RecentNodes {
  private last: { at: number; value: Promise<NodeInfo[]> } | null = null;

  get(read: () => Promise<NodeInfo[]>): Promise<NodeInfo[]> {
    const now = Date.now();
    if (this.last !== null && now - this.last.at < 1000) {
      return this.last.value;
    }
    const value = read();
    this.last = { at: now, value };
    // A failure is not kept: the next call asks again.
    value.catch(() => {
      this.last = null;
    });
    return value;
  }
}
