/** `GET /v1/stats`: the allocation's utilization over the last hour or day (see domain/usage/stats-service.ts). */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from '../../state.js';
import { defineRoute, type ApiCatalog } from '../../route.js';
import { standardError } from '../../error-schemas.js';
import { param } from '../../validation.js';
import { component } from '../../openapi/components.js';
import { STATS_WINDOWS } from '../../../domain/usage/allocation-stats.js';
import type { ExtendedDeps } from './context.js';

const WINDOWS = Object.keys(STATS_WINDOWS) as ['hour', 'day'];
const series = (description: string) => z.array(z.number()).meta({ description });
const measured = (description: string) => z.array(z.number().nullable()).meta({ description });

const statsAnswer = component('AllocationStats', z.object({
  window: z.enum(WINDOWS),
  from: z.number(),
  to: z.number(),
  step: z.number().meta({ description: 'Seconds per bucket.' }),
  capacity: z.object({ cores: z.number(), gpus: z.number() }).meta({ description: 'What the executor reports it has now.' }),
  buckets: z.object({
    t: series('Start of each bucket (epoch seconds).'),
    cores_allocated: series('Cores held by running jobs (time-weighted average).'),
    gpus_allocated: series('GPUs held by running jobs.'),
    cores_used: measured('Cores measured busy (usage samples); null with sampling off.'),
    gpus_used: measured('GPUs measured busy; null where there was no GPU reading.'),
    pending: series('Jobs waiting (average).'),
    running: series('Jobs running (average).'),
    ended_per_minute: series('Throughput: jobs that ended, per minute.'),
  }),
  wait_seconds: z.object({ count: z.int(), p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable() })
    .meta({ description: 'Queue wait (submit → run) of the jobs that started in the window.' }),
}).meta({ description: 'The allocation\'s utilization over a window, every user\'s jobs counted.' }));

export function statsRoutes(deps: ExtendedDeps, catalog: ApiCatalog): Router<AppState> {
  const router = new Router<AppState>();
  defineRoute(router, catalog, {
    method: 'get',
    path: '/v1/stats',
    summary: 'Utilization: cores and GPUs busy, jobs pending and running, wait percentiles, throughput',
    tags: ['jobs'],
    access: 'user',
    query: z.object({ window: param.enumOf(WINDOWS).meta({ description: 'hour (1-minute buckets, default) or day (15-minute buckets).' }) }),
    errors: 'standard',
    cache: 'no-store',
    responses: { 200: { description: 'The statistics', schema: statsAnswer }, 400: { description: 'An unknown window', schema: standardError } },
  }, async (ctx, { query }) => {
    ctx.body = await deps.services.stats.stats(query.window ?? 'hour');
  });
  return router;
}
