/**
 * Job output: the compatible `GET /v1/jobs/{id}/output` (never blocks: what exists now, with a
 * cursor to continue from), the legacy chunked stream, and Server-Sent Events whose event id
 * is the cursor, so a reconnecting EventSource (Last-Event-ID) resumes at the exact byte.
 */
import Router from '@koa/router';
import { PassThrough } from 'node:stream';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import type { Actor, JobRecord } from '../../../model/job.js';
import type { JobChange } from '../../../domain/jobs-service.js';
import { stringifyJson } from '../../../lib/json.js';
import { followOutput } from '../../../output/follow.js';
import type { OutputView } from '../../../output/layout.js';
import type { OutputChunk } from '../../../output/reader.js';
import { completeUtf8Length, isValidUtf8, splitLines } from '../../../output/utf8.js';
import type { AppState } from '../../state.js';
import { presentJobDetail } from '../../presenters/job.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { outputQuery } from './schemas.js';
import { outputPage } from './responses.js';
import { errorBody, invalidJobId } from '../../error-schemas.js';
import { openEventStream } from '../../stream/event-stream.js';
import { jobIdParam, JOBID_PATH } from './params.js';
import type { ApiDeps } from './context.js';
import type { UsageUpdate } from '../../../domain/usage/usage-service.js';
import { presentUsageSummary } from '../../presenters/usage.js';

const NO_OUTPUT = 'The output does not exist yet, or the jobid is incorrect.';
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const VIEWS: Record<string, OutputView> = { stdout: 'stdout', stderr: 'stderr', all: 'all', combined: 'all', both: 'all' };

interface OutputParams {
  view: OutputView;
  since: number | undefined;
  tail: number | undefined;
  maxBytes: number;
  format: 'lines' | 'chunks' | 'raw';
}

function toParams(query: z.output<typeof outputQuery>): OutputParams {
  return {
    view: VIEWS[query.stream ?? 'all'] ?? 'all',
    since: query.since,
    tail: query.tail,
    maxBytes: query.max_bytes ?? DEFAULT_MAX_BYTES,
    format: query.format ?? 'lines',
  };
}

function encodeChunk(chunk: OutputChunk): { stream: string; data: string; encoding?: 'base64' } {
  return isValidUtf8(chunk.data)
    ? { stream: chunk.stream, data: chunk.data.toString('utf8') }
    : { stream: chunk.stream, data: chunk.data.toString('base64'), encoding: 'base64' };
}

export function outputRoutes(deps: ApiDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();

  const visibleJob = (ctx: ParameterizedContext<AppState>, actor: Actor): JobRecord => deps.jobs.get(jobIdParam(ctx.params.jobid), actor);

  const notFound = {
    400: { description: 'Not a job id', schema: invalidJobId },
    404: { description: 'No such job (or not yours)', schema: errorBody },
  };

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'getJobOutput',
    path: '/v1/jobs/:jobid/output',
    summary: 'Job output so far',
    description: 'Never blocks: returns what exists now and a cursor to continue from (`since`). `{"Output": [lines...], "cursor": N, ...}`.',
    tags: ['output'],
    access: 'user',
    pathParams: JOBID_PATH,
    query: outputQuery,
    responses: {
      200: {
        description: 'Output lines (format=lines), byte-exact chunks (format=chunks) or raw bytes (format=raw), and the next cursor',
        schema: outputPage,
        alternatives: { 'application/octet-stream': z.string().meta({ contentMediaType: 'application/octet-stream' }) },
        headers: { 'X-Output-Cursor': 'Cursor after the bytes returned', 'X-Output-Size': 'Bytes of the view so far', 'X-Output-Complete': 'true once the job has ended and everything was returned' },
      },
      ...notFound,
    },
  }, async (ctx, { actor, query }) => {
    const job = visibleJob(ctx, actor);
    const params = toParams(query);
    const reader = deps.output.reader(job.id);
    const start = params.tail !== undefined ? reader.tailCursor(params.view, params.tail) : (params.since ?? 0);
    const result = reader.read(params.view, start, params.maxBytes);
    const live = deps.output.isLive(job.id);
    // Never end a page inside a character while more bytes follow.
    const last = result.chunks[result.chunks.length - 1];
    if (last !== undefined && (live || result.next < result.size)) {
      const keep = completeUtf8Length(last.data);
      if (keep > 0 && keep < last.data.length) {
        result.next -= last.data.length - keep;
        last.data = last.data.subarray(0, keep);
      }
    }
    const complete = !live && result.next >= result.size;
    ctx.set('X-Output-Cursor', String(result.next));
    ctx.set('X-Output-Size', String(result.size));
    ctx.set('X-Output-Complete', String(complete));
    if (params.format === 'raw') {
      ctx.type = 'application/octet-stream';
      ctx.body = Buffer.concat(result.chunks.map((chunk) => chunk.data));
      return;
    }
    const meta = { cursor: result.next, start, size: result.size, stream: params.view, complete, truncated: result.next < result.size };
    if (params.format === 'chunks') {
      ctx.body = { chunks: result.chunks.map(encodeChunk), ...meta };
      return;
    }
    const text = Buffer.concat(result.chunks.map((chunk) => chunk.data)).toString('utf8');
    if (text === '' && start === 0) {
      ctx.body = { Message: NO_OUTPUT, Output: [], ...meta };
      return;
    }
    ctx.body = { Output: splitLines(text), ...meta };
  });

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'followJobOutputEvents',
    path: '/v1/jobs/:jobid/output/events',
    summary: 'Follow output and state (Server-Sent Events)',
    description:
      'Events: `state` (data: OutputStateEvent; first the current state, then each change), `output` (data: OutputChunk; the event id is the cursor after it: ' +
      'reconnect with `Last-Event-ID` to resume at the exact byte), `end` (data: OutputEndEvent, with the final job), `error` (data: OutputErrorEvent), `metrics` (while the job runs, one per usage sample: ' +
      '`{t, resolution, cpu, mem, gpu, gpu_mem, summary}`, as GET /v1/jobs/{id}/metrics has them).',
    tags: ['output'],
    access: 'user',
    pathParams: JOBID_PATH,
    query: outputQuery,
    responses: { 200: { description: 'An event stream', contentType: 'text/event-stream', schema: z.string() }, ...notFound },
  }, async (ctx, { actor, query }) => {
    const job = visibleJob(ctx, actor);
    streamEvents(ctx, actor, job, toParams(query));
  });

  defineRoute(router, catalog, {
    method: 'get',
    operationId: 'streamJobOutput',
    path: '/v1/jobs/:jobid/output/stream',
    summary: 'Follow output (chunked text, or SSE with Accept: text/event-stream)',
    description: 'The flux-restful-api stream: the raw output bytes as they are written, until the job ends.',
    tags: ['output'],
    access: 'user',
    pathParams: JOBID_PATH,
    query: outputQuery,
    responses: {
      200: { description: 'Output bytes as they come (or SSE, as followJobOutputEvents, with Accept: text/event-stream)', contentType: 'text/plain', schema: z.string(), alternatives: { 'text/event-stream': z.string() } },
      ...notFound,
    },
  }, async (ctx, { actor, query }) => {
    const job = visibleJob(ctx, actor);
    const params = toParams(query);
    if ((ctx.get('Accept') ?? '').includes('text/event-stream')) {
      streamEvents(ctx, actor, job, params);
      return;
    }
    // The legacy stream: the combined output's raw bytes, chunked, until the job's output ends.
    const body = new PassThrough();
    const controller = new AbortController();
    ctx.req.on('close', () => controller.abort());
    const stop = (): void => controller.abort();
    deps.jobs.once('stopping', stop);
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = body;
    // Node sends the head with the first byte of the body: a job that prints nothing for a while
    // would leave the client without even a status line (clients and proxies time out). Once
    // Koa has piped the body (after every middleware has set its headers), send the head now.
    setImmediate(() => {
      if (!ctx.res.headersSent && !ctx.res.writableEnded) {
        ctx.res.flushHeaders();
      }
    });
    const start = params.tail !== undefined ? deps.output.reader(job.id).tailCursor(params.view, params.tail) : (params.since ?? 0);
    void (async () => {
      try {
        for await (const result of followOutput(deps.output, job.id, { view: params.view, cursor: start, signal: controller.signal })) {
          for (const chunk of result.chunks) {
            if (!body.write(chunk.data)) {
              await new Promise<void>((resolve) => {
                body.once('drain', resolve);
                controller.signal.addEventListener('abort', () => resolve(), { once: true });
              });
            }
          }
        }
      } catch {
        // The output went away under us; end the stream (the status line is already sent).
      } finally {
        deps.jobs.off('stopping', stop);
        body.end();
      }
    })();
  });

  function streamEvents(ctx: ParameterizedContext<AppState>, actor: Actor, job: JobRecord, params: OutputParams): void {
    const lastEventId = ctx.get('Last-Event-ID');
    const resumeFrom = /^\d{1,16}$/.test(lastEventId) ? Number(lastEventId) : undefined;
    const reader = deps.output.reader(job.id);
    const start = resumeFrom ?? (params.tail !== undefined ? reader.tailCursor(params.view, params.tail) : (params.since ?? 0));
    const events = openEventStream(ctx);
    const onChange = (change: JobChange): void => {
      if (change.job.id === job.id && change.event.name !== 'submit') {
        void events.send('state', stringifyJson({ event: change.event.name, state: change.job.state, result: change.job.result ?? '', returncode: change.job.state === 'INACTIVE' ? change.job.returncode : '', t: change.event.t }));
      }
    };
    const onStopping = (): void => {
      void events.send('end', stringifyJson({ reason: 'service stopping' })).then(() => events.close());
    };
    const onSampled = (updates: UsageUpdate[]): void => {
      const update = updates.find((each) => each.id === job.id);
      if (update !== undefined) {
        const { sample } = update;
        void events.send('metrics', JSON.stringify({ t: sample.t, resolution: sample.resolution, cpu: sample.cpu, mem: sample.memBytes, gpu: sample.gpu, gpu_mem: sample.gpuMemBytes, summary: presentUsageSummary(update.summary) }));
      }
    };
    deps.jobs.on('change', onChange);
    deps.jobs.once('stopping', onStopping);
    deps.extended.usage.on('sampled', onSampled);
    void (async () => {
      try {
        await events.send('state', stringifyJson({ event: 'current', state: job.state, result: job.result ?? '', returncode: job.state === 'INACTIVE' ? job.returncode : '', t: deps.now() }));
        for await (const result of followOutput(deps.output, job.id, { view: params.view, cursor: start, signal: events.signal, wholeCharacters: true })) {
          let cursor = result.next - result.chunks.reduce((sum, chunk) => sum + chunk.data.length, 0);
          for (const chunk of result.chunks) {
            cursor += chunk.data.length;
            await events.send('output', JSON.stringify(encodeChunk(chunk)), String(cursor));
          }
        }
        if (!events.signal.aborted) {
          const final = deps.jobs.find(job.id, actor) ?? job;
          await events.send('end', stringifyJson({ reason: final.state === 'INACTIVE' ? 'job ended' : 'output ended', job: presentJobDetail(final, deps.extended.labels.labelsFor([final.id]).get(final.id), deps.now()) }));
        }
      } catch (error: unknown) {
        const message = error instanceof Error ? error.message : String(error);
        await events.send('error', JSON.stringify({ message: `output unavailable: ${message.replace(/\/[^\s:]*\/jobs\/[^\s:]*/g, '<output file>')}` }));
      } finally {
        deps.jobs.off('change', onChange);
        deps.jobs.off('stopping', onStopping);
        deps.extended.usage.off('sampled', onSampled);
        events.close();
      }
    })();
  }

  return router;
}
