/**
 * Follows a job for `submit --follow` and `output --follow`: its output goes to this process's
 * stdout and stderr as the job wrote it (bytes, unchanged), a status line shows while it waits
 * to start, lost connections are retried from the exact byte, and the job's end decides the
 * exit code.
 */
import { InvalidArgumentError } from 'commander';
import { followOutput } from '../../client/follow.js';
import { parseDuration } from '../../lib/parse.js';
import type { JobDetail, OutputChunk, WireId } from '../../client/types.js';
import { shortDuration } from '../format/time.js';
import { paintState } from '../format/style.js';
import type { ClientContext, Terminal } from './context.js';
import { exitCodeOf, showId, stateWord } from './job-words.js';

export interface FollowJobOptions {
  stream?: string;
  tail?: number;
  /** Seconds to keep trying to get a lost connection back. */
  reconnect?: number;
}

/** Writes and, when the pipe is full, waits for it to drain (a slow reader slows us, never our memory). */
export function writeTo(terminal: Terminal, data: Uint8Array): Promise<void> | undefined {
  if (terminal.write(data) || terminal.once === undefined) {
    return undefined;
  }
  return new Promise((resolve) => terminal.once?.('drain', resolve));
}

export function chunkBytes(chunk: OutputChunk): Buffer {
  return Buffer.from(chunk.data, chunk.encoding === 'base64' ? 'base64' : 'utf8');
}

async function untilInactive(context: ClientContext, id: WireId): Promise<JobDetail> {
  for (;;) {
    const job = await context.client.job(id);
    if (job.state === 'INACTIVE') {
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The option both following commands take. */
export function reconnectOption(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    throw new InvalidArgumentError('expected a duration such as 30s or 5m');
  }
  return seconds;
}

/** Follows until the job ends; returns the exit code it earned. */
export async function followJob(context: ClientContext, id: WireId, options: FollowJobOptions = {}): Promise<number> {
  const { io, progress } = context;
  const name = showId(id, context.asciiIds);
  const since = Date.now();
  let state = '';
  let outputSeen = false;
  const status = (): string => `${name} ${paintState(context.err, state)} ${context.err.dim(shortDuration((Date.now() - since) / 1000))}`;

  const end = await followOutput(context.client, id, {
    output: async (chunk) => {
      if (!outputSeen) {
        outputSeen = true;
        progress.clear();
      }
      await writeTo(chunk.stream === 'stderr' ? io.stderr : io.stdout, chunkBytes(chunk));
    },
    state: (change) => {
      state = change.state === 'INACTIVE' && change.result !== '' ? change.result : change.state;
      if (!outputSeen && change.state !== 'INACTIVE') {
        progress.update(status);
      }
    },
    reconnecting: (attempt, reason) => {
      progress.clear();
      io.stderr.write(`jobgate: ${reason}; reconnecting to ${context.url} (attempt ${attempt})\n`);
    },
  }, { stream: options.stream, tail: options.tail, ...(options.reconnect === undefined ? {} : { reconnectMs: options.reconnect * 1000 }) });
  progress.clear();

  const job = end.job?.state === 'INACTIVE' ? end.job : await untilInactive(context, id);
  const code = exitCodeOf(job);
  if (job.result !== 'COMPLETED') {
    const rc = typeof job.returncode === 'number' ? `, return code ${job.returncode}` : '';
    const note = job.exception.note !== '' ? ` (${job.exception.type}: ${job.exception.note})` : '';
    io.stderr.write(`jobgate: ${name} ${paintState(context.err, stateWord(job))}${rc}${note}\n`);
  }
  return code;
}
