/**
 * A JobSpec (jobgate's submit request) as the RFC 25 jobspec Flux runs, built the way
 * `flux submit` builds it (same shapes and key order, checked against its `--dry-run` output):
 *
 *   num_tasks / cores_per_task / gpus_per_task → a `slot` of `core` (and `gpu`) resources;
 *   num_nodes → an outer `node`; exclusive → `exclusive: true` on it; num_nodes above num_tasks
 *   → one task per node on exclusive nodes (as `flux submit -N` without `-n`);
 *   workdir → cwd; runtime → duration (seconds, 0 = unlimited); job_name → job.name;
 *   the job's environment → environment, exactly (a clean base plus its envars: never
 *   jobgate's own environment, which `flux submit` would copy whole);
 *   option_flags → shell options (values parsed as JSON when they are JSON, as `-o` does);
 *   the submitting user → system.user (as flux-restful-api recorded it); queue → system.queue.
 *
 * Output is unbuffered with a 50 ms batch timeout (`flux submit -u`): the job shell otherwise
 * holds output for 0.5 s, and followers see lines that late. An option flag may override it.
 */
import path from 'node:path';
import type { JobSpec } from '../../model/job.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface JobspecContext {
  /** The environment of the job's tasks, complete. */
  env: Readonly<Record<string, string>>;
  /** Who submitted it (recorded as attributes.system.user). */
  owner: string;
  /** Resource limits to propagate (as `flux submit` does with the submitter's soft limits). */
  rlimit?: Readonly<Record<string, number>> | null;
  /** `flux submit -u`: unbuffered output, 50 ms batches (default true). */
  unbuffered?: boolean;
}

/** `-o key=value`: the value as JSON when it parses as JSON, else the text (flux's parse_jobspec_keyval). */
export function shellOptionValue(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** Sets `a.b.c` in a tree, creating levels on demand and keeping existing keys where they are. */
function setDotted(tree: JsonObject, key: string, value: Json): void {
  const parts = key.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: JsonObject = {};
      node[part] = created;
      node = created;
    } else {
      node = next;
    }
  }
  node[parts[parts.length - 1] ?? key] = value;
}

function resources(spec: JobSpec): { resources: JsonObject[]; count: JsonObject } {
  const children: JsonObject[] = [{ type: 'core', count: spec.coresPerTask }];
  if (spec.gpusPerTask > 0) {
    children.push({ type: 'gpu', count: spec.gpusPerTask });
  }
  if (spec.numNodes === null) {
    return { resources: [{ type: 'slot', count: spec.numTasks, with: children, label: 'task' }], count: { per_slot: 1 } };
  }
  const nodes = spec.numNodes;
  // As `flux submit -N` without `-n`: one task per node, nodes allocated exclusively.
  const tasks = spec.numTasks < nodes ? nodes : spec.numTasks;
  const exclusive = spec.exclusive || spec.numTasks < nodes;
  const slots = Math.ceil(tasks / nodes);
  const slot: JsonObject = { type: 'slot', count: slots, with: children, label: 'task' };
  const node: JsonObject = exclusive ? { type: 'node', count: nodes, exclusive: true, with: [slot] } : { type: 'node', count: nodes, with: [slot] };
  // Uneven distribution: the task count is a total (some slots stay empty), as Flux does it.
  return { resources: [node], count: tasks % nodes === 0 ? { per_slot: 1 } : { total: tasks } };
}

/** Checks Flux would make when building the jobspec, with Flux's words. */
export function jobspecProblems(spec: JobSpec): { field: string; message: string }[] {
  if (spec.exclusive && spec.numNodes === null) {
    return [{ field: 'exclusive', message: 'exclusive can only be set with a node count' }];
  }
  return [];
}

export function buildJobspec(spec: JobSpec, context: JobspecContext): JsonObject {
  const { resources: resourceList, count } = resources(spec);
  const system: JsonObject = { duration: spec.runtime, environment: { ...context.env } };
  if (spec.workdir !== null) {
    system.cwd = spec.workdir;
  }
  const argv0 = spec.command[0] ?? '';
  if (spec.name !== path.basename(argv0)) {
    system.job = { name: spec.name };
  }
  const options: JsonObject = {};
  if (context.unbuffered ?? true) {
    setDotted(options, 'output.stdout.buffer.type', 'none');
    setDotted(options, 'output.stderr.buffer.type', 'none');
    setDotted(options, 'output.batch-timeout', 0.05);
    setDotted(options, 'input.batch-timeout', 0.0);
  }
  if (context.rlimit) {
    options.rlimit = { ...context.rlimit };
  }
  for (const [key, value] of Object.entries(spec.optionFlags)) {
    setDotted(options, key, shellOptionValue(value));
  }
  system.shell = { options };
  if (spec.queue !== null) {
    system.queue = spec.queue;
  }
  system.user = context.owner;
  return {
    resources: resourceList,
    tasks: [{ command: [...spec.command], slot: 'task', count }],
    attributes: { system },
    version: 1,
  };
}
