/**
 * From a submit request (already typed by the HTTP layer) to a JobSpec, with the checks and
 * the exact messages of flux-restful-api (its clients look for substrings of them), each
 * naming its field. Backend-specific limits (cores, GPUs, nodes) are checked by the executor.
 */
import path from 'node:path';
import type { FieldError } from '../errors.js';
import { splitCommand } from '../lib/shellwords.js';
import { URGENCY, type JobSpec } from '../model/job.js';

export interface SubmitInput {
  command?: string | string[];
  num_tasks?: number;
  cores_per_task?: number;
  gpus_per_task?: number;
  num_nodes?: number;
  exclusive?: boolean;
  workdir?: string;
  runtime?: number;
  envars?: unknown;
  option_flags?: string | Record<string, unknown>;
  job_name?: string;
  urgency?: number;
  queue?: string;
  is_launcher?: boolean;
}

export interface SpecContext {
  maxNodes: number;
  defaultWorkdir: string;
  defaultOptionFlags: Readonly<Record<string, string>>;
}

export const KNOWN_LAUNCHERS = ['nextflow', 'snakemake'] as const;
export const MISSING_COMMAND = "A 'command' is minimally required.";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LIMITS = { tasks: 1_000_000, cores: 1_000_000, gpus: 100_000, nodes: 100_000, runtime: 10 * 365 * 86400, argv: 100_000 } as const;

function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

/** `"k=v,k2=v2"` (the client's flattening) or an object; items without `=` are skipped, as in the original. */
export function parseOptionFlags(value: string | Record<string, unknown>): { flags: Record<string, string> } | { error: string } {
  if (typeof value === 'string') {
    const flags: Record<string, string> = {};
    for (const item of value.split(',')) {
      const trimmed = item.trim();
      const eq = trimmed.indexOf('=');
      if (trimmed === '') {
        continue;
      }
      if (eq < 0) {
        flags[trimmed] = '1';
        continue;
      }
      flags[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
    }
    return { flags };
  }
  const flags: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'object' && item !== null) {
      return { error: `Please provide option args as a dictionary, type ${Array.isArray(item) ? 'list' : 'dict'} is invalid.` };
    }
    flags[key] = String(item);
  }
  return { flags };
}

export function buildSpec(input: SubmitInput, context: SpecContext): { spec: JobSpec } | { errors: FieldError[]; missingCommand?: true } {
  const errors: FieldError[] = [];

  let command: string[] = [];
  if (input.command === undefined || (typeof input.command === 'string' && input.command.trim() === '') || (Array.isArray(input.command) && input.command.length === 0)) {
    return { errors: [{ field: 'command', message: "'command' is required." }], missingCommand: true };
  }
  if (typeof input.command === 'string') {
    const split = splitCommand(input.command);
    if ('error' in split) {
      errors.push({ field: 'command', message: split.error });
    } else if (split.words.length === 0) {
      return { errors: [{ field: 'command', message: "'command' is required." }], missingCommand: true };
    } else {
      command = split.words;
    }
  } else {
    command = input.command;
  }
  if (command.some(hasNul)) {
    errors.push({ field: 'command', message: 'must not contain NUL bytes' });
  }
  if (command.length > LIMITS.argv) {
    errors.push({ field: 'command', message: `has ${command.length} words; at most ${LIMITS.argv}` });
  }

  const positive = (field: 'num_tasks' | 'cores_per_task' | 'gpus_per_task' | 'num_nodes', value: number | undefined, max: number): void => {
    if (value === undefined) {
      return;
    }
    if (value < 1) {
      errors.push({ field, message: `Parameter ${field} must be >= 1` });
    } else if (value > max) {
      errors.push({ field, message: `Parameter ${field} must be <= ${max}` });
    }
  };
  positive('num_tasks', input.num_tasks, LIMITS.tasks);
  positive('cores_per_task', input.cores_per_task, LIMITS.cores);
  positive('gpus_per_task', input.gpus_per_task, LIMITS.gpus);
  positive('num_nodes', input.num_nodes, LIMITS.nodes);
  // Without num_tasks a node count means one task per node (as `flux submit -N` alone); with
  // it, every node needs at least one of the tasks.
  if (input.num_nodes !== undefined && input.num_tasks !== undefined && input.num_nodes > input.num_tasks) {
    errors.push({ field: 'num_nodes', message: `num_nodes (${input.num_nodes}) cannot be more than num_tasks (${input.num_tasks}): every node needs a task` });
  }
  if (input.num_nodes !== undefined && input.num_nodes > context.maxNodes) {
    errors.push({ field: 'num_nodes', message: `The server only has ${context.maxNodes} nodes, you requested ${input.num_nodes}` });
  }

  const runtime = input.runtime ?? 0;
  if (runtime < 0) {
    errors.push({ field: 'runtime', message: `Runtime must be >= 0, found ${runtime}` });
  } else if (runtime > LIMITS.runtime) {
    errors.push({ field: 'runtime', message: `Runtime must be <= ${LIMITS.runtime} seconds, found ${runtime}` });
  }

  const envars: Record<string, string> = {};
  if (input.envars !== undefined && input.envars !== null) {
    if (typeof input.envars !== 'object' || Array.isArray(input.envars)) {
      errors.push({ field: 'envars', message: 'Environment variables must be key/value pairs (dict)' });
    } else {
      for (const [key, value] of Object.entries(input.envars as Record<string, unknown>)) {
        if (!ENV_NAME.test(key)) {
          errors.push({ field: `envars.${key}`, message: 'is not a valid environment variable name (letters, digits and _, not starting with a digit)' });
        } else if (typeof value === 'object' && value !== null) {
          errors.push({ field: `envars.${key}`, message: 'must be a string, number or boolean' });
        } else {
          const text = value === null || value === undefined ? '' : String(value);
          if (hasNul(text)) {
            errors.push({ field: `envars.${key}`, message: 'must not contain NUL bytes' });
          } else {
            envars[key] = text;
          }
        }
      }
    }
  }

  let optionFlags: Record<string, string> = { ...context.defaultOptionFlags };
  if (input.option_flags !== undefined) {
    const parsed = parseOptionFlags(input.option_flags);
    if ('error' in parsed) {
      errors.push({ field: 'option_flags', message: parsed.error });
    } else {
      for (const key of Object.keys(parsed.flags)) {
        // A key that starts with "-o" (or any dash) is a flag someone copied from a command line.
        if (key.startsWith('-')) {
          errors.push({ field: 'option_flags', message: `Please provide keys without -o, ${key} is invalid.` });
        } else if (!/^[A-Za-z0-9_.:-]+$/.test(key)) {
          errors.push({ field: 'option_flags', message: `'${key}' is not a valid option name` });
        }
      }
      optionFlags = { ...optionFlags, ...parsed.flags };
    }
  }

  // Like `flux submit`, a job without a workdir runs where the service runs (configurable).
  let workdir: string = context.defaultWorkdir;
  if (input.workdir !== undefined && input.workdir !== '') {
    if (hasNul(input.workdir)) {
      errors.push({ field: 'workdir', message: 'must not contain NUL bytes' });
    } else if (input.workdir.length > 4096) {
      errors.push({ field: 'workdir', message: 'is longer than 4096 characters' });
    } else {
      workdir = path.resolve(context.defaultWorkdir, input.workdir);
    }
  }

  const urgency = input.urgency ?? URGENCY.default;
  if (urgency < URGENCY.hold || urgency > URGENCY.expedite) {
    errors.push({ field: 'urgency', message: `must be between ${URGENCY.hold} (hold) and ${URGENCY.expedite} (expedite), found ${urgency}` });
  }

  const argv0 = command[0] ?? '';
  if (input.is_launcher === true && !(KNOWN_LAUNCHERS as readonly string[]).includes(path.basename(argv0))) {
    errors.push({ field: 'is_launcher', message: `${argv0} is not a known launcher (known: ${KNOWN_LAUNCHERS.join(', ')}).` });
  }

  const name = input.job_name ?? path.basename(argv0);
  if (hasNul(name) || name.length > 256) {
    errors.push({ field: 'job_name', message: 'must be at most 256 characters, without NUL bytes' });
  }
  if (input.queue !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(input.queue)) {
    errors.push({ field: 'queue', message: 'must be 1-64 letters, digits, dots, dashes or underscores' });
  }

  if (errors.length > 0) {
    return { errors };
  }
  const tty = optionFlags.pty !== undefined && optionFlags.pty !== '0' && optionFlags.pty !== 'false';
  return {
    spec: {
      command,
      name,
      numTasks: input.num_tasks ?? 1,
      coresPerTask: input.cores_per_task ?? 1,
      gpusPerTask: input.gpus_per_task ?? 0,
      numNodes: input.num_nodes ?? null,
      exclusive: input.exclusive ?? false,
      workdir,
      runtime,
      envars,
      optionFlags,
      tty,
      urgency,
      queue: input.queue ?? null,
    },
  };
}
