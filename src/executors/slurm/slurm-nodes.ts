/** Nodes as `sinfo --json` reports them, in the executor contract's terms. */
import { refuseErrors } from './json-errors.js';
import type { NodeInfo } from '../types.js';

type Json = Record<string, unknown>;

/** GPUs in a gres string such as `gpu:a100:4(S:0-1),shard:8`. */
export function gpusOf(gres: string): number {
  let total = 0;
  for (const item of gres.split(',')) {
    const match = /^gpu(?::[^:(]+)?:(\d+)/.exec(item.trim());
    if (match !== null && match[1] !== undefined) {
      total += Number.parseInt(match[1], 10);
    }
  }
  return total;
}

/** Slurm's node state (`idle`, `mixed`, `allocated`, `down`... plus flags such as DRAIN) → ours. */
function nodeStateOf(state: string, flags: readonly string[]): string {
  const base = state.toLowerCase();
  if (['down', 'future', 'unknown', 'error'].includes(base) || flags.includes('NOT_RESPONDING')) {
    return 'down';
  }
  if (flags.includes('DRAIN') || flags.includes('DRAINED') || flags.includes('DRAINING')) {
    return 'drained';
  }
  return base;
}

export interface SlurmNode {
  name: string;
  state: string;
  cpus: number;
  cpusBusy: number;
  gpus: number;
  gpusBusy: number;
  partitions: string[];
}

export function parseSinfoJson(text: string): SlurmNode[] {
  const parsed: unknown = JSON.parse(text);
  refuseErrors('sinfo --json', parsed);
  const nodes = (parsed as Json | null)?.nodes;
  if (!Array.isArray(nodes)) {
    throw new Error('sinfo --json: no "nodes" array in its answer');
  }
  const result: SlurmNode[] = [];
  for (const item of nodes as unknown[]) {
    if (typeof item !== 'object' || item === null) {
      continue;
    }
    const node = item as Json;
    const flags = Array.isArray(node.state_flags) ? node.state_flags.filter((flag): flag is string => typeof flag === 'string') : [];
    const partitions = Array.isArray(node.partitions) ? node.partitions.filter((name): name is string => typeof name === 'string') : [];
    result.push({
      name: typeof node.name === 'string' ? node.name : '',
      state: nodeStateOf(typeof node.state === 'string' ? node.state : 'unknown', flags),
      cpus: typeof node.cpus === 'number' ? node.cpus : 0,
      cpusBusy: typeof node.alloc_cpus === 'number' ? node.alloc_cpus : 0,
      gpus: gpusOf(typeof node.gres === 'string' ? node.gres : ''),
      gpusBusy: gpusOf(typeof node.gres_used === 'string' ? node.gres_used : ''),
      partitions,
    });
  }
  return result.filter((node) => node.name !== '');
}

export function toNodeInfo(node: SlurmNode, jobs: NodeInfo['jobs']): NodeInfo {
  return { name: node.name, state: node.state, cores: node.cpus, coresBusy: node.cpusBusy, gpus: node.gpus, gpusBusy: node.gpusBusy, jobs };
}
