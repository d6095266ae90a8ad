/** Input schemas of the v1 routes (they validate requests and document them in OpenAPI). */
import { z } from 'zod';
import { parsePythonDict } from '../../../lib/python-literal.js';
import { param } from '../../validation.js';

const envValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** `envars` as JSON text or the Python repr of a dict (the current Python client sends that), or an object. */
const envars = z.preprocess((value) => {
  const single = Array.isArray(value) ? value[value.length - 1] : value;
  if (single === '' || single === null || single === undefined) {
    return undefined;
  }
  if (typeof single !== 'string') {
    return single;
  }
  try {
    return JSON.parse(single) as unknown;
  } catch {
    return parsePythonDict(single.trim()) ?? single;
  }
}, z.record(z.string(), envValue, { error: 'Input should be an object of environment variables ({"NAME": "value"})' }).optional())
  .meta({ description: 'Environment variables for the job, added to a clean base environment.' });

const optionFlags = z.union([
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  param.string(4096),
]).meta({ description: 'Job shell options as "key=value,key2=value2" or an object, e.g. "pty=1,cpu-affinity=off".' });

const common = {
  num_tasks: param.int().meta({ description: 'Number of tasks (processes); each is told its rank.' }),
  cores_per_task: param.int().meta({ description: 'Cores per task.' }),
  gpus_per_task: param.int().meta({ description: 'GPUs per task.' }),
  num_nodes: param.int().meta({ description: 'Number of nodes.' }),
  exclusive: param.bool().meta({ description: 'Take whole nodes.' }),
  workdir: param.string(4096).meta({ description: 'Working directory (relative paths are resolved against the server default).' }),
  runtime: param.number().meta({ description: 'Time limit in seconds; 0 means none. The job gets SIGTERM, then SIGKILL, and ends as TIMEOUT.' }),
  envars,
  option_flags: optionFlags.optional(),
  job_name: param.string(256).meta({ description: 'Job name (default: the program name).' }),
  urgency: param.int().meta({ description: 'Urgency 0-31: 0 holds the job, 16 is the default, 31 expedites it.' }),
  queue: param.string(64).meta({ description: 'Queue (or Slurm partition).' }),
  is_launcher: param.bool().meta({ description: 'The command is a workflow launcher (nextflow, snakemake) that submits jobs itself.' }),
  user: param.string(128).meta({ description: 'Owner to record when authentication is off (ignored when it is on).' }),
};

export const submitQuery = z.object({
  command: param.string(128 * 1024).meta({ description: 'The command, split into words as a POSIX shell would split them (never run through a shell).' }),
  ...common,
});

export const submitBody = z.strictObject({
  command: z.union([z.array(z.string()).min(1).max(100000), param.string(128 * 1024)]).meta({ description: 'The command: a string split into words, or an argv array.' }),
  ...common,
});

export const envarsBody = z.record(z.string(), envValue).meta({ description: 'A JSON object without "command": the job\'s environment variables (with the other fields in the query string).' });

export const listQuery = z.object({
  details: param.bool().meta({ description: 'Return detail objects keyed by id (or a list with listing=true).' }),
  detail: param.bool().meta({ description: 'Alias of details (older clients send it).' }),
  listing: param.bool().meta({ description: 'With details: return a list instead of an object.' }),
  limit: param.int().pipe(z.number().int().min(0).optional()).meta({ description: 'At most this many jobs (newest first).' }),
  offset: param.int().pipe(z.number().int().min(0).optional()).meta({ description: 'Skip this many jobs.' }),
});

export const cancelQuery = z.object({
  reason: param.string(1024).meta({ description: 'Why; recorded as the cancel exception note.' }),
});

export const searchQuery = z.looseObject({
  draw: param.int().meta({ description: 'DataTables draw counter; when present recordsFiltered is the number of matches before paging.' }),
  start: param.int().pipe(z.number().int().min(0).optional()).meta({ description: 'Offset of the first row.' }),
  length: param.int().meta({ description: 'Rows per page (-1: as many as allowed).' }),
  'search[value]': param.string(1024).meta({ description: 'Text to look for in id, name, command, owner, state or result.' }),
  search: param.string(1024).meta({ description: 'Alias of search[value].' }),
  query: param.string(1024).meta({ description: 'Alias of search[value] (older clients send it).' }),
}).meta({ description: 'Also DataTables columns[i][data], columns[i][search][value] (state, result, owner, name; tags: `type:name`, comma-separated; held: true or false) and order[i][column]/order[i][dir].' });

export const OUTPUT_STREAMS = ['stdout', 'stderr', 'all', 'combined', 'both'] as const;

export const outputQuery = z.object({
  stream: param.enumOf(OUTPUT_STREAMS).meta({ description: 'stdout, stderr, or all (both, in the order written; default).' }),
  since: param.int().pipe(z.number().int().min(0).optional()).meta({ description: 'Cursor to read from (the cursor of a previous answer).' }),
  tail: param.int().pipe(z.number().int().min(0).max(1_000_000).optional()).meta({ description: 'Start at the last N lines.' }),
  max_bytes: param.int().pipe(z.number().int().min(1).max(64 * 1024 * 1024).optional()).meta({ description: 'Bytes per answer (default 16 MiB).' }),
  format: param.enumOf(['lines', 'chunks', 'raw'] as const).meta({ description: 'lines (Output: [...]), chunks (byte-exact with stream labels) or raw bytes.' }),
});

export const nodesQuery = z.object({
  details: param.bool().meta({ description: 'Add cores, GPUs, busy and free counts and running jobs per node.' }),
});
