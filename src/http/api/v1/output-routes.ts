/**
 * Job output: the compatible `GET /v1/jobs/{id}/output` (never blocks: what exists now, with a
 * cursor to continue from), the legacy chunked stream, and Server-Sent Events whose event id
 * is the cursor, so a reconnecting EventSource (Last-Event-ID) resumes at the exact byte.
 * Where a follower starts, whole characters, backpressure and the merge of state and output
 * are the output layer's (`output/follow-session.ts`); these handlers parse, authorize, open
 * the session and frame its events.
 */
import Router from '@koa/router';
import { Readable } from 'node:stream';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import type { Actor, JobRecord } from '../../../model/job.js';
import { followJob, unavailableMessage, type FollowEvent, type FollowListener, type FollowSessionOptions } from '../../../output/follow-session.js';
import type { OutputView } from '../../../output/layout.js';
import { readOutputPage } from '../../../output/output-page.js';
import { startCursor } from '../../../output/start-cursor.js';
import { splitLines } from '../../../output/utf8.js';
import type { AppState } from '../../state.js';
import { presentJobDetail } from '../../presenters/job.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { outputQuery } from './schemas.js';
import { outputPage } from './responses.js';
import { chunkData, errorData, sseFrame } from './output-event-data.js';
import { errorBody, invalidJobId } from '../../error-schemas.js';
import { openEventStream } from '../../stream/event-stream.js';
import { jobIdParam, JOBID_PATH } from './params.js';
import type { ApiDeps } from './context.js';
import type { UsageUpdate } from '../../../domain/usage/usage-service.js';
import { metricsEventData } from '../../presenters/usage.js';

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

/** The legacy stream's body: the output's bytes only; it ends with the session (an error included, the status line being sent). */
async function* rawBytes(session: AsyncIterable<FollowEvent>): AsyncGenerator<Buffer, void, undefined> {
  for await (const event of session) {
    if (event.kind === 'output') {
      yield event.chunk.data;
    } else if (event.kind !== 'state') {
      return;
    }
  }
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
    errors: 'compat',
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
    const page = readOutputPage(deps.output, job.id, params);
    ctx.set('X-Output-Cursor', String(page.cursor));
    ctx.set('X-Output-Size', String(page.size));
    ctx.set('X-Output-Complete', String(page.complete));
    if (params.format === 'raw') {
      ctx.type = 'application/octet-stream';
      ctx.body = Buffer.concat(page.chunks.map((chunk) => chunk.data));
      return;
    }
    const meta = { cursor: page.cursor, start: page.start, size: page.size, stream: params.view, complete: page.complete, truncated: page.truncated };
    if (params.format === 'chunks') {
      ctx.body = { chunks: page.chunks.map(chunkData), ...meta };
      return;
    }
    const text = Buffer.concat(page.chunks.map((chunk) => chunk.data)).toString('utf8');
    if (text === '' && page.start === 0) {
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
    errors: 'compat',
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
    errors: 'compat',
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
    // The body pulls the next bytes only as the socket takes them (the session's backpressure).
    const controller = new AbortController();
    ctx.req.on('close', () => controller.abort());
    const cursor = startCursor(deps.output.reader(job.id), params.view, params);
    const session = followJob(deps.output, job.id, { ...sessionOptions(ctx, controller.signal), view: params.view, cursor, wholeCharacters: false });
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = Readable.from(rawBytes(session), { objectMode: false });
    // Node sends the head with the first byte of the body: a job that prints nothing for a while
    // would leave the client without even a status line (clients and proxies time out). Once
    // Koa has piped the body (after every middleware has set its headers), send the head now.
    setImmediate(() => {
      if (!ctx.res.headersSent && !ctx.res.writableEnded) {
        ctx.res.flushHeaders();
      }
    });
  });

  /** What every session of these routes watches: the domain's job changes and its stop. */
  function sessionOptions(ctx: ParameterizedContext<AppState>, signal: AbortSignal): Pick<FollowSessionOptions, 'signal' | 'watch' | 'now'> {
    return {
      signal,
      watch: (listener: FollowListener) => {
        const stopping = (): void => {
          // The stream's final answer is its connection's last: close the connection once it is
          // sent, rather than leave a keep-alive connection holding the service's stop open.
          ctx.res.once('finish', () => ctx.req.socket.end());
          listener.stopping();
        };
        deps.jobs.on('change', listener.change);
        deps.jobs.once('stopping', stopping);
        return () => {
          deps.jobs.off('change', listener.change);
          deps.jobs.off('stopping', stopping);
        };
      },
      now: () => deps.now(),
    };
  }

  function streamEvents(ctx: ParameterizedContext<AppState>, actor: Actor, job: JobRecord, params: OutputParams): void {
    const cursor = startCursor(deps.output.reader(job.id), params.view, { ...params, lastEventId: ctx.get('Last-Event-ID') });
    const events = openEventStream(ctx);
    const session = followJob(deps.output, job.id, {
      ...sessionOptions(ctx, events.signal),
      view: params.view,
      cursor,
      wholeCharacters: true,
      job: { current: job, final: () => deps.jobs.find(job.id, actor) },
    });
    const presentJob = (final: JobRecord): Record<string, unknown> => presentJobDetail(final, deps.extended.labels.labelsFor([final.id]).get(final.id), deps.now());
    // Usage samples are pushed as they are taken, beside the session's pulled events.
    const onSampled = (updates: UsageUpdate[]): void => {
      const update = updates.find((each) => each.id === job.id);
      if (update !== undefined && !events.signal.aborted) {
        void events.send('metrics', JSON.stringify(metricsEventData(update)));
      }
    };
    deps.extended.usage.on('sampled', onSampled);
    void (async () => {
      try {
        for await (const event of session) {
          const frame = sseFrame(event, presentJob);
          await events.send(frame.event, frame.data, frame.id);
        }
      } catch (error: unknown) {
        // Building the final event failed (its job or labels could not be read).
        await events.send('error', JSON.stringify(errorData(unavailableMessage(error))));
      } finally {
        deps.extended.usage.off('sampled', onSampled);
        events.close();
      }
    })();
  }

  return router;
}
