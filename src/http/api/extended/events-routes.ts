/**
 * `GET /v1/events`: Server-Sent Events of job events (submit, urgency, alloc, finish, clean...)
 * for every job the caller may see, each with the state it left the job in. The event id is
 * the position in the global event log: a client that reconnects with Last-Event-ID (browsers
 * do it by themselves) gets exactly what it missed. `since` chooses where a new stream starts.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { param } from '../../validation.js';
import { validationError } from '../../../errors.js';
import { stringifyJson } from '../../../lib/json.js';
import { parseJobId, toF58 } from '../../../model/job-id.js';
import { openEventStream } from '../../stream/event-stream.js';
import { standardError } from '../../error-schemas.js';
import { checkTags } from '../../../domain/job-labels.js';
import type { FeedEvent } from '../../../model/job-event.js';
import { rejectUnknownParams } from './job-selection.js';
import { stateList, stringList, tagList } from './filter-values.js';
import type { ExtendedDeps } from './context.js';

export const eventsQuerySchema = z.object({
  state: stateList().meta({ description: 'Only events that leave their job in one of these states (e.g. INACTIVE: jobs ending), or the groups pending, active.' }),
  owner: stringList(128).meta({ description: 'Only jobs of these owners.' }),
  tag: tagList().meta({ description: 'Only jobs carrying all these tags (`type:name` or `name`).' }),
  job: stringList(64).meta({ description: 'Only these jobs (any id encoding).' }),
  since: param.string(32).meta({ description: '`now` (default: only new events), `all` or `0` (the whole log), or a position. Last-Event-ID wins over it.' }),
});

const eventDoc = [
  '`event: job`, `id: <position>`, data: `{seq, id, jobid, event, t, context, state, owner, name, result}`;',
  '`event: ready` (the backlog is sent; live events follow), `event: checkpoint` (nothing matched up to this position),',
  '`event: stopping` (jobgate is stopping; the stream ends).',
].join(' ');

function startPosition(header: string, since: string | undefined, last: number): number {
  const given = header !== '' ? header : since;
  if (given === undefined || given === 'now') {
    return last;
  }
  if (given === 'all') {
    return 0;
  }
  if (!/^\d{1,15}$/.test(given)) {
    throw validationError([{ field: header !== '' ? 'Last-Event-ID' : 'since', message: 'expected now, all, or a position (a whole number)' }]);
  }
  return Number(given);
}

function eventData(event: FeedEvent): string {
  return stringifyJson({
    seq: event.seq,
    id: event.jobId,
    jobid: toF58(event.jobId),
    event: event.name,
    t: event.t,
    context: event.context,
    state: event.state,
    owner: event.owner,
    name: event.jobName,
    result: event.result ?? '',
  });
}

export function eventsRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  const known = Object.keys(eventsQuerySchema.shape);

  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/events',
    summary: 'Job events as Server-Sent Events (resumable)',
    description: eventDoc,
    tags: ['jobs', 'streams'],
    access: 'user',
    query: eventsQuerySchema,
    responses: {
      200: { description: eventDoc, contentType: 'text/event-stream', schema: z.string() },
      400: { description: 'A parameter is invalid', schema: standardError },
    },
  }, async (ctx, { actor, query }) => {
    rejectUnknownParams(ctx.query, known, false);
    const problems = checkTags(query.tag ?? [], 'tag');
    const jobIds = (query.job ?? []).map((text, index) => {
      const id = parseJobId(text);
      if (id === null) problems.push({ field: `job[${index}]`, message: `'${text}' is not a job id` });
      return id ?? 0n;
    });
    if (problems.length > 0) {
      throw validationError(problems);
    }
    const after = startPosition(ctx.get('Last-Event-ID').trim(), query.since, deps.services.feed.lastSeq());
    const stream = openEventStream(ctx);
    const feed = deps.services.feed.follow(actor, { after, owners: query.owner, states: query.state, tags: query.tag, jobIds: jobIds.length > 0 ? jobIds : undefined, signal: stream.signal });
    let stopping = false;
    void (async () => {
      try {
        for await (const item of feed) {
          switch (item.kind) {
            case 'event':
              await stream.send('job', eventData(item.event), String(item.event.seq));
              break;
            case 'checkpoint':
            case 'ready':
              await stream.send(item.kind, stringifyJson({ seq: item.seq }), String(item.seq));
              break;
            case 'stopping':
              stopping = true;
              await stream.send('stopping', '{}');
              break;
          }
        }
      } catch {
        // The store closed under a stream (jobgate stopping): the stream just ends.
      } finally {
        if (stopping) {
          // Keep-alive would hold the connection open and delay the stop: close it once sent.
          ctx.res.once('finish', () => ctx.req.socket.end());
        }
        stream.close();
      }
    })();
  });

  return router;
}
