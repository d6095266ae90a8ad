/**
 * The data of each Server-Sent Event a follower of a job's output gets, built as the schemas
 * the API document shows (`responses.ts`) say: the builders' return types are those schemas'
 * input types, so the stream and the document cannot drift apart without the build failing.
 */
import type { z } from 'zod';
import type { JobRecord } from '../../../model/job.js';
import { stringifyJson } from '../../../lib/json.js';
import type { FollowEvent } from '../../../output/follow-session.js';
import type { OutputChunk } from '../../../output/reader.js';
import { isValidUtf8 } from '../../../output/utf8.js';
import type { outputChunk, outputEndEvent, outputErrorEvent, outputStateEvent } from './responses.js';

/** A chunk as text when it is valid UTF-8, else as base64 (byte-exact either way). */
export function chunkData(chunk: OutputChunk): z.input<typeof outputChunk> {
  return isValidUtf8(chunk.data)
    ? { stream: chunk.stream, data: chunk.data.toString('utf8') }
    : { stream: chunk.stream, data: chunk.data.toString('base64'), encoding: 'base64' };
}

export function stateData(event: string, job: JobRecord, t: number): z.input<typeof outputStateEvent> {
  // flux-restful-api's habit: "" for what is not known yet (no result, no exit code before the end).
  return { event, state: job.state, result: job.result ?? '', returncode: job.state === 'INACTIVE' ? (job.returncode ?? '') : '', t };
}

/**
 * The job detail comes from the presenter (its own schema, JobDetail, is checked against real
 * answers); everything else of the final event is typed here.
 */
export function endData(reason: string, job: Record<string, unknown> | undefined): Omit<z.input<typeof outputEndEvent>, 'job'> & { job?: Record<string, unknown> } {
  return job === undefined ? { reason } : { reason, job };
}

export function errorData(message: string): z.input<typeof outputErrorEvent> {
  return { message };
}

export interface SseFrame {
  event: string;
  data: string;
  id?: string;
}

/**
 * One follow event as an SSE frame; the id of an output event is the cursor after it, so a
 * reconnecting EventSource (Last-Event-ID) resumes at the exact byte. `presentJob` gives the
 * final event its job detail (with labels).
 */
export function sseFrame(event: FollowEvent, presentJob: (job: JobRecord) => Record<string, unknown>): SseFrame {
  switch (event.kind) {
    case 'state':
      return { event: 'state', data: stringifyJson(stateData(event.event, event.job, event.t)) };
    case 'output':
      return { event: 'output', data: JSON.stringify(chunkData(event.chunk)), id: String(event.cursor) };
    case 'end':
      return { event: 'end', data: stringifyJson(endData(event.reason, event.job === undefined ? undefined : presentJob(event.job))) };
    case 'error':
      return { event: 'error', data: JSON.stringify(errorData(event.message)) };
  }
}
